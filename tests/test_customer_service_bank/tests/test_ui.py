from datetime import datetime

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import CsCommon


@tagged("post_install", "-at_install")
class TestUi(CsCommon, HttpCase):
    """Key flows in the web client, driven by the tours of static/tests/tours."""

    def _queued_mails(self, complaint):
        return self.env["mail.mail"].search(
            [("model", "=", "cs.complaint"), ("res_id", "=", complaint.id)], order="id"
        )

    def test_complaint_tour(self):
        """An agent registers, acknowledges and resolves a complaint."""
        customer = self.env["res.partner"].create(
            {"name": "Tour Customer Ltd", "email": "tour.customer@example.com"}
        )
        category = self.env["cs.complaint.category"].create(
            {"name": "Tour Card Blocks", "code": "T-TOUR"}
        )
        started = fields.Datetime.now().replace(microsecond=0)

        self.start_tour("/odoo", "cs_complaint_tour", login=self.agent_a.login)

        complaint = self.env["cs.complaint"].search(
            [("subject", "=", "Tour: card blocked abroad")]
        )
        self.assertEqual(len(complaint), 1)
        self.assertRegex(complaint.name, r"^CMP/\d{4}/\d{5}$")
        self.assertEqual(complaint.partner_id, customer)
        self.assertEqual(complaint.category_id, category)
        self.assertEqual(complaint.channel, "phone")
        self.assertEqual(
            complaint.team_id, self.team_a, "the agent's team is the default"
        )
        self.assertEqual(complaint.create_uid, self.agent_a)
        self.assertEqual(complaint.stage_id, self.stage_resolved)
        self.assertEqual(complaint.outcome, "partially_upheld")
        self.assertEqual(complaint.redress_amount, 25.0)
        self.assertEqual(complaint.sla_policy_id, self.policy_nfra)
        self.assertEqual(complaint.deadline_status, "met")
        finished = fields.Datetime.now()
        self.assertTrue(started <= complaint.received_date <= finished)
        self.assertTrue(
            complaint.received_date <= complaint.acknowledged_date <= finished
        )
        self.assertTrue(
            complaint.acknowledged_date <= complaint.resolved_date <= finished
        )
        self.assertEqual(complaint.final_response_date, complaint.resolved_date)
        self.assertEqual(
            complaint.stage_log_ids.sorted("id").mapped("stage_id"),
            self.stage_new | self.stage_in_progress | self.stage_resolved,
        )

        # the acknowledgement is mailed by its job, which the commit triggers
        self.assertEqual(len(self._queued_mails(complaint)), 2)
        self.mail_queued_acknowledgements()
        mails = self._queued_mails(complaint)
        self.assertEqual(
            mails.mapped("subject"),
            [
                f"{complaint.name}: our final response to your complaint",
                # the resolved stage asks the customer to rate the handling
                f"{complaint.name}: how did we handle your complaint?",
                f"{complaint.name}: we have received your complaint",
            ],
        )
        self.assertEqual(mails.mapped("state"), ["outgoing"] * 3)
        self.assertEqual(mails.recipient_ids, customer)
        self.assertIn("partially upheld your complaint", mails[0].body_html)

    def test_extension_tour(self):
        """A supervisor approves a pending extension from the complaint form."""
        complaint = self.create_complaint(subject="Tour: statement never arrived")
        self.assertEqual(complaint.sla_policy_id, self.policy_nfra)
        # 15 calendar days from Mon 2 Nov 2026: Tue 17 Nov, end of day in Shanghai
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 11, 17, 15, 59, 59))
        step = self.env.ref("customer_service_bank.cs_sla_policy_cn_nfra_complex")
        request = (
            self.env["cs.complaint.extension"]
            .with_user(self.agent_a)
            .create(
                {
                    "complaint_id": complaint.id,
                    "step_id": step.id,
                    "reason": "The card scheme has not answered yet.",
                }
            )
        )
        mails_before = self._queued_mails(complaint)

        self.start_tour("/odoo", "cs_extension_tour", login=self.supervisor_a.login)

        self.assertEqual(request.state, "approved")
        self.assertEqual(request.decided_by_id, self.supervisor_a)
        self.assertTrue(request.decision_date)
        # 15 more calendar days: Wednesday 2 Dec 2026, end of day in Shanghai
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 12, 2, 15, 59, 59))
        self.assertEqual(complaint.next_extension_id, step.policy_id.extension_ids[1])
        new_mails = self._queued_mails(complaint) - mails_before
        self.assertEqual(
            new_mails.mapped("subject"),
            [f"{complaint.name}: we need more time to answer your complaint"],
        )
        self.assertEqual(new_mails.recipient_ids, self.customer)

    def test_care_campaign_tour(self):
        """A supervisor plans a care campaign for a tier, previews and approves it."""
        tier = self.env["cs.segment"].create({"name": "Tour Care Tier", "kind": "tier"})
        for number, name in enumerate(("One", "Two"), start=1):
            customer = self.env["res.partner"].create(
                {
                    "name": f"Tour Care Customer {name}",
                    "cs_customer_number": f"TOUR-CARE-{number}",
                    "company_id": self.company_a.id,
                }
            )
            customer.cs_metrics_ids.computed_segment_id = tier
        draft = (
            self.env["cs.care.campaign"]
            .with_user(self.supervisor_a)
            .new({"team_id": self.team_a.id, "tier_ids": tier.ids})
        )
        self.assertEqual(draft.target_count, 2)

        self.start_tour(
            "/odoo/action-customer_service_bank.cs_care_campaign_action",
            "cs_care_campaign_tour",
            login=self.supervisor_a.login,
        )

        campaign = self.env["cs.care.campaign"].search(
            [("name", "=", "Tour Tea Party")]
        )
        self.assertEqual(len(campaign), 1)
        self.assertEqual(campaign.kind, "appreciation")
        self.assertEqual(campaign.team_id, self.team_a)
        self.assertEqual(campaign.tier_ids, tier)
        self.assertEqual(campaign.channel, "task")
        self.assertEqual(campaign.target_count, 2)
        self.assertEqual(campaign.state, "approved")
        self.assertEqual(campaign.approved_by_id, self.supervisor_a)

    def test_care_results_tour(self):
        """The demo supervisor reads a campaign's results and effect."""
        self.start_tour(
            "/odoo/action-customer_service_bank.cs_care_campaign_action",
            "cs_care_results_tour",
            login="cs_supervisor_zhang",
        )

    def test_settings_tour(self):
        """An administrator changes the warning threshold in the settings."""
        self.assertEqual(self.company_a.cs_warning_threshold, 75.0)

        self.start_tour("/odoo", "cs_settings_tour", login="admin")

        self.assertEqual(self.company_a.cs_warning_threshold, 80.0)

    def test_customer_tour(self):
        """A supervisor recomputes a customer and overrides its tier."""
        Segment = self.env["cs.segment"]
        gold = Segment.create(
            {"name": "Tour Gold", "kind": "tier", "sequence": 1, "min_aum": 1000}
        )
        platinum = Segment.create(
            {"name": "Tour Platinum", "kind": "tier", "sequence": 2, "min_aum": 10**9}
        )
        customer = self.env["res.partner"].create(
            {"name": "Tour Wealthy Client", "cs_customer_number": "TOUR-1"}
        )
        product = self.env["cs.product"].create(
            {"name": "Tour Savings", "code": "TOUR-SAV", "category": "deposit"}
        )
        self.env["cs.product.holding"].create(
            {"partner_id": customer.id, "product_id": product.id, "balance": 2000}
        )
        self.start_tour(
            f"/odoo/action-customer_service_bank.cs_customer_action/{customer.id}",
            "cs_customer_tour",
            login=self.supervisor_a.login,
        )
        self.assertEqual(customer.cs_computed_segment_id, gold)
        self.assertEqual(customer.cs_segment_id, platinum)
        self.assertEqual(
            customer.cs_segment_history_ids.sorted("id").mapped(
                lambda h: (h.old_segment_id, h.new_segment_id, h.cause, h.reason)
            ),
            [(gold, platinum, "override", "Spouse of a private banking client")],
        )

    def test_team_meeting_tour(self):
        """The demo supervisor closes a carried-over action item from the
        next meeting's agenda; its activity goes with it."""
        item = self.env.ref(
            "customer_service_bank.cs_demo_meeting_sh_held_item_loan",
            raise_if_not_found=False,
        )
        if not item:
            self.skipTest("needs the demo data")
        activity = item.activity_id
        self.assertTrue(activity)
        self.start_tour(
            "/odoo/action-customer_service_bank.cs_team_meeting_action_window",
            "cs_team_meeting_tour",
            login="cs_supervisor_zhang",
        )
        self.assertEqual(item.state, "done")
        self.assertFalse(activity.exists())

    def test_best_practice_tour(self):
        """A demo agent votes for a best practice from a complaint."""
        complaint = self.env.ref(
            "customer_service_bank.cs_demo_complaint_sh_card_annual_fee",
            raise_if_not_found=False,
        )
        if not complaint:
            self.skipTest("needs the demo data")
        practice = self.env.ref("customer_service_bank.cs_demo_best_practice_card_fee")
        agent = self.env.ref("customer_service_bank.cs_demo_user_li")
        practice.voter_ids -= agent
        self.start_tour(
            f"/odoo/cs.complaint/{complaint.id}",
            "cs_best_practice_tour",
            login="cs_agent_li",
        )
        self.assertIn(agent, practice.voter_ids)
