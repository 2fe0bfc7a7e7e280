"""Appraisals: KPIs from the service data, scales, workflow, rules, periods."""

from datetime import date, datetime
from unittest import SkipTest

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, TransactionCase, freeze_time, tagged

from .common import CsCommon

KINDS = (
    "complaints_handled",
    "deadline_compliance",
    "resolution_hours",
    "reopen_rate",
    "first_contact_resolution",
    "upheld_rate",
    "csat",
    "nps",
    "qa_score",
    "followups_on_time",
    "plans_reviewed_on_time",
    "care_tasks_done",
)
ACTION_URL = "/odoo/action-customer_service_bank.cs_appraisal_action"
# the day the KPIs of November 2026 are computed
TODAY = "2026-12-05 08:00:00"


class AppraisalCommon(CsCommon):
    """Team A's template with every KPI kind (weight 5 each, linear 0 to
    100) and two criteria of 20; November 2026 as a monthly period."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Appraisal = cls.env["cs.appraisal"]
        cls.template = cls.env["cs.appraisal.template"].create(
            {
                "name": "Team A handlers",
                "team_id": cls.team_a.id,
                "kpi_ids": [
                    Command.create(
                        {
                            "kind": kind,
                            "weight": 5,
                            "direction": "higher",
                            "floor": 0,
                            "target": 100,
                        }
                    )
                    for kind in KINDS
                ],
                "criterion_ids": [
                    Command.create({"name": "Attitude", "weight": 20}),
                    Command.create({"name": "Teamwork", "weight": 20}),
                ],
            }
        )
        cls.period = cls.env["cs.appraisal.period"].create(
            {
                "kind": "monthly",
                "date_from": date(2026, 11, 1),
                "company_id": cls.company_a.id,
            }
        )
        cls.employees = {
            user: cls.env["hr.employee"].create(
                {"name": user.name, "user_id": user.id, "company_id": cls.company_a.id}
            )
            for user in (cls.agent_a, cls.agent_a2, cls.agent_b)
        }

    @classmethod
    def employee_of(cls, user):
        return cls.employees[user]

    @classmethod
    def appraisal_of(cls, user, team=None, **values):
        return cls.Appraisal.create(
            {
                "period_id": cls.period.id,
                "team_id": (team or cls.team_a).id,
                "employee_id": cls.employee_of(user).id,
                "template_id": cls.template.id,
                "company_id": cls.company_a.id,
                **values,
            }
        )

    @staticmethod
    def line(appraisal, kind):
        return appraisal.kpi_line_ids.filtered(lambda line: line.kind == kind)


class TestAppraisalKpis(AppraisalCommon):
    """Every KPI of agent_a over a known November; agent_b has no data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cr = cls.env.cr
        # complaints: (handler, received, resolved, deadline, reopened,
        # outcome, waited for the customer)
        rows = {
            "c1": (cls.agent_a, "11-02", "11-03", "11-10", 0, "upheld", False),
            "c2": (cls.agent_a, "11-04", "11-06", "11-05", 1, "rejected", False),
            "c3": (cls.agent_a, "11-10", "11-13", None, 0, None, True),
            # resolved in December: outside the period
            "c4": (cls.agent_a, "10-25", "12-02", "12-20", 0, "upheld", False),
            "c5": (cls.agent_a2, "11-14", "11-15", "11-20", 0, "upheld", False),
        }
        cls.complaints = {}
        for key, (
            user,
            received,
            resolved,
            deadline,
            reopened,
            outcome,
            _w,
        ) in rows.items():
            complaint = cls.create_complaint(subject=key)
            cls.env.flush_all()
            cr.execute(
                """UPDATE cs_complaint
                      SET user_id = %s, received_date = %s, resolved_date = %s,
                          resolve_deadline = %s, reopen_count = %s, outcome = %s
                    WHERE id = %s""",
                (
                    user.id,
                    f"2026-{received} 00:00:00",
                    f"2026-{resolved} 00:00:00",
                    deadline and f"2026-{deadline} 00:00:00",
                    reopened,
                    outcome,
                    complaint.id,
                ),
            )
            cls.complaints[key] = complaint
        cls.env["cs.complaint.stage.log"].create(
            {
                "complaint_id": cls.complaints["c3"].id,
                "stage_id": cls.stage_awaiting.id,
                "stage_kind": "awaiting",
                "user_id": cls.agent_a.id,
                "date_in": datetime(2026, 11, 11),
            }
        )
        cls.env.invalidate_all()
        # ratings: 5 and 2 on c1 and c2, one not given on c3, one on c4
        model_id = cls.env["ir.model"]._get_id("cs.complaint")
        cls.ratings = cls.env["rating.rating"].create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": cls.complaints[key].id,
                    "rating": rating,
                    "consumed": consumed,
                }
                for key, rating, consumed in (
                    ("c1", 5, True),
                    ("c2", 2, True),
                    ("c3", 0, False),
                    ("c4", 4, True),
                )
            ]
        )
        # NPS: a promoter and a detractor answered in November, a promoter
        # in October, all of agent_a's customers
        survey = cls.env["cs.nps.survey"].create(
            {"name": "Survey", "user_id": cls.supervisor_a.id}
        )
        cls.nps = cls.env["cs.nps.response"].create(
            [
                {
                    "survey_id": survey.id,
                    "partner_id": partner.id,
                    "relationship_manager_id": cls.agent_a.id,
                    "score": score,
                    "answered_date": answered,
                }
                for partner, score, answered in (
                    (cls.customer, 10, datetime(2026, 11, 5)),
                    (cls.customer2, 3, datetime(2026, 11, 30, 23)),
                    (cls.customer_b, 9, datetime(2026, 10, 31, 23)),
                )
            ]
        )
        # QA reviews: 80 and 95 submitted on November's work, a draft
        reviews = cls.env["cs.quality.review"]
        checklist = cls.env["cs.quality.checklist"].search([], limit=1)
        for key in ("c1", "c2", "c3"):
            reviews |= reviews.create(
                {
                    "complaint_id": cls.complaints[key].id,
                    "checklist_id": checklist.id,
                    "agent_id": cls.agent_a.id,
                }
            )
        cls.env.flush_all()
        for review, state, score in zip(
            reviews, ("done", "acknowledged", "draft"), (80, 95, 10), strict=True
        ):
            cr.execute(
                "UPDATE cs_quality_review SET state = %s, score = %s, "
                "work_date = '2026-11-20' WHERE id = %s",
                (state, score, review.id),
            )
        cls.reviews = reviews
        # follow-ups planned in November: done on time, done late, not done
        # (late), cancelled; a care task done in November
        Followup = cls.env["cs.followup"]
        cls.followups = Followup.create(
            [
                {
                    "name": f"Call {n}",
                    "partner_id": cls.customer.id,
                    "user_id": cls.agent_a.id,
                    "planned_date": date(2026, 11, day),
                }
                for n, day in enumerate((3, 10, 20, 25, 28))
            ]
        )
        cls.env.flush_all()
        for followup, state, done in zip(
            cls.followups,
            ("done", "done", "planned", "cancelled", "done"),
            ("2026-11-03", "2026-11-12", None, None, "2026-11-29"),
            strict=True,
        ):
            cr.execute(
                "UPDATE cs_followup SET state = %s, done_date = %s WHERE id = %s",
                (state, done, followup.id),
            )
        campaign = cls.env["cs.care.campaign"].create(
            {
                "name": "Greetings",
                "kind": "other",
                "date": date(2026, 11, 1),
                "user_id": cls.supervisor_a.id,
                "team_id": cls.team_a.id,
                "mail_template_id": cls.env.ref(
                    "customer_service_bank.mail_template_cs_care_event_invitation"
                ).id,
            }
        )
        participant = (
            cls.env["cs.care.participant"]
            .sudo()
            .create(
                {
                    "campaign_id": campaign.id,
                    "partner_id": cls.customer.id,
                    "occurrence_date": campaign.date,
                    "state": "sent",
                }
            )
        )
        cls.env.flush_all()
        cr.execute(
            "UPDATE cs_care_participant SET followup_id = %s WHERE id = %s",
            (cls.followups[4].id, participant.id),
        )
        # service plan reviews due in November: on time, late, not done
        Plan = cls.env["cs.service.plan"]
        elderly = cls.env.ref("customer_service_bank.cs_special_need_elderly")
        plans = Plan
        for day, done in ((10, "2026-11-09"), (20, "2026-11-25"), (28, None)):
            with freeze_time("2026-10-01"):
                plan = Plan.create(
                    {
                        "name": f"Plan {day}",
                        "partner_id": cls.customer.id,
                        "special_need_id": elderly.id,
                        "start_date": date(2026, 10, 1),
                        "review_date": date(2026, 11, day),
                        "user_id": cls.agent_a.id,
                    }
                )
                plan.action_activate()
            if done:
                with freeze_time(done):
                    plan._reminder_activities().action_feedback(feedback="Reviewed")
                    cls.env.flush_all()
            plans |= plan
        cls.plans = plans
        cls.env.invalidate_all()

    def compute(self, *users):
        appraisals = self.Appraisal.browse()
        for user in users:
            appraisals |= self.appraisal_of(user)
        with freeze_time(TODAY):
            appraisals._compute_kpis()
        return appraisals

    def test_every_kpi_of_a_known_month(self):
        appraisal = self.compute(self.agent_a)
        c1, c2, c3 = (self.complaints[key] for key in ("c1", "c2", "c3"))
        expected = {
            # kind: (value, records)
            "complaints_handled": (3, c1 | c2 | c3),
            # c2 resolved after its deadline; c3 had none
            "deadline_compliance": (66.67, c1 | c2 | c3),
            # 24, 48 and 72 hours
            "resolution_hours": (48, c1 | c2 | c3),
            "reopen_rate": (33.33, c1 | c2 | c3),
            # c2 was reopened, c3 waited for the customer
            "first_contact_resolution": (33.33, c1 | c2 | c3),
            # one upheld of the two with an outcome
            "upheld_rate": (50, c1 | c2),
            "csat": (3.5, self.ratings[:2]),
            # a promoter and a detractor
            "nps": (0, self.nps[:2]),
            "qa_score": (87.5, self.reviews[:2]),
            # on time 1 of the 4 not cancelled (the care task was late)
            "followups_on_time": (25, self.followups[:3] | self.followups[4]),
            "plans_reviewed_on_time": (33.33, self.plans),
            "care_tasks_done": (1, self.followups[4]),
        }
        for kind, (value, records) in expected.items():
            with self.subTest(kind=kind):
                line = self.line(appraisal, kind)
                self.assertTrue(line.has_data)
                self.assertAlmostEqual(line.value, value, places=2)
                self.assertEqual(line.record_count, len(records))
                self.assertEqual(line.res_model, records._name)
                action = line.action_view_records()
                self.assertEqual(action["res_model"], records._name)
                self.assertEqual(
                    self.env[records._name].search(action["domain"]), records
                )

    def test_the_agent_opens_the_records_behind_their_score(self):
        appraisal = self.compute(self.agent_a)
        for kind in ("complaints_handled", "csat", "qa_score", "followups_on_time"):
            line = self.line(appraisal, kind).with_user(self.agent_a)
            action = line.action_view_records()
            found = (
                self.env[action["res_model"]]
                .with_user(self.agent_a)
                .search(action["domain"])
            )
            self.assertEqual(len(found), line.record_count, kind)

    def test_zero_data_period(self):
        """agent_b did nothing in November: counts are 0, rates have no
        data and leave the total to the criteria."""
        appraisal = self.compute(self.agent_b)
        for kind in KINDS:
            with self.subTest(kind=kind):
                line = self.line(appraisal, kind)
                self.assertEqual(line.value, 0)
                self.assertEqual(line.record_count, 0)
                self.assertFalse(line.res_ids)
                self.assertEqual(
                    line.has_data, kind in ("complaints_handled", "care_tasks_done")
                )
        self.assertEqual(appraisal.total_score, 0)
        appraisal.criterion_line_ids.score = "4"
        # (5 x 0 + 5 x 0 + 20 x 80 + 20 x 80) / 50
        self.assertAlmostEqual(appraisal.total_score, 64)

    def test_kpis_do_not_mix_agents(self):
        a, a2 = self.compute(self.agent_a, self.agent_a2)
        self.assertEqual(self.line(a, "complaints_handled").value, 3)
        self.assertEqual(self.line(a2, "complaints_handled").value, 1)
        self.assertEqual(
            self.line(a2, "complaints_handled").res_ids, [self.complaints["c5"].id]
        )
        self.assertFalse(self.line(a2, "csat").has_data)

    def test_query_count_does_not_grow_with_agents(self):
        """Computing the KPIs costs the same queries for 1 or 3 agents."""

        def appraisal(user, team):
            return self.Appraisal.create(
                {
                    "period_id": self.period.id,
                    "team_id": team.id,
                    "employee_id": self.employee_of(user).id,
                    "template_id": self.template.id,
                    "company_id": self.company_a.id,
                }
            )

        warm_up = appraisal(self.agent_b, self.team_b)
        one = appraisal(self.agent_a, self.team_a)
        three = (
            appraisal(self.agent_a2, self.team_a)
            | appraisal(self.agent_b, self.team_a)
            | appraisal(self.agent_a, self.team_b)
        )
        with freeze_time(TODAY):
            warm_up._compute_kpis()
        # the lines (1), 12 KPI kinds (12), the criteria (1), the bands (2),
        # writing the lines and the totals (2), the user's time zone and the
        # plan review activity type (at most 2): queries per agent would
        # add at least a dozen for the two more agents
        for appraisals in (one, three):
            self.env.flush_all()
            self.env.invalidate_all()
            with freeze_time(TODAY), self.assertQueryCount(20):
                appraisals._compute_kpis()
                self.env.flush_all()
        self.assertEqual(self.line(three[0], "complaints_handled").value, 1, "computed")


