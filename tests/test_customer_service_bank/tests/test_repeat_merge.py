import base64
from datetime import date, datetime, timedelta

from odoo.exceptions import UserError
from odoo.tests import Form, freeze_time

from .common import CsCommon

# every complaint below is received before this moment
NOW = datetime(2027, 3, 1, 0, 0)
FIRST = datetime(2026, 11, 2, 2, 0)


@freeze_time(NOW)
class TestRepeatComplaints(CsCommon):
    def test_same_customer_and_category_within_window_is_a_repeat(self):
        first = self.create_complaint(received_date=FIRST)
        second = self.create_complaint(received_date=FIRST + timedelta(days=10))
        third = self.create_complaint(received_date=FIRST + timedelta(days=30))
        self.assertFalse(first.is_repeat)
        self.assertFalse(first.repeat_of_id)
        self.assertTrue(second.is_repeat)
        self.assertEqual(second.repeat_of_id, first)
        # the latest earlier complaint, not the first one
        self.assertEqual(third.repeat_of_id, second)
        self.assertEqual(first.repeat_ids, second)
        self.assertEqual(second.repeat_ids, third)

    def test_window_is_inclusive_and_then_closes(self):
        first = self.create_complaint(received_date=FIRST)
        on_edge = self.create_complaint(received_date=FIRST + timedelta(days=30))
        self.assertEqual(on_edge.repeat_of_id, first)
        # the other customer's earlier complaint, in the same category, is
        # one second out of the window
        earlier = self.create_complaint(
            partner_id=self.customer2.id, received_date=FIRST
        )
        too_late = self.create_complaint(
            partner_id=self.customer2.id,
            received_date=FIRST + timedelta(days=30, seconds=1),
        )
        self.assertFalse(
            too_late.is_repeat, "30 days and 1 second after the previous one"
        )
        self.assertFalse(earlier.repeat_ids)

    def test_other_category_or_customer_is_not_a_repeat(self):
        first = self.create_complaint(received_date=FIRST)
        later = FIRST + timedelta(days=3)
        other_category = self.create_complaint(
            category_id=self.cat_loans.id, received_date=later
        )
        parent_category = self.create_complaint(
            category_id=self.cat_cards.id, received_date=later
        )
        other_customer = self.create_complaint(
            partner_id=self.customer2.id, received_date=later
        )
        no_category = self.create_complaint(category_id=False, received_date=later)
        for complaint in (other_category, parent_category, other_customer, no_category):
            self.assertFalse(complaint.is_repeat, complaint.category_id.display_name)
            self.assertFalse(complaint.repeat_of_id)
        self.assertFalse(first.repeat_ids)

    def test_backdated_complaint_links_to_earlier_ones_only(self):
        later = self.create_complaint(received_date=FIRST + timedelta(days=5))
        backdated = self.create_complaint(received_date=FIRST)
        self.assertFalse(backdated.is_repeat)
        self.assertFalse(later.is_repeat)

    def test_window_setting_applies_to_new_complaints(self):
        first = self.create_complaint(received_date=FIRST)
        second = self.create_complaint(received_date=FIRST + timedelta(days=20))
        self.assertEqual(second.repeat_of_id, first)
        self.company_a.cs_repeat_window_days = 10
        third = self.create_complaint(received_date=FIRST + timedelta(days=35))
        self.assertFalse(third.is_repeat, "15 days after the second, window of 10")
        # complaints registered under the former window keep their link
        self.assertEqual(second.repeat_of_id, first)
        fourth = self.create_complaint(received_date=FIRST + timedelta(days=40))
        self.assertEqual(fourth.repeat_of_id, third)

    def test_repeats_within_one_batch(self):
        values = [
            {
                "received_date": FIRST + timedelta(days=offset),
                "subject": f"Fee #{offset}",
            }
            for offset in (0, 4, 8)
        ]
        complaints = self.env["cs.complaint"].create(
            [
                {
                    "partner_id": self.customer.id,
                    "team_id": self.team_a.id,
                    "category_id": self.cat_fees.id,
                    **vals,
                }
                for vals in values
            ]
        )
        self.assertEqual(complaints.mapped("is_repeat"), [False, True, True])
        self.assertEqual(complaints[1].repeat_of_id, complaints[0])
        self.assertEqual(complaints[2].repeat_of_id, complaints[1])


