from datetime import date, datetime, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time

from .common import CsCommon


class TrainingCommon(CsCommon):
    """Employees for the agents of teams A and B, a certification survey
    (one question, pass at 80%) and two courses: one assessed by the survey
    and mandatory for team A, one completed by attending."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Employee = cls.env["hr.employee"]
        cls.emp_a, cls.emp_a2, cls.emp_b = (
            Employee.create(
                {"name": user.name, "user_id": user.id, "company_id": cls.company_a.id}
            )
            for user in (cls.agent_a, cls.agent_a2, cls.agent_b)
        )
        cls.survey = cls.env["survey.survey"].create(
            {
                "title": "Complaint Rules Certification",
                "certification": True,
                "scoring_type": "scoring_with_answers",
                "scoring_success_min": 80.0,
                "access_mode": "token",
                "users_login_required": True,
            }
        )
        cls.question = cls.env["survey.question"].create(
            {
                "survey_id": cls.survey.id,
                "title": "Final response deadline?",
                "question_type": "simple_choice",
                "suggested_answer_ids": [
                    Command.create(
                        {"value": "15 days", "is_correct": True, "answer_score": 1}
                    ),
                    Command.create({"value": "30 days"}),
                ],
            }
        )
        cls.right, cls.wrong = cls.question.suggested_answer_ids
        cls.criterion = cls.env.ref(
            "customer_service_bank.cs_quality_criterion_response_time"
        )
        Course = cls.env["cs.training.course"]
        cls.course = Course.create(
            {
                "name": "Complaint Rules",
                "survey_id": cls.survey.id,
                "validity_months": 12,
                "cost": 100.0,
                "mandatory_team_ids": [Command.set(cls.team_a.ids)],
                "criterion_ids": [Command.set(cls.criterion.ids)],
                "category_ids": [Command.set(cls.cat_fees.ids)],
            }
        )
        cls.course_plain = Course.create(
            {"name": "Vulnerable Customers", "validity_months": 12}
        )

    @classmethod
    def _session(cls, course=None, start=datetime(2026, 6, 15, 2, 0), **values):
        return cls.env["cs.training.session"].create(
            {
                "course_id": (course or cls.course).id,
                "team_id": cls.team_a.id,
                "date_start": start,
                "duration": 2.0,
                **values,
            }
        )

    @classmethod
    def _attend(cls, session, *employees, attendance="attended"):
        return cls.env["cs.training.attendee"].create(
            [
                {
                    "session_id": session.id,
                    "employee_id": employee.id,
                    "attendance": attendance,
                }
                for employee in employees
            ]
        )


class TestTrainingCertification(TrainingCommon):
    def _answer(self, attendee, answer):
        user_input = attendee.user_input_id
        self.env["survey.user_input.line"].create(
            {
                "user_input_id": user_input.id,
                "question_id": self.question.id,
                "answer_type": "suggestion",
                "suggested_answer_id": answer.id,
            }
        )
        user_input._mark_done()

    @freeze_time("2026-06-16 08:00:00")
    def test_pass_gives_resume_line_and_fail_none(self):
        session = self._session()
        passer, failer = self._attend(session, self.emp_a, self.emp_a2)
        absent = self._attend(session, self.emp_b, attendance="absent")
        sent_before = self.env["mail.mail"].search_count([])
        session.with_user(self.supervisor_a).action_send_certification()
        self.assertEqual(passer.user_input_id.survey_id, self.survey)
        self.assertEqual(passer.user_input_id.partner_id, self.agent_a.partner_id)
        self.assertEqual(failer.user_input_id.state, "new")
        self.assertFalse(absent.user_input_id, "only attendees who attended")
        self.assertEqual(self.env["mail.mail"].search_count([]) - sent_before, 2)

        self._answer(passer, self.right)
        self._answer(failer, self.wrong)

        self.assertRecordValues(
            passer + failer,
            [
                {
                    "score": 100.0,
                    "passed": True,
                    "completion_date": date(2026, 6, 16),
                    "expiry_date": date(2027, 6, 16),
                },
                {
                    "score": 0.0,
                    "passed": False,
                    "completion_date": False,
                    "expiry_date": False,
                },
            ],
        )
        lines = self.env["hr.resume.line"].search([("survey_id", "=", self.survey.id)])
        self.assertEqual(lines.employee_id, self.emp_a, "no resume line on failing")
        self.assertRecordValues(
            lines,
            [
                {
                    "display_type": "certification",
                    "date_start": date(2026, 6, 16),
                    "date_end": date(2027, 6, 16),
                    "expiration_status": "valid",
                }
            ],
        )

        # sending again: a new attempt for the one who failed only
        failed_answer = failer.user_input_id
        session.action_send_certification()
        self.assertNotEqual(failer.user_input_id, failed_answer)
        self.assertEqual(failer.user_input_id.state, "new")
        self.assertEqual(passer.user_input_id.state, "done")

    def test_course_validity_goes_to_the_survey(self):
        self.assertEqual(self.survey.certification_validity_months, 12)
        self.course.validity_months = 24
        self.assertEqual(self.survey.certification_validity_months, 24)

    def test_send_without_survey_or_user(self):
        session = self._session(course=self.course_plain)
        self._attend(session, self.emp_a)
        with self.assertRaisesRegex(UserError, "has no certification survey"):
            session.action_send_certification()
        userless = self.env["hr.employee"].create({"name": "No User"})
        session = self._session()
        self._attend(session, userless)
        with self.assertRaisesRegex(UserError, "No User have no user"):
            session.action_send_certification()

    def test_attending_completes_a_course_without_survey(self):
        session = self._session(course=self.course_plain)
        attendee = self._attend(session, self.emp_a, attendance="invited")
        self.assertFalse(attendee.passed)
        attendee.attendance = "attended"
        self.assertRecordValues(
            attendee,
            [
                {
                    "passed": True,
                    "completion_date": date(2026, 6, 15),
                    "expiry_date": date(2027, 6, 15),
                }
            ],
        )
        self.course_plain.validity_months = 0
        self.assertFalse(attendee.expiry_date, "0 months: never expires")
        survey = self.survey.copy({"title": "Vulnerable Customers Certification"})
        self.course_plain.survey_id = survey
        self.assertTrue(attendee.passed, "a later survey keeps past completions")


class TestTrainingCalendar(TrainingCommon):
    def test_session_event_follows_date_and_attendees(self):
        session = self._session(location="Room 2")
        event = session.calendar_event_id
        self.assertTrue(event)
        self.assertRecordValues(
            event,
            [
                {
                    "name": "Complaint Rules",
                    "start": datetime(2026, 6, 15, 2, 0),
                    "stop": datetime(2026, 6, 15, 4, 0),
                    "location": "Room 2",
                    "res_model": "cs.training.session",
                    "res_id": session.id,
                }
            ],
        )
        self.assertFalse(event.partner_ids)
        attendee_a, attendee_a2 = self._attend(
            session, self.emp_a, self.emp_a2, attendance="invited"
        )
        self.assertEqual(
            event.partner_ids, self.agent_a.partner_id | self.agent_a2.partner_id
        )
        session.write({"date_start": datetime(2026, 6, 20, 6, 0), "duration": 3.0})
        self.assertEqual(event.start, datetime(2026, 6, 20, 6, 0))
        self.assertEqual(event.stop, datetime(2026, 6, 20, 9, 0))
        attendee_a2.unlink()
        self.assertEqual(event.partner_ids, self.agent_a.partner_id)
        attendee_a.employee_id = self.emp_b
        self.assertEqual(event.partner_ids, self.agent_b.partner_id)
        self.assertEqual(session.calendar_event_id, event, "one event per session")

        session.action_cancel()
        self.assertFalse(event.active)
        session.action_reset_planned()
        self.assertTrue(event.active)
        session.unlink()
        self.assertFalse(event.exists())

    def test_session_form(self):
        """The session takes the course's name and cost per attendee."""
        form = Form(self.env["cs.training.session"].with_user(self.supervisor_a))
        form.course_id = self.course
        form.team_id = self.team_a
        form.date_start = datetime(2026, 7, 1, 2, 0)
        with form.attendee_ids.new() as line:
            line.employee_id = self.emp_a
        with form.attendee_ids.new() as line:
            line.employee_id = self.emp_a2
        session = form.save()
        self.assertEqual(session.name, "Complaint Rules")
        self.assertEqual(session.cost, 200.0)
        self.assertEqual(
            session.calendar_event_id.partner_ids,
            self.agent_a.partner_id | self.agent_a2.partner_id,
        )

    def test_held_session_is_cancelled_not_deleted(self):
        session = self._session()
        self._attend(session, self.emp_a)
        with self.assertRaisesRegex(UserError, "cancel them instead"):
            session.unlink()


