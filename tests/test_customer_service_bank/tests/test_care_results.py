"""Care results: figures per campaign and occurrence, the effect on the
participants against the other customers of their tier, the participant
screens' access and the care section of the monthly report."""

from datetime import date, datetime

from odoo.exceptions import AccessError
from odoo.tests import Form, freeze_time

from .common import CsCommon


class TestCareResults(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tz="UTC"))
        cls.company_a.cs_care_effect_days = 30
        Segment = cls.env["cs.segment"]
        cls.gold = Segment.create({"name": "Results Gold", "kind": "tier"})
        cls.silver = Segment.create({"name": "Results Silver", "kind": "tier"})
        cls.g = [cls._customer(f"G{index}", cls.gold) for index in range(1, 9)]
        cls.s1 = cls._customer("S1", cls.silver)
        cls.campaign = cls.env["cs.care.campaign"].create(
            {
                "name": "Results Dinner",
                "kind": "appreciation",
                "date": date(2026, 6, 1),
                "team_id": cls.team_a.id,
                "channel": "task",
                "task_kind": "call",
                "tier_ids": [cls.gold.id],
                "cost_per_participant": 100,
            }
        )
        cls.event = cls.env["event.event"].create(
            {
                "name": "Results Dinner",
                "date_begin": datetime(2026, 6, 1, 10, 0),
                "date_end": datetime(2026, 6, 1, 14, 0),
            }
        )
        cls.campaign.event_id = cls.event
        g1, g2, g3, g4, g5, g6 = cls.g[:6]
        cls.p1 = cls._participant(g1, "sent", "done", "accepted", 100, cls.agent_a)
        cls.p2 = cls._participant(g2, "sent", "open", "accepted", 100, cls.agent_a)
        cls.p3 = cls._participant(g3, "sent", "cancel", "declined", 50, cls.agent_a2)
        cls.p4 = cls._participant(g4, "skipped", skip_reason="no_consent")
        cls.p5 = cls._participant(g5, "skipped", skip_reason="quiet_period")
        cls.p6 = cls._participant(g6, "failed", failure_reason="No manager")

    @classmethod
    def _customer(cls, name, tier):
        partner = cls.env["res.partner"].create(
            {
                "name": f"Results {name}",
                "email": f"results.{name.lower()}@example.com",
                "cs_customer_number": f"RES-{name}",
                "company_id": cls.company_a.id,
            }
        )
        partner.cs_metrics_ids.write({"computed_segment_id": tier.id})
        return partner

    @classmethod
    def _participant(
        cls,
        partner,
        state,
        registration_state=None,
        answer=None,
        cost=0,
        manager=None,
        occurrence=0,
        day=date(2026, 6, 1),
        **values,
    ):
        registration = registration_state and cls.env["event.registration"].create(
            {
                "event_id": cls.event.id,
                "partner_id": partner.id,
                "state": registration_state,
            }
        )
        return (
            cls.env["cs.care.participant"]
            .sudo()
            .create(
                {
                    "campaign_id": cls.campaign.id,
                    "partner_id": partner.id,
                    "occurrence": occurrence,
                    "occurrence_date": day,
                    "relationship_manager_id": manager and manager.id,
                    "state": state,
                    "channel": "task",
                    "cost": cost,
                    "registration_id": registration and registration.id,
                    "answer": answer,
                    **values,
                }
            )
        )

    @classmethod
    def _nps(cls, partner, day, score):
        survey = cls.env["cs.nps.survey"].create(
            {"name": f"Results survey {partner.name}", "user_id": cls.manager.id}
        )
        cls.env["cs.nps.response"].create(
            {
                "survey_id": survey.id,
                "partner_id": partner.id,
                "team_id": cls.team_a.id,
                "score": score,
                "answered_date": f"{day} 08:00:00",
            }
        )

    @classmethod
    def _complaint(cls, partner, day, rating=None):
        moment = datetime.fromisoformat(f"{day} 02:00")
        complaint = cls.create_complaint_at(
            moment, partner_id=partner.id, received_date=moment
        )
        if rating:
            rated = cls.env["rating.rating"].create(
                {
                    "res_model_id": cls.env["ir.model"]._get_id("cs.complaint"),
                    "res_id": complaint.id,
                    "partner_id": partner.id,
                    "rating": rating[1],
                    "consumed": True,
                }
            )
            rated.flush_recordset()
            cls.env.cr.execute(
                "UPDATE rating_rating SET write_date = %s WHERE id = %s",
                [f"{rating[0]} 09:00:00", rated.id],
            )
        return complaint

    def _effect_fixture(self):
        """Window: 1 to 30 June 2026. Participants g1-g3; the other gold
        customers g4-g8 (g4-g6 were targeted but not contacted)."""
        g1, g2, g3, g4, _g5, _g6, g7, g8 = self.g
        self._nps(g1, "2026-06-05", 10)
        self._nps(g2, "2026-06-10", 3)
        self._nps(g3, "2026-07-05", 9)  # after the window
        self._nps(g7, "2026-06-02", 10)
        self._nps(g8, "2026-05-20", 0)  # before the campaign
        self._nps(self.s1, "2026-06-03", 10)  # another tier
        self._complaint(g1, "2026-06-15", rating=("2026-06-16", 5))
        self._complaint(g4, "2026-06-03")
        self._complaint(g4, "2026-06-20", rating=("2026-06-25", 1))
        self._complaint(g8, "2026-07-10", rating=("2026-07-11", 1))  # after
        self._complaint(self.s1, "2026-06-10", rating=("2026-06-11", 1))
        self.env.flush_all()
        self.env["cs.care.effect.report"].invalidate_model()

    def test_results_per_occurrence(self):
        (row,) = self.campaign._care_results()[self.campaign.id]
        self.assertEqual(
            row,
            {
                "occurrence": 0,
                "targeted": 6,
                "queued": 0,
                "sent": 3,
                "failed": 1,
                "skipped": 2,
                "skipped_by_reason": {"no_consent": 1, "quiet_period": 1},
                "accepted": 2,
                "declined": 1,
                "attended": 1,
                "cost": 250.0,
                "cost_per_attendee": 250.0,
            },
        )
        self.assertEqual(self.campaign.participant_count, 6)
        self.assertIn("Quiet Period", self.campaign.results_html)

    def test_results_split_occurrences_in_few_queries(self):
        """A yearly campaign: one row per occurrence, latest first, with a
        query count that does not grow with the participants."""
        self._participant(self.g[7], "sent", "done", cost=30, occurrence=2025)
        campaigns = self.campaign | self.env["cs.care.campaign"].create(
            {
                "name": "Empty",
                "kind": "other",
                "date": date(2026, 6, 1),
                "team_id": self.team_a.id,
            }
        )
        self.env.flush_all()
        with self.assertQueryCount(4):
            results = campaigns._care_results()
        rows = results[self.campaign.id]
        self.assertEqual([row["occurrence"] for row in rows], [2025, 0])
        self.assertEqual(rows[0]["targeted"], 1)
        self.assertEqual(rows[0]["attended"], 1)
        self.assertEqual(rows[0]["cost_per_attendee"], 30.0)
        self.assertNotIn(campaigns[1].id, results)

    def test_effect_against_others_of_the_same_tier(self):
        self._effect_fixture()
        rows = self.env["cs.care.effect.report"].search(
            [("campaign_id", "=", self.campaign.id)]
        )
        self.assertEqual(rows.tier_id, self.gold, "silver was not contacted")
        by_group = {row.customer_group: row for row in rows}
        participants, others = by_group["participant"], by_group["other"]
        self.assertEqual(participants.occurrence_date, date(2026, 6, 1))
        self.assertEqual(
            (
                participants.customer_count,
                participants.nps_count,
                participants.promoter_count,
                participants.detractor_count,
                participants.nps,
                participants.csat_count,
                participants.csat_sum,
                participants.complaint_count,
            ),
            (3, 2, 1, 1, 0.0, 1, 5, 1),
        )
        self.assertAlmostEqual(participants.complaints_per_100, 100 / 3)
        self.assertEqual(
            (
                others.customer_count,
                others.nps_count,
                others.promoter_count,
                others.nps,
                others.csat_count,
                others.csat_sum,
                others.complaint_count,
                others.complaints_per_100,
            ),
            (5, 1, 1, 100.0, 1, 1, 2, 40.0),
        )
        with self.assertQueryCount(1):
            (effect,) = self.campaign._care_effect()[self.campaign.id]
        self.assertEqual(effect["participant"]["complaints_per_100"], 33.3)
        self.assertEqual(effect["participant"]["csat_average"], 5.0)
        self.assertEqual(effect["other"]["nps"], 100.0)
        self.assertIn("Other Customers", self.campaign.effect_html)

    def test_effect_window_follows_the_setting(self):
        self._effect_fixture()
        self.company_a.cs_care_effect_days = 40
        self.env.flush_all()
        participants = self.env["cs.care.effect.report"].search(
            [
                ("campaign_id", "=", self.campaign.id),
                ("customer_group", "=", "participant"),
            ]
        )
        self.assertEqual(participants.nps_count, 3, "5 July is within 40 days")

    def test_participant_access(self):
        Participant = self.env["cs.care.participant"]
        mine = Participant.with_user(self.agent_a).search(
            [("campaign_id", "=", self.campaign.id)]
        )
        self.assertEqual(mine, self.p1 | self.p2, "agents see their own customers")
        self.assertEqual(
            Participant.with_user(self.agent_b).search_count(
                [("campaign_id", "=", self.campaign.id)]
            ),
            0,
        )
        self.assertEqual(
            Participant.with_user(self.supervisor_a).search_count(
                [("campaign_id", "=", self.campaign.id)]
            ),
            6,
        )
        attended = Participant.with_user(self.agent_a).search([("attended", "=", True)])
        self.assertEqual(attended, self.p1)
        self.assertTrue(mine.with_user(self.agent_a).mapped("attended"))
        # the screens open for every group that reads participants
        for user in (self.agent_a, self.supervisor_a, self.manager):
            for view_type in ("list", "form", "search", "pivot", "graph"):
                Participant.with_user(user).get_views([(False, view_type)])
        with Form(self.campaign.with_user(self.supervisor_a)) as form:
            self.assertEqual(form.participant_count, 6)

    def test_effect_report_access(self):
        self._effect_fixture()
        Report = self.env["cs.care.effect.report"]
        domain = [("campaign_id", "=", self.campaign.id)]
        with self.assertRaises(AccessError):
            Report.with_user(self.agent_a).search(domain)
        self.assertEqual(Report.with_user(self.supervisor_a).search_count(domain), 2)
        self.assertEqual(Report.with_user(self.supervisor_b).search_count(domain), 0)
        self.assertEqual(Report.with_user(self.manager).search_count(domain), 2)
        self.assertEqual(Report.with_user(self.supervisor_c).search_count(domain), 0)

    def test_monthly_report_care_section(self):
        self._effect_fixture()
        data = {
            "company_id": self.company_a.id,
            "team_id": self.team_a.id,
            "date_from": "2026-06-01",
            "date_to": "2026-06-30",
        }
        Report = self.env["report.customer_service_bank.report_cs_monthly"]
        with freeze_time("2026-07-03 09:00:00"):
            care = Report.with_user(self.supervisor_a)._get_report_values(
                [], data=data
            )["care"]
        (campaign,) = care["campaigns"]
        self.assertEqual(
            campaign,
            {
                "name": "Results Dinner",
                "targeted": 6,
                "sent": 3,
                "skipped": 2,
                "accepted": 2,
                "attended": 1,
                "cost": 250.0,
            },
        )
        self.assertEqual(
            care["effect"]["participant"],
            {"customers": 3, "answers": 2, "nps": 0.0, "complaints_per_100": 33.3},
        )
        self.assertEqual(
            care["effect"]["other"],
            {"customers": 5, "answers": 1, "nps": 100.0, "complaints_per_100": 40.0},
        )
        with freeze_time("2026-07-03 09:00:00"):
            html, _type = self.env["ir.actions.report"]._render_qweb_html(
                "customer_service_bank.cs_monthly_report_action", [], data=data
            )
        self.assertIn("Customer Care", html.decode())
        self.assertIn("Results Dinner", html.decode())
        data["date_from"], data["date_to"] = "2026-07-01", "2026-07-31"
        with freeze_time("2026-08-03 09:00:00"):
            care = Report._get_report_values([], data=data)["care"]
        self.assertEqual(care["campaigns"], [])

    def test_demo_dinner_has_every_answer(self):
        """The demo appreciation dinner shows registrations in every state."""
        dinner = self.env.ref("customer_service_bank.cs_demo_care_campaign_dinner")
        self.assertEqual(
            set(dinner.event_id.registration_ids.mapped("state")),
            {"draft", "open", "cancel", "done"},
        )
        (row,) = dinner._care_results()[dinner.id]
        self.assertEqual(
            (row["sent"], row["skipped"], row["accepted"], row["declined"]),
            (5, 1, 3, 1),
        )
        self.assertEqual(row["attended"], 2)
        self.assertEqual(row["cost_per_attendee"], row["cost"] / 2)
