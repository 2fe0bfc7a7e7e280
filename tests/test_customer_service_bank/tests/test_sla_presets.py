from datetime import datetime

from odoo.tests import freeze_time

from .common import CsCommon

# Late enough for every received date below; the addon refuses future ones.
NOW = datetime(2026, 11, 29, 6, 0)


class TestSlaPresets(CsCommon):
    """Exact deadlines of the shipped policies on the shipped calendars.

    Team A counts on the mainland China calendar (UTC+8), team B on the
    England one (UTC+0 in winter, UTC+1 in summer). Day-based deadlines end
    at 23:59:59 local time of their last day.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.step_complex = cls.env.ref(
            "customer_service_bank.cs_sla_policy_cn_nfra_complex"
        )
        cls.step_especially_complex = cls.env.ref(
            "customer_service_bank.cs_sla_policy_cn_nfra_especially_complex"
        )
        cls.step_holding_reply = cls.env.ref(
            "customer_service_bank.cs_sla_policy_uk_psr_holding_reply"
        )

    def _receive(self, received, policy, team=None, now=NOW):
        return self.create_complaint_at(
            now,
            received_date=received,
            sla_policy_id=policy.id,
            team_id=(team or self.team_a).id,
        )

    def _extend(self, complaint, step, state="approved"):
        request = self.env["cs.complaint.extension"].create(
            {
                "complaint_id": complaint.id,
                "step_id": step.id,
                "reason": "Needs the card scheme's records.",
            }
        )
        request = request.with_user(self.manager)
        if state == "approved":
            request.action_approve()
        else:
            request.action_refuse()
        return request

    def assertDeadlines(self, complaint, ack, resolve, warning=None):
        self.assertEqual(complaint.ack_deadline, ack)
        self.assertEqual(complaint.resolve_deadline, resolve)
        if warning:
            self.assertEqual(complaint.resolve_warning_date, warning)

    # CN NFRA: 15 calendar days, moved to the next working day

    def test_cn_nfra_weekday(self):
        complaint = self._receive(datetime(2026, 11, 2, 2, 0), self.policy_nfra)
        # 75% of the 15 days 13:59:59 from receipt to the deadline
        self.assertDeadlines(
            complaint,
            False,
            datetime(2026, 11, 17, 15, 59, 59),
            datetime(2026, 11, 13, 18, 29, 59),
        )

    def test_cn_nfra_friday_evening_and_saturday(self):
        # Friday 20:00 in Shanghai: day 15 is Saturday 21 Nov, moved to Monday
        friday = self._receive(datetime(2026, 11, 6, 12, 0), self.policy_nfra)
        self.assertDeadlines(friday, False, datetime(2026, 11, 23, 15, 59, 59))
        saturday = self._receive(datetime(2026, 11, 7, 2, 0), self.policy_nfra)
        self.assertDeadlines(saturday, False, datetime(2026, 11, 23, 15, 59, 59))

    def test_cn_nfra_spring_festival(self):
        # day 15 is 16 Feb, in the Spring Festival (15-23 Feb)
        complaint = self._receive(datetime(2026, 2, 1, 2, 0), self.policy_nfra)
        self.assertDeadlines(complaint, False, datetime(2026, 2, 24, 15, 59, 59))

    def test_cn_nfra_national_day(self):
        # received on a make-up Sunday; day 15 is 5 Oct, in National Day (1-7 Oct)
        complaint = self._receive(datetime(2026, 9, 20, 2, 0), self.policy_nfra)
        self.assertDeadlines(
            complaint,
            False,
            datetime(2026, 10, 8, 15, 59, 59),
            datetime(2026, 10, 4, 0, 29, 59),
        )

    def test_cn_nfra_deadline_on_makeup_saturday(self):
        complaint = self._receive(datetime(2026, 9, 25, 2, 0), self.policy_nfra)
        self.assertDeadlines(complaint, False, datetime(2026, 10, 10, 15, 59, 59))

    # UK FCA DISP: acknowledgement in 3 working days, final response in 8 weeks

    def test_uk_fca_weekday(self):
        complaint = self._receive(
            datetime(2026, 11, 2, 10, 0), self.policy_fca, self.team_b
        )
        # 8 weeks end on the Boxing Day substitute: DISP counts calendar weeks
        self.assertDeadlines(
            complaint,
            datetime(2026, 11, 5, 23, 59, 59),
            datetime(2026, 12, 28, 23, 59, 59),
            datetime(2026, 12, 14, 20, 29, 59),
        )

    def test_uk_fca_friday_evening_and_saturday(self):
        friday = self._receive(
            datetime(2026, 11, 6, 19, 0), self.policy_fca, self.team_b
        )
        self.assertDeadlines(
            friday, datetime(2026, 11, 11, 23, 59, 59), datetime(2027, 1, 1, 23, 59, 59)
        )
        saturday = self._receive(
            datetime(2026, 11, 7, 11, 0), self.policy_fca, self.team_b
        )
        self.assertDeadlines(
            saturday,
            datetime(2026, 11, 11, 23, 59, 59),
            datetime(2027, 1, 2, 23, 59, 59),
        )

    def test_uk_fca_before_easter(self):
        # Maundy Thursday 16:00 BST: Good Friday and Easter Monday are not business days
        complaint = self._receive(
            datetime(2026, 4, 2, 15, 0), self.policy_fca, self.team_b
        )
        self.assertDeadlines(
            complaint,
            datetime(2026, 4, 9, 22, 59, 59),
            datetime(2026, 5, 28, 22, 59, 59),
        )

    def test_uk_fca_counts_from_local_day(self):
        # 23:30 UTC on Thursday is 00:30 on Friday in London (BST)
        complaint = self._receive(
            datetime(2026, 7, 2, 23, 30), self.policy_fca, self.team_b
        )
        self.assertDeadlines(
            complaint,
            datetime(2026, 7, 8, 22, 59, 59),
            datetime(2026, 8, 28, 22, 59, 59),
        )

    # UK payment services: 15 business days, 35 with a holding reply

    def test_uk_psr_friday_evening(self):
        complaint = self._receive(
            datetime(2026, 11, 6, 18, 0), self.policy_psr, self.team_b
        )
        self.assertDeadlines(complaint, False, datetime(2026, 11, 27, 23, 59, 59))

    def test_uk_psr_before_easter_with_holding_reply(self):
        complaint = self._receive(
            datetime(2026, 3, 30, 9, 0), self.policy_psr, self.team_b
        )
        self.assertDeadlines(complaint, False, datetime(2026, 4, 22, 22, 59, 59))
        self._extend(complaint, self.step_holding_reply)
        # 20 more business days, skipping the Early May bank holiday
        self.assertDeadlines(complaint, False, datetime(2026, 5, 21, 22, 59, 59))

    def test_uk_psr_before_christmas(self):
        # the 2027 England bank holidays ship with the calendar
        complaint = self._receive(
            datetime(2026, 12, 18, 16, 0),
            self.policy_psr,
            self.team_b,
            now=datetime(2027, 1, 15, 9, 0),
        )
        # Christmas, the Boxing Day substitute and New Year's Day are skipped
        self.assertDeadlines(complaint, False, datetime(2027, 1, 13, 23, 59, 59))

    # US CFPB: response in 15 days, final in 60, no moving

    def test_us_cfpb(self):
        complaint = self._receive(datetime(2026, 11, 2, 2, 0), self.policy_cfpb)
        self.assertDeadlines(
            complaint,
            datetime(2026, 11, 17, 15, 59, 59),
            datetime(2027, 1, 1, 15, 59, 59),
            datetime(2026, 12, 17, 12, 29, 59),
        )
        # day 15 is a Sunday in London and stays there
        saturday = self._receive(
            datetime(2026, 11, 7, 11, 0), self.policy_cfpb, self.team_b
        )
        self.assertDeadlines(
            saturday,
            datetime(2026, 11, 22, 23, 59, 59),
            datetime(2027, 1, 6, 23, 59, 59),
        )
        national_day = self._receive(datetime(2026, 9, 20, 2, 0), self.policy_cfpb)
        self.assertDeadlines(
            national_day,
            datetime(2026, 10, 5, 15, 59, 59),
            datetime(2026, 11, 19, 15, 59, 59),
        )

    # warning threshold

    def test_policy_threshold_overrides_company(self):
        half = self.policy_nfra.copy({"warning_threshold": 50.0})
        complaint = self._receive(datetime(2026, 11, 2, 2, 0), half)
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 11, 17, 15, 59, 59))
        # 50% of 15 days 13:59:59
        self.assertEqual(
            complaint.resolve_warning_date, datetime(2026, 11, 9, 20, 59, 59)
        )

    def test_company_threshold(self):
        self.company_a.cs_warning_threshold = 60.0
        complaint = self._receive(datetime(2026, 11, 2, 2, 0), self.policy_nfra)
        self.assertEqual(
            complaint.resolve_warning_date, datetime(2026, 11, 11, 10, 23, 59)
        )

    # pauses while awaiting the customer

    def test_pause_calendar_days_then_move_to_working_day(self):
        self.policy_nfra.pause_when_awaiting = True
        complaint = self._receive(
            datetime(2026, 11, 2, 2, 0),
            self.policy_nfra,
            now=datetime(2026, 11, 2, 3, 0),
        )
        self.move_complaint_at(
            complaint, self.stage_awaiting, datetime(2026, 11, 4, 3, 0)
        )
        self.assertEqual(complaint.paused_since, datetime(2026, 11, 4, 3, 0))
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 11, 17, 15, 59, 59))
        self.move_complaint_at(
            complaint, self.stage_in_progress, datetime(2026, 11, 9, 1, 0)
        )
        self.assertFalse(complaint.paused_since)
        # 4 to 9 Nov in Shanghai: 5 days more; day 20 is a Sunday, moved to Monday
        self.assertDeadlines(
            complaint,
            False,
            datetime(2026, 11, 23, 15, 59, 59),
            datetime(2026, 11, 18, 6, 29, 59),
        )

    def test_status_while_paused_is_the_status_at_pause_start(self):
        self.policy_nfra.pause_when_awaiting = True
        complaint = self._receive(
            datetime(2026, 11, 2, 2, 0),
            self.policy_nfra,
            now=datetime(2026, 11, 2, 3, 0),
        )
        # paused after the warning date (13 Nov 18:29:59)
        self.move_complaint_at(
            complaint, self.stage_awaiting, datetime(2026, 11, 14, 2, 0)
        )
        self.assertEqual(complaint.deadline_status, "at_risk")
        with freeze_time(datetime(2026, 11, 20, 0, 0)):
            # past the deadline, but the clock stopped on 14 Nov
            complaint._refresh_deadline_status()
            self.assertEqual(complaint.deadline_status, "at_risk")
            self.assertAlmostEqual(complaint.hours_left, 85 + 3599 / 3600, places=6)
        self.move_complaint_at(
            complaint, self.stage_in_progress, datetime(2026, 11, 20, 0, 0)
        )
        # 14 to 20 Nov: 6 days more
        self.assertDeadlines(
            complaint,
            False,
            datetime(2026, 11, 23, 15, 59, 59),
            datetime(2026, 11, 18, 6, 29, 59),
        )
        self.assertEqual(complaint.deadline_status, "at_risk")
        with freeze_time(datetime(2026, 11, 20, 0, 0)):
            complaint.invalidate_recordset(["hours_left"])
            self.assertAlmostEqual(complaint.hours_left, 87 + 3599 / 3600, places=6)

    def test_pause_working_days(self):
        self.policy_psr.pause_when_awaiting = True
        complaint = self._receive(
            datetime(2026, 11, 2, 10, 0),
            self.policy_psr,
            self.team_b,
            now=datetime(2026, 11, 2, 11, 0),
        )
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 11, 23, 23, 59, 59))
        # Friday 6 to Tuesday 10 Nov: Friday and Monday are paused
        self.move_complaint_at(
            complaint, self.stage_awaiting, datetime(2026, 11, 6, 15, 0)
        )
        self.move_complaint_at(
            complaint, self.stage_in_progress, datetime(2026, 11, 10, 9, 0)
        )
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 11, 25, 23, 59, 59))

    def test_pauses_add_up_on_weeks(self):
        self.policy_fca.pause_when_awaiting = True
        complaint = self._receive(
            datetime(2026, 11, 2, 10, 0),
            self.policy_fca,
            self.team_b,
            now=datetime(2026, 11, 2, 11, 0),
        )
        self.move_complaint_at(
            complaint, self.stage_awaiting, datetime(2026, 11, 3, 10, 0)
        )
        self.move_complaint_at(
            complaint, self.stage_in_progress, datetime(2026, 11, 6, 10, 0)
        )
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 12, 31, 23, 59, 59))
        self.move_complaint_at(
            complaint, self.stage_awaiting, datetime(2026, 11, 10, 12, 0)
        )
        self.move_complaint_at(
            complaint, self.stage_in_progress, datetime(2026, 11, 12, 12, 0)
        )
        # 3 + 2 calendar days; the acknowledgement deadline does not pause
        self.assertDeadlines(
            complaint,
            datetime(2026, 11, 5, 23, 59, 59),
            datetime(2027, 1, 2, 23, 59, 59),
        )

    def test_pause_hours(self):
        policy = self.env["cs.sla.policy"].create(
            {
                "name": "48 hours",
                "company_id": self.company_a.id,
                "resolve_time": 48,
                "resolve_unit": "hours",
                "pause_when_awaiting": True,
            }
        )
        complaint = self._receive(
            datetime(2026, 11, 2, 2, 0), policy, now=datetime(2026, 11, 2, 3, 0)
        )
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 11, 4, 2, 0))
        self.move_complaint_at(
            complaint, self.stage_awaiting, datetime(2026, 11, 2, 6, 0)
        )
        self.move_complaint_at(
            complaint, self.stage_in_progress, datetime(2026, 11, 2, 9, 30)
        )
        # 3.5 hours paused; the warning is 75% of 51.5 hours
        self.assertDeadlines(
            complaint,
            False,
            datetime(2026, 11, 4, 5, 30),
            datetime(2026, 11, 3, 16, 37, 30),
        )

    def test_no_pause_without_the_option(self):
        complaint = self._receive(
            datetime(2026, 11, 2, 10, 0),
            self.policy_fca,
            self.team_b,
            now=datetime(2026, 11, 2, 11, 0),
        )
        self.move_complaint_at(
            complaint, self.stage_awaiting, datetime(2026, 11, 3, 10, 0)
        )
        self.assertFalse(complaint.paused_since)
        self.move_complaint_at(
            complaint, self.stage_in_progress, datetime(2026, 11, 6, 10, 0)
        )
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 12, 28, 23, 59, 59))

    # extensions

    def test_cn_nfra_extensions_15_30_60_days(self):
        complaint = self._receive(datetime(2026, 9, 1, 2, 0), self.policy_nfra)
        self.assertDeadlines(complaint, False, datetime(2026, 9, 16, 15, 59, 59))
        self._extend(complaint, self.step_complex)
        # day 30 is 1 Oct, in National Day: moved to 8 Oct
        self.assertDeadlines(
            complaint,
            False,
            datetime(2026, 10, 8, 15, 59, 59),
            datetime(2026, 9, 29, 6, 29, 59),
        )
        self._extend(complaint, self.step_especially_complex)
        # day 60 is Saturday 31 Oct, moved to Monday; not 30 days after 8 Oct
        self.assertDeadlines(complaint, False, datetime(2026, 11, 2, 15, 59, 59))

    def test_cn_nfra_extensions_count_from_receipt_not_from_moved_deadline(self):
        complaint = self._receive(datetime(2026, 9, 20, 2, 0), self.policy_nfra)
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 10, 8, 15, 59, 59))
        self._extend(complaint, self.step_complex)
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 10, 20, 15, 59, 59))
        self._extend(complaint, self.step_especially_complex)
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 11, 19, 15, 59, 59))

    def test_refused_extension_adds_nothing(self):
        complaint = self._receive(datetime(2026, 9, 20, 2, 0), self.policy_nfra)
        refused = self._extend(complaint, self.step_complex, state="refused")
        self.assertEqual(refused.state, "refused")
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 10, 8, 15, 59, 59))
        # the refused step may be asked for again
        self.assertEqual(complaint.next_extension_id, self.step_complex)
        self._extend(complaint, self.step_complex)
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 10, 20, 15, 59, 59))
