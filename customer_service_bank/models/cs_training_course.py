from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

# a valid completion expiring within this many days is "expiring"
TRAINING_EXPIRING_DAYS = 30
TRAINING_DELIVERIES = [("internal", "Internal"), ("external", "External")]
# the effect figures shown per course
EFFECT_KINDS = ("qa", "csat", "reopen")


class CsTrainingCourse(models.Model):
    """A course agents take, and the certification survey that assesses it.

    Passing the survey grants the certification on the employee through
    ``hr_skills_survey`` (a resume line); the course's validity is pushed to
    the survey so the resume line and the attendee expire together. Courses
    are archived, never deleted: their sessions are the training history.
    """

    _name = "cs.training.course"
    _description = "Training Course"
    _inherit = ["mail.thread"]
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    topic = fields.Char(translate=True)
    description = fields.Html(translate=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    category_ids = fields.Many2many(
        "cs.complaint.category",
        "cs_training_course_category_rel",
        "course_id",
        "category_id",
        string="Complaint Categories",
        help="Complaints of these categories breaching their deadline or "
        "reopened often propose this course to the team.",
    )
    criterion_ids = fields.Many2many(
        "cs.quality.checklist.criterion",
        "cs_training_course_criterion_rel",
        "course_id",
        "criterion_id",
        string="QA Criteria",
        help="A quality review scoring low on one of these criteria proposes "
        "this course to the reviewed agent.",
    )
    mandatory_team_ids = fields.Many2many(
        "cs.team",
        "cs_training_course_mandatory_team_rel",
        "course_id",
        "team_id",
        string="Mandatory for Teams",
        check_company=True,
    )
    mandatory_group_ids = fields.Many2many(
        "res.groups",
        "cs_training_course_mandatory_group_rel",
        "course_id",
        "group_id",
        string="Mandatory for Groups",
    )
    is_mandatory = fields.Boolean(
        string="Mandatory", compute="_compute_is_mandatory", store=True
    )
    validity_months = fields.Integer(
        string="Validity (Months)",
        default=12,
        tracking=True,
        help="Months a completion stays valid; 0 for one that never expires.",
    )
    delivery = fields.Selection(
        TRAINING_DELIVERIES, required=True, default="internal", tracking=True
    )
    provider_id = fields.Many2one(
        "res.partner",
        help="The training company of an external course.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    cost = fields.Monetary(
        string="Cost per Attendee",
        tracking=True,
        help="Gives a session's cost from its attendees.",
    )
    survey_id = fields.Many2one(
        "survey.survey",
        string="Certification",
        domain=[("certification", "=", True)],
        help="The certification survey assessing the course; passing it "
        "adds the certification to the employee's resume.",
    )
    pass_score = fields.Float(
        related="survey_id.scoring_success_min",
        readonly=False,
        string="Pass Score (%)",
    )
    session_count = fields.Integer(compute="_compute_session_count")
    effect_days = fields.Integer(compute="_compute_effect")
    qa_before = fields.Float(string="QA Score Before", compute="_compute_effect")
    qa_before_count = fields.Integer(compute="_compute_effect")
    qa_after = fields.Float(string="QA Score After", compute="_compute_effect")
    qa_after_count = fields.Integer(compute="_compute_effect")
    csat_before = fields.Float(string="CSAT Before", compute="_compute_effect")
    csat_before_count = fields.Integer(compute="_compute_effect")
    csat_after = fields.Float(string="CSAT After", compute="_compute_effect")
    csat_after_count = fields.Integer(compute="_compute_effect")
    reopen_before = fields.Float(
        string="Reopen Rate Before (%)", compute="_compute_effect"
    )
    reopen_before_count = fields.Integer(compute="_compute_effect")
    reopen_after = fields.Float(
        string="Reopen Rate After (%)", compute="_compute_effect"
    )
    reopen_after_count = fields.Integer(compute="_compute_effect")

    _sql_constraints = [
        (
            "survey_unique",
            "UNIQUE(survey_id)",
            "A certification survey assesses one course only.",
        ),
    ]

    @api.constrains("validity_months", "cost", "delivery", "provider_id", "survey_id")
    def _check_course(self):
        for course in self:
            if course.validity_months < 0:
                raise ValidationError(
                    self.env._(
                        "%(course)s: the validity cannot be negative.",
                        course=course.name,
                    )
                )
            if course.cost < 0:
                raise ValidationError(
                    self.env._(
                        "%(course)s: the cost cannot be negative.", course=course.name
                    )
                )
            if course.delivery == "external" and not course.provider_id:
                raise ValidationError(
                    self.env._(
                        "%(course)s: an external course needs its provider.",
                        course=course.name,
                    )
                )
            if course.survey_id and not course.survey_id.certification:
                raise ValidationError(
                    self.env._(
                        "%(course)s: %(survey)s is not a certification survey.",
                        course=course.name,
                        survey=course.survey_id.display_name,
                    )
                )

    @api.depends("mandatory_team_ids", "mandatory_group_ids")
    def _compute_is_mandatory(self):
        for course in self:
            course.is_mandatory = bool(
                course.mandatory_team_ids or course.mandatory_group_ids
            )

    def _compute_session_count(self):
        counts = dict(
            self.env["cs.training.session"]._read_group(
                [("course_id", "in", self.ids)], ["course_id"], ["__count"]
            )
        )
        for course in self:
            course.session_count = counts.get(course, 0)

    def _compute_effect(self):
        figures = self._training_effect()
        for course in self:
            values = figures.get(course.id, {})
            course.effect_days = course.company_id.cs_training_effect_days
            for kind in EFFECT_KINDS:
                for phase in ("before", "after"):
                    value, count = values.get((kind, phase), (0.0, 0))
                    course[f"{kind}_{phase}"] = value
                    course[f"{kind}_{phase}_count"] = count

    @api.model_create_multi
    def create(self, vals_list):
        courses = super().create(vals_list)
        courses._sync_survey_validity()
        return courses

    def write(self, vals):
        result = super().write(vals)
        if {"survey_id", "validity_months"} & vals.keys():
            self._sync_survey_validity()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._("Training courses are archived, never deleted: archive it.")
        )

    def action_view_sessions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_service_bank.cs_training_session_action"
        )
        action["domain"] = [("course_id", "=", self.id)]
        action["context"] = {"default_course_id": self.id}
        return action

    def _sync_survey_validity(self):
        """Give the certification survey the course's validity, which
        ``hr_skills_survey`` uses for the resume line's end date."""
        for course in self.filtered("survey_id"):
            survey = course.survey_id.sudo()
            if survey.certification_validity_months != course.validity_months:
                survey.certification_validity_months = course.validity_months

    # ------------------------------------------------------------------
    # effect
    # ------------------------------------------------------------------

    def _training_effect(self):
        """Attendees' QA score, CSAT and reopen rate in the N days before
        against the N days after their session (N in Settings), per course.

        An attendee counts from the first session of the course they
        attended. Returns ``{course id: {(kind, phase): (value, count)}}``,
        kind qa / csat / reopen and phase before / after, from one grouped
        query.
        """
        if not self.ids:
            return {}
        self.env["cs.training.attendee"].flush_model(
            ["course_id", "user_id", "attendance", "session_id"]
        )
        self.env["cs.training.session"].flush_model(["date_start", "state"])
        self.env["cs.quality.review"].flush_model(
            ["agent_id", "state", "review_date", "score"]
        )
        self.env["cs.complaint"].flush_model(
            ["user_id", "resolved_date", "reopen_count", "merged_into_id"]
        )
        self.env["rating.rating"].flush_model(
            ["res_model", "res_id", "rating", "consumed"]
        )
        self.env.cr.execute(
            SQL(
                """
            WITH pivots AS (
                SELECT a.course_id, a.user_id,
                       min(s.date_start) AS pivot,
                       make_interval(days => max(co.cs_training_effect_days)) AS span
                  FROM cs_training_attendee a
                  JOIN cs_training_session s ON s.id = a.session_id
                  JOIN cs_training_course c ON c.id = a.course_id
                  JOIN res_company co ON co.id = c.company_id
                 WHERE a.course_id = ANY(%(courses)s)
                   AND a.attendance = 'attended'
                   AND a.user_id IS NOT NULL
                   AND s.state != 'cancelled'
                 GROUP BY a.course_id, a.user_id
            ),
            facts AS (
                SELECT p.course_id, 'qa' AS kind, r.review_date < p.pivot AS before,
                       r.score::float AS value
                  FROM pivots p
                  JOIN cs_quality_review r
                    ON r.agent_id = p.user_id
                   AND r.state IN ('done', 'acknowledged')
                   AND r.review_date >= p.pivot - p.span
                   AND r.review_date < p.pivot + p.span
                UNION ALL
                SELECT p.course_id, 'csat', r.write_date < p.pivot, r.rating
                  FROM pivots p
                  JOIN cs_complaint c ON c.user_id = p.user_id
                  JOIN rating_rating r
                    ON r.res_model = 'cs.complaint' AND r.res_id = c.id
                   AND r.consumed AND r.rating > 0
                   AND r.write_date >= p.pivot - p.span
                   AND r.write_date < p.pivot + p.span
                UNION ALL
                SELECT p.course_id, 'reopen', c.resolved_date < p.pivot,
                       CASE WHEN c.reopen_count > 0 THEN 100.0 ELSE 0.0 END
                  FROM pivots p
                  JOIN cs_complaint c
                    ON c.user_id = p.user_id
                   AND c.merged_into_id IS NULL
                   AND c.resolved_date >= p.pivot - p.span
                   AND c.resolved_date < p.pivot + p.span
            )
            SELECT course_id, kind, before, round(avg(value)::numeric, 2), count(*)
              FROM facts
             GROUP BY course_id, kind, before
            """,
                courses=self.ids,
            )
        )
        figures = {}
        for course_id, kind, before, value, count in self.env.cr.fetchall():
            phase = "before" if before else "after"
            figures.setdefault(course_id, {})[(kind, phase)] = (float(value), count)
        return figures

    # ------------------------------------------------------------------
    # mandatory training
    # ------------------------------------------------------------------

    @api.model
    def _mandatory_state_sql(self, on_date, user_ids=None):
        """SELECT of (user_id, course_id, state) of every mandatory course of
        every active user on ``on_date``, of ``user_ids`` only when given.

        A course is mandatory for the members of its active teams and the
        internal users of its groups in its company. The state is ``valid``,
        ``expiring`` (within 30 days), ``expired`` or ``missing``, from the
        passed completions on or before ``on_date``.
        """
        users_filter = (
            SQL("AND u.id = ANY(%s)", list(user_ids)) if user_ids is not None else SQL()
        )
        return SQL(
            """
            WITH required AS (
                SELECT u.id AS user_id, c.id AS course_id
                  FROM cs_training_course c
                  JOIN cs_training_course_mandatory_team_rel mt ON mt.course_id = c.id
                  JOIN cs_team t ON t.id = mt.team_id AND t.active
                  JOIN cs_team_member_rel m ON m.team_id = t.id
                  JOIN res_users u ON u.id = m.user_id AND u.active
                 WHERE c.active %(users_filter)s
                 UNION
                SELECT u.id, c.id
                  FROM cs_training_course c
                  JOIN cs_training_course_mandatory_group_rel mg ON mg.course_id = c.id
                  JOIN res_groups_users_rel gu ON gu.gid = mg.group_id
                  JOIN res_users u ON u.id = gu.uid AND u.active AND NOT u.share
                  JOIN res_company_users_rel cu
                    ON cu.user_id = u.id AND cu.cid = c.company_id
                 WHERE c.active %(users_filter)s
            ),
            completions AS (
                SELECT a.user_id, a.course_id,
                       bool_or(a.expiry_date IS NULL) AS never_expires,
                       max(a.expiry_date) AS expiry_date
                  FROM cs_training_attendee a
                  JOIN required r ON r.user_id = a.user_id AND r.course_id = a.course_id
                 WHERE a.passed AND a.completion_date <= %(on_date)s
                 GROUP BY a.user_id, a.course_id
            )
            SELECT r.user_id, r.course_id,
                   CASE
                       WHEN k.user_id IS NULL THEN 'missing'
                       WHEN k.never_expires
                            OR k.expiry_date > %(on_date)s::date + %(expiring)s
                           THEN 'valid'
                       WHEN k.expiry_date > %(on_date)s THEN 'expiring'
                       ELSE 'expired'
                   END AS state
              FROM required r
              LEFT JOIN completions k
                ON k.user_id = r.user_id AND k.course_id = r.course_id
            """,
            users_filter=users_filter,
            on_date=on_date,
            expiring=TRAINING_EXPIRING_DAYS,
        )

    @api.model
    def _mandatory_state_flush(self):
        """Flush what ``_mandatory_state_sql`` reads."""
        self.flush_model(
            ["active", "company_id", "mandatory_team_ids", "mandatory_group_ids"]
        )
        self.env["cs.team"].flush_model(["active", "member_ids"])
        self.env["res.users"].flush_model(["active", "share", "groups_id"])
        self.env["cs.training.attendee"].flush_model(
            ["user_id", "course_id", "passed", "completion_date", "expiry_date"]
        )
