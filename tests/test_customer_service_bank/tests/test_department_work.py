from datetime import date, datetime
from unittest.mock import patch

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, freeze_time, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.customer_service_bank.models.cs_complaint_action_escalation import (
    CsComplaintActionEscalation,
)

from .common import CsCommon

BATCH_LOGGER = "odoo.addons.customer_service_bank.models.cs_batch_job_mixin"
# CsCommon's complaint: received Monday 2 Nov 2026 10:00 in Shanghai under
# the 15-day NFRA policy, due Tuesday 17 Nov 23:59:59 there (15:59:59 UTC).
# Three working days before: Thursday 12 Nov.
DUE = date(2026, 11, 12)
BEFORE_DUE = datetime(2026, 11, 10, 2, 0)
# 13 Nov 00:00 in Shanghai: the due day is over there, not yet in UTC
OVERDUE = datetime(2026, 11, 12, 16, 0)
NOT_YET_OVERDUE = datetime(2026, 11, 12, 15, 59)


class DepartmentCommon(CsCommon):
    """Team A belongs to Customer Service; Cards Operations is another
    department, headed by ``head_cards``, an employee outside customer
    service. ``complaint`` is handled by agent_a, with work for Cards
    Operations owned by ``cards_clerk``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # demo complaints must not take part in the escalations below
        cls.env["cs.complaint"].search([]).with_context(tracking_disable=True).write(
            {"active": False}
        )
        cls.company_a.cs_department_buffer_days = 3
        Department = cls.env["hr.department"]
        cls.dept_cs = Department.create(
            {"name": "T Customer Service", "company_id": cls.company_a.id}
        )
        cls.dept_cards = Department.create(
            {"name": "T Cards Operations", "company_id": cls.company_a.id}
        )
        cls.team_a.department_id = cls.dept_cs
        both = [Command.set([cls.company_a.id])]
        cls.head_cards = new_test_user(
            cls.env, "cs_t_head_cards", groups="base.group_user", company_ids=both
        )
        cls.dept_cards.manager_id = cls.env["hr.employee"].create(
            {"name": "Head of Cards", "user_id": cls.head_cards.id}
        )
        cls.cards_clerk = new_test_user(
            cls.env, "cs_t_cards_clerk", groups="base.group_user", company_ids=both
        )
        cls.complaint = cls.create_complaint(user_id=cls.agent_a.id)

    @classmethod
    def new_action(cls, complaint=None, **values):
        return cls.env["cs.complaint.action"].create(
            {
                "complaint_id": (complaint or cls.complaint).id,
                "name": "Check the card scheme's records",
                "user_id": cls.cards_clerk.id,
                "department_id": cls.dept_cards.id,
                **values,
            }
        )

    def answer(self, action, text="The fee was charged twice by a batch rerun."):
        action = action.with_user(self.cards_clerk)
        action.answer = text
        action.action_submit_answer()

    def notes(self, complaint, text):
        return complaint.message_ids.filtered(lambda message: text in message.body)

    def activities(self, complaint, user):
        return complaint.activity_ids.filtered(lambda act: act.user_id == user)


class TestDepartmentDueDate(DepartmentCommon):
    def _due(self, team, policy, received, buffer=3):
        self.company_a.cs_department_buffer_days = buffer
        complaint = self.create_complaint(
            team_id=team.id, sla_policy_id=policy.id, received_date=received
        )
        return complaint, self.new_action(complaint)

    def test_each_preset(self):
        """The regulatory deadline's day on the team calendar, minus the
        buffer in working days, for every shipped policy."""
        cases = [
            # NFRA 15 calendar days, China: Tue 17 Nov; Thu 12 Nov
            (
                self.team_a,
                self.policy_nfra,
                datetime(2026, 11, 2, 2, 0),
                datetime(2026, 11, 17, 15, 59, 59),
                date(2026, 11, 12),
            ),
            # NFRA across the National Day holidays: 15 days end on Sat 3 Oct,
            # moved to Thu 8 Oct; 3 working days before skip 1-7 October
            (
                self.team_a,
                self.policy_nfra,
                datetime(2026, 9, 18, 2, 0),
                datetime(2026, 10, 8, 15, 59, 59),
                date(2026, 9, 28),
            ),
            # FCA 8 weeks, England: Mon 28 Dec, a bank holiday (Boxing Day
            # substitute) after Christmas and a weekend: its last working day
            # is Thu 24 Dec; three before: Mon 21 Dec
            (
                self.team_b,
                self.policy_fca,
                datetime(2026, 11, 2, 10, 0),
                datetime(2026, 12, 28, 23, 59, 59),
                date(2026, 12, 21),
            ),
            # PSR 15 working days, England: Mon 23 Nov; Wed 18 Nov
            (
                self.team_b,
                self.policy_psr,
                datetime(2026, 11, 2, 10, 0),
                datetime(2026, 11, 23, 23, 59, 59),
                date(2026, 11, 18),
            ),
            # CFPB 60 calendar days on the China calendar: Fri 1 Jan 2027,
            # working while the calendar has no 2027 holidays; Thu 31, Wed 30,
            # Tue 29 Dec
            (
                self.team_a,
                self.policy_cfpb,
                datetime(2026, 11, 2, 2, 0),
                datetime(2027, 1, 1, 15, 59, 59),
                date(2026, 12, 29),
            ),
        ]
        for team, policy, received, deadline, due in cases:
            with self.subTest(policy=policy.name, received=received):
                complaint, action = self._due(team, policy, received)
                self.assertEqual(complaint.resolve_deadline, deadline)
                self.assertTrue(action.is_department_work)
                self.assertEqual(action.date_deadline, due)
                self.assertEqual(
                    self.activities(complaint, self.cards_clerk).date_deadline, due
                )

    def test_buffer_zero_keeps_a_working_deadline_day_and_leaves_a_weekend(self):
        # PSR, Mon 23 Nov: the day itself
        _complaint, action = self._due(
            self.team_b, self.policy_psr, datetime(2026, 11, 2, 10, 0), buffer=0
        )
        self.assertEqual(action.date_deadline, date(2026, 11, 23))
        # CFPB 60 calendar days from Sat 7 Nov, England: Wed 6 Jan 2027; from
        # Thu 5 Nov: Mon 4 Jan. From Tue 10 Nov: Sat 9 Jan, left for Fri 8 Jan
        complaint, action = self._due(
            self.team_b, self.policy_cfpb, datetime(2026, 11, 10, 10, 0), buffer=0
        )
        self.assertEqual(complaint.resolve_deadline, datetime(2027, 1, 9, 23, 59, 59))
        self.assertEqual(action.date_deadline, date(2027, 1, 8))

    def test_extension_moves_the_due_date_and_the_activity(self):
        action = self.new_action()
        self.assertEqual(action.date_deadline, DUE)
        request = self.env["cs.complaint.extension"].create(
            {
                "complaint_id": self.complaint.id,
                "step_id": self.env.ref(
                    "customer_service_bank.cs_sla_policy_cn_nfra_complex"
                ).id,
                "reason": "The card scheme needs more time.",
            }
        )
        request.with_user(self.manager).action_approve()
        # 15 more days: Wed 2 Dec, 3 working days before: Fri 27 Nov
        self.assertEqual(
            self.complaint.resolve_deadline, datetime(2026, 12, 2, 15, 59, 59)
        )
        self.assertEqual(action.date_deadline, date(2026, 11, 27))
        self.assertEqual(
            self.activities(self.complaint, self.cards_clerk).date_deadline,
            date(2026, 11, 27),
        )

    def test_policy_change_moves_the_due_date_and_the_activity(self):
        action = self.new_action()
        self.complaint.sla_policy_id = self.policy_cfpb
        # 60 calendar days: Fri 1 Jan 2027, New Year: Tue 29 Dec
        self.assertEqual(action.date_deadline, date(2026, 12, 29))
        self.assertEqual(
            self.activities(self.complaint, self.cards_clerk).date_deadline,
            date(2026, 12, 29),
        )

    def test_typed_date_gives_way_and_form_shows_the_derived_one(self):
        action = self.new_action(date_deadline=date(2027, 3, 1))
        self.assertEqual(action.date_deadline, DUE)
        with Form(self.env["cs.complaint.action"]) as form:
            form.complaint_id = self.complaint
            form.name = "Refund the second fee"
            form.user_id = self.cards_clerk
            form.department_id = self.dept_cards
            self.assertEqual(form.date_deadline, DUE)
        self.assertEqual(form.record.date_deadline, DUE)

    def test_derived_date_not_moved_by_hand(self):
        action = self.new_action()
        for user in (self.head_cards, self.cards_clerk, self.agent_a):
            with (
                self.subTest(user=user.login),
                self.assertRaisesRolledBack(UserError, "follows the complaint's"),
            ):
                action.with_user(user).date_deadline = date(2026, 11, 30)
        action.date_deadline = DUE
        # handed to the team's own department: the date is typed again
        action.department_id = self.dept_cs
        action.date_deadline = date(2026, 11, 30)
        self.assertEqual(action.date_deadline, date(2026, 11, 30))

    def test_department_change_derives_the_date_and_moves_the_activity(self):
        action = self.new_action(
            department_id=self.dept_cs.id, date_deadline=date(2026, 11, 30)
        )
        action.department_id = self.dept_cards
        self.assertEqual(action.date_deadline, DUE)
        self.assertEqual(action.review_state, "pending")
        self.assertEqual(
            self.activities(self.complaint, self.cards_clerk).date_deadline, DUE
        )

    def test_own_department_and_no_department_keep_the_typed_date(self):
        for department in (self.dept_cs, self.env["hr.department"]):
            with self.subTest(department=department.name):
                action = self.new_action(
                    department_id=department.id, date_deadline=date(2027, 3, 1)
                )
                self.assertFalse(action.is_department_work)
                self.assertFalse(action.review_state)
                self.assertEqual(action.date_deadline, date(2027, 3, 1))
                self.complaint.sla_policy_id = self.policy_cfpb
                self.assertEqual(action.date_deadline, date(2027, 3, 1))
                self.complaint.sla_policy_id = self.policy_nfra

    def test_done_action_keeps_its_date(self):
        action = self.new_action()
        self.answer(action)
        action.with_user(self.agent_a).action_accept_answer()
        self.assertTrue(action.is_done)
        self.complaint.sla_policy_id = self.policy_cfpb
        self.assertEqual(action.date_deadline, DUE)

    def test_complaint_without_deadline_needs_a_typed_date(self):
        complaint = self.create_complaint(sla_policy_id=False)
        self.assertFalse(complaint.resolve_deadline)
        action = self.new_action(complaint, date_deadline=date(2026, 12, 1))
        self.assertTrue(action.is_department_work)
        self.assertEqual(action.date_deadline, date(2026, 12, 1))

    def test_negative_buffer_refused(self):
        with self.assertRaisesRolledBack(ValidationError, "cannot be negative"):
            self.company_a.cs_department_buffer_days = -1
        Settings = self.env["res.config.settings"]
        with self.assertRaisesRolledBack(ValidationError, "cannot be negative"):
            Settings.create({"cs_department_buffer_days": -2}).execute()
        Settings.create({"cs_department_buffer_days": 5}).execute()
        self.assertEqual(self.company_a.cs_department_buffer_days, 5)


class TestDepartmentReview(DepartmentCommon):
    def test_answer_accepted_by_the_handler(self):
        action = self.new_action()
        self.assertEqual(action.review_state, "pending")
        self.assertTrue(self.activities(self.complaint, self.cards_clerk))
        self.answer(action)
        self.assertEqual(action.review_state, "to_review")
        self.assertTrue(action.answer_date)
        # the department's to-do is done, the handler's review starts
        self.assertFalse(self.activities(self.complaint, self.cards_clerk))
        review = self.activities(self.complaint, self.agent_a)
        self.assertEqual(review.summary, f"Review the answer: {action.name}")
        self.assertTrue(self.notes(self.complaint, "charged twice by a batch rerun"))
        self.assertEqual(self.complaint.answer_to_review_count, 1)
        self.assertEqual(
            self.env["cs.complaint.action"].search(
                self.complaint.action_view_answers_to_review()["domain"]
            ),
            action,
        )

        action.with_user(self.agent_a).action_accept_answer()
        self.assertEqual(action.review_state, "accepted")
        self.assertEqual(action.reviewed_by_id, self.agent_a)
        self.assertTrue(action.review_date)
        self.assertTrue(action.is_done)
        self.assertFalse(self.activities(self.complaint, self.agent_a))
        self.assertEqual(self.complaint.answer_to_review_count, 0)
        self.assertTrue(self.notes(self.complaint, "accepted by"))

    def test_answer_sent_back_with_a_reason(self):
        action = self.new_action()
        self.answer(action)
        handler_action = action.with_user(self.agent_a)
        with self.assertRaisesRolledBack(UserError, "Give the reason"):
            handler_action.action_send_back()
        handler_action.review_note = "Which batch, and when was it rerun?"
        handler_action.action_send_back()
        self.assertEqual(action.review_state, "pending")
        self.assertEqual(action.reviewed_by_id, self.agent_a)
        self.assertFalse(action.is_done)
        self.assertTrue(self.notes(self.complaint, "Which batch, and when"))
        self.assertFalse(self.activities(self.complaint, self.agent_a))
        self.assertEqual(
            self.activities(self.complaint, self.cards_clerk).date_deadline, DUE
        )
        # answered again: the old reason is in the chatter, not on the action
        self.answer(action, "The night batch of 3 Nov ran twice.")
        self.assertEqual(action.review_state, "to_review")
        self.assertFalse(action.review_note)

    def test_bad_review_steps_refused(self):
        action = self.new_action()
        clerk_action = action.with_user(self.cards_clerk)
        with self.assertRaisesRolledBack(UserError, "Write the department's answer"):
            clerk_action.action_submit_answer()
        with self.assertRaisesRolledBack(UserError, "no answer waiting for review"):
            action.with_user(self.agent_a).action_accept_answer()
        with self.assertRaisesRolledBack(UserError, "done once the handler accepts"):
            clerk_action.action_done()
        self.answer(action)
        with self.assertRaisesRolledBack(UserError, "already submitted"):
            clerk_action.action_submit_answer()
        with self.assertRaisesRolledBack(UserError, "is with the handler"):
            clerk_action.answer = "Changed my mind."
        # nobody but the handler reviews: not the department, not a colleague,
        # not the supervisor
        for user in (self.cards_clerk, self.agent_a2, self.supervisor_a):
            with (
                self.subTest(user=user.login),
                self.assertRaisesRolledBack(UserError, "Only .* reviews"),
            ):
                action.with_user(user).action_accept_answer()
        action.with_user(self.supervisor_a).review_note = "Not good enough"
        with self.assertRaisesRolledBack(UserError, "Only .* reviews"):
            action.with_user(self.supervisor_a).action_send_back()
        # own-department work is not answered
        own = self.new_action(department_id=self.dept_cs.id, date_deadline=DUE)
        with self.assertRaisesRolledBack(UserError, "not work of another department"):
            own.action_submit_answer()

    def test_review_fields_written_by_the_buttons_only(self):
        action = self.new_action()
        for user in (self.cards_clerk, self.agent_a, self.supervisor_a, self.manager):
            for field, value in [
                ("review_state", "accepted"),
                ("reviewed_by_id", user.id),
                ("escalated_date", datetime(2026, 11, 1)),
                ("escalated_to_id", user.id),
            ]:
                with (
                    self.subTest(user=user.login, field=field),
                    self.assertRaisesRolledBack(UserError, "with their buttons"),
                ):
                    action.with_user(user).write({field: value})
        with self.assertRaisesRolledBack(UserError, "with their buttons"):
            self.new_action(review_state="accepted")

    def test_reopened_department_work_awaits_a_new_answer(self):
        action = self.new_action()
        self.answer(action)
        action.with_user(self.agent_a).action_accept_answer()
        action.with_user(self.agent_a).action_reopen()
        self.assertEqual(action.review_state, "pending")
        self.assertFalse(action.is_done)
        self.assertTrue(self.activities(self.complaint, self.cards_clerk))


class TestCustomerReplyBlocked(DepartmentCommon):
    def setUp(self):
        super().setUp()
        self.complaint.message_subscribe(partner_ids=self.customer.ids)
        self.action = self.new_action()
        self.complaint.stage_id = self.stage_in_progress
        self.complaint.outcome = "upheld"

    def _reply(self, **values):
        return self.complaint.with_user(self.agent_a).message_post(
            body="Dear customer, we refund the fee.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            **values,
        )

    def test_reply_and_final_response_wait_for_the_review(self):
        # unanswered department work does not hold the customer's reply
        self._reply()
        self.answer(self.action)
        with self.assertRaisesRolledBack(UserError, "awaits review"):
            self._reply()
        with self.assertRaisesRolledBack(UserError, "awaits review"):
            self._reply(partner_ids=self.customer.ids)
        with self.assertRaisesRolledBack(UserError, "T Cards Operations"):
            self.complaint.with_user(self.agent_a).stage_id = self.stage_resolved
        self.assertFalse(self.complaint.final_response_date)
        # notes stay free: the team discusses the answer
        self.complaint.with_user(self.agent_a).message_post(
            body="Looks right to me",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self.action.with_user(self.agent_a).action_accept_answer()
        self._reply()
        self.complaint.with_user(self.agent_a).stage_id = self.stage_resolved
        self.assertTrue(self.complaint.final_response_date)

    def test_message_not_to_the_customer_passes(self):
        self.complaint.message_unsubscribe(partner_ids=self.customer.ids)
        self.answer(self.action)
        self.complaint.with_user(self.agent_a).message_post(
            body="Colleague, please look",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.agent_a2.partner_id.ids,
        )
        with self.assertRaisesRolledBack(UserError, "awaits review"):
            self._reply(partner_ids=self.customer.ids)
        # the customer writes in the portal whatever the review
        self.complaint.message_subscribe(partner_ids=self.customer.ids)
        self.complaint.with_user(self.portal).sudo().message_post(
            body="Any news?", message_type="comment", subtype_xmlid="mail.mt_comment"
        )


class TestPortalStatus(DepartmentCommon):
    def test_with_a_specialist_team_while_the_department_works(self):
        self.complaint.stage_id = self.stage_in_progress
        self.assertEqual(self.complaint.portal_status, "Being investigated")
        action = self.new_action()
        self.assertEqual(self.complaint.portal_status, "With a specialist team")
        self.assertTrue(self.complaint.portal_with_specialist)
        self.answer(action)
        self.assertEqual(self.complaint.portal_status, "Being investigated")
        self.assertFalse(self.complaint.portal_with_specialist)
        # own-department work is not a specialist team
        self.new_action(department_id=self.dept_cs.id, date_deadline=DUE)
        self.assertEqual(self.complaint.portal_status, "Being investigated")
        # waiting for the customer says so
        self.new_action()
        self.complaint.stage_id = self.stage_awaiting
        self.assertEqual(self.complaint.portal_status, "Waiting for you")

    def test_portal_reads_the_status_not_the_review(self):
        complaint = self.create_complaint(
            partner_id=self.portal.partner_id.id, user_id=self.agent_a.id
        )
        self.new_action(complaint)
        mine = complaint.with_user(self.portal)
        self.assertEqual(
            mine.read(["portal_status", "portal_with_specialist"])[0],
            {
                "id": complaint.id,
                "portal_status": "With a specialist team",
                "portal_with_specialist": True,
            },
        )
        with self.assertRaisesRegex(AccessError, "answer_to_review_count"):
            mine.read(["answer_to_review_count"])


@tagged("post_install", "-at_install")
class TestPortalPage(DepartmentCommon, HttpCase):
    def test_page_says_specialist_team_without_internal_detail(self):
        complaint = self.create_complaint(
            partner_id=self.portal.partner_id.id, user_id=self.agent_a.id
        )
        action = self.new_action(complaint, name="Ask Visa for the dispute file")
        self.authenticate(self.portal.login, self.portal.login)
        response = self.url_open(f"/my/complaints/{complaint.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("With a specialist team", response.text)
        self.assertIn("A specialist team at the bank is looking into", response.text)
        for internal in ("T Cards Operations", "Ask Visa", self.cards_clerk.name):
            self.assertNotIn(internal, response.text)
        self.answer(action)
        response = self.url_open(f"/my/complaints/{complaint.id}")
        self.assertNotIn("specialist team", response.text)


class TestDepartmentEscalation(DepartmentCommon):
    def _run(self, moment):
        Action = self.env["cs.complaint.action"]
        with freeze_time(moment):
            Action._cron_escalate_overdue()
            self.env.flush_all()

    def assertEscalatedTo(self, action, user):
        self.assertTrue(action.escalated_date)
        self.assertEqual(action.escalated_to_id, user)
        self.assertFalse(action.escalation_error)
        activity = self.activities(action.complaint_id, user)
        self.assertEqual(len(activity), 1)
        self.assertEqual(
            activity.summary, f"Overdue for T Cards Operations: {action.name}"
        )
        self.assertEqual(len(self.notes(action.complaint_id, "is overdue")), 1)

    def test_overdue_escalates_once_to_the_department_manager(self):
        action = self.new_action()
        self._run(BEFORE_DUE)
        self._run(NOT_YET_OVERDUE)
        self.assertFalse(action.escalated_date)
        self._run(OVERDUE)
        self.assertEscalatedTo(action, self.head_cards)
        self.assertEqual(action.escalated_date, OVERDUE)
        # the head of department opens the complaint from the activity
        self.assertEqual(
            self.complaint.with_user(self.head_cards).read(["subject"])[0]["subject"],
            "Annual fee charged twice",
        )
        # reruns, and a send-back leaving it overdue again, escalate nothing
        self._run(datetime(2026, 11, 13, 2, 0))
        self.answer(action)
        action.with_user(self.agent_a).review_note = "Incomplete"
        action.with_user(self.agent_a).action_send_back()
        self._run(datetime(2026, 11, 14, 2, 0))
        self.assertEscalatedTo(action, self.head_cards)

    def test_answered_done_own_and_closed_work_not_escalated(self):
        answered = self.new_action()
        self.answer(answered)
        own = self.new_action(department_id=self.dept_cs.id, date_deadline=DUE)
        archived = self.new_action(self.create_complaint(user_id=self.agent_a.id))
        archived.complaint_id.active = False
        self._run(OVERDUE)
        for action in (answered, own, archived):
            self.assertFalse(action.escalated_date)
        self.assertFalse(self.activities(self.complaint, self.head_cards))

    def test_department_without_manager_is_noted(self):
        self.dept_cards.manager_id = False
        action = self.new_action()
        self._run(OVERDUE)
        self.assertTrue(action.escalated_date)
        self.assertFalse(action.escalated_to_id)
        self.assertEqual(
            action.escalation_error, "The department has no manager with a user."
        )
        self.assertTrue(self.notes(self.complaint, "nobody notified"))

    def test_failing_action_does_not_stop_the_batch(self):
        first, failing, last = (
            self.new_action(self.create_complaint(user_id=self.agent_a.id))
            for _index in range(3)
        )
        original = CsComplaintActionEscalation._notify_overdue

        def notify_then_fail(records):
            original(records)
            if failing in records:
                raise RuntimeError("Mail server down")

        with (
            patch.object(
                CsComplaintActionEscalation, "_notify_overdue", notify_then_fail
            ),
            mute_logger(BATCH_LOGGER),
        ):
            self._run(OVERDUE)
        self.assertEscalatedTo(first, self.head_cards)
        self.assertEscalatedTo(last, self.head_cards)
        self.assertTrue(failing.escalated_date)
        self.assertEqual(failing.escalation_error, "Mail server down")
        self.assertFalse(self.activities(failing.complaint_id, self.head_cards))
        # escalated once: the failure is kept, not retried
        self._run(datetime(2026, 11, 14, 2, 0))
        self.assertFalse(self.activities(failing.complaint_id, self.head_cards))

    def test_batches_and_progress(self):
        actions = self.new_action() | self.new_action() | self.new_action()
        cron = self.env.ref(
            "customer_service_bank.ir_cron_cs_complaint_action_escalation"
        )
        cron, progress = cron._add_progress()
        model = self.env["cs.complaint.action"].with_context(**cron.env.context)
        with (
            freeze_time(OVERDUE),
            self.assertNoLogs(
                "odoo.addons.customer_service_bank.models.cs_batch_job_mixin",
                "WARNING",
            ),
        ):
            self.assertEqual(model._batch_remaining(), 3)
            for done, remaining in [(2, 1), (1, 0), (0, 0)]:
                model._cron_escalate_overdue(batch_size=2)
                self.assertEqual((progress.done, progress.remaining), (done, remaining))
        self.assertEqual(actions.escalated_to_id, self.head_cards)
        # one activity for the manager per complaint and run, naming the
        # actions: the first batch escalated two of them together
        activities = self.activities(self.complaint, self.head_cards)
        self.assertEqual(len(activities), 2)
        self.assertEqual(
            sorted(len(activity.summary.split(", ")) for activity in activities),
            [1, 2],
        )

    def test_scheduled_action_runs_through_ir_cron(self):
        action = self.new_action()
        cron = self.env.ref(
            "customer_service_bank.ir_cron_cs_complaint_action_escalation"
        )
        with freeze_time(OVERDUE):
            cron.method_direct_trigger()
        self.assertEscalatedTo(action, self.head_cards)


class TestDepartmentEscalationConcurrency(CsCommon):
    """Two workers escalating at once, on committed rows.

    No complaint is created in this test's own transaction: its reference
    sequence row would stay locked for the other transactions.
    """

    def test_rows_locked_by_another_transaction_are_skipped(self):
        ids = self._commit_overdue_actions(2)
        first, second = ids
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            for cr in (cr_a, cr_b):
                cr.execute("SET LOCAL lock_timeout = '10s'")
            worker_a = api.Environment(cr_a, SUPERUSER_ID, {})["cs.complaint.action"]
            worker_b = api.Environment(cr_b, SUPERUSER_ID, {})["cs.complaint.action"]
            cr_a.execute(
                "SELECT id FROM cs_complaint_action WHERE id = %s FOR UPDATE", [first]
            )
            claimed_b = worker_b._batch_claim(1000)
            self.assertEqual([key for key in ids if key in claimed_b.ids], [second])
            claimed_a = worker_a._batch_claim(1000)
            self.assertEqual([key for key in ids if key in claimed_a.ids], [first])
            # B's claim commits, A's is rolled back: A's next run takes its
            # own row again, never B's
            cr_b.commit()
            cr_a.rollback()
            claimed_a = worker_a._batch_claim(1000)
            self.assertEqual([key for key in ids if key in claimed_a.ids], [first])
            cr_a.rollback()

    def _commit_overdue_actions(self, count):
        """Overdue department actions committed for real, deleted after the test."""
        with self.committed_env() as env:
            partner = env["res.partner"].create({"name": "Concurrency customer"})
            department = env["hr.department"].create({"name": "Concurrency dept"})
            team = env["cs.team"].create({"name": "Concurrency test team"})
            complaint = env["cs.complaint"].create(
                {
                    "subject": "Concurrency test",
                    "partner_id": partner.id,
                    "team_id": team.id,
                    "received_date": datetime.now().replace(microsecond=0)
                    - (datetime(2026, 2, 1) - datetime(2026, 1, 1)),
                }
            )
            actions = env["cs.complaint.action"].create(
                [
                    {
                        "complaint_id": complaint.id,
                        "name": f"Concurrency action {index}",
                        "user_id": SUPERUSER_ID,
                        "department_id": department.id,
                    }
                    for index in range(count)
                ]
            )
            ids = actions.ids
            keys = (complaint.id, team.id, partner.id, department.id)
        self.addCleanup(self._delete_committed, ids, *keys)
        return ids

    def _delete_committed(self, ids, complaint_id, team_id, partner_id, dept_id):
        with self.registry.cursor() as cr:
            cr.execute("SET LOCAL lock_timeout = '10s'")
            for table, column in [
                ("mail_message", "model"),
                ("mail_followers", "res_model"),
                ("mail_activity", "res_model"),
            ]:
                cr.execute(
                    f"DELETE FROM {table} WHERE {column} = 'cs.complaint' "
                    "AND res_id = %s",
                    [complaint_id],
                )
            cr.execute("DELETE FROM cs_complaint_action WHERE id = ANY(%s)", [ids])
            cr.execute("DELETE FROM cs_complaint WHERE id = %s", [complaint_id])
            cr.execute("DELETE FROM cs_team WHERE id = %s", [team_id])
            cr.execute("DELETE FROM res_partner WHERE id = %s", [partner_id])
            cr.execute("DELETE FROM hr_department WHERE id = %s", [dept_id])


class TestDepartmentAccess(DepartmentCommon):
    """Who reads and writes the department work, by group."""

    def test_department_fields_per_group(self):
        action = self.new_action()
        fields = [
            "is_department_work",
            "answer",
            "review_state",
            "review_note",
            "reviewed_by_id",
            "escalated_date",
            "escalated_to_id",
        ]
        # the owner, the team and the department's head read it
        for user in (
            self.cards_clerk,
            self.agent_a,
            self.supervisor_a,
            self.manager,
            self.head_cards,
        ):
            with self.subTest(user=user.login):
                values = action.with_user(user).read(fields)[0]
                self.assertEqual(values["review_state"], "pending")
        # outside the team, the department and customer service: nothing
        for user in (self.employee, self.agent_b, self.supervisor_b, self.portal):
            with (
                self.subTest(user=user.login),
                self.assertRaises(AccessError),
            ):
                action.with_user(user).read(fields)
        # the owner and the head answer; the head of another department cannot
        action.with_user(self.head_cards).answer = "Draft from the head"
        action.with_user(self.cards_clerk).answer = "Final from the clerk"
        with self.assertRaises(AccessError):
            action.with_user(self.employee).answer = "Not mine"
        # the department's head neither creates nor deletes actions
        with self.assertRaises(AccessError):
            action.with_user(self.head_cards).unlink()
        with self.assertRaises(AccessError):
            self.env["cs.complaint.action"].with_user(self.head_cards).create(
                {
                    "complaint_id": self.complaint.id,
                    "name": "More",
                    "user_id": self.head_cards.id,
                    "department_id": self.dept_cards.id,
                }
            )

    def test_department_head_reads_only_complaints_with_its_work(self):
        other = self.create_complaint(subject="Loan arrears")
        Complaint = self.env["cs.complaint"].with_user(self.head_cards)
        self.assertFalse(Complaint.search([("id", "in", (self.complaint | other).ids)]))
        self.new_action()
        self.assertEqual(
            Complaint.search([("id", "in", (self.complaint | other).ids)]),
            self.complaint,
        )
        with self.assertRaises(AccessError):
            self.complaint.with_user(self.head_cards).subject = "Changed"

    def test_settings_field_for_admins_only(self):
        settings = self.env["res.config.settings"]
        self.assertTrue(settings.with_user(self.env.ref("base.user_admin")).create({}))
        for user in (self.manager, self.supervisor_a):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                settings.with_user(user).create({"cs_department_buffer_days": 1})


class TestDepartmentDemo(CsCommon):
    def test_demo_actions_derived_one_overdue_and_escalated(self):
        Action = self.env["cs.complaint.action"]
        demo = Action.search([("is_department_work", "=", True)])
        self.assertGreaterEqual(len(demo), 8)
        for action in demo.filtered(lambda action: not action.is_done):
            self.assertEqual(
                action.date_deadline,
                Action._department_due_date(action.complaint_id, action.department_id),
            )
        self.assertEqual(
            set(demo.mapped("review_state")), {"pending", "to_review", "accepted"}
        )
        chargeback = self.env.ref(
            "customer_service_bank.cs_demo_complaint_sh_card_fraud_macau_action_1"
        )
        self.assertEqual(demo.filtered("escalated_date"), chargeback)
        self.assertLess(chargeback.date_deadline, date.today())
        zhao = self.env.ref("customer_service_bank.cs_demo_user_zhao")
        self.assertEqual(chargeback.escalated_to_id, zhao)
        self.assertIn(zhao, chargeback.complaint_id.activity_ids.user_id)
        # nothing else is overdue and unanswered
        self.assertEqual(Action._batch_remaining(), 0)
