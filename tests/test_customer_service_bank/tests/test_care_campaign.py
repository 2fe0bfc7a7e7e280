"""Care campaigns: targeting, schedule, approval by budget and access."""

from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time

from .common import CsCommon


class TestCareCampaign(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Campaign = cls.env["cs.care.campaign"]
        cls.company_a.cs_care_budget_threshold = 10000
        Segment = cls.env["cs.segment"]
        cls.gold = Segment.create({"name": "Campaign Gold", "kind": "tier"})
        cls.silver = Segment.create({"name": "Campaign Silver", "kind": "tier"})
        cls.digital = Segment.create({"name": "Campaign Digital", "kind": "tag"})
        cls.senior = Segment.create({"name": "Campaign Senior", "kind": "tag"})
        Need = cls.env["cs.special.need"]
        cls.sight = Need.create({"name": "Campaign Low Vision", "kind": "disability"})
        cls.hearing = Need.create({"name": "Campaign Hearing", "kind": "disability"})
        cls.number = 0
        # the test customers are company B's; the demo customers of no
        # company, whom every company's campaigns target, go to company A
        cls.env["res.partner"].search(
            [("cs_customer_number", "!=", False), ("company_id", "=", False)]
        ).company_id = cls.company_a
        cls.c1 = cls._customer("C1", cls.gold, cls.digital, key=True, branch="Pudong")
        cls.c2 = cls._customer("C2", cls.gold, cls.senior, manager=cls.supervisor_c)
        cls.c3 = cls._customer("C3", cls.silver, cls.digital | cls.senior, key=True)
        cls.c4 = cls._customer("C4", None, None, needs=cls.sight, branch="pudong")
        cls.c5 = cls._customer("C5", cls.silver, None, needs=cls.hearing)
        cls.archived = cls._customer("C6", cls.gold, cls.digital, key=True)
        cls.archived.active = False
        cls.template = cls.env["mail.template"].create(
            {
                "name": "Test greeting",
                "model_id": cls.env.ref(
                    "customer_service_bank.model_cs_care_participant"
                ).id,
                "subject": "Greetings",
            }
        )

    @classmethod
    def _customer(cls, name, tier, tags, key=False, manager=None, needs=None, **vals):
        cls.number += 1
        partner = cls.env["res.partner"].create(
            {
                "name": f"Campaign {name}",
                "email": f"campaign{cls.number}@example.com",
                "cs_customer_number": f"CMP-{cls.number:04d}",
                "company_id": cls.company_b.id,
                "cs_branch": vals.pop("branch", False),
                **vals,
            }
        )
        partner.cs_relationship_manager_id = manager
        partner.cs_metrics_ids.write({"computed_segment_id": tier, "is_key": key})
        # the recomputation writes the tags as an array, with SQL
        cls.env.cr.execute(
            "UPDATE cs_customer_metrics SET tag_array = %s WHERE partner_id = %s",
            [tags.ids if tags else [], partner.id],
        )
        partner.invalidate_recordset(["cs_segment_tag_ids"])
        if needs:
            partner.cs_special_need_ids = needs
        return partner

    def _campaign(self, **values):
        return self.Campaign.create(
            {
                "name": "Test campaign",
                "kind": "appreciation",
                "date": date(2027, 3, 1),
                "team_id": self.team_c.id,
                "company_id": self.company_b.id,
                "mail_template_id": self.template.id,
                **values,
            }
        )

    def _campaign_a(self, user=None, **values):
        Campaign = self.Campaign.with_user(user) if user else self.Campaign
        return Campaign.create(
            {
                "name": "Team A campaign",
                "kind": "appreciation",
                "date": date(2027, 3, 1),
                "team_id": self.team_a.id,
                "mail_template_id": self.template.id,
                **values,
            }
        )

    def _end_request(self):
        """Post the tracking messages, as the end of a request does."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _targets(self, campaign):
        return self.env["res.partner"].search(campaign._target_domain())

    # ------------------------------------------------------------------
    # targeting
    # ------------------------------------------------------------------

    def test_every_active_customer_of_the_company_by_default(self):
        campaign = self._campaign()
        self.assertEqual(campaign.target_count, 5)
        self.assertEqual(
            self._targets(campaign), self.c1 | self.c2 | self.c3 | self.c4 | self.c5
        )

    def test_each_criterion(self):
        cases = [
            ({"tier_ids": [Command.set(self.gold.ids)]}, self.c1 | self.c2),
            (
                {"tier_ids": [Command.set((self.gold | self.silver).ids)]},
                self.c1 | self.c2 | self.c3 | self.c5,
            ),
            ({"tag_ids": [Command.set(self.digital.ids)]}, self.c1 | self.c3),
            ({"tag_ids": [Command.set(self.senior.ids)]}, self.c2 | self.c3),
            ({"key_only": True}, self.c1 | self.c3),
            ({"special_need_ids": [Command.set(self.sight.ids)]}, self.c4),
            (
                {"special_need_ids": [Command.set((self.sight | self.hearing).ids)]},
                self.c4 | self.c5,
            ),
            (
                {"relationship_manager_ids": [Command.set(self.supervisor_c.ids)]},
                self.c2,
            ),
            ({"branch": "PUDONG "}, self.c1 | self.c4),
            ({"extra_domain": "[('name', 'ilike', 'Campaign C5')]"}, self.c5),
            # criteria add up
            (
                {
                    "tier_ids": [Command.set(self.gold.ids)],
                    "tag_ids": [Command.set(self.digital.ids)],
                    "key_only": True,
                    "branch": "Pudong",
                },
                self.c1,
            ),
        ]
        for values, expected in cases:
            with self.subTest(values=values):
                campaign = self._campaign(**values)
                self.assertEqual(campaign.target_count, len(expected))
                self.assertEqual(self._targets(campaign), expected)

    def test_other_company_customers_are_not_targeted(self):
        campaign = self._campaign_a(tier_ids=[Command.set(self.gold.ids)])
        self.assertEqual(campaign.target_count, 0)

    def test_count_follows_the_targeting_in_the_form(self):
        campaign = self._campaign()
        campaign.key_only = True
        self.assertEqual(campaign.target_count, 2)
        campaign.branch = "Pudong"
        self.assertEqual(campaign.target_count, 1)

    def test_special_needs_counted_for_agents_without_reading_them(self):
        campaign = self._campaign(special_need_ids=[Command.set(self.sight.ids)])
        self.assertEqual(campaign.with_user(self.agent_c).target_count, 1)
        with self.assertRaises(AccessError):
            campaign.with_user(self.agent_c).action_preview_targets()

    def test_preview_lists_the_targets(self):
        campaign = self._campaign(key_only=True)
        action = campaign.with_user(self.supervisor_c).action_preview_targets()
        self.assertEqual(action["res_model"], "res.partner")
        partners = self.env["res.partner"].search(action["domain"])
        self.assertEqual(partners, self.c1 | self.c3)
        # the list shows no sensitive field
        list_view = self.env.ref("customer_service_bank.res_partner_view_list_cs")
        self.assertNotIn("cs_special_need", list_view.arch_db)
        self.assertNotIn("cs_birth_date", list_view.arch_db)

    def test_expected_cost(self):
        campaign = self._campaign(key_only=True, cost_per_participant=120)
        self.assertEqual(campaign.expected_cost, 240)

    # ------------------------------------------------------------------
    # bad inputs and schedule
    # ------------------------------------------------------------------

    def test_bad_inputs_are_refused(self):
        cases = [
            ({"extra_domain": "[('no_such_field', '=', 1)]"}, "not a valid filter"),
            ({"extra_domain": "[('name', '=',"}, "not a valid filter"),
            ({"extra_domain": "'name'"}, "not a valid filter"),
            ({"budget": -1}, "cannot be negative"),
            ({"cost_per_participant": -5}, "cannot be negative"),
            ({"send_time": 24.0}, "hour of the day"),
            ({"send_time": -1.0}, "hour of the day"),
            ({"kind": "festival"}, "Choose the festival"),
            ({"date": False}, "Choose the day"),
            ({"kind": "birthday", "recurrence": "once"}, "every year"),
        ]
        for values, message in cases:
            with (
                self.subTest(values=values),
                self.assertRaisesRolledBack(ValidationError, message),
            ):
                self._campaign(**values)

    def test_mail_template_must_be_on_participants(self):
        template = self.env.ref("customer_service_bank.mail_template_cs_complaint_ack")
        with self.assertRaisesRolledBack(ValidationError, "not written for care"):
            self._campaign(mail_template_id=template.id)

    def test_bad_extra_domain_counts_nothing_until_fixed(self):
        campaign = self.Campaign.new(
            {"company_id": self.company_b.id, "extra_domain": "[('nope', '=', 1)]"}
        )
        self.assertEqual(campaign.target_count, 0)

    @freeze_time("2026-12-06")
    def test_next_date(self):
        spring = self.env.ref("customer_service_bank.cs_care_festival_cn_spring")
        festival = self._campaign(kind="festival", festival_id=spring.id, date=False)
        self.assertEqual(festival.next_date, date(2027, 2, 6))
        yearly = self._campaign(recurrence="yearly", date=date(2024, 2, 29))
        self.assertEqual(yearly.next_date, date(2027, 2, 28))
        this_year = self._campaign(recurrence="yearly", date=date(2020, 12, 24))
        self.assertEqual(this_year.next_date, date(2026, 12, 24))
        past = self._campaign(date=date(2026, 12, 1))
        self.assertFalse(past.next_date)
        birthday = self._campaign(kind="birthday", date=False)
        self.assertEqual(birthday.recurrence, "yearly")
        self.assertFalse(birthday.next_date)

    # ------------------------------------------------------------------
    # approval and workflow
    # ------------------------------------------------------------------

    def test_supervisor_approves_up_to_the_threshold(self):
        campaign = self._campaign_a(self.supervisor_a, budget=10000)
        self.assertEqual(campaign.user_id, self.supervisor_a)
        campaign.action_approve()
        self.assertEqual(campaign.state, "approved")
        self.assertEqual(campaign.approved_by_id, self.supervisor_a)
        self.assertTrue(campaign.approved_date)

    def test_manager_approves_above_the_threshold(self):
        campaign = self._campaign_a(self.supervisor_a, budget=10000.01)
        self.assertTrue(campaign.needs_manager_approval)
        with self.assertRaisesRolledBack(UserError, "manager must approve"):
            campaign.action_approve()
        self.assertEqual(campaign.state, "draft")
        campaign.with_user(self.manager).action_approve()
        self.assertEqual(campaign.state, "approved")
        self.assertEqual(campaign.approved_by_id, self.manager)

    def test_expected_cost_above_the_threshold_needs_a_manager(self):
        self.company_b.cs_care_budget_threshold = 1000
        campaign = self._campaign(budget=500, cost_per_participant=300)
        self.assertEqual(campaign.expected_cost, 1500)
        with self.assertRaisesRolledBack(UserError, "manager must approve"):
            campaign.with_user(self.supervisor_c).action_approve()

    def test_channel_must_be_complete_to_approve(self):
        campaign = self._campaign_a(mail_template_id=False)
        with self.assertRaisesRolledBack(UserError, "mail template"):
            campaign.action_approve()
        campaign.channel = "task"
        campaign.action_approve()
        self.assertEqual(campaign.state, "approved")

    def test_workflow_is_tracked(self):
        campaign = self._campaign_a(self.supervisor_a)
        self._end_request()
        for action in ("action_approve", "action_start", "action_done"):
            getattr(campaign, action)()
            self._end_request()
        self.assertEqual(campaign.state, "done")
        tracked = campaign.sudo().message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "state"
        )
        self.assertEqual(
            sorted(tracked.mapped("new_value_char")), ["Approved", "Done", "Running"]
        )

    def test_wrong_state_transitions_are_refused(self):
        campaign = self._campaign_a()
        with self.assertRaisesRolledBack(UserError, "must be Approved"):
            campaign.action_start()
        with self.assertRaisesRolledBack(UserError, "must be Running"):
            campaign.action_done()
        campaign.action_cancel()
        with self.assertRaisesRolledBack(UserError, "must be Draft"):
            campaign.action_approve()
        campaign.action_reset_draft()
        self.assertEqual(campaign.state, "draft")

    def test_approved_budget_and_targets_locked_until_reset(self):
        campaign = self._campaign_a(self.supervisor_a, budget=100)
        campaign.action_approve()
        for values in ({"budget": 50000}, {"key_only": True}, {"branch": "X"}):
            with (
                self.subTest(values=values),
                self.assertRaisesRolledBack(UserError, "reset the campaign"),
            ):
                campaign.write(values)
        campaign.name = "Renamed"
        campaign.action_reset_draft()
        self.assertFalse(campaign.approved_by_id)
        campaign.budget = 50000
        with self.assertRaisesRolledBack(UserError, "manager must approve"):
            campaign.action_approve()

    def test_started_campaigns_are_not_deleted(self):
        campaign = self._campaign_a()
        campaign.action_approve()
        with self.assertRaisesRolledBack(UserError, "cancel it rather"):
            campaign.unlink()
        campaign.action_cancel()
        campaign.unlink()
        self.assertFalse(campaign.exists())

    # ------------------------------------------------------------------
    # access
    # ------------------------------------------------------------------

    def test_agents_read_their_teams_campaigns_only(self):
        campaign_a = self._campaign_a()
        campaign_b = self._campaign_a(team_id=self.team_b.id)
        self.assertEqual(
            self.Campaign.with_user(self.agent_a).search(
                [("id", "in", [campaign_a.id, campaign_b.id])]
            ),
            campaign_a,
        )
        self.assertEqual(
            self.Campaign.with_user(self.agent_b).search(
                [("id", "in", [campaign_a.id, campaign_b.id])]
            ),
            campaign_b,
        )
        with self.assertRaises(AccessError):
            campaign_a.with_user(self.agent_a).name = "Renamed"
        with self.assertRaises(AccessError):
            self._campaign_a(self.agent_a)

    def test_supervisors_run_their_teams_campaigns(self):
        campaign = self._campaign_a(self.supervisor_a)
        campaign.write({"key_only": True})
        campaign.action_approve()
        campaign.action_start()
        with self.assertRaises(AccessError):
            self._campaign_a(self.supervisor_b)
        other = self._campaign_a(team_id=self.team_b.id)
        self.assertFalse(
            self.Campaign.with_user(self.supervisor_a).search([("id", "=", other.id)])
        )
        with self.assertRaises(AccessError):
            campaign.with_user(self.supervisor_a).unlink()

    def test_managers_see_all(self):
        campaigns = self._campaign_a() | self._campaign_a(team_id=self.team_b.id)
        seen = self.Campaign.with_user(self.manager).search(
            [("id", "in", campaigns.ids)]
        )
        self.assertEqual(seen, campaigns)
        # company B's are out of reach of company A users
        other = self._campaign()
        self.assertFalse(
            self.Campaign.with_user(self.manager).search([("id", "=", other.id)])
        )

    # ------------------------------------------------------------------
    # settings
    # ------------------------------------------------------------------

    def test_threshold_set_in_the_settings(self):
        self.env["res.config.settings"].create(
            {"cs_care_budget_threshold": 500}
        ).execute()
        self.assertEqual(self.company_a.cs_care_budget_threshold, 500)
        campaign = self._campaign_a(self.supervisor_a, budget=600)
        with self.assertRaisesRolledBack(UserError, "manager must approve"):
            campaign.action_approve()
        with self.assertRaisesRolledBack(ValidationError, "cannot be negative"):
            self.company_a.cs_care_budget_threshold = -1
