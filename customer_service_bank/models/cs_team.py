from odoo import api, fields, models

from .cs_complaint_stage import OPEN_KINDS


class CsTeam(models.Model):
    _name = "cs.team"
    _description = "Customer Service Team"
    _inherit = ["mail.thread"]
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    color = fields.Integer()
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    supervisor_id = fields.Many2one(
        "res.users",
        check_company=True,
        tracking=True,
        domain="[('share', '=', False)]",
        help="Receives escalations of breached deadlines.",
    )
    manager_id = fields.Many2one(
        "res.users",
        string="Escalation Manager",
        check_company=True,
        tracking=True,
        domain="[('share', '=', False)]",
        help="Receives escalations of deadlines that stay breached.",
    )
    member_ids = fields.Many2many(
        "res.users",
        "cs_team_member_rel",
        "team_id",
        "user_id",
        string="Members",
        check_company=True,
        domain="[('share', '=', False)]",
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Calendar",
        check_company=True,
        default=lambda self: self.env.company.cs_default_calendar_id,
        help="Working days and public holidays used for this team's deadlines.",
    )
    sla_policy_id = fields.Many2one(
        "cs.sla.policy",
        string="Default Deadline Policy",
        check_company=True,
        help="Applies to this team's complaints that no policy with criteria "
        "matches; empty for the company's default.",
    )
    department_id = fields.Many2one("hr.department", check_company=True)
    description = fields.Html(translate=True)
    complaint_ids = fields.One2many("cs.complaint", "team_id")
    open_complaint_count = fields.Integer(compute="_compute_open_complaint_count")

    @api.depends("complaint_ids.stage_kind")
    def _compute_open_complaint_count(self):
        counts = dict(
            self.env["cs.complaint"]._read_group(
                [("team_id", "in", self.ids), ("stage_kind", "in", OPEN_KINDS)],
                ["team_id"],
                ["__count"],
            )
        )
        for team in self:
            team.open_complaint_count = counts.get(team, 0)

    def _deadline_calendar(self):
        """The calendar deadlines of this team's complaints are counted on."""
        self.ensure_one()
        return (
            self.resource_calendar_id
            or self.company_id.cs_default_calendar_id
            or self.company_id.resource_calendar_id
        )

    def action_view_open_complaints(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_service_bank.cs_complaint_action"
        )
        action["domain"] = [("team_id", "=", self.id)]
        action["context"] = {
            "default_team_id": self.id,
            "search_default_filter_open": 1,
        }
        return action
