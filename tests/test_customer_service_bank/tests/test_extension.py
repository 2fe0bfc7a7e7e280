from datetime import datetime

from psycopg2.errors import NotNullViolation

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, freeze_time
from odoo.tools import mute_logger

from .common import CsCommon

REASON = "The card scheme needs 20 days to send the transaction records."
EXTENDED_SUBJECT = "we need more time to answer your complaint"


class TestExtension(CsCommon):
    """Requesting and deciding deadline extensions.

    The complaint is received on Tuesday 1 Sep 2026, 10:00 in Shanghai, under
    the NFRA policy: due 16 Sep, 30 days in total with the first extension
    (1 Oct, in National Day, so 8 Oct), 60 days with the second (Saturday
    31 Oct, so Monday 2 Nov).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.step_1 = cls.env.ref("customer_service_bank.cs_sla_policy_cn_nfra_complex")
        cls.step_2 = cls.env.ref(
            "customer_service_bank.cs_sla_policy_cn_nfra_especially_complex"
        )
        cls.supervisor_group = cls.env.ref("customer_service_bank.group_cs_supervisor")
        cls.manager_group = cls.env.ref("customer_service_bank.group_cs_manager")
        with freeze_time(datetime(2026, 9, 1, 3, 0)):
            cls.complaint = cls.create_complaint(
                received_date=datetime(2026, 9, 1, 2, 0)
            )

    def _request(self, step, user=None, reason=REASON, complaint=None):
        return (
            self.env["cs.complaint.extension"]
            .with_user(user or self.agent_a)
            .create(
                {
                    "complaint_id": (complaint or self.complaint).id,
                    "step_id": step.id,
                    "reason": reason,
                }
            )
        )

    def _notes(self, pattern):
        return self.env["mail.message"].search(
            [
                ("model", "=", "cs.complaint"),
                ("res_id", "=", self.complaint.id),
                ("body", "ilike", pattern),
            ]
        )

    def _extension_mails(self):
        return self.env["mail.mail"].search(
            [
                ("model", "=", "cs.complaint"),
                ("res_id", "=", self.complaint.id),
                ("subject", "=", f"{self.complaint.name}: {EXTENDED_SUBJECT}"),
            ]
        )

    # requesting

    def test_request_through_the_form(self):
        self.assertEqual(
            self.complaint.resolve_deadline, datetime(2026, 9, 16, 15, 59, 59)
        )
        self.assertEqual(self.complaint.next_extension_id, self.step_1)
        action = self.complaint.with_user(self.agent_a).action_request_extension()
        self.assertEqual(action["res_model"], "cs.complaint.extension")
        self.assertEqual(action["view_mode"], "form")
        self.assertEqual(action["target"], "new")
        self.assertEqual(
            action["context"],
            {
                "default_complaint_id": self.complaint.id,
                "default_step_id": self.step_1.id,
            },
        )
        Extension = self.env["cs.complaint.extension"].with_user(self.agent_a)
        form = Form(Extension.with_context(**action["context"]))
        self.assertEqual(form.group_id, self.supervisor_group)
        form.reason = REASON
        request = form.save()
        self.assertRecordValues(
            request,
            [
                {
                    "complaint_id": self.complaint.id,
                    "step_id": self.step_1.id,
                    "state": "requested",
                    "reason": REASON,
                    "requested_by_id": self.agent_a.id,
                    "decided_by_id": False,
                }
            ],
        )
        self.assertEqual(len(self._notes("Extension requested (Complex case")), 1)
        # a request does not move the deadline
        self.assertEqual(
            self.complaint.resolve_deadline, datetime(2026, 9, 16, 15, 59, 59)
        )
        # nothing more can be requested while this one waits
        self.assertFalse(self.complaint.next_extension_id)

    def test_reason_is_required(self):
        for reason in ("", "   ", "\n\t"):
            with self.assertRaisesRolledBack(
                UserError, "Explain why the deadline must be extended"
            ):
                self._request(self.step_1, reason=reason)
        # no reason at all is refused by the database; the RPC layer turns it
        # into "a mandatory field is not set ... Field: Reason"
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaisesRolledBack(NotNullViolation, 'column "reason"'),
        ):
            self._request(self.step_1, reason=False)
        self.assertFalse(self.complaint.extension_ids)

    def test_only_the_next_step(self):
        with self.assertRaisesRolledBack(
            UserError,
            r"Especially complex case: 60 days in total is not the next extension",
        ):
            self._request(self.step_2)
        psr_step = self.env.ref(
            "customer_service_bank.cs_sla_policy_uk_psr_holding_reply"
        )
        with self.assertRaisesRolledBack(UserError, "is not the next extension"):
            self._request(psr_step)
        self.assertFalse(self.complaint.extension_ids)

    def test_one_pending_request_at_a_time(self):
        self._request(self.step_1)
        for step in (self.step_1, self.step_2):
            with self.assertRaisesRolledBack(
                UserError, "already has an extension waiting for"
            ):
                self._request(step, user=self.agent_a2)
        # the button refuses up front instead of opening a form bound to fail
        with self.assertRaisesRegex(UserError, "already has an extension waiting for"):
            self.complaint.with_user(self.agent_a2).action_request_extension()
        self.assertEqual(len(self.complaint.extension_ids), 1)
        self.complaint.extension_ids.with_user(self.supervisor_a).action_refuse()
        # a refused step may be requested again
        self.assertEqual(self.complaint.next_extension_id, self.step_1)

    def test_no_further_step(self):
        self._request(self.step_1).with_user(self.supervisor_a).action_approve()
        self._request(self.step_2).with_user(self.manager).action_approve()
        self.assertFalse(self.complaint.next_extension_id)
        with self.assertRaisesRegex(UserError, "allows no further extension"):
            self.complaint.with_user(self.agent_a).action_request_extension()
        fca = self.create_complaint(
            team_id=self.team_b.id, sla_policy_id=self.policy_fca.id
        )
        with self.assertRaisesRegex(UserError, "allows no further extension"):
            fca.with_user(self.agent_b).action_request_extension()

    # deciding

    def test_approval_needs_the_step_group(self):
        request = self._request(self.step_1)
        with self.assertRaisesRegex(
            AccessError, "Only members of .*Supervisor can decide"
        ):
            request.with_user(self.agent_a).action_approve()
        with self.assertRaisesRegex(
            AccessError, "Only members of .*Supervisor can decide"
        ):
            request.with_user(self.agent_a).action_refuse()
        self.assertEqual(request.state, "requested")
        with freeze_time(datetime(2026, 9, 10, 8, 0)):
            request.with_user(self.supervisor_a).action_approve()
        self.assertRecordValues(
            request,
            [
                {
                    "state": "approved",
                    "decided_by_id": self.supervisor_a.id,
                    "decision_date": datetime(2026, 9, 10, 8, 0),
                }
            ],
        )
        self.assertEqual(
            self.complaint.resolve_deadline, datetime(2026, 10, 8, 15, 59, 59)
        )
        second = self._request(self.step_2)
        self.assertEqual(second.group_id, self.manager_group)
        with self.assertRaisesRegex(
            AccessError, "Only members of .*Manager can decide"
        ):
            second.with_user(self.supervisor_a).action_approve()
        second.with_user(self.manager).action_approve()
        self.assertEqual(second.state, "approved")
        self.assertEqual(
            self.complaint.resolve_deadline, datetime(2026, 11, 2, 15, 59, 59)
        )

    def test_state_cannot_be_written(self):
        request = self._request(self.step_1)
        message = "decided with the Approve and Refuse buttons"
        for values in (
            {"state": "approved"},
            {"decided_by_id": self.manager.id},
            {"reason": "Other"},
            {"step_id": self.step_2.id},
        ):
            with self.assertRaisesRegex(AccessError, message):
                request.with_user(self.manager).write(values)
        with self.assertRaisesRegex(AccessError, message):
            request.write({"state": "approved"})
        self.assertEqual(request.state, "requested")
        self.assertEqual(
            self.complaint.resolve_deadline, datetime(2026, 9, 16, 15, 59, 59)
        )

    def test_deciding_twice_is_refused(self):
        request = self._request(self.step_1).with_user(self.manager)
        request.action_approve()
        with self.assertRaisesRegex(UserError, "already decided"):
            request.action_approve()
        with self.assertRaisesRegex(UserError, "already decided"):
            request.action_refuse()
        refused = self._request(self.step_2).with_user(self.manager)
        refused.action_refuse()
        with self.assertRaisesRegex(UserError, "already decided"):
            refused.action_approve()
        self.assertEqual((request | refused).mapped("state"), ["approved", "refused"])

    def test_approval_moves_deadline_notes_and_mails_customer(self):
        request = self._request(self.step_1)
        request.with_user(self.supervisor_a).action_approve()
        self.assertEqual(
            self.complaint.resolve_deadline, datetime(2026, 10, 8, 15, 59, 59)
        )
        # 75% of the new time allowed
        self.assertEqual(
            self.complaint.resolve_warning_date, datetime(2026, 9, 29, 6, 29, 59)
        )
        note = self._notes("Extension approved (Complex case: 30 days in total)")
        self.assertEqual(len(note), 1)
        self.assertIn("New deadline: 2026-10-08 15:59:59", note.body)
        self.assertEqual(note.message_type, "notification")
        mail = self._extension_mails()
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.customer)
        # the date the customer reads is the calendar's local end of day
        self.assertIn("October 8, 2026", mail.body_html)
        self.assertIn("11:59:59", mail.body_html)

    def test_refusal_notes_and_keeps_deadline(self):
        request = self._request(self.step_1)
        request.with_user(self.supervisor_a).action_refuse()
        self.assertEqual(request.state, "refused")
        self.assertEqual(request.decided_by_id, self.supervisor_a)
        self.assertEqual(
            self.complaint.resolve_deadline, datetime(2026, 9, 16, 15, 59, 59)
        )
        self.assertEqual(
            len(self._notes("Extension refused (Complex case: 30 days in total)")), 1
        )
        self.assertFalse(self._extension_mails())
        # the refused step may be requested again
        self.assertEqual(self.complaint.next_extension_id, self.step_1)
