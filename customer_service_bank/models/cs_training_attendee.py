from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

ATTENDANCES = [
    ("invited", "Invited"),
    ("attended", "Attended"),
    ("absent", "Absent"),
]


class CsTrainingAttendee(models.Model):
    """An employee invited to a training session, and how it went.

    Score and result come from the certification survey's answer of a
    course that has one, else attending completes the course. The
    completion expires after the course's validity.
    """

    _name = "cs.training.attendee"
    _description = "Training Attendee"
    _order = "session_id desc, id"
    _check_company_auto = True
    _rec_name = "employee_id"

    session_id = fields.Many2one(
        "cs.training.session", required=True, index=True, ondelete="cascade"
    )
    course_id = fields.Many2one(
        related="session_id.course_id", store=True, index=True, string="Course"
    )
    company_id = fields.Many2one(
        related="session_id.company_id", store=True, index=True
    )
    session_date = fields.Datetime(related="session_id.date_start", string="Date")
    employee_id = fields.Many2one(
        "hr.employee", required=True, index=True, check_company=True
    )
    user_id = fields.Many2one(
        related="employee_id.user_id", store=True, index=True, string="User"
    )
    attendance = fields.Selection(ATTENDANCES, required=True, default="invited")
    user_input_id = fields.Many2one(
        "survey.user_input",
        string="Certification Answer",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    certification_state = fields.Selection(
        related="user_input_id.state", string="Certification Status"
    )
    score = fields.Float(
        string="Score (%)", compute="_compute_result", store=True, digits=(16, 2)
    )
    passed = fields.Boolean(compute="_compute_result", store=True)
    completion_date = fields.Date(compute="_compute_result", store=True)
    expiry_date = fields.Date(compute="_compute_expiry_date", store=True)

    _sql_constraints = [
        (
            "employee_unique",
            "UNIQUE(session_id, employee_id)",
            "An employee attends a session once.",
        ),
    ]

    @api.constrains("employee_id")
    def _check_employee(self):
        for attendee in self:
            if not attendee.employee_id.active:
                raise ValidationError(
                    self.env._(
                        "%(employee)s is archived and cannot attend a session.",
                        employee=attendee.employee_id.name,
                    )
                )

    # not on the course's survey: adding one later keeps past completions
    @api.depends(
        "attendance",
        "session_id.date_start",
        "user_input_id.state",
        "user_input_id.scoring_percentage",
        "user_input_id.scoring_success",
        "user_input_id.end_datetime",
    )
    def _compute_result(self):
        for attendee in self:
            answer = attendee.user_input_id
            if answer:
                done = answer.state == "done"
                attendee.score = answer.scoring_percentage if done else 0.0
                attendee.passed = done and answer.scoring_success
                attendee.completion_date = (
                    fields.Date.to_date(answer.end_datetime)
                    if attendee.passed
                    else False
                )
            elif not attendee.course_id.survey_id:
                attendee.score = 0.0
                attendee.passed = attendee.attendance == "attended"
                attendee.completion_date = (
                    fields.Date.to_date(attendee.session_id.date_start)
                    if attendee.passed
                    else False
                )
            else:
                attendee.score = 0.0
                attendee.passed = False
                attendee.completion_date = False

    @api.depends("completion_date", "course_id.validity_months")
    def _compute_expiry_date(self):
        for attendee in self:
            months = attendee.course_id.validity_months
            if attendee.completion_date and months:
                attendee.expiry_date = attendee.completion_date + relativedelta(
                    months=months
                )
            else:
                attendee.expiry_date = False

    @api.model_create_multi
    def create(self, vals_list):
        attendees = super().create(vals_list)
        attendees.session_id._sync_calendar_events()
        return attendees

    def write(self, vals):
        sessions = self.session_id
        result = super().write(vals)
        if {"employee_id", "session_id"} & vals.keys():
            (sessions | self.session_id)._sync_calendar_events()
        return result

    def unlink(self):
        sessions = self.session_id
        result = super().unlink()
        sessions.exists()._sync_calendar_events()
        return result

    def _partners(self):
        """The partners to invite: the employees' users', else their work
        contacts."""
        return self.mapped(
            lambda attendee: (
                attendee.employee_id.user_id.partner_id
                or attendee.employee_id.work_contact_id
            )
        )
