import json
from collections import namedtuple
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .cs_appraisal_kpi_scale_mixin import kpi_score

# value: None when the agent has no data for a rate or an average;
# res_ids: the records the value was computed from
KpiFigure = namedtuple("KpiFigure", "value count res_ids")


class CsAppraisalKpiLine(models.Model):
    """A KPI of an appraisal: its value computed from the service data of
    the agent over the period, the records it counted and its score.

    The KPI engine: ``_compute_for_appraisals`` groups the lines by period
    and kind and calls ``_kpi_<kind>(user_ids, date_from, date_to)`` once
    for each, which returns (model of the records counted, {user id:
    KpiFigure}) for all the agents with one grouped query. Adding a kind is
    one value in APPRAISAL_KPI_KINDS and one such method here. Dates are
    the period's days in UTC: datetimes count from its first day 00:00 to
    the day after its last.
    """

    _name = "cs.appraisal.kpi.line"
    _description = "Appraisal KPI"
    _inherit = ["cs.appraisal.kpi.scale.mixin", "cs.appraisal.line.mixin"]
    _order = "appraisal_id, sequence, id"

    appraisal_id = fields.Many2one(
        "cs.appraisal", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="appraisal_id.company_id", store=True)
    user_id = fields.Many2one(related="appraisal_id.user_id", store=True)
    value = fields.Float(digits=(16, 2), readonly=True)
    has_data = fields.Boolean(
        readonly=True,
        help="False when the agent had nothing to measure in the period (a "
        "rate without any case): the line does not count in the total.",
    )
    record_count = fields.Integer(string="Records", readonly=True)
    res_model = fields.Char(readonly=True)
    res_ids = fields.Json(readonly=True)
    score = fields.Float(
        compute="_compute_score",
        store=True,
        digits=(16, 2),
        help="From 0 to 100 on the line's scale.",
    )

    @api.depends(
        "value", "has_data", "scale", "floor", "target", "direction", "band_spec"
    )
    def _compute_score(self):
        for line in self:
            line.score = line._score_for(line.value) if line.has_data else 0.0

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------

    def action_view_records(self):
        """The records the value was computed from."""
        self.ensure_one()
        if not self.res_model:
            raise UserError(self.env._("This KPI has not been computed yet."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "%(kpi)s of %(appraisal)s",
                kpi=dict(self._fields["kind"]._description_selection(self.env))[
                    self.kind
                ],
                appraisal=self.appraisal_id.display_name,
            ),
            "res_model": self.res_model,
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", self.res_ids or [])],
            "context": {"create": False, "active_test": False},
        }

    # ------------------------------------------------------------------
    # KPI engine
    # ------------------------------------------------------------------

    @api.model
    def _compute_for_appraisals(self, appraisal_ids):
        """Compute, score and store the KPI lines of these appraisals.

        A constant number of queries whatever the number of agents: the
        lines are read and written with one query each and every (period,
        kind) is one grouped query. Returns {appraisal id: [(weight, score)]}
        of the lines with data, for the totals.
        """
        self.env.cr.execute(
            SQL(
                """
                SELECT l.id, l.appraisal_id, l.kind, a.user_id, p.date_from,
                       p.date_to, l.weight, l.scale, l.direction, l.floor,
                       l.target, l.band_spec
                  FROM cs_appraisal_kpi_line l
                  JOIN cs_appraisal a ON a.id = l.appraisal_id
                  JOIN cs_appraisal_period p ON p.id = a.period_id
                 WHERE l.appraisal_id = ANY(%s)
                """,
                list(appraisal_ids),
            )
        )
        lines = self.env.cr.dictfetchall()
        groups = {}
        for line in lines:
            key = (line["date_from"], line["date_to"], line["kind"])
            groups.setdefault(key, []).append(line)
        rows, scored = [], {appraisal_id: [] for appraisal_id in appraisal_ids}
        for (date_from, date_to, kind), group in groups.items():
            res_model, figures = getattr(self, f"_kpi_{kind}")(
                list({line["user_id"] for line in group}), date_from, date_to
            )
            for line in group:
                figure = figures.get(line["user_id"]) or KpiFigure(None, 0, [])
                value = figure.value or 0.0
                score = 0.0
                if figure.value is not None:
                    score = kpi_score(
                        value,
                        line["scale"],
                        line["direction"],
                        line["floor"],
                        line["target"],
                        line["band_spec"],
                    )
                    scored[line["appraisal_id"]].append((line["weight"], score))
                rows.append(
                    (
                        line["id"],
                        value,
                        figure.value is not None,
                        figure.count,
                        res_model,
                        json.dumps(sorted(figure.res_ids)),
                        score,
                    )
                )
        if rows:
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE cs_appraisal_kpi_line l
                       SET value = v.value, has_data = v.has_data,
                           record_count = v.record_count, res_model = v.res_model,
                           res_ids = v.res_ids, score = v.score, write_uid = %s,
                           write_date = now() AT TIME ZONE 'UTC'
                      FROM unnest(%s::int[], %s::numeric[], %s::bool[], %s::int[],
                                  %s::varchar[], %s::jsonb[], %s::numeric[])
                           AS v(id, value, has_data, record_count, res_model,
                                res_ids, score)
                     WHERE l.id = v.id
                    """,
                    self.env.uid,
                    *(list(column) for column in zip(*rows, strict=True)),
                )
            )
        self.invalidate_model(
            ["value", "has_data", "record_count", "res_model", "res_ids", "score"]
            + ["write_uid", "write_date"]
        )
        return scored

    @api.model
    def _period_bounds(self, date_from, date_to):
        """The period's first instant and the instant after it, in UTC."""
        return (
            datetime.combine(date_from, time.min),
            datetime.combine(date_to + timedelta(days=1), time.min),
        )

    @api.model
    def _kpi_fetch(self, res_model, query, count_kind=False, user_ids=()):
        """(``res_model``, {user id: KpiFigure}) of ``query``'s (user id,
        value, count, ids of ``res_model``) rows. A count KPI gives the users
        without a row a value of 0; a rate or an average has no value
        without records."""
        self.env.cr.execute(query)
        figures = {
            user_id: KpiFigure(
                None if value is None else round(float(value), 2), count, ids or []
            )
            for user_id, value, count, ids in self.env.cr.fetchall()
        }
        if count_kind:
            for user_id in user_ids:
                figures.setdefault(user_id, KpiFigure(0.0, 0, []))
        return res_model, figures

    @api.model
    def _kpi_resolved_complaints(self, user_ids, date_from, date_to, value, where=None):
        """The KPI ``value`` (SQL over ``c``) of the complaints each agent
        resolved in the period, grouped by agent."""
        start, end = self._period_bounds(date_from, date_to)
        return SQL(
            """
            SELECT c.user_id, %(value)s, count(*), array_agg(c.id ORDER BY c.id)
              FROM cs_complaint c
             WHERE c.user_id = ANY(%(users)s)
               AND c.active
               AND c.resolved_date >= %(start)s
               AND c.resolved_date < %(end)s
               AND %(where)s
             GROUP BY c.user_id
            """,
            value=value,
            users=list(user_ids),
            start=start,
            end=end,
            where=where or SQL("TRUE"),
        )

    @api.model
    def _kpi_complaints_handled(self, user_ids, date_from, date_to):
        """Complaints the agent resolved in the period."""
        return self._kpi_fetch(
            "cs.complaint",
            self._kpi_resolved_complaints(
                user_ids, date_from, date_to, SQL("count(*)")
            ),
            count_kind=True,
            user_ids=user_ids,
        )

    @api.model
    def _kpi_deadline_compliance(self, user_ids, date_from, date_to):
        """% of the complaints resolved in the period that met their
        resolution deadline (or had none)."""
        return self._kpi_fetch(
            "cs.complaint",
            self._kpi_resolved_complaints(
                user_ids,
                date_from,
                date_to,
                SQL(
                    "100.0 * count(*) FILTER (WHERE c.resolve_deadline IS NULL "
                    "OR c.resolved_date <= c.resolve_deadline) / count(*)"
                ),
            ),
        )

    @api.model
    def _kpi_resolution_hours(self, user_ids, date_from, date_to):
        """Average calendar hours from receipt to resolution of the
        complaints resolved in the period."""
        return self._kpi_fetch(
            "cs.complaint",
            self._kpi_resolved_complaints(
                user_ids,
                date_from,
                date_to,
                SQL(
                    "avg(extract(epoch FROM c.resolved_date - c.received_date)) "
                    "/ 3600.0"
                ),
            ),
        )

    @api.model
    def _kpi_reopen_rate(self, user_ids, date_from, date_to):
        """% of the complaints resolved in the period that were ever reopened."""
        return self._kpi_fetch(
            "cs.complaint",
            self._kpi_resolved_complaints(
                user_ids,
                date_from,
                date_to,
                SQL("100.0 * count(*) FILTER (WHERE c.reopen_count > 0) / count(*)"),
            ),
        )

    @api.model
    def _kpi_first_contact_resolution(self, user_ids, date_from, date_to):
        """% of the complaints resolved in the period on first contact.

        A complaint is resolved on first contact when it was never reopened
        and never waited for the customer: its stage history has no passage
        through an "awaiting customer" stage, so the agent resolved it
        without going back to the customer for more.
        """
        return self._kpi_fetch(
            "cs.complaint",
            self._kpi_resolved_complaints(
                user_ids,
                date_from,
                date_to,
                SQL(
                    """
                    100.0 * count(*) FILTER (
                        WHERE c.reopen_count = 0
                          AND NOT EXISTS (
                              SELECT 1 FROM cs_complaint_stage_log l
                               WHERE l.complaint_id = c.id
                                 AND l.stage_kind = 'awaiting')
                    ) / count(*)
                    """
                ),
            ),
        )

    @api.model
    def _kpi_upheld_rate(self, user_ids, date_from, date_to):
        """% upheld of the complaints resolved in the period with an outcome
        (fully upheld only; partially upheld ones are not)."""
        return self._kpi_fetch(
            "cs.complaint",
            self._kpi_resolved_complaints(
                user_ids,
                date_from,
                date_to,
                SQL("100.0 * count(*) FILTER (WHERE c.outcome = 'upheld') / count(*)"),
                where=SQL("c.outcome IS NOT NULL"),
            ),
        )

    @api.model
    def _kpi_csat(self, user_ids, date_from, date_to):
        """Average rating (1 to 5) the customers gave the complaints the
        agent resolved in the period; the records are the ratings."""
        start, end = self._period_bounds(date_from, date_to)
        return self._kpi_fetch(
            "rating.rating",
            SQL(
                """
                SELECT c.user_id, avg(r.rating), count(*),
                       array_agg(r.id ORDER BY r.id)
                  FROM rating_rating r
                  JOIN cs_complaint c ON c.id = r.res_id
                 WHERE r.res_model = 'cs.complaint'
                   AND r.consumed
                   AND r.rating > 0
                   AND c.user_id = ANY(%(users)s)
                   AND c.active
                   AND c.resolved_date >= %(start)s
                   AND c.resolved_date < %(end)s
                 GROUP BY c.user_id
                """,
                users=list(user_ids),
                start=start,
                end=end,
            ),
        )

    @api.model
    def _kpi_nps(self, user_ids, date_from, date_to):
        """NPS (-100 to 100) of the answers received in the period from the
        customers the agent is the relationship manager of."""
        start, end = self._period_bounds(date_from, date_to)
        return self._kpi_fetch(
            "cs.nps.response",
            SQL(
                """
                SELECT n.relationship_manager_id, avg(n.nps_value), count(*),
                       array_agg(n.id ORDER BY n.id)
                  FROM cs_nps_response n
                 WHERE n.relationship_manager_id = ANY(%(users)s)
                   AND n.is_answered
                   AND n.answered_date >= %(start)s
                   AND n.answered_date < %(end)s
                 GROUP BY n.relationship_manager_id
                """,
                users=list(user_ids),
                start=start,
                end=end,
            ),
        )

    @api.model
    def _kpi_qa_score(self, user_ids, date_from, date_to):
        """Average score of the submitted quality reviews of the agent's
        work done in the period."""
        return self._kpi_fetch(
            "cs.quality.review",
            SQL(
                """
                SELECT q.agent_id, avg(q.score), count(*),
                       array_agg(q.id ORDER BY q.id)
                  FROM cs_quality_review q
                 WHERE q.agent_id = ANY(%(users)s)
                   AND q.state IN ('done', 'acknowledged')
                   AND q.work_date BETWEEN %(date_from)s AND %(date_to)s
                 GROUP BY q.agent_id
                """,
                users=list(user_ids),
                date_from=date_from,
                date_to=date_to,
            ),
        )

    @api.model
    def _kpi_followups_on_time(self, user_ids, date_from, date_to):
        """% of the agent's follow-ups planned in the period done by their
        planned date. Those not done whose date has not passed yet are not
        counted; cancelled ones neither."""
        today = fields.Date.context_today(self)
        return self._kpi_fetch(
            "cs.followup",
            SQL(
                """
                SELECT f.user_id,
                       100.0 * count(*) FILTER (
                           WHERE f.state = 'done' AND f.done_date <= f.planned_date
                       ) / count(*),
                       count(*), array_agg(f.id ORDER BY f.id)
                  FROM cs_followup f
                 WHERE f.user_id = ANY(%(users)s)
                   AND f.active
                   AND f.state != 'cancelled'
                   AND f.planned_date BETWEEN %(date_from)s AND %(date_to)s
                   AND (f.state = 'done' OR f.planned_date < %(today)s)
                 GROUP BY f.user_id
                """,
                users=list(user_ids),
                date_from=date_from,
                date_to=date_to,
                today=today,
            ),
        )

    @api.model
    def _kpi_plans_reviewed_on_time(self, user_ids, date_from, date_to):
        """% of the service-plan reviews due in the period that the agent
        did by their due date.

        A review is the plan's review activity (kept once done): due on its
        deadline, done on its done date. Reviews not done whose due date has
        not passed yet are not counted. The records are the plans.
        """
        today = fields.Date.context_today(self)
        review_type = self.env.ref(
            "customer_service_bank.mail_activity_type_cs_plan_review"
        )
        return self._kpi_fetch(
            "cs.service.plan",
            SQL(
                """
                SELECT a.user_id,
                       100.0 * count(*) FILTER (
                           WHERE a.date_done IS NOT NULL
                             AND a.date_done <= a.date_deadline
                       ) / count(*),
                       count(*), array_agg(DISTINCT a.res_id)
                  FROM mail_activity a
                 WHERE a.res_model = 'cs.service.plan'
                   AND a.activity_type_id = %(review_type)s
                   AND a.user_id = ANY(%(users)s)
                   AND a.date_deadline BETWEEN %(date_from)s AND %(date_to)s
                   AND (a.date_done IS NOT NULL OR a.date_deadline < %(today)s)
                 GROUP BY a.user_id
                """,
                review_type=review_type.id,
                users=list(user_ids),
                date_from=date_from,
                date_to=date_to,
                today=today,
            ),
        )

    @api.model
    def _kpi_care_tasks_done(self, user_ids, date_from, date_to):
        """Care campaign tasks (the follow-ups of care participants) the
        agent did in the period."""
        return self._kpi_fetch(
            "cs.followup",
            SQL(
                """
                SELECT f.user_id, count(DISTINCT f.id), count(DISTINCT f.id),
                       array_agg(DISTINCT f.id)
                  FROM cs_followup f
                  JOIN cs_care_participant p ON p.followup_id = f.id
                 WHERE f.user_id = ANY(%(users)s)
                   AND f.state = 'done'
                   AND f.done_date BETWEEN %(date_from)s AND %(date_to)s
                 GROUP BY f.user_id
                """,
                users=list(user_ids),
                date_from=date_from,
                date_to=date_to,
            ),
            count_kind=True,
            user_ids=user_ids,
        )

    @api.model
    def _kpi_training_completion(self, user_ids, date_from, date_to):
        """% of the agent's mandatory courses they held a valid completion
        of on the period's last day. Agents with no mandatory course have no
        value. The records are the mandatory courses."""
        Course = self.env["cs.training.course"]
        Course._mandatory_state_flush()
        return self._kpi_fetch(
            "cs.training.course",
            SQL(
                """
                SELECT user_id,
                       100.0 * count(*) FILTER (WHERE state IN ('valid', 'expiring'))
                       / count(*),
                       count(*), array_agg(course_id ORDER BY course_id)
                  FROM (%s) states
                 GROUP BY user_id
                """,
                Course._mandatory_state_sql(date_to, user_ids),
            ),
        )

    @api.model
    def _kpi_implemented_ideas(self, user_ids, date_from, date_to):
        """Improvement ideas the agent proposed that were implemented in the
        period (measured since or not)."""
        self.env["cs.improvement.idea"].flush_model(
            ["proposer_id", "state", "implemented_date"]
        )
        return self._kpi_fetch(
            "cs.improvement.idea",
            SQL(
                """
                SELECT i.proposer_id, count(*), count(*), array_agg(i.id ORDER BY i.id)
                  FROM cs_improvement_idea i
                 WHERE i.proposer_id = ANY(%(users)s)
                   AND i.state IN ('implemented', 'measured')
                   AND i.implemented_date BETWEEN %(date_from)s AND %(date_to)s
                 GROUP BY i.proposer_id
                """,
                users=list(user_ids),
                date_from=date_from,
                date_to=date_to,
            ),
            count_kind=True,
            user_ids=user_ids,
        )
