from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time

from .common import CsCommon


class TestImprovementIdea(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.idea = cls.propose(cls.agent_a)

    @classmethod
    def propose(cls, user, **values):
        return (
            cls.env["cs.improvement.idea"]
            .with_user(user)
            .create(
                {
                    "name": f"Idea of {user.name}",
                    "category_id": cls.cat_fees.id,
                    "problem": "Customers call twice.",
                    "proposal": "<p>Call them back.</p>",
                    **values,
                }
            )
        )

    def test_propose_and_decide_in_the_form(self):
        with Form(self.env["cs.improvement.idea"].with_user(self.agent_a2)) as form:
            form.name = "Fewer forms"
            form.process = "Account closing"
            form.problem = "Three forms to close an account."
            form.proposal = "<p>One form.</p>"
        idea = form.record
        self.assertEqual((idea.proposer_id, idea.team_id), (self.agent_a2, self.team_a))
        with Form(idea.with_user(self.supervisor_a)) as form:
            form.rejection_reason = "The regulator requires the three."
        idea.with_user(self.supervisor_a).action_reject()
        self.assertEqual(idea.state, "rejected")

    def test_proposal_defaults(self):
        self.assertEqual(self.idea.proposer_id, self.agent_a)
        self.assertEqual(self.idea.team_id, self.team_a)
        self.assertEqual(self.idea.company_id, self.company_a)
        self.assertEqual(self.idea.state, "submitted")

    def track(self):
        """Write the tracking values, as the commit would."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def test_workflow_by_supervisor(self):
        idea = self.idea.with_user(self.supervisor_a)
        idea.action_accept()
        self.track()
        self.assertEqual(idea.state, "accepted")
        with self.assertRaisesRolledBack(ValidationError, "Name the figure"):
            idea.action_implement()
        idea.write(
            {"figure_name": "Reopen rate", "figure_unit": "%", "figure_before": 12.5}
        )
        with freeze_time("2026-11-20"):
            idea.action_implement()
        self.track()
        self.assertEqual(idea.state, "implemented")
        self.assertEqual(idea.implemented_date, date(2026, 11, 20))
        idea.figure_after = 7.0
        with freeze_time("2026-12-20"):
            idea.action_measure()
        self.assertEqual(idea.state, "measured")
        self.assertEqual(idea.figure_measured_date, date(2026, 12, 20))
        self.assertEqual(
            (idea.figure_before, idea.figure_after, idea.figure_unit), (12.5, 7.0, "%")
        )
        self.assertEqual(idea.implemented_date, date(2026, 11, 20))
        self.track()
        states = (
            idea.sudo()
            .message_ids.tracking_value_ids.filtered(
                lambda value: value.field_id.name == "state"
            )
            .mapped("new_value_char")
        )
        self.assertLessEqual({"Implemented", "Measured"}, set(states))

    def test_transitions_follow_the_workflow(self):
        idea = self.idea.with_user(self.supervisor_a)
        with self.assertRaisesRegex(UserError, "Submitted: it cannot become Measured"):
            idea.action_measure()
        with self.assertRaisesRegex(UserError, "cannot become Implemented"):
            idea.action_implement()
        idea.write({"rejection_reason": "Already done by the card centre."})
        idea.action_reject()
        with self.assertRaisesRegex(UserError, "Rejected: it cannot become Accepted"):
            idea.action_accept()

    def test_rejection_reason_required(self):
        idea = self.idea.with_user(self.supervisor_a)
        with self.assertRaisesRolledBack(ValidationError, "reason for rejecting"):
            idea.action_reject()
        self.assertEqual(idea.state, "submitted")
        idea.rejection_reason = "   "
        with self.assertRaisesRolledBack(ValidationError, "reason for rejecting"):
            idea.action_reject()
        idea.rejection_reason = "The regulator requires a final response."
        idea.action_reject()
        self.assertEqual(idea.state, "rejected")

    def test_decisions_by_supervisors_of_the_team_only(self):
        own = self.idea.with_user(self.agent_a)
        with self.assertRaisesRegex(AccessError, "Only supervisors decide"):
            own.action_accept()
        with self.assertRaisesRegex(AccessError, "Only supervisors decide"):
            own.write({"state": "accepted"})
        with self.assertRaisesRegex(AccessError, "Only supervisors decide"):
            own.write({"rejection_reason": "Mine"})
        with self.assertRaisesRegex(AccessError, "Only supervisors decide"):
            self.propose(self.agent_a2, state="implemented", figure_name="x")
        with self.assertRaises(AccessError):
            self.idea.with_user(self.supervisor_b).action_accept()
        self.assertEqual(self.idea.state, "submitted")
        self.idea.with_user(self.manager).action_accept()
        self.assertEqual(self.idea.state, "accepted")

    def test_proposer_edits_while_submitted(self):
        own = self.idea.with_user(self.agent_a)
        own.write({"expected_benefit": "Fewer calls"})
        with self.assertRaises(AccessError):
            self.idea.with_user(self.agent_a2).write({"expected_benefit": "Mine"})
        self.idea.with_user(self.supervisor_a).action_accept()
        with self.assertRaises(AccessError):
            own.write({"expected_benefit": "Changed"})

    def test_visibility(self):
        idea_a2 = self.propose(self.agent_a2)
        idea_b = self.propose(self.agent_b)
        idea_c = self.propose(self.agent_c, category_id=False, process="Closing")
        ideas = self.idea | idea_a2 | idea_b | idea_c
        expected = {
            self.agent_a: self.idea | idea_a2,
            self.agent_b: idea_b,
            self.supervisor_a: self.idea | idea_a2,
            self.supervisor_b: idea_b,
            self.manager: self.idea | idea_a2 | idea_b,
            self.agent_c: idea_c,
        }
        for user, visible in expected.items():
            with self.subTest(user=user.login):
                found = (
                    self.env["cs.improvement.idea"]
                    .with_user(user)
                    .search([("id", "in", ideas.ids)])
                )
                self.assertEqual(found, visible)
        with self.assertRaises(AccessError):
            self.env["cs.improvement.idea"].with_user(self.employee).search([])

    def test_votes_once_per_user(self):
        self.idea.with_user(self.agent_a2).action_vote()
        self.idea.with_user(self.supervisor_a).action_vote()
        self.assertEqual(self.idea.vote_count, 2)
        with self.assertRaisesRegex(UserError, "already voted"):
            self.idea.with_user(self.agent_a2).action_vote()
        self.assertEqual(self.idea.vote_count, 2)
        self.assertTrue(self.idea.with_user(self.agent_a2).has_voted)
        with self.assertRaisesRegex(AccessError, "Vote with the vote button"):
            self.idea.with_user(self.agent_a).write(
                {"voter_ids": [Command.link(self.agent_a.id)]}
            )
        with self.assertRaises(AccessError):
            self.idea.with_user(self.agent_b).action_vote()
        decided = self.idea.with_user(self.supervisor_a)
        decided.write({"rejection_reason": "No"})
        decided.action_reject()
        with self.assertRaisesRegex(UserError, "votes are closed"):
            self.idea.with_user(self.agent_a).action_vote()

    def test_bad_input(self):
        with self.assertRaisesRolledBack(
            ValidationError, "process or complaint category"
        ):
            self.propose(self.agent_a, category_id=False)
        with self.assertRaisesRolledBack(ValidationError, "Give the date"):
            self.env["cs.improvement.idea"].create(
                {
                    "name": "Measured without date",
                    "team_id": self.team_a.id,
                    "process": "Closing",
                    "problem": "x",
                    "proposal": "<p>y</p>",
                    "state": "measured",
                    "figure_name": "Reopen rate",
                }
            )

    def test_implemented_ideas_kpi(self):
        """The appraisal KPI counts implemented and measured ideas of each
        agent in the period, bounds included, in one query; agents without
        any count 0."""
        Kpi = self.env["cs.appraisal.kpi.line"]

        def implemented(user, on, state="implemented"):
            idea = self.propose(user)
            idea.sudo().write(
                {"state": state, "implemented_date": on, "figure_name": "Fig"}
                | ({"figure_measured_date": on} if state == "measured" else {})
            )
            return idea

        first = implemented(self.agent_a, date(2026, 10, 1))
        last = implemented(self.agent_a, date(2026, 12, 31), state="measured")
        implemented(self.agent_a, date(2026, 9, 30))  # before the period
        other = implemented(self.agent_a2, date(2026, 11, 15))
        implemented(self.agent_b, date(2027, 1, 1))  # after the period
        implemented(self.agent_c, date(2026, 11, 15))  # not asked for
        self.propose(self.agent_b)  # submitted only
        users = self.agent_a | self.agent_a2 | self.agent_b
        self.env.flush_all()
        with self.assertQueryCount(1):
            res_model, figures = Kpi._kpi_implemented_ideas(
                users.ids, date(2026, 10, 1), date(2026, 12, 31)
            )
        self.assertEqual(res_model, "cs.improvement.idea")
        self.assertEqual(
            {user: (f.value, f.count, f.res_ids) for user, f in figures.items()},
            {
                self.agent_a.id: (2.0, 2, (first | last).ids),
                self.agent_a2.id: (1.0, 1, other.ids),
                self.agent_b.id: (0.0, 0, []),
            },
        )
