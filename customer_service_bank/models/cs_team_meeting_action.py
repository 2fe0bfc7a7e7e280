from odoo import api, fields, models
from odoo.exceptions import UserError


class CsTeamMeetingAction(models.Model):
    """An action item decided in a team meeting.

    Its owner gets an activity with its due date, on the linked complaint or
    else on the meeting; marking either done closes the other.
    """

    _name = "cs.team.meeting.action"
    _description = "Team Meeting Action Item"
    _order = "state, date_deadline, id"
    _check_company_auto = True
    _rec_name = "description"

    description = fields.Char(required=True)
    meeting_id = fields.Many2one(
        "cs.team.meeting", required=True, ondelete="cascade", index=True
    )
    team_id = fields.Many2one(related="meeting_id.team_id", store=True, index=True)
    company_id = fields.Many2one(related="meeting_id.company_id", store=True)
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        required=True,
        index=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    date_deadline = fields.Date(string="Due Date", required=True)
    complaint_id = fields.Many2one(
        "cs.complaint",
        check_company=True,
        help="The activity goes on this complaint instead of the meeting.",
    )
    state = fields.Selection(
        [("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled")],
        default="open",
        required=True,
        readonly=True,
        copy=False,
    )
    date_done = fields.Date(readonly=True, copy=False)
    activity_id = fields.Many2one("mail.activity", readonly=True, copy=False)

    @api.model_create_multi
    def create(self, vals_list):
        items = super().create(vals_list)
        # an agent's own item goes on a meeting of their teams only
        items.meeting_id.check_access("read")
        items.complaint_id.check_access("read")
        items._schedule_activities()
        return items

    def write(self, vals):
        result = super().write(vals)
        if {"meeting_id", "complaint_id"} & vals.keys():
            self.meeting_id.check_access("read")
            self.complaint_id.check_access("read")
            # the activity moves to the new document
            open_items = self.filtered(lambda item: item.state == "open")
            open_items.activity_id.sudo().unlink()
            open_items._schedule_activities()
        elif {"user_id", "date_deadline", "description"} & vals.keys():
            self.filtered(lambda item: item.state == "open")._schedule_activities()
        return result

    def unlink(self):
        self.activity_id.sudo().unlink()
        return super().unlink()

    def action_done(self):
        items = self.filtered(lambda item: item.state == "open")
        items.write({"state": "done", "date_done": fields.Date.context_today(self)})
        # an activity marked done marks its item done first: no loop
        items.activity_id.sudo().action_feedback(
            feedback=self.env._("Action item done.")
        )
        return True

    def action_cancel(self):
        if any(item.state == "done" for item in self):
            raise UserError(self.env._("A done action item cannot be cancelled."))
        self.write({"state": "cancelled"})
        self.activity_id.sudo().unlink()
        return True

    def action_reopen(self):
        items = self.filtered(lambda item: item.state != "open")
        items.write({"state": "open", "date_done": False})
        items._schedule_activities()
        return True

    def _schedule_activities(self):
        """Give each open item's owner one activity matching the item."""
        activity_type = self.env.ref(
            "customer_service_bank.mail_activity_type_cs_meeting_action"
        )
        for item in self:
            values = {
                "summary": item.description,
                "user_id": item.user_id.id,
                "date_deadline": item.date_deadline,
            }
            if item.activity_id.exists():
                item.activity_id.sudo().write(values)
                continue
            document = item.complaint_id or item.meeting_id
            item.activity_id = (
                document.sudo()
                .activity_schedule(activity_type_id=activity_type.id, **values)
                .id
            )

    def _close_from_activities(self, activities):
        """Mark done the open items whose activity is among ``activities``."""
        items = self.sudo().search(
            [("activity_id", "in", activities.ids), ("state", "=", "open")]
        )
        items.write({"state": "done", "date_done": fields.Date.context_today(self)})
