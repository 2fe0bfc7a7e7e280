from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from .constants import APPRAISAL_STATES

# states in which the KPI values may still be recomputed; from the manager
# approval on they are frozen
KPI_OPEN_STATES = ("draft", "self_assessment", "review")
# what the appraised agent may write, during the self-assessment
AGENT_FIELDS = {"self_assessment"}
MANAGER_GROUP = "customer_service_bank.group_cs_manager"


def weighted_total(scored):
    """The average of the (weight, score) pairs weighted by their weights."""
    weights = sum(weight for weight, _score in scored)
    return round(sum(w * s for w, s in scored) / weights, 2) if weights else 0.0


class CsAppraisal(models.Model):
    """An agent's appraisal for a period, on their employee.

    Draft -> self-assessment (the agent's comments) -> supervisor review
    (qualitative scores, comments, goals) -> manager approval -> done. The
    KPI values come from the service data (cs.appraisal.kpi.line) and are
    recomputed on demand until the supervisor submits the review, when they
    are frozen. A done appraisal is locked for everyone; a manager may
    reopen it with a reason, which is logged.
    """

    _name = "cs.appraisal"
    _description = "Appraisal"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "period_date_from desc, team_id, employee_id"
    _check_company_auto = True
    _rec_names_search = ["employee_id", "period_id"]

    name = fields.Char(compute="_compute_name", store=True)
    period_id = fields.Many2one(
        "cs.appraisal.period",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    period_date_from = fields.Date(related="period_id.date_from", store=True)
    period_date_to = fields.Date(related="period_id.date_to")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    team_id = fields.Many2one(
        "cs.team", required=True, index=True, check_company=True, tracking=True
    )
    supervisor_id = fields.Many2one(related="team_id.supervisor_id")
    employee_id = fields.Many2one(
        "hr.employee",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Agent",
        required=True,
        index=True,
        ondelete="restrict",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    template_id = fields.Many2one(
        "cs.appraisal.template", check_company=True, ondelete="restrict"
    )
    state = fields.Selection(
        APPRAISAL_STATES,
        required=True,
        default="draft",
        readonly=True,
        index=True,
        tracking=True,
        copy=False,
    )
    kpi_line_ids = fields.One2many(
        "cs.appraisal.kpi.line", "appraisal_id", string="KPIs", copy=True
    )
    criterion_line_ids = fields.One2many(
        "cs.appraisal.criterion.line",
        "appraisal_id",
        string="Qualitative Criteria",
        copy=True,
    )
    kpi_date = fields.Datetime(string="KPIs Computed On", readonly=True, copy=False)
    kpi_frozen = fields.Boolean(
        string="KPIs Frozen",
        compute="_compute_kpi_frozen",
        help="Frozen when the supervisor submits the review.",
    )
    is_reviewer = fields.Boolean(
        compute="_compute_is_reviewer",
        help="Whether the current user reviews this appraisal: its team's "
        "supervisor or a manager, never the appraised agent.",
    )
    self_assessment = fields.Html(string="Self-Assessment")
    supervisor_comments = fields.Html()
    goals = fields.Html(string="Goals for Next Period")
    manager_note = fields.Html(
        string="Manager's Private Note", groups=MANAGER_GROUP, copy=False
    )
    total_score = fields.Float(
        compute="_compute_total_score",
        store=True,
        digits=(16, 2),
        aggregator="avg",
        help="Weighted average of the scores of the KPIs that have data and "
        "the criteria that are scored: the weight of a line without data is "
        "shared by the others.",
    )
    band_id = fields.Many2one(
        "cs.appraisal.band",
        string="Rating Band",
        compute="_compute_band_id",
        store=True,
        index=True,
    )
    incentive_coefficient = fields.Float(
        related="band_id.incentive_coefficient", store=True
    )
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    approved_date = fields.Datetime(readonly=True, copy=False)

    _sql_constraints = [
        (
            "appraisal_uniq",
            "unique(period_id, team_id, user_id)",
            "An agent has one appraisal per team and period.",
        ),
    ]

    @api.constrains("employee_id", "user_id")
    def _check_employee(self):
        for appraisal in self:
            if appraisal.employee_id.user_id != appraisal.user_id:
                raise ValidationError(
                    self.env._(
                        "The employee %(employee)s is not linked to the user %(user)s.",
                        employee=appraisal.employee_id.name,
                        user=appraisal.user_id.name,
                    )
                )

    @api.depends("employee_id", "period_id.name")
    def _compute_name(self):
        for appraisal in self:
            appraisal.name = (
                f"{appraisal.employee_id.name} - {appraisal.period_id.name}"
            )

    @api.depends("employee_id")
    def _compute_user_id(self):
        for appraisal in self:
            appraisal.user_id = appraisal.employee_id.user_id

    @api.depends("state")
    def _compute_kpi_frozen(self):
        for appraisal in self:
            appraisal.kpi_frozen = appraisal.state not in KPI_OPEN_STATES

    @api.depends_context("uid")
    @api.depends("user_id", "team_id.supervisor_id")
    def _compute_is_reviewer(self):
        for appraisal in self:
            appraisal.is_reviewer = appraisal._is_supervisor()

    @api.depends(
        "kpi_line_ids.score",
        "kpi_line_ids.has_data",
        "kpi_line_ids.weight",
        "criterion_line_ids.score_percent",
        "criterion_line_ids.weight",
    )
    def _compute_total_score(self):
        for appraisal in self:
            appraisal.total_score = weighted_total(
                [
                    (line.weight, line.score)
                    for line in appraisal.kpi_line_ids
                    if line.has_data
                ]
                + [
                    (line.weight, line.score_percent)
                    for line in appraisal.criterion_line_ids
                    if line.score
                ]
            )

    @api.depends("total_score", "company_id")
    def _compute_band_id(self):
        bands = self.env["cs.appraisal.band"]._band_for(
            [(a.company_id.id, a.total_score) for a in self]
        )
        for appraisal in self:
            appraisal.band_id = bands[(appraisal.company_id.id, appraisal.total_score)]

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        templates = self.env["cs.appraisal.template"]
        for vals in vals_list:
            if vals.get("template_id"):
                lines = templates.browse(vals["template_id"])._line_commands()
                for field_name, commands in lines.items():
                    vals.setdefault(field_name, commands)
        return super().create(vals_list)

    def write(self, vals):
        business = {
            name for name in vals if name not in self.env["mail.thread"]._fields
        }
        if business and not self.env.su:
            self._check_can_write(business)
        return super().write(vals)

    def unlink(self):
        if any(appraisal.state != "draft" for appraisal in self):
            raise UserError(self.env._("Only draft appraisals can be deleted."))
        return super().unlink()

    def _check_can_write(self, field_names):
        """Done appraisals are locked; states move through the actions; the
        agent writes only the self-assessment, while it is theirs to write."""
        transition = self.env.context.get("cs_appraisal_transition")
        if not transition and any(appraisal.state == "done" for appraisal in self):
            raise UserError(
                self.env._(
                    "A done appraisal cannot be changed; a manager may reopen it."
                )
            )
        if "state" in field_names and not transition:
            raise UserError(self.env._("Use the buttons to move an appraisal on."))
        if transition:
            return
        if field_names & AGENT_FIELDS and any(
            appraisal.user_id != self.env.user for appraisal in self
        ):
            raise AccessError(
                self.env._("Only the appraised agent writes their self-assessment.")
            )
        if self.env.user.has_group(MANAGER_GROUP):
            return
        for appraisal in self:
            if appraisal._is_supervisor() and appraisal.state in KPI_OPEN_STATES:
                continue
            if (
                appraisal.user_id == self.env.user
                and appraisal.state == "self_assessment"
                and field_names <= AGENT_FIELDS
            ):
                continue
            raise AccessError(
                self.env._(
                    "You may not change %(appraisal)s now: the agent writes the "
                    "self-assessment while it is asked for, the supervisor the "
                    "review until it is submitted.",
                    appraisal=appraisal.display_name,
                )
            )

    def _check_lines_editable(self):
        """KPI and criterion lines change while the KPIs are open, by the
        supervisor (not on their own appraisal) or the KPI engine."""
        frozen = self.filtered(lambda appraisal: appraisal.state not in KPI_OPEN_STATES)
        if frozen:
            raise UserError(
                self.env._(
                    "The KPIs and scores of %(appraisal)s are frozen.",
                    appraisal=frozen[0].display_name,
                )
            )
        if self.env.su:
            return
        for appraisal in self:
            if not appraisal._is_supervisor():
                raise AccessError(
                    self.env._(
                        "Only the supervisor scores %(appraisal)s.",
                        appraisal=appraisal.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # workflow
    # ------------------------------------------------------------------

    def _is_supervisor(self):
        """Whether the current user supervises this appraisal (not their own)."""
        self.ensure_one()
        user = self.env.user
        return user != self.user_id and (
            self.team_id.supervisor_id == user or user.has_group(MANAGER_GROUP)
        )

    def _check_transition(self, states, who, message):
        for appraisal in self:
            if appraisal.state not in states:
                raise UserError(
                    self.env._(
                        "%(appraisal)s is %(state)s: %(message)s",
                        appraisal=appraisal.display_name,
                        state=dict(
                            self._fields["state"]._description_selection(self.env)
                        )[appraisal.state],
                        message=message,
                    )
                )
            if not who(appraisal):
                raise AccessError(
                    self.env._(
                        "You may not do this on %(appraisal)s: %(message)s",
                        appraisal=appraisal.display_name,
                        message=message,
                    )
                )

    def _move_to(self, state, **vals):
        self.with_context(cs_appraisal_transition=True).write({"state": state, **vals})

    def action_start_self_assessment(self):
        self._check_transition(
            ("draft",),
            lambda a: a._is_supervisor(),
            self.env._("the supervisor asks for the self-assessment of a draft."),
        )
        self._compute_kpis()
        self._move_to("self_assessment")
        return True

    def action_submit_self_assessment(self):
        self._check_transition(
            ("self_assessment",),
            lambda a: a.user_id == self.env.user or a._is_supervisor(),
            self.env._("the agent submits their self-assessment."),
        )
        self._move_to("review")
        return True

    def action_submit_review(self):
        """Freeze the KPIs and ask the manager to approve."""
        self._check_transition(
            ("review",),
            lambda a: a._is_supervisor(),
            self.env._("the supervisor submits the review."),
        )
        unscored = self.criterion_line_ids.filtered(lambda line: not line.score)
        if unscored:
            raise UserError(
                self.env._(
                    "Score every criterion of %(appraisal)s first: %(criteria)s.",
                    appraisal=unscored.appraisal_id[:1].display_name,
                    criteria=", ".join(unscored.mapped("name")),
                )
            )
        self._compute_kpis()
        self._move_to("approval")
        return True

    def action_approve(self):
        self._check_transition(
            ("approval",),
            lambda a: (
                self.env.user.has_group(MANAGER_GROUP) and a.user_id != self.env.user
            ),
            self.env._("a manager approves an appraisal awaiting approval."),
        )
        self._move_to(
            "done",
            approved_by_id=self.env.user.id,
            approved_date=fields.Datetime.now(),
        )
        return True

    def action_send_back(self):
        self._check_transition(
            ("approval",),
            lambda a: self.env.user.has_group(MANAGER_GROUP),
            self.env._("a manager sends an appraisal awaiting approval back."),
        )
        self._move_to("review")
        return True

    def action_open_reopen_wizard(self):
        self._check_transition(
            ("done",),
            lambda a: self.env.user.has_group(MANAGER_GROUP),
            self.env._("only a manager reopens a done appraisal."),
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reopen Appraisal"),
            "res_model": "cs.appraisal.reopen",
            "view_mode": "form",
            "target": "new",
            "context": {"default_appraisal_ids": self.ids},
        }

    def _reopen(self, reason):
        """Back to the supervisor review, with ``reason`` in the chatter."""
        self._check_transition(
            ("done",),
            lambda a: self.env.user.has_group(MANAGER_GROUP),
            self.env._("only a manager reopens a done appraisal."),
        )
        if not (reason or "").strip():
            raise UserError(self.env._("Say why the appraisal is reopened."))
        self._move_to("review", approved_by_id=False, approved_date=False)
        for appraisal in self:
            appraisal.message_post(
                body=self.env._("Reopened: %(reason)s", reason=reason),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_recompute_kpis(self):
        self._check_transition(
            KPI_OPEN_STATES,
            lambda a: a._is_supervisor(),
            self.env._("the supervisor recomputes KPIs until the review is submitted."),
        )
        self._compute_kpis()
        return True

    # ------------------------------------------------------------------
    # KPIs
    # ------------------------------------------------------------------

    def _compute_kpis(self):
        """Compute the KPI lines, the totals and the bands of these
        appraisals in a constant number of queries whatever the number of
        agents: the lines, totals and bands are written with one UPDATE
        each (their recomputation shows in the tracked KPI date)."""
        if not self:
            return
        self.env.flush_all()
        scored = self.env["cs.appraisal.kpi.line"]._compute_for_appraisals(self.ids)
        self.env.cr.execute(
            SQL(
                """
                SELECT a.id, a.company_id, l.weight, l.score_percent
                  FROM cs_appraisal a
                  LEFT JOIN cs_appraisal_criterion_line l
                         ON l.appraisal_id = a.id AND l.score IS NOT NULL
                 WHERE a.id = ANY(%s)
                """,
                self.ids,
            )
        )
        companies = {}
        for appraisal_id, company_id, weight, score in self.env.cr.fetchall():
            companies[appraisal_id] = company_id
            if weight:
                scored[appraisal_id].append((weight, score))
        totals = {
            appraisal_id: weighted_total(pairs)
            for appraisal_id, pairs in scored.items()
        }
        bands = self.env["cs.appraisal.band"]._band_for(
            {(companies[appraisal_id], total) for appraisal_id, total in totals.items()}
        )
        ids = list(totals)
        band_of = [bands[(companies[i], totals[i])] for i in ids]
        self.env.cr.execute(
            SQL(
                """
                UPDATE cs_appraisal a
                   SET total_score = v.total, band_id = v.band,
                       incentive_coefficient = v.coefficient,
                       kpi_date = now() AT TIME ZONE 'UTC', write_uid = %s,
                       write_date = now() AT TIME ZONE 'UTC'
                  FROM unnest(%s::int[], %s::numeric[], %s::int[], %s::numeric[])
                       AS v(id, total, band, coefficient)
                 WHERE a.id = v.id
                """,
                self.env.uid,
                ids,
                [totals[i] for i in ids],
                [band.id or None for band in band_of],
                [band.incentive_coefficient for band in band_of],
            )
        )
        self.invalidate_model(
            [
                "total_score",
                "band_id",
                "incentive_coefficient",
                "kpi_date",
                "write_uid",
                "write_date",
            ]
        )
