from odoo import fields, models

from .constants import SERVICE_PLAN_STATES


class CsServicePlan(models.Model):
    """Measures agreed with a customer who has a special need."""

    _name = "cs.service.plan"
    _description = "Personalised Service Plan"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "review_date, id desc"
    _check_company_auto = True

    name = fields.Char(string="Title", required=True, tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
    )
    special_need_id = fields.Many2one(
        "cs.special.need", string="Need", required=True, tracking=True
    )
    measures = fields.Html(string="Agreed Measures")
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        required=True,
        tracking=True,
        index=True,
        domain="[('share', '=', False)]",
        default=lambda self: self.env.user,
    )
    start_date = fields.Date(required=True, default=fields.Date.context_today)
    review_date = fields.Date(tracking=True)
    state = fields.Selection(
        SERVICE_PLAN_STATES, required=True, default="draft", tracking=True
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    active = fields.Boolean(default=True)