class TestTrainingEffect(TrainingCommon):
    """Session on 15 June 2026 02:00, N = 30 days: before is 16 May to
    15 June, after 15 June to 15 July. agent_a attended, agent_a2 did not."""

    def _review(self, agent, score, submitted):
        complaint = self.create_complaint(user_id=agent.id)
        review = self.env["cs.quality.review"].create(
            {
                "complaint_id": complaint.id,
                "agent_id": agent.id,
                "reviewer_id": self.supervisor_a.id,
            }
        )
        for line in review.line_ids:
            line.score = score
        with freeze_time(submitted):
            review.action_submit()
        return review

    def _resolved(self, agent, resolved, reopened=False, rating=None):
        complaint = self.create_complaint(
            user_id=agent.id, received_date=resolved - timedelta(days=3)
        )
        complaint.write(
            {"resolved_date": resolved, "reopen_count": 1 if reopened else 0}
        )
        if rating:
            rated = self.env["rating.rating"].create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("cs.complaint"),
                    "res_id": complaint.id,
                    "partner_id": self.customer.id,
                    "rating": rating,
                    "consumed": True,
                }
            )
            rated.flush_recordset()
            self.env.cr.execute(
                "UPDATE rating_rating SET write_date = %s WHERE id = %s",
                [resolved + timedelta(days=1), rated.id],
            )
        return complaint

    def test_effect_figures(self):
        self.company_a.cs_training_effect_days = 30
        session = self._session()
        self._attend(session, self.emp_a)
        self._attend(session, self.emp_a2, attendance="absent")
        # QA: 100 and 60 before, 100 after; outside the window and the
        # agent who did not attend do not count
        self._review(self.agent_a, 5, datetime(2026, 6, 1, 9))
        self._review(self.agent_a, 3, datetime(2026, 6, 10, 9))
        self._review(self.agent_a, 5, datetime(2026, 6, 20, 9))
        self._review(self.agent_a, 0, datetime(2026, 5, 10, 9))
        self._review(self.agent_a, 0, datetime(2026, 7, 20, 9))
        self._review(self.agent_a2, 0, datetime(2026, 6, 20, 9))
        # complaints: 1 of 2 reopened before, 0 of 1 after; ratings 4 and 2
        # before, 5 after
        self._resolved(self.agent_a, datetime(2026, 6, 5, 2), rating=4)
        self._resolved(self.agent_a, datetime(2026, 6, 8, 2), True, rating=2)
        self._resolved(self.agent_a, datetime(2026, 6, 25, 2), rating=5)
        self._resolved(self.agent_a2, datetime(2026, 6, 25, 2), True, rating=1)
        self.env.invalidate_all()
        self.assertRecordValues(
            self.course,
            [
                {
                    "effect_days": 30,
                    "qa_before": 80.0,
                    "qa_before_count": 2,
                    "qa_after": 100.0,
                    "qa_after_count": 1,
                    "csat_before": 3.0,
                    "csat_before_count": 2,
                    "csat_after": 5.0,
                    "csat_after_count": 1,
                    "reopen_before": 50.0,
                    "reopen_before_count": 2,
                    "reopen_after": 0.0,
                    "reopen_after_count": 1,
                }
            ],
        )

    def test_effect_in_one_query(self):
        """The figures of any number of courses come from one query."""
        for course in (self.course, self.course_plain):
            self._attend(self._session(course=course), self.emp_a)
        self.env.flush_all()
        with self.assertQueryCount(1):
            self.course._training_effect()
        with self.assertQueryCount(1):
            (self.course | self.course_plain)._training_effect()

    def test_effect_without_data(self):
        session = self._session(course=self.course_plain)
        self._attend(session, self.emp_a)
        for course in (self.course, self.course_plain):
            self.assertRecordValues(
                course,
                [
                    {
                        "qa_before": 0.0,
                        "qa_before_count": 0,
                        "qa_after": 0.0,
                        "qa_after_count": 0,
                        "csat_before_count": 0,
                        "csat_after_count": 0,
                        "reopen_before_count": 0,
                        "reopen_after_count": 0,
                    }
                ],
            )


