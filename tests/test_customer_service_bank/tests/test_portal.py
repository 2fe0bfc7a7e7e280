import re

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import CsCommon

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class CsPortalCommon(CsCommon):
    """Two portal customers of company A, each with a complaint."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a.cs_intake_team_id = cls.team_a
        cls.customer_portal = cls.portal
        cls.other_portal = new_test_user(
            cls.env, "cs_t_portal_other", groups="base.group_portal"
        )
        cls.mine = cls.create_complaint(
            subject="Portal: my card fee",
            partner_id=cls.customer_portal.partner_id.id,
            user_id=cls.agent_a.id,
        )
        cls.theirs = cls.create_complaint(
            subject="Portal: someone else's loan",
            partner_id=cls.other_portal.partner_id.id,
        )
        cls.mine.message_post(
            body="Public answer to the customer",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        cls.mine.message_post(
            body="Internal note: the customer is difficult",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        cls.mine.root_cause_analysis = "<p>Secret analysis of the branch</p>"


class TestPortalAccess(CsPortalCommon):
    def test_record_rule_own_and_commercial_partner(self):
        """A portal customer reads their own and their company's complaints."""
        Complaint = self.env["cs.complaint"].with_user(self.customer_portal)
        company = self.env["res.partner"].create(
            {"name": "Portal Customer Ltd", "is_company": True}
        )
        of_company = self.create_complaint(
            subject="Portal: company account", partner_id=company.id
        )
        self.assertEqual(Complaint.search([]), self.mine)
        self.customer_portal.partner_id.parent_id = company
        # record rules are cached per user, as in any new request
        self.env.registry.clear_cache()
        self.assertEqual(Complaint.search([]), self.mine | of_company)
        self.assertFalse(
            self.env["cs.complaint"]
            .with_user(self.other_portal)
            .search([("id", "in", (self.mine | of_company).ids)])
        )

    def test_internal_fields_refused_to_portal(self):
        """Even through JSON-RPC, a customer reads no internal field."""
        mine = self.mine.with_user(self.customer_portal)
        self.assertEqual(
            mine.read(["subject", "portal_status"])[0]["subject"],
            "Portal: my card fee",
        )
        for field in ("root_cause_analysis", "user_id", "team_id"):
            with (
                self.subTest(field=field),
                self.assertRaisesRegex(AccessError, field),
            ):
                mine.read(["subject", field])
        with self.assertRaisesRegex(AccessError, "user_id"):
            mine.search_read([], ["user_id"])
        with self.assertRaisesRegex(AccessError, "user_id"):
            mine.search([("user_id", "=", self.agent_a.id)])
        with self.assertRaisesRegex(AccessError, "user_id"):
            mine.invalidate_recordset()
            self.assertFalse(mine.user_id, "never reached: reading the field fails")
        readable = mine.check_field_access_rights("read", None)
        self.assertIn("subject", readable)
        self.assertNotIn("root_cause_analysis", readable)
        self.assertNotIn("user_id", readable)
        # employees are not concerned
        self.assertIn(
            "Secret analysis",
            self.mine.with_user(self.manager).root_cause_analysis,
        )

    def test_status_in_customer_words(self):
        expected = {
            self.stage_new: "Received",
            self.stage_in_progress: "Being investigated",
            self.stage_awaiting: "Waiting for you",
        }
        for stage, label in expected.items():
            self.mine.stage_id = stage
            self.assertEqual(self.mine.portal_status, label)
        self.mine.write({"outcome": "upheld", "stage_id": self.stage_resolved.id})
        self.assertEqual(self.mine.portal_status, "Answered")

    def test_access_url_and_token(self):
        self.assertEqual(self.mine.access_url, f"/my/complaints/{self.mine.id}")
        # every complaint has its own token from its creation
        token = self.mine.access_token
        self.assertTrue(token)
        self.assertTrue(self.theirs.access_token)
        self.assertNotEqual(token, self.theirs.access_token)
        url = self.mine.get_portal_url()
        self.assertEqual(self.mine.access_token, token)
        self.assertIn(f"access_token={token}", url)

    def test_acknowledgement_mail_carries_the_token_link(self):
        complaint = self.create_complaint(subject="Portal: acknowledged")
        self.mail_queued_acknowledgements()
        mail = self.env["mail.mail"].search(
            [("model", "=", "cs.complaint"), ("res_id", "=", complaint.id)]
        )
        self.assertEqual(len(mail), 1)
        self.assertTrue(complaint.access_token)
        self.assertIn(
            f"/my/complaints/{complaint.id}?access_token={complaint.access_token}",
            mail.body_html,
        )

    def test_handler_hidden_by_setting(self):
        self.assertEqual(self.mine._portal_handler_name(), self.agent_a.name)
        self.company_a.cs_portal_hide_handler = True
        self.assertEqual(self.mine._portal_handler_name(), "")

    def test_policy_deadlines_in_plain_words(self):
        self.policy_nfra.write(
            {
                "ack_time": 2,
                "ack_unit": "working_days",
                "resolve_time": 15,
                "resolve_unit": "calendar_days",
            }
        )
        self.assertEqual(
            self.policy_nfra._portal_deadline_words(),
            "We acknowledge your complaint within 2 working days. "
            "We send you our final response within 15 calendar days.",
        )
        self.policy_nfra.ack_time = 0
        self.assertEqual(
            self.policy_nfra._portal_deadline_words(),
            "We send you our final response within 15 calendar days.",
        )


