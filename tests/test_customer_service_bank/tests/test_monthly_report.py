import shutil
import subprocess
import unicodedata
from datetime import date, datetime

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, HttpCase, freeze_time
from odoo.tools import mute_logger

from odoo.addons.base.models import ir_actions_report

from .common import CsCommon

REPORT = "customer_service_bank.cs_monthly_report_action"
REPORT_LOGGER = "odoo.addons.base.models.ir_actions_report"
# the report of November 2026 is printed on 3 December
TODAY = datetime(2026, 12, 3, 9, 0)
NOVEMBER = {"date_from": "2026-11-01", "date_to": "2026-11-30"}
# without a usable wkhtmltopdf, Odoo renders reports as HTML
PDF_RENDERED = ir_actions_report.wkhtmltopdf_state in ("ok", "upgrade", "workers")
TREND = [
    "June 2026",
    "July 2026",
    "August 2026",
    "September 2026",
    "October 2026",
    "November 2026",
]


class MonthlyReportCommon(CsCommon):
    """Team D of company A, supervised by supervisor_a, and its November 2026.

    Received in November: c2, c3 (branch, Fees), c4, c6 (phone, Loans) and
    c5 (email, Fees). Resolved in November: c1 (received in October) and c2
    on time, c3 late; c2 and c3 have a root cause. Open on 30 November: c4
    and c7 over their deadline, c5 and c6 (resolved on 2 December) within it.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tz="UTC"))
        cls.team_d = cls.env["cs.team"].create(
            {
                "name": "Team D",
                "company_id": cls.company_a.id,
                "supervisor_id": cls.supervisor_a.id,
                "resource_calendar_id": cls.calendar_cn.id,
            }
        )
        cls.cause_training = cls.env["cs.root.cause"].create({"name": "Training gap"})
        cls.c1 = cls._received("2026-10-20", channel="phone", category=cls.cat_cards)
        cls.c7 = cls._received("2026-10-22", channel="letter", category=cls.cat_cards)
        cls.c2 = cls._received("2026-11-02", channel="branch", category=cls.cat_fees)
        cls.c3 = cls._received("2026-11-02", channel="branch", category=cls.cat_fees)
        cls.c4 = cls._received("2026-11-03", channel="phone", category=cls.cat_loans)
        cls.c5 = cls._received("2026-11-25", channel="email", category=cls.cat_fees)
        cls.c6 = cls._received("2026-11-28", channel="phone", category=cls.cat_loans)
        cls._resolve(cls.c1, "2026-11-03")
        cls._resolve(cls.c2, "2026-11-10", cause=cls.root_cause)
        cls._resolve(cls.c3, "2026-11-25", cause=cls.root_cause)
        cls._resolve(cls.c6, "2026-12-02")
        # customer ratings: c1 and c2 rated in November, c3 not rated, c6
        # rated but resolved in December, after the trend
        for complaint, value in ((cls.c1, 5), (cls.c2, 2), (cls.c6, 4)):
            cls._rating(complaint).write({"rating": value, "consumed": True})
        with freeze_time(TODAY):
            Action = cls.env["cs.complaint.action"]
            cls.action_late, cls.action_due, action_done = Action.create(
                [
                    {
                        "name": "Fix the fee table",
                        "complaint_id": complaint.id,
                        "user_id": cls.agent_a.id,
                        "date_deadline": deadline,
                    }
                    for complaint, deadline in (
                        (cls.c4, date(2026, 11, 20)),
                        (cls.c5, date(2026, 12, 20)),
                        (cls.c2, date(2026, 11, 15)),
                    )
                ]
            )
            action_done.action_done()
        cls._nps_answers()
        cls.env.flush_all()

    @classmethod
    def _received(cls, day, channel, category):
        moment = datetime.fromisoformat(f"{day} 02:00")
        complaint = cls.create_complaint_at(
            moment,
            team_id=cls.team_d.id,
            channel=channel,
            category_id=category.id,
            received_date=moment,
        )
        cls.move_complaint_at(complaint, cls.stage_in_progress, moment)
        return complaint

    @classmethod
    def _resolve(cls, complaint, day, cause=None):
        cls.resolve_complaint_at(
            complaint,
            datetime.fromisoformat(f"{day} 03:00"),
            root_cause_id=cause.id if cause else False,
        )

    @classmethod
    def _rating(cls, complaint):
        return cls.env["rating.rating"].search(
            [("res_model", "=", "cs.complaint"), ("res_id", "=", complaint.id)]
        )

    @classmethod
    def _nps_answers(cls):
        """October: a promoter and a detractor (NPS 0). November: two
        promoters, a passive and a detractor (NPS 25). Not counted: an
        unanswered response and team A's answer."""
        survey = cls.env["cs.nps.survey"].create(
            {
                "name": "Monthly report survey",
                "sample_size": 10,
                "user_id": cls.supervisor_a.id,
            }
        )
        answers = [
            ("2026-10-05", 10, cls.team_d),
            ("2026-10-20", 6, cls.team_d),
            ("2026-11-02", 9, cls.team_d),
            ("2026-11-12", 10, cls.team_d),
            ("2026-11-20", 7, cls.team_d),
            ("2026-11-29", 3, cls.team_d),
            (False, 0, cls.team_d),
            ("2026-11-15", 0, cls.team_a),
        ]
        partners = cls.env["res.partner"].create(
            [{"name": f"NPS customer {index}"} for index in range(len(answers))]
        )
        cls.env["cs.nps.response"].create(
            [
                {
                    "survey_id": survey.id,
                    "partner_id": partner.id,
                    "team_id": team.id,
                    "score": score,
                    "answered_date": answered and f"{answered} 08:00:00",
                }
                for partner, (answered, score, team) in zip(
                    partners, answers, strict=True
                )
            ]
        )

    def _values(self, user=None, company=None, team=None, period=None):
        data = {
            "company_id": (company or self.company_a).id,
            "team_id": team.id if team is not None else self.team_d.id,
            **(period or NOVEMBER),
        }
        Report = self.env["report.customer_service_bank.report_cs_monthly"]
        if user:
            Report = Report.with_user(user)
        with freeze_time(TODAY):
            return Report._get_report_values([], data=data)


