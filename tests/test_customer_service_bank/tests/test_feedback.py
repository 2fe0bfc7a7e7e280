from odoo import Command
from odoo.exceptions import AccessError, UserError

from .common import CsCommon


class TestFeedback(CsCommon):
    def _feedback(self, user=None, **values):
        Feedback = self.env["cs.feedback"]
        if user:
            Feedback = Feedback.with_user(user)
        return Feedback.create(
            {
                "name": "Card blocked abroad twice",
                "kind": "complaint",
                "channel": "phone",
                "partner_id": self.customer.id,
                "description": "<p>Blocked in Lisbon, then in Porto.</p>",
                **values,
            }
        )

    def test_agent_converts_feedback_to_a_complaint_once(self):
        feedback = self._feedback(user=self.agent_a)
        self.assertEqual(feedback.user_id, self.agent_a)
        self.assertEqual(feedback.company_id, self.company_a)
        action = feedback.action_convert_to_complaint()
        complaint = feedback.complaint_id
        self.assertTrue(complaint)
        self.assertEqual(
            (action["res_model"], action["res_id"], action["view_mode"]),
            ("cs.complaint", complaint.id, "form"),
        )
        self.assertEqual(feedback.state, "converted")
        self.assertRecordValues(
            complaint,
            [
                {
                    "subject": "Card blocked abroad twice",
                    "partner_id": self.customer.id,
                    "channel": "phone",
                    "team_id": self.team_a.id,
                    "company_id": self.company_a.id,
                    "stage_id": self.stage_new.id,
                    "create_uid": self.agent_a.id,
                }
            ],
        )
        self.assertEqual(
            complaint.description, "<p>Blocked in Lisbon, then in Porto.</p>"
        )
        self.assertRegex(complaint.name, r"^CMP/\d{4}/\d{5}$")
        origin = complaint.message_ids.filtered(
            lambda message: (
                'data-oe-model="cs.feedback"' in message.body
                and f'data-oe-id="{feedback.id}"' in message.body
            )
        )
        self.assertEqual(len(origin), 1)
        with self.assertRaisesRegex(
            UserError, f"already converted to complaint {complaint.name}"
        ):
            feedback.action_convert_to_complaint()
        self.assertEqual(
            self.env["cs.complaint"].search_count(
                [("subject", "=", "Card blocked abroad twice")]
            ),
            1,
        )

    def test_conversion_needs_a_customer_and_a_team(self):
        anonymous = self._feedback(partner_id=False)
        with self.assertRaisesRegex(UserError, "Set the customer"):
            anonymous.action_convert_to_complaint()
        # the manager belongs to no team: the customer's last complaint's team
        feedback = self._feedback(user=self.manager, partner_id=self.customer2.id)
        with self.assertRaisesRegex(UserError, "no team to handle the complaint"):
            feedback.action_convert_to_complaint()
        self.assertEqual(feedback.state, "new")
        self.create_complaint(partner_id=self.customer2.id, team_id=self.team_b.id)
        feedback.action_convert_to_complaint()
        self.assertEqual(feedback.complaint_id.team_id, self.team_b)

    def test_done_reopen_and_delete(self):
        feedback = self._feedback(kind="praise")
        feedback.action_done()
        self.assertEqual(feedback.state, "done")
        feedback.action_reopen()
        self.assertEqual(feedback.state, "new")
        converted = self._feedback(user=self.agent_a)
        converted.action_convert_to_complaint()
        converted.action_done()
        self.assertEqual(converted.state, "converted")
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            converted.with_user(self.supervisor_a).unlink()
        feedback.with_user(self.supervisor_a).unlink()
        self.assertFalse(feedback.exists())


class TestQualityAccess(CsCommon):
    """Who may read, write, create and delete the feedback and NPS models."""

    MATRIX = {
        # model: {user: "rwcu" allowed operations}
        "cs.feedback": {
            "agent_a": "rwc",
            "supervisor_a": "rwcu",
            "manager": "rwcu",
            "employee": "",
            "portal": "",
        },
        "cs.nps.survey": {
            "agent_a": "r",
            "supervisor_a": "rwcu",
            "manager": "rwcu",
            "employee": "",
            "portal": "",
        },
        "cs.nps.response": {
            "agent_a": "r",
            "supervisor_a": "r",
            "manager": "ru",
            "employee": "",
            "portal": "",
        },
    }
    OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}

    def test_access_matrix(self):
        for model, rights in self.MATRIX.items():
            for user_name, allowed in rights.items():
                user = getattr(self, user_name)
                for letter, operation in self.OPERATIONS.items():
                    with self.subTest(model=model, user=user_name, operation=operation):
                        self.assertEqual(
                            self.env[model].with_user(user).has_access(operation),
                            letter in allowed,
                        )

    def test_records_follow_the_matrix_and_companies(self):
        segment = self.env["cs.segment"].create({"name": "ACL tier", "kind": "tier"})
        survey = (
            self.env["cs.nps.survey"]
            .with_user(self.supervisor_a)
            .create({"name": "ACL survey", "segment_ids": [Command.link(segment.id)]})
        )
        response = self.env["cs.nps.response"].create(
            {"survey_id": survey.id, "partner_id": self.customer.id}
        )
        feedback = (
            self.env["cs.feedback"]
            .with_user(self.agent_a)
            .create({"name": "Friendly staff", "partner_id": self.customer.id})
        )
        self.assertEqual(survey.with_user(self.agent_a).name, "ACL survey")
        self.assertEqual(response.with_user(self.agent_a).partner_id, self.customer)
        with self.assertRaises(AccessError):
            survey.with_user(self.agent_a).write({"sample_size": 5})
        with self.assertRaises(AccessError):
            response.with_user(self.supervisor_a).write({"comment": "edited"})
        with self.assertRaises(AccessError):
            feedback.with_user(self.agent_a).unlink()
        # the token is for the public page only
        with self.assertRaises(AccessError):
            response.with_user(self.manager).read(["access_token"])
        for user in (self.employee, self.portal):
            with self.assertRaises(AccessError):
                feedback.with_user(user).read(["name"])
            with self.assertRaises(AccessError):
                response.with_user(user).read(["score"])
        # another company's agent sees none of it
        for record in (survey, response, feedback):
            with self.assertRaises(AccessError):
                record.with_user(self.agent_c).read(["display_name"])
        self.assertFalse(
            self.env["cs.nps.survey"]
            .with_user(self.agent_c)
            .search([("id", "=", survey.id)])
        )