class TestTrainingProposals(TrainingCommon):
    """QA threshold 60%, categories: 2 complaints at least, 50% breached or
    reopened, over 90 days; today 30 June 2026."""

    TODAY = date(2026, 6, 30)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a.write(
            {
                "cs_training_qa_threshold": 60.0,
                "cs_training_window_days": 90,
                "cs_training_min_complaints": 2,
                "cs_training_breach_rate": 50.0,
                "cs_training_reopen_rate": 50.0,
            }
        )
        cls.Proposal = cls.env["cs.training.proposal"]

    def _review(self, agent, response_time, submitted):
        """A review scoring 5 of 5 but ``response_time`` on response time."""
        complaint = self.create_complaint(user_id=agent.id, category_id=False)
        review = self.env["cs.quality.review"].create(
            {
                "complaint_id": complaint.id,
                "agent_id": agent.id,
                "reviewer_id": self.supervisor_a.id,
            }
        )
        for line in review.line_ids:
            line.score = response_time if line.criterion_id == self.criterion else 5
        with freeze_time(submitted):
            review.action_submit()
        return review

    def _propose(self):
        """The proposals of this test's courses to teams A and B, leaving
        out those of the demo data."""
        return self.Proposal._cs_propose_trainings(self.TODAY).filtered(
            lambda proposal: (
                proposal.team_id in self.team_a | self.team_b
                and proposal.course_id in self.course | self.course_plain
            )
        )

    def test_low_qa_score_proposes_the_criterion_courses_once(self):
        self._review(self.agent_a2, 3, datetime(2026, 6, 10, 9))  # 60%: not low
        self._review(self.agent_a, 2, datetime(2026, 3, 1, 9))  # out of window
        low = self._review(self.agent_a, 2, datetime(2026, 6, 10, 9))
        proposal = self._propose()
        self.assertRecordValues(
            proposal,
            [
                {
                    "origin": "qa",
                    "course_id": self.course.id,
                    "user_id": self.agent_a.id,
                    "team_id": self.team_a.id,
                    "review_id": low.id,
                    "criterion_id": self.criterion.id,
                    "evidence_date": date(2026, 6, 10),
                    "state": "proposed",
                }
            ],
        )
        self.assertIn("40.0%", proposal.reason)
        self.assertFalse(self._propose(), "a rerun proposes nothing new")
        proposal.with_user(self.supervisor_a).action_dismiss()
        self.assertFalse(self._propose(), "the dismissed one covered the review")
        newer = self._review(self.agent_a, 1, datetime(2026, 6, 20, 9))
        again = self._propose()
        self.assertEqual(again.review_id, newer)
        self.assertEqual(again.user_id, self.agent_a)

    def test_completion_after_the_review_proposes_nothing(self):
        self._review(self.agent_a, 2, datetime(2026, 6, 10, 9))
        session = self._session(course=self.course_plain)
        self.course_plain.criterion_ids = self.criterion
        self._attend(session, self.emp_a)
        proposals = self._propose()
        self.assertEqual(proposals.course_id, self.course)

    def test_category_reopened_often_proposes_to_the_team(self):
        for reopened in (1, 1, 0):
            self.create_complaint(
                received_date=datetime(2026, 6, 1, 2)
            ).reopen_count = reopened
        # team B: one reopened complaint only, below the minimum
        self.create_complaint(
            team_id=self.team_b.id, received_date=datetime(2026, 6, 1, 2)
        ).reopen_count = 1
        # received before the window
        for _index in range(2):
            self.create_complaint(
                team_id=self.team_b.id, received_date=datetime(2026, 3, 1, 2)
            ).reopen_count = 1
        proposal = self._propose()
        self.assertRecordValues(
            proposal,
            [
                {
                    "origin": "category",
                    "course_id": self.course.id,
                    "user_id": False,
                    "team_id": self.team_a.id,
                    "category_id": self.cat_fees.id,
                    "evidence_date": self.TODAY,
                }
            ],
        )
        self.assertIn("2 reopened", proposal.reason)
        self.assertFalse(self._propose())
        proposal.action_accept()
        self.assertFalse(self._propose(), "proposed within the window already")

    def test_accepting_enrols_the_agent_in_the_next_session(self):
        self._session(start=datetime.now() - timedelta(days=2))
        later = self._session(start=datetime.now() + timedelta(days=20))
        next_session = self._session(start=datetime.now() + timedelta(days=10))
        self._review(self.agent_a, 2, datetime(2026, 6, 10, 9))
        proposal = self._propose()
        proposal.with_user(self.supervisor_a).action_accept()
        self.assertEqual(proposal.state, "accepted")
        self.assertEqual(proposal.session_id, next_session)
        self.assertEqual(next_session.attendee_ids.employee_id, self.emp_a)
        self.assertEqual(next_session.attendee_ids.attendance, "invited")
        self.assertFalse(later.attendee_ids)

    def test_propose_button(self):
        self._review(self.agent_a, 2, datetime.now() - timedelta(days=1))
        self.Proposal.with_user(self.supervisor_a).action_propose_trainings()
        self.assertEqual(
            self.Proposal.with_user(self.supervisor_a)
            .search([("team_id", "=", self.team_a.id)])
            .user_id,
            self.agent_a,
        )