class TestAppraisalScales(AppraisalCommon):
    def kpi(self, **values):
        return self.env["cs.appraisal.template.kpi"].new(
            {"kind": "deadline_compliance", "weight": 10, **values}
        )

    def test_linear_scale(self):
        higher = self.kpi(floor=60, target=100)
        self.assertEqual(
            [higher._score_for(v) for v in (40, 60, 90, 100, 120)],
            [0, 0, 75, 100, 100],
        )
        lower = self.kpi(kind="resolution_hours", floor=120, target=24)
        self.assertEqual(lower.direction, "lower")
        self.assertEqual(
            [lower._score_for(v) for v in (200, 120, 72, 24, 10)],
            [0, 0, 50, 100, 100],
        )

    def test_band_scale(self):
        higher = self.kpi(scale="bands", band_spec="95=100; 90=80;80=50")
        self.assertEqual(
            [higher._score_for(v) for v in (70, 80, 89.9, 90, 99)],
            [0, 50, 50, 80, 100],
        )
        lower = self.kpi(kind="reopen_rate", scale="bands", band_spec="5=100; 10=60")
        self.assertEqual(
            [lower._score_for(v) for v in (0, 5, 7, 10, 11)], [100, 100, 60, 60, 0]
        )

    def test_bad_scales_are_refused(self):
        template = self.template
        kpi = template.kpi_ids[1]
        with self.assertRaisesRolledBack(ValidationError, "floor must be below"):
            kpi.write({"floor": 100, "target": 90})
        with self.assertRaisesRolledBack(ValidationError, "floor must be above"):
            kpi.write({"direction": "lower", "floor": 10, "target": 90})
        for spec in ("95:100", "95=120", "", "a=b"):
            with self.assertRaisesRolledBack(ValidationError, "band"):
                kpi.write({"scale": "bands", "band_spec": spec})

    def test_weights_add_up_to_100(self):
        with self.assertRaisesRolledBack(ValidationError, "add up to 105, not 100"):
            self.template.criterion_ids[0].weight = 25
        with self.assertRaisesRolledBack(ValidationError, "add up to 95, not 100"):
            self.template.kpi_ids[0].unlink()
        with self.assertRaisesRolledBack(ValidationError, "add up to 110, not 100"):
            self.template.write(
                {"criterion_ids": [Command.create({"name": "Extra", "weight": 10})]}
            )
        with Form(self.env["cs.appraisal.template"]) as form:
            form.name = "Simple"
            with form.kpi_ids.new() as kpi:
                kpi.kind = "csat"
                kpi.weight = 60
                kpi.floor = 1
                kpi.target = 5
            with form.criterion_ids.new() as criterion:
                criterion.name = "Attitude"
                criterion.weight = 40
        self.assertEqual(form.record.total_weight, 100)
        edit = Form(form.record)
        edit.criterion_ids.remove(0)
        with self.assertRaisesRegex(ValidationError, "add up to 60, not 100"):
            edit.save()

    def test_total_score_and_band(self):
        appraisal = self.appraisal_of(self.agent_a)
        lines = appraisal.kpi_line_ids
        lines.write({"has_data": True, "value": 50})
        self.line(appraisal, "csat").write({"has_data": False, "value": 0})
        appraisal.criterion_line_ids[0].score = "5"
        appraisal.criterion_line_ids[1].score = "2"
        # (11 x 5 x 50 + 20 x 100 + 20 x 40) / 95
        self.assertAlmostEqual(appraisal.total_score, 58.42)
        self.assertEqual(
            appraisal.band_id,
            self.env.ref("customer_service_bank.cs_appraisal_band_below"),
        )
        self.assertEqual(appraisal.incentive_coefficient, 0.5)
        appraisal.criterion_line_ids[1].score = "4"
        # (2750 + 2000 + 1600) / 95
        self.assertAlmostEqual(appraisal.total_score, 66.84)
        self.assertEqual(
            appraisal.band_id,
            self.env.ref("customer_service_bank.cs_appraisal_band_meets"),
        )
        self.assertEqual(appraisal.incentive_coefficient, 1.0)
        # a band edited in the settings applies from the next computation
        self.env.ref("customer_service_bank.cs_appraisal_band_meets").min_score = 70
        appraisal.criterion_line_ids[1].score = "3"
        self.assertEqual(
            appraisal.band_id,
            self.env.ref("customer_service_bank.cs_appraisal_band_below"),
        )