class TestMonthlyReportValues(MonthlyReportCommon):
    def test_fixture_deadlines(self):
        self.assertEqual(
            [c.deadline_status for c in (self.c1, self.c2, self.c3)],
            ["met", "met", "breached"],
        )
        november_end = datetime(2026, 12, 1)
        self.assertLess(self.c4.resolve_deadline, november_end)
        self.assertLess(self.c7.resolve_deadline, november_end)
        self.assertGreater(self.c5.resolve_deadline, november_end)
        self.assertGreater(self.c6.resolve_deadline, november_end)

    def test_busy_month(self):
        values = self._values()
        self.assertEqual(values["company"], self.company_a)
        self.assertEqual(values["team"], self.team_d)
        self.assertEqual(
            values["volumes"], {"received": 5, "resolved": 3, "open_end": 4}
        )
        self.assertEqual(
            values["channels"],
            [
                {
                    "label": "Branch Counter",
                    "received": 2,
                    "resolved": 2,
                    "open_end": 0,
                },
                {"label": "Phone", "received": 2, "resolved": 1, "open_end": 2},
                {"label": "Email", "received": 1, "resolved": 0, "open_end": 1},
                {"label": "Letter", "received": 0, "resolved": 0, "open_end": 1},
            ],
        )
        self.assertEqual(
            values["compliance"],
            {
                "on_time": 2,
                "late": 1,
                "on_time_percent": 66.7,
                "open_over_deadline": 2,
            },
        )
        self.assertEqual(
            values["top_categories"],
            [
                {"name": self.cat_fees.display_name, "count": 3, "share": 60.0},
                {"name": self.cat_loans.display_name, "count": 2, "share": 40.0},
            ],
        )
        self.assertEqual(
            values["top_root_causes"],
            [{"name": self.root_cause.display_name, "count": 2, "share": 66.7}],
        )
        self.assertEqual([row["label"] for row in values["csat"]], TREND)
        self.assertEqual(
            values["csat"][-1],
            {
                "label": "November 2026",
                "count": 2,
                "average": 3.5,
                "satisfied_percent": 50.0,
            },
        )
        self.assertEqual(sum(row["count"] for row in values["csat"]), 2)
        self.assertEqual(
            [(row["count"], row["nps"]) for row in values["nps"]],
            [(0, 0.0), (0, 0.0), (0, 0.0), (0, 0.0), (2, 0.0), (4, 25.0)],
        )
        self.assertEqual(values["open_actions"]["count"], 2)
        self.assertEqual(values["open_actions"]["overdue"], 1)
        self.assertEqual(
            values["open_actions"]["lines"],
            [
                {
                    "name": "Fix the fee table",
                    "complaint": complaint.name,
                    "customer": "Customer One",
                    "owner": self.agent_a.name,
                    "date_deadline": deadline,
                    "overdue": overdue,
                }
                for complaint, deadline, overdue in (
                    (self.c4, date(2026, 11, 20), True),
                    (self.c5, date(2026, 12, 20), False),
                )
            ],
        )

    def test_october_counts_what_happened_in_october(self):
        values = self._values(
            period={"date_from": "2026-10-01", "date_to": "2026-10-31"}
        )
        self.assertEqual(
            values["volumes"], {"received": 2, "resolved": 0, "open_end": 2}
        )
        self.assertEqual(values["compliance"]["open_over_deadline"], 0)
        self.assertEqual(values["csat"][-1]["label"], "October 2026")
        self.assertEqual(values["nps"][-1]["count"], 2)

    def test_empty_period(self):
        values = self._values(
            company=self.company_b,
            team=self.env["cs.team"],
            period={"date_from": "2026-01-01", "date_to": "2026-01-31"},
        )
        self.assertEqual(
            values["volumes"], {"received": 0, "resolved": 0, "open_end": 0}
        )
        self.assertEqual(values["channels"], [])
        self.assertEqual(
            values["compliance"],
            {"on_time": 0, "late": 0, "on_time_percent": 0.0, "open_over_deadline": 0},
        )
        self.assertEqual(values["top_categories"], [])
        self.assertEqual(values["top_root_causes"], [])
        self.assertEqual(
            values["csat"][0],
            {
                "label": "August 2025",
                "count": 0,
                "average": 0.0,
                "satisfied_percent": 0.0,
            },
        )
        self.assertEqual(
            {(row["count"], row["average"]) for row in values["csat"]}, {(0, 0.0)}
        )
        self.assertEqual(
            {(row["count"], row["nps"]) for row in values["nps"]}, {(0, 0.0)}
        )
        self.assertEqual(
            values["open_actions"], {"count": 0, "overdue": 0, "lines": []}
        )
        self.assertEqual(
            {(row["count"], row["score"]) for row in values["quality"]}, {(0, 0.0)}
        )

    def test_qa_scores_by_month(self):
        """Submitted reviews of the team, by the month they were submitted."""
        for complaint, scores, submitted in [
            (self.c2, (5, 5, 5, 5, 5), datetime(2026, 11, 20, 9)),
            (self.c3, (0, 0, 0, 0, 0), datetime(2026, 11, 21, 9)),
            (self.c1, (5, 5, 5, 5, 5), datetime(2026, 10, 30, 9)),
        ]:
            review = self.env["cs.quality.review"].create(
                {
                    "complaint_id": complaint.id,
                    "agent_id": self.agent_a.id,
                    "reviewer_id": self.supervisor_b.id,
                }
            )
            for line, score in zip(review.line_ids, scores, strict=True):
                line.score = score
            with freeze_time(submitted):
                review.action_submit()
        # a draft does not count
        self.env["cs.quality.review"].create(
            {
                "complaint_id": self.c4.id,
                "agent_id": self.agent_a.id,
                "reviewer_id": self.supervisor_b.id,
            }
        )
        quality = self._values()["quality"]
        self.assertEqual([row["label"] for row in quality], TREND)
        self.assertEqual(
            quality[-1], {"label": "November 2026", "count": 2, "score": 50.0}
        )
        self.assertEqual(
            quality[-2], {"label": "October 2026", "count": 1, "score": 100.0}
        )
        self.assertEqual(sum(row["count"] for row in quality), 3)

    def test_supervisor_sees_the_teams_they_supervise(self):
        self.assertEqual(
            self._values(user=self.supervisor_a)["volumes"],
            {"received": 5, "resolved": 3, "open_end": 4},
        )
        self.assertEqual(
            self._values(user=self.supervisor_b)["volumes"],
            {"received": 0, "resolved": 0, "open_end": 0},
        )

    def test_agents_cannot_print(self):
        with self.assertRaisesRegex(AccessError, "supervisors and managers"):
            self._values(user=self.agent_a)
        with self.assertRaises(AccessError):
            self.env["cs.monthly.report.wizard"].with_user(self.agent_a).create(
                {"date_from": "2026-11-01", "date_to": "2026-11-30"}
            )
        with self.assertRaisesRegex(AccessError, "supervisors and managers"):
            self.env["ir.actions.report"].with_user(self.agent_a)._render_qweb_html(
                REPORT, [], data={"company_id": self.company_a.id, **NOVEMBER}
            )


