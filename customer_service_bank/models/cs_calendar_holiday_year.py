from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Years the public holidays of a calendar may be generated or recorded for.
MIN_HOLIDAY_YEAR = 1900
MAX_HOLIDAY_YEAR = 2100


class CsCalendarHolidayYear(models.Model):
    """A year of public holidays on a working calendar.

    Holidays generated from the ``holidays`` package only follow a year's
    usual rules until the official schedule is published (mainland China's
    make-up working days are announced in November or December), so a
    generated year stays provisional until an admin confirms it.
    """

    _name = "cs.calendar.holiday.year"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Public Holidays of a Calendar Year"
    _order = "calendar_id, year desc"

    calendar_id = fields.Many2one(
        "resource.calendar", required=True, ondelete="cascade", index=True
    )
    year = fields.Integer(required=True)
    state = fields.Selection(
        [("provisional", "Provisional"), ("confirmed", "Confirmed")],
        required=True,
        default="provisional",
        tracking=True,
        help="Provisional: generated from the usual rules of the year, to be "
        "checked against the official schedule once it is published.",
    )
    confirmed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    confirmed_date = fields.Datetime(readonly=True, copy=False)

    _sql_constraints = [
        (
            "calendar_year_uniq",
            "unique(calendar_id, year)",
            "This calendar already has a record of this year's public holidays.",
        ),
    ]

    @api.constrains("year")
    def _check_year(self):
        for record in self:
            if not MIN_HOLIDAY_YEAR <= record.year <= MAX_HOLIDAY_YEAR:
                raise ValidationError(
                    self.env._(
                        "The year of public holidays must be between %(min)s and "
                        "%(max)s, not %(year)s.",
                        min=MIN_HOLIDAY_YEAR,
                        max=MAX_HOLIDAY_YEAR,
                        year=record.year,
                    )
                )

    @api.depends("calendar_id", "year")
    def _compute_display_name(self):
        for record in self:
            record.display_name = f"{record.calendar_id.name} {record.year}"

    def action_confirm(self):
        """Confirm the holidays as checked against the official schedule.

        The check activities of the year are marked done.
        """
        self.write(
            {
                "state": "confirmed",
                "confirmed_by_id": self.env.user.id,
                "confirmed_date": fields.Datetime.now(),
            }
        )
        check = self.env.ref(
            "customer_service_bank.mail_activity_type_cs_holiday_check"
        )
        self.activity_ids.filtered(
            lambda activity: activity.activity_type_id == check
        ).action_feedback(feedback=self.env._("Public holidays confirmed."))

    def action_set_provisional(self):
        self.write(
            {"state": "provisional", "confirmed_by_id": False, "confirmed_date": False}
        )

    def _cs_schedule_check(self):
        """Ask each admin to check the holidays against the official schedule."""
        check = self.env.ref(
            "customer_service_bank.mail_activity_type_cs_holiday_check"
        )
        admins = (
            self.env.ref("base.group_system")
            .sudo()
            .users.filtered(lambda user: user.active and not user.share)
        )
        deadline = fields.Date.context_today(self) + timedelta(days=14)
        self.env["mail.activity"].sudo().with_context(
            mail_activity_quick_update=True
        ).create(
            [
                {
                    "res_model_id": self.env["ir.model"]._get_id(self._name),
                    "res_id": record.id,
                    "activity_type_id": check.id,
                    "summary": self.env._(
                        "Check the public holidays %(year)s of %(calendar)s",
                        year=record.year,
                        calendar=record.calendar_id.name,
                    ),
                    "note": self.env._(
                        "They follow the usual rules of the year: compare them, "
                        "and the make-up working days, with the official "
                        "schedule, correct the calendar, then confirm."
                    ),
                    "user_id": admin.id,
                    "date_deadline": deadline,
                }
                for record in self
                for admin in admins
            ]
        )
