from datetime import date, datetime, timedelta
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import freeze_time
from odoo.tools import mute_logger

from odoo.addons.customer_service_bank.models.cs_complaint_escalation import (
    CsComplaintEscalation,
)

from .common import CsCommon

# The default complaint of CsCommon, received 2 Nov 2026 02:00 UTC under the
# 15-day NFRA policy: at risk from 13 Nov 18:29:59 (75%), breached after
# 17 Nov 15:59:59 (end of day in Shanghai), manager level 24 hours later.
ON_TRACK = datetime(2026, 11, 10, 0, 0)
AT_RISK = datetime(2026, 11, 14, 0, 0)
BREACHED = datetime(2026, 11, 18, 0, 0)
MANAGER_DUE = datetime(2026, 11, 18, 16, 0)
MANAGER_NOT_YET = datetime(2026, 11, 18, 15, 59)

MAIL_SUBJECT = "Complaints needing your attention: "
BATCH_LOGGER = "odoo.addons.customer_service_bank.models.cs_batch_job_mixin"


class TestEscalationCron(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # demo complaints must not take part in the counts below
        cls.env["cs.complaint"].search([]).with_context(tracking_disable=True).write(
            {"active": False}
        )
        cls.Complaint = cls.env["cs.complaint"]
        cls.cron = cls.env.ref("customer_service_bank.ir_cron_cs_complaint_deadlines")
        cls.escalation_type = cls.env.ref(
            "customer_service_bank.mail_activity_type_cs_escalation"
        )

    # helpers

    def _new_complaints(self, count=1, moment=ON_TRACK, **values):
        with freeze_time(moment):
            complaints = self.Complaint.create(
                [
                    {
                        "subject": f"Fee charged twice #{index}",
                        "partner_id": self.customer.id,
                        "team_id": self.team_a.id,
                        "user_id": self.agent_a.id,
                        "received_date": datetime(2026, 11, 2, 2, 0),
                        **values,
                    }
                    for index in range(count)
                ]
            )
            # statuses depend on the time: compute them while it is frozen
            self.env.flush_all()
        self.assertEqual(set(complaints.mapped("deadline_status")), {"on_track"})
        return complaints

    def _run_cron(self, moment, **kwargs):
        with freeze_time(moment):
            self.Complaint._cron_check_deadlines(**kwargs)
            self.env.flush_all()

    def _activities(self, complaint):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "cs.complaint"),
                ("res_id", "=", complaint.id),
                ("activity_type_id", "=", self.escalation_type.id),
            ],
            order="id",
        )

    def _notes(self, complaint):
        return self.env["mail.message"].search(
            [
                ("model", "=", "cs.complaint"),
                ("res_id", "=", complaint.id),
                ("message_type", "=", "notification"),
                ("body", "like", "escalat"),
            ],
            order="id",
        )

    def _mails(self, complaint):
        """Escalation digests listing ``complaint``."""
        return self.env["mail.mail"].search(
            [
                ("subject", "like", MAIL_SUBJECT),
                ("body_html", "like", f">{complaint.name}<"),
            ],
            order="id",
        )

    def assertEscalated(
        self, complaint, level, user, status, count=1, due=date(2026, 11, 17)
    ):
        """Escalated ``count`` times, now at ``level``, lastly to ``user``."""
        self.assertEqual(complaint.escalation_level, level)
        self.assertEqual(complaint.escalation_user_id, user)
        self.assertFalse(complaint.escalation_error)
        activities = self._activities(complaint)
        self.assertEqual(len(activities), count)
        self.assertEqual(activities[-1].user_id, user)
        self.assertEqual(activities[-1].date_deadline, due)
        self.assertEqual(activities[-1].summary, f"{complaint.name}: deadline {status}")
        notes = self._notes(complaint)
        self.assertEqual(len(notes), count)
        level_label = {"1": "Handler", "2": "Supervisor", "3": "Manager"}[level]
        self.assertIn(
            f"Deadline {status}: escalated to {level_label} ({user.name}).",
            notes[-1].body,
        )
        mails = self._mails(complaint)
        self.assertEqual(len(mails), count)
        self.assertEqual(mails[-1].recipient_ids, user.partner_id)
        self.assertTrue(mails[-1].subject.startswith(MAIL_SUBJECT))
        self.assertIn(f"Hello {user.name}", mails[-1].body_html)
        self.assertIn(f"<span>{status}</span>", mails[-1].body_html)

    # status refresh

    def test_status_refresh_is_set_based(self):
        complaint, resolved = self._new_complaints(2)
        with freeze_time(ON_TRACK):
            resolved.write({"outcome": "upheld", "stage_id": self.stage_resolved.id})
            self.env.flush_all()
        self.assertEqual(resolved.deadline_status, "met")
        for moment, status in [
            (ON_TRACK, "on_track"),
            (datetime(2026, 11, 13, 18, 29, 58), "on_track"),
            (datetime(2026, 11, 13, 18, 29, 59), "at_risk"),
            (datetime(2026, 11, 17, 15, 59, 59), "at_risk"),
            (datetime(2026, 11, 17, 16, 0, 0), "breached"),
        ]:
            with freeze_time(moment):
                self.Complaint._refresh_deadline_status()
            self.assertEqual(complaint.deadline_status, status, moment)
            self.assertEqual(resolved.deadline_status, "met", moment)

    # escalation levels

    def test_levels_rise_handler_supervisor_manager(self):
        complaint = self._new_complaints()
        self._run_cron(ON_TRACK)
        self.assertEqual(complaint.escalation_level, "0")
        self.assertFalse(complaint.escalation_user_id)
        self.assertFalse(self._activities(complaint))

        self._run_cron(AT_RISK)
        self.assertEqual(complaint.deadline_status, "at_risk")
        self.assertEscalated(complaint, "1", self.agent_a, "At Risk")
        self.assertIn("were escalated to you", self._mails(complaint).body_html)

        self._run_cron(BREACHED)
        self.assertEqual(complaint.deadline_status, "breached")
        self.assertEscalated(complaint, "2", self.supervisor_a, "Breached", count=2)

        self._run_cron(MANAGER_NOT_YET)
        self.assertEqual(complaint.escalation_level, "2")

        self._run_cron(MANAGER_DUE)
        self.assertEscalated(complaint, "3", self.manager, "Breached", count=3)

        self._run_cron(MANAGER_DUE + timedelta(days=5))
        self.assertEscalated(complaint, "3", self.manager, "Breached", count=3)

    def test_on_track_to_breached_escalates_once_to_due_level(self):
        supervised, managed = self._new_complaints(2)
        with freeze_time(BREACHED):
            self.Complaint._refresh_deadline_status()
            self.assertEqual(self.Complaint._batch_remaining(), 2)
        self._run_cron(BREACHED)
        self.assertEscalated(supervised, "2", self.supervisor_a, "Breached")
        self.assertEscalated(managed, "2", self.supervisor_a, "Breached")

        other = self._new_complaints()
        self._run_cron(MANAGER_DUE)
        self.assertEscalated(other, "3", self.manager, "Breached")
        # the complaints already at level 2 only take the one step up
        self.assertEscalated(supervised, "3", self.manager, "Breached", count=2)

    def test_missed_acknowledgement_escalates_from_ack_deadline(self):
        # FCA: acknowledge within 3 working days, i.e. by Thu 5 Nov 15:59:59 UTC
        complaint = self._new_complaints(
            moment=datetime(2026, 11, 3, 0, 0), sla_policy_id=self.policy_fca.id
        )
        self.assertEqual(complaint.ack_deadline, datetime(2026, 11, 5, 15, 59, 59))
        self._run_cron(datetime(2026, 11, 5, 15, 59, 59))
        self.assertEqual(complaint.escalation_level, "0")
        self._run_cron(datetime(2026, 11, 5, 16, 0))
        # 8 weeks for the final response: 28 Dec
        due = date(2026, 12, 28)
        self.assertEscalated(complaint, "2", self.supervisor_a, "Breached", due=due)
        self._run_cron(datetime(2026, 11, 6, 15, 59))
        self.assertEqual(complaint.escalation_level, "2")
        self._run_cron(datetime(2026, 11, 6, 16, 0))
        self.assertEscalated(complaint, "3", self.manager, "Breached", count=2, due=due)

    def test_missing_handler_goes_to_supervisor(self):
        complaint = self._new_complaints(user_id=False)
        self._run_cron(AT_RISK)
        self.assertEscalated(complaint, "1", self.supervisor_a, "At Risk")

    def test_missing_manager_falls_back_to_supervisor(self):
        self.team_a.manager_id = False
        complaint = self._new_complaints()
        self._run_cron(MANAGER_DUE)
        self.assertEscalated(complaint, "3", self.supervisor_a, "Breached")

    def test_missing_supervisor_and_handler_goes_to_manager(self):
        self.team_a.supervisor_id = False
        complaint = self._new_complaints(user_id=False)
        self._run_cron(BREACHED)
        self.assertEscalated(complaint, "2", self.manager, "Breached")

    def test_escalation_disabled_records_levels_without_notifying(self):
        self.company_a.cs_escalation_enabled = False
        complaint = self._new_complaints()
        self._run_cron(AT_RISK)
        self.assertEqual(complaint.escalation_level, "1")
        self.assertEqual(complaint.escalation_user_id, self.agent_a)
        self._run_cron(BREACHED)
        self.assertEqual(complaint.escalation_level, "2")
        self.assertEqual(complaint.escalation_user_id, self.supervisor_a)
        notes = self._notes(complaint)
        self.assertEqual(len(notes), 2)
        self.assertEqual(
            notes[0].body,
            "<p>Deadline At Risk: escalation level Handler, nobody notified.</p>",
        )
        self.assertEqual(
            notes[1].body,
            "<p>Deadline Breached: escalation level Supervisor, nobody notified.</p>",
        )
        self.assertFalse(self._activities(complaint))
        self.assertFalse(self._mails(complaint))

    def test_rerun_is_idempotent(self):
        complaint = self._new_complaints()
        self._run_cron(AT_RISK)
        self._run_cron(AT_RISK)
        self._run_cron(AT_RISK + timedelta(hours=12))
        self.assertEscalated(complaint, "1", self.agent_a, "At Risk")

    def test_never_the_same_level_twice(self):
        """A reopened complaint does not escalate again to a level it reached."""
        complaint = self._new_complaints()
        self._run_cron(BREACHED)
        self.assertEscalated(complaint, "2", self.supervisor_a, "Breached")
        with freeze_time(BREACHED + timedelta(hours=1)):
            complaint.write({"outcome": "rejected", "stage_id": self.stage_resolved.id})
            complaint.stage_id = self.stage_in_progress
            self.env.flush_all()
        self.assertEqual(complaint.reopen_count, 1)
        self._run_cron(BREACHED + timedelta(hours=2))
        self.assertEqual(complaint.deadline_status, "breached")
        self.assertEscalated(complaint, "2", self.supervisor_a, "Breached")

    def test_resolved_and_archived_complaints_are_not_escalated(self):
        resolved, archived, open_one = self._new_complaints(3)
        with freeze_time(ON_TRACK):
            resolved.write({"outcome": "upheld", "stage_id": self.stage_resolved.id})
            archived.action_archive()
            self.env.flush_all()
        self._run_cron(MANAGER_DUE)
        self.assertEqual(open_one.escalation_level, "3")
        for complaint in resolved | archived:
            self.assertEqual(complaint.escalation_level, "0")
            self.assertFalse(complaint.escalation_user_id)
            self.assertFalse(self._activities(complaint))
            self.assertFalse(self._notes(complaint))
            self.assertFalse(self._mails(complaint))
        self.assertEqual(resolved.deadline_status, "met")

    # failures, batches and concurrency

    def test_failing_complaint_does_not_stop_the_batch(self):
        first, failing, last = self._new_complaints(3)
        original = CsComplaintEscalation._notify_escalation

        def notify_then_fail(records):
            """Do the whole work, then fail for one complaint: nothing may stay."""
            original(records)
            if failing in records:
                raise RuntimeError("SMTP relay refused the escalation")

        with (
            patch.object(CsComplaintEscalation, "_notify_escalation", notify_then_fail),
            mute_logger(BATCH_LOGGER),
        ):
            self._run_cron(AT_RISK)
        self.assertEscalated(first, "1", self.agent_a, "At Risk")
        self.assertEscalated(last, "1", self.agent_a, "At Risk")
        self.assertEqual(failing.escalation_level, "1")
        self.assertEqual(failing.escalation_error, "SMTP relay refused the escalation")
        self.assertFalse(failing.escalation_user_id)
        self.assertFalse(self._activities(failing))
        self.assertFalse(self._notes(failing))
        self.assertFalse(self._mails(failing))

        # the next successful escalation clears the error
        self._run_cron(BREACHED)
        self.assertEscalated(failing, "2", self.supervisor_a, "Breached")

    def test_batches_report_progress_to_ir_cron(self):
        complaints = self._new_complaints(5)
        cron, progress = self.cron._add_progress()
        model = self.Complaint.with_context(**cron.env.context)
        with freeze_time(AT_RISK):
            self.assertEqual(model._batch_remaining(), 0)
            model._refresh_deadline_status()
            self.assertEqual(model._batch_remaining(), 5)
            for done, remaining in [(2, 3), (2, 1), (1, 0), (0, 0)]:
                model._cron_check_deadlines(batch_size=2)
                self.assertEqual(model._batch_remaining(), remaining)
                self.assertEqual((progress.done, progress.remaining), (done, remaining))
        self.assertEqual(set(complaints.mapped("escalation_level")), {"1"})
        self.assertEqual(len(self._activities(complaints[0])), 1)
        self.assertEqual(len(self._activities(complaints[4])), 1)

    def test_scheduled_action_runs_through_ir_cron(self):
        complaints = self._new_complaints(3)
        with freeze_time(BREACHED):
            self.cron.method_direct_trigger()
        progress = self.env["ir.cron.progress"].search(
            [("cron_id", "=", self.cron.id)], order="id desc", limit=1
        )
        self.assertEqual((progress.done, progress.remaining), (3, 0))
        self.assertEqual(self.cron.lastcall, BREACHED)
        for complaint in complaints:
            self.assertEscalated(complaint, "2", self.supervisor_a, "Breached")

    def test_second_claim_in_same_transaction_gets_nothing(self):
        complaints = self._new_complaints(3)
        with freeze_time(BREACHED):
            self.Complaint._refresh_deadline_status()
            self.assertEqual(self.Complaint._batch_claim(10), complaints)
            self.assertEqual(set(complaints.mapped("escalation_level")), {"2"})
            self.assertFalse(self.Complaint._batch_claim(10))
        with freeze_time(MANAGER_DUE):
            self.Complaint._refresh_deadline_status()
            self.assertEqual(self.Complaint._batch_claim(10), complaints)
            self.assertFalse(self.Complaint._batch_claim(10))
        self.assertEqual(set(complaints.mapped("escalation_level")), {"3"})

    # concurrency across transactions

    def _commit_breached_complaints(self, count):
        """Breached complaints committed for real, deleted after the test.

        Another transaction only sees committed rows, so these cannot come
        from the test's own (never committed) transaction.
        """
        with self.committed_env() as env:
            partner = env["res.partner"].create({"name": "Concurrency test customer"})
            team = env["cs.team"].create({"name": "Concurrency test team"})
            complaints = env["cs.complaint"].create(
                [
                    {
                        "subject": f"Concurrency test #{index}",
                        "partner_id": partner.id,
                        "team_id": team.id,
                        "received_date": fields.Datetime.now() - timedelta(days=40),
                    }
                    for index in range(count)
                ]
            )
            self.assertEqual(set(complaints.mapped("deadline_status")), {"breached"})
            ids, team_id, partner_id = complaints.ids, team.id, partner.id
        self.addCleanup(self._delete_committed, ids, team_id, partner_id)
        return ids

    def _delete_committed(self, ids, team_id, partner_id):
        with self.registry.cursor() as cr:
            cr.execute("SET LOCAL lock_timeout = '10s'")
            for model, res_ids in [("cs.complaint", ids), ("cs.team", [team_id])]:
                for table, column in [
                    ("mail_message", "model"),
                    ("mail_followers", "res_model"),
                    ("mail_activity", "res_model"),
                ]:
                    cr.execute(
                        f"DELETE FROM {table} WHERE {column} = %s AND res_id = ANY(%s)",
                        [model, res_ids],
                    )
            cr.execute("DELETE FROM cs_complaint WHERE id = ANY(%s)", [ids])
            cr.execute("DELETE FROM cs_team WHERE id = %s", [team_id])
            cr.execute("DELETE FROM res_partner WHERE id = %s", [partner_id])

    def test_rows_locked_by_another_transaction_are_skipped(self):
        first, second, third = ids = self._commit_breached_complaints(3)
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            for cr in (cr_a, cr_b):
                cr.execute("SET LOCAL lock_timeout = '10s'")
            worker_a = api.Environment(cr_a, SUPERUSER_ID, {})["cs.complaint"]
            worker_b = api.Environment(cr_b, SUPERUSER_ID, {})["cs.complaint"]
            # worker A holds the first complaint, e.g. while it escalates it
            cr_a.execute(
                "SELECT id FROM cs_complaint WHERE id = %s FOR UPDATE", [first]
            )
            claimed_b = worker_b._batch_claim(1000)
            self.assertEqual(
                [key for key in ids if key in claimed_b.ids], [second, third]
            )
            self.assertEqual(
                claimed_b.browse(ids[1:]).mapped("escalation_level"), ["3"] * 2
            )
            claimed_a = worker_a._batch_claim(1000)
            self.assertEqual([key for key in ids if key in claimed_a.ids], [first])
            self.assertEqual(claimed_a.browse(first).escalation_level, "3")
            # once A gives up its claim, B can take the row
            cr_a.rollback()
            claimed_b = worker_b._batch_claim(1000)
            self.assertEqual([key for key in ids if key in claimed_b.ids], [first])
            cr_b.rollback()
