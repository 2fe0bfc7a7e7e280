"""Complaints by mail to a team's alias, through Odoo's mail gateway with
raw emails as a mail server delivers them."""

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from .common import CsCommon


class TestMailIntake(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.domain = cls.env["mail.alias.domain"].create({"name": "t-bank.example"})
        cls.team_a.write(
            {
                "alias_name": "t-complaints-a",
                "alias_domain_id": cls.domain.id,
                "default_category_id": cls.cat_cards.id,
            }
        )
        cls.alias_email = "t-complaints-a@t-bank.example"
        cls.Complaint = cls.env["cs.complaint"].with_context(active_test=False)

    def _mail(self, sender, subject="Card fee charged twice", body="", **headers):
        """The raw email ``sender`` sends to team A's alias."""
        message = EmailMessage()
        message["From"] = sender
        message["To"] = headers.pop("to", self.alias_email)
        message["Subject"] = subject
        message["Date"] = formatdate()
        message["Message-Id"] = headers.pop("message_id", make_msgid())
        attachment = headers.pop("attachment", None)
        for name, value in headers.items():
            message[name.replace("_", "-")] = value
        message.set_content(body)
        if attachment:
            message.add_attachment(
                attachment, maintype="application", subtype="pdf", filename="fee.pdf"
            )
        return message.as_string()

    def _process(self, raw):
        return self.env["mail.thread"].message_process(None, raw)

    def _complaints_from(self, email):
        return self.Complaint.search([("partner_id.email_normalized", "=", email)])

    def test_new_sender_opens_complaint_and_gets_acknowledgement(self):
        raw = self._mail(
            "Ann Lee <Ann.Lee@Mail.example>",
            body="The annual card fee was charged twice in March.",
        )
        complaint = self.Complaint.browse(self._process(raw))
        self.assertEqual(complaint.partner_id.name, "Ann Lee")
        self.assertEqual(complaint.partner_id.email_normalized, "ann.lee@mail.example")
        self.assertEqual(complaint.subject, "Card fee charged twice")
        self.assertIn("charged twice in March", str(complaint.description))
        self.assertEqual(complaint.channel, "email")
        self.assertEqual(complaint.team_id, self.team_a)
        self.assertEqual(complaint.company_id, self.company_a)
        self.assertEqual(complaint.category_id, self.cat_cards)
        self.assertTrue(complaint.resolve_deadline)
        self.assertIn(complaint.partner_id, complaint.message_partner_ids)
        incoming = complaint.message_ids.filtered(
            lambda m: m.author_id == complaint.partner_id
        )
        self.assertIn("charged twice in March", str(incoming.body))
        self.mail_queued_acknowledgements()
        ack = complaint.message_ids.filtered(
            lambda m: complaint.name in (m.subject or "")
        )
        self.assertTrue(ack, "the acknowledgement with the reference is sent")
        self.assertIn(complaint.partner_id, ack.partner_ids)

    def test_known_sender_is_found_whatever_the_case(self):
        partners = self.env["res.partner"].search_count([])
        raw = self._mail("ONE@EXAMPLE.COM", subject="Transfer lost")
        complaint = self.Complaint.browse(self._process(raw))
        self.assertEqual(complaint.partner_id, self.customer)
        self.assertEqual(self.env["res.partner"].search_count([]), partners)

    def test_reply_lands_on_its_complaint(self):
        first_id = make_msgid()
        complaint = self.Complaint.browse(
            self._process(self._mail("one@example.com", message_id=first_id))
        )
        self.mail_queued_acknowledgements()
        ack = complaint.message_ids.filtered(
            lambda m: complaint.name in (m.subject or "")
        )
        for parent_id in (first_id, ack.message_id):
            reply = self._mail(
                "one@example.com",
                subject="Re: " + complaint.name,
                body="Here is my statement.",
                in_reply_to=parent_id,
                references=parent_id,
            )
            with self.subTest(parent=parent_id):
                messages = len(complaint.message_ids)
                self.assertEqual(self._process(reply), complaint.id)
                self.assertEqual(len(complaint.message_ids), messages + 1)
        self.assertEqual(len(self._complaints_from("one@example.com")), 1)

    def test_bounce_creates_nothing(self):
        complaints = self.Complaint.search_count([])
        raw = self._mail(
            "MAILER-DAEMON@mx.mail.example",
            subject="Undelivered Mail Returned to Sender",
            body="This is the mail system: your message could not be delivered.",
        )
        self.assertFalse(self._process(raw))
        self.assertEqual(self.Complaint.search_count([]), complaints)

    def test_auto_reply_creates_nothing(self):
        complaints = self.Complaint.search_count([])
        for headers in (
            {"Auto-Submitted": "auto-replied"},
            {"X-Autoreply": "yes"},
            {"Precedence": "auto_reply"},
        ):
            with self.subTest(headers=headers):
                raw = self._mail(
                    "away@mail.example", subject="Out of office", **headers
                )
                self.assertFalse(self._process(raw))
        self.assertEqual(self.Complaint.search_count([]), complaints)
        # a person's mail naming Auto-Submitted "no" is a complaint
        raw = self._mail("away@mail.example", Auto_Submitted="no")
        self.assertTrue(self._process(raw))

    def test_mail_loop_stops_at_odoo_threshold(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "mail.gateway.loop.threshold", 2
        )
        results = [
            self._process(self._mail("robot@mail.example", subject=f"Alert {n}"))
            for n in range(4)
        ]
        self.assertTrue(all(results[:2]))
        self.assertFalse(any(results[2:]))
        self.assertEqual(len(self._complaints_from("robot@mail.example")), 2)

    def test_attachment_only_mail(self):
        raw = self._mail("two@example.com", subject="", attachment=b"%PDF-1.4 fee")
        complaint = self.Complaint.browse(self._process(raw))
        self.assertEqual(complaint.partner_id, self.customer2)
        self.assertEqual(complaint.subject, "Complaint by email")
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "cs.complaint"), ("res_id", "=", complaint.id)]
        )
        self.assertEqual(attachment.name, "fee.pdf")
        self.assertIn(attachment, complaint.message_ids.attachment_ids)

    def test_blacklisted_sender_is_refused_politely(self):
        self.env["mail.blacklist"].create({"email": "Blocked@Mail.example"})
        complaints = self.Complaint.search_count([])
        raw = self._mail("blocked@mail.example", subject="My loan")
        self.assertFalse(self._process(raw))
        self.assertEqual(self.Complaint.search_count([]), complaints)
        refusal = self.env["mail.mail"].search(
            [("email_to", "=", "blocked@mail.example")]
        )
        self.assertEqual(refusal.subject, "Re: My loan")
        self.assertIn("mobile app", str(refusal.body_html))
        self.assertEqual(refusal.model, "cs.team")
