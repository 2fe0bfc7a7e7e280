from odoo import fields, models


class CsAppraisalReopen(models.TransientModel):
    """A manager reopens done appraisals with a reason, logged on each."""

    _name = "cs.appraisal.reopen"
    _description = "Reopen Appraisal"

    appraisal_ids = fields.Many2many("cs.appraisal", required=True)
    reason = fields.Text(required=True)

    def action_reopen(self):
        self.ensure_one()
        self.appraisal_ids._reopen(self.reason)
        return {"type": "ir.actions.act_window_close"}
