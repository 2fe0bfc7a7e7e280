from datetime import date, datetime

from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import Form, freeze_time
from odoo.tools import mute_logger

from .common import CsCommon

# the monthly run samples complaints resolved in November 2026
RUN = datetime(2026, 12, 3, 4, 0)
NOVEMBER = date(2026, 11, 1)
SAMPLING_LOGGER = "odoo.addons.customer_service_bank.models.cs_batch_job_mixin"


class TestQualitySampling(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # demo complaints must not take part in the samples below
        cls.env["cs.complaint"].search([]).with_context(tracking_disable=True).write(
            {"active": False}
        )
        cls.Review = cls.env["cs.quality.review"]
        cls.checklist = cls.env.ref(
            "customer_service_bank.cs_quality_checklist_complaint"
        )
        cls.a_november = cls._resolved(5, datetime(2026, 11, 20, 8, 0), cls.agent_a)
        cls.a2_november = cls._resolved(
            1, datetime(2026, 11, 30, 23, 59), cls.agent_a2
        ) | cls._resolved(
            1,
            datetime(2026, 11, 10, 8, 0),
            cls.agent_a2,
            stage=cls.stage_closed,
            root_cause_id=cls.root_cause.id,
        )
        cls.supervisor_november = cls._resolved(
            1, datetime(2026, 11, 12, 8, 0), cls.supervisor_a
        )
        cls.c_november = cls._resolved(
            1,
            datetime(2026, 11, 5, 8, 0),
            cls.agent_c,
            company_id=cls.company_b.id,
            team_id=cls.team_c.id,
            partner_id=cls.customer_b.id,
        )
        # never sampled: resolved in October or December, open, reopened,
        # archived, or without a handler
        team_b = {"team_id": cls.team_b.id}
        cls.not_sampled = (
            cls._resolved(
                1,
                datetime(2026, 10, 20, 8, 0),
                cls.agent_b,
                received_date=datetime(2026, 10, 1, 2, 0),
                **team_b,
            )
            | cls._resolved(1, datetime(2026, 12, 1, 0, 0), cls.agent_b, **team_b)
            | cls.create_complaint(user_id=cls.agent_b.id, **team_b)
            | cls._resolved(1, datetime(2026, 11, 20, 8, 0), None)
        )
        reopened = cls._resolved(1, datetime(2026, 11, 20, 8, 0), cls.agent_b, **team_b)
        reopened.stage_id = cls.stage_in_progress
        archived = cls._resolved(1, datetime(2026, 11, 20, 8, 0), cls.agent_b, **team_b)
        archived.action_archive()
        cls.not_sampled |= reopened | archived

    @classmethod
    def _resolved(cls, count, when, agent, stage=None, **values):
        """``count`` complaints handled by ``agent`` and resolved at ``when``."""
        complaints = cls.env["cs.complaint"]
        for number in range(count):
            complaints |= cls.create_complaint(
                subject=f"Complaint {number} of {agent.name if agent else 'nobody'}",
                user_id=agent.id if agent else False,
                **values,
            )
        with freeze_time(when):
            complaints.write(
                {"outcome": "upheld", "stage_id": (stage or cls.stage_resolved).id}
            )
        return complaints

    def _run(self, batch_size=200, progress=None):
        Review = self.Review
        if progress:
            Review = Review.with_context(ir_cron_progress_id=progress.id)
        with freeze_time(RUN):
            reviews = Review._cron_sample_reviews(batch_size=batch_size)
        self.env.flush_all()
        return reviews

    def _sampled(self, agent=None):
        domain = [("sample_period", "!=", False)]
        if agent:
            domain.append(("agent_id", "=", agent.id))
        return self.Review.search(domain)

    def test_samples_each_agent_from_last_month(self):
        self.assertEqual(self.company_a.cs_qa_sample_size, 3)
        reviews = self._run()
        self.assertEqual(len(reviews), 7)
        self.assertEqual(reviews, self._sampled())
        by_agent = reviews.grouped("agent_id")
        self.assertEqual(
            {agent: len(sample) for agent, sample in by_agent.items()},
            {self.agent_a: 3, self.agent_a2: 2, self.supervisor_a: 1, self.agent_c: 1},
        )
        a_sample = by_agent[self.agent_a]
        self.assertLessEqual(a_sample.complaint_id, self.a_november)
        self.assertEqual(sorted(a_sample.mapped("sample_slot")), [1, 2, 3])
        self.assertEqual(by_agent[self.agent_a2].complaint_id, self.a2_november)
        self.assertFalse(reviews.complaint_id & self.not_sampled)
        self.assertEqual(set(reviews.mapped("state")), {"draft"})
        self.assertEqual(set(reviews.mapped("sample_period")), {NOVEMBER})
        self.assertEqual(reviews.checklist_id, self.checklist)
        self.assertEqual(
            {len(review.line_ids) for review in reviews}, {5}, "one line per criterion"
        )
        self.assertFalse(any(reviews.line_ids.mapped("is_scored")))
        # the team supervisor reviews, unless he handled the complaint
        self.assertEqual(
            (a_sample | by_agent[self.agent_a2]).reviewer_id, self.supervisor_a
        )
        self.assertEqual(by_agent[self.supervisor_a].reviewer_id, self.manager)
        self.assertEqual(by_agent[self.agent_c].reviewer_id, self.supervisor_c)
        self.assertEqual(by_agent[self.agent_c].company_id, self.company_b)
        self.assertEqual(a_sample.team_id, self.team_a)
        self.assertEqual(set(a_sample.mapped("work_date")), {date(2026, 11, 20)})
        # the supervisor finds them among his reviews to do
        to_do = self.Review.with_user(self.supervisor_a).search(
            [("reviewer_id", "=", self.supervisor_a.id), ("state", "=", "draft")]
        )
        self.assertEqual(to_do, a_sample | by_agent[self.agent_a2])

    def test_rerun_creates_nothing(self):
        first = self._run()
        self.assertEqual(len(first), 7)
        self.assertFalse(self._run())
        self.assertFalse(self._run())
        self.assertEqual(self._sampled(), first)
        # next month's run samples December's complaints only
        with freeze_time(datetime(2027, 1, 4, 4, 0)):
            january = self.Review._cron_sample_reviews()
        self.assertEqual(
            january.complaint_id,
            self.not_sampled.filtered(
                lambda complaint: complaint.resolved_date == datetime(2026, 12, 1, 0, 0)
            ),
        )

    def test_two_calls_in_one_run_do_not_duplicate(self):
        """A second worker that picked its rows before the first created its
        reviews finds the complaints reviewed and the samples full."""
        Review = self.Review
        with freeze_time(RUN):
            checklists = Review._sampling_checklists()
            first = Review._batch_claim(200, NOVEMBER, checklists)
            second = Review._batch_claim(200, NOVEMBER, checklists)
            self.assertEqual(len(first), 7)
            self.assertEqual(len(second), 7)
            created = Review._batch_process(first, NOVEMBER, checklists)
            with mute_logger(SAMPLING_LOGGER, "odoo.sql_db"):
                again = Review._batch_process(second, NOVEMBER, checklists)
        self.assertEqual(len(created), 7)
        self.assertFalse(again)
        self.assertEqual(self._sampled(), created)

    def test_batches_report_progress(self):
        cron = self.env.ref("customer_service_bank.ir_cron_cs_quality_sampling")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "months"))
        for done, remaining in [(3, 4), (3, 1), (1, 0), (0, 0)]:
            progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
            self._run(batch_size=3, progress=progress)
            self.assertEqual((progress.done, progress.remaining), (done, remaining))
        self.assertEqual(len(self._sampled()), 7)

    def test_reviewed_complaints_are_not_sampled_again(self):
        manual = self.Review.create(
            {
                "complaint_id": self.a_november[0].id,
                "reviewer_id": self.supervisor_a.id,
            }
        )
        sample = self._run().filtered(lambda review: review.agent_id == self.agent_a)
        self.assertEqual(len(sample), 3)
        self.assertLessEqual(sample.complaint_id, self.a_november[1:])
        self.assertFalse(manual.sample_period)
        self.assertEqual(
            self.Review.search([("complaint_id", "=", self.a_november[0].id)]), manual
        )

    def test_fallback_reviewer(self):
        self.company_a.cs_qa_reviewer_id = self.supervisor_b
        self.team_a.supervisor_id = False
        reviews = self._run()
        team_a = reviews.filtered(lambda review: review.team_id == self.team_a)
        self.assertEqual(len(team_a), 6)
        self.assertEqual(team_a.reviewer_id, self.supervisor_b)

    def test_nobody_to_review_nothing_sampled(self):
        self.team_a.write({"supervisor_id": False, "manager_id": False})
        progress = self.env["ir.cron.progress"].create(
            {
                "cron_id": self.env.ref(
                    "customer_service_bank.ir_cron_cs_quality_sampling"
                ).id
            }
        )
        reviews = self._run(progress=progress)
        self.assertEqual(reviews.agent_id, self.agent_c)
        self.assertEqual((progress.done, progress.remaining), (1, 0))

    def test_sample_size_setting(self):
        with Form(self.env["res.config.settings"]) as form:
            self.assertEqual(form.cs_qa_sample_size, 3)
            form.cs_qa_sample_size = 1
            form.cs_qa_reviewer_id = self.manager
        form.record.execute()
        self.assertEqual(self.company_a.cs_qa_sample_size, 1)
        self.assertEqual(self.company_a.cs_qa_reviewer_id, self.manager)
        reviews = self._run()
        self.assertEqual(len(reviews.filtered(lambda r: r.agent_id == self.agent_a)), 1)
        self.assertEqual(
            len(reviews.filtered(lambda r: r.agent_id == self.agent_a2)), 1
        )
        self.company_a.cs_qa_sample_size = 0
        self.company_b.cs_qa_sample_size = 0
        self.assertFalse(self._run())
        with self.assertRaisesRolledBack(ValidationError, "cannot be negative"):
            self.company_a.cs_qa_sample_size = -1

    def test_no_checklist_no_sample(self):
        self.checklist.active = False
        self.assertFalse(self._run())
        # the checklist was all that was missing
        self.checklist.active = True
        self.assertTrue(self._run())

    def test_one_bad_record_does_not_stop_the_batch(self):
        taken = self.a_november[0]
        self.Review.create(
            {"complaint_id": taken.id, "reviewer_id": self.supervisor_a.id}
        )
        rows = [
            (
                complaint.id,
                complaint.company_id.id,
                self.agent_a.id,
                self.team_a.id,
                self.supervisor_a.id,
            )
            for complaint in self.a_november[:3]
        ]
        with freeze_time(RUN):
            checklists = self.Review._sampling_checklists()
            with mute_logger(SAMPLING_LOGGER, "odoo.sql_db"):
                created = self.Review._batch_process(rows, NOVEMBER, checklists)
        self.assertEqual(created.complaint_id, self.a_november[1:3])
        self.assertEqual(sorted(created.mapped("sample_slot")), [2, 3])

    def test_sample_slot_is_unique(self):
        sampled = self._run().filtered(lambda review: review.agent_id == self.agent_a)
        spare = self.create_complaint(user_id=self.agent_a.id)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.Review.create(
                {
                    "complaint_id": spare.id,
                    "reviewer_id": self.supervisor_a.id,
                    "sample_period": NOVEMBER,
                    "sample_slot": sampled[0].sample_slot,
                }
            )
