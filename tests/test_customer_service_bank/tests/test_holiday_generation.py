from datetime import date, datetime

import holidays
import pytz

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, new_test_user
from odoo.tools import mute_logger

from .common import CN_MAKEUP_DAYS_2026, CsCommon, days

BATCH_LOGGER = "odoo.addons.customer_service_bank.models.cs_batch_job_mixin"
ENG_2027 = [
    date(2027, 1, 1),
    date(2027, 3, 26),
    date(2027, 3, 29),
    date(2027, 5, 3),
    date(2027, 5, 31),
    date(2027, 8, 30),
    date(2027, 12, 25),
    date(2027, 12, 26),
    date(2027, 12, 27),
    date(2027, 12, 28),
]


class TestHolidayGeneration(CsCommon):
    """Public holidays of any year from the holidays package."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = new_test_user(
            cls.env,
            "cs_t_holiday_admin",
            groups="base.group_system,customer_service_bank.group_cs_manager",
        )
        Calendar = cls.env["resource.calendar"]
        cls.china = cls.env.ref("base.cn")
        cls.cn_fresh = Calendar.create(
            {
                "name": "Fresh China",
                "tz": "Asia/Shanghai",
                "company_id": False,
                "cs_country_id": cls.china.id,
            }
        )
        cls.eng_fresh = Calendar.create(
            {
                "name": "Fresh England",
                "tz": "Europe/London",
                "company_id": False,
                "cs_country_id": cls.env.ref("base.uk").id,
                "cs_subdivision": "ENG",
            }
        )
        # every country Odoo ships is known to the holidays package
        cls.atlantis = cls.env["res.country"].create({"name": "Atlantis", "code": "QZ"})
        cls.check_type = cls.env.ref(
            "customer_service_bank.mail_activity_type_cs_holiday_check"
        )

    # helpers

    def leaves(self, calendar):
        return self.env["resource.calendar.leaves"].search(
            [("calendar_id", "=", calendar.id), ("resource_id", "=", False)]
        )

    def local_days(self, leaves):
        """{local date: name} of one-day leaves."""
        result = {}
        for leave in leaves:
            tz = pytz.timezone(leave.calendar_id.tz)
            start = pytz.utc.localize(leave.date_from).astimezone(tz)
            end = pytz.utc.localize(leave.date_to).astimezone(tz)
            self.assertEqual((start.hour, start.minute), (0, 0), leave.name)
            self.assertEqual((end.hour, end.minute, end.second), (23, 59, 59))
            self.assertEqual(start.date(), end.date(), leave.name)
            result[start.date()] = leave.name
        return result

    def year_record(self, calendar, year):
        return calendar.cs_holiday_year_ids.filtered(lambda r: r.year == year)

    def flush_tracking(self):
        """Post the tracking messages, as the end of a request does."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def run_cron(self):
        return self.env["resource.calendar"]._cron_cs_add_next_year_holidays()

    def assertSameWorkingDays(self, generated, shipped, year):
        """Every day of ``year`` works on both calendars, or on neither."""
        generated, shipped = generated._cs_working_days(), shipped._cs_working_days()
        first = date(year, 1, 1)
        self.assertEqual(
            [
                day
                for day in days(first, date(year, 12, 31))
                if generated.is_working(day) != shipped.is_working(day)
            ],
            [],
        )

    # generation

    def test_cn_2026_equals_shipped_data(self):
        leaves, makeups = self.cn_fresh._cs_add_public_holidays(2026)
        self.assertTrue(leaves)
        self.assertEqual(sorted(makeups.mapped("date")), CN_MAKEUP_DAYS_2026)
        self.assertSameWorkingDays(self.cn_fresh, self.calendar_cn, 2026)
        # the first day off is worked on the weekend of 4 January
        self.assertEqual(
            makeups.filtered(lambda m: m.date == date(2026, 1, 4)).name,
            "Make-up working day for the day off on 2026-01-02",
        )

    def test_cn_2026_on_shipped_calendar_adds_nothing(self):
        before = len(self.leaves(self.calendar_cn))
        leaves, makeups = self.calendar_cn._cs_add_public_holidays(2026)
        self.assertFalse(leaves)
        self.assertFalse(makeups)
        self.assertEqual(len(self.leaves(self.calendar_cn)), before)
        self.assertEqual(self.year_record(self.calendar_cn, 2026).state, "confirmed")

    def test_cn_2027(self):
        self.assertFalse(self.year_record(self.calendar_cn, 2027))
        self.assertTrue(
            self.calendar_cn._cs_working_days().is_working(date(2027, 2, 8))
        )
        leaves, makeups = self.calendar_cn._cs_add_public_holidays(2027)
        self.assertFalse(makeups)  # not published yet: none in the package
        days = self.local_days(leaves)
        for day in (date(2027, 2, 5), date(2027, 2, 8), date(2027, 2, 10)):
            self.assertIn(day, days)
        self.assertEqual(days[date(2027, 1, 1)], "元旦 New Year's Day")
        self.assertIn("春节", days[date(2027, 2, 8)])
        self.assertIn("Spring Festival", days[date(2027, 2, 8)])
        clock = self.calendar_cn._cs_working_days()
        self.assertFalse(clock.is_working(date(2027, 2, 8)))  # Monday
        self.assertTrue(clock.is_working(date(2027, 2, 4)))  # Thursday before
        self.assertTrue(clock.is_working(date(2027, 2, 11)))  # Thursday after
        self.assertEqual(self.year_record(self.calendar_cn, 2027).state, "provisional")

    def test_eng_2027_exact_days_and_names(self):
        leaves, makeups = self.eng_fresh._cs_add_public_holidays(2027)
        self.assertFalse(makeups)
        days = self.local_days(leaves)
        self.assertEqual(sorted(days), ENG_2027)
        self.assertEqual(days[date(2027, 3, 26)], "Good Friday")
        self.assertEqual(days[date(2027, 3, 29)], "Easter Monday")
        self.assertEqual(days[date(2027, 12, 28)], "Boxing Day (observed)")
        # shipped England 2027 (typed in from gov.uk) counts the same days
        self.assertSameWorkingDays(self.eng_fresh, self.calendar_uk, 2027)

    def test_eng_2026_equals_shipped_data(self):
        self.eng_fresh._cs_add_public_holidays(2026)
        self.assertSameWorkingDays(self.eng_fresh, self.calendar_uk, 2026)

    def test_twice_changes_nothing(self):
        leaves, makeups = self.cn_fresh._cs_add_public_holidays(2026)
        before = (
            len(self.leaves(self.cn_fresh)),
            len(self.cn_fresh.cs_makeup_workday_ids),
        )
        self.assertEqual(before, (len(leaves), len(makeups)))
        again, again_makeups = self.cn_fresh._cs_add_public_holidays(2026)
        self.assertFalse(again)
        self.assertFalse(again_makeups)
        self.assertEqual(
            (len(self.leaves(self.cn_fresh)), len(self.cn_fresh.cs_makeup_workday_ids)),
            before,
        )
        self.assertEqual(len(self.cn_fresh.cs_holiday_year_ids), 1)

    def test_package_names_are_kept(self):
        leaves, _makeups = self.cn_fresh._cs_add_public_holidays(2026)
        package = holidays.country_holidays("CN", years=2026, language="zh_CN")
        days = self.local_days(leaves)
        self.assertEqual(set(days), set(package))
        for day, name in days.items():
            self.assertTrue(name.startswith(package[day]), name)

    def test_wizard_defaults_to_next_year(self):
        with freeze_time("2026-12-06 10:00:00"):
            wizard_form = Form(
                self.env["cs.calendar.holiday.wizard"]
                .with_user(self.admin)
                .with_context(default_calendar_id=self.eng_fresh.id)
            )
            self.assertEqual(wizard_form.year, 2027)
            wizard = wizard_form.save()
            action = wizard.action_add()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(sorted(self.local_days(self.leaves(self.eng_fresh))), ENG_2027)
        self.assertEqual(self.year_record(self.eng_fresh, 2027).state, "provisional")

    # provisional, then confirmed

    def test_confirm_tracks_and_closes_the_check(self):
        self.calendar_cn._cs_add_public_holidays(2027)
        record = self.year_record(self.calendar_cn, 2027)
        record._cs_schedule_check()
        self.assertIn(self.admin, record.activity_ids.user_id)
        self.assertEqual(record.activity_ids.activity_type_id, self.check_type)
        # records created in a request track their changes from the next one
        self.flush_tracking()
        record.with_user(self.admin).action_confirm()
        self.flush_tracking()
        self.assertEqual(record.state, "confirmed")
        self.assertEqual(record.confirmed_by_id, self.admin)
        self.assertTrue(record.confirmed_date)
        self.assertFalse(record.activity_ids)
        self.assertEqual(
            record.message_ids.tracking_value_ids.filtered(
                lambda t: t.field_id.name == "state"
            ).mapped("new_value_char"),
            ["Confirmed"],
        )
        done = (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search([("res_model", "=", record._name), ("res_id", "=", record.id)])
        )
        self.assertTrue(done)
        self.assertFalse(any(done.mapped("active")))

    # bad input

    def test_calendar_without_country(self):
        self.cn_fresh.cs_country_id = False
        with self.assertRaisesRegex(UserError, "Set the country"):
            self.cn_fresh._cs_add_public_holidays(2027)

    def test_country_unknown_to_the_package(self):
        self.cn_fresh.cs_country_id = self.atlantis
        with self.assertRaisesRegex(UserError, "does not know"):
            self.cn_fresh._cs_add_public_holidays(2027)

    def test_unknown_subdivision(self):
        with self.assertRaisesRolledBack(ValidationError, "ENG, NIR, SCT, WLS"):
            self.eng_fresh.cs_subdivision = "XX"
        with self.assertRaisesRolledBack(ValidationError, "country"):
            self.env["resource.calendar"].create(
                {"name": "No country", "cs_subdivision": "ENG"}
            )

    def test_year_out_of_range(self):
        for year in (1899, 2101):
            with self.assertRaisesRegex(UserError, "1950 to 2100"):
                self.cn_fresh._cs_add_public_holidays(year)
        with self.assertRaisesRolledBack(ValidationError, "between 1900 and 2100"):
            self.env["cs.calendar.holiday.year"].create(
                {"calendar_id": self.cn_fresh.id, "year": 2200}
            )

    # access

    def test_access(self):
        record = self.env.ref("customer_service_bank.cs_holiday_year_cn_2026")
        for user in (self.agent_a, self.manager):
            self.assertTrue(self.calendar_cn.with_user(user).cs_holiday_year_ids)
            self.assertEqual(record.with_user(user).state, "confirmed")
            with self.assertRaises(AccessError):
                self.env["cs.calendar.holiday.wizard"].with_user(user).create(
                    {"calendar_id": self.calendar_cn.id, "year": 2027}
                )
            with self.assertRaises(AccessError):
                record.with_user(user).action_set_provisional()
            with self.assertRaises(AccessError):
                self.calendar_cn.with_user(user)._cs_add_public_holidays(2027)
        record.with_user(self.admin).action_set_provisional()
        self.assertEqual(record.state, "provisional")
        self.calendar_cn.with_user(self.admin)._cs_add_public_holidays(2027)
        self.assertTrue(self.year_record(self.calendar_cn, 2027))

    # scheduled action

    def test_cron_waits_for_the_month(self):
        with freeze_time("2026-10-31 12:00:00"):
            self.assertFalse(self.run_cron())
        self.assertFalse(self.year_record(self.calendar_cn, 2027))
        self.company_a.cs_holiday_month = "10"
        with freeze_time("2026-10-31 12:00:00"):
            self.assertEqual(self.run_cron(), self.calendar_cn)

    def test_cron_adds_next_year_to_calendars_in_use(self):
        with freeze_time("2026-11-02 12:00:00"):
            done = self.run_cron()
        # England 2027 is shipped; the fresh calendars are not in use
        self.assertEqual(done, self.calendar_cn)
        record = self.year_record(self.calendar_cn, 2027)
        self.assertEqual(record.state, "provisional")
        self.assertFalse(self.cn_fresh.cs_holiday_year_ids)
        self.assertFalse(self.eng_fresh.cs_holiday_year_ids)
        self.assertIn(self.admin, record.activity_ids.user_id)
        self.assertEqual(record.activity_ids.activity_type_id, self.check_type)
        counts = (
            len(self.leaves(self.calendar_cn)),
            len(record.activity_ids),
            self.env["cs.calendar.holiday.year"].search_count([]),
        )
        with freeze_time("2026-11-03 12:00:00"):
            self.assertFalse(self.run_cron())
        self.assertEqual(
            (
                len(self.leaves(self.calendar_cn)),
                len(record.activity_ids),
                self.env["cs.calendar.holiday.year"].search_count([]),
            ),
            counts,
        )

    def test_cron_failing_calendar_does_not_stop_the_others(self):
        broken = self.cn_fresh.copy(
            {"name": "Broken", "cs_country_id": self.atlantis.id}
        )
        england = self.eng_fresh.copy({"name": "England, in use"})
        self.assertLess(broken.id, england.id)  # the broken one comes first
        self.team_a.resource_calendar_id = broken
        self.team_b.resource_calendar_id = england
        with freeze_time("2026-11-02 12:00:00"), mute_logger(BATCH_LOGGER):
            done = self.run_cron()
        # the company's default calendar is still China's
        self.assertEqual(done, self.calendar_cn | england)
        self.assertFalse(broken.cs_holiday_year_ids)
        self.assertEqual(sorted(self.local_days(self.leaves(england))), ENG_2027)

    # the missing-year warning

    def test_deadline_into_a_year_without_holidays(self):
        # received Thursday 17 Dec 2026, 10:00 in Shanghai: 15 days end on
        # Friday 1 January 2027, New Year's Day, which 2027 does not know yet
        with freeze_time("2026-12-17 03:00:00"):
            complaint = self.create_complaint(
                received_date=datetime(2026, 12, 17, 2, 0)
            )
        self.assertEqual(complaint.sla_policy_id, self.policy_nfra)
        self.assertEqual(complaint.holiday_missing_years, "2027")
        self.assertEqual(complaint.resolve_deadline, datetime(2027, 1, 1, 15, 59, 59))
        complaint.escalation_level = "1"
        complaint._notify_escalation()
        self.assertIn("no public holidays for 2027", complaint.message_ids[0].body)
        # England 2027 is shipped: no warning on team B
        with freeze_time("2026-12-17 03:00:00"):
            english = self.create_complaint(
                received_date=datetime(2026, 12, 17, 2, 0), team_id=self.team_b.id
            )
        self.assertFalse(english.holiday_missing_years)

        self.calendar_cn._cs_add_public_holidays(2027)
        self.assertFalse(complaint.holiday_missing_years)
        # the holiday and the weekend after it move the deadline to Monday
        self.assertEqual(complaint.resolve_deadline, datetime(2027, 1, 4, 15, 59, 59))
