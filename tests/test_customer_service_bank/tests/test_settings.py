from datetime import datetime

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form

from .common import CsCommon


class TestSettings(CsCommon):
    """The Customer Service block of the settings and its effect on complaints."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")

    def settings_form(self, user=None):
        return Form(self.env["res.config.settings"].with_user(user or self.admin))

    def save_settings(self, **values):
        """Set ``values`` in the settings form as the administrator and apply them."""
        with self.settings_form() as form:
            for name, value in values.items():
                setattr(form, name, value)
        form.record.execute()

    def test_form_shows_company_values(self):
        form = self.settings_form()
        self.assertEqual(form.cs_default_sla_policy_id, self.policy_nfra)
        self.assertEqual(form.cs_default_calendar_id, self.calendar_cn)
        self.assertEqual(form.cs_warning_threshold, 75.0)
        self.assertEqual(form.cs_repeat_window_days, 30)
        self.assertTrue(form.cs_close_requires_analysis)
        self.assertTrue(form.cs_escalation_enabled)
        self.assertEqual(form.cs_manager_escalation_hours, 24)

    def test_every_setting_is_saved_to_the_company(self):
        with self.settings_form() as form:
            form.cs_default_sla_policy_id = self.policy_fca
            form.cs_default_calendar_id = self.calendar_uk
            form.cs_warning_threshold = 60.0
            form.cs_repeat_window_days = 90
            form.cs_close_requires_analysis = False
            # the hours are only shown while escalation is on
            form.cs_manager_escalation_hours = 48
            form.cs_escalation_enabled = False
        self.assertEqual(
            form.record.execute(), {"type": "ir.actions.client", "tag": "reload"}
        )

        company = self.company_a
        self.assertEqual(company.cs_default_sla_policy_id, self.policy_fca)
        self.assertEqual(company.cs_default_calendar_id, self.calendar_uk)
        self.assertEqual(company.cs_warning_threshold, 60.0)
        self.assertEqual(company.cs_repeat_window_days, 90)
        self.assertFalse(company.cs_close_requires_analysis)
        self.assertFalse(company.cs_escalation_enabled)
        self.assertEqual(company.cs_manager_escalation_hours, 48)
        self.assertEqual(
            self.company_b.cs_warning_threshold, 75.0, "other companies keep theirs"
        )

    def test_threshold_above_100_is_refused(self):
        with self.assertRaisesRegex(
            ValidationError, r"warning threshold must be between 0 and 100%"
        ):
            self.save_settings(cs_warning_threshold=150.0)
        # drop the refused values the failed write left in the cache
        self.env.invalidate_all(flush=False)
        self.assertEqual(self.company_a.cs_warning_threshold, 75.0)

    def test_negative_threshold_is_refused(self):
        with self.assertRaisesRegex(
            ValidationError, r"warning threshold must be between 0 and 100%"
        ):
            self.save_settings(cs_warning_threshold=-5.0)

    def test_negative_repeat_window_is_refused(self):
        with self.assertRaisesRegex(
            ValidationError, r"repeat complaint window cannot be negative"
        ):
            self.save_settings(cs_repeat_window_days=-1)
        self.env.invalidate_all(flush=False)
        self.assertEqual(self.company_a.cs_repeat_window_days, 30)

    def test_negative_manager_escalation_hours_are_refused(self):
        with self.assertRaisesRegex(
            ValidationError, r"manager escalation delay cannot be negative"
        ):
            self.save_settings(cs_manager_escalation_hours=-2)

    def test_manager_cannot_open_settings(self):
        """Settings are for administrators: a CS manager gets neither menu nor form."""
        self.assertFalse(self.manager.has_group("base.group_system"))
        with self.assertRaisesRegex(AccessError, r"not allowed to (access|create)"):
            self.settings_form(self.manager)
        with self.assertRaisesRegex(AccessError, r"not allowed to create"):
            self.env["res.config.settings"].with_user(self.manager).create(
                {"cs_warning_threshold": 10.0}
            )
        settings = self.env["res.config.settings"].create({})
        with self.assertRaisesRegex(
            AccessError, r"Only administrators can change the settings"
        ):
            settings.with_user(self.manager).execute()
        self.assertEqual(self.company_a.cs_warning_threshold, 75.0)

        menu = self.env.ref("customer_service_bank.cs_settings_menu")
        visible = self.env["ir.ui.menu"].with_user(self.manager)._visible_menu_ids()
        self.assertNotIn(menu.id, visible)
        self.assertIn(self.env.ref("customer_service_bank.cs_team_menu").id, visible)
        admin_visible = self.env["ir.ui.menu"].with_user(self.admin)._visible_menu_ids()
        self.assertIn(menu.id, admin_visible)

    def test_employee_cannot_open_settings(self):
        with self.assertRaisesRegex(AccessError, r"not allowed to (access|create)"):
            self.settings_form(self.employee)

    # ------------------------------------------------------------------
    # the settings take effect
    # ------------------------------------------------------------------

    def test_threshold_moves_at_risk_date_of_new_complaints_only(self):
        """NFRA: received Mon 2 Nov 2026 02:00 UTC, due Tue 17 Nov 15:59:59 UTC."""
        before = self.create_complaint()
        self.assertEqual(before.resolve_deadline, datetime(2026, 11, 17, 15, 59, 59))
        # 75% of 15 days 13:59:59
        self.assertEqual(
            before.resolve_warning_date, datetime(2026, 11, 13, 18, 29, 59)
        )

        self.save_settings(cs_warning_threshold=50.0)

        after = self.create_complaint(partner_id=self.customer2.id)
        self.assertEqual(after.resolve_deadline, datetime(2026, 11, 17, 15, 59, 59))
        # 50% of 15 days 13:59:59
        self.assertEqual(after.resolve_warning_date, datetime(2026, 11, 9, 20, 59, 59))
        self.assertEqual(
            before.resolve_warning_date,
            datetime(2026, 11, 13, 18, 29, 59),
            "complaints already received keep their dates",
        )

    def test_policy_threshold_wins_over_the_setting(self):
        self.policy_nfra.warning_threshold = 50.0
        self.save_settings(cs_warning_threshold=90.0)
        complaint = self.create_complaint()
        self.assertEqual(
            complaint.resolve_warning_date, datetime(2026, 11, 9, 20, 59, 59)
        )

    def test_repeat_window_is_used_by_detection(self):
        first = self.create_complaint(received_date=datetime(2026, 10, 1, 2, 0))
        twenty_days_later = self.create_complaint(
            received_date=datetime(2026, 10, 21, 2, 0)
        )
        self.assertEqual(twenty_days_later.repeat_of_id, first, "within the 30 days")

        self.save_settings(cs_repeat_window_days=10)

        self.create_complaint(
            received_date=datetime(2026, 10, 10, 2, 0), category_id=self.cat_loans.id
        )
        # Loans: 10 Oct then 25 Oct is 15 days apart, beyond the new 10-day window
        late = self.create_complaint(
            received_date=datetime(2026, 10, 25, 2, 0), category_id=self.cat_loans.id
        )
        self.assertFalse(late.is_repeat)
        self.assertFalse(late.repeat_of_id)
        # Cards / Fees: 21 Oct then 28 Oct is 7 days apart, within it
        soon = self.create_complaint(received_date=datetime(2026, 10, 28, 2, 0))
        self.assertTrue(soon.is_repeat)
        self.assertEqual(soon.repeat_of_id, twenty_days_later)

    def test_close_requires_analysis_setting(self):
        complaint = self.create_complaint()
        complaint.write({"outcome": "upheld", "stage_id": self.stage_resolved.id})
        with self.assertRaisesRegex(
            UserError, r"Set the root cause of CMP/\d{4}/\d{5} before"
        ):
            complaint.stage_id = self.stage_closed

        self.save_settings(cs_close_requires_analysis=False)

        complaint.stage_id = self.stage_closed
        self.assertEqual(complaint.stage_kind, "closed")
        self.assertFalse(complaint.root_cause_id)

    def test_default_policy_applies_to_unmatched_complaints(self):
        self.save_settings(cs_default_sla_policy_id=self.policy_fca)
        complaint = self.create_complaint()
        self.assertEqual(complaint.sla_policy_id, self.policy_fca)
        # 8 weeks from Monday 2 Nov 2026: Monday 28 Dec, end of day in Shanghai
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 12, 28, 15, 59, 59))

    def test_default_calendar_applies_to_teams_without_one(self):
        self.save_settings(cs_default_calendar_id=self.calendar_uk)
        self.team_a.resource_calendar_id = False
        complaint = self.create_complaint()
        self.assertEqual(complaint.deadline_tz, "Europe/London")
        # 15 calendar days from Monday 2 Nov 2026: Tuesday 17 Nov, end of day in London
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 11, 17, 23, 59, 59))
        new_team = self.env["cs.team"].create({"name": "Team D"})
        self.assertEqual(new_team.resource_calendar_id, self.calendar_uk)