@tagged("post_install", "-at_install")
class TestPortalPages(CsPortalCommon, HttpCase):
    def _page(self, complaint, token=None):
        url = f"/my/complaints/{complaint.id}"
        if token is not None:
            url += f"?access_token={token}"
        return self.url_open(url)

    def test_own_complaint_and_not_another(self):
        self.authenticate(self.customer_portal.login, self.customer_portal.login)
        response = self.url_open("/my/complaints")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.mine.name, response.text)
        self.assertNotIn(self.theirs.name, response.text)
        response = self._page(self.mine)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Portal: my card fee", response.text)
        self.assertIn(self.agent_a.name, response.text)
        self.assertNotIn("Secret analysis", response.text)
        self.assertEqual(self._page(self.theirs).status_code, 404)
        # another complaint's token opens nothing either
        self.assertEqual(
            self._page(self.theirs, self.mine._portal_ensure_token()).status_code, 404
        )

    def test_search_and_counter(self):
        self.authenticate(self.customer_portal.login, self.customer_portal.login)
        response = self.url_open("/my/complaints?search=nothing-like-this")
        self.assertNotIn(self.mine.name, response.text)
        response = self.url_open("/my/complaints?search=card fee")
        self.assertIn(self.mine.name, response.text)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["cs_complaint_count"]}
        )
        self.assertEqual(counters["cs_complaint_count"], 1)

    def test_token_valid_reused_forged(self):
        token = self.mine._portal_ensure_token()
        for attempt in range(2):
            with self.subTest(attempt=attempt):
                response = self._page(self.mine, token)
                self.assertEqual(response.status_code, 200)
                self.assertIn("Portal: my card fee", response.text)
        self.assertEqual(self._page(self.mine, token[:-2] + "zz").status_code, 404)
        self.assertEqual(self._page(self.mine, "").status_code, 404)
        self.assertEqual(self._page(self.theirs, token).status_code, 404)

    def test_internal_notes_never_shown(self):
        token = self.mine._portal_ensure_token()
        result = self.make_jsonrpc_request(
            "/mail/chatter_fetch",
            {"thread_model": "cs.complaint", "thread_id": self.mine.id, "token": token},
        )
        bodies = " ".join(
            str(message["body"]) for message in result["data"]["mail.message"]
        )
        self.assertIn("Public answer to the customer", bodies)
        self.assertNotIn("Internal note", bodies)

    def test_reply_with_attachment_through_the_chatter(self):
        """The portal chatter's upload and post, as its composer calls them."""
        self.authenticate(self.customer_portal.login, self.customer_portal.login)
        page = self.url_open("/my/complaints/new")
        response = self.url_open(
            "/mail/attachment/upload",
            data={
                "csrf_token": CSRF.search(page.text).group(1),
                "thread_id": self.mine.id,
                "thread_model": "cs.complaint",
                "is_pending": "true",
            },
            files={"ufile": ("proof.pdf", b"%PDF-1.4", "application/pdf")},
        )
        self.assertEqual(response.status_code, 200)
        attachment = response.json()["data"]["ir.attachment"][0]
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "cs.complaint",
                "thread_id": self.mine.id,
                "post_data": {
                    "body": "Here is my proof",
                    "attachment_ids": [attachment["id"]],
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                },
                "attachment_tokens": [attachment["access_token"]],
            },
        )
        message = self.mine.message_ids[0]
        self.assertIn("Here is my proof", message.body)
        self.assertEqual(message.author_id, self.customer_portal.partner_id)
        self.assertEqual(message.attachment_ids.mapped("name"), ["proof.pdf"])
        self.assertFalse(message.is_internal)
        response = self._page(self.mine)
        self.assertIn("proof.pdf", response.text)

    def _upload(self, csrf, name, content):
        """A file uploaded as the portal chatter's composer uploads it."""
        return self.url_open(
            "/mail/attachment/upload",
            data={
                "csrf_token": csrf,
                "thread_id": self.mine.id,
                "thread_model": "cs.complaint",
                "is_pending": "true",
            },
            files={"ufile": (name, content, "application/octet-stream")},
        )

    def test_chatter_upload_follows_the_portal_limits(self):
        """The chatter's uploads refuse what the New Complaint form refuses,
        with the reason the composer shows."""
        self.company_a.write(
            {"cs_portal_max_attachment_mb": 1, "cs_portal_allowed_extensions": "pdf"}
        )
        self.authenticate(self.customer_portal.login, self.customer_portal.login)
        csrf = CSRF.search(self.url_open("/my/complaints/new").text).group(1)
        Attachment = self.env["ir.attachment"].sudo()
        before = Attachment.search_count([])
        cases = {
            "over the limit": ("big.pdf", b"x" * (1024 * 1024 + 1), "larger than 1"),
            "bad type": ("virus.exe", b"MZ", "not accepted"),
        }
        for case, (name, content, error) in cases.items():
            with self.subTest(case=case):
                response = self._upload(csrf, name, content)
                self.assertEqual(response.status_code, 200)
                self.assertIn(error, response.json()["error"])
                self.assertEqual(Attachment.search_count([]), before)
        response = self._upload(csrf, "small.pdf", b"%PDF-1.4")
        self.assertEqual(
            response.json()["data"]["ir.attachment"][0]["name"], "small.pdf"
        )

    def test_handler_hidden_on_page(self):
        self.company_a.cs_portal_hide_handler = True
        response = self._page(self.mine, self.mine._portal_ensure_token())
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(self.agent_a.name, response.text)

    def _submit(self, files, **form):
        self.authenticate(self.customer_portal.login, self.customer_portal.login)
        page = self.url_open("/my/complaints/new")
        self.assertEqual(page.status_code, 200)
        data = {
            "csrf_token": CSRF.search(page.text).group(1),
            "category_id": str(self.cat_fees.id),
            "subject": "Portal: fee on a closed account",
            "description": "You charged a fee after I closed the account.",
            "preferred_contact_channel": "phone",
            "preferred_contact_time": "morning",
            **form,
        }
        return self.url_open(
            "/my/complaints/new",
            data=data,
            files=[("attachments", file) for file in files],
        )

    def _submitted(self):
        return self.env["cs.complaint"].search(
            [("subject", "=", "Portal: fee on a closed account")]
        )

    def test_submit_with_attachments_under_the_limit(self):
        self.company_a.write(
            {
                "cs_portal_max_attachment_mb": 1,
                "cs_portal_allowed_extensions": "pdf, PNG",
            }
        )
        response = self._submit(
            [
                (
                    "statement.pdf",
                    b"%PDF" + b"x" * (1024 * 1024 - 4),
                    "application/pdf",
                ),
                ("receipt.png", b"png", "image/png"),
            ]
        )
        self.assertEqual(response.status_code, 200)
        complaint = self._submitted()
        self.assertEqual(len(complaint), 1)
        self.assertIn(complaint.name, response.text)
        self.assertIn("We have received your complaint", response.text)
        self.assertEqual(complaint.partner_id, self.customer_portal.partner_id)
        self.assertEqual(complaint.channel, "portal")
        self.assertEqual(complaint.category_id, self.cat_fees)
        self.assertEqual(complaint.team_id, self.team_a)
        self.assertEqual(complaint.preferred_contact_channel, "phone")
        self.assertEqual(complaint.preferred_contact_time, "morning")
        self.assertEqual(complaint.create_uid, self.customer_portal)
        message = complaint.message_ids.filtered("attachment_ids")
        self.assertEqual(message.author_id, self.customer_portal.partner_id)
        self.assertEqual(
            sorted(message.attachment_ids.mapped("name")),
            ["receipt.png", "statement.pdf"],
        )
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))

    def test_submit_refuses_large_and_bad_files(self):
        self.company_a.write(
            {"cs_portal_max_attachment_mb": 1, "cs_portal_allowed_extensions": "pdf"}
        )
        cases = {
            "over the limit": ("big.pdf", b"x" * (1024 * 1024 + 1), "larger than 1"),
            "bad type": ("virus.exe", b"MZ", "not accepted"),
            "no extension": ("noext", b"data", "not accepted"),
        }
        for case, (name, content, error) in cases.items():
            with self.subTest(case=case):
                response = self._submit([(name, content, "application/octet-stream")])
                self.assertEqual(response.status_code, 200)
                self.assertIn(error, response.text)
                self.assertFalse(self._submitted())

    def test_submit_refuses_hidden_category(self):
        self.cat_fees.portal_visible = False
        response = self._submit([])
        self.assertIn("Choose what your complaint is about", response.text)
        self.assertFalse(self._submitted())

    def test_public_complaints_page(self):
        self.policy_nfra.write(
            {
                "ack_time": 2,
                "ack_unit": "working_days",
                "resolve_time": 15,
                "resolve_unit": "calendar_days",
                "regulator": "<p>The Banking Ombudsman, 100 Finance Street</p>",
            }
        )
        lang = self.env["res.lang"]._activate_lang("fr_FR")
        self.policy_nfra.with_context(lang=lang.code).name = "Délais NFRA"
        response = self.url_open("/complaints")
        self.assertEqual(response.status_code, 200)
        self.assertIn("within 15 calendar days", response.text)
        self.assertIn("Banking Ombudsman", response.text)
        self.assertIn("Branch Counter", response.text)
        self.assertNotIn("Regulator Referral", response.text)
        self.assertNotIn("Délais NFRA", response.text)
        # the language selector of the portal layout links there
        self.assertIn('href="/fr/complaints"', response.text)
        response = self.url_open("/fr/complaints")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Délais NFRA", response.text)

    def test_portal_tour(self):
        """A portal customer submits a complaint, replies and rates another."""
        self.company_a.cs_portal_allowed_extensions = "pdf,txt"
        self.mine.write({"outcome": "upheld", "stage_id": self.stage_resolved.id})
        self.start_tour("/my", "cs_portal_tour", login=self.customer_portal.login)
        complaint = self.env["cs.complaint"].search(
            [("subject", "=", "Tour: charged for a card I never ordered")]
        )
        self.assertEqual(len(complaint), 1)
        self.assertEqual(complaint.channel, "portal")
        self.assertEqual(complaint.partner_id, self.customer_portal.partner_id)
        reply = complaint.message_ids.filtered(
            lambda message: "I attach my statement" in message.body
        )
        self.assertEqual(reply.author_id, self.customer_portal.partner_id)
        rating = self.mine.rating_ids.filtered("consumed")
        self.assertEqual(rating.rating, 5)
        self.assertEqual(rating.partner_id, self.customer_portal.partner_id)


class TestPortalDemo(CsCommon):
    def test_demo_portal_customer(self):
        """The demo login sees its complaints in several stages, one to rate."""
        user = self.env.ref("customer_service_bank.cs_demo_user_portal_customer")
        self.assertTrue(user.share)
        complaints = self.env["cs.complaint"].with_user(user).search([])
        self.assertGreaterEqual(
            set(complaints.mapped("stage_kind")),
            {"new", "awaiting", "resolved", "closed"},
        )
        self.assertTrue(
            any(complaint.sudo()._portal_rating_url(5) for complaint in complaints)
        )
        awaiting = self.env.ref(
            "customer_service_bank.cs_demo_complaint_sh_portal_transfer_delay"
        )
        self.assertEqual(
            awaiting.website_message_ids.filtered(
                lambda message: not message.is_internal
            ).mapped("subtype_id"),
            self.env.ref("mail.mt_comment"),
        )
