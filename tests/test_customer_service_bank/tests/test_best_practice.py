from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError

from .common import CsCommon


class TestBestPractice(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Practice = cls.env["cs.best.practice"]
        cls.draft_a = Practice.with_user(cls.agent_a).create(
            {
                "name": "Agent A's draft",
                "body": "<p>Refund on the first call.</p>",
                "category_ids": [Command.set(cls.cat_fees.ids)],
            }
        )
        cls.draft_a2 = Practice.with_user(cls.agent_a2).create(
            {
                "name": "Agent A2's draft",
                "category_ids": [Command.set(cls.cat_fees.ids)],
            }
        )
        cls.draft_b = Practice.with_user(cls.agent_b).create(
            {"name": "Agent B's draft"}
        )
        cls.published_cards = Practice.create(
            {
                "name": "Block the card first",
                "author_id": cls.agent_a2.id,
                "team_id": cls.team_a.id,
                "category_ids": [Command.set(cls.cat_cards.ids)],
            }
        )
        cls.published_loans = Practice.create(
            {
                "name": "Loan fees",
                "author_id": cls.agent_b.id,
                "team_id": cls.team_b.id,
                "category_ids": [Command.set(cls.cat_loans.ids)],
            }
        )
        (cls.published_cards | cls.published_loans).action_publish()
        cls.draft_c = Practice.with_user(cls.agent_c).create({"name": "Bank B's draft"})
        cls.practices = {
            "draft_a": cls.draft_a,
            "draft_a2": cls.draft_a2,
            "draft_b": cls.draft_b,
            "cards": cls.published_cards,
            "loans": cls.published_loans,
            "draft_c": cls.draft_c,
        }

    def visible(self, user):
        found = (
            self.env["cs.best.practice"]
            .with_user(user)
            .search([("id", "in", [p.id for p in self.practices.values()])])
        )
        return {key for key, practice in self.practices.items() if practice & found}

    def test_defaults(self):
        self.assertEqual(self.draft_a.author_id, self.agent_a)
        self.assertEqual(self.draft_a.team_id, self.team_a)
        self.assertEqual(self.draft_a.state, "draft")
        self.assertEqual(self.published_cards.state, "published")
        self.assertTrue(self.published_cards.published_date)

    def test_visibility_per_group(self):
        expected = {
            # agents: published and their own drafts
            "agent_a": {"draft_a", "cards", "loans"},
            "agent_a2": {"draft_a2", "cards", "loans"},
            "agent_b": {"draft_b", "cards", "loans"},
            # supervisors: also their teams' drafts
            "supervisor_a": {"draft_a", "draft_a2", "cards", "loans"},
            "supervisor_b": {"draft_b", "cards", "loans"},
            "manager": {"draft_a", "draft_a2", "draft_b", "cards", "loans"},
            "agent_c": {"draft_c"},
            "supervisor_c": {"draft_c"},
        }
        for name, keys in expected.items():
            with self.subTest(user=name):
                self.assertEqual(self.visible(getattr(self, name)), keys)
        with self.assertRaises(AccessError):
            self.env["cs.best.practice"].with_user(self.employee).search([])
        with self.assertRaises(AccessError):
            self.draft_a.with_user(self.agent_a2).read(["name"])

    def test_publishing_by_supervisors_only(self):
        draft = self.draft_a.with_user(self.agent_a)
        draft.write({"body": "<p>Better</p>"})
        with self.assertRaisesRegex(AccessError, "Only supervisors publish"):
            draft.action_publish()
        with self.assertRaisesRegex(AccessError, "Only supervisors publish"):
            draft.write({"state": "published"})
        with self.assertRaises(AccessError):
            self.draft_a.with_user(self.supervisor_b).action_publish()
        self.assertEqual(self.draft_a.state, "draft")
        self.draft_a.with_user(self.supervisor_a).action_publish()
        self.assertEqual(self.draft_a.state, "published")
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking is written before the commit
        tracked = self.draft_a.sudo().message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "state"
        )
        self.assertEqual(tracked.new_value_char, "Published")
        # published: no longer the author's to edit or delete
        with self.assertRaises(AccessError):
            draft.write({"body": "<p>Changed</p>"})
        with self.assertRaises(AccessError):
            draft.unlink()
        self.draft_a2.with_user(self.agent_a2).unlink()
        self.assertFalse(self.draft_a2.exists())

    def test_helpful_votes_once_per_user(self):
        practice = self.published_cards
        practice.with_user(self.agent_a).action_vote()
        self.assertEqual(practice.vote_count, 1)
        self.assertTrue(practice.with_user(self.agent_a).has_voted)
        self.assertFalse(practice.with_user(self.agent_b).has_voted)
        with self.assertRaisesRegex(UserError, "already voted"):
            practice.with_user(self.agent_a).action_vote()
        practice.with_user(self.agent_b).action_vote()
        self.assertEqual(practice.vote_count, 2)
        practice.with_user(self.agent_b).action_unvote()
        self.assertEqual(practice.voter_ids, self.agent_a)
        self.assertEqual(practice.vote_count, 1)
        with self.assertRaisesRegex(UserError, "Only published practices"):
            self.draft_a.with_user(self.agent_a).action_vote()
        with self.assertRaisesRegex(AccessError, "Vote with the vote button"):
            self.draft_a.with_user(self.agent_a).write(
                {"voter_ids": [Command.link(self.agent_a2.id)]}
            )
        with self.assertRaises(AccessError):
            self.draft_c.with_user(self.agent_a).action_vote()

    def test_complaint_smart_button(self):
        """A complaint shows the published practices of its category and of
        the parent categories, and the button is on its form."""
        complaint = self.create_complaint()  # Fees, a subcategory of Cards
        as_agent = complaint.with_user(self.agent_a)
        self.assertEqual(as_agent.best_practice_count, 1)
        action = as_agent.action_view_best_practices()
        self.assertEqual(action["res_model"], "cs.best.practice")
        self.assertEqual(
            self.env["cs.best.practice"]
            .with_user(self.agent_a)
            .search(action["domain"]),
            self.published_cards,
        )
        self.draft_a.with_user(self.supervisor_a).action_publish()
        complaint.invalidate_recordset(["best_practice_count"])
        self.assertEqual(complaint.best_practice_count, 2)
        loans = self.create_complaint(category_id=self.cat_loans.id)
        self.assertEqual(loans.best_practice_count, 1)
        complaint.category_id = False
        self.assertEqual(complaint.best_practice_count, 0)
        arch = self.env["cs.complaint"].get_views([(False, "form")])["views"]["form"][
            "arch"
        ]
        self.assertTrue(
            etree.fromstring(arch).xpath(
                "//div[@name='button_box']/button[@name='action_view_best_practices']"
            )
        )

    def test_search_by_text(self):
        found = (
            self.env["cs.best.practice"]
            .with_user(self.agent_a)
            .name_search("Block the card")
        )
        self.assertEqual([row[0] for row in found], self.published_cards.ids)
        found = (
            self.env["cs.best.practice"]
            .with_user(self.agent_a)
            .search([("body", "ilike", "first call")])
        )
        self.assertEqual(found, self.draft_a)
