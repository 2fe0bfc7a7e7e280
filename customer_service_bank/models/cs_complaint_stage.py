from odoo import api, fields, models, tools

STAGE_KINDS = [
    ("new", "New"),
    ("in_progress", "In Progress"),
    ("awaiting", "Awaiting Customer"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
]
OPEN_KINDS = ("new", "in_progress", "awaiting")
DONE_KINDS = ("resolved", "closed")


class CsComplaintStage(models.Model):
    _name = "cs.complaint.stage"
    _description = "Complaint Stage"
    _inherit = ["cs.cached.source.mixin"]
    _cache_source_fields = {"kind", "sequence", "active", "company_id"}
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    fold = fields.Boolean(
        string="Folded in Kanban",
        help="Fold this stage's column in the kanban view.",
    )
    kind = fields.Selection(
        STAGE_KINDS,
        required=True,
        default="in_progress",
        help="What the stage means to deadlines: new and in-progress "
        "complaints run the clock, awaiting-customer ones may pause it, "
        "resolved and closed ones stop it.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Customer Mail",
        domain="[('model', '=', 'cs.complaint')]",
        help="Sent to the customer whenever a complaint enters this stage.",
    )
    rating_template_id = fields.Many2one(
        "mail.template",
        string="Rating Request",
        domain="[('model', '=', 'cs.complaint')]",
        help="Sent to the customer, once per resolution, when a complaint "
        "enters this stage and the company asks for customer ratings.",
    )
    description = fields.Text(translate=True)
    company_id = fields.Many2one("res.company", index=True)

    @api.model
    @tools.ormcache("su", "tuple(company_ids)")
    def _new_stage_id(self, su, company_ids):
        """The id of the first stage of kind new these companies see.

        Cached: every new complaint starts there, and stages rarely change.
        """
        return self.search([("kind", "=", "new")], order="sequence, id", limit=1).id
