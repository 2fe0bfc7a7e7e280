from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

SESSION_STATES = [
    ("planned", "Planned"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]


class CsTrainingSession(models.Model):
    """One delivery of a course, in the attendees' Odoo calendars.

    The session keeps one ``calendar.event`` whose attendees are its
    attendees' partners; it follows the session's date, place and
    attendees, and is archived with a cancelled session.
    """

    _name = "cs.training.session"
    _description = "Training Session"
    _inherit = ["mail.thread", "cs.calendar.event.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True
    _calendar_fields = {
        "name",
        "course_id",
        "date_start",
        "duration",
        "location",
        "online_url",
        "trainer_id",
        "state",
    }

    name = fields.Char(
        compute="_compute_name",
        store=True,
        readonly=False,
        required=True,
        precompute=True,
    )
    course_id = fields.Many2one(
        "cs.training.course",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    team_id = fields.Many2one(
        "cs.team",
        string="Organising Team",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        help="Its supervisor manages the session.",
    )
    plan_id = fields.Many2one(
        "cs.training.plan",
        string="Training Plan",
        index="btree_not_null",
        check_company=True,
        domain="[('team_id', '=', team_id)]",
    )
    date_start = fields.Datetime(string="Start", required=True, tracking=True)
    duration = fields.Float(string="Duration (Hours)", default=2.0)
    date_end = fields.Datetime(string="End", compute="_compute_date_end", store=True)
    trainer_id = fields.Many2one("res.partner", tracking=True)
    location = fields.Char(tracking=True)
    online_url = fields.Char(string="Online Link", tracking=True)
    attendee_ids = fields.One2many("cs.training.attendee", "session_id", copy=False)
    attendee_count = fields.Integer(compute="_compute_attendee_count")
    currency_id = fields.Many2one(related="company_id.currency_id")
    cost = fields.Monetary(
        compute="_compute_cost",
        store=True,
        readonly=False,
        help="The course's cost per attendee times the attendees; it follows "
        "the attendees, set it once they are in for another figure.",
    )
    state = fields.Selection(
        SESSION_STATES, required=True, default="planned", tracking=True, copy=False
    )
    survey_id = fields.Many2one(related="course_id.survey_id")

    @api.constrains("duration", "cost", "date_start", "plan_id")
    def _check_session(self):
        for session in self:
            if session.duration <= 0:
                raise ValidationError(
                    self.env._(
                        "%(session)s: the duration must be positive.",
                        session=session.name,
                    )
                )
            if session.cost < 0:
                raise ValidationError(
                    self.env._(
                        "%(session)s: the cost cannot be negative.",
                        session=session.name,
                    )
                )
            if session.plan_id and session.date_start.year != session.plan_id.year:
                raise ValidationError(
                    self.env._(
                        "%(session)s takes place in %(year)s, not in the year of "
                        "the training plan %(plan)s.",
                        session=session.name,
                        year=session.date_start.year,
                        plan=session.plan_id.display_name,
                    )
                )

    @api.depends("course_id")
    def _compute_name(self):
        for session in self:
            session.name = session.name or session.course_id.name

    @api.depends("date_start", "duration")
    def _compute_date_end(self):
        for session in self:
            session.date_end = session.date_start and session.date_start + timedelta(
                hours=session.duration
            )

    @api.depends("attendee_ids")
    def _compute_attendee_count(self):
        for session in self:
            session.attendee_count = len(session.attendee_ids)

    @api.depends("course_id.cost", "attendee_ids")
    def _compute_cost(self):
        for session in self:
            session.cost = session.course_id.cost * len(session.attendee_ids)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_held(self):
        held = self.filtered(
            lambda session: any(
                attendee.attendance == "attended" or attendee.user_input_id
                for attendee in session.attendee_ids
            )
        )
        if held:
            raise UserError(
                self.env._(
                    "%(sessions)s have attendance or certification results: "
                    "cancel them instead of deleting them.",
                    sessions=", ".join(held.mapped("display_name")),
                )
            )

    def action_done(self):
        self.filtered(lambda session: session.state == "planned").state = "done"
        return True

    def action_cancel(self):
        self.filtered(lambda session: session.state != "cancelled").state = "cancelled"
        return True

    def action_reset_planned(self):
        self.filtered(lambda session: session.state == "cancelled").state = "planned"
        return True

    def action_send_certification(self):
        """Invite the attendees who attended and have no certification
        attempt in progress nor passed to the course's certification survey.

        One answer per attendee, mailed with the survey's invitation
        (``survey.invite``); its result gives the attendee's score and
        ``hr_skills_survey`` the resume line.
        """
        for session in self:
            survey = session.course_id.survey_id
            if not survey:
                raise UserError(
                    self.env._(
                        "The course %(course)s has no certification survey.",
                        course=session.course_id.display_name,
                    )
                )
            attendees = session.attendee_ids.filtered(
                lambda attendee, survey=survey: (
                    attendee.attendance == "attended"
                    and not attendee.passed
                    and attendee.user_input_id.state != "in_progress"
                    and not (
                        attendee.user_input_id.state == "new"
                        and attendee.user_input_id.survey_id == survey
                    )
                )
            )
            userless = attendees.filtered(lambda attendee: not attendee.user_id)
            if userless:
                raise UserError(
                    self.env._(
                        "%(employees)s have no user: link them to one to send "
                        "them the certification.",
                        employees=", ".join(userless.employee_id.mapped("name")),
                    )
                )
            if not attendees:
                continue
            # the supervisor sending it needs no survey rights
            survey = survey.sudo()
            invite = (
                self.env["survey.invite"]
                .sudo()
                .create(
                    {
                        "survey_id": survey.id,
                        "partner_ids": [Command.set(attendees.user_id.partner_id.ids)],
                        "template_id": self.env.ref(
                            "survey.mail_template_user_input_invite"
                        ).id,
                    }
                )
            )
            for attendee in attendees:
                answer = survey._create_answer(
                    user=attendee.user_id,
                    check_attempts=False,
                    **invite._get_answers_values(),
                )
                attendee.user_input_id = answer
                invite._send_mail(answer)
        return True

    def _calendar_event_values(self):
        self.ensure_one()
        return {
            "name": self.name,
            "start": self.date_start,
            "stop": self.date_end,
            "duration": self.duration,
            "location": self.location or self.online_url or False,
            "videocall_location": self.online_url or False,
            "partner_ids": [Command.set(self.attendee_ids._partners().ids)],
            "description": self.course_id.description or False,
        }