class TestMonthlyReportFonts(MonthlyReportCommon):
    def _font_family(self, lang):
        self.env["res.lang"]._activate_lang(lang)
        Report = self.env["report.customer_service_bank.report_cs_monthly"]
        return Report.with_context(lang=lang)._font_family(self.company_a)

    def test_company_font_first_then_a_chinese_one(self):
        self.company_a.font = "Roboto"
        self.assertRegex(self._font_family("en_US"), '^Roboto, "Noto Sans CJK SC", ')
        self.assertRegex(self._font_family("fr_FR"), '^Roboto, "Noto Sans CJK SC", ')

    def test_chinese_japanese_korean_reports_use_their_font_alone(self):
        for lang, variant in (
            ("zh_CN", "SC"),
            ("zh_TW", "TC"),
            ("zh_HK", "TC"),
            ("ja_JP", "JP"),
            ("ko_KR", "KR"),
        ):
            self.assertRegex(
                self._font_family(lang), rf'^"Noto Sans CJK {variant}", .*sans-serif$'
            )


class TestMonthlyReportWizard(MonthlyReportCommon):
    def test_defaults_to_last_month(self):
        with freeze_time(TODAY):
            wizard = Form(
                self.env["cs.monthly.report.wizard"].with_user(self.supervisor_a)
            )
        self.assertEqual(wizard.date_from, date(2026, 11, 1))
        self.assertEqual(wizard.date_to, date(2026, 11, 30))
        self.assertEqual(wizard.company_id, self.company_a)
        self.assertFalse(wizard.team_id)

    def test_print_passes_the_period_and_team(self):
        wizard = (
            self.env["cs.monthly.report.wizard"]
            .with_user(self.manager)
            .create({**NOVEMBER, "team_id": self.team_d.id})
        )
        action = wizard.action_print()
        self.assertEqual(
            action["report_name"], "customer_service_bank.report_cs_monthly"
        )
        self.assertEqual(
            action["data"],
            {"company_id": self.company_a.id, "team_id": self.team_d.id, **NOVEMBER},
        )

    def test_period_ending_before_it_starts_is_refused(self):
        with self.assertRaisesRolledBack(ValidationError, "must start on or before"):
            self.env["cs.monthly.report.wizard"].create(
                {"date_from": "2026-11-30", "date_to": "2026-11-01"}
            )


