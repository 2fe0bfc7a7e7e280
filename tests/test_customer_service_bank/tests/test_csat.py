from datetime import date, timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import CsCommon

RATING_SUBJECT = "how did we handle your complaint?"


class CsatCommon(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.complaint_template = cls.env.ref(
            "customer_service_bank.mail_template_cs_complaint_rating_request"
        )
        cls.followup_template = cls.env.ref(
            "customer_service_bank.mail_template_cs_followup_rating_request"
        )

    def _complaint(self, **values):
        return self.create_complaint(
            received_date=fields.Datetime.now() - timedelta(days=1), **values
        )

    def _resolve(self, complaint):
        complaint.write({"outcome": "upheld", "stage_id": self.stage_resolved.id})
        self.env.flush_all()

    def _rating_mails(self, record, subject_end):
        return self.env["mail.mail"].search(
            [
                ("model", "=", record._name),
                ("res_id", "=", record.id),
                ("subject", "=like", f"%{subject_end}"),
            ]
        )

    def _ratings(self, record):
        return self.env["rating.rating"].search(
            [("res_model", "=", record._name), ("res_id", "=", record.id)],
            order="id",
        )


class TestCsatRequests(CsatCommon):
    def test_resolved_stage_carries_the_rating_template(self):
        self.assertEqual(
            self.stage_resolved.rating_template_id, self.complaint_template
        )
        self.assertFalse(self.stage_closed.rating_template_id)
        self.assertTrue(self.company_a.cs_rating_enabled)

    def test_resolution_asks_the_customer_once(self):
        complaint = self._complaint()
        self.assertFalse(self._ratings(complaint))
        self._resolve(complaint)
        mail = self._rating_mails(complaint, RATING_SUBJECT)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.subject, f"{complaint.name}: {RATING_SUBJECT}")
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertEqual(mail.state, "outgoing")
        rating = self._ratings(complaint)
        self.assertEqual(len(rating), 1)
        self.assertRecordValues(
            rating,
            [
                {
                    "partner_id": self.customer.id,
                    "consumed": False,
                    "rating": 0.0,
                }
            ],
        )
        self.assertIn(f"/rate/{rating.access_token}/5", mail.body_html)
        self.assertIn(f"/rate/{rating.access_token}/1", mail.body_html)
        self.assertTrue(complaint.rating_request_date)
        # closing, then moving back to resolved, is no new resolution
        complaint.write({"root_cause_id": self.root_cause.id})
        complaint.stage_id = self.stage_closed
        complaint.stage_id = self.stage_resolved
        self.env.flush_all()
        self.assertEqual(len(self._rating_mails(complaint, RATING_SUBJECT)), 1)
        self.assertEqual(len(self._ratings(complaint)), 1)

    def test_reopened_complaint_is_asked_again_after_its_new_resolution(self):
        complaint = self._complaint()
        self._resolve(complaint)
        first = self._ratings(complaint)
        first.write({"rating": 5, "consumed": True})
        complaint.stage_id = self.stage_in_progress
        self.assertEqual(complaint.reopen_count, 1)
        self.assertFalse(complaint.rating_request_date)
        self.assertEqual(len(self._rating_mails(complaint, RATING_SUBJECT)), 1)
        self._resolve(complaint)
        self.assertEqual(len(self._rating_mails(complaint, RATING_SUBJECT)), 2)
        ratings = self._ratings(complaint)
        self.assertEqual(len(ratings), 2)
        self.assertNotEqual(ratings[1].access_token, first.access_token)
        self.assertFalse(ratings[1].consumed)

    def test_do_not_contact_customer_is_not_asked(self):
        self.customer.cs_do_not_contact = True
        complaint = self._complaint()
        self._resolve(complaint)
        self.assertFalse(self._rating_mails(complaint, RATING_SUBJECT))
        self.assertFalse(self._ratings(complaint))
        self.assertFalse(complaint.rating_request_date)
        # the final response is still due to the customer
        self.assertEqual(
            len(self._rating_mails(complaint, "our final response to your complaint")),
            1,
        )

    def test_setting_off_asks_nobody(self):
        self.company_a.cs_rating_enabled = False
        complaint = self._complaint()
        self._resolve(complaint)
        self.assertFalse(self._rating_mails(complaint, RATING_SUBJECT))
        self.assertFalse(self._ratings(complaint))

    def test_stage_without_template_asks_nobody(self):
        self.stage_resolved.rating_template_id = False
        complaint = self._complaint()
        self._resolve(complaint)
        self.assertFalse(self._ratings(complaint))

    def _followup(self, **values):
        return self.env["cs.followup"].create(
            {
                "name": "Check on the card",
                "partner_id": self.customer.id,
                "planned_date": date.today(),
                "user_id": self.agent_a.id,
                **values,
            }
        )

    def test_done_followup_asks_the_reached_customer_once(self):
        followup = self._followup(outcome="reached")
        followup.action_done()
        self.env.flush_all()
        mails = self._rating_mails(followup, "how was our contact with you?")
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.recipient_ids, self.customer)
        rating = self._ratings(followup)
        self.assertEqual(len(rating), 1)
        self.assertEqual(rating.rated_partner_id, self.agent_a.partner_id)
        self.assertIn(f"/rate/{rating.access_token}/3", mails.body_html)
        # reopened and done again: asked once only
        followup.action_reopen()
        followup.action_done()
        self.env.flush_all()
        self.assertEqual(
            len(self._rating_mails(followup, "how was our contact with you?")), 1
        )

    def test_followup_not_reached_or_do_not_contact_asks_nobody(self):
        not_reached = self._followup(outcome="not_reached")
        not_reached.action_done()
        self.customer2.cs_do_not_contact = True
        dnc = self._followup(partner_id=self.customer2.id, outcome="reached")
        dnc.action_done()
        # a past contact recorded as done asks nobody either
        recorded = self._followup(outcome="reached", done_date=date.today())
        self.env.flush_all()
        for followup in not_reached | dnc | recorded:
            self.assertEqual(followup.state, "done")
            self.assertFalse(self._ratings(followup))
            self.assertFalse(followup.rating_request_date)


