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
    cs_key_customer_percent = fields.Float(
        string="Key Customers (%)",
        default=10.0,
        help="Share of the customers, by value score, flagged as key customers.",
    )
    cs_metrics_window_months = fields.Integer(
        string="Metrics Window (months)",
        default=12,
        help="Transactions of this many months count in the customer metrics.",
    )
    cs_followup_after_complaint = fields.Boolean(
        string="Follow Up Resolved Complaints",
        default=True,
        help="Plan a follow-up with the customer after each resolved complaint.",
    )
    cs_followup_after_complaint_days = fields.Integer(
        string="Follow Up After (days)",
        default=7,
        help="Days between a complaint's resolution and its follow-up.",
    )
    cs_rating_enabled = fields.Boolean(
        string="Ask for Customer Ratings",
        default=True,
        help="Mail customers a rating request when their complaint enters a "
        "stage with a rating template and when a follow-up with them is done.",
    )
    cs_nps_quiet_days = fields.Integer(
        string="NPS Quiet Period (days)",
        default=90,
        help="A customer asked for an NPS score is not asked again, by any "
        "survey, within this many days.",
    )

    cs_qa_sample_size = fields.Integer(
        string="Quality Review Sample Size",
        default=3,
        help="Complaints closed last month drawn each month, per handler, for "
        "a quality review; 0 samples none.",
    )
    cs_qa_reviewer_id = fields.Many2one(
        "res.users",
        string="Fallback Quality Reviewer",
        domain="[('share', '=', False)]",
        help="Reviews the sampled complaints of teams without a supervisor, and "
        "those the supervisor handled.",
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
        (
            "cs_key_customer_percent_range",
            "CHECK(cs_key_customer_percent >= 0 AND cs_key_customer_percent <= 100)",
            "The share of key customers must be between 0 and 100%.",
        ),
        (
            "cs_metrics_window_months_positive",
            "CHECK(cs_metrics_window_months > 0)",
            "The metrics window must be at least one month.",
        ),
        (
            "cs_followup_after_complaint_days_positive",
            "CHECK(cs_followup_after_complaint_days >= 0)",
            "The follow-up delay cannot be negative.",
        ),
        (
            "cs_qa_sample_size_positive",
            "CHECK(cs_qa_sample_size >= 0)",
            "The quality review sample size cannot be negative.",
        ),
        (
            "cs_nps_quiet_days_positive",
            "CHECK(cs_nps_quiet_days >= 0)",
            "The NPS quiet period cannot be negative.",
        ),
    ]

    @api.constrains(
        "cs_warning_threshold",
        "cs_repeat_window_days",
        "cs_manager_escalation_hours",
        "cs_key_customer_percent",
        "cs_metrics_window_months",
        "cs_followup_after_complaint_days",
        "cs_nps_quiet_days",
        "cs_qa_sample_size",
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
            if not 0 <= company.cs_key_customer_percent <= 100:
                raise ValidationError(
                    _("The share of key customers must be between 0 and 100%.")
                )
            if company.cs_metrics_window_months <= 0:
                raise ValidationError(
                    _("The metrics window must be at least one month.")
                )
            if company.cs_followup_after_complaint_days < 0:
                raise ValidationError(_("The follow-up delay cannot be negative."))
            if company.cs_nps_quiet_days < 0:
                raise ValidationError(_("The NPS quiet period cannot be negative."))
            if company.cs_qa_sample_size < 0:
                raise ValidationError(
                    _("The quality review sample size cannot be negative.")
                )
