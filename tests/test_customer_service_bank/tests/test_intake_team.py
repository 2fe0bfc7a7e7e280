import re

from odoo.exceptions import ValidationError
from odoo.tests import Form

from .common import CsCommon


class TestIntakeTeam(CsCommon):
    """Complaints that arrive without a team go to the company's intake team."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a.cs_intake_team_id = cls.team_b
        cls.company_b.cs_intake_team_id = False

    @property
    def values(self):
        """Fresh values: create() fills in the dictionaries it is given."""
        return {"subject": "Card swallowed", "partner_id": self.customer.id}

    def test_left_out_team_is_the_users_own(self):
        complaint = self.env["cs.complaint"].with_user(self.agent_a).create(self.values)
        self.assertEqual(complaint.team_id, self.team_a)

    def test_user_without_team_gets_the_intake_team(self):
        # the manager works in no team: a script or an import run by them
        Complaint = self.env["cs.complaint"].with_user(self.manager)
        left_out = Complaint.create(self.values)
        empty = Complaint.create({**self.values, "team_id": False})
        self.assertEqual(left_out.team_id, self.team_b)
        self.assertEqual(empty.team_id, self.team_b)
        form = Form(Complaint)
        self.assertEqual(form.team_id, self.team_b)

    def test_empty_team_is_the_intake_team_even_for_a_team_member(self):
        # a script run by a member of team A sends an empty team
        self.team_b.member_ids += self.agent_a
        complaint = (
            self.env["cs.complaint"]
            .with_user(self.agent_a)
            .create({**self.values, "team_id": False})
        )
        self.assertEqual(complaint.team_id, self.team_b)

    def test_batch_of_two_companies(self):
        self.company_b.cs_intake_team_id = self.team_c
        complaints = (
            self.env["cs.complaint"]
            .with_context(allowed_company_ids=[self.company_a.id, self.company_b.id])
            .create(
                [
                    {**self.values, "team_id": False},
                    {
                        **self.values,
                        "partner_id": self.customer_b.id,
                        "company_id": self.company_b.id,
                    },
                ]
            )
        )
        self.assertEqual(complaints[0].team_id, self.team_b)
        self.assertEqual(complaints[1].team_id, self.team_c)

    def test_import_without_team_column(self):
        result = (
            self.env["cs.complaint"]
            .with_user(self.manager)
            .load(["subject", "partner_id/.id"], [["Wrong fee", str(self.customer.id)]])
        )
        self.assertFalse(result["messages"])
        complaint = self.env["cs.complaint"].browse(result["ids"])
        self.assertEqual(complaint.team_id, self.team_b)

    def test_no_intake_team_names_the_setting(self):
        self.company_a.cs_intake_team_id = False
        Complaint = self.env["cs.complaint"].with_user(self.manager)
        before = Complaint.search_count([])
        for values in (self.values, {**self.values, "team_id": False}):
            with self.assertRaisesRolledBack(
                ValidationError,
                rf"^The complaint has no team and {re.escape(self.company_a.name)} "
                r"has no default intake team\. Choose a team, or set one in "
                r"Settings > Customer Service > Default Intake Team\.$",
            ):
                Complaint.create(values)
        self.assertEqual(Complaint.search_count([]), before)

    def test_intake_team_of_another_company_is_refused(self):
        with self.assertRaisesRolledBack(
            ValidationError, "must be one of its own teams"
        ):
            self.company_b.cs_intake_team_id = self.team_a
        self.assertFalse(self.company_b.cs_intake_team_id)

    def test_settings_save_intake_team_and_age_limit(self):
        admin = self.env.ref("base.user_admin")
        with Form(self.env["res.config.settings"].with_user(admin)) as form:
            form.cs_intake_team_id = self.team_a
            form.cs_received_max_age_years = 10
        form.record.execute()
        self.assertEqual(self.company_a.cs_intake_team_id, self.team_a)
        self.assertEqual(self.company_a.cs_received_max_age_years, 10)

    def test_age_limit_below_one_year_is_refused(self):
        for years in (0, -1):
            with self.assertRaisesRolledBack(ValidationError, "at least one year back"):
                self.company_a.cs_received_max_age_years = years
        self.assertEqual(self.company_a.cs_received_max_age_years, 6)
