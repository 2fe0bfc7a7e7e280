from datetime import date, datetime, time, timedelta

import holidays as pyholidays
import pytz

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .cs_calendar_holiday_year import MAX_HOLIDAY_YEAR, MIN_HOLIDAY_YEAR
from .holidays_package import check_holiday_subdivision

# A year of days: no real calendar needs longer to find its next working day.
_MAX_SCAN_DAYS = 366
HOLIDAY_BATCH_SIZE = 20


class WorkingDays:
    """Working-day arithmetic for one calendar, on data loaded once.

    Deadline maths for thousands of complaints then costs no query per
    complaint. A day works when it is a make-up working day, or when the
    calendar has hours on its weekday and no public holiday covers it.
    Day-based deadlines end at midnight, local time, of their last day.
    """

    def __init__(self, calendar, tz, weekdays, holidays, makeup_days, holiday_years):
        self.calendar = calendar
        self.tz = tz
        self.weekdays = weekdays
        self.holidays = holidays
        self.makeup_days = makeup_days
        # years the calendar has public holidays for; None when it follows
        # no public holidays at all (no country, no holiday ever)
        self.holiday_years = holiday_years

    def years_without_holidays(self, start, end):
        """Years from moment ``start`` to ``end`` the calendar has no holidays for.

        Working days counted in those years skip weekends only.
        """
        if self.holiday_years is None:
            return []
        years = range(self.local_date(start).year, self.local_date(end).year + 1)
        return [year for year in years if year not in self.holiday_years]

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

    def previous_working(self, day):
        for _offset in range(_MAX_SCAN_DAYS):
            if self.is_working(day):
                return day
            day -= timedelta(days=1)
        env = self.calendar.env
        raise UserError(
            env._("The calendar %(name)s has no working day.", name=self.calendar.name)
        )

    def working_days_before(self, day, count):
        """The working day ``count`` working days before ``day``.

        With ``count`` 0, ``day`` itself, or the working day before it when
        ``day`` does not work.
        """
        day = self.previous_working(day)
        for _step in range(count):
            day = self.previous_working(day - timedelta(days=1))
        return day

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
    _name = "resource.calendar"
    _inherit = ["resource.calendar", "cs.batch.job.mixin"]
    # what the claim reads
    _batch_flush_fields = {"cs.calendar.holiday.year": ["calendar_id", "year"]}
    # a calendar's holidays are added on their own: one that fails (or that
    # another worker has just done) does not undo the others
    _batch_isolation = "record"

    cs_makeup_workday_ids = fields.One2many(
        "cs.makeup.workday",
        "calendar_id",
        string="Make-up Working Days",
        help="Weekend days worked in exchange for a public holiday, such as "
        "mainland China's 调休 days.",
    )
    cs_country_id = fields.Many2one(
        "res.country",
        string="Public Holidays Country",
        help="Country whose public holidays this calendar follows; they are "
        "generated from the holidays package.",
    )
    cs_subdivision = fields.Char(
        string="Public Holidays Subdivision",
        help="Code of the region whose public holidays apply, as the holidays "
        "package knows it: ENG for England, SCT for Scotland, and so on.",
    )
    cs_holiday_year_ids = fields.One2many(
        "cs.calendar.holiday.year", "calendar_id", string="Holiday Years"
    )

    @api.constrains("cs_country_id", "cs_subdivision")
    def _check_cs_subdivision(self):
        for calendar in self:
            if not calendar.cs_subdivision:
                continue
            if not calendar.cs_country_id:
                raise ValidationError(
                    self.env._(
                        "Choose the country of the public holidays before its "
                        "subdivision."
                    )
                )
            check_holiday_subdivision(
                self.env, calendar.cs_country_id, calendar.cs_subdivision
            )

    def write(self, vals):
        if {"tz", "company_id", "attendance_ids", "cs_country_id"} & set(vals):
            self.env.registry.clear_cache()
        return super().write(vals)

    def _cs_working_days(self):
        """Return a :class:`WorkingDays` for this calendar.

        Its days are cached: every new complaint counts its deadlines on
        them, and they change only with the calendar, its attendances, its
        holidays and its make-up days, whose changes clear the cache.
        """
        self.ensure_one()
        tz_name, *days = self._cs_working_days_data(self.id)
        return WorkingDays(self, pytz.timezone(tz_name), *days)

    def _cs_working_at(self, moment):
        """Whether ``moment`` (naive UTC) falls in this calendar's working hours.

        A working day as deadlines count them (public holidays and make-up
        working days included), at an hour of the attendances of that
        weekday, or of any weekday on a make-up day; never at lunch. Live
        chat opens to operators, and assignment picks agents, only then.
        """
        self.ensure_one()
        working_days = self._cs_working_days()
        local = pytz.utc.localize(moment).astimezone(working_days.tz)
        day = local.date()
        if not working_days.is_working(day):
            return False
        attendances = self.attendance_ids.filtered(
            lambda att: att.display_type != "line_section" and att.day_period != "lunch"
        )
        if day not in working_days.makeup_days:
            attendances = attendances.filtered(
                lambda att: int(att.dayofweek) == day.weekday()
            )
        hour = local.hour + local.minute / 60
        return any(att.hour_from <= hour < att.hour_to for att in attendances)

    @api.model
    @tools.ormcache("calendar_id")
    def _cs_working_days_data(self, calendar_id):
        """(time zone, weekdays, holidays, make-up days, holiday years)."""
        calendar = self.browse(calendar_id).sudo()
        tz = pytz.timezone(calendar.tz or "UTC")
        weekdays = {
            int(attendance.dayofweek)
            for attendance in calendar.attendance_ids
            if attendance.display_type != "line_section"
        }
        leaves = (
            calendar.env["resource.calendar.leaves"]
            .sudo()
            .search_read(
                [
                    ("resource_id", "=", False),
                    # this calendar's holidays count whatever their company
                    # (new time off takes the user's, even on a shared
                    # calendar); time off for all calendars only when it is
                    # of this calendar's company or of none
                    "|",
                    ("calendar_id", "=", calendar.id),
                    "&",
                    ("calendar_id", "=", False),
                    ("company_id", "in", [False, calendar.company_id.id]),
                ],
                ["date_from", "date_to", "calendar_id"],
            )
        )
        holidays, own_holidays = set(), set()
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
                if leave["calendar_id"]:
                    own_holidays.add(day)
                day += timedelta(days=1)
        makeup_days = set(calendar.cs_makeup_workday_ids.mapped("date"))
        holiday_years = {day.year for day in own_holidays | makeup_days}
        if not holiday_years and not calendar.cs_country_id:
            holiday_years = None
        return (
            calendar.tz or "UTC",
            frozenset(weekdays),
            frozenset(holidays),
            frozenset(makeup_days),
            None if holiday_years is None else frozenset(holiday_years),
        )

    # ------------------------------------------------------------------
    # public holidays from the holidays package
    # ------------------------------------------------------------------

    def action_cs_add_public_holidays(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_service_bank.cs_calendar_holiday_wizard_action"
        )
        action["context"] = {"default_calendar_id": self.id}
        return action

    def _cs_public_holidays(self, year):
        """Days off and make-up working days of ``year`` from the holidays package.

        Returns ({date: name}, {make-up date: day off date}). Names are the
        package's, in the country's language followed by the English one
        when it differs, like the shipped "元旦 New Year's Day".
        """
        self.ensure_one()
        if not self.cs_country_id:
            raise UserError(
                self.env._(
                    "Set the country of the public holidays of the calendar "
                    "%(calendar)s first.",
                    calendar=self.name,
                )
            )
        code = self.cs_country_id.code
        if code not in pyholidays.list_supported_countries():
            raise UserError(
                self.env._(
                    "The holidays package does not know the public holidays of "
                    "%(country)s.",
                    country=self.cs_country_id.name,
                )
            )
        country = pyholidays.country_holidays(code, subdiv=self.cs_subdivision or None)
        first = max(country.start_year, MIN_HOLIDAY_YEAR)
        last = min(country.end_year, MAX_HOLIDAY_YEAR)
        if not first <= year <= last:
            raise UserError(
                self.env._(
                    "The public holidays of %(country)s can be generated for the "
                    "years %(first)s to %(last)s, not %(year)s.",
                    country=self.cs_country_id.name,
                    first=first,
                    last=last,
                    year=year,
                )
            )
        # without a language the package follows the server's locale
        local = pyholidays.country_holidays(
            code,
            subdiv=self.cs_subdivision or None,
            years=year,
            language=country.default_language,
        )
        english = pyholidays.country_holidays(
            code, subdiv=self.cs_subdivision or None, years=year, language="en_US"
        )
        days = {}
        for day, name in local.items():
            other = english.get(day)
            days[day] = f"{name} {other}" if other and other != name else name
        # (to month, to day, from month, from day[, from year]): the day off
        # ``to`` is worked instead on the weekend day ``from``
        day_off_of = {}
        special = getattr(local, "special_public_holidays", {})
        for key in (year, year + 1):
            entries = special.get(key, ())
            if entries and not isinstance(entries[0], tuple):
                entries = (entries,)
            for entry in entries:
                if len(entry) >= 4:
                    from_year = entry[4] if len(entry) == 5 else key
                    makeup = date(from_year, entry[2], entry[3])
                    day_off_of[makeup] = date(key, entry[0], entry[1])
        makeup_days = {
            day: day_off_of.get(day)
            for day in getattr(local, "weekend_workdays", ())
            if day.year == year
        }
        return days, makeup_days

    def _cs_add_public_holidays(self, year):
        """Add the public holidays and make-up working days of ``year``.

        Days the calendar already has a holiday or make-up day on are left
        alone, so a second run, or a run over holidays typed in by hand,
        adds nothing. The year is recorded as provisional unless already
        recorded, and the deadlines of open complaints that lacked it are
        counted again.

        Returns the created leaves and make-up days.
        """
        self.ensure_one()
        # only those who may record the year add its holidays, all or none
        self.env["cs.calendar.holiday.year"].check_access("create")
        days, makeup_days = self._cs_public_holidays(year)
        tz = pytz.timezone(self.tz or "UTC")
        clock = self._cs_working_days()
        leaves = self.env["resource.calendar.leaves"].create(
            [
                {
                    "name": name,
                    "calendar_id": self.id,
                    "resource_id": False,
                    "date_from": _utc(tz, datetime.combine(day, time.min)),
                    "date_to": _utc(tz, datetime.combine(day, time(23, 59, 59))),
                }
                for day, name in sorted(days.items())
                if day not in clock.holidays
            ]
        )
        makeups = self.env["cs.makeup.workday"].create(
            [
                {
                    "name": self.env._(
                        "Make-up working day for the day off on %(day)s",
                        day=day_off.isoformat(),
                    )
                    if day_off
                    else self.env._("Make-up working day"),
                    "date": day,
                    "calendar_id": self.id,
                }
                for day, day_off in sorted(makeup_days.items())
                if day not in clock.makeup_days
            ]
        )
        if year not in self.cs_holiday_year_ids.mapped("year"):
            self.env["cs.calendar.holiday.year"].create(
                {"calendar_id": self.id, "year": year}
            )
        self._cs_recount_deadlines(year)
        return leaves, makeups

    def _cs_recount_deadlines(self, year):
        """Count again the deadlines of open complaints missing ``year``."""
        Complaint = self.env["cs.complaint"].sudo()
        complaints = Complaint.search(
            [
                ("resolved_date", "=", False),
                ("holiday_missing_years", "like", str(year)),
            ]
        ).filtered(lambda complaint: complaint._deadline_calendar() == self)
        if not complaints:
            return
        fields_ = self.env.registry.field_computed[
            Complaint._fields["resolve_deadline"]
        ]
        for field in fields_:
            self.env.add_to_compute(field, complaints)
        complaints.modified([field.name for field in fields_])
        complaints.flush_recordset()

    # ------------------------------------------------------------------
    # scheduled action
    # ------------------------------------------------------------------

    @api.model
    def _cron_cs_add_next_year_holidays(self, batch_size=HOLIDAY_BATCH_SIZE):
        """Add next year's public holidays to the calendars in use.

        From the month set on the companies using a calendar (Settings), each
        calendar with a country and no record of next year gets the year's
        holidays, a provisional year record and an activity for each admin to
        check them. Calendars are claimed with SKIP LOCKED and the year record
        is unique, so a rerun or a second worker adds nothing; a failing
        calendar is logged and left for the next run while the others go on.
        """
        year = fields.Date.context_today(self).year + 1
        return self._run_batch_job(batch_size, year=year)

    @api.model
    def _batch_claim(self, limit, year):
        """Lock up to ``limit`` calendars due that still have no record of ``year``."""
        due = self._cs_holidays_due(year)
        if not due:
            return due
        query = SQL(
            """
            SELECT c.id
              FROM resource_calendar c
             WHERE c.id = ANY(%(ids)s)
               AND NOT EXISTS (SELECT 1
                                 FROM cs_calendar_holiday_year y
                                WHERE y.calendar_id = c.id AND y.year = %(year)s)
            """,
            ids=due.ids,
            year=year,
        )
        return self.browse(
            calendar_id
            for (calendar_id,) in self._batch_fetch(
                self._batch_lock_sql(query, limit, order=SQL("c.id"))
            )
        )

    @api.model
    def _batch_process(self, calendars, year):
        for calendar in calendars:
            calendar._cs_add_public_holidays(year)
            calendar.cs_holiday_year_ids.filtered(
                lambda record: record.year == year
            )._cs_schedule_check()
        return calendars

    @api.model
    def _batch_remaining(self, year):
        return len(self._cs_holidays_due(year))

    @api.model
    def _cs_holidays_due(self, year):
        """Calendars in use with a country and no record of ``year``, whose
        companies' month for next year's holidays has come."""
        month = fields.Date.context_today(self).month
        companies = self.env["res.company"].sudo().search([])
        months = {}

        def use(calendar, company):
            if calendar.cs_country_id:
                months[calendar] = min(
                    months.get(calendar, 12), int(company.cs_holiday_month or 12)
                )

        for company in companies:
            use(
                company.cs_default_calendar_id or company.resource_calendar_id,
                company,
            )
        for team in self.env["cs.team"].sudo().search([]):
            use(team._deadline_calendar(), team.company_id)
        return self.browse(
            [
                calendar.id
                for calendar, start in months.items()
                if start <= month
                and year not in calendar.sudo().cs_holiday_year_ids.mapped("year")
            ]
        )


def _utc(tz, local):
    """Naive UTC of the naive local datetime ``local`` in ``tz``."""
    return tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None)
