import base64
import io
from collections import Counter
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

import pytz
import xlsxwriter

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import LazyTranslate

from ..models.cs_complaint_stage import DONE_KINDS

_lt = LazyTranslate(__name__)

# Columns of the tables by category, channel and team, in order.
COUNT_COLUMNS = [
    ("received", _lt("Received")),
    ("resolved", _lt("Resolved")),
    ("open", _lt("Open")),
    ("upheld", _lt("Upheld")),
    ("partially_upheld", _lt("Partially Upheld")),
    ("rejected", _lt("Rejected")),
    ("resolved_on_time", _lt("Resolved within Deadline")),
    ("resolved_late", _lt("Resolved Late")),
    ("open_on_time", _lt("Open within Deadline")),
    ("open_overdue", _lt("Open over Deadline")),
]
TIMELINESS = ["resolved_on_time", "resolved_late", "open_on_time", "open_overdue"]
OUTCOME_KEYS = ["upheld", "partially_upheld", "rejected"]
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel refuses sheet names longer than this, or with these characters.
SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def sheet_name(title):
    """``title`` made acceptable to Excel as a sheet name (translations vary)."""
    return title.translate(SHEET_NAME_FORBIDDEN)[:SHEET_NAME_MAX]


class CsComplaintStatisticsExport(models.TransientModel):
    """Complaint statistics of a period for the regulator, as an XLSX workbook.

    Counts the complaints received in the period (merged duplicates left
    out) by category, channel and team, with their outcome and timeliness
    as of the latest deadline check, and the time spent in each stage by
    the passages that ended in the period. Every figure comes from a
    grouped query under the user's record rules.
    """

    _name = "cs.complaint.statistics.export"
    _inherit = ["cs.report.period.mixin"]
    _description = "Complaint Statistics Export"

    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        help="Leave empty for every company you have access to.",
    )
    team_id = fields.Many2one(
        "cs.team",
        domain="[('company_id', '=?', company_id)]",
        help="Leave empty for every team.",
    )
    file_data = fields.Binary(readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)

    @api.constrains("company_id", "team_id")
    def _check_team_company(self):
        for wizard in self:
            if (
                wizard.team_id
                and wizard.company_id
                and wizard.team_id.company_id != wizard.company_id
            ):
                raise ValidationError(
                    _(
                        "Team %(team)s does not belong to %(company)s.",
                        team=wizard.team_id.display_name,
                        company=wizard.company_id.display_name,
                    )
                )

    @api.onchange("company_id")
    def _onchange_company_id(self):
        if (
            self.team_id
            and self.company_id
            and self.team_id.company_id != self.company_id
        ):
            self.team_id = False

    def action_export(self):
        """Build the workbook and download it."""
        self.ensure_one()
        self.write(
            {
                "file_data": base64.b64encode(self._workbook(self._statistics())),
                "file_name": (
                    f"complaint-statistics-{self.date_from}-{self.date_to}.xlsx"
                ),
            }
        )
        # the mimetype given, the server does not guess it from the file's
        # first bytes: a truncated zip makes that guess log a warning
        query = urlencode(
            {
                "model": self._name,
                "id": self.id,
                "field": "file_data",
                "filename_field": "file_name",
                "mimetype": XLSX_MIMETYPE,
                "download": "true",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/?{query}",
            "target": "self",
        }

    # ------------------------------------------------------------------
    # figures
    # ------------------------------------------------------------------

    def _period_bounds(self):
        """The period as UTC datetimes [start, end), in the user's time zone."""
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")

        def utc(day):
            local = tz.localize(datetime.combine(day, time.min))
            return local.astimezone(pytz.utc).replace(tzinfo=None)

        return utc(self.date_from), utc(self.date_to + timedelta(days=1))

    def _scope_domain(self):
        """The company and team asked for, on complaints and stage logs alike."""
        domain = []
        if self.company_id:
            domain.append(("company_id", "=", self.company_id.id))
        if self.team_id:
            domain.append(("team_id", "=", self.team_id.id))
        return domain

    def _complaint_domain(self):
        start, end = self._period_bounds()
        return [
            *self._scope_domain(),
            ("received_date", ">=", start),
            ("received_date", "<", end),
            ("merged_into_id", "=", False),
        ]

    @api.model
    def _columns_of(self, stage_kind, deadline_status, outcome):
        """The count columns a complaint with these values counts in."""
        overdue = deadline_status == "breached"
        if stage_kind in DONE_KINDS:
            return [
                "received",
                "resolved",
                outcome or "no_outcome",
                "resolved_late" if overdue else "resolved_on_time",
            ]
        return ["received", "open", "open_overdue" if overdue else "open_on_time"]

    def _counts_by(self, groupby):
        """{group value: Counter of columns} of the period's complaints."""
        Complaint = self.env["cs.complaint"].with_context(active_test=False)
        counts = {}
        for *group, kind, status, outcome, count in Complaint._read_group(
            self._complaint_domain(),
            [*groupby, "stage_kind", "deadline_status", "outcome"],
            ["__count"],
        ):
            key = group[0] if group else None
            counter = counts.setdefault(key, Counter())
            for column in self._columns_of(kind, status, outcome):
                counter[column] += count
        return counts

    def _statistics(self):
        """Every table of the workbook, as labels and numbers."""
        self.ensure_one()
        total = self._counts_by([]).get(None, Counter())
        tables = {}
        for key, field_name in [
            ("category", "category_id"),
            ("channel", "channel"),
            ("team", "team_id"),
        ]:
            counts = self._counts_by([field_name])
            tables[key] = [
                (self._group_label(field_name, value), counts[value])
                for value in sorted(
                    counts, key=lambda value: -counts[value]["received"]
                )
            ]
        column_labels = dict(COUNT_COLUMNS)
        start, end = self._period_bounds()
        passages = [
            *self._scope_domain(),
            ("date_out", ">=", start),
            ("date_out", "<", end),
        ]
        Report = self.env["cs.complaint.stage.report"]
        stages = Report._duration_percentiles(["stage_id"], passages)
        all_stages = Report._duration_percentiles([], passages)[0]
        return {
            "total": total,
            "category": tables["category"],
            "channel": tables["channel"],
            "team": tables["team"],
            "outcome": [
                *((self.env._(column_labels[key]), total[key]) for key in OUTCOME_KEYS),
                *(
                    [(_("Resolved without Outcome"), total["no_outcome"])]
                    if total["no_outcome"]
                    else []
                ),
                (_("Not Resolved Yet"), total["open"]),
            ],
            "timeliness": [
                (self.env._(column_labels[key]), total[key]) for key in TIMELINESS
            ],
            "stages": [
                (
                    row["stage_id"].display_name,
                    row["count"],
                    row["p50"],
                    row["p90"],
                )
                for row in sorted(
                    stages,
                    key=lambda row: (row["stage_id"].sequence, row["stage_id"].id),
                )
            ],
            "stages_total": (
                all_stages["count"],
                all_stages["p50"] or 0.0,
                all_stages["p90"] or 0.0,
            ),
        }

    def _group_label(self, field_name, value):
        if field_name == "channel":
            labels = dict(
                self.env["cs.complaint"]
                ._fields["channel"]
                ._description_selection(self.env)
            )
            return labels[value]
        if not value:
            return _("No Category") if field_name == "category_id" else _("No Team")
        return value.display_name

    # ------------------------------------------------------------------
    # workbook
    # ------------------------------------------------------------------

    def _workbook(self, statistics):
        """The XLSX file of ``statistics``, as bytes."""
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        styles = {
            "title": workbook.add_format({"bold": True, "font_size": 14}),
            "header": workbook.add_format(
                {"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True}
            ),
            "total": workbook.add_format({"bold": True, "top": 1}),
            "hours": workbook.add_format({"num_format": "0.0"}),
            "percent": workbook.add_format({"num_format": "0.0%"}),
        }
        self._write_summary(workbook, styles, statistics)
        columns = [self.env._(label) for _key, label in COUNT_COLUMNS]
        total = [statistics["total"][key] for key, _label in COUNT_COLUMNS]
        for key, title, first_header in [
            ("category", _("By Category"), _("Category")),
            ("channel", _("By Channel"), _("Channel")),
            ("team", _("By Team"), _("Team")),
        ]:
            self._write_table(
                workbook,
                styles,
                title,
                [first_header, *columns],
                [
                    [label, *(counts[column] for column, _label in COUNT_COLUMNS)]
                    for label, counts in statistics[key]
                ],
                [_("Total"), *total],
            )
        received = statistics["total"]["received"]
        for key, title, first_header in [
            ("outcome", _("By Outcome"), _("Outcome")),
            ("timeliness", _("Timeliness"), _("Timeliness")),
        ]:
            self._write_table(
                workbook,
                styles,
                title,
                [first_header, _("Complaints"), _("Share")],
                [
                    [label, count, count / received if received else 0.0]
                    for label, count in statistics[key]
                ],
                [
                    _("Total"),
                    sum(count for _label, count in statistics[key]),
                    1.0 if received else 0.0,
                ],
                formats={2: styles["percent"]},
            )
        self._write_table(
            workbook,
            styles,
            _("Time in Stage"),
            [_("Stage"), _("Passages"), _("Median Hours"), _("90th Percentile Hours")],
            [list(row) for row in statistics["stages"]],
            [_("All Stages"), *statistics["stages_total"]],
            formats={2: styles["hours"], 3: styles["hours"]},
        )
        workbook.close()
        return output.getvalue()

    def _write_summary(self, workbook, styles, statistics):
        sheet = workbook.add_worksheet(sheet_name(_("Summary")))
        sheet.set_column(0, 0, 32)
        sheet.set_column(1, 1, 24)
        sheet.write(0, 0, _("Complaint Statistics"), styles["title"])
        total = statistics["total"]
        lines = [
            (_("From"), str(self.date_from)),
            (_("To"), str(self.date_to)),
            (_("Company"), self.company_id.display_name or _("All Companies")),
            (_("Team"), self.team_id.display_name or _("All Teams")),
            (
                _("Generated On"),
                fields.Datetime.context_timestamp(self, fields.Datetime.now()).strftime(
                    "%Y-%m-%d %H:%M %Z"
                ),
            ),
            *((self.env._(label), total[key]) for key, label in COUNT_COLUMNS),
        ]
        for row, (label, value) in enumerate(lines, start=2):
            sheet.write(row, 0, label, styles["header"])
            sheet.write(row, 1, value)
        sheet.write(
            len(lines) + 3,
            0,
            _(
                "Complaints received in the period, merged duplicates left out. "
                "Timeliness as of the latest deadline check; time in stage of "
                "the passages that ended in the period."
            ),
        )

    def _write_table(self, workbook, styles, title, headers, rows, total, formats=None):
        """A sheet named ``title``: a header row, ``rows`` and a total row."""
        formats = formats or {}
        sheet = workbook.add_worksheet(sheet_name(title))
        sheet.set_column(0, 0, 36)
        sheet.set_column(1, len(headers) - 1, 14)
        sheet.write(0, 0, title, styles["title"])
        sheet.write_row(2, 0, headers, styles["header"])
        sheet.freeze_panes(3, 1)
        for index, row in enumerate(rows, start=3):
            for column, value in enumerate(row):
                sheet.write(index, column, value, formats.get(column))
        row = 3 + len(rows)
        for column, value in enumerate(total):
            sheet.write(row, column, value, formats.get(column, styles["total"]))