class TestTrainingMandatoryCompletion(TrainingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.course_sup = cls.env["cs.training.course"].create(
            {
                "name": "Coaching",
                "validity_months": 0,
                "mandatory_group_ids": [
                    Command.set(
                        cls.env.ref("customer_service_bank.group_cs_supervisor").ids
                    )
                ],
            }
        )
        session = cls._session(
            course=cls.course_plain, start=datetime(2026, 1, 10, 2, 0)
        )
        cls.course_plain.mandatory_team_ids = cls.team_a
        cls._attend(session, cls.emp_a)
        cls.emp_sup = cls.env["hr.employee"].create(
            {"name": "Supervisor A", "user_id": cls.supervisor_a.id}
        )
        cls._attend(cls._session(course=cls.course_sup), cls.emp_sup)

    def completion(self, users, on_date):
        """{user id: (value, count, courses)} of the appraisal KPI
        "mandatory training completion" on ``on_date``."""
        res_model, figures = self.env["cs.appraisal.kpi.line"]._kpi_training_completion(
            users.ids, on_date, on_date
        )
        self.assertEqual(res_model, "cs.training.course")
        return {
            user_id: (figure.value, figure.count, set(figure.res_ids))
            for user_id, figure in figures.items()
        }

    def test_completion_kpi(self):
        """Done over mandatory courses per agent; an agent without any
        mandatory course has no value."""
        users = self.agent_a | self.agent_a2 | self.agent_b | self.supervisor_a
        team_courses = {self.course.id, self.course_plain.id}
        self.assertEqual(
            self.completion(users, date(2026, 6, 1)),
            {
                self.agent_a.id: (50.0, 2, team_courses),
                self.agent_a2.id: (0.0, 2, team_courses),
                self.supervisor_a.id: (0.0, 1, {self.course_sup.id}),  # 15 June
            },
        )
        self.assertEqual(
            self.completion(users, date(2027, 2, 1)),
            {
                self.agent_a.id: (0.0, 2, team_courses),  # expired 10 January
                self.agent_a2.id: (0.0, 2, team_courses),
                self.supervisor_a.id: (100.0, 1, {self.course_sup.id}),  # no expiry
            },
        )
        self.assertEqual(self.completion(users.browse(), date.today()), {})

    def test_archived_course_or_team_is_not_mandatory(self):
        self.course.action_archive()
        self.team_a.action_archive()
        self.assertEqual(self.completion(self.agent_a, date(2026, 6, 1)), {})

    def test_fixed_query_count(self):
        few = self.agent_a | self.agent_b
        many = (
            few | self.agent_a2 | self.supervisor_a | self.supervisor_b | self.manager
        )
        self.env.flush_all()
        with self.assertQueryCount(1):
            self.completion(few, date(2026, 6, 1))
        with self.assertQueryCount(1):
            self.completion(many, date(2026, 6, 1))


class TestTrainingPlan(TrainingCommon):
    def test_plan_costs(self):
        plan = self.env["cs.training.plan"].create(
            {
                "team_id": self.team_a.id,
                "year": 2026,
                "budget": 1000.0,
                "line_ids": [
                    Command.create(
                        {
                            "course_id": self.course.id,
                            "planned_date": date(2026, 3, 1),
                            "planned_attendees": 3,
                        }
                    ),
                    Command.create(
                        {
                            "course_id": self.course_plain.id,
                            "planned_date": date(2026, 9, 1),
                            "planned_attendees": 2,
                            "planned_cost": 250.0,
                        }
                    ),
                ],
            }
        )
        self.assertEqual(plan.name, "Team A training plan 2026")
        session = self._session(plan_id=plan.id)
        self._attend(session, self.emp_a, self.emp_a2)
        cancelled = self._session(plan_id=plan.id)
        self._attend(cancelled, self.emp_b, attendance="invited")
        cancelled.action_cancel()
        self.assertRecordValues(
            plan,
            [
                {
                    "planned_cost": 550.0,
                    "actual_cost": 200.0,
                    "remaining_budget": 800.0,
                }
            ],
        )

    def test_bad_inputs(self):
        Course = self.env["cs.training.course"]
        for values, message in [
            ({"cost": -1}, "cost cannot be negative"),
            ({"validity_months": -1}, "validity cannot be negative"),
            ({"delivery": "external"}, "needs its provider"),
        ]:
            with (
                self.subTest(values=values),
                self.assertRaisesRolledBack(ValidationError, message),
            ):
                Course.create({"name": "Bad", **values})
        survey = self.env["survey.survey"].create({"title": "Not a certification"})
        with self.assertRaisesRolledBack(ValidationError, "not a certification"):
            Course.create({"name": "Bad", "survey_id": survey.id})
        with self.assertRaisesRegex(UserError, "archived, never deleted"):
            self.course.unlink()
        with self.assertRaisesRolledBack(ValidationError, "duration must be positive"):
            self._session(duration=0)
        with self.assertRaisesRolledBack(ValidationError, "cost cannot be negative"):
            self._session(cost=-5)
        Plan = self.env["cs.training.plan"]
        with self.assertRaisesRolledBack(ValidationError, "budget cannot be negative"):
            Plan.create({"team_id": self.team_a.id, "year": 2026, "budget": -1})
        with self.assertRaisesRolledBack(ValidationError, "not a valid plan year"):
            Plan.create({"team_id": self.team_a.id, "year": 26})
        plan = Plan.create({"team_id": self.team_a.id, "year": 2026})
        with self.assertRaisesRolledBack(ValidationError, "outside the plan's year"):
            plan.line_ids = [
                Command.create(
                    {"course_id": self.course.id, "planned_date": date(2027, 1, 5)}
                )
            ]
        with self.assertRaisesRolledBack(ValidationError, "cannot be negative"):
            plan.line_ids = [
                Command.create(
                    {
                        "course_id": self.course.id,
                        "planned_date": date(2026, 1, 5),
                        "planned_attendees": -2,
                    }
                )
            ]
        with self.assertRaisesRolledBack(ValidationError, "not in the year"):
            self._session(plan_id=plan.id, start=datetime(2027, 2, 1, 2))
        for field, value in [
            ("cs_training_qa_threshold", 101.0),
            ("cs_training_breach_rate", -1.0),
            ("cs_training_window_days", 0),
            ("cs_training_effect_days", 0),
            ("cs_training_min_complaints", 0),
        ]:
            with (
                self.subTest(field=field),
                self.assertRaisesRolledBack(ValidationError, "training"),
            ):
                self.company_a[field] = value


class TestTrainingSecurity(TrainingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.session_a = cls._session()
        cls.attendee_a, cls.attendee_a2 = cls._attend(
            cls.session_a, cls.emp_a, cls.emp_a2
        )
        cls.session_b = cls._session(team_id=cls.team_b.id)
        cls.attendee_b = cls._attend(cls.session_b, cls.emp_b)
        cls.plan_a = cls.env["cs.training.plan"].create(
            {"team_id": cls.team_a.id, "year": 2026}
        )
        cls.plan_b = cls.env["cs.training.plan"].create(
            {"team_id": cls.team_b.id, "year": 2026}
        )
        Proposal = cls.env["cs.training.proposal"]
        common = {
            "course_id": cls.course.id,
            "company_id": cls.company_a.id,
            "origin": "qa",
            "evidence_date": date(2026, 6, 1),
            "reason": "Low",
        }
        cls.proposal_a = Proposal.create(
            dict(common, user_id=cls.agent_a.id, team_id=cls.team_a.id)
        )
        cls.proposal_b = Proposal.create(
            dict(common, user_id=cls.agent_b.id, team_id=cls.team_b.id)
        )

    def _visible(self, user, model):
        """Records of ``model`` ``user`` sees, leaving the demo data out."""
        courses = (self.course | self.course_plain).ids
        return (
            self.env[model]
            .with_user(user)
            .search(
                [("course_id", "in", courses)]
                if model != "cs.training.plan"
                else [("team_id", "in", (self.team_a | self.team_b).ids)]
            )
        )

    def test_agents_see_their_own(self):
        self.assertEqual(
            self._visible(self.agent_a, "cs.training.attendee"), self.attendee_a
        )
        self.assertEqual(
            self._visible(self.agent_a, "cs.training.session"), self.session_a
        )
        self.assertEqual(
            self._visible(self.agent_b, "cs.training.session"), self.session_b
        )
        self.assertEqual(self._visible(self.agent_a, "cs.training.plan"), self.plan_a)
        self.assertEqual(
            self._visible(self.agent_a, "cs.training.proposal"), self.proposal_a
        )
        self.assertEqual(
            self.env["cs.training.course"]
            .with_user(self.agent_a)
            .search([("id", "in", (self.course | self.course_plain).ids)]),
            self.course | self.course_plain,
        )
        with self.assertRaises(AccessError):
            self.course.with_user(self.agent_a).name = "Renamed"
        with self.assertRaises(AccessError):
            self.attendee_a.with_user(self.agent_a).attendance = "absent"

    def test_supervisors_manage_their_teams(self):
        sup = self.supervisor_a
        self.assertEqual(self._visible(sup, "cs.training.session"), self.session_a)
        self.assertEqual(
            self._visible(sup, "cs.training.attendee"),
            self.attendee_a | self.attendee_a2,
        )
        self.assertEqual(self._visible(sup, "cs.training.plan"), self.plan_a)
        self.assertEqual(self._visible(sup, "cs.training.proposal"), self.proposal_a)
        session = (
            self.env["cs.training.session"]
            .with_user(sup)
            .create(
                {
                    "course_id": self.course.id,
                    "team_id": self.team_a.id,
                    "date_start": datetime(2026, 7, 1, 2),
                }
            )
        )
        self.env["cs.training.attendee"].with_user(sup).create(
            {"session_id": session.id, "employee_id": self.emp_a.id}
        )
        self.plan_a.with_user(sup).budget = 500.0
        with self.assertRaises(AccessError):
            self.env["cs.training.session"].with_user(sup).create(
                {
                    "course_id": self.course.id,
                    "team_id": self.team_b.id,
                    "date_start": datetime(2026, 7, 1, 2),
                }
            )
        with self.assertRaises(AccessError):
            self.plan_b.with_user(sup).budget = 500.0
        with self.assertRaises(AccessError):
            self.proposal_b.with_user(sup).action_dismiss()

    def test_managers_see_all(self):
        manager = self.manager
        self.assertEqual(
            self._visible(manager, "cs.training.session"),
            self.session_a | self.session_b,
        )
        self.assertEqual(
            self._visible(manager, "cs.training.attendee"),
            self.attendee_a | self.attendee_a2 | self.attendee_b,
        )
        self.assertEqual(
            self._visible(manager, "cs.training.plan"), self.plan_a | self.plan_b
        )
        self.assertEqual(
            self._visible(manager, "cs.training.proposal"),
            self.proposal_a | self.proposal_b,
        )
