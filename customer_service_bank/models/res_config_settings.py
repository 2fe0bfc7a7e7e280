from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    cs_default_sla_policy_id = fields.Many2one(
        related="company_id.cs_default_sla_policy_id", readonly=False
    )
    cs_default_calendar_id = fields.Many2one(
        related="company_id.cs_default_calendar_id", readonly=False
    )
    cs_holiday_month = fields.Selection(
        related="company_id.cs_holiday_month", readonly=False
    )
    cs_warning_threshold = fields.Float(
        related="company_id.cs_warning_threshold", readonly=False
    )
    cs_repeat_window_days = fields.Integer(
        related="company_id.cs_repeat_window_days", readonly=False
    )
    cs_intake_team_id = fields.Many2one(
        related="company_id.cs_intake_team_id", readonly=False
    )
    cs_received_max_age_years = fields.Integer(
        related="company_id.cs_received_max_age_years", readonly=False
    )
    cs_close_requires_analysis = fields.Boolean(
        related="company_id.cs_close_requires_analysis", readonly=False
    )
    cs_escalation_enabled = fields.Boolean(
        related="company_id.cs_escalation_enabled", readonly=False
    )
    cs_manager_escalation_hours = fields.Integer(
        related="company_id.cs_manager_escalation_hours", readonly=False
    )
    cs_department_buffer_days = fields.Integer(
        related="company_id.cs_department_buffer_days", readonly=False
    )
    cs_key_customer_percent = fields.Float(
        related="company_id.cs_key_customer_percent", readonly=False
    )
    cs_metrics_window_months = fields.Integer(
        related="company_id.cs_metrics_window_months", readonly=False
    )
    cs_followup_after_complaint = fields.Boolean(
        related="company_id.cs_followup_after_complaint", readonly=False
    )
    cs_followup_after_complaint_days = fields.Integer(
        related="company_id.cs_followup_after_complaint_days", readonly=False
    )
    cs_rating_enabled = fields.Boolean(
        related="company_id.cs_rating_enabled", readonly=False
    )
    cs_nps_quiet_days = fields.Integer(
        related="company_id.cs_nps_quiet_days", readonly=False
    )
    cs_care_currency_id = fields.Many2one(related="company_id.currency_id")
    cs_care_budget_threshold = fields.Monetary(
        related="company_id.cs_care_budget_threshold",
        currency_field="cs_care_currency_id",
        readonly=False,
    )
    cs_care_contact_limit = fields.Integer(
        related="company_id.cs_care_contact_limit", readonly=False
    )
    cs_care_contact_window_days = fields.Integer(
        related="company_id.cs_care_contact_window_days", readonly=False
    )
    cs_care_birthday_exempt = fields.Boolean(
        related="company_id.cs_care_birthday_exempt", readonly=False
    )
    cs_care_quiet_open_complaint = fields.Boolean(
        related="company_id.cs_care_quiet_open_complaint", readonly=False
    )
    cs_care_send_hour_from = fields.Float(
        related="company_id.cs_care_send_hour_from", readonly=False
    )
    cs_care_send_hour_to = fields.Float(
        related="company_id.cs_care_send_hour_to", readonly=False
    )
    cs_care_effect_days = fields.Integer(
        related="company_id.cs_care_effect_days", readonly=False
    )
    cs_qa_sample_size = fields.Integer(
        related="company_id.cs_qa_sample_size", readonly=False
    )
    cs_qa_reviewer_id = fields.Many2one(
        related="company_id.cs_qa_reviewer_id", readonly=False
    )
    cs_report_recipient_ids = fields.Many2many(
        related="company_id.cs_report_recipient_ids", readonly=False
    )
    cs_report_last_month = fields.Date(related="company_id.cs_report_last_month")
    cs_training_qa_threshold = fields.Float(
        related="company_id.cs_training_qa_threshold", readonly=False
    )
    cs_training_window_days = fields.Integer(
        related="company_id.cs_training_window_days", readonly=False
    )
    cs_training_breach_rate = fields.Float(
        related="company_id.cs_training_breach_rate", readonly=False
    )
    cs_training_reopen_rate = fields.Float(
        related="company_id.cs_training_reopen_rate", readonly=False
    )
    cs_training_min_complaints = fields.Integer(
        related="company_id.cs_training_min_complaints", readonly=False
    )
    cs_training_effect_days = fields.Integer(
        related="company_id.cs_training_effect_days", readonly=False
    )
    cs_metrics_cron_id = fields.Many2one(
        "ir.cron",
        string="Customer Metrics Schedule",
        compute="_compute_cs_metrics_cron_id",
    )
    cs_metrics_interval_number = fields.Integer(
        related="cs_metrics_cron_id.interval_number", readonly=False
    )
    cs_metrics_interval_type = fields.Selection(
        related="cs_metrics_cron_id.interval_type", readonly=False
    )
    cs_metrics_nextcall = fields.Datetime(
        related="cs_metrics_cron_id.nextcall", readonly=False
    )
    cs_appraisal_period_kind = fields.Selection(
        related="company_id.cs_appraisal_period_kind", readonly=False
    )
    cs_appraisal_outlier_points = fields.Float(
        related="company_id.cs_appraisal_outlier_points", readonly=False
    )
    cs_api_batch_limit = fields.Integer(
        related="company_id.cs_api_batch_limit", readonly=False
    )
    cs_api_text_limit = fields.Integer(
        related="company_id.cs_api_text_limit", readonly=False
    )
    cs_portal_max_attachment_mb = fields.Float(
        related="company_id.cs_portal_max_attachment_mb", readonly=False
    )
    cs_portal_allowed_extensions = fields.Char(
        related="company_id.cs_portal_allowed_extensions", readonly=False
    )
    cs_portal_hide_handler = fields.Boolean(
        related="company_id.cs_portal_hide_handler", readonly=False
    )

    @api.depends("company_id")
    def _compute_cs_metrics_cron_id(self):
        cron = self.env.ref(
            "customer_service_bank.ir_cron_cs_customer_metrics",
            raise_if_not_found=False,
        )
        for settings in self:
            settings.cs_metrics_cron_id = cron.sudo() if cron else False
