from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        # before super(): it deletes the activities
        item_type = self.env.ref(
            "customer_service_bank.mail_activity_type_cs_meeting_action",
            raise_if_not_found=False,
        )
        item_activities = self.filtered(
            lambda activity: activity.activity_type_id == item_type
        )
        if item_activities:
            self.env["cs.team.meeting.action"]._close_from_activities(item_activities)
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
