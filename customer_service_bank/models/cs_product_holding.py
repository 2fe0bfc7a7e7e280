from odoo import api, fields, models


class CsProductHolding(models.Model):
    """A product a customer holds, with its opening date and balance.

    Sensitive: agents only see the holdings of the customers they manage.
    """

    _name = "cs.product.holding"
    _description = "Customer Product Holding"
    _order = "open_date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    product_id = fields.Many2one(
        "cs.product", required=True, ondelete="restrict", check_company=True
    )
    category = fields.Selection(related="product_id.category", store=True)
    open_date = fields.Date()
    balance = fields.Monetary()
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
    )
    active = fields.Boolean(default=True)

    @api.depends("partner_id")
    def _compute_company_id(self):
        for holding in self:
            holding.company_id = (
                holding.partner_id.company_id or holding.company_id or self.env.company
            )
