from odoo import api, fields, models
from odoo.tools import SQL

PROPOSAL_ORIGINS = [
    ("qa", "Low QA Score"),
    ("category", "Complaint Category"),
]
PROPOSAL_STATES = [
    ("proposed", "Proposed"),
    ("accepted", "Accepted"),
    ("dismissed", "Dismissed"),
]


class CsTrainingProposal(models.Model):
    """A course proposed to an agent or a team by their service data.

    A QA review scoring an agent below the threshold on a criterion proposes
    the criterion's courses to the agent; a complaint category whose
    complaints breach their deadline or reopen too often proposes its courses
    to the team (thresholds and window in Settings). A record rather than an
    activity: the supervisor sees the evidence, accepts or dismisses it, and
    ``_cs_propose_trainings`` tells what it already proposed, so reruns add
    nothing.
    """

    _name = "cs.training.proposal"
    _description = "Training Proposal"
    _inherit = ["mail.thread"]
    _order = "create_date desc, id desc"
    _check_company_auto = True

    course_id = fields.Many2one(
        "cs.training.course",
        required=True,
        index=True,
        check_company=True,
        ondelete="cascade",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Agent",
        index="btree_not_null",
        help="Empty when proposed to the whole team.",
    )
    team_id = fields.Many2one("cs.team", index=True, check_company=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    origin = fields.Selection(PROPOSAL_ORIGINS, required=True)
    review_id = fields.Many2one(
        "cs.quality.review", string="Lowest Review", ondelete="set null"
    )
    criterion_id = fields.Many2one(
        "cs.quality.checklist.criterion", string="QA Criterion", ondelete="set null"
    )
    category_id = fields.Many2one(
        "cs.complaint.category", string="Complaint Category", ondelete="set null"
    )
    evidence_date = fields.Date(
        required=True,
        help="Date of the latest record behind the proposal: a later one "
        "proposes the course again once this proposal is closed.",
    )
    reason = fields.Char(required=True)
    state = fields.Selection(
        PROPOSAL_STATES, required=True, default="proposed", tracking=True
    )
    session_id = fields.Many2one(
        "cs.training.session",
        string="Enrolled In",
        readonly=True,
        ondelete="set null",
        help="The next planned session of the course the agent was enrolled "
        "in on accepting.",
    )

    def action_accept(self):
        """Accept; an agent's proposal enrols the agent in the course's next
        planned session when there is one."""
        proposals = self.filtered(lambda proposal: proposal.state == "proposed")
        proposals.state = "accepted"
        Session = self.env["cs.training.session"]
        now = fields.Datetime.now()
        for proposal in proposals.filtered("user_id"):
            employee = proposal.user_id.employee_ids.filtered(
                lambda employee, proposal=proposal: (
                    employee.company_id == proposal.company_id
                )
            )[:1]
            session = Session.search(
                [
                    ("course_id", "=", proposal.course_id.id),
                    ("state", "=", "planned"),
                    ("date_start", ">", now),
                ],
                order="date_start",
                limit=1,
            )
            if not (employee and session):
                continue
            if employee not in session.attendee_ids.employee_id:
                self.env["cs.training.attendee"].create(
                    {"session_id": session.id, "employee_id": employee.id}
                )
            proposal.session_id = session
        return True

    def action_dismiss(self):
        self.filtered(lambda proposal: proposal.state == "proposed").state = "dismissed"
        return True

    @api.model
    def action_propose_trainings(self):
        """Button of the proposals list: propose now."""
        self.env["cs.training.proposal"].sudo()._cs_propose_trainings()
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    @api.model
    def _cron_propose_trainings(self):
        return self._cs_propose_trainings()

    @api.model
    def _cs_propose_trainings(self, today=None):
        """Propose the courses the service data calls for; idempotent.

        One query per origin selects the (agent or team, course) pairs due,
        leaving out those with an open proposal, those whose closed proposal
        already covers the evidence and, for an agent, those who completed
        the course since. Returns the proposals created.
        """
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        self.env.cr.execute(self._qa_proposals_sql(today))
        rows = self.env.cr.dictfetchall()
        self.env.cr.execute(self._category_proposals_sql(today))
        rows += self.env.cr.dictfetchall()
        vals_list = []
        for row in rows:
            if row["origin"] == "qa":
                reason = self.env._(
                    "Scored %(score)s%% on a criterion in a quality review.",
                    score=round(row["score"], 1),
                )
            else:
                reason = self.env._(
                    "%(breached)s of %(total)s complaints breached their "
                    "deadline, %(reopened)s reopened.",
                    breached=row["breached"],
                    total=row["total"],
                    reopened=row["reopened"],
                )
            vals_list.append(
                {
                    key: row[key]
                    for key in (
                        "origin",
                        "course_id",
                        "user_id",
                        "team_id",
                        "company_id",
                        "review_id",
                        "criterion_id",
                        "category_id",
                        "evidence_date",
                    )
                }
                | {"reason": reason}
            )
        return self.create(vals_list)

    @api.model
    def _qa_proposals_sql(self, today):
        """Agents' reviews in the window scoring a course's criterion below
        the threshold, one row per (agent, course) with the lowest line."""
        return SQL(
            """
            SELECT 'qa' AS origin, rel.course_id, r.agent_id AS user_id,
                   (array_agg(r.team_id ORDER BY r.review_date DESC))[1] AS team_id,
                   c.company_id,
                   (array_agg(r.id ORDER BY l.score / l.max_score, r.id))[1]
                       AS review_id,
                   (array_agg(l.criterion_id ORDER BY l.score / l.max_score, r.id))[1]
                       AS criterion_id,
                   NULL::int AS category_id,
                   max(r.review_date)::date AS evidence_date,
                   min(100.0 * l.score / l.max_score) AS score,
                   0 AS total, 0 AS breached, 0 AS reopened
              FROM cs_quality_review_line l
              JOIN cs_quality_review r ON r.id = l.review_id
              JOIN res_company co ON co.id = r.company_id
              JOIN cs_training_course_criterion_rel rel
                ON rel.criterion_id = l.criterion_id
              JOIN cs_training_course c
                ON c.id = rel.course_id AND c.active AND c.company_id = r.company_id
             WHERE r.state IN ('done', 'acknowledged')
               AND l.is_scored AND l.max_score > 0
               AND 100.0 * l.score / l.max_score < co.cs_training_qa_threshold
               AND r.review_date >= %(today)s::date - co.cs_training_window_days
               AND r.review_date < %(today)s::date + 1
             GROUP BY rel.course_id, r.agent_id, c.company_id
            HAVING NOT EXISTS (
                    SELECT 1
                      FROM cs_training_proposal p
                     WHERE p.course_id = rel.course_id
                       AND p.user_id = r.agent_id
                       AND (p.state = 'proposed'
                            OR p.evidence_date >= max(r.review_date)::date)
               )
               AND NOT EXISTS (
                    SELECT 1
                      FROM cs_training_attendee a
                     WHERE a.course_id = rel.course_id
                       AND a.user_id = r.agent_id
                       AND a.passed
                       AND a.completion_date >= max(r.review_date)::date
               )
            """,
            today=today,
        )

    @api.model
    def _category_proposals_sql(self, today):
        """Teams whose complaints of a course's category, received in the
        window, breached or reopened at or above the thresholds; one row
        per (team, course), the worst category first."""
        return SQL(
            """
            WITH stats AS (
                SELECT c.team_id, c.category_id, c.company_id,
                       count(*) AS total,
                       count(*) FILTER (WHERE c.deadline_status = 'breached')
                           AS breached,
                       count(*) FILTER (WHERE c.reopen_count > 0) AS reopened,
                       max(co.cs_training_min_complaints) AS min_total,
                       max(co.cs_training_breach_rate) AS breach_rate,
                       max(co.cs_training_reopen_rate) AS reopen_rate,
                       max(co.cs_training_window_days) AS window_days
                  FROM cs_complaint c
                  JOIN res_company co ON co.id = c.company_id
                 WHERE c.merged_into_id IS NULL
                   AND c.team_id IS NOT NULL
                   AND c.category_id IS NOT NULL
                   AND c.received_date >= %(today)s::date - co.cs_training_window_days
                   AND c.received_date < %(today)s::date + 1
                 GROUP BY c.team_id, c.category_id, c.company_id
            )
            SELECT DISTINCT ON (s.team_id, rel.course_id)
                   'category' AS origin, rel.course_id, NULL::int AS user_id,
                   s.team_id, s.company_id, NULL::int AS review_id,
                   NULL::int AS criterion_id, s.category_id,
                   %(today)s::date AS evidence_date, 0.0 AS score,
                   s.total, s.breached, s.reopened
              FROM stats s
              JOIN cs_training_course_category_rel rel
                ON rel.category_id = s.category_id
              JOIN cs_training_course co
                ON co.id = rel.course_id AND co.active AND co.company_id = s.company_id
             WHERE s.total >= s.min_total
               AND (100.0 * s.breached / s.total >= s.breach_rate
                    OR 100.0 * s.reopened / s.total >= s.reopen_rate)
               AND NOT EXISTS (
                    SELECT 1
                      FROM cs_training_proposal p
                     WHERE p.course_id = rel.course_id
                       AND p.team_id = s.team_id
                       AND p.user_id IS NULL
                       AND (p.state = 'proposed'
                            OR p.evidence_date > %(today)s::date - s.window_days)
               )
             ORDER BY s.team_id, rel.course_id,
                      (s.breached + s.reopened)::float / s.total DESC, s.category_id
            """,
            today=today,
        )