class TestAppraisalWorkflow(AppraisalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.appraisal = cls.appraisal_of(cls.agent_a)

    def as_(self, user):
        return self.appraisal.with_user(user)

    def test_workflow_and_who_may_move_it(self):
        appraisal = self.appraisal
        with self.assertRaises(AccessError):
            self.as_(self.agent_a).action_start_self_assessment()
        with self.assertRaises(AccessError):
            self.as_(self.supervisor_b).action_start_self_assessment()
        with freeze_time(TODAY):
            self.as_(self.supervisor_a).action_start_self_assessment()
        self.assertEqual(appraisal.state, "self_assessment")
        self.assertTrue(appraisal.kpi_date)
        # the form lets the reviewers, not the agent, score and comment
        self.assertFalse(self.as_(self.agent_a).is_reviewer)
        self.assertTrue(self.as_(self.supervisor_a).is_reviewer)
        self.assertTrue(self.as_(self.manager).is_reviewer)
        # the agent writes their self-assessment, nothing else
        self.as_(self.agent_a).self_assessment = "<p>A good month.</p>"
        with self.assertRaisesRolledBack(AccessError, "may not change"):
            self.as_(self.agent_a).goals = "<p>Be the best.</p>"
        # nor does anyone else write it for them
        for user in (self.supervisor_a, self.manager):
            with self.assertRaisesRolledBack(AccessError, "Only the appraised agent"):
                self.as_(user).self_assessment = "<p>Written for them.</p>"
        # another agent does not even see it; lines are the supervisor's
        with self.assertRaises(AccessError):
            self.as_(self.agent_a2).self_assessment = "<p>Not mine.</p>"
        with self.assertRaises(AccessError):
            self.as_(self.agent_a).criterion_line_ids[0].score = "5"
        with self.assertRaisesRolledBack(UserError, "Use the buttons"):
            self.as_(self.supervisor_a).state = "done"
        self.as_(self.agent_a).action_submit_self_assessment()
        self.assertEqual(appraisal.state, "review")
        with self.assertRaisesRolledBack(AccessError, "may not change"):
            self.as_(self.agent_a).self_assessment = "<p>Changed my mind.</p>"
        with self.assertRaises(AccessError):
            self.as_(self.agent_a).action_submit_review()
        with self.assertRaisesRolledBack(UserError, "Score every criterion"):
            self.as_(self.supervisor_a).action_submit_review()
        review = self.as_(self.supervisor_a)
        review.criterion_line_ids.score = "4"
        review.write({"supervisor_comments": "<p>Solid.</p>", "goals": "<p>More.</p>"})
        review.action_submit_review()
        self.assertEqual(appraisal.state, "approval")
        with self.assertRaises(AccessError):
            self.as_(self.supervisor_a).action_approve()
        # the review is submitted: the supervisor changes it no more
        with self.assertRaisesRolledBack(AccessError, "may not change"):
            review.goals = "<p>Even more.</p>"
        self.as_(self.manager).action_send_back()
        self.assertEqual(appraisal.state, "review")
        review.action_submit_review()
        self.as_(self.manager).action_approve()
        self.assertRecordValues(
            appraisal, [{"state": "done", "approved_by_id": self.manager.id}]
        )

    def test_every_state_change_is_tracked(self):
        self.finish(track=True)
        tracked = self.appraisal.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "state"
        )
        self.assertEqual(
            tracked.sorted("id").mapped("new_value_char"),
            ["Self-Assessment", "Supervisor Review", "Manager Approval", "Done"],
        )

    def finish(self, track=False):
        """Take the appraisal to done; ``track``: log each step's tracking,
        as each would be its own request."""
        appraisal = self.appraisal
        appraisal.criterion_line_ids.score = "3"
        if track:
            # the appraisal's creation is a request of its own
            self.env.flush_all()
            self.env.cr.precommit.run()
        for step in (
            appraisal.action_start_self_assessment,
            appraisal.action_submit_self_assessment,
            appraisal.action_submit_review,
            appraisal.with_user(self.manager).action_approve,
        ):
            step()
            if track:
                self.env.flush_all()
                self.env.cr.precommit.run()

    def test_done_is_locked_for_everyone(self):
        self.finish()
        for user in (self.agent_a, self.supervisor_a, self.manager):
            with self.subTest(user=user.login):
                appraisal = self.as_(user)
                with self.assertRaisesRolledBack(UserError, "cannot be changed"):
                    appraisal.supervisor_comments = "<p>Edited</p>"
                with self.assertRaisesRolledBack(UserError, "frozen"):
                    appraisal.sudo().criterion_line_ids.score = "5"
                with self.assertRaisesRolledBack(UserError, "frozen"):
                    appraisal.sudo().kpi_line_ids[0].target = 5
                with self.assertRaisesRolledBack(UserError, "draft"):
                    appraisal.sudo().unlink()
        with self.assertRaisesRolledBack(UserError, "cannot be changed"):
            self.as_(self.manager).manager_note = "<p>Private</p>"
        # messages may still be posted
        self.as_(self.agent_a).message_post(body="Thanks!")

    def test_reopen_by_manager_only_with_reason(self):
        self.finish()
        with self.assertRaises(AccessError):
            self.as_(self.supervisor_a).action_open_reopen_wizard()
        with self.assertRaisesRolledBack(UserError, "Say why"):
            self.as_(self.manager)._reopen("  ")
        action = self.as_(self.manager).action_open_reopen_wizard()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.manager)
            .with_context(**action["context"])
        )
        wizard.reason = "The CSAT of a merged complaint was counted twice."
        wizard.save().action_reopen()
        self.assertEqual(self.appraisal.state, "review")
        self.assertFalse(self.appraisal.approved_by_id)
        self.assertIn("counted twice", self.appraisal.message_ids[0].body)
        # editable again by the supervisor
        self.as_(self.supervisor_a).criterion_line_ids[0].score = "5"

    def test_kpis_frozen_at_review_submission(self):
        with freeze_time(TODAY):
            self.appraisal.action_start_self_assessment()
        handled = self.line(self.appraisal, "complaints_handled")
        self.assertEqual(handled.value, 0)
        complaint = self.create_complaint(user_id=self.agent_a.id)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE cs_complaint SET resolved_date = '2026-11-20' WHERE id = %s",
            (complaint.id,),
        )
        with freeze_time(TODAY):
            self.as_(self.supervisor_a).action_recompute_kpis()
        self.assertEqual(handled.value, 1)
        self.appraisal.action_submit_self_assessment()
        self.appraisal.criterion_line_ids.score = "3"
        self.appraisal.action_submit_review()
        self.env.cr.execute(
            "UPDATE cs_complaint SET resolved_date = NULL WHERE id = %s",
            (complaint.id,),
        )
        self.assertTrue(self.appraisal.kpi_frozen)
        with self.assertRaisesRolledBack(UserError, "recomputes KPIs until"):
            self.as_(self.supervisor_a).action_recompute_kpis()
        self.assertEqual(handled.value, 1)


