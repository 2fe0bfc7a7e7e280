"""Who reads and writes a customer's sensitive data.

Birth date and special needs: Customer Service supervisors and managers and
the customer's relationship manager; other agents, other employees and
portal users see nothing. Money metrics: supervisors and managers only.
"""

from datetime import date

from odoo import Command
from odoo.exceptions import AccessError

from .common import CsCommon


class TestCustomerSensitive(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.need = cls.env["cs.special.need"].create(
            {"name": "Large print", "kind": "disability"}
        )
        cls.client = cls.env["res.partner"].create(
            {
                "name": "Sensitive Client",
                "cs_customer_number": "S-1",
                "cs_relationship_manager_id": cls.agent_a.id,
                "cs_birth_date": date(1950, 5, 4),
                "cs_special_need_ids": [Command.set(cls.need.ids)],
                "cs_special_needs_note": "Reads large print only",
            }
        )

    def _read(self, user):
        partner = self.client.with_user(user)
        partner.invalidate_recordset()
        return (
            partner.cs_birth_date,
            partner.cs_special_need_ids.ids,
            partner.cs_special_needs_note,
            partner.cs_can_see_sensitive,
        )

    def test_who_reads_birth_date_and_needs(self):
        seen = (date(1950, 5, 4), self.need.ids, "Reads large print only", True)
        hidden = (False, [], False, False)
        for user, expected in [
            (self.agent_a, seen),  # relationship manager
            (self.agent_a2, hidden),
            (self.agent_b, hidden),
            (self.supervisor_b, seen),
            (self.manager, seen),
            (self.employee, hidden),
        ]:
            with self.subTest(user=user.login):
                self.assertEqual(self._read(user), expected)

    def test_sensitive_records_by_rule(self):
        Sensitive = self.env["cs.customer.sensitive"]
        record = Sensitive.search([("partner_id", "=", self.client.id)])
        self.assertEqual(len(record), 1)
        self.assertEqual(Sensitive.with_user(self.agent_a).search_count([]), 1)
        self.assertEqual(
            Sensitive.with_user(self.agent_a2).search(
                [("partner_id", "=", self.client.id)]
            ),
            Sensitive,
        )
        with self.assertRaises(AccessError):
            record.with_user(self.agent_a2).read(["birth_date"])
        for user in (self.employee, self.portal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Sensitive.with_user(user).search([])

    def test_who_writes(self):
        self.client.with_user(self.agent_a).cs_birth_date = date(1950, 5, 5)
        self.client.with_user(self.supervisor_a).cs_special_needs_note = "Braille"
        self.assertEqual(
            self._read(self.manager), (date(1950, 5, 5), self.need.ids, "Braille", True)
        )
        for user in (self.agent_a2, self.employee):
            with (
                self.subTest(user=user.login),
                self.assertRaises(AccessError),
                self.env.cr.savepoint(),
            ):
                self.client.with_user(user).cs_birth_date = date(1999, 1, 1)
        self.assertEqual(self._read(self.manager)[0], date(1950, 5, 5))

    def test_agent_cannot_add_data_to_another_agents_customer(self):
        other = self.env["res.partner"].create(
            {"name": "Other Client", "cs_customer_number": "S-2"}
        )
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            other.with_user(self.agent_a).cs_birth_date = date(1980, 1, 1)
        other.cs_relationship_manager_id = self.agent_a
        other.with_user(self.agent_a).cs_birth_date = date(1980, 1, 1)
        self.assertEqual(
            other.with_user(self.supervisor_a).cs_birth_date, date(1980, 1, 1)
        )

    def test_money_metrics_for_supervisors_only(self):
        for user in (self.agent_a, self.agent_a2, self.employee):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.client.with_user(user).read(["cs_aum"])
        for user in (self.supervisor_a, self.manager):
            with self.subTest(user=user.login):
                self.assertEqual(
                    self.client.with_user(user).read(["cs_aum", "cs_value_score"])[0][
                        "cs_aum"
                    ],
                    0.0,
                )

    def test_form_hides_what_the_user_may_not_see(self):
        for user, visible in [
            (self.agent_a, False),
            (self.supervisor_a, True),
        ]:
            with self.subTest(user=user.login):
                arch = (
                    self.env["res.partner"]
                    .with_user(user)
                    .get_views([(False, "form")])["views"]["form"]["arch"]
                )
                self.assertIn('name="cs_birth_date"', arch)
                self.assertEqual('name="cs_aum"' in arch, visible)
                self.assertEqual('name="cs_segment_override_id"' in arch, visible)
