from odoo import fields, models
from odoo.tools import SQL

PARETO_DIMENSIONS = [
    ("root_cause", "Root Cause"),
    ("category", "Category"),
]


class CsComplaintParetoReport(models.Model):
    """Root causes and categories by complaint count, with cumulative share.

    The few causes behind most complaints are the ones to fix first. Shares
    are over each company's complaints since the start, largest first;
    complaints without root cause or category, and merged ones, are left
    out.
    """

    _name = "cs.complaint.pareto.report"
    _description = "Complaint Pareto Analysis"
    _auto = False
    _order = "dimension, company_id, rank"
    _depends = {
        "cs.complaint": [
            "company_id",
            "root_cause_id",
            "category_id",
            "merged_into_id",
        ],
    }

    dimension = fields.Selection(PARETO_DIMENSIONS, readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    root_cause_id = fields.Many2one("cs.root.cause", readonly=True)
    category_id = fields.Many2one("cs.complaint.category", readonly=True)
    rank = fields.Integer(readonly=True, aggregator=None)
    complaint_count = fields.Integer(string="Complaints", readonly=True)
    share = fields.Float(string="Share (%)", readonly=True)
    cumulative_share = fields.Float(
        string="Cumulative Share (%)",
        readonly=True,
        aggregator="max",
        help="Share of the complaints of this row and of every larger one.",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH counts AS (
                SELECT 'root_cause' AS dimension, c.company_id,
                       c.root_cause_id, NULL::int AS category_id, count(*) AS n
                  FROM cs_complaint c
                 WHERE c.root_cause_id IS NOT NULL AND c.merged_into_id IS NULL
                 GROUP BY c.company_id, c.root_cause_id
                 UNION ALL
                SELECT 'category', c.company_id, NULL, c.category_id, count(*)
                  FROM cs_complaint c
                 WHERE c.category_id IS NOT NULL AND c.merged_into_id IS NULL
                 GROUP BY c.company_id, c.category_id
            ), ranked AS (
                SELECT counts.*,
                       row_number() OVER w AS rank,
                       100.0 * n / sum(n) OVER (PARTITION BY dimension, company_id)
                           AS share,
                       100.0 * sum(n) OVER (w ROWS UNBOUNDED PRECEDING)
                           / sum(n) OVER (PARTITION BY dimension, company_id)
                           AS cumulative_share
                  FROM counts
                WINDOW w AS (PARTITION BY dimension, company_id
                             ORDER BY n DESC, root_cause_id, category_id)
            )
            SELECT row_number() OVER (ORDER BY r.dimension, r.company_id, r.rank)
                       AS id,
                   r.dimension, r.company_id, r.root_cause_id, r.category_id,
                   r.rank, r.n AS complaint_count, r.share, r.cumulative_share
              FROM ranked r
            """
        )
