from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    cs_default_sla_policy_id = fields.Many2one(
        related="company_id.cs_default_sla_policy_id", readonly=False
    )
    cs_default_calendar_id = fields.Many2one(
        related="company_id.cs_default_calendar_id", readonly=False
    )
    cs_warning_threshold = fields.Float(
        related="company_id.cs_warning_threshold", readonly=False
    )
    cs_repeat_window_days = fields.Integer(
        related="company_id.cs_repeat_window_days", readonly=False
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
