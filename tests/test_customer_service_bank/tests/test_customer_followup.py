from datetime import date, datetime, time
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, freeze_time
from odoo.tools import mute_logger

from odoo.addons.customer_service_bank.models.cs_followup import CsFollowup

from .common import CsCommon

LOGGER = "odoo.addons.customer_service_bank.models.cs_followup"
BATCH_LOGGER = "odoo.addons.customer_service_bank.models.cs_batch_job_mixin"
TODAY = date(2026, 3, 2)
# complaints are created on 2 Nov 2026 and resolved on 10 Nov, noon in Shanghai
CREATED = datetime(2026, 11, 2, 3, 0)
RESOLVED = datetime(2026, 11, 10, 4, 0)


class FollowupCommon(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Followup = cls.env["cs.followup"]
        cls.Partner = cls.env["res.partner"]
        # key customers of the demo data must not take part in the counts
        cls.Metrics = cls.env["cs.customer.metrics"].sudo()
        cls.Metrics.search([("is_key", "=", True)]).write({"is_key": False})
        cls.followup_type = cls.env.ref(
            "customer_service_bank.mail_activity_type_cs_followup"
        )
        Segment = cls.env["cs.segment"]
        cls.gold = Segment.create(
            {
                "name": "Test Gold",
                "kind": "tier",
                "sequence": 1,
                "followup_cadence_days": 30,
                "followup_user_id": cls.supervisor_a.id,
            }
        )
        cls.silver = Segment.create(
            {"name": "Test Silver", "kind": "tier", "followup_cadence_days": 90}
        )
        cls.basic = Segment.create(
            {
                "name": "Test Basic",
                "kind": "tier",
                "followup_cadence_days": 0,
                "followup_user_id": cls.supervisor_a.id,
            }
        )

    @classmethod
    def _customer(cls, name, tier=None, key=True, manager=None, **values):
        """A customer with the metrics the recomputation would have written."""
        partner = cls.Partner.create(
            {
                "name": name,
                "cs_relationship_manager_id": manager.id if manager else False,
                **values,
            }
        )
        cls.Metrics.create(
            {
                "partner_id": partner.id,
                "is_key": key,
                "computed_segment_id": tier.id if tier else False,
            }
        )
        return partner

    def _followups(self, partners):
        return self.Followup.with_context(active_test=False).search(
            [("partner_id", "in", partners.ids)], order="id"
        )

    def _activities(self, followup, active=True):
        return (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search(
                [
                    ("res_model", "=", "cs.followup"),
                    ("res_id", "=", followup.id),
                    ("activity_type_id", "=", self.followup_type.id),
                    ("active", "=", active),
                ]
            )
        )

    def _complaint(self, **values):
        with freeze_time(CREATED):
            return self.create_complaint(**values)

    def _plan(self, day=TODAY, **kwargs):
        # at noon, the same day in every time zone the test may run in
        with freeze_time(datetime.combine(day, time(12))):
            planned = self.Followup._cron_plan_followups(**kwargs)
            self.env.flush_all()
        return planned


class TestFollowupPlanning(FollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.managed = cls._customer("Managed Key", cls.gold, manager=cls.agent_a)
        cls.unmanaged = cls._customer("Unmanaged Key", cls.gold)

    def test_cron_plans_due_key_customers_only(self):
        not_key = self._customer("Gold, Not Key", self.gold, key=False)
        no_cadence = self._customer("Basic Key", self.basic, manager=self.agent_a)
        no_tier = self._customer("Key Without Tier", manager=self.agent_a)
        planned = self._plan()
        self.assertEqual(planned.partner_id, self.managed | self.unmanaged)
        everyone = self.managed | self.unmanaged | not_key | no_cadence | no_tier
        self.assertEqual(self._followups(everyone), planned)
        for followup, owner in zip(
            planned.sorted("id"), (self.agent_a, self.supervisor_a), strict=True
        ):
            self.assertRecordValues(
                followup,
                [
                    {
                        "name": "Test Gold follow-up",
                        "kind": "phone",
                        "planned_date": TODAY,
                        "user_id": owner.id,
                        "segment_id": self.gold.id,
                        "complaint_id": False,
                        "company_id": self.company_a.id,
                        "state": "planned",
                    }
                ],
            )
            activity = self._activities(followup)
            self.assertEqual(len(activity), 1)
            self.assertEqual(activity.user_id, owner)
            self.assertEqual(activity.date_deadline, TODAY)

    def test_cadence_counts_from_last_done_or_planned_date(self):
        done = self.Followup.create(
            {
                "name": "Portfolio review",
                "partner_id": self.managed.id,
                "planned_date": date(2026, 2, 10),
                "done_date": date(2026, 2, 15),
                "outcome": "reached",
                "user_id": self.agent_a.id,
            }
        )
        # planned for later than it was done: the planned date counts
        self.Followup.create(
            {
                "name": "Early call",
                "partner_id": self.unmanaged.id,
                "planned_date": date(2026, 2, 20),
                "done_date": date(2026, 2, 1),
                "outcome": "reached",
                "user_id": self.agent_a.id,
            }
        )
        self.assertFalse(self._plan(date(2026, 3, 16)))
        planned = self._plan(date(2026, 3, 17))
        self.assertEqual(planned.partner_id, self.managed)
        self.assertEqual(planned.planned_date, date(2026, 3, 17))
        self.assertEqual(self._followups(self.managed), done | planned)
        self.assertFalse(self._plan(date(2026, 3, 21)))
        self.assertEqual(self._plan(date(2026, 3, 22)).partner_id, self.unmanaged)

    def test_cancelled_followup_counts_as_planned(self):
        cancelled = self.Followup.create(
            {
                "name": "Visit",
                "partner_id": self.managed.id,
                "planned_date": date(2026, 2, 20),
            }
        )
        cancelled.action_cancel()
        self.assertEqual(cancelled.state, "cancelled")
        self.assertFalse(
            self._plan(date(2026, 3, 21)).filtered(
                lambda followup: followup.partner_id == self.managed
            )
        )
        self.assertEqual(self._plan(date(2026, 3, 22)).partner_id, self.managed)

    def test_second_run_plans_nothing(self):
        first = self._plan()
        self.assertEqual(len(first), 2)
        self.assertFalse(self._plan())
        self.assertEqual(self._followups(self.managed | self.unmanaged), first)

    def test_never_two_open_followups(self):
        # overdue since January: still open, so the cadence waits for it
        manual = self.Followup.create(
            {
                "name": "Card renewal call",
                "partner_id": self.managed.id,
                "planned_date": date(2026, 1, 5),
                "user_id": self.agent_a2.id,
            }
        )
        planned = self._plan()
        self.assertEqual(planned.partner_id, self.unmanaged)
        self.assertEqual(self._followups(self.managed), manual)

    def test_do_not_contact_customers_are_never_planned(self):
        self.managed.cs_do_not_contact = True
        self.assertEqual(self._plan().partner_id, self.unmanaged)
        self.assertFalse(self._followups(self.managed))

    def test_owner_falls_back_to_tier_owner(self):
        self.agent_a.active = False
        planned = self._plan()
        self.assertEqual(len(planned), 2)
        self.assertEqual(planned.user_id, self.supervisor_a)

    def test_customers_without_owner_are_skipped_and_logged(self):
        orphan = self._customer("Orphan Key", self.silver)
        with self.assertLogs(LOGGER, "WARNING") as logs:
            planned = self._plan()
        self.assertEqual(planned.partner_id, self.managed | self.unmanaged)
        self.assertFalse(self._followups(orphan))
        self.assertEqual(len(logs.output), 1)
        self.assertIn(
            "No follow-up planned for key customers Orphan Key", logs.output[0]
        )
        # the orphan is not work left: the cron is done
        with freeze_time(TODAY):
            self.assertEqual(self.Followup._batch_remaining(TODAY), 0)

    def test_batches_report_progress_to_ir_cron(self):
        for index in range(3):
            self._customer(f"Batch Key {index}", self.gold, manager=self.agent_b)
        cron = self.env.ref("customer_service_bank.ir_cron_cs_followup_planning")
        cron, progress = cron._add_progress()
        model = self.Followup.with_context(**cron.env.context)
        with freeze_time(TODAY):
            self.assertEqual(model._batch_remaining(TODAY), 5)
            for done, remaining in [(2, 3), (2, 1), (1, 0), (0, 0)]:
                planned = model._cron_plan_followups(batch_size=2)
                self.assertEqual(len(planned), done)
                self.assertEqual((progress.done, progress.remaining), (done, remaining))

    def test_scheduled_action_runs_through_ir_cron(self):
        cron = self.env.ref("customer_service_bank.ir_cron_cs_followup_planning")
        with freeze_time(datetime(2026, 3, 2, 12, 0)):
            cron.method_direct_trigger()
        progress = self.env["ir.cron.progress"].search(
            [("cron_id", "=", cron.id)], order="id desc", limit=1
        )
        self.assertEqual((progress.done, progress.remaining), (2, 0))
        followups = self._followups(self.managed | self.unmanaged)
        self.assertEqual(followups.partner_id, self.managed | self.unmanaged)
        self.assertEqual(set(followups.mapped("planned_date")), {TODAY})

    def test_one_failing_customer_does_not_stop_the_batch(self):
        other = self._customer("Other Key", self.gold, manager=self.agent_b)
        wish = CsFollowup._reminder_wish

        def wish_or_fail(followup):
            if followup.partner_id == self.unmanaged:
                raise UserError(self.env._("Activity type misconfigured"))
            return wish(followup)

        with (
            patch.object(CsFollowup, "_reminder_wish", wish_or_fail),
            self.assertLogs(BATCH_LOGGER, "WARNING") as logs,
        ):
            planned = self._plan()
        self.assertEqual(planned.partner_id, self.managed | other)
        self.assertFalse(self._followups(self.unmanaged))
        self.assertIn("retrying one by one", logs.output[0])
        self.assertIn(f"customer {self.unmanaged.id} failed", logs.output[1])
        self.assertEqual(len(self._activities(planned[0])), 1)
        # still due: the next run plans it
        self.assertEqual(self._plan().partner_id, self.unmanaged)

    def test_planned_followups_never_overlap_in_database(self):
        self._plan()
        complaint = self._complaint(partner_id=self.managed.id)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.Followup.create(
                {
                    "name": "Second automatic follow-up",
                    "partner_id": self.managed.id,
                    "planned_date": TODAY,
                    "complaint_id": complaint.id,
                }
            )
            self.env.flush_all()


class TestFollowupAfterComplaint(FollowupCommon):
    def _resolve(self, complaints, user=None):
        complaints = complaints.with_user(user) if user else complaints
        self.resolve_complaint_at(complaints, RESOLVED)

    def test_resolved_complaint_gets_a_followup(self):
        complaint = self._complaint(user_id=self.agent_a.id)
        self._resolve(complaint)
        followup = self._followups(self.customer)
        self.assertRecordValues(
            followup,
            [
                {
                    "name": f"Follow-up of complaint {complaint.name}",
                    "kind": "phone",
                    "planned_date": date(2026, 11, 17),
                    "user_id": self.agent_a.id,
                    "complaint_id": complaint.id,
                    "segment_id": False,
                    "company_id": self.company_a.id,
                    "state": "planned",
                }
            ],
        )
        self.assertEqual(self._activities(followup).user_id, self.agent_a)
        # closing the resolved complaint plans nothing more
        complaint.root_cause_id = self.root_cause
        with freeze_time(RESOLVED):
            complaint.stage_id = self.stage_closed
        self.assertEqual(self._followups(self.customer), followup)

    def test_owner_falls_back_to_supervisor_whoever_resolves(self):
        self.company_a.cs_followup_after_complaint_days = 3
        complaint = self._complaint()
        self.assertFalse(complaint.user_id)
        # agent_a may not create a follow-up owned by the supervisor
        self._resolve(complaint, user=self.agent_a)
        followup = self._followups(self.customer)
        self.assertEqual(len(followup), 1)
        self.assertEqual(followup.user_id, self.supervisor_a)
        self.assertEqual(followup.planned_date, date(2026, 11, 13))
        with self.assertRaises(AccessError):
            followup.with_user(self.agent_a).read(["name"])

    def test_setting_off_plans_nothing(self):
        self.company_a.cs_followup_after_complaint = False
        complaint = self._complaint(user_id=self.agent_a.id)
        self._resolve(complaint)
        self.assertEqual(complaint.stage_kind, "resolved")
        self.assertFalse(self._followups(self.customer))

    def test_do_not_contact_customer_gets_none(self):
        self.customer.cs_do_not_contact = True
        complaint = self._complaint(user_id=self.agent_a.id)
        self._resolve(complaint)
        self.assertTrue(complaint.resolved_date)
        self.assertFalse(self._followups(self.customer))

    def test_one_followup_per_customer_in_a_batch(self):
        complaints = (
            self._complaint(user_id=self.agent_a.id)
            | self._complaint(user_id=self.agent_a2.id)
            | self._complaint(partner_id=self.customer2.id)
        )
        self._resolve(complaints)
        first = self._followups(self.customer)
        self.assertEqual(len(first), 1)
        self.assertEqual(first.complaint_id, complaints[0])
        second = self._followups(self.customer2)
        self.assertEqual(second.user_id, self.supervisor_a)

    def test_open_followup_is_not_doubled(self):
        manual = self.Followup.create(
            {
                "name": "Courtesy call",
                "partner_id": self.customer.id,
                "planned_date": date(2026, 12, 1),
            }
        )
        complaint = self._complaint(user_id=self.agent_a.id)
        self._resolve(complaint)
        self.assertEqual(self._followups(self.customer), manual)


class TestFollowupWork(FollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.managed = cls._customer("Managed", manager=cls.agent_a, key=False)
        cls.other = cls._customer("Not Managed", manager=cls.agent_b, key=False)

    def _create(self, user=None, **values):
        Followup = self.Followup.with_user(user) if user else self.Followup
        return Followup.create(
            {
                "name": "Portfolio call",
                "partner_id": self.managed.id,
                "planned_date": date(2026, 3, 10),
                "user_id": self.agent_a.id,
                **values,
            }
        )

    def test_planned_from_the_customer(self):
        action = self.managed._cs_action("customer_service_bank.cs_followup_action")
        Followup = self.Followup.with_user(self.agent_a).with_context(
            **action["context"]
        )
        form = Form(Followup)
        form.name = "Welcome visit"
        form.kind = "visit"
        form.planned_date = date(2026, 4, 1)
        followup = form.save()
        self.assertRecordValues(
            followup,
            [
                {
                    "partner_id": self.managed.id,
                    "user_id": self.agent_a.id,
                    "state": "planned",
                    "company_id": self.company_a.id,
                }
            ],
        )
        self.assertEqual(Followup.search(action["domain"]), followup)
        self.assertEqual(self.managed.cs_followup_ids, followup)

    def test_activity_follows_owner_and_date_and_is_done_with_it(self):
        followup = self._create(user=self.agent_a)
        activity = self._activities(followup)
        self.assertRecordValues(
            activity,
            [
                {
                    "summary": "Portfolio call",
                    "user_id": self.agent_a.id,
                    "date_deadline": date(2026, 3, 10),
                }
            ],
        )
        followup.with_user(self.agent_a).write(
            {"user_id": self.agent_a2.id, "planned_date": date(2026, 3, 12)}
        )
        self.assertEqual(self._activities(followup), activity)
        self.assertEqual(activity.user_id, self.agent_a2)
        self.assertEqual(activity.date_deadline, date(2026, 3, 12))

        with self.assertRaisesRegex(UserError, "Set the outcome of Portfolio call"):
            followup.action_done()
        followup.write({"outcome": "opportunity", "satisfaction": "4"})
        with freeze_time(datetime(2026, 3, 11, 9, 0)):
            followup.with_user(self.agent_a).action_done()
        self.assertEqual(followup.state, "done")
        self.assertEqual(followup.done_date, date(2026, 3, 11))
        self.assertFalse(self._activities(followup))
        self.assertEqual(self._activities(followup, active=False), activity)
        done_note = self.env["mail.message"].search(
            [
                ("model", "=", "cs.followup"),
                ("res_id", "=", followup.id),
                ("mail_activity_type_id", "=", self.followup_type.id),
            ]
        )
        self.assertEqual(len(done_note), 1)
        self.assertIn("Outcome: Opportunity Found", done_note.body)

        followup.action_reopen()
        self.assertEqual(followup.state, "planned")
        self.assertFalse(followup.done_date)
        reopened = self._activities(followup)
        self.assertEqual(len(reopened), 1)
        self.assertNotEqual(reopened, activity)
        self.assertEqual(reopened.user_id, self.agent_a2)

    def test_cancel_archives_and_drops_the_activity(self):
        followup = self._create()
        followup.action_cancel()
        self.assertFalse(followup.active)
        self.assertEqual(followup.state, "cancelled")
        self.assertFalse(self._activities(followup))
        self.assertFalse(self._activities(followup, active=False))
        followup.action_unarchive()
        self.assertEqual(followup.state, "planned")
        self.assertEqual(len(self._activities(followup)), 1)

    def test_overdue_followups(self):
        late = self._create(planned_date=date(2026, 3, 1))
        today = self._create(planned_date=date(2026, 3, 2))
        late_done = self._create(
            planned_date=date(2026, 2, 1), outcome="reached", done_date=date(2026, 2, 2)
        )
        ours = late | today | late_done
        with freeze_time(datetime(2026, 3, 2, 9, 0)):
            self.assertEqual(ours.filtered("is_overdue"), late)
            overdue = self.Followup.search(
                [("id", "in", ours.ids), ("is_overdue", "=", True)]
            )
            self.assertEqual(overdue, late)
            not_overdue = self.Followup.search(
                [("id", "in", ours.ids), ("is_overdue", "=", False)]
            )
            self.assertEqual(not_overdue, today | late_done)

    def test_agent_sees_own_and_managed_customers_followups(self):
        own_elsewhere = self._create(partner_id=self.other.id)
        managed_by_other_owner = self._create(user_id=self.agent_b.id)
        foreign = self._create(partner_id=self.other.id, user_id=self.agent_b.id)
        ours = own_elsewhere | managed_by_other_owner | foreign
        as_agent = self.Followup.with_user(self.agent_a)
        self.assertEqual(
            as_agent.search([("id", "in", ours.ids)]),
            own_elsewhere | managed_by_other_owner,
        )
        managed_by_other_owner.with_user(self.agent_a).next_action = "Call back"
        self.assertEqual(managed_by_other_owner.next_action, "Call back")
        with self.assertRaises(AccessError):
            foreign.with_user(self.agent_a).read(["name"])
        with self.assertRaises(AccessError):
            foreign.with_user(self.agent_a).write({"notes": "<p>Seen</p>"})
        with self.assertRaises(AccessError):
            own_elsewhere.with_user(self.agent_a).unlink()
        # an agent cannot plan for another owner and a customer they do not manage
        with self.assertRaises(AccessError):
            self._create(
                user=self.agent_a, partner_id=self.other.id, user_id=self.agent_b.id
            )

    def test_supervisor_sees_all_but_cannot_delete(self):
        foreign = self._create(partner_id=self.other.id, user_id=self.agent_b.id)
        as_supervisor = self.Followup.with_user(self.supervisor_a)
        self.assertEqual(as_supervisor.search([("id", "=", foreign.id)]), foreign)
        foreign.with_user(self.supervisor_a).user_id = self.agent_a2
        self.assertEqual(foreign.user_id, self.agent_a2)
        with self.assertRaises(AccessError):
            foreign.with_user(self.supervisor_a).unlink()

    def test_employee_and_portal_have_no_access(self):
        followup = self._create()
        for user in (self.employee, self.portal):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.Followup.with_user(user).search([])
                with self.assertRaises(AccessError):
                    followup.with_user(user).read(["name"])
                with self.assertRaises(AccessError):
                    self._create(user=user, user_id=user.id)