class TestMonthlyReportRendering(HttpCase, MonthlyReportCommon):
    """Real PDFs: wkhtmltopdf fetches the report's assets from the server,
    which an HttpCase serves with the test's own transaction (a plain
    TransactionCase could wait forever on the rows that transaction holds)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            ["customer_service_bank"], ["zh_CN"], overwrite=True
        )

    def _render_pdf(self, data, user, lang="en_US"):
        if not PDF_RENDERED:
            self.skipTest("wkhtmltopdf is not installed: reports print as HTML")
        with freeze_time(TODAY), mute_logger(REPORT_LOGGER):
            content, report_type = (
                self.env["ir.actions.report"]
                .with_user(user)
                .with_context(force_report_rendering=True, lang=lang)
                ._render_qweb_pdf(REPORT, data=data)
            )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(content.startswith(b"%PDF"))
        return content

    def _pdf_text(self, content):
        """The text of a PDF as a reader copies it.

        Noto Sans CJK draws some ideographs with the glyph of a Kangxi
        radical, and pdftotext reads the radical back (⼩ for 小, ⼾ for 户):
        NFKC folds them, ⼾ to the Traditional 戶, so it gets the Simplified
        form first. Debian's wkhtmltopdf draws the web fonts of the layouts
        (Lato...) as outlines, so only text set in a system font reads back.
        """
        pdftotext = shutil.which("pdftotext")
        if not pdftotext:
            self.skipTest("pdftotext (Debian's poppler-utils) is not installed")
        text = subprocess.run(
            [pdftotext, "-enc", "UTF-8", "-", "-"],
            input=content,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout.decode()
        return unicodedata.normalize("NFKC", text.replace("\u2f3e", "户"))

    def test_busy_month_pdf(self):
        data = {"company_id": self.company_a.id, "team_id": self.team_d.id, **NOVEMBER}
        self._render_pdf(data, self.manager)
        with freeze_time(TODAY):
            html, _type = self.env["ir.actions.report"]._render_qweb_html(
                REPORT, [], data=data
            )
        html = html.decode()
        self.assertIn("Team D", html)
        self.assertIn("Branch Counter", html)
        self.assertIn("66.7", html)
        self.assertIn("Fix the fee table", html)
        self.assertIn("Noto Sans CJK SC", html)

    def test_empty_period_pdf(self):
        data = {
            "company_id": self.company_b.id,
            "team_id": False,
            "date_from": "2026-01-01",
            "date_to": "2026-01-31",
        }
        text = self._pdf_text(self._render_pdf(data, self.supervisor_c, "zh_CN"))
        self.assertIn("客户服务报告", text)
        self.assertNotIn("Fix the fee table", text)
        self.assertNotIn("Team D", text)

    def test_chinese_pdf_prints_its_chinese_words(self):
        """Titles, labels, figures and customer names print in Chinese."""
        self.c4.partner_id.name = "王小明"
        data = {"company_id": self.company_a.id, "team_id": self.team_d.id, **NOVEMBER}
        text = self._pdf_text(self._render_pdf(data, self.manager, lang="zh_CN"))
        self.assertIn("客户服务报告", text)
        self.assertIn("时限达标情况", text)
        self.assertIn("王小明", text)
        self.assertIn("Fix the fee table", text)
        self.assertIn("Team D", text)
        self.assertIn("66.7", text)
        self.assertNotIn("Deadline Compliance", text)

    def test_chinese_pdf_prints_its_care_section(self):
        """The care section's title and campaigns print in Chinese."""
        view = self.env.ref("customer_service_bank.report_cs_monthly")
        if "客户关怀" not in view.with_context(lang="zh_CN").arch_db:
            # the section is newer than the module's translations
            view.update_field_translations(
                "arch_db", {"zh_CN": {"Customer Care": "客户关怀"}}
            )
        campaign = self.env["cs.care.campaign"].create(
            {
                "name": "重阳节问候",
                "kind": "other",
                "date": "2026-11-10",
                "team_id": self.team_d.id,
            }
        )
        self.env["cs.care.participant"].create(
            {
                "campaign_id": campaign.id,
                "partner_id": self.customer.id,
                "occurrence_date": "2026-11-10",
                "state": "sent",
                "cost": 12,
            }
        )
        data = {"company_id": self.company_a.id, "team_id": self.team_d.id, **NOVEMBER}
        text = self._pdf_text(self._render_pdf(data, self.manager, lang="zh_CN"))
        self.assertIn("客户关怀", text)
        self.assertIn("重阳节问候", text)
        self.assertNotIn("Customer Care", text)


