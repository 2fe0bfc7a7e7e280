from datetime import datetime

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time
from odoo.tools import mute_logger

from .common import CsCommon

NOW = datetime(2026, 12, 4, 9, 0)


class QualityCommon(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.standard = cls.env["cs.service.standard"].create(
            {"name": "Greet the customer by name"}
        )
        # weights 1, 3 and 2 out of 6; maximums 5, 10 and 4
        cls.checklist = cls.env["cs.quality.checklist"].create(
            {
                "name": "Test checklist",
                "sequence": 50,
                "applies_to_complaint": True,
                "applies_to_followup": False,
                "criterion_ids": [
                    Command.create(
                        {
                            "name": "Greeting",
                            "sequence": 1,
                            "weight": 1,
                            "max_score": 5,
                            "standard_id": cls.standard.id,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Accuracy",
                            "sequence": 2,
                            "weight": 3,
                            "max_score": 10,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Timeliness",
                            "sequence": 3,
                            "weight": 2,
                            "max_score": 4,
                        }
                    ),
                ],
            }
        )
        cls.complaint = cls.create_complaint(user_id=cls.agent_a.id)
        cls.Review = cls.env["cs.quality.review"]

    @classmethod
    def _review(cls, user=None, **values):
        Review = cls.Review.with_user(user or cls.supervisor_a)
        return Review.create(
            {
                "complaint_id": cls.complaint.id,
                "checklist_id": cls.checklist.id,
                **values,
            }
        )

    @staticmethod
    def _score(review, *scores):
        for line, score in zip(review.line_ids, scores, strict=True):
            line.score = score

    def _submitted(self, *scores):
        review = self._review()
        self._score(review, *scores)
        # records created in a request track their changes from the next one
        self._flush_tracking()
        with freeze_time(NOW):
            review.action_submit()
        self._flush_tracking()
        return review

    def _flush_tracking(self):
        """Post the tracking messages, as the end of a request does."""
        self.env.flush_all()
        self.env.cr.precommit.run()


class TestQualityReview(QualityCommon):
    def test_shipped_checklist_is_the_default_for_complaints(self):
        review = self.Review.with_user(self.supervisor_a).create(
            {"complaint_id": self.complaint.id}
        )
        shipped = self.env.ref("customer_service_bank.cs_quality_checklist_complaint")
        self.assertEqual(review.checklist_id, shipped)
        self.assertEqual(len(review.line_ids), 5)
        self.assertEqual(review.line_ids.mapped("weight"), [1.0, 2.0, 2.0, 3.0, 2.0])
        self.assertEqual(set(review.line_ids.mapped("max_score")), {5})
        self.assertFalse(any(review.line_ids.mapped("is_scored")))
        self.assertEqual(review.reviewer_id, self.supervisor_a)
        self.assertEqual(review.agent_id, self.agent_a)
        self.assertEqual(review.team_id, self.team_a)
        self.assertEqual(review.company_id, self.company_a)
        self.assertEqual(review.state, "draft")
        self.assertEqual(review.display_name, f"Review of {self.complaint.name}")
        self.assertEqual(
            review.line_ids[0].standard_id,
            self.env.ref("customer_service_bank.cs_service_standard_greeting"),
        )

    def test_score_is_the_weighted_share_of_the_maximum(self):
        review = self._review()
        self.assertEqual(
            review.line_ids.mapped("name"), ["Greeting", "Accuracy", "Timeliness"]
        )
        self.assertEqual(review.score, 0.0)
        # (4/5 x 1 + 5/10 x 3 + 1/4 x 2) / 6 = 2.8 / 6
        self._score(review, 4, 5, 1)
        self.assertEqual(review.score, 46.67)
        self._score(review, 5, 10, 4)
        self.assertEqual(review.score, 100.0)
        self._score(review, 0, 0, 0)
        self.assertEqual(review.score, 0.0)
        self.assertTrue(all(review.line_ids.mapped("is_scored")))
        # (2.5/5 x 1 + 10/10 x 3 + 0 x 2) / 6 = 3.5 / 6
        self._score(review, 2.5, 10, 0)
        self.assertEqual(review.score, 58.33)

    def test_later_checklist_changes_leave_reviews_alone(self):
        review = self._review()
        self._score(review, 4, 5, 1)
        self.checklist.criterion_ids[0].write({"weight": 10, "max_score": 10})
        self.env["cs.quality.checklist.criterion"].create(
            {"checklist_id": self.checklist.id, "name": "Empathy", "weight": 5}
        )
        self.assertEqual(len(review.line_ids), 3)
        self.assertEqual(review.line_ids[0].weight, 1.0)
        self.assertEqual(review.score, 46.67)

    def test_changing_the_checklist_of_a_draft_replaces_its_lines(self):
        review = self._review()
        self._score(review, 4, 5, 1)
        shipped = self.env.ref("customer_service_bank.cs_quality_checklist_complaint")
        review.checklist_id = shipped
        self.assertEqual(review.line_ids.criterion_id, shipped.criterion_ids)
        self.assertEqual(review.score, 0.0)

    def test_form_builds_lines_from_the_checklist(self):
        form = Form(self.Review.with_user(self.supervisor_a))
        form.complaint_id = self.complaint
        # the default checklist's criteria, ready to score
        self.assertEqual(len(form.line_ids), 5)
        form.checklist_id = self.checklist
        self.assertEqual(form.agent_id, self.agent_a)
        self.assertEqual(len(form.line_ids), 3)
        with form.line_ids.edit(1) as line:
            line.score = 5
        review = form.save()
        self.assertEqual(review.line_ids.mapped("is_scored"), [False, True, False])
        self.assertEqual(review.score, 25.0)

    def test_followup_review_takes_owner_and_team(self):
        followup = self.env["cs.followup"].create(
            {
                "name": "Check the refund arrived",
                "partner_id": self.customer.id,
                "planned_date": "2026-11-20",
                "user_id": self.agent_a2.id,
            }
        )
        both = self.checklist.copy({"applies_to_followup": True})
        self.assertEqual(both.name, "Test checklist (copy)")
        review = self.Review.with_user(self.supervisor_a).create(
            {"followup_id": followup.id, "checklist_id": both.id}
        )
        self.assertEqual(review.agent_id, self.agent_a2)
        self.assertEqual(review.team_id, self.team_a)
        self.assertEqual(review.work_date.isoformat(), "2026-11-20")
        self.assertEqual(len(review.line_ids), 3)
        # a checklist for complaints only does not review follow-ups
        with self.assertRaisesRolledBack(ValidationError, "does not apply"):
            review.checklist_id = self.checklist

    def test_constraints(self):
        Criterion = self.env["cs.quality.checklist.criterion"]
        for weight in (0, -1):
            with self.assertRaisesRolledBack(
                ValidationError, "weight must be positive"
            ):
                Criterion.create(
                    {"checklist_id": self.checklist.id, "name": "W", "weight": weight}
                )
        with self.assertRaisesRolledBack(ValidationError, "maximum score must be"):
            Criterion.create(
                {"checklist_id": self.checklist.id, "name": "M", "max_score": 0}
            )
        with self.assertRaisesRolledBack(ValidationError, "complaints, follow-ups"):
            self.env["cs.quality.checklist"].create(
                {"name": "Nothing", "applies_to_complaint": False}
            )
        review = self._review()
        for score in (-1, 5.5):
            with self.assertRaisesRolledBack(
                ValidationError, r"Greeting: the score must be between 0 and 5"
            ):
                review.line_ids[0].score = score
        with self.assertRaisesRolledBack(ValidationError, "either a complaint"):
            self.Review.create(
                {"agent_id": self.agent_a.id, "checklist_id": self.checklist.id}
            )
        followup = self.env["cs.followup"].create(
            {
                "name": "Call back",
                "partner_id": self.customer.id,
                "planned_date": "2026-11-20",
                "user_id": self.agent_a.id,
            }
        )
        with self.assertRaisesRolledBack(ValidationError, "either a complaint"):
            review.followup_id = followup
        with self.assertRaisesRolledBack(ValidationError, "cannot review their own"):
            self.Review.create(
                {
                    "complaint_id": self.create_complaint(user_id=self.agent_a.id).id,
                    "reviewer_id": self.agent_a.id,
                }
            )
        # a complaint is reviewed once
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaisesRolledBack(IntegrityError, "complaint_uniq"),
        ):
            self._review(user=self.manager)
        self.assertEqual(review.line_ids[0].score, 0.0)

    def test_submit_needs_every_criterion_scored(self):
        review = self._review()
        with self.assertRaisesRolledBack(UserError, "not scored: Greeting, Timeliness"):
            review.line_ids[1].score = 0
            review.action_submit()
        self.assertEqual(review.state, "draft")
        self._score(review, 0, 0, 4)
        with freeze_time(NOW):
            review.action_submit()
        self.assertEqual(review.state, "done")
        self.assertEqual(review.review_date, NOW)
        self.assertEqual(review.score, 33.33)
        notice = review.message_ids[0]
        self.assertIn("33.33%", notice.body)
        self.assertEqual(notice.partner_ids, self.agent_a.partner_id)
        self.assertIn(self.agent_a.partner_id, review.message_partner_ids)
        with self.assertRaisesRolledBack(UserError, "already submitted"):
            review.action_submit()
        empty = self.Review.create(
            {
                "complaint_id": self.create_complaint(user_id=self.agent_a.id).id,
                "checklist_id": self.checklist.id,
                "reviewer_id": self.supervisor_a.id,
            }
        )
        empty.line_ids.unlink()
        with self.assertRaisesRolledBack(UserError, "no criterion to score"):
            empty.action_submit()

    def test_scores_are_frozen_once_submitted(self):
        review = self._submitted(5, 10, 4)
        with self.assertRaisesRolledBack(UserError, "reset it to draft"):
            review.line_ids[0].score = 1
        with self.assertRaisesRolledBack(UserError, "reset it to draft"):
            review.line_ids[0].unlink()
        with self.assertRaisesRolledBack(UserError, "before changing its checklist"):
            review.checklist_id = self.env.ref(
                "customer_service_bank.cs_quality_checklist_complaint"
            )
        with self.assertRaisesRolledBack(UserError, "only drafts can be deleted"):
            review.with_user(self.manager).unlink()
        review.action_reset_draft()
        self.assertEqual((review.state, review.review_date), ("draft", False))
        review.line_ids[0].score = 1
        # (1/5 x 1 + 10/10 x 3 + 4/4 x 2) / 6 = 5.2 / 6
        self.assertEqual(review.score, 86.67)
        review.with_user(self.manager).unlink()
        self.assertFalse(review.exists())

    def test_agent_acknowledges_once(self):
        review = self._submitted(5, 10, 4)
        with self.assertRaisesRolledBack(UserError, "Only .+ can acknowledge"):
            review.action_acknowledge()
        later = datetime(2026, 12, 5, 14, 0)
        with freeze_time(later):
            review.with_user(self.agent_a).action_acknowledge()
        self.assertEqual(review.state, "acknowledged")
        self.assertEqual(review.acknowledged_date, later)
        self._flush_tracking()
        tracked = review.sudo().message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "state"
        )
        self.assertEqual(tracked.mapped("new_value_char"), ["Acknowledged", "Done"])
        with self.assertRaisesRolledBack(UserError, "already acknowledged"):
            review.with_user(self.agent_a).action_acknowledge()
        with self.assertRaisesRolledBack(UserError, "not yet acknowledged"):
            review.action_reset_draft()

    def test_complaint_smart_button_for_supervisors(self):
        self.assertEqual(
            self.complaint.with_user(self.supervisor_a).quality_review_count, 0
        )
        review = self._review()
        complaint = self.complaint.with_user(self.supervisor_a)
        complaint.invalidate_recordset(["quality_review_count"])
        self.assertEqual(complaint.quality_review_count, 1)
        action = complaint.action_view_quality_reviews()
        self.assertEqual(self.Review.search(action["domain"]), review)
        self.assertEqual(action["context"], {"default_complaint_id": complaint.id})
        with self.assertRaises(AccessError):
            self.complaint.with_user(self.agent_a).read(["quality_review_count"])


