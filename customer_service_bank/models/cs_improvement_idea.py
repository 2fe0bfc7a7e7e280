from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

# transitions: state -> the states it may come from
IDEA_TRANSITIONS = {
    "accepted": ("submitted",),
    "implemented": ("accepted",),
    "measured": ("implemented",),
    "rejected": ("submitted", "accepted"),
}


class CsImprovementIdea(models.Model):
    """An agent's idea to improve a process or a complaint category.

    Supervisors accept or reject it (with a reason) and record its
    implementation, then the figure it moved: before, after, measured when.
    """

    _name = "cs.improvement.idea"
    _description = "Improvement Idea"
    _inherit = ["mail.thread", "cs.vote.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Title", required=True, tracking=True)
    proposer_id = fields.Many2one(
        "res.users",
        required=True,
        index=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        tracking=True,
    )
    team_id = fields.Many2one(
        "cs.team",
        required=True,
        index=True,
        check_company=True,
        default=lambda self: self.env.user.cs_team_ids[:1],
        tracking=True,
    )
    company_id = fields.Many2one(
        related="team_id.company_id", store=True, index=True, precompute=True
    )
    process = fields.Char(help="The process the idea improves, when not a category.")
    category_id = fields.Many2one(
        "cs.complaint.category", string="Complaint Category", check_company=True
    )
    problem = fields.Text(required=True)
    proposal = fields.Html(required=True)
    expected_benefit = fields.Text()
    state = fields.Selection(
        [
            ("submitted", "Submitted"),
            ("accepted", "Accepted"),
            ("implemented", "Implemented"),
            ("measured", "Measured"),
            ("rejected", "Rejected"),
        ],
        default="submitted",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
    )
    rejection_reason = fields.Text(tracking=True, copy=False)
    implemented_date = fields.Date(readonly=True, copy=False, index=True)
    figure_name = fields.Char(
        string="Figure", help="What the idea claimed to move, e.g. reopen rate."
    )
    figure_unit = fields.Char(string="Unit")
    figure_before = fields.Float(string="Before")
    figure_after = fields.Float(string="After")
    figure_measured_date = fields.Date(string="Measured On", copy=False)

    @api.constrains("process", "category_id")
    def _check_subject(self):
        for idea in self:
            if not idea.process and not idea.category_id:
                raise ValidationError(
                    self.env._(
                        "Say which process or complaint category idea %(idea)s "
                        "improves.",
                        idea=idea.name,
                    )
                )

    @api.constrains("state", "rejection_reason")
    def _check_rejection_reason(self):
        for idea in self:
            if idea.state == "rejected" and not (idea.rejection_reason or "").strip():
                raise ValidationError(
                    self.env._(
                        "Give the reason for rejecting idea %(idea)s.", idea=idea.name
                    )
                )

    @api.constrains("state", "figure_name", "figure_measured_date")
    def _check_figure(self):
        for idea in self:
            if idea.state in ("implemented", "measured") and not idea.figure_name:
                raise ValidationError(
                    self.env._(
                        "Name the figure idea %(idea)s claims to move, with its "
                        "value before, to record it implemented.",
                        idea=idea.name,
                    )
                )
            if idea.state == "measured" and not idea.figure_measured_date:
                raise ValidationError(
                    self.env._(
                        "Give the date the figure of idea %(idea)s was measured on.",
                        idea=idea.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_protected_fields(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_protected_fields(vals)
        return super().write(vals)

    def action_accept(self):
        return self._move_to("accepted")

    def action_reject(self):
        return self._move_to("rejected")

    def action_implement(self):
        return self._move_to(
            "implemented", implemented_date=fields.Date.context_today(self)
        )

    def action_measure(self):
        for idea in self.filtered(lambda idea: not idea.figure_measured_date):
            idea.figure_measured_date = fields.Date.context_today(self)
        return self._move_to("measured")

    def _move_to(self, state, **values):
        self._check_supervisor()
        allowed = IDEA_TRANSITIONS[state]
        labels = dict(self._fields["state"]._description_selection(self.env))
        for idea in self:
            if idea.state not in allowed:
                raise UserError(
                    self.env._(
                        "Idea %(idea)s is %(state)s: it cannot become %(new)s.",
                        idea=idea.name,
                        state=labels[idea.state],
                        new=labels[state],
                    )
                )
        self.write({"state": state, **values})
        return True

    def _check_supervisor(self):
        if not self.env.user.has_group("customer_service_bank.group_cs_supervisor"):
            raise AccessError(
                self.env._("Only supervisors decide on improvement ideas.")
            )
        self.check_access("write")

    def _check_protected_fields(self, vals):
        """The state moves by the actions only."""
        if self.env.su:
            return
        if (
            vals.get("state", "submitted") != "submitted"
            or vals.get("implemented_date")
            or vals.get("rejection_reason")
        ):
            self._check_supervisor()

    def _vote_refusal(self):
        if self.state not in ("submitted", "accepted"):
            return self.env._(
                "Idea %(idea)s is decided: votes are closed.", idea=self.name
            )
        return False
