"""The demo database shows something on every screen of the addon.

These tests read the data installed with the addon's demo files; they skip
on a database installed without demo data.
"""

import json
from itertools import pairwise
from unittest import SkipTest

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import fields
from odoo.osv.expression import AND, OR
from odoo.tests import TransactionCase
from odoo.tools.safe_eval import safe_eval

DEMO_AGENTS = ("cs_agent_li", "cs_agent_wang", "cs_agent_smith")
REVIEW_STATES = ("draft", "done", "acknowledged")
NPS_CATEGORIES = ("promoter", "passive", "detractor")


class TestDemoData(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        module = cls.env["ir.module.module"].search(
            [("name", "=", "customer_service_bank")]
        )
        if not module.demo:
            raise SkipTest("customer_service_bank is installed without demo data")
        cls.supervisor = cls.env["res.users"].search(
            [("login", "=", "cs_supervisor_zhang")]
        )
        cls.supervisor_env = cls.env(user=cls.supervisor)

    def _window_menus(self):
        """{menu: action} of the addon's menus opening a list of records, as
        the supervisor sees them: configuration, settings and wizards aside."""
        root = self.env.ref("customer_service_bank.cs_menu_root")
        configuration = self.env.ref("customer_service_bank.cs_configuration_menu")
        # searched as the supervisor: the menus the supervisor sees
        menus = self.supervisor_env["ir.ui.menu"].search([("id", "child_of", root.id)])
        actions = {}
        for menu in menus.sudo():
            action = menu.action
            if (
                not action
                or action._name != "ir.actions.act_window"
                or action.target == "new"
                or action.res_model == "res.config.settings"
                or menu.parent_path.startswith(configuration.parent_path)
            ):
                continue
            actions[menu] = action
        return actions

    def _eval_context(self, action):
        """What the web client evaluates an action's domain and context with."""
        user = self.supervisor
        return {
            **action.with_user(user)._get_eval_context(),
            "context_today": lambda: fields.Date.context_today(user),
            "current_date": fields.Date.to_string(fields.Date.context_today(user)),
            "relativedelta": relativedelta,
            "allowed_company_ids": user.company_ids.ids,
            "active_id": False,
            "active_ids": [],
        }

    def test_every_menu_shows_records(self):
        actions = self._window_menus()
        self.assertIn(
            self.env.ref("customer_service_bank.cs_complaint_stage_report_menu"),
            actions,
            "the supervisor sees the reporting menus",
        )
        for menu, action in actions.items():
            with self.subTest(menu=menu.complete_name):
                eval_context = self._eval_context(action)
                domain = safe_eval(action.domain or "[]", eval_context)
                context = safe_eval(action.context or "{}", eval_context)
                # the screen opens with the action's default filters on
                domain = AND(
                    [domain, self._default_filters(action, context, eval_context)]
                )
                records = self.supervisor_env[action.res_model].with_context(**context)
                self.assertTrue(
                    records.search_count(domain),
                    f"{menu.complete_name} shows no record to the demo supervisor",
                )

    def _default_filters(self, action, context, eval_context):
        """The domain of the filters ``context`` turns on in the action's
        search view, as the web client combines them: filters of one group
        (between separators) or-ed, groups and-ed."""
        wanted = {
            key.removeprefix("search_default_")
            for key, value in context.items()
            if key.startswith("search_default_") and value
        }
        if not wanted:
            return []
        view = self.supervisor_env[action.res_model].get_view(
            action.search_view_id.id, "search"
        )
        groups, group = [], []
        for node in etree.fromstring(view["arch"]).iter("filter", "separator"):
            if node.tag == "separator":
                groups.append(group)
                group = []
            elif node.get("name") in wanted and node.get("domain"):
                group.append(safe_eval(node.get("domain"), eval_context))
        groups.append(group)
        return AND([OR(domains) for domains in groups if domains])

    def test_dashboard_sources_have_data(self):
        dashboard = self.env.ref(
            "customer_service_bank.spreadsheet_dashboard_customer_service"
        )
        spreadsheet = json.loads(dashboard.spreadsheet_data)
        sources = [
            (source["name"], source["model"], source["domain"])
            for source in [
                *spreadsheet["pivots"].values(),
                *spreadsheet["lists"].values(),
            ]
        ]
        sources += [
            (
                figure["data"]["title"].get("text") or figure["id"],
                figure["data"]["metaData"]["resModel"],
                figure["data"]["searchParams"]["domain"],
            )
            for sheet in spreadsheet["sheets"]
            for figure in sheet["figures"]
            if figure["data"]["type"].startswith("odoo_")
        ]
        for name, model, domain in sources:
            with self.subTest(source=name):
                self.assertTrue(
                    self.supervisor_env[model].search_count(domain),
                    f"the dashboard's {name} ({model}) is blank for the supervisor",
                )

    def test_process_analysis_spreads(self):
        Report = self.supervisor_env["cs.complaint.report"]
        months = Report._read_group(
            [("resolved_date", "!=", False)],
            ["received_date:month"],
            ["resolve_hours:avg", "ack_hours:avg"],
        )
        self.assertGreaterEqual(len(months), 4, "resolutions over several months")
        self.assertGreater(
            len({round(resolve_hours, 1) for _month, resolve_hours, _ack in months}),
            1,
            "the hours to resolve differ between months",
        )
        self.assertGreater(
            len({round(ack_hours, 1) for _month, _resolve, ack_hours in months}),
            1,
            "the hours to acknowledge differ between months",
        )
        [[first_contact_rate, reopen_rate]] = Report._read_group(
            [("resolved_date", "!=", False)],
            aggregates=["first_contact_rate:avg", "reopen_rate:avg"],
        )
        self.assertTrue(0 < first_contact_rate < 100, first_contact_rate)
        self.assertTrue(0 < reopen_rate < 100, reopen_rate)
        # breached and met deadlines both
        self.assertEqual(
            {status for [status] in Report._read_group([], ["deadline_status"])},
            {"on_track", "at_risk", "breached", "met"},
        )

    def test_time_in_stage_spreads(self):
        Report = self.supervisor_env["cs.complaint.stage.report"]
        rows = Report.search([])
        self.assertTrue(rows, "Time in Stage has rows")
        self.assertGreaterEqual(len(set(rows.mapped("month"))), 4)
        self.assertEqual(
            set(rows.mapped("stage_kind")),
            {"new", "in_progress", "awaiting", "resolved"},
        )
        self.assertGreater(len(set(rows.mapped("hours_p50"))), 5)

    def test_demo_histories_are_consistent(self):
        """Finished demo complaints went through their stages in order, and
        their dates are those of their moves."""
        complaints = self.env["cs.complaint"].search([("resolved_date", "!=", False)])
        for complaint in complaints:
            with self.subTest(complaint=complaint.name):
                logs = complaint.stage_log_ids.sorted("date_in")
                self.assertEqual(logs[0].stage_kind, "new")
                self.assertEqual(logs[0].date_in, complaint.received_date)
                self.assertEqual(logs[-1].stage_id, complaint.stage_id)
                self.assertFalse(logs[-1].date_out)
                for log, following in pairwise(logs):
                    self.assertEqual(log.date_out, following.date_in)
                self.assertEqual(complaint.acknowledged_date, logs[1].date_in)
                self.assertLessEqual(complaint.resolved_date, fields.Datetime.now())
                self.assertEqual(complaint.final_response_date, complaint.resolved_date)

    def test_quality_reviews_of_each_agent_in_each_state(self):
        Review = self.env["cs.quality.review"]
        for login in DEMO_AGENTS:
            for state in REVIEW_STATES:
                with self.subTest(agent=login, state=state):
                    self.assertTrue(
                        Review.search_count(
                            [("agent_id.login", "=", login), ("state", "=", state)]
                        )
                    )
        scores = Review.search([("state", "!=", "draft")]).mapped("score")
        self.assertGreater(len(set(scores)), 3, "QA scores differ")

    def test_nps_answers_of_each_kind_over_months(self):
        Response = self.env["cs.nps.response"]
        answers = Response._read_group(
            [("is_answered", "=", True)], ["answered_date:month", "category"]
        )
        self.assertEqual(
            {category for _month, category in answers}, set(NPS_CATEGORIES)
        )
        self.assertGreaterEqual(len({month for month, _category in answers}), 4)
        self.assertEqual(
            {state for [state] in self.env["cs.nps.survey"]._read_group([], ["state"])},
            {"running", "closed"},
        )
        detractors = Response.search([("category", "=", "detractor")])
        self.assertTrue(detractors)
        self.assertTrue(all(detractors.mapped("followup_id")), "detractors followed up")

    def test_csat_over_months(self):
        ratings = self.env["rating.rating"].search(
            [
                ("res_model", "in", ("cs.complaint", "cs.followup")),
                ("consumed", "=", True),
            ]
        )
        self.assertEqual(
            set(ratings.mapped("res_model")), {"cs.complaint", "cs.followup"}
        )
        self.assertEqual(set(ratings.mapped("rating")), {1.0, 3.0, 5.0})
        months = {date.replace(day=1).date() for date in ratings.mapped("write_date")}
        self.assertGreaterEqual(len(months), 4)

    def test_feedback_of_each_kind(self):
        Feedback = self.env["cs.feedback"]
        self.assertEqual(
            {kind for [kind] in Feedback._read_group([], ["kind"])},
            {"praise", "suggestion", "complaint"},
        )
        converted = Feedback.search([("state", "=", "converted")])
        self.assertTrue(converted.complaint_id)
        self.assertEqual(converted.complaint_id.partner_id, converted.partner_id)

    def test_appraisals_of_last_quarter_in_every_state(self):
        period = self.env.ref("customer_service_bank.cs_demo_appraisal_period")
        today = fields.Date.context_today(period)
        self.assertEqual(
            period.date_to + relativedelta(days=1),
            today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1),
        )
        appraisals = period.appraisal_ids
        self.assertEqual(
            {(a.user_id.login, a.state) for a in appraisals},
            {
                ("cs_agent_li", "done"),
                ("cs_agent_wang", "approval"),
                ("cs_agent_smith", "self_assessment"),
            },
        )
        values = appraisals.kpi_line_ids.filtered("has_data").mapped("value")
        self.assertGreater(len(set(values)), 10, "KPI values differ")
        self.assertEqual(len(set(appraisals.mapped("total_score"))), 3)
        self.assertTrue(all(appraisals.mapped("band_id")))
