from datetime import datetime

from odoo.tests import freeze_time

from .common import CsCommon

CREATED = datetime(2026, 11, 2, 2, 0)


class TestComplaintAcknowledgement(CsCommon):
    """New complaints queue their acknowledgement; a job the commit triggers
    renders and queues the mails in batches."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Job = cls.env["cs.complaint.acknowledgement"]
        cls.cron = cls.env.ref(
            "customer_service_bank.ir_cron_cs_complaint_acknowledgements"
        )
        cls.ack_template = cls.env.ref(
            "customer_service_bank.mail_template_cs_complaint_ack"
        )
        # acknowledgements of the demo complaints are no concern of these tests
        cls.mail_queued_acknowledgements()

    def _acks(self, complaints):
        return self.env["mail.mail"].search(
            [
                ("model", "=", "cs.complaint"),
                ("res_id", "in", complaints.ids),
                ("subject", "like", "we have received your complaint"),
            ]
        )

    def _triggers(self):
        return self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])

    def _creation_notes(self, complaints):
        return self.env["mail.message"].search(
            [
                ("model", "=", "cs.complaint"),
                ("res_id", "in", complaints.ids),
                ("body", "ilike", "Complaint created"),
            ]
        )

    def test_create_queues_and_the_job_mails_once(self):
        with freeze_time(CREATED):
            first = self.create_complaint()
            second = self.create_complaint(subject="Card blocked abroad")
            self.env.flush_all()
        complaints = first | second
        self.assertEqual(complaints.queued_template_id, self.ack_template)
        self.assertFalse(self._acks(complaints))
        # the creation notes come with the acknowledgements
        self.assertFalse(self._creation_notes(complaints))
        # the commit triggers the job, once for the whole transaction (a
        # pending trigger may be consumed by a run that started before it)
        triggers = self._triggers()
        self.env.cr.flush()
        self.assertEqual(len(self._triggers() - triggers), 1)
        self.assertEqual(self.Job._batch_remaining(), 2)
        third = self.create_complaint(subject="Statement missing")
        triggers = self._triggers()
        self.env.cr.flush()
        self.assertEqual(len(self._triggers() - triggers), 1)
        complaints |= third

        self.mail_queued_acknowledgements()
        acks = self._acks(complaints)
        self.assertEqual(len(acks), 3)
        self.assertEqual(acks.recipient_ids, self.customer)
        self.assertEqual(acks.mapped("state"), ["outgoing"] * 3)
        # rendered as the complaint's creator, as it was when synchronous
        self.assertEqual(acks.author_id, self.env.user.partner_id)
        self.assertIn("November 17, 2026", acks[0].body_html)
        self.assertFalse(complaints.queued_template_id)
        notes = self._creation_notes(complaints)
        self.assertEqual(sorted(notes.mapped("res_id")), sorted(complaints.ids))
        self.assertEqual(notes.author_id, self.env.user.partner_id)
        # dated when the complaint was created, not when the job ran
        for note in notes:
            self.assertEqual(note.date, complaints.browse(note.res_id).create_date)
        self.assertEqual(self.Job._batch_remaining(), 0)
        self.Job._cron_mail_acknowledgements()
        self.assertEqual(len(self._acks(complaints)), 3)
        self.assertEqual(len(self._creation_notes(complaints)), 3)

    def test_creation_note_in_the_creators_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.agent_a.lang = "zh_CN"
        with freeze_time(CREATED):
            complaint = (
                self.env["cs.complaint"]
                .with_user(self.agent_a)
                .create(
                    {
                        "subject": "Annual fee charged twice",
                        "partner_id": self.customer.id,
                        "team_id": self.team_a.id,
                        "category_id": self.cat_fees.id,
                    }
                )
            )
        self.mail_queued_acknowledgements()
        note = self.env["mail.message"].search(
            [
                ("model", "=", "cs.complaint"),
                ("res_id", "=", complaint.id),
                ("message_type", "=", "notification"),
                ("author_id", "=", self.agent_a.partner_id.id),
            ]
        )
        self.assertEqual(len(note), 1)
        name = self.env["ir.model"].with_context(lang="zh_CN")._get("cs.complaint").name
        self.assertIn(name, note.body)

    def test_batch_renders_each_mail_for_its_customer_and_language(self):
        """The job compiles a template once per language for the batch:
        each mail still has its own customer, reference and language."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.customer2.lang = "zh_CN"
        self.ack_template.with_context(lang="zh_CN").body_html = (
            '<p>尊敬的 <t t-out="object.partner_id.name"/>：'
            '<t t-out="object.name"/></p>'
        )
        with freeze_time(CREATED):
            first = self.create_complaint()
            second = self.create_complaint(partner_id=self.customer2.id)
        self.mail_queued_acknowledgements()
        for complaint, customer in ((first, self.customer), (second, self.customer2)):
            with self.subTest(customer=customer.name):
                mail = self.env["mail.mail"].search(
                    [
                        ("model", "=", "cs.complaint"),
                        ("res_id", "=", complaint.id),
                        ("recipient_ids", "in", customer.ids),
                    ]
                )
                self.assertEqual(len(mail), 1)
                self.assertIn(customer.name, mail.body_html)
                self.assertIn(complaint.name, mail.body_html)
        english = self._acks(first)
        chinese = self.env["mail.mail"].search(
            [("model", "=", "cs.complaint"), ("res_id", "=", second.id)]
        )
        self.assertIn("Dear", english.body_html)
        self.assertIn("尊敬的 Customer Two", chinese.body_html)
        self.assertNotIn("Dear", chinese.body_html)

    def test_complaint_without_mail_gets_its_note_at_once(self):
        with freeze_time(CREATED):
            complaint = self.create_complaint(stage_id=self.stage_in_progress.id)
        self.assertEqual(len(self._creation_notes(complaint)), 1)
        self.mail_queued_acknowledgements()
        self.assertEqual(len(self._creation_notes(complaint)), 1)

    def test_batch_create_triggers_once(self):
        triggers = self._triggers()
        with freeze_time(CREATED):
            complaints = self.env["cs.complaint"].create(
                [
                    {
                        "subject": f"Batch {index}",
                        "partner_id": self.customer.id,
                        "team_id": self.team_a.id,
                        "category_id": self.cat_fees.id,
                    }
                    for index in range(3)
                ]
            )
            self.env.flush_all()
            self.env.cr.flush()
        self.assertEqual(len(self._triggers() - triggers), 1)
        self.assertEqual(len(complaints.filtered("queued_template_id")), 3)
        # the batch's repeats are still found once all of it exists
        self.assertEqual(complaints.sorted("id")[1:].mapped("is_repeat"), [True] * 2)
        self.mail_queued_acknowledgements()
        self.assertEqual(len(self._acks(complaints)), 3)

    def test_stage_without_mail_queues_nothing(self):
        with freeze_time(CREATED):
            complaint = self.create_complaint(stage_id=self.stage_in_progress.id)
        self.assertFalse(self.stage_in_progress.mail_template_id)
        self.assertFalse(complaint.queued_template_id)

    def test_a_mail_that_fails_is_dequeued(self):
        with freeze_time(CREATED):
            complaint = self.create_complaint()
        self.ack_template.body_html = '<p t-out="object.no_such_field"/>'
        with self.assertLogs(
            "odoo.addons.customer_service_bank.models.cs_batch_job_mixin", "WARNING"
        ):
            self.mail_queued_acknowledgements()
        self.assertFalse(complaint.queued_template_id)
        self.assertFalse(self._acks(complaint))
        # the chatter keeps the creation and why the customer got no mail
        self.assertEqual(len(self._creation_notes(complaint)), 1)
        self.assertIn(
            "could not be mailed to the customer",
            complaint.message_ids[:1].body,
        )
