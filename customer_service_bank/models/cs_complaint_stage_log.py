from odoo import api, fields, models

from .cs_complaint_stage import STAGE_KINDS


class CsComplaintStageLog(models.Model):
    """Who moved a complaint into a stage, when, and how long it stayed.

    Written by the complaint itself; pauses, process analytics and
    appraisal figures are derived from it.
    """

    _name = "cs.complaint.stage.log"
    _description = "Complaint Stage History"
    _order = "date_in desc, id desc"
    _log_access = False

    complaint_id = fields.Many2one(
        "cs.complaint", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="complaint_id.company_id", store=True, precompute=True
    )
    team_id = fields.Many2one("cs.team", readonly=True)
    stage_id = fields.Many2one("cs.complaint.stage", required=True, ondelete="restrict")
    stage_kind = fields.Selection(STAGE_KINDS, required=True)
    user_id = fields.Many2one("res.users", string="Moved By", required=True)
    date_in = fields.Datetime(required=True, index=True)
    date_out = fields.Datetime()
    duration_hours = fields.Float(
        compute="_compute_duration_hours",
        store=True,
        precompute=True,
        aggregator="avg",
    )

    @api.depends("date_in", "date_out")
    def _compute_duration_hours(self):
        for log in self:
            log.duration_hours = (
                (log.date_out - log.date_in).total_seconds() / 3600
                if log.date_out
                else 0.0
            )
