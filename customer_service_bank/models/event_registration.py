from odoo import fields, models


class EventRegistration(models.Model):
    _inherit = "event.registration"

    cs_care_participant_ids = fields.One2many(
        "cs.care.participant",
        "registration_id",
        string="Care Participants",
        groups="customer_service_bank.group_cs_agent",
        help="The care campaign participant this registration invites.",
    )

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") == "done":
            # attendance marked here or from the participant: sudo, the
            # registration's writer may not read care participants
            self.env["cs.care.participant"].sudo().search(
                [("registration_id", "in", self.ids)]
            )._cs_plan_attendee_followups()
        return result
