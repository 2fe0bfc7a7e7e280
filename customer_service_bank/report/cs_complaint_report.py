from odoo import fields, models
from odoo.tools import SQL

from ..models.constants import CHANNELS, DEADLINE_STATUSES, OUTCOMES, PRIORITIES
from ..models.cs_complaint_stage import STAGE_KINDS


class CsComplaintReport(models.Model):
    """Process figures of each complaint, to average over any grouping.

    Rates are 100 for yes and 0 for no, and empty where the question does
    not apply yet, so their average over a group is the group's rate in
    percent. Archived complaints count, as in the complaint analysis;
    complaints merged into another are left out.

    First-contact resolution: the complaint was resolved without ever
    entering an awaiting-customer stage (the bank did not have to go back
    to the customer) and was never reopened.
    """

    _name = "cs.complaint.report"
    _description = "Complaint Process Analysis"
    _auto = False
    _order = "received_date desc, id desc"
    _rec_name = "complaint_id"
    _depends = {
        "cs.complaint": [
            "company_id",
            "team_id",
            "user_id",
            "category_id",
            "root_cause_id",
            "channel",
            "priority",
            "stage_id",
            "stage_kind",
            "outcome",
            "deadline_status",
            "received_date",
            "acknowledged_date",
            "resolved_date",
            "reopen_count",
            "merged_into_id",
        ],
        "cs.complaint.stage.log": ["complaint_id", "stage_kind"],
    }

    complaint_id = fields.Many2one("cs.complaint", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    team_id = fields.Many2one("cs.team", readonly=True)
    user_id = fields.Many2one("res.users", string="Handler", readonly=True)
    category_id = fields.Many2one("cs.complaint.category", readonly=True)
    root_cause_id = fields.Many2one("cs.root.cause", readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    priority = fields.Selection(PRIORITIES, readonly=True)
    stage_id = fields.Many2one("cs.complaint.stage", readonly=True)
    stage_kind = fields.Selection(STAGE_KINDS, readonly=True)
    outcome = fields.Selection(OUTCOMES, readonly=True)
    deadline_status = fields.Selection(DEADLINE_STATUSES, readonly=True)
    received_date = fields.Datetime(string="Received", readonly=True)
    resolved_date = fields.Datetime(string="Resolved", readonly=True)
    complaint_count = fields.Integer(string="Complaints", readonly=True)
    ack_hours = fields.Float(
        string="Hours to Acknowledge",
        readonly=True,
        aggregator="avg",
        help="Hours from receipt to acknowledgement; empty until acknowledged.",
    )
    resolve_hours = fields.Float(
        string="Hours to Resolve",
        readonly=True,
        aggregator="avg",
        help="Hours from receipt to the current resolution; empty while open.",
    )
    reopen_count = fields.Integer(string="Reopenings", readonly=True)
    is_reopened = fields.Boolean(
        string="Reopened",
        readonly=True,
        help="Reopened at least once after being resolved or closed.",
    )
    reopen_rate = fields.Float(
        string="Reopen Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the complaints ever resolved that were reopened.",
    )
    is_first_contact_resolution = fields.Boolean(
        string="First-Contact Resolution",
        readonly=True,
        help="Resolved without ever awaiting the customer and never reopened.",
    )
    first_contact_rate = fields.Float(
        string="First-Contact Resolution (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the resolved complaints resolved without ever awaiting "
        "the customer and never reopened.",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT c.id,
                   c.id AS complaint_id,
                   c.company_id,
                   c.team_id,
                   c.user_id,
                   c.category_id,
                   c.root_cause_id,
                   c.channel,
                   c.priority,
                   c.stage_id,
                   c.stage_kind,
                   c.outcome,
                   c.deadline_status,
                   c.received_date,
                   c.resolved_date,
                   1 AS complaint_count,
                   extract(epoch FROM c.acknowledged_date - c.received_date) / 3600
                       AS ack_hours,
                   extract(epoch FROM c.resolved_date - c.received_date) / 3600
                       AS resolve_hours,
                   c.reopen_count,
                   c.reopen_count > 0 AS is_reopened,
                   CASE
                       WHEN c.reopen_count > 0 THEN 100.0
                       WHEN c.resolved_date IS NOT NULL THEN 0.0
                   END AS reopen_rate,
                   fcr.value AS is_first_contact_resolution,
                   CASE
                       WHEN c.resolved_date IS NULL THEN NULL
                       WHEN fcr.value THEN 100.0
                       ELSE 0.0
                   END AS first_contact_rate
              FROM cs_complaint c
             CROSS JOIN LATERAL (
                SELECT c.resolved_date IS NOT NULL
                       AND COALESCE(c.reopen_count, 0) = 0
                       AND NOT EXISTS (
                           SELECT 1
                             FROM cs_complaint_stage_log l
                            WHERE l.complaint_id = c.id
                              AND l.stage_kind = 'awaiting'
                       ) AS value
             ) fcr
             WHERE c.merged_into_id IS NULL
            """
        )
