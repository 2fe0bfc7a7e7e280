from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.sql import index_exists

from .constants import QUALITY_REVIEW_STATES

# all the reviewed agent may write on a review: its acknowledgement
ACKNOWLEDGE_FIELDS = {"state", "acknowledged_date"}


class CsQualityReview(models.Model):
    """A supervisor's scoring of how an agent handled a complaint or follow-up.

    The reviewer scores each criterion of a checklist and submits the review;
    the reviewed agent then reads it and acknowledges it, and may change
    nothing else. The monthly scheduled action (``_cron_sample_reviews``,
    in cs_quality_review_sampling.py) drafts reviews of a few complaints of
    each agent closed the month before.
    """

    _name = "cs.quality.review"
    _description = "Quality Review"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True
    # the reviewed agent reads the review and may answer in its chatter
    _mail_post_access = "read"

    reviewer_id = fields.Many2one(
        "res.users",
        required=True,
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
        default=lambda self: self.env.user,
    )
    complaint_id = fields.Many2one(
        "cs.complaint",
        ondelete="cascade",
        tracking=True,
        check_company=True,
    )
    followup_id = fields.Many2one(
        "cs.followup",
        string="Follow-up",
        ondelete="cascade",
        tracking=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    agent_id = fields.Many2one(
        "res.users",
        string="Reviewed Agent",
        required=True,
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
        compute="_compute_agent_id",
        store=True,
        readonly=False,
        precompute=True,
        help="The complaint's handler or the follow-up's owner when the review "
        "was created.",
    )
    team_id = fields.Many2one(
        "cs.team",
        index=True,
        check_company=True,
        compute="_compute_team_id",
        store=True,
        readonly=False,
        precompute=True,
        help="The complaint's team; for a follow-up, the team of the complaint "
        "it follows, else the agent's. Its supervisor sees the review.",
    )
    checklist_id = fields.Many2one(
        "cs.quality.checklist",
        required=True,
        ondelete="restrict",
        check_company=True,
        compute="_compute_checklist_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    line_ids = fields.One2many(
        "cs.quality.review.line", "review_id", string="Scores", copy=False
    )
    score = fields.Float(
        string="QA Score (%)",
        compute="_compute_score",
        store=True,
        aggregator="avg",
        digits=(16, 2),
        help="Weighted share of the maximum scores: the sum of score / maximum "
        "x weight over the criteria, divided by the sum of the weights.",
    )
    comments = fields.Html()
    coaching_notes = fields.Html()
    state = fields.Selection(
        QUALITY_REVIEW_STATES,
        required=True,
        default="draft",
        readonly=True,
        index=True,
        tracking=True,
        copy=False,
    )
    review_date = fields.Datetime(
        string="Reviewed On", readonly=True, copy=False, tracking=True
    )
    acknowledged_date = fields.Datetime(
        string="Acknowledged On", readonly=True, copy=False, tracking=True
    )
    work_date = fields.Date(
        compute="_compute_work_date",
        store=True,
        help="When the reviewed work was done: the complaint's resolution or "
        "the follow-up's date.",
    )
    sample_period = fields.Date(
        readonly=True,
        copy=False,
        help="First day of the month whose closed complaints the monthly "
        "sampling drew this review from.",
    )
    sample_slot = fields.Integer(
        readonly=True,
        copy=False,
        help="Rank of the review in its agent's monthly sample; a unique index "
        "on it keeps two sampling runs from exceeding the sample size.",
    )

    # the unique constraints index the reviewed records too
    _sql_constraints = [
        (
            "complaint_uniq",
            "unique(complaint_id)",
            "A complaint is reviewed once.",
        ),
        (
            "followup_uniq",
            "unique(followup_id)",
            "A follow-up is reviewed once.",
        ),
        # a partial unique index, created in _auto_init
        (
            "sample_slot_uniq",
            "",
            "The agent's monthly sample is already complete.",
        ),
    ]

    def _auto_init(self):
        result = super()._auto_init()
        if not index_exists(self.env.cr, "cs_quality_review_sample_slot_uniq"):
            self.env.cr.execute(
                """
                CREATE UNIQUE INDEX cs_quality_review_sample_slot_uniq
                    ON cs_quality_review
                       (company_id, agent_id, sample_period, sample_slot)
                 WHERE sample_period IS NOT NULL
                """
            )
        return result

    # ------------------------------------------------------------------
    # constraints
    # ------------------------------------------------------------------

    # company_id, always computed, runs the check on creation without a record
    @api.constrains("complaint_id", "followup_id", "company_id")
    def _check_reviewed_record(self):
        for review in self:
            if bool(review.complaint_id) == bool(review.followup_id):
                raise ValidationError(
                    _("A quality review reviews either a complaint or a follow-up.")
                )

    @api.constrains("reviewer_id", "agent_id")
    def _check_reviewer_is_not_agent(self):
        for review in self:
            if review.reviewer_id == review.agent_id:
                raise ValidationError(
                    _(
                        "%(user)s cannot review their own work.",
                        user=review.agent_id.name,
                    )
                )

    @api.constrains("checklist_id", "complaint_id", "followup_id")
    def _check_checklist_applies(self):
        for review in self:
            checklist = review.checklist_id
            if (review.complaint_id and not checklist.applies_to_complaint) or (
                review.followup_id and not checklist.applies_to_followup
            ):
                raise ValidationError(
                    _(
                        "The checklist %(checklist)s does not apply to this kind "
                        "of record.",
                        checklist=checklist.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # computes
    # ------------------------------------------------------------------

    @api.depends("complaint_id", "followup_id")
    def _compute_company_id(self):
        for review in self:
            record = review.complaint_id or review.followup_id
            review.company_id = (
                record.company_id or review.company_id or self.env.company
            )

    @api.depends("complaint_id", "followup_id")
    def _compute_agent_id(self):
        # the handler when the review is made: a later reassignment of the
        # complaint does not change whose work was reviewed
        for review in self:
            review.agent_id = (
                review.complaint_id.user_id
                or review.followup_id.user_id
                or review.agent_id
            )

    @api.depends("complaint_id", "followup_id", "agent_id", "company_id")
    def _compute_team_id(self):
        for review in self:
            if review.complaint_id:
                review.team_id = review.complaint_id.team_id
            else:
                review.team_id = (
                    review.followup_id.complaint_id.team_id
                    or review.agent_id.cs_team_ids.filtered(
                        lambda team, review=review: team.company_id == review.company_id
                    )[:1]
                )

    @api.depends("complaint_id", "followup_id", "company_id")
    def _compute_checklist_id(self):
        Checklist = self.env["cs.quality.checklist"]
        for review in self:
            kind = "followup" if review.followup_id else "complaint"
            checklist = review.checklist_id
            if not (
                checklist[f"applies_to_{kind}"]
                and (
                    not checklist.company_id
                    or checklist.company_id == review.company_id
                )
            ):
                review.checklist_id = Checklist._default_for(review.company_id, kind)

    @api.depends("line_ids.score", "line_ids.weight", "line_ids.max_score")
    def _compute_score(self):
        for review in self:
            total_weight = sum(review.line_ids.mapped("weight"))
            earned = sum(
                line.score / line.max_score * line.weight
                for line in review.line_ids
                if line.max_score
            )
            review.score = (
                round(100.0 * earned / total_weight, 2) if total_weight else 0.0
            )

    @api.depends(
        "complaint_id.resolved_date",
        "followup_id.done_date",
        "followup_id.planned_date",
    )
    def _compute_work_date(self):
        for review in self:
            if review.complaint_id:
                resolved = review.complaint_id.resolved_date
                review.work_date = (
                    fields.Date.context_today(review, resolved) if resolved else False
                )
            else:
                followup = review.followup_id
                review.work_date = followup.done_date or followup.planned_date

    @api.depends("complaint_id", "followup_id")
    def _compute_display_name(self):
        for review in self:
            # the agent may no longer see the complaint, yet sees its review
            record = (review.complaint_id or review.followup_id).sudo()
            review.display_name = _(
                "Review of %(record)s", record=record.display_name or _("New")
            )

    # ------------------------------------------------------------------
    # onchanges
    # ------------------------------------------------------------------

    @api.onchange("checklist_id")
    def _onchange_checklist_id(self):
        self.line_ids = self.checklist_id._review_line_commands()

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        reviews = super().create(vals_list)
        for review in reviews.filtered(lambda review: not review.line_ids):
            review.line_ids = review.checklist_id._review_line_commands()
        return reviews

    def write(self, vals):
        if not self.env.su:
            self._check_agent_write(vals)
        if "checklist_id" in vals and "line_ids" not in vals:
            if self.filtered(lambda review: review.state != "draft"):
                raise UserError(
                    _("Reset the review to draft before changing its checklist.")
                )
            checklist = self.env["cs.quality.checklist"].browse(vals["checklist_id"])
            vals = dict(vals, line_ids=checklist._review_line_commands())
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_submitted(self):
        if self.filtered(lambda review: review.state != "draft"):
            raise UserError(
                _(
                    "Submitted quality reviews are kept for appraisals: only "
                    "drafts can be deleted."
                )
            )

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------

    def action_submit(self):
        """The reviewer is done: freeze the scores and tell the agent."""
        for review in self:
            if review.state != "draft":
                raise UserError(
                    _(
                        "%(review)s is already submitted.",
                        review=review.display_name,
                    )
                )
            if not review.line_ids:
                raise UserError(
                    _(
                        "%(review)s has no criterion to score: choose a checklist "
                        "with criteria.",
                        review=review.display_name,
                    )
                )
            unscored = review.line_ids.filtered(lambda line: not line.is_scored)
            if unscored:
                raise UserError(
                    _(
                        "Score every criterion of %(review)s before submitting "
                        "it; not scored: %(criteria)s.",
                        review=review.display_name,
                        criteria=", ".join(unscored.mapped("name")),
                    )
                )
        self.write({"state": "done", "review_date": fields.Datetime.now()})
        for review in self:
            review.message_subscribe(partner_ids=review.agent_id.partner_id.ids)
            review.message_post(
                body=_(
                    "Quality review done, with a score of %(score)s%%: please "
                    "read it and acknowledge it.",
                    score=review.score,
                ),
                partner_ids=review.agent_id.partner_id.ids,
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_acknowledge(self):
        """The reviewed agent has read the review."""
        for review in self:
            if review.agent_id != self.env.user:
                raise UserError(
                    _(
                        "Only %(agent)s, whose work was reviewed, can acknowledge "
                        "%(review)s.",
                        agent=review.agent_id.name,
                        review=review.display_name,
                    )
                )
            if review.state != "done":
                raise UserError(
                    _(
                        "%(review)s is not submitted, or already acknowledged.",
                        review=review.display_name,
                    )
                )
        self.write(
            {"state": "acknowledged", "acknowledged_date": fields.Datetime.now()}
        )
        return True

    def action_reset_draft(self):
        """Reopen a submitted review that the agent has not acknowledged yet."""
        for review in self:
            if review.state != "done":
                raise UserError(
                    _(
                        "Only a submitted review not yet acknowledged can go back "
                        "to draft: %(review)s.",
                        review=review.display_name,
                    )
                )
        self.write({"state": "draft", "review_date": False})
        return True

    # ------------------------------------------------------------------
    # business methods
    # ------------------------------------------------------------------

    def _check_agent_write(self, vals):
        """The reviewed agent may acknowledge a submitted review, nothing more."""
        own = self.filtered(lambda review: review.agent_id == self.env.user)
        if not own:
            return
        acknowledging = (
            vals.keys() <= ACKNOWLEDGE_FIELDS
            and vals.get("state") == "acknowledged"
            and all(review.state == "done" for review in own)
        )
        if not acknowledging:
            raise AccessError(
                _(
                    "%(reviews)s reviews your own work: you can acknowledge it, "
                    "not change it.",
                    reviews=", ".join(own.mapped("display_name")),
                )
            )

    def _check_scores_editable(self):
        """Scores change on drafts only, and never by the reviewed agent."""
        if self.env.su:
            return
        for review in self:
            if review.agent_id == self.env.user:
                raise AccessError(
                    _(
                        "%(review)s reviews your own work: you cannot score it.",
                        review=review.display_name,
                    )
                )
            if review.state != "draft":
                raise UserError(
                    _(
                        "%(review)s is submitted: reset it to draft to change "
                        "its scores.",
                        review=review.display_name,
                    )
                )
