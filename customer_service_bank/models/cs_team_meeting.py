from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import is_html_empty


class CsTeamMeeting(models.Model):
    """A team meeting, sent to its attendees as a calendar invitation.

    Its calendar event follows the meeting: title, time, agenda and
    attendees are copied on every change, a cancelled meeting archives it.
    """

    _name = "cs.team.meeting"
    _description = "Team Meeting"
    _inherit = ["mail.thread", "mail.activity.mixin", "cs.calendar.event.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True
    _calendar_fields = {
        "name",
        "date_start",
        "duration",
        "location",
        "agenda",
        "attendee_ids",
        "user_id",
        "state",
    }

    name = fields.Char(
        string="Subject",
        required=True,
        tracking=True,
        default=lambda self: self.env._("Team Meeting"),
    )
    team_id = fields.Many2one(
        "cs.team", required=True, index=True, tracking=True, check_company=True
    )
    company_id = fields.Many2one(
        related="team_id.company_id", store=True, index=True, precompute=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Organizer",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        precompute=True,
        domain="[('share', '=', False)]",
        help="Sends the invitations; the team's supervisor unless changed.",
    )
    date_start = fields.Datetime(
        string="Date", required=True, tracking=True, default=fields.Datetime.now
    )
    duration = fields.Float(default=1.0, help="In hours.")
    location = fields.Char()
    state = fields.Selection(
        [("planned", "Planned"), ("held", "Held"), ("cancelled", "Cancelled")],
        default="planned",
        required=True,
        tracking=True,
        copy=False,
    )
    attendee_ids = fields.Many2many(
        "res.users",
        "cs_team_meeting_attendee_rel",
        "meeting_id",
        "user_id",
        string="Attendees",
        compute="_compute_attendee_ids",
        store=True,
        readonly=False,
        precompute=True,
        domain="[('share', '=', False)]",
    )
    agenda = fields.Html()
    minutes = fields.Html()
    decisions = fields.Html()
    complaint_ids = fields.Many2many(
        "cs.complaint",
        "cs_team_meeting_complaint_rel",
        "meeting_id",
        "complaint_id",
        string="Complaints Discussed",
        check_company=True,
    )
    action_item_ids = fields.One2many(
        "cs.team.meeting.action", "meeting_id", string="Action Items"
    )
    carried_item_ids = fields.Many2many(
        "cs.team.meeting.action",
        "cs_team_meeting_carried_item_rel",
        "meeting_id",
        "item_id",
        string="Open Items Carried Over",
        readonly=True,
        copy=False,
        help="Action items of the team's earlier meetings still open when "
        "this meeting was planned.",
    )
    open_item_count = fields.Integer(compute="_compute_open_item_count")

    @api.constrains("duration")
    def _check_duration(self):
        for meeting in self:
            if meeting.duration <= 0:
                raise ValidationError(
                    self.env._(
                        "Meeting %(meeting)s must last longer than zero hours.",
                        meeting=meeting.name,
                    )
                )

    @api.constrains("state", "minutes")
    def _check_minutes(self):
        for meeting in self:
            if meeting.state == "held" and is_html_empty(meeting.minutes):
                raise ValidationError(
                    self.env._(
                        "Write the minutes of meeting %(meeting)s before marking it "
                        "held.",
                        meeting=meeting.name,
                    )
                )

    @api.depends("team_id")
    def _compute_user_id(self):
        for meeting in self:
            meeting.user_id = meeting.team_id.supervisor_id or self.env.user

    @api.depends("team_id")
    def _compute_attendee_ids(self):
        for meeting in self:
            team = meeting.team_id
            meeting.attendee_ids = team.member_ids | team.supervisor_id

    @api.depends("action_item_ids.state", "carried_item_ids.state")
    def _compute_open_item_count(self):
        for meeting in self:
            items = meeting.action_item_ids | meeting.carried_item_ids
            meeting.open_item_count = len(
                items.filtered(lambda item: item.state == "open")
            )

    @api.model_create_multi
    def create(self, vals_list):
        meetings = super().create(vals_list)
        meetings._carry_over_open_items()
        return meetings

    def write(self, vals):
        result = super().write(vals)
        if {"date_start", "team_id", "state"} & vals.keys():
            self._carry_over_open_items()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_if_not_held(self):
        if any(meeting.state == "held" for meeting in self):
            raise UserError(self.env._("Held meetings cannot be deleted."))

    def unlink(self):
        # the database deletes the items: their activities on complaints too
        item_activities = self.action_item_ids.activity_id
        result = super().unlink()
        item_activities.sudo().exists().unlink()
        return result

    def action_held(self):
        for meeting in self:
            if meeting.state != "planned":
                raise UserError(
                    self.env._(
                        "Only a planned meeting can be marked held: %(meeting)s is "
                        "%(state)s.",
                        meeting=meeting.name,
                        state=dict(
                            self._fields["state"]._description_selection(self.env)
                        )[meeting.state],
                    )
                )
        self.write({"state": "held"})
        return True

    def action_cancel(self):
        if any(meeting.state == "held" for meeting in self):
            raise UserError(self.env._("A meeting that was held cannot be cancelled."))
        self.write({"state": "cancelled"})
        return True

    def action_plan(self):
        self.filtered(lambda meeting: meeting.state == "cancelled").write(
            {"state": "planned"}
        )
        return True

    def _calendar_event_values(self):
        self.ensure_one()
        return {
            "name": self.name,
            "start": self.date_start,
            "stop": self.date_start + timedelta(hours=self.duration),
            "duration": self.duration,
            "location": self.location,
            "description": self.agenda,
            "user_id": self.user_id.id,
            "partner_ids": [Command.set(self.attendee_ids.partner_id.ids)],
        }

    def _carry_over_open_items(self):
        """List the open action items of the teams' held meetings on the next
        planned meeting of the same team, once: linking is idempotent."""
        teams = self.team_id
        if not teams:
            return
        Meeting = self.sudo().with_context(active_test=False)
        planned = Meeting.search(
            [("team_id", "in", teams.ids), ("state", "=", "planned")],
            order="date_start, id",
        )
        items = (
            self.env["cs.team.meeting.action"]
            .sudo()
            .search(
                [
                    ("meeting_id.team_id", "in", teams.ids),
                    ("meeting_id.state", "=", "held"),
                    ("state", "=", "open"),
                ]
            )
        )
        for item in items:
            origin = item.meeting_id
            target = next(
                (
                    meeting
                    for meeting in planned
                    if meeting.team_id == origin.team_id
                    and meeting.date_start > origin.date_start
                ),
                None,
            )
            if target and item not in target.carried_item_ids:
                target.carried_item_ids = [Command.link(item.id)]
