from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .constants import CHANNELS, CUSTOMER_TYPES


class ResPartner(models.Model):
    _inherit = "res.partner"

    cs_customer_number = fields.Char(
        string="Customer Number",
        index="btree_not_null",
        copy=False,
        help="Number of the customer in core banking, unique per company.",
    )
    cs_customer_type = fields.Selection(
        CUSTOMER_TYPES,
        string="Customer Type",
        compute="_compute_cs_customer_type",
        store=True,
        readonly=False,
        precompute=True,
    )
    cs_relationship_manager_id = fields.Many2one(
        "res.users",
        string="Relationship Manager",
        index="btree_not_null",
        domain="[('share', '=', False)]",
        help="Sees this customer's holdings and transactions.",
    )
    cs_branch = fields.Char(string="Branch")
    cs_preferred_channel = fields.Selection(CHANNELS, string="Preferred Channel")
    cs_contact_hours = fields.Char(
        string="Contact Hours", help="When the customer wishes to be contacted."
    )
    cs_do_not_contact = fields.Boolean(
        string="Do Not Contact",
        help="The customer must not be contacted for care or surveys.",
    )
    cs_marketing_consent = fields.Boolean(
        string="Marketing Consent",
        help="The customer agreed to receive marketing.",
    )
    cs_holding_ids = fields.One2many(
        "cs.product.holding",
        "partner_id",
        string="Products Held",
        groups="customer_service_bank.group_cs_agent",
    )
    cs_transaction_ids = fields.One2many(
        "cs.customer.transaction",
        "partner_id",
        string="Transactions",
        groups="customer_service_bank.group_cs_agent",
    )
    cs_holding_count = fields.Integer(
        string="Holding Count",
        compute="_compute_cs_counts",
        groups="customer_service_bank.group_cs_agent",
    )
    cs_transaction_count = fields.Integer(
        string="Transaction Count",
        compute="_compute_cs_counts",
        groups="customer_service_bank.group_cs_agent",
    )
    cs_can_see_sensitive = fields.Boolean(
        string="Can See Sensitive Data",
        compute="_compute_cs_can_see_sensitive",
        help="The current user may see this customer's holdings and transactions: "
        "Customer Service supervisors and managers, and the relationship manager.",
    )

    @api.depends("is_company")
    def _compute_cs_customer_type(self):
        for partner in self:
            partner.cs_customer_type = (
                "corporate" if partner.is_company else "individual"
            )

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_cs_counts(self):
        for field, model in (
            ("cs_holding_count", "cs.product.holding"),
            ("cs_transaction_count", "cs.customer.transaction"),
        ):
            counts = dict(
                self.env[model]._read_group(
                    [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
                )
            )
            for partner in self:
                partner[field] = counts.get(partner, 0)

    @api.depends("cs_relationship_manager_id")
    @api.depends_context("uid")
    def _compute_cs_can_see_sensitive(self):
        supervisor = self.env.user.has_group(
            "customer_service_bank.group_cs_supervisor"
        )
        for partner in self:
            partner.cs_can_see_sensitive = (
                supervisor or partner.cs_relationship_manager_id == self.env.user
            )

    @api.constrains("cs_customer_number", "company_id")
    def _check_cs_customer_number(self):
        numbered = self.filtered("cs_customer_number")
        if not numbered:
            return
        groups = (
            self.sudo()
            .with_context(active_test=False)
            ._read_group(
                [("cs_customer_number", "in", numbered.mapped("cs_customer_number"))],
                ["cs_customer_number", "company_id"],
                ["__count"],
            )
        )
        for number, company, count in groups:
            if count > 1:
                raise ValidationError(
                    _(
                        "The customer number %(number)s is already used in "
                        "%(company)s.",
                        number=number,
                        company=company.name or _("the shared contacts"),
                    )
                )

    def _cs_action(self, xmlid):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_cs_view_holdings(self):
        return self._cs_action("customer_service_bank.cs_product_holding_action")

    def action_cs_view_transactions(self):
        return self._cs_action("customer_service_bank.cs_customer_transaction_action")
