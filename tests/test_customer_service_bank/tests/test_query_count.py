from datetime import datetime

from odoo.tests import freeze_time, users, warmup

from .common import CsCommon

# received Thursday 1 Oct 2026: breached for weeks, due for the manager
LONG_AGO = datetime(2026, 10, 1, 2, 0)


class TestQueryCount(CsCommon):
    """Batch work costs the same number of queries whatever the batch size.

    Each pair of tests runs the same operation on batches of different sizes
    and pins the same count: a query per complaint would break one of them.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # demo complaints must not be refreshed or escalated with the test's own
        cls.env["cs.complaint"].search([]).with_context(tracking_disable=True).write(
            {"active": False}
        )
        cls.customers = cls.env["res.partner"].create(
            [
                {
                    "name": f"Batch Customer {index}",
                    "email": f"batch{index}@example.com",
                }
                for index in range(50)
            ]
        )
        cls.escalation_type = cls.env.ref(
            "customer_service_bank.mail_activity_type_cs_escalation"
        )

    def _vals_list(self, count, received_date=datetime(2026, 11, 2, 2, 0)):
        return [
            {
                "subject": f"Batch complaint {index}",
                "partner_id": self.customers[index].id,
                "team_id": self.team_a.id,
                "category_id": self.cat_fees.id,
                "channel": "branch",
                "received_date": received_date,
            }
            for index in range(count)
        ]

    def _ack_mails(self, complaints):
        return (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("model", "=", "cs.complaint"),
                    ("res_id", "in", complaints.ids),
                    ("subject", "like", "we have received your complaint"),
                ]
            )
        )

    # ------------------------------------------------------------------
    # batch create: reference, policy, deadlines, stage log and mail
    # ------------------------------------------------------------------

    def _check_create(self, count):
        vals_list = self._vals_list(count)
        # one query reads the customers' tiers from their metrics rows; the
        # acknowledgements and creation notes are left to their job, and a
        # new complaint's rating_last_value is precomputed without a query;
        # one more query when a mail alias domain exists, as the demo's does
        with self.assertQueryCount(admin=19, cs_t_agent_a=19):
            complaints = self.env["cs.complaint"].create(vals_list)
        self.assertEqual(len(set(complaints.mapped("name"))), count)
        self.assertEqual(complaints.stage_id, self.stage_new)
        self.assertEqual(complaints.sla_policy_id, self.policy_nfra)
        self.assertEqual(
            set(complaints.mapped("resolve_deadline")),
            {datetime(2026, 11, 17, 15, 59, 59)},
        )
        self.assertEqual(len(complaints.stage_log_ids), count)
        self.assertFalse(self._ack_mails(complaints))
        self.mail_queued_acknowledgements()
        self.assertEqual(len(self._ack_mails(complaints)), count)

    @users("admin", "cs_t_agent_a")
    @warmup
    def test_create_20_complaints(self):
        self._check_create(20)

    @users("admin", "cs_t_agent_a")
    @warmup
    def test_create_40_complaints(self):
        self._check_create(40)

    # ------------------------------------------------------------------
    # one complaint per transaction, as portal, mail, API and chat create
    # them: the acknowledgement is rendered later, by its job
    # ------------------------------------------------------------------

    @users("admin", "cs_t_agent_a")
    @warmup
    def test_create_one_complaint(self):
        """One complaint costs what a batch costs: 19 queries from an empty
        record cache, as in a new request."""
        vals = self._vals_list(1)[0]
        # the creator follows the complaint, as outside the tests
        Complaint = self.env["cs.complaint"].with_context(mail_create_nosubscribe=False)
        # one query more when a mail alias domain exists, as the demo's does
        with self.assertQueryCount(admin=19, cs_t_agent_a=19):
            complaint = Complaint.create(vals)
            self.env.flush_all()
            # the commit's hooks: tracking, and the job's trigger
            self.env.cr.flush()
        self.assertEqual(complaint.stage_id, self.stage_new)
        self.assertEqual(complaint.sla_policy_id, self.policy_nfra)
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 11, 17, 15, 59, 59))
        self.assertEqual(len(complaint.stage_log_ids), 1)
        self.assertEqual(complaint.message_partner_ids, self.env.user.partner_id)
        self.assertTrue(complaint.queued_template_id)
        self.mail_queued_acknowledgements()
        self.assertEqual(len(self._ack_mails(complaint)), 1)

    @users("admin", "cs_t_agent_a")
    @warmup
    def test_create_complaints_as_intake(self):
        """As the API, mail and chat intake create, the creating user does
        not follow; a worker keeping its record cache between complaints
        (bench/bench_intake.py) spends 7 queries on the complaint of a
        customer it has not read yet: the customer and their tier, then the
        5 every complaint costs (its reference, its repeat lookup, the
        INSERTs of the complaint, of its stage stay and of the job's
        trigger)."""
        first, second = self._vals_list(2)
        Complaint = self.env["cs.complaint"].with_context(mail_create_nosubscribe=True)
        with self.assertQueryCount(admin=17, cs_t_agent_a=17):
            complaint = Complaint.create(first)
            self.env.flush_all()
            self.env.cr.flush()
        self.assertFalse(complaint.message_partner_ids)
        with self.assertQueryCount(admin=7, cs_t_agent_a=7):
            complaint = Complaint.create(second)
            self.env.flush_all()
            self.env.cr.flush()
        self.assertEqual(len(complaint.stage_log_ids), 1)
        self.assertTrue(complaint.queued_template_id)

    # ------------------------------------------------------------------
    # deadline status refresh: one UPDATE
    # ------------------------------------------------------------------

    def _check_refresh(self, count):
        Complaint = self.env["cs.complaint"]
        with freeze_time("2026-11-03 00:00:00"):
            complaints = Complaint.create(self._vals_list(count))
            self.env.flush_all()
        self.assertEqual(set(complaints.mapped("deadline_status")), {"on_track"})
        with self.assertQueryCount(1):
            Complaint._refresh_deadline_status()
        self.assertEqual(set(complaints.mapped("deadline_status")), {"breached"})

    @warmup
    def test_refresh_deadline_status_1(self):
        self._check_refresh(1)

    @warmup
    def test_refresh_deadline_status_50(self):
        self._check_refresh(50)

    # ------------------------------------------------------------------
    # escalation cron: claim, note, activity and mail in batch
    # ------------------------------------------------------------------

    def _check_cron(self, pending, batch_size):
        Complaint = self.env["cs.complaint"]
        complaints = Complaint.create(self._vals_list(pending, received_date=LONG_AGO))
        self.assertEqual(set(complaints.mapped("deadline_status")), {"breached"})
        # the stage stays are inserted in SQL: the escalated complaints'
        # history is read again, once for the batch
        with self.assertQueryCount(29):
            Complaint._cron_check_deadlines(batch_size=batch_size)
        escalated = complaints.filtered(
            lambda complaint: complaint.escalation_level == "3"
        )
        self.assertEqual(len(escalated), min(pending, batch_size))
        self.assertEqual(escalated.escalation_user_id, self.manager)
        self.assertEqual(
            (complaints - escalated).mapped("escalation_level"),
            ["0"] * (pending - len(escalated)),
        )
        self.assertEqual(Complaint._batch_remaining(), pending - len(escalated))
        activities = self.env["mail.activity"].search(
            [
                ("res_model", "=", "cs.complaint"),
                ("res_id", "in", complaints.ids),
                ("activity_type_id", "=", self.escalation_type.id),
            ]
        )
        self.assertEqual(sorted(activities.mapped("res_id")), sorted(escalated.ids))
        self.assertEqual(activities.user_id, self.manager)
        # one digest for the manager lists every escalated complaint
        digest = self.env["mail.mail"].search(
            [("subject", "like", "Complaints needing your attention: ")]
        )
        self.assertEqual(digest.recipient_ids, self.manager.partner_id)
        self.assertEqual(
            digest.subject, f"Complaints needing your attention: {len(escalated)}"
        )
        for complaint in escalated:
            self.assertIn(f">{complaint.name}<", digest.body_html)

    @warmup
    def test_cron_escalates_5_of_5(self):
        self._check_cron(pending=5, batch_size=10)

    @warmup
    def test_cron_escalates_10_of_20(self):
        self._check_cron(pending=20, batch_size=10)

    @warmup
    def test_cron_escalates_20_of_20(self):
        self._check_cron(pending=20, batch_size=20)