@tagged("post_install", "-at_install")
class TestCsatRoutes(CsatCommon, HttpCase):
    """The customer rates from the mail's link, without logging in."""

    def _rated_complaint(self):
        complaint = self._complaint(user_id=self.agent_a.id)
        self._resolve(complaint)
        return complaint, self._ratings(complaint)

    def _rating_messages(self, complaint):
        return self.env["mail.message"].search(
            [
                ("model", "=", "cs.complaint"),
                ("res_id", "=", complaint.id),
                ("rating_ids", "!=", False),
            ]
        )

    def test_token_rates_and_posts_in_chatter(self):
        complaint, rating = self._rated_complaint()
        response = self.url_open(f"/rate/{rating.access_token}/5")
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        self.assertRecordValues(
            rating,
            [
                {
                    "rating": 5.0,
                    "consumed": True,
                    "partner_id": self.customer.id,
                    "rated_partner_id": self.agent_a.partner_id.id,
                }
            ],
        )
        message = self._rating_messages(complaint)
        self.assertEqual(len(message), 1)
        self.assertEqual(message.rating_id, rating)
        self.assertEqual(message.author_id, self.customer)
        self.assertEqual(complaint.rating_last_value, 5.0)
        self.assertEqual(complaint.rating_count, 1)
        self.assertEqual(complaint.rating_avg_text, "top")

    def test_reused_token_updates_the_same_rating(self):
        complaint, rating = self._rated_complaint()
        self.assertEqual(
            self.url_open(f"/rate/{rating.access_token}/5").status_code, 200
        )
        response = self.url_open(f"/rate/{rating.access_token}/1")
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        # Odoo's semantics: the customer may change their mind, on one rating
        self.assertEqual(self._ratings(complaint), rating)
        self.assertEqual(rating.rating, 1.0)
        self.assertEqual(len(self._rating_messages(complaint)), 1)
        self.assertEqual(complaint.rating_last_value, 1.0)
        self.assertEqual(complaint.rating_avg_text, "ko")

    def test_feedback_comment_is_kept(self):
        complaint, rating = self._rated_complaint()
        self.url_open(f"/rate/{rating.access_token}/3")
        response = self.url_open(
            f"/rate/{rating.access_token}/submit_feedback",
            data={
                "rate": "3",
                "feedback": "Slow but fair",
                "csrf_token": self._csrf_token(f"/rate/{rating.access_token}/3"),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        self.assertEqual(rating.feedback, "Slow but fair")
        self.assertEqual(rating.rating, 3.0)
        self.assertEqual(len(self._rating_messages(complaint)), 1)

    def _csrf_token(self, url):
        body = self.url_open(url).text
        marker = 'name="csrf_token" value="'
        start = body.index(marker) + len(marker)
        return body[start : body.index('"', start)]

    def test_forged_token_is_not_found(self):
        complaint, rating = self._rated_complaint()
        response = self.url_open("/rate/not-a-real-token-1234/5")
        self.assertEqual(response.status_code, 404)
        self.env.invalidate_all()
        self.assertFalse(rating.consumed)
        self.assertFalse(self._rating_messages(complaint))