class TestAppraisalSecurity(AppraisalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.appraisals = {
            "a": cls.appraisal_of(cls.agent_a),
            "a2": cls.appraisal_of(cls.agent_a2),
            "b": cls.appraisal_of(cls.agent_b, team=cls.team_b),
        }

    def test_record_rules(self):
        visible = {
            self.agent_a: "a",
            self.agent_a2: "a2",
            self.agent_b: "b",
            self.supervisor_a: "a a2",
            self.supervisor_b: "b",
            self.manager: "a a2 b",
        }
        for user, keys in visible.items():
            with self.subTest(user=user.login):
                expected = set(keys.split())
                found = self.Appraisal.with_user(user).search([])
                self.assertEqual(
                    {k for k, a in self.appraisals.items() if a in found}, expected
                )
                lines = self.env["cs.appraisal.kpi.line"].with_user(user).search([])
                self.assertEqual(
                    {k for k, a in self.appraisals.items() if a.kpi_line_ids & lines},
                    expected,
                )
                criteria = (
                    self.env["cs.appraisal.criterion.line"].with_user(user).search([])
                )
                self.assertEqual(
                    {
                        k
                        for k, a in self.appraisals.items()
                        if a.criterion_line_ids & criteria
                    },
                    expected,
                )
        with self.assertRaises(AccessError):
            self.appraisals["b"].with_user(self.supervisor_a).read(["total_score"])
        with self.assertRaises(AccessError):
            self.appraisals["a"].with_user(self.agent_a2).read(["total_score"])

    def test_manager_note_is_the_managers(self):
        appraisal = self.appraisals["a"]
        appraisal.with_user(self.manager).manager_note = "<p>Retention risk</p>"
        for user in (self.agent_a, self.supervisor_a):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                appraisal.with_user(user).read(["manager_note"])
        self.assertIn(
            "Retention",
            appraisal.with_user(self.manager).read(["manager_note"])[0]["manager_note"],
        )

    def test_supervisors_change_their_teams_templates(self):
        template = self.template.with_user(self.supervisor_a)
        template.name = "Renamed"
        template.kpi_ids[0].target = 90
        with self.assertRaises(AccessError):
            self.template.with_user(self.supervisor_b).name = "Not mine"
        with self.assertRaises(AccessError):
            self.template.kpi_ids[0].with_user(self.supervisor_b).target = 80
        # every one reads it
        self.assertTrue(self.template.with_user(self.agent_b).kpi_ids)

    def test_company_rules(self):
        company_b_period = self.env["cs.appraisal.period"].create(
            {
                "kind": "monthly",
                "date_from": date(2026, 11, 1),
                "company_id": self.company_b.id,
            }
        )
        periods = self.env["cs.appraisal.period"].with_user(self.agent_a).search([])
        self.assertIn(self.period, periods)
        self.assertNotIn(company_b_period, periods)
        bands = self.env["cs.appraisal.band"].with_user(self.agent_c).search([])
        self.assertFalse(bands, "company B has no band yet")


class TestAppraisalPeriods(AppraisalCommon):
    def run_cron(self, day):
        with freeze_time(day):
            self.env["cs.appraisal.period"]._cron_plan_periods()
            self.env.flush_all()

    def test_periods_and_appraisals_generated_once(self):
        self.company_b.cs_appraisal_period_kind = "yearly"
        Period = self.env["cs.appraisal.period"]
        before = Period.search([])
        self.run_cron("2027-02-10 09:00:00")
        created = Period.search([]) - before
        self.assertEqual(
            sorted(
                (p.company_id.name, p.kind, str(p.date_from), str(p.date_to), p.name)
                for p in created
            ),
            sorted(
                [
                    (
                        self.company_a.name,
                        "quarterly",
                        "2027-01-01",
                        "2027-03-31",
                        "2027 Q1",
                    ),
                    (
                        self.company_a.name,
                        "quarterly",
                        "2027-04-01",
                        "2027-06-30",
                        "2027 Q2",
                    ),
                    ("Bank B", "yearly", "2027-01-01", "2027-12-31", "2027"),
                    ("Bank B", "yearly", "2028-01-01", "2028-12-31", "2028"),
                ]
            ),
        )
        # the demo teams' members get theirs too: only the test users here
        appraisals = self.Appraisal.search(
            [("period_id", "in", created.ids), ("user_id.login", "=like", "cs_t_%")]
        )
        self.assertEqual(
            sorted(
                (a.period_id.name, a.team_id.name, a.user_id.login) for a in appraisals
            ),
            [
                ("2027", "Team C", "cs_t_agent_c"),
                ("2027 Q1", "Team A", "cs_t_agent_a"),
                ("2027 Q1", "Team A", "cs_t_agent_a2"),
                ("2027 Q1", "Team B", "cs_t_agent_b"),
            ],
        )
        # employees were created where missing, in the team's company
        for appraisal in appraisals:
            self.assertEqual(appraisal.employee_id.user_id, appraisal.user_id)
            self.assertEqual(appraisal.employee_id.company_id, appraisal.company_id)
        team_a = appraisals.filtered(lambda a: a.team_id == self.team_a)
        self.assertEqual(team_a.template_id, self.template)
        self.assertEqual(len(team_a[0].kpi_line_ids), len(KINDS))
        # a rerun, or a second worker, creates nothing
        everyone = self.Appraisal.search([("period_id", "in", created.ids)])
        self.run_cron("2027-02-11 09:00:00")
        self.assertEqual(Period.search([]) - before, created)
        self.assertEqual(
            self.Appraisal.search([("period_id", "in", created.ids)]), everyone
        )
        # a new member gets theirs the next day
        self.team_b.member_ids = [Command.link(self.agent_a.id)]
        self.run_cron("2027-02-12 09:00:00")
        new = self.Appraisal.search([("period_id", "in", created.ids)]) - everyone
        self.assertEqual((new.team_id, new.user_id), (self.team_b, self.agent_a))
        self.assertEqual(
            new.employee_id,
            team_a.filtered(lambda a: a.user_id == self.agent_a).employee_id,
        )

    @staticmethod
    def users_appraised(period):
        return period.appraisal_ids.user_id.filtered(
            lambda user: user.login.startswith("cs_t_")
        )

    def test_member_without_possible_employee(self):
        archived = self.employee_of(self.agent_a2)
        archived.active = False
        self.run_cron("2027-02-10 09:00:00")
        period = self.env["cs.appraisal.period"].search(
            [("company_id", "=", self.company_a.id), ("date_from", "=", "2027-01-01")]
        )
        self.assertEqual(period.missing_user_ids, self.agent_a2)
        self.assertIn("is archived: restore it", period.message_ids[0].body)
        self.assertEqual(self.users_appraised(period), self.agent_a | self.agent_b)
        # not reported again
        messages = period.message_ids
        self.run_cron("2027-02-11 09:00:00")
        self.assertEqual(period.message_ids, messages)
        # fixed, then generated by a manager
        archived.active = True
        with self.assertRaisesRolledBack(UserError, "Only managers"):
            period.with_user(self.supervisor_a).action_generate_appraisals()
        period.with_user(self.manager).action_generate_appraisals()
        self.assertFalse(period.missing_user_ids)
        self.assertEqual(
            self.users_appraised(period), self.agent_a | self.agent_a2 | self.agent_b
        )

    def test_period_dates(self):
        with self.assertRaisesRolledBack(ValidationError, "cannot end before"):
            self.period.date_to = date(2026, 10, 1)
        self.assertEqual(self.period.name, "2026-11")
        self.assertEqual(self.period.date_to, date(2026, 11, 30))


class TestAppraisalCalibration(AppraisalCommon):
    def test_calibration_highlights_outliers(self):
        appraisals = [self.appraisal_of(user) for user in (self.agent_a, self.agent_a2)]
        appraisals.append(self.appraisal_of(self.agent_b, team=self.team_b))
        for appraisal, score in zip(appraisals, ("5", "3", "3"), strict=True):
            appraisal.criterion_line_ids.score = score
        html = str(self.period.calibration_html)
        # team A: one outstanding (50% vs 10%), one meets (50% vs 50%)
        self.assertIn("Team A", html)
        # team A: outstanding 50% (target 10%), exceeds 0% (25%), below 0%
        # (15%); team B: meets 100% (50%), exceeds 0% (25%), below 0% (15%)
        self.assertEqual(html.count("cs_calibration_outlier"), 3 + 3)
        self.company_a.cs_appraisal_outlier_points = 60
        self.period.invalidate_recordset(["calibration_html"])
        self.assertNotIn("cs_calibration_outlier", str(self.period.calibration_html))

    def test_employee_score_trend(self):
        employee = self.employee_of(self.agent_a)
        earlier = self.env["cs.appraisal.period"].create(
            {
                "kind": "monthly",
                "date_from": date(2026, 10, 1),
                "company_id": self.company_a.id,
            }
        )
        for period, score in ((earlier, "3"), (self.period, "4")):
            appraisal = self.appraisal_of(self.agent_a, period_id=period.id)
            appraisal.action_start_self_assessment()
            appraisal.action_submit_self_assessment()
            appraisal.criterion_line_ids.score = score
            appraisal.action_submit_review()
            appraisal.with_user(self.manager).action_approve()
        employee.invalidate_recordset()
        self.assertEqual(employee.cs_appraisal_count, 2)
        trend = str(employee.cs_appraisal_trend)
        # (5 x 0 complaints + 5 x 0 care tasks + 40 x 60 or 80) / 50
        self.assertIn("2026-10: <b>48.0</b>", trend)
        self.assertIn("2026-11: <b>64.0</b> (+16.0)", trend)
        action = employee.action_view_cs_appraisals()
        self.assertEqual(
            self.Appraisal.search(action["domain"]), employee.cs_appraisal_ids
        )


@tagged("post_install", "-at_install")
class TestAppraisalTour(AppraisalCommon, HttpCase):
    def test_appraisal_tour(self):
        """The agent assesses themselves, the supervisor reviews, the
        manager approves, each in the web client."""
        self.agent_a.name = "Tour Agent"
        self.employee_of(self.agent_a).name = "Tour Agent"
        complaint = self.create_complaint(
            subject="Tour: resolved in November", user_id=self.agent_a.id
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE cs_complaint SET resolved_date = '2026-11-20' WHERE id = %s",
            (complaint.id,),
        )
        appraisal = self.appraisal_of(self.agent_a)
        appraisal.action_start_self_assessment()

        self.start_tour(ACTION_URL, "cs_appraisal_self_tour", login=self.agent_a.login)
        self.assertEqual(appraisal.state, "review")
        self.assertIn("every complaint on time", appraisal.self_assessment)

        self.start_tour(
            ACTION_URL, "cs_appraisal_review_tour", login=self.supervisor_a.login
        )
        self.assertEqual(appraisal.state, "approval")
        self.assertEqual(appraisal.criterion_line_ids.mapped("score"), ["5", "4"])
        self.assertIn("Coach a new colleague", appraisal.goals)

        self.start_tour(
            ACTION_URL, "cs_appraisal_approve_tour", login=self.manager.login
        )
        self.assertRecordValues(
            appraisal, [{"state": "done", "approved_by_id": self.manager.id}]
        )


class TestAppraisalWorkers(TransactionCase):
    """Two scheduled-action workers generating one period's appraisals, with
    real committed transactions, on the demo teams."""

    def setUp(self):
        super().setUp()
        if not self.env.ref("customer_service_bank.cs_demo_team_shanghai", False):
            raise SkipTest("needs the demo teams")
        with self.registry.cursor() as cr:
            period = api.Environment(cr, SUPERUSER_ID, {})["cs.appraisal.period"]
            self.period_id = period.create(
                {"kind": "monthly", "date_from": date(2031, 1, 1)}
            ).id
        self.addCleanup(self._delete)

    def _delete(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "DELETE FROM cs_appraisal WHERE period_id = %s RETURNING id",
                [self.period_id],
            )
            ids = [row[0] for row in cr.fetchall()]
            cr.execute(
                "DELETE FROM mail_message WHERE (model = 'cs.appraisal'"
                " AND res_id = ANY(%s)) OR (model = 'cs.appraisal.period'"
                " AND res_id = %s)",
                [ids, self.period_id],
            )
            cr.execute(
                "DELETE FROM cs_appraisal_period WHERE id = %s", [self.period_id]
            )

    def _worker(self, cr):
        cr.execute("SET LOCAL lock_timeout = '10s'")
        return api.Environment(cr, SUPERUSER_ID, {})["cs.appraisal.period"]

    def _appraised(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT u.login FROM cs_appraisal a"
                " JOIN res_users u ON u.id = a.user_id"
                " WHERE a.period_id = %s ORDER BY u.login",
                [self.period_id],
            )
            return [row[0] for row in cr.fetchall()]

    def test_concurrent_workers_take_different_teams(self):
        periods = (self.period_id,)
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            worker_a, worker_b = self._worker(cr_a), self._worker(cr_b)
            done_a = worker_a._run_batch_job(1, period_ids=periods)
            # B neither waits for A's team nor takes it: it takes London's
            done_b = worker_b._run_batch_job(5, period_ids=periods)
            self.assertEqual(done_a.team_id.name, "Shanghai Retail Complaints")
            self.assertEqual(done_b.user_id.login, "cs_agent_smith")
        # both committed; a rerun takes what is left, then nothing
        with self.registry.cursor() as cr:
            self.assertEqual(
                len(self._worker(cr)._run_batch_job(5, period_ids=periods)), 1
            )
        with self.registry.cursor() as cr:
            self.assertFalse(self._worker(cr)._run_batch_job(5, period_ids=periods))
        self.assertEqual(
            self._appraised(), ["cs_agent_li", "cs_agent_smith", "cs_agent_wang"]
        )