@freeze_time(NOW)
class TestMergeComplaints(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kept = cls.create_complaint(received_date=FIRST, user_id=cls.agent_a.id)
        cls.duplicate = cls.create_complaint(
            received_date=FIRST + timedelta(days=1),
            subject="Annual fee charged twice (by email)",
            channel="email",
        )

    def _wizard(self, complaints, user=None):
        model = self.env["cs.complaint.merge"].with_user(user or self.supervisor_a)
        action = complaints.action_merge()
        return Form(model.with_context(**action["context"]))

    def test_merge_moves_everything_to_the_kept_complaint(self):
        duplicate = self.duplicate.with_user(self.agent_a)
        attachment = (
            self.env["ir.attachment"]
            .with_user(self.agent_a)
            .create(
                {
                    "name": "statement.pdf",
                    "datas": base64.b64encode(b"%PDF-1.4 statement"),
                    "res_model": "cs.complaint",
                    "res_id": duplicate.id,
                }
            )
        )
        posted = duplicate.message_post(
            body="Customer sent the statement again", attachment_ids=attachment.ids
        )
        activity = duplicate.activity_schedule(
            "mail.mail_activity_data_todo", summary="Call back", user_id=self.agent_a.id
        )
        action = self.env["cs.complaint.action"].create(
            {
                "name": "Refund",
                "complaint_id": duplicate.id,
                "user_id": self.agent_a2.id,
                "date_deadline": date(2026, 11, 30),
            }
        )
        self.mail_queued_acknowledgements()
        ack = self.env["mail.mail"].search(
            [
                ("model", "=", "cs.complaint"),
                ("res_id", "=", duplicate.id),
                ("subject", "like", "we have received your complaint"),
            ]
        )
        self.assertEqual(len(ack), 1)
        duplicate_messages = self.env["mail.message"].search(
            [
                ("model", "=", "cs.complaint"),
                ("res_id", "=", duplicate.id),
            ]
        )

        form = self._wizard(self.kept | self.duplicate)
        self.assertEqual(form.target_id, self.kept)
        result = form.save().action_merge()

        self.assertEqual(result["res_id"], self.kept.id)
        self.assertEqual((posted.model, posted.res_id), ("cs.complaint", self.kept.id))
        self.assertEqual(posted.attachment_ids, attachment)
        self.assertEqual(attachment.res_id, self.kept.id)
        self.assertEqual(ack.res_id, self.kept.id)
        self.assertEqual(set(duplicate_messages.mapped("res_id")), {self.kept.id})
        self.assertEqual(activity.res_id, self.kept.id)
        self.assertEqual(action.complaint_id, self.kept)
        self.assertEqual(action.activity_id.res_id, self.kept.id)
        self.assertEqual(self.kept.open_action_count, 1)
        self.assertFalse(self.duplicate.active)
        self.assertEqual(self.duplicate.merged_into_id, self.kept)
        self.assertTrue(self.kept.active)
        self.assertFalse(self.kept.merged_into_id)

        kept_note = self.env["mail.message"].search(
            [
                ("model", "=", "cs.complaint"),
                ("res_id", "=", self.kept.id),
                ("body", "like", "Merged into this complaint:"),
            ]
        )
        self.assertEqual(len(kept_note), 1)
        self.assertIn(f'data-oe-id="{self.duplicate.id}"', kept_note.body)
        self.assertIn(self.duplicate.name, kept_note.body)
        self.assertEqual(kept_note.author_id, self.supervisor_a.partner_id)
        duplicate_note = self.env["mail.message"].search(
            [
                ("model", "=", "cs.complaint"),
                ("res_id", "=", self.duplicate.id),
            ]
        )
        self.assertEqual(len(duplicate_note), 1)
        self.assertEqual(duplicate_note.body, f"<p>Merged into {self.kept.name}.</p>")

    def test_merge_keeps_the_chosen_complaint(self):
        form = self._wizard(self.kept | self.duplicate)
        form.target_id = self.duplicate
        form.save().action_merge()
        self.assertEqual(self.kept.merged_into_id, self.duplicate)
        self.assertFalse(self.kept.active)
        self.assertTrue(self.duplicate.active)

    def test_merge_different_customers_is_refused(self):
        other = self.create_complaint(partner_id=self.customer2.id, received_date=FIRST)
        wizard = self._wizard(self.kept | other).save()
        with self.assertRaisesRolledBack(
            UserError, "Only complaints of the same customer"
        ):
            wizard.action_merge()
        self.assertTrue(other.active)
        self.assertFalse(other.merged_into_id)

    def test_merge_single_complaint_is_refused(self):
        wizard = self._wizard(self.kept).save()
        with self.assertRaisesRolledBack(UserError, "Choose at least two complaints"):
            wizard.action_merge()
        self.assertTrue(self.kept.active)

    def test_merge_target_outside_the_selection_is_refused(self):
        third = self.create_complaint(received_date=FIRST + timedelta(days=2))
        wizard = self._wizard(self.kept | self.duplicate).save()
        wizard.target_id = third
        with self.assertRaisesRolledBack(UserError, "Choose at least two complaints"):
            wizard.action_merge()
        self.assertTrue(self.duplicate.active)

    def test_merge_already_merged_is_refused(self):
        self._wizard(self.kept | self.duplicate).save().action_merge()
        # an archived merged complaint drops out of the selection
        wizard = self._wizard(self.kept | self.duplicate).save()
        self.assertEqual(wizard.complaint_ids, self.kept)
        with self.assertRaisesRolledBack(UserError, "Choose at least two complaints"):
            wizard.action_merge()
        # once restored, it can be neither merged again nor kept
        self.duplicate.action_unarchive()
        third = self.create_complaint(received_date=FIRST + timedelta(days=2))
        for target in (self.kept, self.duplicate):
            wizard = self._wizard(self.kept | self.duplicate | third).save()
            wizard.target_id = target
            with self.assertRaisesRolledBack(UserError, "already merged"):
                wizard.action_merge()
        self.assertTrue(third.active)
        self.assertFalse(third.merged_into_id)
        self.assertEqual(self.duplicate.merged_into_id, self.kept)
