import re
from datetime import datetime, timedelta

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tools import mute_logger

from .common import CsCommon

NOW = datetime(2026, 6, 1, 8, 0)


class NpsCommon(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Segment = cls.env["cs.segment"]
        cls.gold = Segment.create({"name": "NPS Gold", "kind": "tier", "sequence": 1})
        cls.digital = Segment.create({"name": "NPS Digital", "kind": "tag"})
        cls.Survey = cls.env["cs.nps.survey"]
        cls.Response = cls.env["cs.nps.response"]
        cls.template = cls.env.ref("customer_service_bank.mail_template_cs_nps_survey")
        cls.number = 0

    @classmethod
    def _customer(cls, name, tier=None, tags=None, manager=None, **values):
        cls.number += 1
        partner = cls.env["res.partner"].create(
            {
                "name": name,
                "email": f"nps{cls.number}@example.com",
                "cs_customer_number": f"NPS-{cls.number:04d}",
                **values,
            }
        )
        partner.sudo().cs_relationship_manager_id = manager
        partner.cs_metrics_ids.computed_segment_id = tier
        # the recomputation writes the tags as an array, with SQL
        cls.env.cr.execute(
            "UPDATE cs_customer_metrics SET tag_array = %s WHERE partner_id = %s",
            [tags.ids if tags else [], partner.id],
        )
        partner.invalidate_recordset(["cs_segment_tag_ids"])
        return partner

    @classmethod
    def _survey(cls, segments, sample_size=10, state="running", **values):
        return cls.Survey.create(
            {
                "name": "Test survey",
                "segment_ids": [Command.set(segments.ids)],
                "sample_size": sample_size,
                "state": state,
                "date_start": NOW.date() - timedelta(days=1),
                "user_id": cls.supervisor_a.id,
                **values,
            }
        )

    def _run(self, batch_size=500, progress=None):
        Survey = self.Survey
        if progress:
            Survey = Survey.with_context(ir_cron_progress_id=progress.id)
        with freeze_time(NOW):
            created = Survey._cron_sample_surveys(batch_size=batch_size)
            self.env.flush_all()
        return created

    def _responses(self, survey):
        return self.Response.search([("survey_id", "=", survey.id)], order="id")


class TestNpsSampling(NpsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.g1 = cls._customer("Gold 1", cls.gold, manager=cls.agent_a)
        cls.g2 = cls._customer("Gold 2", cls.gold)
        cls.g3 = cls._customer("Gold 3", cls.gold)
        cls.g_old = cls._customer("Gold asked long ago", cls.gold)
        cls.g_quiet = cls._customer("Gold asked lately", cls.gold)
        cls.g_dnc = cls._customer(
            "Gold do not contact", cls.gold, cs_do_not_contact=True
        )
        cls.g_archived = cls._customer("Gold archived", cls.gold)
        cls.g_archived.action_archive()
        cls.g_no_mail = cls._customer("Gold without email", cls.gold)
        cls.g_no_mail.email = False
        cls.g_other_company = cls._customer(
            "Gold of bank B", cls.gold, company_id=cls.company_b.id
        )
        cls.t1 = cls._customer("Digital 1", tags=cls.digital)
        cls.t2 = cls._customer("Digital 2", tags=cls.digital)
        cls.silver = cls._customer("Not sampled")
        cls.gold_eligible = cls.g1 | cls.g2 | cls.g3 | cls.g_old
        # an earlier survey asked two of them, 100 and 30 days ago
        earlier = cls._survey(cls.gold, state="closed", name="Earlier")
        for partner, days in ((cls.g_old, 100), (cls.g_quiet, 30)):
            cls.Response.create(
                {
                    "survey_id": earlier.id,
                    "partner_id": partner.id,
                    "segment_id": cls.gold.id,
                    "sent_date": NOW - timedelta(days=days),
                }
            )

    def test_samples_each_segment_up_to_its_size_once(self):
        survey = self._survey(self.gold | self.digital, sample_size=3)
        created = self._run()
        self.assertEqual(created, self._responses(survey))
        gold = created.filtered(lambda r: r.segment_id == self.gold)
        digital = created.filtered(lambda r: r.segment_id == self.digital)
        self.assertEqual(len(gold), 3)
        self.assertLessEqual(gold.partner_id, self.gold_eligible)
        self.assertEqual(digital.partner_id, self.t1 | self.t2)
        self.assertEqual(survey.sent_count, 5)
        # a rerun asks nobody new
        self.assertFalse(self._run())
        self.assertEqual(len(self._responses(survey)), 5)
        # a larger sample takes the one eligible customer left, then nobody
        survey.sample_size = 10
        more = self._run()
        self.assertEqual(len(more), 1)
        self.assertEqual(
            self._responses(survey)
            .filtered(lambda r: r.segment_id == self.gold)
            .partner_id,
            self.gold_eligible,
        )
        self.assertFalse(self._run())

    def test_responses_record_sampling_context_and_mail_the_customer(self):
        complaint = self.create_complaint(partner_id=self.g1.id, team_id=self.team_b.id)
        self.assertEqual(complaint.team_id, self.team_b)
        survey = self._survey(self.gold, sample_size=10)
        self._run()
        response = self._responses(survey).filtered(lambda r: r.partner_id == self.g1)
        self.assertRecordValues(
            response,
            [
                {
                    "segment_id": self.gold.id,
                    "team_id": self.team_b.id,
                    "relationship_manager_id": self.agent_a.id,
                    "sent_date": NOW,
                    "answered_date": False,
                    "category": False,
                    "is_answered": False,
                    "company_id": self.company_a.id,
                }
            ],
        )
        no_team = self._responses(survey).filtered(lambda r: r.partner_id == self.g2)
        self.assertFalse(no_team.team_id)
        mail = self.env["mail.mail"].search(
            [("model", "=", "cs.nps.response"), ("res_id", "=", response.id)]
        )
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.g1)
        self.assertIn(
            f"/cs/nps/{response.sudo().access_token}?score=10", mail.body_html
        )

    def test_quiet_period_follows_the_company_setting(self):
        survey = self._survey(self.gold, sample_size=10)
        self._run()
        self.assertEqual(self._responses(survey).partner_id, self.gold_eligible)
        self.company_a.cs_nps_quiet_days = 20
        self.assertEqual(self._run().partner_id, self.g_quiet)

    def test_customer_is_asked_by_one_survey_within_the_quiet_period(self):
        first = self._survey(self.digital, name="First")
        second = self._survey(self.digital, name="Second")
        self._run()
        self.assertEqual(self._responses(first).partner_id, self.t1 | self.t2)
        self.assertFalse(self._run())
        self.assertFalse(self._responses(second))

    def test_draft_closed_and_ended_surveys_sample_nobody(self):
        self._survey(self.gold, state="draft")
        self._survey(self.gold, state="closed", name="Closed")
        self._survey(self.gold, date_end=NOW.date() - timedelta(days=1))
        self._survey(self.gold, date_start=NOW.date() + timedelta(days=1))
        self.assertFalse(self._run())

    def test_batches_report_progress(self):
        survey = self._survey(self.gold | self.digital, sample_size=3)
        cron = self.env.ref("customer_service_bank.ir_cron_cs_nps_sampling")
        expected = [(2, 3), (2, 1), (1, 0), (0, 0)]
        for done, remaining in expected:
            progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
            self._run(batch_size=2, progress=progress)
            self.assertEqual((progress.done, progress.remaining), (done, remaining))
        self.assertEqual(len(self._responses(survey)), 5)

    def test_same_customer_twice_in_a_survey_is_refused_by_the_index(self):
        survey = self._survey(self.digital)
        self.Response.create({"survey_id": survey.id, "partner_id": self.t1.id})
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.Response.create({"survey_id": survey.id, "partner_id": self.t1.id})
        # sampling skips a customer another worker has just asked
        with (
            mute_logger("odoo.sql_db"),
            self.assertLogs(
                "odoo.addons.customer_service_bank.models.cs_batch_job_mixin", "WARNING"
            ) as logs,
        ):
            created = survey._create_responses(
                [(self.t1.id, self.digital.id), (self.t2.id, self.digital.id)]
            )
        self.assertEqual(created.partner_id, self.t2)
        self.assertIn("retrying one by one", logs.output[0])

    def test_copy_is_a_draft_without_answers(self):
        survey = self._survey(self.gold)
        self._run()
        copy = survey.copy()
        self.assertEqual(copy.name, "Test survey (copy)")
        self.assertEqual(copy.state, "draft")
        self.assertFalse(self._responses(copy))

    def test_start_needs_segments_and_template(self):
        survey = self._survey(self.Survey.segment_ids, state="draft")
        with self.assertRaisesRegex(UserError, "Choose the segments"):
            survey.action_start()
        survey.segment_ids = self.gold
        survey.mail_template_id = False
        with self.assertRaisesRegex(UserError, "Choose the invitation mail"):
            survey.action_start()
        survey.mail_template_id = self.template
        survey.action_start()
        self.assertEqual(survey.state, "running")
        self._run()
        with self.assertRaisesRegex(UserError, "cannot go back to draft"):
            survey.action_reset_draft()
        with self.assertRaisesRegex(UserError, "close the survey instead"):
            survey.unlink()
        survey.action_close()
        self.assertEqual(survey.state, "closed")

    def test_bad_survey_values_are_refused(self):
        with self.assertRaisesRolledBack(
            ValidationError, "sample size must be positive"
        ):
            self._survey(self.gold, sample_size=0)
        with self.assertRaisesRolledBack(ValidationError, "end date cannot be before"):
            self._survey(
                self.gold,
                date_start=NOW.date(),
                date_end=NOW.date() - timedelta(days=1),
            )
        with self.assertRaisesRolledBack(ValidationError, "NPS quiet period"):
            self.company_a.cs_nps_quiet_days = -1


class TestNpsAnswers(NpsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survey = cls._survey(cls.gold | cls.digital)

    def _response(self, name, segment=None, manager=None, **values):
        segment = segment or self.gold
        partner = self._customer(name, manager=manager, **values)
        return self.Response.create(
            {
                "survey_id": self.survey.id,
                "partner_id": partner.id,
                "segment_id": segment.id,
                "relationship_manager_id": manager.id if manager else False,
                "sent_date": NOW,
            }
        )

    def test_nps_of_known_answers(self):
        answers = [
            (self.gold, 10),
            (self.gold, 10),
            (self.gold, 6),
            (self.digital, 9),
            (self.digital, 8),
            (self.digital, 3),
        ]
        for index, (segment, score) in enumerate(answers):
            self._response(f"Answer {index}", segment)._record_answer(score)
        self._response("Silent 1")
        self._response("Silent 2")
        self.env.flush_all()
        survey = self.survey
        self.assertRecordValues(
            survey,
            [
                {
                    "sent_count": 8,
                    "answered_count": 6,
                    "promoter_count": 3,
                    "passive_count": 1,
                    "detractor_count": 2,
                    "response_rate": 75.0,
                    # (3 promoters - 2 detractors) / 6 answers
                    "nps": 16.67,
                }
            ],
        )
        # reporting: the average of nps_value over answers is the NPS
        groups = self.Response._read_group(
            [("survey_id", "=", survey.id), ("is_answered", "=", True)],
            ["segment_id"],
            ["nps_value:avg", "__count"],
        )
        by_segment = {segment: (round(avg, 2), count) for segment, avg, count in groups}
        self.assertEqual(by_segment, {self.gold: (33.33, 3), self.digital: (0.0, 3)})
        [[overall]] = self.Response._read_group(
            [("survey_id", "=", survey.id), ("is_answered", "=", True)],
            [],
            ["nps_value:avg"],
        )
        self.assertAlmostEqual(overall, 16.6667, places=3)

    def test_categories_at_the_boundaries(self):
        expected = {
            0: ("detractor", -100),
            6: ("detractor", -100),
            7: ("passive", 0),
            8: ("passive", 0),
            9: ("promoter", 100),
            10: ("promoter", 100),
        }
        for score, (category, value) in expected.items():
            response = self._response(f"Score {score}", cs_do_not_contact=True)
            response._record_answer(score)
            self.assertEqual((response.category, response.nps_value), (category, value))

    def test_answer_is_recorded_once_and_checked(self):
        response = self._response("Once")
        with self.assertRaisesRegex(ValidationError, "between 0 and 10"):
            response._record_answer(11)
        with self.assertRaisesRegex(ValidationError, "between 0 and 10"):
            response._record_answer(None)
        self.assertFalse(response.answered_date)
        with freeze_time(NOW):
            response._record_answer(9, comment="  Great app  ")
        self.assertRecordValues(
            response,
            [{"score": 9, "comment": "Great app", "answered_date": NOW}],
        )
        with self.assertRaisesRegex(UserError, "already been answered"):
            response._record_answer(0)
        self.assertEqual(response.score, 9)
        with self.assertRaisesRolledBack(ValidationError, "between 0 and 10"):
            response.score = 12

    def test_closed_survey_takes_no_answer(self):
        response = self._response("Late")
        self.survey.action_close()
        with self.assertRaisesRegex(UserError, "survey is closed"):
            response._record_answer(10)

    def _detractor_followups(self, partner):
        return self.env["cs.followup"].search([("partner_id", "=", partner.id)])

    def test_detractor_gets_one_followup_from_the_relationship_manager(self):
        response = self._response("Unhappy", manager=self.agent_a)
        with freeze_time(NOW):
            response._record_answer(
                3, comment="Fees are too high\n<b>and</b> nobody calls back"
            )
        followup = self._detractor_followups(response.partner_id)
        self.assertEqual(len(followup), 1)
        self.assertEqual(response.followup_id, followup)
        self.assertRecordValues(
            followup,
            [
                {
                    "name": "NPS detractor: Unhappy",
                    "user_id": self.agent_a.id,
                    "kind": "phone",
                    "planned_date": NOW.date(),
                    "company_id": self.company_a.id,
                    "state": "planned",
                }
            ],
        )
        self.assertIn("scored 3 out of 10 in the survey Test survey", followup.notes)
        self.assertIn(
            "Fees are too high<br>&lt;b&gt;and&lt;/b&gt; nobody calls back"
            "</blockquote>",
            followup.notes,
        )
        # planning again for the same response plans nothing
        response._plan_detractor_followup()
        self.assertEqual(self._detractor_followups(response.partner_id), followup)

    def test_detractor_without_manager_goes_to_the_survey_responsible(self):
        response = self._response("No manager")
        response._record_answer(0)
        self.assertEqual(response.followup_id.user_id, self.supervisor_a)
        archived = self._response("Manager left", manager=self.agent_a2)
        self.agent_a2.action_archive()
        archived._record_answer(5)
        self.assertEqual(archived.followup_id.user_id, self.supervisor_a)

    def test_no_followup_for_others_or_do_not_contact(self):
        passive = self._response("Passive")
        passive._record_answer(7)
        dnc = self._response("Do not call", cs_do_not_contact=True)
        dnc._record_answer(2)
        for response in passive | dnc:
            self.assertFalse(response.followup_id)
            self.assertFalse(self._detractor_followups(response.partner_id))


@tagged("post_install", "-at_install")
class TestNpsPage(NpsCommon, HttpCase):
    """The customer answers from the mail's link, without logging in."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survey = cls._survey(cls.gold)
        cls.partner = cls._customer("Web customer", manager=cls.agent_a)
        cls.response = cls.Response.create(
            {
                "survey_id": cls.survey.id,
                "partner_id": cls.partner.id,
                "segment_id": cls.gold.id,
                "relationship_manager_id": cls.agent_a.id,
                "sent_date": NOW,
            }
        )
        cls.token = cls.response.sudo().access_token

    def _page(self, query=""):
        response = self.url_open(f"/cs/nps/{self.token}{query}")
        self.assertEqual(response.status_code, 200)
        return response.text

    def _csrf(self, page=None):
        page = page or self.url_open("/web/login").text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def _submit(self, token=None, **data):
        return self.url_open(
            f"/cs/nps/{token or self.token}/submit",
            data={"csrf_token": self._csrf(self._page()), **data},
        )

    def test_page_offers_eleven_scores_and_a_comment(self):
        page = self._page("?score=8")
        self.assertEqual(len(re.findall(r'name="score"', page)), 11)
        self.assertRegex(page, r'value="8" checked="')
        self.assertIn('id="cs_nps_score_0" value="0"', page)
        self.assertIn('name="comment"', page)
        self.assertIn(f'action="/cs/nps/{self.token}/submit"', page)

    def test_answer_is_recorded_once(self):
        response = self._submit(score="4", comment="Long queues")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Thank you for your answer", response.text)
        self.env.invalidate_all()
        self.assertRecordValues(
            self.response,
            [{"score": 4, "comment": "Long queues", "category": "detractor"}],
        )
        self.assertEqual(self.response.followup_id.user_id, self.agent_a)
        answered_on = self.response.answered_date
        self.assertTrue(answered_on)
        # the link again: already answered, and a second answer changes nothing
        self.assertIn("already answered", self._page())
        again = self.url_open(
            f"/cs/nps/{self.token}/submit",
            data={"csrf_token": self._csrf(), "score": "10"},
        )
        self.assertEqual(again.status_code, 200)
        self.assertIn("already answered", again.text)
        self.env.invalidate_all()
        self.assertEqual(self.response.score, 4)
        self.assertEqual(self.response.answered_date, answered_on)
        self.assertEqual(
            len(self.env["cs.followup"].search([("partner_id", "=", self.partner.id)])),
            1,
        )

    def test_invalid_score_is_refused_on_the_page(self):
        response = self._submit(score="11")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Choose a score between 0 and 10", response.text)
        self.env.invalidate_all()
        self.assertFalse(self.response.answered_date)

    def test_unknown_token_is_not_found(self):
        self.assertEqual(self.url_open("/cs/nps/forged-token-0000").status_code, 404)
        self.assertEqual(
            self.url_open(
                "/cs/nps/forged-token-0000/submit",
                data={"csrf_token": self._csrf(), "score": "10"},
            ).status_code,
            404,
        )
        self.env.invalidate_all()
        self.assertFalse(self.response.answered_date)

    def test_closed_survey_page_says_so(self):
        self.survey.action_close()
        self.assertIn("This survey is closed", self._page())
