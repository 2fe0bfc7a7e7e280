"""The regulator statistics workbook and the access to the analytics."""

import base64
import io
from datetime import date, datetime, timedelta

import openpyxl

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, freeze_time, tagged

from .common import CsCommon

SHEETS = [
    "Summary",
    "By Category",
    "By Channel",
    "By Team",
    "By Outcome",
    "Timeliness",
    "Time in Stage",
]
COLUMNS = [
    "Received",
    "Resolved",
    "Open",
    "Upheld",
    "Partially Upheld",
    "Rejected",
    "Resolved within Deadline",
    "Resolved Late",
    "Open within Deadline",
    "Open over Deadline",
]
DONE = ("resolved", "closed")


class TestStatisticsExport(CsCommon):
    """November 2025: the demo complaints are received in the days before
    the database is created, never then.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tz="UTC"))

    def _receive(self, received, **values):
        """A complaint received at ``received`` and recorded an hour later."""
        return self.create_complaint_at(
            received + timedelta(hours=1), received_date=received, **values
        )

    def _export(self, user=None, **values):
        """The statistics and the workbook, read back, of a new wizard."""
        Wizard = self.env["cs.complaint.statistics.export"]
        if user:
            Wizard = Wizard.with_user(user)
        wizard = Wizard.create(
            {
                "date_from": date(2025, 11, 1),
                "date_to": date(2025, 11, 30),
                "company_id": self.company_a.id,
                **values,
            }
        )
        action = wizard.action_export()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn(f"id={wizard.id}&field=file_data", action["url"])
        self.assertEqual(
            wizard.file_name,
            f"complaint-statistics-{wizard.date_from}-{wizard.date_to}.xlsx",
        )
        workbook = openpyxl.load_workbook(
            io.BytesIO(base64.b64decode(wizard.file_data)), read_only=True
        )
        return wizard, wizard._statistics(), workbook

    @staticmethod
    def _table(workbook, title):
        """{first cell: other cells} of the rows below a sheet's header.

        Shares are rounded to the 0.1% the sheet shows.
        """
        rows = list(workbook[title].iter_rows(min_row=4, values_only=True))
        return {
            row[0]: [
                round(value, 3) if isinstance(value, float) else value
                for value in row[1:]
            ]
            for row in rows
        }

    def _busy_november(self):
        """Six complaints of company A received in November, and three that
        are not counted: October's, company B's and a merged duplicate.
        """
        on_time = self._receive(
            datetime(2025, 11, 2, 2, 0), category_id=self.cat_cards.id
        )
        self.write_complaint_at(
            on_time,
            datetime(2025, 11, 5, 2, 0),
            outcome="upheld",
            stage_id=self.stage_resolved.id,
        )
        rejected = self._receive(datetime(2025, 11, 4, 2, 0), channel="phone")
        self.write_complaint_at(
            rejected,
            datetime(2025, 11, 6, 2, 0),
            outcome="rejected",
            stage_id=self.stage_resolved.id,
        )
        late = self._receive(datetime(2025, 11, 3, 2, 0), channel="phone")
        self.write_complaint_at(
            late,
            datetime(2025, 12, 20, 2, 0),
            outcome="partially_upheld",
            stage_id=self.stage_resolved.id,
        )
        overdue = self._receive(
            datetime(2025, 11, 2, 2, 0), category_id=self.cat_loans.id, channel="email"
        )
        team_b = self._receive(
            datetime(2025, 11, 27, 2, 0),
            category_id=self.cat_loans.id,
            team_id=self.team_b.id,
        )
        uncategorised = self._receive(
            datetime(2025, 11, 27, 3, 0), category_id=False, channel="letter"
        )
        self._receive(datetime(2025, 10, 30, 2, 0))
        self._receive(
            datetime(2025, 11, 10, 2, 0),
            company_id=self.company_b.id,
            team_id=self.team_c.id,
            partner_id=self.customer_b.id,
        )
        duplicate = self._receive(datetime(2025, 11, 10, 2, 0))
        duplicate.write({"merged_into_id": on_time.id, "active": False})
        with freeze_time(datetime(2025, 12, 1, 0, 0)):
            self.env["cs.complaint"]._refresh_deadline_status()
        self.env.flush_all()
        complaints = on_time + rejected + late + overdue + team_b + uncategorised
        self.assertEqual(
            complaints.mapped("deadline_status"),
            ["met", "met", "breached", "breached", "on_track", "on_track"],
        )
        return complaints

    # ------------------------------------------------------------------
    # workbook
    # ------------------------------------------------------------------

    def test_empty_period(self):
        _wizard, statistics, workbook = self._export(
            date_from=date(2020, 1, 1), date_to=date(2020, 1, 31)
        )
        self.assertEqual(workbook.sheetnames, SHEETS)
        self.assertEqual(sum(statistics["total"].values()), 0)
        header = next(workbook["By Category"].iter_rows(min_row=3, values_only=True))
        self.assertEqual(list(header), ["Category", *COLUMNS])
        for title in ("By Category", "By Channel", "By Team"):
            self.assertEqual(self._table(workbook, title), {"Total": [0] * 10})
        self.assertEqual(
            self._table(workbook, "By Outcome"),
            {
                "Upheld": [0, 0],
                "Partially Upheld": [0, 0],
                "Rejected": [0, 0],
                "Not Resolved Yet": [0, 0],
                "Total": [0, 0],
            },
        )
        self.assertEqual(
            self._table(workbook, "Time in Stage"), {"All Stages": [0, 0, 0]}
        )
        summary = dict(workbook["Summary"].iter_rows(min_row=3, values_only=True))
        self.assertEqual(
            (summary["From"], summary["To"], summary["Received"]),
            ("2020-01-01", "2020-01-31", 0),
        )

    def test_busy_period_totals_match_the_database(self):
        self._busy_november()
        _wizard, _statistics, workbook = self._export()
        by_category = self._table(workbook, "By Category")
        self.assertEqual(
            by_category,
            {
                "Cards / Fees": [2, 2, 0, 0, 1, 1, 1, 1, 0, 0],
                "Loans": [2, 0, 2, 0, 0, 0, 0, 0, 1, 1],
                "Cards": [1, 1, 0, 1, 0, 0, 1, 0, 0, 0],
                "No Category": [1, 0, 1, 0, 0, 0, 0, 0, 1, 0],
                "Total": [6, 3, 3, 1, 1, 1, 2, 1, 2, 1],
            },
        )
        self.assertEqual(
            self._table(workbook, "By Channel"),
            {
                "Phone": [2, 2, 0, 0, 1, 1, 1, 1, 0, 0],
                "Branch Counter": [2, 1, 1, 1, 0, 0, 1, 0, 1, 0],
                "Email": [1, 0, 1, 0, 0, 0, 0, 0, 0, 1],
                "Letter": [1, 0, 1, 0, 0, 0, 0, 0, 1, 0],
                "Total": [6, 3, 3, 1, 1, 1, 2, 1, 2, 1],
            },
        )
        self.assertEqual(
            self._table(workbook, "By Team"),
            {
                "Team A": [5, 3, 2, 1, 1, 1, 2, 1, 1, 1],
                "Team B": [1, 0, 1, 0, 0, 0, 0, 0, 1, 0],
                "Total": [6, 3, 3, 1, 1, 1, 2, 1, 2, 1],
            },
        )
        self.assertEqual(
            self._table(workbook, "Timeliness"),
            {
                "Resolved within Deadline": [2, 0.333],
                "Resolved Late": [1, 0.167],
                "Open within Deadline": [2, 0.333],
                "Open over Deadline": [1, 0.167],
                "Total": [6, 1],
            },
        )
        self.assertEqual(
            self._table(workbook, "By Outcome"),
            {
                "Upheld": [1, 0.167],
                "Partially Upheld": [1, 0.167],
                "Rejected": [1, 0.167],
                "Not Resolved Yet": [3, 0.5],
                "Total": [6, 1],
            },
        )
        # the same totals, counted one way or another in the database
        Complaint = self.env["cs.complaint"].with_context(active_test=False)
        period = [
            ("company_id", "=", self.company_a.id),
            ("received_date", ">=", datetime(2025, 11, 1)),
            ("received_date", "<", datetime(2025, 12, 1)),
            ("merged_into_id", "=", False),
        ]
        done = [("stage_kind", "in", DONE)]
        not_done = [("stage_kind", "not in", DONE)]
        breached = [("deadline_status", "=", "breached")]
        not_breached = [("deadline_status", "!=", "breached")]
        expected = [
            Complaint.search_count(period),
            Complaint.search_count(period + done),
            Complaint.search_count(period + not_done),
            Complaint.search_count(period + done + [("outcome", "=", "upheld")]),
            Complaint.search_count(
                period + done + [("outcome", "=", "partially_upheld")]
            ),
            Complaint.search_count(period + done + [("outcome", "=", "rejected")]),
            Complaint.search_count(period + done + not_breached),
            Complaint.search_count(period + done + breached),
            Complaint.search_count(period + not_done + not_breached),
            Complaint.search_count(period + not_done + breached),
        ]
        self.assertEqual(by_category["Total"], expected)
        summary = dict(workbook["Summary"].iter_rows(min_row=3, values_only=True))
        self.assertEqual([summary[column] for column in COLUMNS], expected)
        # passages that ended in November, under the same scope
        stages = self._table(workbook, "Time in Stage")
        self.assertEqual(
            stages["All Stages"][0],
            self.env["cs.complaint.stage.log"].search_count(
                [
                    ("company_id", "=", self.company_a.id),
                    ("date_out", ">=", datetime(2025, 11, 1)),
                    ("date_out", "<", datetime(2025, 12, 1)),
                    ("complaint_id.merged_into_id", "=", False),
                ]
            ),
        )
        # new: 71 h and 47 h (logged from creation, an hour after receipt);
        # the late one left it in December
        self.assertEqual(
            stages["New"],
            [2, 59.0, 68.6],
        )

    def test_team_and_time_zone_narrow_the_period(self):
        self._busy_november()
        _wizard, statistics, _workbook = self._export(team_id=self.team_b.id)
        self.assertEqual(statistics["total"]["received"], 1)
        # in Shanghai, 2 Nov 02:00 UTC is still in November, 27 Nov 03:00 UTC
        # too; from 3 Nov, the complaints received on 2 Nov are left out
        shanghai = self.env(context=dict(self.env.context, tz="Asia/Shanghai"))
        wizard = (
            self.env["cs.complaint.statistics.export"]
            .with_env(shanghai)
            .create(
                {
                    "date_from": date(2025, 11, 3),
                    "date_to": date(2025, 11, 30),
                    "company_id": self.company_a.id,
                }
            )
        )
        self.assertEqual(
            wizard._period_bounds(),
            (datetime(2025, 11, 2, 16, 0), datetime(2025, 11, 30, 16, 0)),
        )
        self.assertEqual(wizard._statistics()["total"]["received"], 4)

    def test_bad_period_is_refused(self):
        Wizard = self.env["cs.complaint.statistics.export"]
        with self.assertRaisesRolledBack(
            ValidationError, "The period must start on or before its end"
        ):
            Wizard.create(
                {"date_from": date(2025, 12, 1), "date_to": date(2025, 11, 30)}
            )
        with self.assertRaisesRolledBack(ValidationError, "Team C does not belong to"):
            Wizard.create(
                {
                    "date_from": date(2025, 11, 1),
                    "date_to": date(2025, 11, 30),
                    "company_id": self.company_a.id,
                    "team_id": self.team_c.id,
                }
            )
        # a single day is a valid period
        wizard = Wizard.create(
            {"date_from": date(2025, 11, 30), "date_to": date(2025, 11, 30)}
        )
        self.assertEqual(wizard.date_from, wizard.date_to)

    # ------------------------------------------------------------------
    # access
    # ------------------------------------------------------------------

    def test_access_per_group(self):
        """Supervisors and managers read the analytics and export; nobody else."""
        models = [
            "cs.complaint.stage.report",
            "cs.complaint.report",
            "cs.complaint.pareto.report",
        ]
        wizard = "cs.complaint.statistics.export"
        for user in (self.portal, self.employee, self.agent_a):
            for model in [*models, wizard]:
                with (
                    self.subTest(user=user.login, model=model),
                    self.assertRaisesRegex(
                        AccessError, rf"not allowed to access .+ \({model}\) records"
                    ),
                ):
                    self.env[model].with_user(user).check_access("read")
            with self.assertRaisesRegex(
                AccessError, rf"not allowed to create .+ \({wizard}\) records"
            ):
                self.env[wizard].with_user(user).create(
                    {"date_from": date(2025, 11, 1), "date_to": date(2025, 11, 30)}
                )
        verbs = {"write": "modify", "create": "create", "unlink": "delete"}
        for user in (self.supervisor_a, self.manager):
            created = (
                self.env[wizard]
                .with_user(user)
                .create({"date_from": date(2025, 11, 1), "date_to": date(2025, 11, 30)})
            )
            self.assertEqual(created.create_uid, user)
            for model in models:
                Model = self.env[model].with_user(user)
                self.assertIsNone(Model.check_access("read"))
                for operation, verb in verbs.items():
                    with (
                        self.subTest(user=user.login, model=model, op=operation),
                        self.assertRaisesRegex(
                            AccessError, rf"not allowed to {verb} .+ \({model}\)"
                        ),
                    ):
                        Model.check_access(operation)

    def test_supervisors_see_and_export_their_teams_only(self):
        complaints = self._busy_november()
        Report = self.env["cs.complaint.report"]
        self.assertEqual(
            Report.with_user(self.supervisor_b)
            .search([("complaint_id", "in", complaints.ids)])
            .complaint_id,
            complaints.filtered(lambda c: c.team_id == self.team_b),
        )
        self.assertEqual(
            Report.with_user(self.manager)
            .search([("complaint_id", "in", complaints.ids)])
            .complaint_id,
            complaints,
        )
        team_b = complaints.filtered(lambda c: c.team_id == self.team_b)
        self.write_complaint_at(
            team_b, datetime(2025, 11, 28, 2, 0), stage_id=self.stage_awaiting.id
        )
        StageReport = self.env["cs.complaint.stage.report"]
        ours = [("team_id", "in", (self.team_a + self.team_b).ids)]
        self.assertEqual(
            StageReport.with_user(self.manager).search(ours).team_id,
            self.team_a + self.team_b,
        )
        self.assertEqual(
            StageReport.with_user(self.supervisor_b).search(ours).team_id,
            self.team_b,
        )
        self.assertFalse(StageReport.with_user(self.supervisor_c).search(ours))
        _wizard, statistics, workbook = self._export(user=self.supervisor_b)
        self.assertEqual(statistics["total"]["received"], 1)
        self.assertEqual(
            self._table(workbook, "By Team"),
            {
                "Team B": [1, 0, 1, 0, 0, 0, 0, 0, 1, 0],
                "Total": [1, 0, 1, 0, 0, 0, 0, 0, 1, 0],
            },
        )


@tagged("post_install", "-at_install")
class TestStatisticsDownload(CsCommon, HttpCase):
    def test_supervisor_downloads_the_workbook(self):
        """The action's URL serves the workbook to its author, to nobody else."""
        self.create_complaint(received_date=datetime(2025, 11, 3, 2, 0))
        wizard = (
            self.env["cs.complaint.statistics.export"]
            .with_user(self.supervisor_a)
            .with_context(tz="UTC")
            .create(
                {
                    "date_from": date(2025, 11, 1),
                    "date_to": date(2025, 11, 30),
                    "company_id": self.company_a.id,
                }
            )
        )
        url = wizard.action_export()["url"]
        self.authenticate(self.supervisor_a.login, self.supervisor_a.login)
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "complaint-statistics-2025-11-01-2025-11-30.xlsx",
            response.headers["Content-Disposition"],
        )
        self.assertEqual(
            response.headers["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        summary = dict(workbook["Summary"].iter_rows(min_row=3, values_only=True))
        self.assertEqual((summary["Received"], summary["Open"]), (1, 1))
        self.authenticate(self.supervisor_b.login, self.supervisor_b.login)
        self.assertEqual(self.url_open(url).status_code, 404)
