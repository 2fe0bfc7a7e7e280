import json
from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.osv import expression
from odoo.tests import HttpCase, freeze_time, tagged

from .common import CsCommon

CREATED = datetime(2026, 11, 2, 11, 0)
OPEN_SOURCE = "Open complaints"
RESOLVED_SOURCE = "Resolved complaints"
RATING_SOURCE = "Complaint ratings"
TEAM_SOURCE = "Open complaints by team"
NPS_SOURCE = "NPS answers"
QA_SOURCE = "Submitted quality reviews"


class TestDashboard(CsCommon):
    """The Customer Service dashboard of the Dashboards app.

    Its data sources are read from the shipped spreadsheet JSON, so a field
    renamed in the models breaks these tests rather than the dashboard.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dashboard = cls.env.ref(
            "customer_service_bank.spreadsheet_dashboard_customer_service"
        )
        cls.spreadsheet = json.loads(cls.dashboard.spreadsheet_data)

    def _data_sources(self):
        """The Odoo pivots, lists and charts of the spreadsheet, as dicts of
        their name, model, domain, groupby (fields for a list), measure and
        order."""
        sources = []
        for pivot in self.spreadsheet["pivots"].values():
            for measure in pivot["measures"]:
                sources.append(
                    {
                        "name": pivot["name"],
                        "model": pivot["model"],
                        "domain": pivot["domain"],
                        "groupby": [
                            dimension["fieldName"]
                            for dimension in pivot["rows"] + pivot["columns"]
                        ],
                        "measure": measure["fieldName"],
                    }
                )
        for odoo_list in self.spreadsheet["lists"].values():
            sources.append(
                {
                    "name": odoo_list["name"],
                    "model": odoo_list["model"],
                    "domain": odoo_list["domain"],
                    "fields": odoo_list["columns"],
                    "order": [order["name"] for order in odoo_list["orderBy"]],
                }
            )
        for sheet in self.spreadsheet["sheets"]:
            for figure in sheet["figures"]:
                data = figure["data"]
                if not data["type"].startswith("odoo_"):
                    continue
                sources.append(
                    {
                        "name": figure["id"],
                        "model": data["metaData"]["resModel"],
                        "domain": data["searchParams"]["domain"],
                        "groupby": data["metaData"]["groupBy"],
                        "measure": data["metaData"]["measure"],
                    }
                )
        return sources

    def _assert_field_path(self, model, path, source):
        """Every step of a dotted field path exists, from ``model`` on."""
        Model = self.env[model]
        for name in path.split("."):
            self.assertIn(name, Model._fields, f"{source}: {Model._name}.{name}")
            field = Model._fields[name]
            if field.relational:
                Model = self.env[field.comodel_name]

    def _domain_fields(self, domain):
        return [
            leaf[0]
            for leaf in expression.normalize_domain(domain)
            if expression.is_leaf(leaf) and isinstance(leaf[0], str)
        ]

    def _pivot_definition(self, name):
        return next(
            pivot
            for pivot in self.spreadsheet["pivots"].values()
            if pivot["name"] == name
        )

    def _pivot(self, user, name, domain=()):
        """The groups of the pivot ``name`` for ``user``: by groupby, the
        count and the measures."""
        pivot = self._pivot_definition(name)
        groupby = [
            dimension["fieldName"] for dimension in pivot["rows"] + pivot["columns"]
        ]
        measures = [
            measure["fieldName"]
            for measure in pivot["measures"]
            if measure["fieldName"] != "__count"
        ]
        groups = (
            self.env[pivot["model"]]
            .with_user(user)
            .read_group([*pivot["domain"], *domain], measures, groupby, lazy=False)
        )
        return {
            tuple(group[name] for name in groupby): (
                group["__count"],
                *(group[measure] for measure in measures),
            )
            for group in groups
        }

    def _app_dashboard_ids(self, user):
        """The dashboards the Dashboards app lists for ``user``, read as it does."""
        self.env.invalidate_all()
        groups = (
            self.env["spreadsheet.dashboard.group"]
            .with_user(user)
            .web_search_read(
                [("published_dashboard_ids", "!=", False)],
                {"published_dashboard_ids": {"fields": {"name": {}}}},
            )
        )
        return [
            dashboard["id"]
            for group in groups["records"]
            for dashboard in group["published_dashboard_ids"]
        ]

    def test_dashboard_is_in_the_customer_service_group(self):
        group = self.env.ref(
            "customer_service_bank.spreadsheet_dashboard_group_customer_service"
        )
        self.assertEqual(group.name, "Customer Service")
        self.assertEqual(self.dashboard.name, "Customer Service")
        self.assertEqual(self.dashboard.dashboard_group_id, group)
        self.assertEqual(group.published_dashboard_ids, self.dashboard)
        self.assertEqual(
            self.dashboard.group_ids,
            self.env.ref("customer_service_bank.group_cs_supervisor")
            | self.env.ref("customer_service_bank.group_cs_manager"),
        )

    def test_only_supervisors_and_managers_see_it(self):
        Dashboard = self.env["spreadsheet.dashboard"]
        for user in (self.supervisor_a, self.supervisor_c, self.manager):
            self.assertEqual(
                Dashboard.with_user(user).search([("id", "=", self.dashboard.id)]),
                self.dashboard,
                user.login,
            )
            self.assertIn(self.dashboard.id, self._app_dashboard_ids(user), user.login)
            snapshot = self.dashboard.with_user(user).get_readonly_dashboard()[
                "snapshot"
            ]
            self.assertEqual(
                [sheet["name"] for sheet in snapshot["sheets"]], ["Dashboard", "Data"]
            )
        for user in (self.agent_a, self.employee):
            self.assertFalse(
                Dashboard.with_user(user).search([("id", "=", self.dashboard.id)]),
                user.login,
            )
            self.assertNotIn(
                self.dashboard.id, self._app_dashboard_ids(user), user.login
            )
            with self.assertRaises(AccessError):
                self.dashboard.with_user(user).read(["name", "spreadsheet_data"])
            self.dashboard.invalidate_recordset(["spreadsheet_data"])
            self.assertFalse(
                self.dashboard.with_user(user).spreadsheet_data,
                "the attachment holding the spreadsheet is out of reach too",
            )

    def test_data_sources_use_existing_fields(self):
        sources = self._data_sources()
        self.assertEqual(
            sorted({source["model"] for source in sources}),
            ["cs.complaint", "cs.nps.response", "cs.quality.review", "rating.rating"],
        )
        # six pivots behind the KPIs and the team table, a list, nine charts
        self.assertEqual(len(sources), 16)
        for source in sources:
            name, model = source["name"], source["model"]
            self.assertIn(model, self.env, name)
            for path in [
                *self._domain_fields(source["domain"]),
                *(dimension.split(":")[0] for dimension in source.get("groupby", [])),
                *source.get("fields", []),
                *source.get("order", []),
            ]:
                self._assert_field_path(model, path, name)
            measure = source.get("measure", "__count")
            if measure != "__count":
                field = self.env[model]._fields.get(measure)
                self.assertTrue(field, f"{name}: {model}.{measure}")
                self.assertIn(field.type, ("integer", "float", "monetary"), name)
                self.assertEqual(field.aggregator, "avg", name)

    def test_charts_open_customer_service_menus(self):
        charts = [
            figure["id"]
            for sheet in self.spreadsheet["sheets"]
            for figure in sheet["figures"]
            if figure["data"]["type"].startswith("odoo_")
        ]
        menus = self.spreadsheet["chartOdooMenusReferences"]
        self.assertEqual(sorted(menus), sorted(charts))
        supervisor_menus = (
            self.env["ir.ui.menu"].with_user(self.supervisor_a)._visible_menu_ids()
        )
        for chart, xmlid in menus.items():
            menu = self.env.ref(xmlid)
            self.assertEqual(menu._name, "ir.ui.menu", chart)
            self.assertIn(menu.id, supervisor_menus, xmlid)

    def test_data_sources_run_for_a_supervisor(self):
        for source in self._data_sources():
            records = self.env[source["model"]].with_user(self.supervisor_a)
            domain = source["domain"]
            count = records.search_count(domain)
            if "fields" in source:
                rows = records.search_read(
                    domain, source["fields"], order=", ".join(source["order"])
                )
                self.assertEqual(len(rows), count, source["name"])
                continue
            measure = source["measure"]
            groups = records.read_group(
                domain,
                [] if measure == "__count" else [measure],
                source["groupby"],
                lazy=False,
            )
            self.assertEqual(
                sum(group["__count"] for group in groups), count, source["name"]
            )

    def test_figures_of_a_supervisor_s_teams(self):
        """A supervisor's KPIs, table and list count their teams' complaints."""
        with freeze_time(CREATED):
            on_track = self.create_complaint()
            breached = self.create_complaint(received_date=datetime(2026, 10, 1, 2, 0))
            resolved = self.create_complaint(user_id=self.agent_a.id)
            self.create_complaint(team_id=self.team_b.id)
            resolved.write({"outcome": "upheld", "stage_id": self.stage_resolved.id})
            self.env.flush_all()
        self.assertEqual(on_track.deadline_status, "on_track")
        self.assertEqual(breached.deadline_status, "breached")
        self.assertEqual(resolved.deadline_status, "met")
        self.assertEqual(
            self._pivot(self.supervisor_a, OPEN_SOURCE),
            {("on_track",): (1,), ("breached",): (1,)},
        )
        self.assertEqual(
            self._pivot(self.supervisor_b, OPEN_SOURCE), {("on_track",): (1,)}
        )
        self.assertEqual(
            self._pivot(self.supervisor_a, RESOLVED_SOURCE), {("met",): (1,)}
        )

        team_a = (self.team_a.id, "Team A")
        self.assertEqual(
            self._pivot(self.supervisor_a, TEAM_SOURCE),
            {(team_a, "on_track"): (1,), (team_a, "breached"): (1,)},
        )
        past_deadline = self.spreadsheet["lists"]["1"]
        self.assertEqual(past_deadline["name"], "Breached open complaints")
        self.assertEqual(
            self.env["cs.complaint"]
            .with_user(self.supervisor_a)
            .search(past_deadline["domain"]),
            breached,
        )

        rating = self.env["rating.rating"].search(
            [("res_model", "=", "cs.complaint"), ("res_id", "=", resolved.id)]
        )
        self.assertEqual(len(rating), 1, "resolving asks the customer for a rating")
        only_resolved = [("res_id", "=", resolved.id)]
        self.assertEqual(
            self._pivot(self.supervisor_a, RATING_SOURCE, only_resolved),
            {(): (0, False)},
            "an unanswered request is not a rating",
        )
        rating.write({"rating": 4, "consumed": True})
        self.assertEqual(
            self._pivot(self.supervisor_a, RATING_SOURCE, only_resolved),
            {(): (1, 4.0)},
        )

    def test_nps_and_qa_figures(self):
        """NPS averages the answers' +100/0/-100, QA the submitted scores."""
        Segment = self.env["cs.segment"]
        gold = Segment.create({"name": "Dashboard Gold", "kind": "tier"})
        digital = Segment.create({"name": "Dashboard Digital", "kind": "tag"})
        survey = self.env["cs.nps.survey"].create({"name": "Dashboard survey"})
        partners = self.env["res.partner"].create(
            [{"name": "NPS Three"}, {"name": "NPS Four"}]
        )
        answered = datetime(2026, 11, 5, 9, 0)
        self.env["cs.nps.response"].create(
            [
                {
                    "survey_id": survey.id,
                    "partner_id": partner.id,
                    "segment_id": segment.id,
                    "score": score,
                    "answered_date": answered if score is not None else False,
                }
                for partner, segment, score in [
                    (self.customer, gold, 10),
                    (self.customer2, gold, 9),
                    (partners[0], digital, 3),
                    (partners[1], digital, None),
                ]
            ]
        )
        this_survey = [("survey_id", "=", survey.id)]
        (count, nps) = self._pivot(self.supervisor_a, NPS_SOURCE, this_survey)[()]
        self.assertEqual(count, 3, "the unanswered response is left out")
        self.assertAlmostEqual(nps, 100 / 3)
        by_segment = self.env["cs.nps.response"].read_group(
            [*this_survey, *self._pivot_definition(NPS_SOURCE)["domain"]],
            ["nps_value"],
            ["segment_id"],
        )
        self.assertEqual(
            {group["segment_id"][1]: group["nps_value"] for group in by_segment},
            {"Dashboard Gold": 100, "Dashboard Digital": -100},
        )

        complaints = self.env["cs.complaint"].concat(
            *(self.create_complaint(user_id=self.agent_a.id) for __ in range(3))
        )
        Review = self.env["cs.quality.review"].with_user(self.supervisor_a)
        reviews = Review.create(
            [{"complaint_id": complaint.id} for complaint in complaints]
        )
        for review, share in zip(reviews, (1.0, 0.5, 0.0), strict=True):
            for line in review.line_ids:
                line.score = line.max_score * share
        reviews[:2].action_submit()
        these_complaints = [("complaint_id", "in", complaints.ids)]
        self.assertEqual(
            self._pivot(self.supervisor_a, QA_SOURCE, these_complaints),
            {(): (2, 75.0)},
            "the draft review is left out",
        )


@tagged("post_install", "-at_install")
class TestDashboardUi(CsCommon, HttpCase):
    def test_dashboard_tour(self):
        """The dashboard draws its charts with the supervisor's complaints."""
        now = fields.Datetime.now()
        self.create_complaint(received_date=now)
        self.create_complaint(received_date=now - timedelta(days=60))
        self.create_complaint(team_id=self.team_b.id, received_date=now)
        self.start_tour("/odoo", "cs_dashboard_tour", login=self.supervisor_a.login)
