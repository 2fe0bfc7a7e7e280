from odoo import fields, models

from .cs_sla_policy import DEADLINE_UNITS


class CsSlaPolicyExtension(models.Model):
    """One step of a policy's ordered deadline extensions."""

    _name = "cs.sla.policy.extension"
    _description = "Deadline Extension Step"
    _order = "policy_id, sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    policy_id = fields.Many2one(
        "cs.sla.policy", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    time = fields.Integer(
        string="Added Time", required=True, help="Time added to the deadline."
    )
    unit = fields.Selection(DEADLINE_UNITS, required=True, default="calendar_days")
    group_id = fields.Many2one(
        "res.groups",
        string="Approved By",
        required=True,
        help="Members of this group approve the extension.",
    )
    description = fields.Text(translate=True, help="When this extension may be used.")

    _sql_constraints = [
        ("time_positive", "CHECK(time > 0)", "An extension must add time."),
    ]
