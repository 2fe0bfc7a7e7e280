from datetime import datetime

from .common import CsCommon


class TestSlaPolicyMatch(CsCommon):
    """Which policy a complaint gets: criteria first, most specific wins."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Policy = cls.env["cs.sla.policy"]

        def policy(name, time, unit, **values):
            return Policy.create(
                {
                    "name": name,
                    "company_id": cls.company_a.id,
                    "resolve_time": time,
                    "resolve_unit": unit,
                    **values,
                }
            )

        cls.p_cards = policy("Cards", 10, "calendar_days", category_id=cls.cat_cards.id)
        cls.p_fees = policy("Card fees", 5, "working_days", category_id=cls.cat_fees.id)
        cls.p_phone = policy("Phone", 3, "working_days", channel="phone")
        cls.p_cards_phone = policy(
            "Cards by phone",
            20,
            "calendar_days",
            category_id=cls.cat_cards.id,
            channel="phone",
        )
        cls.p_urgent = policy("Urgent", 48, "hours", priority="2")
        cls.p_general = policy("General", 30, "calendar_days", sequence=1)
        cls.p_b_cards = policy(
            "Bank B cards",
            7,
            "calendar_days",
            category_id=cls.cat_cards.id,
            sequence=1,
            company_id=cls.company_b.id,
        )

    def _policy(self, **values):
        return self.create_complaint(**values).sla_policy_id

    def test_no_criteria_match_gives_company_default(self):
        self.assertEqual(self._policy(category_id=self.cat_loans.id), self.policy_nfra)
        # the general policy has no criteria: it never matches by itself
        self.assertEqual(self._policy(category_id=False), self.policy_nfra)
        # ... it applies as the company default
        self.company_a.cs_default_sla_policy_id = self.p_general
        self.assertEqual(self._policy(category_id=self.cat_loans.id), self.p_general)
        self.assertEqual(self._policy(category_id=self.cat_cards.id), self.p_cards)

    def test_category_matches_its_sub_categories(self):
        self.p_fees.active = False
        self.assertEqual(self._policy(category_id=self.cat_cards.id), self.p_cards)
        self.assertEqual(self._policy(category_id=self.cat_fees.id), self.p_cards)
        self.assertEqual(self._policy(category_id=self.cat_loans.id), self.policy_nfra)

    def test_deeper_category_wins(self):
        self.assertEqual(self._policy(category_id=self.cat_fees.id), self.p_fees)
        self.assertEqual(self._policy(category_id=self.cat_cards.id), self.p_cards)

    def test_more_criteria_win_over_deeper_category(self):
        complaint = self.create_complaint(category_id=self.cat_fees.id, channel="phone")
        self.assertEqual(complaint.sla_policy_id, self.p_cards_phone)
        complaint.priority = "2"
        self.assertEqual(complaint.sla_policy_id, self.p_cards_phone)

    def test_channel_and_priority(self):
        self.assertEqual(
            self._policy(category_id=self.cat_loans.id, channel="phone"), self.p_phone
        )
        self.assertEqual(
            self._policy(category_id=self.cat_loans.id, priority="2"), self.p_urgent
        )
        self.assertEqual(
            self._policy(category_id=self.cat_loans.id, channel="email", priority="1"),
            self.policy_nfra,
        )

    def test_category_outranks_channel_at_equal_criteria(self):
        """A category is deeper than no category: it beats a channel policy."""
        self.p_cards_phone.active = False
        self.p_phone.sequence = 1
        self.assertEqual(
            self._policy(category_id=self.cat_cards.id, channel="phone"), self.p_cards
        )

    def test_tie_goes_to_sequence_then_creation(self):
        loans_phone_urgent = {
            "category_id": self.cat_loans.id,
            "channel": "phone",
            "priority": "2",
        }
        # same specificity and sequence: the older policy
        self.assertEqual(self._policy(**loans_phone_urgent), self.p_phone)
        self.p_urgent.sequence = 5
        self.assertEqual(self._policy(**loans_phone_urgent), self.p_urgent)

    def test_team_default_beats_company_default(self):
        self.team_b.sla_policy_id = self.p_general
        self.assertEqual(
            self._policy(team_id=self.team_b.id, category_id=self.cat_loans.id),
            self.p_general,
        )
        self.assertEqual(
            self._policy(team_id=self.team_a.id, category_id=self.cat_loans.id),
            self.policy_nfra,
        )
        # a policy with matching criteria still beats the team default
        self.assertEqual(
            self._policy(team_id=self.team_b.id, category_id=self.cat_cards.id),
            self.p_cards,
        )

    def test_other_company_policies_never_match(self):
        complaint_a = self.create_complaint(category_id=self.cat_cards.id)
        complaint_b = self.create_complaint(
            company_id=self.company_b.id,
            team_id=self.team_c.id,
            partner_id=self.customer_b.id,
            category_id=self.cat_cards.id,
        )
        self.assertEqual(complaint_a.sla_policy_id, self.p_cards)
        self.assertEqual(complaint_b.sla_policy_id, self.p_b_cards)
        # 7 days on the China calendar of team C
        self.assertEqual(
            complaint_b.resolve_deadline, datetime(2026, 11, 9, 15, 59, 59)
        )
        # one call for complaints of both companies
        self.assertEqual(
            self.env["cs.sla.policy"]._match(complaint_a | complaint_b),
            {complaint_a: self.p_cards, complaint_b: self.p_b_cards},
        )
        # Bank B has no default policy: no criteria match, no deadline
        complaint_b.category_id = self.cat_loans
        self.assertFalse(complaint_b.sla_policy_id)
        self.assertFalse(complaint_b.resolve_deadline)
        self.assertFalse(complaint_b.ack_deadline)
        self.assertFalse(complaint_b.resolve_warning_date)
        self.assertEqual(complaint_b.deadline_status, "on_track")

    def test_archived_policies_do_not_match(self):
        self.p_fees.active = False
        self.p_cards.active = False
        self.assertEqual(self._policy(category_id=self.cat_fees.id), self.policy_nfra)

    def test_changing_criteria_recomputes_policy_and_deadlines(self):
        complaint = self.create_complaint(category_id=self.cat_loans.id)
        self.assertEqual(complaint.sla_policy_id, self.policy_nfra)
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 11, 17, 15, 59, 59))
        complaint.category_id = self.cat_cards
        self.assertEqual(complaint.sla_policy_id, self.p_cards)
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 11, 12, 15, 59, 59))
        complaint.category_id = self.cat_fees
        self.assertEqual(complaint.sla_policy_id, self.p_fees)
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 11, 9, 15, 59, 59))
        complaint.channel = "phone"
        self.assertEqual(complaint.sla_policy_id, self.p_cards_phone)
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 11, 22, 15, 59, 59))
        complaint.write(
            {"category_id": self.cat_loans.id, "channel": "branch", "priority": "2"}
        )
        self.assertEqual(complaint.sla_policy_id, self.p_urgent)
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 11, 4, 2, 0))
        self.assertEqual(complaint.resolve_warning_date, datetime(2026, 11, 3, 14, 0))
        complaint.priority = "0"
        self.assertEqual(complaint.sla_policy_id, self.policy_nfra)
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 11, 17, 15, 59, 59))

    def test_changing_team_recomputes_calendar(self):
        complaint = self.create_complaint(category_id=self.cat_fees.id)
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 11, 9, 15, 59, 59))
        complaint.team_id = self.team_b
        # 5 working days, ending at midnight in London
        self.assertEqual(complaint.sla_policy_id, self.p_fees)
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 11, 9, 23, 59, 59))
        self.assertEqual(complaint.deadline_tz, "Europe/London")

    def test_editing_policy_keeps_existing_deadlines(self):
        """Rules apply from their effective date: received complaints keep theirs."""
        before = self.create_complaint(category_id=self.cat_cards.id)
        self.assertEqual(before.resolve_deadline, datetime(2026, 11, 12, 15, 59, 59))
        self.p_cards.write({"resolve_time": 20, "warning_threshold": 50.0})
        self.env.flush_all()
        before.invalidate_recordset()
        self.assertEqual(before.resolve_deadline, datetime(2026, 11, 12, 15, 59, 59))
        after = self.create_complaint(category_id=self.cat_cards.id)
        self.assertEqual(after.resolve_deadline, datetime(2026, 11, 22, 15, 59, 59))
        # 50% of 20 days 13:59:59 from 2 Nov 02:00
        self.assertEqual(after.resolve_warning_date, datetime(2026, 11, 12, 8, 59, 59))