class TestQualityReviewSecurity(QualityCommon):
    # fmt: off
    MATRIX = {
        # model                            portal employee agent supervisor manager
        "cs.service.standard":            ("",    "",      "r",  "r",       "rwcu"),
        "cs.quality.checklist":           ("",    "",      "r",  "r",       "rwcu"),
        "cs.quality.checklist.criterion": ("",    "",      "r",  "r",       "rwcu"),
        "cs.quality.review":              ("",    "",      "rw", "rwc",     "rwcu"),
        "cs.quality.review.line":         ("",    "",      "r",  "rwcu",    "rwcu"),
    }
    # fmt: on
    OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}

    def test_access_matrix(self):
        roles = ("portal", "employee", "agent_a", "supervisor_a", "manager")
        for model, rights in self.MATRIX.items():
            for role, granted in zip(roles, rights, strict=True):
                user = getattr(self, role)
                for letter, operation in self.OPERATIONS.items():
                    with self.subTest(model=model, role=role, operation=operation):
                        self.assertEqual(
                            self.env[model].with_user(user).has_access(operation),
                            letter in granted,
                        )

    def test_only_managers_configure(self):
        Standard = self.env["cs.service.standard"]
        standard = Standard.with_user(self.manager).create({"name": "Smile"})
        self.assertEqual(standard.with_user(self.agent_a).name, "Smile")
        with self.assertRaises(AccessError):
            standard.with_user(self.supervisor_a).write({"name": "Frown"})
        with self.assertRaises(AccessError):
            self.checklist.with_user(self.supervisor_a).write({"name": "Mine"})
        company_b_checklist = self.env["cs.quality.checklist"].create(
            {"name": "Bank B checklist", "company_id": self.company_b.id}
        )
        self.assertFalse(
            self.env["cs.quality.checklist"]
            .with_user(self.supervisor_a)
            .search([("id", "=", company_b_checklist.id)])
        )
        self.assertEqual(
            company_b_checklist.with_user(self.agent_c).name, "Bank B checklist"
        )

    def test_reviewed_agent_reads_and_acknowledges_only_once_submitted(self):
        review = self._review()
        self._score(review, 4, 5, 1)
        as_agent = review.with_user(self.agent_a)
        with self.assertRaises(AccessError):
            as_agent.read(["score"])
        self.assertFalse(as_agent.search([("id", "=", review.id)]))
        with freeze_time(NOW):
            review.action_submit()
        self.assertEqual(as_agent.score, 46.67)
        self.assertEqual(as_agent.line_ids.mapped("score"), [4.0, 5.0, 1.0])
        self.assertEqual(as_agent.search([]), review)
        with self.assertRaisesRolledBack(AccessError, "not change it"):
            as_agent.write({"coaching_notes": "<p>I did fine.</p>"})
        with self.assertRaisesRolledBack(AccessError, "not change it"):
            as_agent.write({"state": "done", "review_date": NOW})
        with self.assertRaisesRolledBack(AccessError, "cannot score it"):
            as_agent.line_ids[0].write({"score": 5})
        with self.assertRaisesRolledBack(AccessError, "not change it"):
            as_agent.write(
                {"line_ids": [Command.update(review.line_ids[0].id, {"score": 5})]}
            )
        with self.assertRaises(AccessError):
            as_agent.unlink()
        as_agent.message_post(body="Thanks, noted.", message_type="comment")
        as_agent.action_acknowledge()
        self.assertEqual(review.state, "acknowledged")
        with self.assertRaisesRolledBack(AccessError, "not change it"):
            as_agent.write({"state": "done"})
        self.assertEqual(review.score, 46.67)
        self.assertEqual(review.line_ids[0].score, 4.0)

    def test_supervisor_reviewed_cannot_edit_own_review(self):
        complaint = self.create_complaint(user_id=self.supervisor_a.id)
        review = self._review(user=self.manager, complaint_id=complaint.id)
        self.assertEqual(review.agent_id, self.supervisor_a)
        self.assertEqual(review.reviewer_id, self.manager)
        # supervisor of the team: sees the draft, changes nothing
        as_reviewed = review.with_user(self.supervisor_a)
        self.assertEqual(as_reviewed.score, 0.0)
        with self.assertRaisesRolledBack(AccessError, "cannot score it"):
            as_reviewed.line_ids[0].score = 5
        with self.assertRaisesRolledBack(AccessError, "not change it"):
            as_reviewed.comments = "<p>Great work.</p>"

    def test_other_users_see_nothing(self):
        review = self._submitted(5, 10, 4)
        for user in (self.agent_a2, self.agent_b, self.supervisor_b, self.agent_c):
            with self.subTest(user=user.login):
                as_user = review.with_user(user)
                with self.assertRaises(AccessError):
                    as_user.read(["score"])
                self.assertFalse(as_user.search([("id", "=", review.id)]))
                with self.assertRaises(AccessError):
                    review.line_ids[0].with_user(user).read(["score"])
        for user in (self.employee, self.portal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                review.with_user(user).read(["score"])
        # a manager sees every team's reviews, and only those of his companies
        self.assertEqual(review.with_user(self.manager).score, 100.0)
        complaint_c = self.create_complaint(
            company_id=self.company_b.id,
            team_id=self.team_c.id,
            partner_id=self.customer_b.id,
            user_id=self.agent_c.id,
        )
        review_c = self.Review.with_user(self.supervisor_c).create(
            {"complaint_id": complaint_c.id}
        )
        self.assertEqual(review_c.reviewer_id, self.supervisor_c)
        self.assertEqual(review_c.company_id, self.company_b)
        with self.assertRaises(AccessError):
            review_c.with_user(self.manager).read(["score"])

    def test_supervisors_review_their_teams(self):
        review = self._review()
        self.assertEqual(review.with_user(self.supervisor_a).state, "draft")
        review.with_user(self.supervisor_a).comments = "<p>Clear answer.</p>"
        with self.assertRaises(AccessError):
            review.with_user(self.supervisor_b).write({"comments": "<p>No.</p>"})
        # a reviewer named outside the team sees the review he must make
        review.reviewer_id = self.supervisor_b
        self.assertEqual(review.with_user(self.supervisor_b).agent_id, self.agent_a)
        with self.assertRaises(AccessError):
            self.Review.with_user(self.agent_a2).create(
                {"complaint_id": self.create_complaint(user_id=self.agent_a.id).id}
            )