class TestMonthlyReportCron(HttpCase, MonthlyReportCommon):
    """Mails real PDFs: an HttpCase, as TestMonthlyReportRendering."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.company"].search([]).cs_report_recipient_ids = False
        cls.director = cls.env["res.partner"].create(
            {"name": "CS Director", "email": "director@example.com"}
        )
        cls.company_a.cs_report_recipient_ids = [
            Command.set([cls.director.id, cls.manager.partner_id.id])
        ]
        cls.company_b.cs_report_recipient_ids = [Command.set([cls.customer_b.id])]

    def _run_cron(self, progress=None, **kwargs):
        Company = self.env["res.company"].with_context(force_report_rendering=True)
        if progress:
            Company = Company.with_context(ir_cron_progress_id=progress.id)
        with freeze_time(TODAY), mute_logger(REPORT_LOGGER):
            sent = Company._cron_send_cs_monthly_report(**kwargs)
            self.env.flush_all()
        return sent

    def _report_mails(self):
        return self.env["mail.mail"].search(
            [("subject", "like", "Customer service report November 2026")],
            order="id",
        )

    def test_one_mail_per_company_then_none(self):
        sent = self._run_cron()
        self.assertEqual(sent, self.company_a | self.company_b)
        mails = self._report_mails()
        self.assertEqual(len(mails), 2)
        self.assertEqual(
            mails.mapped("subject"),
            [
                f"{company.name}: Customer service report November 2026"
                for company in (self.company_a, self.company_b)
            ],
        )
        self.assertEqual(
            mails[0].recipient_ids, self.director | self.manager.partner_id
        )
        self.assertEqual(mails[1].recipient_ids, self.customer_b)
        for mail, company in zip(mails, (self.company_a, self.company_b), strict=True):
            attachment = mail.attachment_ids
            self.assertEqual(len(attachment), 1)
            self.assertEqual(attachment.name, "Customer service report 2026-11.pdf")
            self.assertEqual(attachment.mimetype, "application/pdf")
            self.assertEqual(
                (attachment.res_model, attachment.res_id),
                ("mail.message", mail.mail_message_id.id),
            )
            self.assertIn(
                f"customer-service report of {company.name} for November 2026.",
                " ".join(mail.body_html.split()),
            )
            if PDF_RENDERED:
                self.assertTrue(attachment.raw.startswith(b"%PDF"))
        self.assertEqual(
            (self.company_a | self.company_b).mapped("cs_report_last_month"),
            [date(2026, 11, 1)] * 2,
        )
        # the rerun, or a second worker, finds nothing left to send
        self.assertFalse(self._run_cron())
        self.assertEqual(len(self._report_mails()), 2)

    def test_admins_edit_the_wording(self):
        template = self.env.ref("customer_service_bank.mail_template_cs_monthly_report")
        template.subject = "Monthly figures of {{ object.name }}"
        self._run_cron()
        self.assertEqual(
            self.env["mail.mail"]
            .search([("subject", "like", "Monthly figures of")], order="id")
            .mapped("subject"),
            [f"Monthly figures of {self.company_a.name}", "Monthly figures of Bank B"],
        )

    def test_company_without_recipients_gets_nothing(self):
        self.company_b.cs_report_recipient_ids = False
        self.assertEqual(self._run_cron(), self.company_a)
        self.assertEqual(len(self._report_mails()), 1)
        self.assertFalse(self.company_b.cs_report_last_month)

    def test_failing_company_does_not_stop_the_others(self):
        # a time zone pytz does not know, left by an old import
        self.env.cr.execute(
            "UPDATE res_partner SET tz = 'Mars/Olympus_Mons' WHERE id = %s",
            [self.company_a.partner_id.id],
        )
        self.company_a.partner_id.invalidate_recordset(["tz"])
        with mute_logger("odoo.addons.customer_service_bank.models.cs_batch_job_mixin"):
            self.assertEqual(self._run_cron(), self.company_b)
        self.assertEqual(self._report_mails().recipient_ids, self.customer_b)
        self.assertFalse(self.company_a.cs_report_last_month)
        self.assertEqual(self.company_b.cs_report_last_month, date(2026, 11, 1))

    def test_batches_report_progress(self):
        cron = self.env.ref("customer_service_bank.ir_cron_cs_monthly_report")
        for done, remaining in [(1, 1), (1, 0), (0, 0)]:
            progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
            self._run_cron(progress=progress, batch_size=1)
            self.assertEqual((progress.done, progress.remaining), (done, remaining))
        self.assertEqual(len(self._report_mails()), 2)

    def test_recipients_are_a_setting(self):
        admin = self.env.ref("base.user_admin")
        with Form(self.env["res.config.settings"].with_user(admin)) as form:
            self.assertEqual(
                form.cs_report_recipient_ids[:], self.director | self.manager.partner_id
            )
            form.cs_report_recipient_ids.remove(self.manager.partner_id.id)
        form.record.execute()
        self.assertEqual(self.company_a.cs_report_recipient_ids, self.director)
