from odoo import api, fields, models, tools

from .constants import CHANNELS, PRIORITIES

DEADLINE_UNITS = [
    ("hours", "Hours"),
    ("calendar_days", "Calendar Days"),
    ("working_days", "Working Days"),
    ("weeks", "Weeks"),
]


class CsSlaPolicy(models.Model):
    """Regulatory deadlines for the complaints it matches.

    A policy with criteria (category with its sub-categories, channel,
    priority) matches the complaints of its company that meet all of them,
    and the most specific match wins. A complaint no such policy matches
    gets its team's default policy, or else its company's.
    """

    _name = "cs.sla.policy"
    _description = "Complaint Deadline Policy"
    _inherit = ["mail.thread", "cs.cached.source.mixin"]
    _cache_source_fields = {
        "active",
        "company_id",
        "category_id",
        "channel",
        "priority",
    }
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Char()
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    description = fields.Html(
        string="Legal Basis", translate=True, help="Rule and source of the deadlines."
    )
    category_id = fields.Many2one(
        "cs.complaint.category",
        help="Applies to this category and its sub-categories; empty for all.",
    )
    channel = fields.Selection(
        CHANNELS,
        help="Applies to complaints received through this channel; empty for all.",
    )
    priority = fields.Selection(
        PRIORITIES,
        help="Applies to complaints of this priority; empty for all.",
    )
    ack_time = fields.Integer(
        string="Acknowledgement Time",
        tracking=True,
        help="Time to acknowledge the complaint; 0 for no acknowledgement deadline.",
    )
    ack_unit = fields.Selection(
        DEADLINE_UNITS,
        string="Acknowledgement Unit",
        default="working_days",
        required=True,
    )
    resolve_time = fields.Integer(
        string="Resolution Time",
        required=True,
        tracking=True,
        help="Time to give the final response.",
    )
    resolve_unit = fields.Selection(
        DEADLINE_UNITS, string="Resolution Unit", default="calendar_days", required=True
    )
    roll_forward = fields.Boolean(
        string="Move to Next Working Day",
        help="A calendar-day deadline ending on a non-working day moves to the "
        "end of the next working day.",
    )
    pause_when_awaiting = fields.Boolean(
        string="Pause While Awaiting Customer",
        help="Time spent waiting for the customer does not count.",
    )
    warning_threshold = fields.Float(
        string="Warning Threshold (%)",
        help="Share of the allowed time after which a complaint is at risk; "
        "0 uses the company's setting.",
    )
    extension_ids = fields.One2many(
        "cs.sla.policy.extension", "policy_id", string="Extensions", copy=True
    )
    escalation_rights = fields.Html(
        translate=True,
        help="The customer's rights of review, mediation or referral to an "
        "ombudsman, quoted in the final response.",
    )

    _sql_constraints = [
        (
            "ack_time_positive",
            "CHECK(ack_time >= 0)",
            "The acknowledgement time cannot be negative.",
        ),
        (
            "resolve_time_positive",
            "CHECK(resolve_time > 0)",
            "The resolution time must be positive.",
        ),
        (
            "warning_threshold_range",
            "CHECK(warning_threshold >= 0 AND warning_threshold <= 100)",
            "The warning threshold must be between 0 and 100%.",
        ),
    ]

    def _effective_warning_threshold(self):
        self.ensure_one()
        return self.warning_threshold or self.company_id.cs_warning_threshold

    @api.model
    def _match(self, complaints):
        """Map each complaint to its policy, loading the candidates once.

        A policy for the complaint's category, channel or priority wins, the
        most specific first; then the policy of the customer's tier, of the
        team, and the company's default.
        """
        policies = self.browse(
            self._criteria_policy_ids(
                self.env.su, self.env.companies.ids, complaints.company_id.ids
            )
        )
        result = {}
        for complaint in complaints:
            ranked = [
                (policy._specificity(), -policy.sequence, -policy.id, policy)
                for policy in policies
                if policy._matches(complaint)
            ]
            result[complaint] = (
                max(ranked, key=lambda rank: rank[:3])[3]
                if ranked
                else complaint._tier_sla_policy()
                or complaint.team_id.sla_policy_id
                or complaint.company_id.cs_default_sla_policy_id
            )
        return result

    @api.model
    @tools.ormcache("su", "tuple(allowed_company_ids)", "tuple(company_ids)")
    def _criteria_policy_ids(self, su, allowed_company_ids, company_ids):
        """The ids of the policies with criteria of these companies.

        Cached: every new complaint is matched against them, and they
        rarely change.
        """
        return self.search(
            [
                ("company_id", "in", company_ids),
                "|",
                "|",
                ("category_id", "!=", False),
                ("channel", "!=", False),
                ("priority", "!=", False),
            ]
        ).ids

    def _matches(self, complaint):
        return (
            self.company_id == complaint.company_id
            and (not self.channel or self.channel == complaint.channel)
            and (not self.priority or self.priority == complaint.priority)
            and (
                not self.category_id
                or self.category_id == complaint.category_id
                or (complaint.category_id.parent_path or "").startswith(
                    self.category_id.parent_path or "/"
                )
            )
        )

    def _specificity(self):
        """Criteria count first, then depth of the category in its tree."""
        depth = (self.category_id.parent_path or "").count("/")
        return (
            bool(self.category_id) + bool(self.channel) + bool(self.priority),
            depth,
        )
