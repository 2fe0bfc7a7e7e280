from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    cs_default_sla_policy_id = fields.Many2one(
        "cs.sla.policy",
        string="Default Deadline Policy",
        help="Applies to complaints that no more specific policy matches.",
    )
    cs_default_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Default Complaint Calendar",
        help="Working days and holidays for teams without a calendar of their own.",
    )
    cs_warning_threshold = fields.Float(
        string="Deadline Warning Threshold (%)",
        default=75.0,
        help="Share of the allowed time after which a complaint is at risk, "
        "unless its deadline policy sets its own threshold.",
    )
    cs_repeat_window_days = fields.Integer(
        string="Repeat Complaint Window (days)",
        default=30,
        help="A complaint from the same customer in the same category within "
        "this many days of an earlier one is flagged as a repeat.",
    )
    cs_close_requires_analysis = fields.Boolean(
        string="Closing Requires Root Cause and Actions",
        default=True,
        help="Block closing a complaint until its root cause is set and every "
        "corrective or preventive action is done.",
    )
    cs_escalation_enabled = fields.Boolean(
        string="Escalate Deadlines",
        default=True,
        help="Notify handler, supervisor and manager with activities and mail "
        "when a complaint is at risk or breaches its deadline.",
    )
    cs_manager_escalation_hours = fields.Integer(
        string="Escalate to Manager After (hours)",
        default=24,
        help="Hours a deadline may stay breached before the team's manager is "
        "notified.",
    )

    _sql_constraints = [
        (
            "cs_warning_threshold_range",
            "CHECK(cs_warning_threshold >= 0 AND cs_warning_threshold <= 100)",
            "The deadline warning threshold must be between 0 and 100%.",
        ),
        (
            "cs_repeat_window_positive",
            "CHECK(cs_repeat_window_days >= 0)",
            "The repeat complaint window cannot be negative.",
        ),
        (
            "cs_manager_escalation_hours_positive",
            "CHECK(cs_manager_escalation_hours >= 0)",
            "The manager escalation delay cannot be negative.",
        ),
    ]

    @api.constrains(
        "cs_warning_threshold", "cs_repeat_window_days", "cs_manager_escalation_hours"
    )
    def _check_cs_settings(self):
        """Same rules as the SQL constraints, with a message the settings can show."""
        for company in self:
            if not 0 <= company.cs_warning_threshold <= 100:
                raise ValidationError(
                    _("The deadline warning threshold must be between 0 and 100%.")
                )
            if company.cs_repeat_window_days < 0:
                raise ValidationError(
                    _("The repeat complaint window cannot be negative.")
                )
            if company.cs_manager_escalation_hours < 0:
                raise ValidationError(
                    _("The manager escalation delay cannot be negative.")
                )
