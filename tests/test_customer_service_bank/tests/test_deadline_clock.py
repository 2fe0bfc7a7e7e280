from datetime import date, datetime

from odoo import Command
from odoo.exceptions import UserError

from .common import CN_MAKEUP_DAYS_2026, CsCommon, days

# Public holidays of the shipped calendars, as local dates (both ends included).
CN_HOLIDAYS_2026 = [
    (date(2026, 1, 1), date(2026, 1, 3)),
    (date(2026, 2, 15), date(2026, 2, 23)),
    (date(2026, 4, 4), date(2026, 4, 6)),
    (date(2026, 5, 1), date(2026, 5, 5)),
    (date(2026, 6, 19), date(2026, 6, 21)),
    (date(2026, 9, 25), date(2026, 9, 27)),
    (date(2026, 10, 1), date(2026, 10, 7)),
]
UK_HOLIDAYS_2026 = [
    date(2026, 1, 1),
    date(2026, 4, 3),
    date(2026, 4, 6),
    date(2026, 5, 4),
    date(2026, 5, 25),
    date(2026, 8, 31),
    date(2026, 12, 25),
    date(2026, 12, 28),
]


class TestDeadlineClock(CsCommon):
    """Working-day arithmetic on the shipped mainland China and England calendars."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cn = cls.calendar_cn._cs_working_days()
        cls.uk = cls.calendar_uk._cs_working_days()

    # working days

    def test_weekends_do_not_work(self):
        for clock in (self.cn, self.uk):
            self.assertTrue(clock.is_working(date(2026, 11, 6)))  # Friday
            self.assertFalse(clock.is_working(date(2026, 11, 7)))  # Saturday
            self.assertFalse(clock.is_working(date(2026, 11, 8)))  # Sunday
            self.assertTrue(clock.is_working(date(2026, 11, 9)))  # Monday

    def test_cn_public_holidays_do_not_work(self):
        self.assertEqual(sum(len(days(*holiday)) for holiday in CN_HOLIDAYS_2026), 33)
        for holiday in CN_HOLIDAYS_2026:
            for day in days(*holiday):
                self.assertFalse(self.cn.is_working(day), day)
        self.assertFalse(
            self.cn.is_working(date(2026, 2, 16))
        )  # Monday, Spring Festival
        self.assertFalse(self.cn.is_working(date(2026, 10, 5)))  # Monday, National Day

    def test_cn_days_around_holidays_work(self):
        """Holidays are stored in UTC from 16:00 the day before, which works."""
        around = [
            date(2025, 12, 31),
            date(2026, 1, 5),
            date(2026, 2, 13),
            date(2026, 2, 24),
            date(2026, 4, 3),
            date(2026, 4, 7),
            date(2026, 4, 30),
            date(2026, 5, 6),
            date(2026, 6, 18),
            date(2026, 6, 22),
            date(2026, 9, 24),
            date(2026, 9, 28),
            date(2026, 9, 30),
            date(2026, 10, 8),
        ]
        for day in around:
            self.assertTrue(self.cn.is_working(day), day)

    def test_cn_makeup_days_work(self):
        for day in CN_MAKEUP_DAYS_2026:
            self.assertIn(day.weekday(), (5, 6), day)
            self.assertTrue(self.cn.is_working(day), day)
        # the weekend after a make-up Saturday still rests
        self.assertFalse(self.cn.is_working(date(2026, 10, 11)))
        # make-up days belong to the China calendar only
        self.assertFalse(self.uk.is_working(date(2026, 10, 10)))

    def test_uk_bank_holidays_do_not_work(self):
        for day in UK_HOLIDAYS_2026:
            self.assertLess(day.weekday(), 5, day)
            self.assertFalse(self.uk.is_working(day), day)
        # China's holidays are not England's
        self.assertTrue(self.uk.is_working(date(2026, 10, 5)))
        self.assertTrue(self.cn.is_working(date(2026, 12, 28)))

    def test_uk_days_around_holidays_work(self):
        """Summer-time holidays start at 23:00 UTC the day before: that day works."""
        around = [
            date(2026, 1, 2),
            date(2026, 4, 2),
            date(2026, 4, 7),
            date(2026, 5, 5),
            date(2026, 5, 22),
            date(2026, 5, 26),
            date(2026, 8, 28),
            date(2026, 9, 1),
            date(2026, 12, 24),
            date(2026, 12, 29),
        ]
        for day in around:
            self.assertTrue(self.uk.is_working(day), day)

    def test_next_working(self):
        self.assertEqual(self.cn.next_working(date(2026, 2, 13)), date(2026, 2, 13))
        self.assertEqual(self.cn.next_working(date(2026, 2, 15)), date(2026, 2, 24))
        self.assertEqual(self.cn.next_working(date(2026, 10, 1)), date(2026, 10, 8))
        self.assertEqual(self.uk.next_working(date(2026, 4, 3)), date(2026, 4, 7))
        self.assertEqual(self.uk.next_working(date(2026, 12, 25)), date(2026, 12, 29))

    # time zones

    def test_local_date(self):
        # 16:00 UTC is midnight in Shanghai
        self.assertEqual(
            self.cn.local_date(datetime(2026, 11, 6, 15, 59, 59)), date(2026, 11, 6)
        )
        self.assertEqual(
            self.cn.local_date(datetime(2026, 11, 6, 16, 0)), date(2026, 11, 7)
        )
        # 23:00 UTC is midnight in London in summer, not in winter
        self.assertEqual(
            self.uk.local_date(datetime(2026, 7, 1, 23, 0)), date(2026, 7, 2)
        )
        self.assertEqual(
            self.uk.local_date(datetime(2026, 12, 1, 23, 0)), date(2026, 12, 1)
        )

    def test_end_of_day_is_local_midnight_in_utc(self):
        self.assertEqual(
            self.cn.end_of_day(date(2026, 11, 17)), datetime(2026, 11, 17, 15, 59, 59)
        )
        self.assertEqual(
            self.cn.end_of_day(date(2026, 7, 1)), datetime(2026, 7, 1, 15, 59, 59)
        )
        self.assertEqual(
            self.uk.end_of_day(date(2026, 12, 1)), datetime(2026, 12, 1, 23, 59, 59)
        )
        self.assertEqual(
            self.uk.end_of_day(date(2026, 7, 1)), datetime(2026, 7, 1, 22, 59, 59)
        )
        # the days the clocks change
        self.assertEqual(
            self.uk.end_of_day(date(2026, 3, 29)), datetime(2026, 3, 29, 22, 59, 59)
        )
        self.assertEqual(
            self.uk.end_of_day(date(2026, 10, 25)), datetime(2026, 10, 25, 23, 59, 59)
        )

    # add()

    def test_add_hours_ignores_calendar(self):
        start = datetime(2026, 2, 13, 10, 0)
        self.assertEqual(self.cn.add(start, 48, "hours"), datetime(2026, 2, 15, 10, 0))
        self.assertEqual(
            self.cn.add(start, 48, "hours", True), datetime(2026, 2, 15, 10, 0)
        )
        self.assertEqual(
            self.uk.add(datetime(2026, 12, 24, 9, 30), 30, "hours"),
            datetime(2026, 12, 25, 15, 30),
        )

    def test_add_calendar_days_spring_festival(self):
        received = datetime(2026, 2, 5, 2, 0)  # Thursday 10:00 in Shanghai
        # day 15 is 20 February, in the Spring Festival
        self.assertEqual(
            self.cn.add(received, 15, "calendar_days"),
            datetime(2026, 2, 20, 15, 59, 59),
        )
        self.assertEqual(
            self.cn.add(received, 15, "calendar_days", roll_forward=True),
            datetime(2026, 2, 24, 15, 59, 59),
        )

    def test_add_calendar_days_national_day(self):
        received = datetime(2026, 9, 20, 2, 0)  # make-up Sunday
        self.assertEqual(
            self.cn.add(received, 15, "calendar_days"),
            datetime(2026, 10, 5, 15, 59, 59),
        )
        self.assertEqual(
            self.cn.add(received, 15, "calendar_days", roll_forward=True),
            datetime(2026, 10, 8, 15, 59, 59),
        )
        # a deadline on a make-up Saturday does not move
        self.assertEqual(
            self.cn.add(
                datetime(2026, 9, 25, 2, 0), 15, "calendar_days", roll_forward=True
            ),
            datetime(2026, 10, 10, 15, 59, 59),
        )

    def test_add_calendar_days_counts_from_local_day(self):
        # Friday 6 Nov, 17:00 UTC is already Saturday 7 Nov in Shanghai
        self.assertEqual(
            self.cn.add(datetime(2026, 11, 6, 17, 0), 1, "calendar_days"),
            datetime(2026, 11, 8, 15, 59, 59),
        )
        self.assertEqual(
            self.uk.add(datetime(2026, 11, 6, 17, 0), 1, "calendar_days"),
            datetime(2026, 11, 7, 23, 59, 59),
        )

    def test_add_working_days_spring_festival(self):
        # 13 Feb (Fri), 14 Feb (make-up Sat), then 24, 25, 26 Feb
        self.assertEqual(
            self.cn.add(datetime(2026, 2, 12, 2, 0), 5, "working_days"),
            datetime(2026, 2, 26, 15, 59, 59),
        )
        # 17:00 UTC on 12 Feb is 13 Feb in Shanghai: the next working day is the 14th
        self.assertEqual(
            self.cn.add(datetime(2026, 2, 12, 17, 0), 1, "working_days"),
            datetime(2026, 2, 14, 15, 59, 59),
        )

    def test_add_working_days_national_day(self):
        start = datetime(2026, 9, 28, 2, 0)  # Monday
        expected = {
            3: datetime(2026, 10, 8, 15, 59, 59),
            4: datetime(2026, 10, 9, 15, 59, 59),
            5: datetime(2026, 10, 10, 15, 59, 59),  # make-up Saturday
            6: datetime(2026, 10, 12, 15, 59, 59),
        }
        for count, deadline in expected.items():
            self.assertEqual(self.cn.add(start, count, "working_days"), deadline, count)
            # working-day deadlines always end on a working day: rolling changes nothing
            self.assertEqual(
                self.cn.add(start, count, "working_days", True), deadline, count
            )

    def test_add_working_days_uk_easter(self):
        # 2 Apr, then Good Friday, the weekend and Easter Monday are skipped
        self.assertEqual(
            self.uk.add(datetime(2026, 4, 1, 9, 0), 3, "working_days"),
            datetime(2026, 4, 8, 22, 59, 59),
        )
        # 23:30 UTC on 31 March is 1 April in London (BST)
        self.assertEqual(
            self.uk.add(datetime(2026, 3, 31, 23, 30), 1, "working_days"),
            datetime(2026, 4, 2, 22, 59, 59),
        )

    def test_add_working_days_uk_christmas(self):
        self.assertEqual(
            self.uk.add(datetime(2026, 12, 23, 9, 0), 3, "working_days"),
            datetime(2026, 12, 30, 23, 59, 59),
        )
        self.assertEqual(
            self.uk.add(
                datetime(2026, 12, 10, 9, 0), 15, "calendar_days", roll_forward=True
            ),
            datetime(2026, 12, 29, 23, 59, 59),
        )

    def test_add_weeks(self):
        # across the change to summer time: midnight in London is 23:00 UTC
        self.assertEqual(
            self.uk.add(datetime(2026, 3, 2, 10, 0), 8, "weeks"),
            datetime(2026, 4, 27, 22, 59, 59),
        )
        # 8 weeks after 6 Feb is Good Friday
        received = datetime(2026, 2, 6, 10, 0)
        self.assertEqual(
            self.uk.add(received, 8, "weeks"), datetime(2026, 4, 3, 22, 59, 59)
        )
        self.assertEqual(
            self.uk.add(received, 8, "weeks", roll_forward=True),
            datetime(2026, 4, 7, 22, 59, 59),
        )

    # counting and pauses

    def test_count_working_days(self):
        # 9-13 Feb, make-up 14 Feb, 24-27 Feb, make-up 28 Feb
        self.assertEqual(
            self.cn.count_working_days(date(2026, 2, 9), date(2026, 3, 2)), 11
        )
        # 28-30 Sep, 8-9 Oct, make-up 10 Oct
        self.assertEqual(
            self.cn.count_working_days(date(2026, 9, 28), date(2026, 10, 12)), 6
        )
        # the end is excluded
        self.assertEqual(
            self.cn.count_working_days(date(2026, 9, 28), date(2026, 9, 30)), 2
        )
        self.assertEqual(
            self.uk.count_working_days(date(2026, 12, 21), date(2027, 1, 1)), 7
        )
        self.assertEqual(
            self.uk.count_working_days(date(2026, 12, 21), date(2026, 12, 21)), 0
        )
        self.assertEqual(
            self.uk.count_working_days(date(2026, 12, 22), date(2026, 12, 21)), 0
        )

    def test_paused(self):
        start, end = datetime(2026, 9, 29, 2, 0), datetime(2026, 10, 9, 2, 0)
        self.assertEqual(
            self.cn.paused(start, end, "working_days"), (3, "working_days")
        )
        self.assertEqual(
            self.cn.paused(start, end, "calendar_days"), (10, "calendar_days")
        )
        # weeks-based deadlines move by the calendar days paused
        self.assertEqual(self.cn.paused(start, end, "weeks"), (10, "calendar_days"))
        self.assertEqual(
            self.cn.paused(
                datetime(2026, 11, 2, 2, 0), datetime(2026, 11, 3, 8, 0), "hours"
            ),
            (30.0, "hours"),
        )
        # two hours across local midnight are one calendar day; on one date, none
        self.assertEqual(
            self.cn.paused(
                datetime(2026, 11, 2, 15, 0),
                datetime(2026, 11, 2, 17, 0),
                "calendar_days",
            ),
            (1, "calendar_days"),
        )
        self.assertEqual(
            self.uk.paused(
                datetime(2026, 11, 2, 15, 0),
                datetime(2026, 11, 2, 17, 0),
                "calendar_days",
            ),
            (0, "calendar_days"),
        )

    # calendar configuration

    def test_calendar_without_working_day(self):
        calendar = self.env["resource.calendar"].create(
            {
                "name": "Never Open",
                "tz": "Europe/London",
                "attendance_ids": [Command.clear()],
            }
        )
        self.assertFalse(calendar.attendance_ids)
        clock = calendar._cs_working_days()
        message = "The calendar Never Open has no working day."
        with self.assertRaisesRegex(UserError, message):
            clock.next_working(date(2026, 11, 2))
        with self.assertRaisesRegex(UserError, message):
            clock.add(datetime(2026, 11, 2, 9, 0), 3, "working_days")
        with self.assertRaisesRegex(UserError, message):
            clock.add(
                datetime(2026, 11, 2, 9, 0), 15, "calendar_days", roll_forward=True
            )
        # a deadline that needs no working day is still computed
        self.assertEqual(
            clock.add(datetime(2026, 11, 2, 9, 0), 15, "calendar_days"),
            datetime(2026, 11, 17, 23, 59, 59),
        )
        team = self.env["cs.team"].create(
            {
                "name": "Closed Team",
                "company_id": self.company_a.id,
                "resource_calendar_id": calendar.id,
            }
        )
        with self.assertRaisesRegex(UserError, message):
            self.create_complaint(team_id=team.id, sla_policy_id=self.policy_psr.id)

    def test_holiday_added_by_admin_counts(self):
        """A holiday added in the calendar form counts from the next computation."""
        complaint_before = self.create_complaint(sla_policy_id=self.policy_psr.id)
        # 15 working days after Monday 2 Nov in Shanghai
        self.assertEqual(
            complaint_before.resolve_deadline, datetime(2026, 11, 23, 15, 59, 59)
        )
        clock_before = self.calendar_cn._cs_working_days()
        admin = self.env.ref("base.user_admin")
        leave = (
            self.env["resource.calendar.leaves"]
            .with_user(admin)
            .create(
                {
                    "name": "Bank closure",
                    "calendar_id": self.calendar_cn.id,
                    "date_from": datetime(2026, 11, 10, 16, 0),
                    "date_to": datetime(2026, 11, 11, 15, 59, 59),
                }
            )
        )
        # time off created in the form belongs to the user's company
        self.assertEqual(leave.company_id, self.company_a)
        clock_after = self.calendar_cn._cs_working_days()
        self.assertTrue(clock_before.is_working(date(2026, 11, 11)))
        self.assertFalse(clock_after.is_working(date(2026, 11, 11)))
        self.assertTrue(clock_after.is_working(date(2026, 11, 10)))
        self.assertTrue(clock_after.is_working(date(2026, 11, 12)))
        complaint_after = self.create_complaint(sla_policy_id=self.policy_psr.id)
        self.assertEqual(
            complaint_after.resolve_deadline, datetime(2026, 11, 24, 15, 59, 59)
        )
        # rules apply from their effective date: the earlier complaint keeps its own
        self.assertEqual(
            complaint_before.resolve_deadline, datetime(2026, 11, 23, 15, 59, 59)
        )
        # the England calendar is not affected
        self.assertTrue(
            self.calendar_uk._cs_working_days().is_working(date(2026, 11, 11))
        )

    def test_time_off_of_one_person_is_no_holiday(self):
        resource = self.env["resource.resource"].create(
            {
                "name": "Someone",
                "calendar_id": self.calendar_cn.id,
            }
        )
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Personal leave",
                "calendar_id": self.calendar_cn.id,
                "resource_id": resource.id,
                "date_from": datetime(2026, 11, 10, 16, 0),
                "date_to": datetime(2026, 11, 11, 15, 59, 59),
            }
        )
        self.assertTrue(
            self.calendar_cn._cs_working_days().is_working(date(2026, 11, 11))
        )

    def test_makeup_day_added_by_admin_counts(self):
        self.assertFalse(
            self.calendar_uk._cs_working_days().is_working(date(2026, 11, 7))
        )
        self.env["cs.makeup.workday"].create(
            {
                "name": "Bank open Saturday",
                "calendar_id": self.calendar_uk.id,
                "date": date(2026, 11, 7),
            }
        )
        clock = self.calendar_uk._cs_working_days()
        self.assertTrue(clock.is_working(date(2026, 11, 7)))
        self.assertFalse(clock.is_working(date(2026, 11, 8)))
