from collections import defaultdict
from datetime import datetime, time

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .cs_complaint_stage import DONE_KINDS

QA_SAMPLING_BATCH_SIZE = 200


class CsQualityReviewSampling(models.Model):
    """Monthly QA sampling: the scheduled action drafting reviews.

    A batch job (``cs.batch.job.mixin``): each call claims complaints of
    last month still to sample and drafts their reviews; the review itself,
    its scoring and acknowledgement are in cs_quality_review.py.
    """

    _name = "cs.quality.review"
    _inherit = ["cs.quality.review", "cs.batch.job.mixin"]
    # what _sample_sql reads
    _batch_flush_fields = {
        "res.company": ["cs_qa_sample_size", "cs_qa_reviewer_id"],
        "cs.team": ["supervisor_id", "manager_id"],
        "res.users": ["active"],
        "cs.complaint": [
            "active",
            "company_id",
            "user_id",
            "team_id",
            "stage_kind",
            "resolved_date",
        ],
        "cs.quality.review": [
            "complaint_id",
            "company_id",
            "agent_id",
            "sample_period",
        ],
    }
    # sampling creates its reviews through _batch_create_safely
    _batch_isolation = "none"

    @api.model
    def _cron_sample_reviews(self, batch_size=QA_SAMPLING_BATCH_SIZE):
        """Draft the reviews of a random sample of last month's closed complaints.

        Each company samples ``cs_qa_sample_size`` complaints resolved last
        month and now resolved or closed, per handler, with its default
        checklist; the team supervisor reviews them, else the company's
        fallback reviewer, else the team's escalation manager. A complaint is
        reviewed once and an agent's sample has numbered slots, both backed
        by unique indexes: a rerun, or a second worker, creates nothing more.
        ``ir.cron`` calls again while ``_notify_progress`` reports more.
        """
        period = fields.Date.context_today(self).replace(day=1) - relativedelta(
            months=1
        )
        return self._run_batch_job(
            batch_size, period=period, checklists=self._sampling_checklists()
        )

    @api.model
    def _sampling_checklists(self):
        """{company id: default checklist} of the companies that sample."""
        companies = (
            self.env["res.company"].sudo().search([("cs_qa_sample_size", ">", 0)])
        )
        Checklist = self.env["cs.quality.checklist"].sudo()
        checklists = {
            company.id: Checklist._default_for(company) for company in companies
        }
        return {
            company_id: checklist
            for company_id, checklist in checklists.items()
            if checklist
        }

    @api.model
    def _sample_sql(self, period, checklists):
        """The complaints still to sample for ``period``.

        Complaints resolved in ``period`` and not reviewed yet, ranked at
        random per company and handler, as many per handler as his sample
        still lacks; those nobody can review are left out. No row lock: the
        unique indexes on the complaint and on the sample slots keep two
        workers from sampling too much, without blocking edits of the
        complaints.
        """
        start = datetime.combine(period, time.min)
        return SQL(
            """
            SELECT *
              FROM (
                SELECT c.id, c.company_id, c.user_id, c.team_id, r.reviewer_id,
                       row_number() OVER (
                           PARTITION BY c.company_id, c.user_id ORDER BY random()
                       ) AS rank,
                       rc.cs_qa_sample_size - COALESCE(taken.count, 0) AS need
                  FROM cs_complaint c
                  JOIN res_company rc ON rc.id = c.company_id
                  JOIN cs_team t ON t.id = c.team_id
                  JOIN res_users u ON u.id = c.user_id AND u.active
                 CROSS JOIN LATERAL (
                    SELECT COALESCE(NULLIF(t.supervisor_id, c.user_id),
                                    NULLIF(rc.cs_qa_reviewer_id, c.user_id),
                                    NULLIF(t.manager_id, c.user_id)) AS reviewer_id
                 ) r
                  LEFT JOIN (
                    SELECT q.company_id, q.agent_id, count(*) AS count
                      FROM cs_quality_review q
                     WHERE q.sample_period = %(period)s
                     GROUP BY q.company_id, q.agent_id
                  ) taken ON taken.company_id = c.company_id
                         AND taken.agent_id = c.user_id
                 WHERE c.active
                   AND c.company_id = ANY(%(companies)s)
                   AND c.stage_kind = ANY(%(kinds)s)
                   AND c.resolved_date >= %(start)s
                   AND c.resolved_date < %(end)s
                   AND r.reviewer_id IS NOT NULL
                   AND NOT EXISTS (
                        SELECT 1 FROM cs_quality_review q WHERE q.complaint_id = c.id
                   )
              ) ranked
             WHERE rank <= need
            """,
            period=period,
            companies=list(checklists),
            kinds=list(DONE_KINDS),
            start=start,
            end=start + relativedelta(months=1),
        )

    @api.model
    def _batch_claim(self, limit, period, checklists):
        """Up to ``limit`` (complaint, company, agent, team, reviewer) rows to
        review, agent by agent; unlocked, see ``_sample_sql``."""
        return self._batch_fetch(
            SQL(
                """
                SELECT id, company_id, user_id, team_id, reviewer_id
                  FROM (%s) sample
                 ORDER BY company_id, user_id, rank
                 LIMIT %s
                """,
                self._sample_sql(period, checklists),
                limit,
            )
        )

    @api.model
    def _batch_remaining(self, period, checklists):
        """Complaints the next calls would sample."""
        return self._batch_count(self._sample_sql(period, checklists))

    @api.model
    def _batch_process(self, rows, period, checklists):
        """Create the draft reviews of (complaint, company, agent, team,
        reviewer) ``rows`` in the free slots of each agent's sample.

        Rows beyond the sample size are dropped. In one batch, else one by
        one: a review failing, such as one another worker has just created,
        is rolled back to its savepoint and logged, and the others are
        created.
        """
        Review = self.sudo().with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True
        )
        if not rows:
            return Review.browse()
        taken = defaultdict(set)
        for company, agent, slot in Review._read_group(
            [
                ("sample_period", "=", period),
                ("agent_id", "in", list({row[2] for row in rows})),
            ],
            ["company_id", "agent_id", "sample_slot"],
        ):
            taken[company.id, agent.id].add(slot)
        sizes = {
            company.id: company.cs_qa_sample_size
            for company in self.env["res.company"].sudo().browse(checklists)
        }
        vals_list = []
        for complaint_id, company_id, agent_id, team_id, reviewer_id in rows:
            slots = taken[company_id, agent_id]
            slot = next(
                (n for n in range(1, sizes[company_id] + 1) if n not in slots), None
            )
            if slot is None:
                continue
            slots.add(slot)
            checklist = checklists[company_id]
            vals_list.append(
                {
                    "complaint_id": complaint_id,
                    "company_id": company_id,
                    "agent_id": agent_id,
                    "team_id": team_id,
                    "reviewer_id": reviewer_id,
                    "checklist_id": checklist.id,
                    "line_ids": checklist._review_line_commands(),
                    "sample_period": period,
                    "sample_slot": slot,
                }
            )
        return Review._batch_create_safely(
            vals_list, describe=lambda vals: f"complaint {vals['complaint_id']}"
        )
