from odoo import api, fields, models
from odoo.tools import SQL

from ..models.cs_complaint_stage import STAGE_KINDS


class CsComplaintStageReport(models.Model):
    """Time spent in each stage, per stage, team, category and month.

    One row per group of finished passages (stage log lines with an exit
    date), counted in the month the complaint left the stage: a month's
    figures are final once it is over. The median and 90th percentile are
    exact for the row's group only; PostgreSQL cannot merge percentiles, so
    other groupings ask ``_duration_percentiles()``.
    Complaints merged into another are left out.
    """

    _name = "cs.complaint.stage.report"
    _description = "Time in Stage Analysis"
    _auto = False
    _order = "month desc, stage_sequence, team_id"
    _depends = {
        "cs.complaint.stage.log": [
            "complaint_id",
            "company_id",
            "stage_id",
            "stage_kind",
            "team_id",
            "date_out",
            "duration_hours",
        ],
        "cs.complaint": ["category_id", "merged_into_id"],
        "cs.complaint.stage": ["sequence"],
    }

    company_id = fields.Many2one("res.company", readonly=True)
    stage_id = fields.Many2one("cs.complaint.stage", readonly=True)
    stage_sequence = fields.Integer(readonly=True, aggregator=None)
    stage_kind = fields.Selection(STAGE_KINDS, readonly=True)
    team_id = fields.Many2one("cs.team", readonly=True)
    category_id = fields.Many2one("cs.complaint.category", readonly=True)
    month = fields.Date(readonly=True, help="Month the complaints left the stage.")
    passage_count = fields.Integer(
        string="Passages",
        readonly=True,
        help="Times complaints went through the stage.",
    )
    total_hours = fields.Float(
        readonly=True,
        help="Hours complaints spent in the stage, all passages together.",
    )
    hours_p50 = fields.Float(
        string="Median Hours",
        readonly=True,
        aggregator=None,
        help="Half of the passages of this row took at most this many hours.",
    )
    hours_p90 = fields.Float(
        string="90th Percentile Hours",
        readonly=True,
        aggregator=None,
        help="Nine passages in ten of this row took at most this many hours.",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT min(l.id) AS id,
                   l.company_id,
                   l.stage_id,
                   s.sequence AS stage_sequence,
                   l.stage_kind,
                   l.team_id,
                   c.category_id,
                   date_trunc('month', l.date_out)::date AS month,
                   count(*) AS passage_count,
                   sum(l.duration_hours) AS total_hours,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY l.duration_hours)
                       AS hours_p50,
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY l.duration_hours)
                       AS hours_p90
              FROM cs_complaint_stage_log l
              JOIN cs_complaint c ON c.id = l.complaint_id
              JOIN cs_complaint_stage s ON s.id = l.stage_id
             WHERE l.date_out IS NOT NULL
               AND c.merged_into_id IS NULL
             GROUP BY l.company_id, l.stage_id, s.sequence, l.stage_kind, l.team_id,
                      c.category_id, date_trunc('month', l.date_out)
            """
        )

    @api.model
    def _duration_percentiles(self, groupby, domain=None):
        """Passages, median and 90th percentile hours grouped by ``groupby``.

        ``groupby`` lists fields of ``cs.complaint.stage.log`` (many2one,
        selection), none for one overall group; ``domain`` filters the
        finished passages, under the user's record rules. Returns one dict
        per group, with the grouped values (records for many2one) and
        ``count``, ``p50``, ``p90``.
        """
        Log = self.env["cs.complaint.stage.log"]
        query = Log._search(
            [
                *(domain or []),
                ("date_out", "!=", False),
                ("complaint_id.merged_into_id", "=", False),
            ]
        )
        columns = [Log._field_to_sql(query.table, name, query) for name in groupby]
        if columns:
            query.groupby = query.order = SQL(", ").join(columns)
        rows = self.env.execute_query(
            query.select(
                *columns,
                SQL("count(*)"),
                SQL(
                    "percentile_cont(0.5) WITHIN GROUP (ORDER BY %s)",
                    Log._field_to_sql(query.table, "duration_hours", query),
                ),
                SQL(
                    "percentile_cont(0.9) WITHIN GROUP (ORDER BY %s)",
                    Log._field_to_sql(query.table, "duration_hours", query),
                ),
            )
        )
        result = []
        for row in rows:
            group = {}
            for name, value in zip(groupby, row, strict=False):
                field = Log._fields[name]
                group[name] = (
                    self.env[field.comodel_name].browse(value)
                    if field.type == "many2one"
                    else value
                )
            group["count"], group["p50"], group["p90"] = row[len(groupby) :]
            result.append(group)
        return result
