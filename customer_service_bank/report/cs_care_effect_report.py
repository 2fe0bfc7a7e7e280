from odoo import fields, models, tools
from odoo.tools import SQL

CUSTOMER_GROUPS = [
    ("participant", "Participants"),
    ("other", "Other Customers"),
]


class CsCareEffectReport(models.Model):
    """Whether care worked: participants against the others of their tier.

    One row per campaign, occurrence, value tier and group. Participants are
    the customers the occurrence contacted (state sent); the other customers
    are the active customers of the same tier in the campaign's company it
    did not contact. Their NPS answers, ratings (CSAT: the filled ratings of
    complaints and follow-ups, as the monthly report counts them) and
    complaints are counted over the company's effect window (Settings: N
    days) from the day the participant was due, or for the others from the
    occurrence's first day. Tiers are the customers' current ones; tiers the
    occurrence contacted nobody in have no rows.
    """

    _name = "cs.care.effect.report"
    _description = "Customer Care Effect"
    _auto = False
    _order = "occurrence_date desc, campaign_id, tier_id, customer_group desc"
    _rec_name = "campaign_id"
    _depends = {
        "cs.care.participant": [
            "campaign_id",
            "partner_id",
            "occurrence",
            "occurrence_date",
            "state",
        ],
        "cs.care.campaign": ["company_id", "team_id"],
        "cs.customer.metrics": ["partner_id", "segment_id"],
        "res.partner": ["active", "cs_customer_number", "company_id"],
        "res.company": ["cs_care_effect_days"],
        "cs.nps.response": ["partner_id", "answered_date", "category"],
        "rating.rating": ["partner_id", "res_model", "rating", "consumed"],
        "cs.complaint": ["partner_id", "received_date", "merged_into_id"],
    }

    campaign_id = fields.Many2one("cs.care.campaign", readonly=True)
    occurrence = fields.Integer(readonly=True, aggregator=False)
    occurrence_date = fields.Date(
        string="Occurrence Start",
        readonly=True,
        help="The first day a participant of the occurrence was due.",
    )
    campaign_kind = fields.Selection(
        related="campaign_id.kind", string="Campaign Kind", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    team_id = fields.Many2one("cs.team", readonly=True)
    tier_id = fields.Many2one("cs.segment", readonly=True)
    customer_group = fields.Selection(CUSTOMER_GROUPS, string="Group", readonly=True)
    customer_count = fields.Integer(string="Customers", readonly=True)
    nps_count = fields.Integer(string="NPS Answers", readonly=True)
    promoter_count = fields.Integer(string="Promoters", readonly=True)
    detractor_count = fields.Integer(string="Detractors", readonly=True)
    nps = fields.Float(
        string="NPS",
        readonly=True,
        aggregator="avg",
        help="Percentage of promoters minus percentage of detractors among the "
        "answers of the row; grouped rows show the average of their rows.",
    )
    csat_count = fields.Integer(string="Ratings", readonly=True)
    csat_sum = fields.Integer(string="Rating Total", readonly=True)
    csat_average = fields.Float(
        string="Average Rating",
        readonly=True,
        aggregator="avg",
        help="Average of the ratings of the row (1 to 5).",
    )
    complaint_count = fields.Integer(string="Complaints", readonly=True)
    complaints_per_100 = fields.Float(
        string="Complaints per 100 Customers",
        readonly=True,
        aggregator="avg",
        help="Complaints received per 100 customers of the row; grouped rows "
        "show the average of their rows.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._view_query(),
            )
        )

    def _view_query(self):
        """Set-based: the groups' members, then their events in the window,
        joined on the customer (every event table has it indexed)."""
        return SQL(
            """
            WITH contacted AS (
                SELECT p.campaign_id, p.occurrence, p.partner_id,
                       cm.segment_id AS tier_id, p.occurrence_date AS date_from
                  FROM cs_care_participant p
                  JOIN cs_customer_metrics cm ON cm.partner_id = p.partner_id
                 WHERE p.state = 'sent' AND cm.segment_id IS NOT NULL
            ),
            occurrences AS (
                SELECT campaign_id, occurrence, min(occurrence_date) AS date_from
                  FROM cs_care_participant
                 GROUP BY campaign_id, occurrence
            ),
            tiers AS (
                SELECT DISTINCT campaign_id, occurrence, tier_id FROM contacted
            ),
            members AS (
                SELECT campaign_id, occurrence, tier_id, partner_id, date_from,
                       'participant' AS customer_group
                  FROM contacted
                UNION ALL
                SELECT t.campaign_id, t.occurrence, t.tier_id, rp.id,
                       o.date_from, 'other'
                  FROM tiers t
                  JOIN occurrences o ON o.campaign_id = t.campaign_id
                                    AND o.occurrence = t.occurrence
                  JOIN cs_care_campaign c ON c.id = t.campaign_id
                  JOIN cs_customer_metrics cm ON cm.segment_id = t.tier_id
                  JOIN res_partner rp ON rp.id = cm.partner_id
                                     AND rp.active
                                     AND rp.cs_customer_number IS NOT NULL
                                     AND (rp.company_id = c.company_id
                                          OR rp.company_id IS NULL)
                 WHERE NOT EXISTS (
                        SELECT 1 FROM contacted s
                         WHERE s.campaign_id = t.campaign_id
                           AND s.occurrence = t.occurrence
                           AND s.partner_id = rp.id)
            ),
            windows AS (
                SELECT m.*, c.company_id, c.team_id,
                       m.date_from::timestamp AS start_at,
                       m.date_from::timestamp
                           + make_interval(days => co.cs_care_effect_days) AS end_at
                  FROM members m
                  JOIN cs_care_campaign c ON c.id = m.campaign_id
                  JOIN res_company co ON co.id = c.company_id
            ),
            events AS (
                SELECT partner_id, answered_date AS at, 1 AS nps,
                       (category = 'promoter')::int AS promoter,
                       (category = 'detractor')::int AS detractor,
                       0 AS csat, 0 AS csat_value, 0 AS complaint
                  FROM cs_nps_response
                 WHERE is_answered
                UNION ALL
                SELECT partner_id, write_date, 0, 0, 0, 1, rating::int, 0
                  FROM rating_rating
                 WHERE res_model IN ('cs.complaint', 'cs.followup')
                   AND consumed AND rating > 0 AND partner_id IS NOT NULL
                UNION ALL
                SELECT partner_id, received_date, 0, 0, 0, 0, 0, 1
                  FROM cs_complaint
                 WHERE merged_into_id IS NULL
            ),
            figures AS (
                SELECT w.campaign_id, w.occurrence, w.tier_id, w.customer_group,
                       w.company_id, w.team_id,
                       min(w.date_from) AS occurrence_date,
                       count(DISTINCT w.partner_id)::int AS customer_count,
                       coalesce(sum(e.nps), 0)::int AS nps_count,
                       coalesce(sum(e.promoter), 0)::int AS promoter_count,
                       coalesce(sum(e.detractor), 0)::int AS detractor_count,
                       coalesce(sum(e.csat), 0)::int AS csat_count,
                       coalesce(sum(e.csat_value), 0)::int AS csat_sum,
                       coalesce(sum(e.complaint), 0)::int AS complaint_count
                  FROM windows w
                  LEFT JOIN events e ON e.partner_id = w.partner_id
                                    AND e.at >= w.start_at
                                    AND e.at < w.end_at
                 GROUP BY w.campaign_id, w.occurrence, w.tier_id,
                          w.customer_group, w.company_id, w.team_id
            )
            SELECT row_number() OVER (
                       ORDER BY campaign_id, occurrence, tier_id, customer_group
                   ) AS id,
                   f.*,
                   CASE WHEN nps_count > 0
                        THEN 100.0 * (promoter_count - detractor_count) / nps_count
                   END AS nps,
                   CASE WHEN csat_count > 0
                        THEN csat_sum::float / csat_count
                   END AS csat_average,
                   100.0 * complaint_count / customer_count AS complaints_per_100
              FROM figures f
            """
        )
