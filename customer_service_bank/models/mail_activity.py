from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        # before super(): it deletes the activities
        self.env["cs.team.meeting.action"]._close_from_activities(self)
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
