from datetime import date

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import freeze_time

from .common import CsCommon


class TestCareFestival(CsCommon):
    """Festival dates of any year from the holidays package."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.spring = cls.env.ref("customer_service_bank.cs_care_festival_cn_spring")
        cls.mid_autumn = cls.env.ref(
            "customer_service_bank.cs_care_festival_cn_mid_autumn"
        )
        cls.christmas = cls.env.ref(
            "customer_service_bank.cs_care_festival_gb_christmas"
        )
        cls.china = cls.env.ref("base.cn")

    def create_festival(self, **values):
        return self.env["cs.care.festival"].create(
            {
                "name": "Festival",
                "country_id": self.china.id,
                "holiday_key": "Mid-Autumn Festival",
                **values,
            }
        )

    def test_lunar_and_western_dates_of_two_years(self):
        festivals = self.spring | self.mid_autumn | self.christmas
        self.assertEqual(
            festivals._cs_dates([2026, 2027]),
            {
                (self.spring, 2026): date(2026, 2, 17),
                (self.spring, 2027): date(2027, 2, 6),
                (self.mid_autumn, 2026): date(2026, 9, 25),
                (self.mid_autumn, 2027): date(2027, 9, 15),
                # Saturday in 2027: the festival is the day, not the day off
                (self.christmas, 2026): date(2026, 12, 25),
                (self.christmas, 2027): date(2027, 12, 25),
            },
        )
        # several days off: the festival is the first
        self.assertEqual(self.spring._cs_date(2026), date(2026, 2, 17))

    def test_offset(self):
        eve = self.create_festival(
            name="Spring Festival greeting",
            holiday_key="Chinese New Year (Spring Festival)",
            offset_days=-1,
        )
        self.assertEqual(eve._cs_date(2026), date(2026, 2, 16))
        self.assertEqual(eve._cs_date(2027), date(2027, 2, 5))
        new_year_eve = self.create_festival(
            holiday_key="New Year's Day", offset_days=-1
        )
        self.assertEqual(new_year_eve._cs_date(2027), date(2026, 12, 31))

    def test_half_day_holiday_and_subdivision(self):
        """Every category of the package counts; subdivisions have their own."""
        women = self.create_festival(holiday_key="International Women's Day")
        self.assertEqual(women._cs_date(2026), date(2026, 3, 8))
        st_andrew = self.create_festival(
            country_id=self.env.ref("base.uk").id,
            subdivision="SCT",
            holiday_key="Saint Andrew's Day",
        )
        self.assertEqual(st_andrew._cs_date(2026), date(2026, 11, 30))

    def test_no_date_outside_the_package(self):
        self.assertIsNone(self.spring._cs_date(1900))

    def test_next_date(self):
        eve = self.create_festival(
            holiday_key="Chinese New Year (Spring Festival)", offset_days=-1
        )
        festivals = self.spring | self.christmas | eve
        with freeze_time("2026-02-16 12:00:00"):
            festivals.invalidate_recordset(["next_date", "next_year_date"])
            self.assertEqual(
                festivals.mapped("next_date"),
                [date(2026, 2, 17), date(2026, 12, 25), date(2026, 2, 16)],
            )
            self.assertEqual(
                festivals.mapped("next_year_date"),
                [date(2027, 2, 6), date(2027, 12, 25), date(2027, 2, 5)],
            )
        with freeze_time("2026-02-18 12:00:00"):
            festivals.invalidate_recordset(["next_date", "next_year_date"])
            self.assertEqual(
                festivals.mapped("next_date"),
                [date(2027, 2, 6), date(2026, 12, 25), date(2027, 2, 5)],
            )

    def test_bad_input(self):
        with self.assertRaisesRegex(
            ValidationError,
            r"no holiday named Spring Festival for China in \d{4}\. "
            r"Holidays it knows: .*Chinese New Year \(Spring Festival\)",
        ):
            self.create_festival(holiday_key="Spring Festival")
        # the package knows every country Odoo ships
        atlantis = self.env["res.country"].create({"name": "Atlantis", "code": "XA"})
        with self.assertRaisesRegex(
            ValidationError, "does not know the holidays of Atlantis"
        ):
            self.create_festival(country_id=atlantis.id)
        with self.assertRaisesRegex(
            ValidationError, "XYZ is not a subdivision of China"
        ):
            self.create_festival(subdivision="XYZ")
        # while typed in a form, a bad subdivision dates nothing
        draft = self.env["cs.care.festival"].new(
            {"country_id": self.china.id, "subdivision": "XYZ", "holiday_key": "x"}
        )
        self.assertFalse(draft.next_date)
        for offset in (-31, 31):
            with self.assertRaisesRegex(ValidationError, "at most 30 days"):
                self.create_festival(offset_days=offset)
        with self.assertRaisesRegex(ValidationError, "no holiday named"):
            self.mid_autumn.holiday_key = "Moon Festival"
        self.assertEqual(
            len(self.create_festival(offset_days=-30) | self.create_festival()), 2
        )

    def test_access(self):
        """Agents and supervisors read festivals, managers extend them."""
        for user in (self.agent_a, self.supervisor_a):
            festival = self.spring.with_user(user)
            self.assertEqual(festival.next_year_date.year, date.today().year + 1)
            with self.assertRaises(AccessError):
                festival.offset_days = -1
        festival = self.create_festival().with_user(self.manager)
        festival.offset_days = -1
        festival.create({**festival.copy_data()[0], "name": "Copy"})
        with self.assertRaises(AccessError):
            self.spring.with_user(self.employee).read(["name"])
