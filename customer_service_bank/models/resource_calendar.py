from datetime import datetime, time, timedelta

import pytz

from odoo import fields, models
from odoo.exceptions import UserError

# A year of days: no real calendar needs longer to find its next working day.
_MAX_SCAN_DAYS = 366


class WorkingDays:
    """Working-day arithmetic for one calendar, on data loaded once.

    Deadline maths for thousands of complaints then costs no query per
    complaint. A day works when it is a make-up working day, or when the
    calendar has hours on its weekday and no public holiday covers it.
    Day-based deadlines end at midnight, local time, of their last day.
    """

    def __init__(self, calendar, tz, weekdays, holidays, makeup_days):
        self.calendar = calendar
        self.tz = tz
        self.weekdays = weekdays
        self.holidays = holidays
        self.makeup_days = makeup_days

    def is_working(self, day):
        if day in self.makeup_days:
            return True
        return day.weekday() in self.weekdays and day not in self.holidays

    def local_date(self, moment):
        return pytz.utc.localize(moment).astimezone(self.tz).date()

    def end_of_day(self, day):
        local = self.tz.localize(datetime.combine(day, time(23, 59, 59)))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    def next_working(self, day):
        for _offset in range(_MAX_SCAN_DAYS):
            if self.is_working(day):
                return day
            day += timedelta(days=1)
        env = self.calendar.env
        raise UserError(
            env._("The calendar %(name)s has no working day.", name=self.calendar.name)
        )

    def add_working_days(self, day, count):
        for _step in range(count):
            day = self.next_working(day + timedelta(days=1))
        return day

    def count_working_days(self, start, end):
        """Working days in [start, end)."""
        return sum(
            self.is_working(start + timedelta(days=offset))
            for offset in range((end - start).days)
        )

    def add(self, moment, amount, unit, roll_forward=False):
        """The deadline ``amount`` ``unit`` after ``moment`` (naive UTC).

        Days count from the day after ``moment``, as regulators count them;
        ``roll_forward`` moves a calendar-day deadline that ends on a
        non-working day to the next working day.
        """
        if unit == "hours":
            return moment + timedelta(hours=amount)
        day = self.local_date(moment)
        if unit == "working_days":
            day = self.add_working_days(day, int(amount))
        else:
            day += timedelta(days=int(amount) * (7 if unit == "weeks" else 1))
            if roll_forward:
                day = self.next_working(day)
        return self.end_of_day(day)

    def paused(self, start, end, unit):
        """Length of a pause from ``start`` to ``end`` in the deadline's unit.

        Weeks-based deadlines are shifted by the calendar days paused; the
        returned unit is the one to give to :meth:`add`.
        """
        if unit == "hours":
            return (end - start).total_seconds() / 3600, "hours"
        first, last = self.local_date(start), self.local_date(end)
        if unit == "working_days":
            return self.count_working_days(first, last), "working_days"
        return (last - first).days, "calendar_days"


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    cs_makeup_workday_ids = fields.One2many(
        "cs.makeup.workday",
        "calendar_id",
        string="Make-up Working Days",
        help="Weekend days worked in exchange for a public holiday, such as "
        "mainland China's 调休 days.",
    )

    def _cs_working_days(self):
        """Return a :class:`WorkingDays` for this calendar (two queries)."""
        self.ensure_one()
        tz = pytz.timezone(self.tz or "UTC")
        weekdays = {
            int(attendance.dayofweek)
            for attendance in self.attendance_ids
            if attendance.display_type != "line_section"
        }
        leaves = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search_read(
                [
                    ("resource_id", "=", False),
                    # this calendar's holidays count whatever their company
                    # (new time off takes the user's, even on a shared
                    # calendar); time off for all calendars only when it is
                    # of this calendar's company or of none
                    "|",
                    ("calendar_id", "=", self.id),
                    "&",
                    ("calendar_id", "=", False),
                    ("company_id", "in", [False, self.company_id.id]),
                ],
                ["date_from", "date_to"],
            )
        )
        holidays = set()
        for leave in leaves:
            day = pytz.utc.localize(leave["date_from"]).astimezone(tz).date()
            # a leave ending at local midnight does not cover the next day
            last = (
                pytz.utc.localize(leave["date_to"] - timedelta(seconds=1))
                .astimezone(tz)
                .date()
            )
            while day <= last:
                holidays.add(day)
                day += timedelta(days=1)
        makeup_days = set(self.sudo().cs_makeup_workday_ids.mapped("date"))
        return WorkingDays(self, tz, weekdays, holidays, makeup_days)
