from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .constants import SERVICE_PLAN_STATES


class CsServicePlan(models.Model):
    """Measures agreed with a customer who has a special need.

    Choosing the need proposes its measures and review delay. While the
    plan is active its owner has an activity due on the review date.
    """

    _name = "cs.service.plan"
    _description = "Personalised Service Plan"
    _inherit = ["mail.thread", "mail.activity.mixin", "cs.reminder.mixin"]
    _order = "review_date, id desc"
    _check_company_auto = True
    _reminder_activity_type = "customer_service_bank.mail_activity_type_cs_plan_review"

    name = fields.Char(string="Title", required=True, tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
    )
    special_need_id = fields.Many2one(
        "cs.special.need", string="Need", required=True, tracking=True
    )
    measures = fields.Html(
        string="Agreed Measures",
        compute="_compute_measures",
        store=True,
        readonly=False,
        precompute=True,
        help="Proposed from the need's template; adapt them to the customer.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        required=True,
        tracking=True,
        index=True,
        domain="[('share', '=', False)]",
        default=lambda self: self.env.user,
    )
    start_date = fields.Date(required=True, default=fields.Date.context_today)
    review_date = fields.Date(
        compute="_compute_review_date",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="By default the start date plus the need's review delay.",
    )
    state = fields.Selection(
        SERVICE_PLAN_STATES, required=True, default="draft", tracking=True
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    active = fields.Boolean(default=True)

    @api.depends("special_need_id")
    def _compute_measures(self):
        for plan in self:
            plan.measures = plan.special_need_id.plan_measures_template

    @api.depends("start_date", "special_need_id")
    def _compute_review_date(self):
        for plan in self:
            months = plan.special_need_id.plan_review_months
            plan.review_date = (
                plan.start_date + relativedelta(months=months)
                if plan.start_date and months
                else False
            )

    @api.constrains("start_date", "review_date")
    def _check_review_date(self):
        for plan in self:
            if plan.review_date and plan.review_date < plan.start_date:
                raise ValidationError(
                    _(
                        "The review of %(plan)s cannot come before its start.",
                        plan=plan.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        plans = super().create(vals_list)
        plans._sync_activities()
        return plans

    def write(self, vals):
        result = super().write(vals)
        if {"name", "user_id", "review_date", "state", "active"} & vals.keys():
            self._sync_activities()
        return result

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------

    def _check_state(self, allowed, message):
        """Raise ``message`` about the first plan not in an ``allowed`` state."""
        wrong = self.filtered(lambda plan: plan.state not in allowed)[:1]
        if wrong:
            raise UserError(message % {"plan": wrong.display_name})

    def action_activate(self):
        """Put the plan in force; after a review, plan the next one."""
        self._check_state(
            ("draft", "review"),
            _("Only draft plans and plans under review can be activated: %(plan)s."),
        )
        today = fields.Date.context_today(self)
        reviewed = self.filtered(lambda plan: plan.state == "review")
        # the reminder of the review just finished is done
        reviewed._reminder_activities().action_feedback(feedback=_("Plan reviewed."))
        for plan in reviewed:
            months = plan.special_need_id.plan_review_months
            if months and (not plan.review_date or plan.review_date <= today):
                plan.review_date = today + relativedelta(months=months)
        self.write({"state": "active"})
        return True

    def action_start_review(self):
        self._check_state(
            ("active",), _("Only active plans can be reviewed: %(plan)s.")
        )
        self.write({"state": "review"})
        return True

    def action_close(self):
        self._check_state(
            ("active", "review"),
            _("Only active plans and plans under review can be closed: %(plan)s."),
        )
        self.write({"state": "closed"})
        return True

    def action_reset_draft(self):
        self._check_state(
            ("active", "review", "closed"),
            _("%(plan)s is already a draft."),
        )
        self.write({"state": "draft"})
        return True

    # ------------------------------------------------------------------
    # review reminder
    # ------------------------------------------------------------------

    def _reminder_wish(self):
        """The review reminder: due on the review date while the plan is
        active or under review, done when it closes, gone in draft."""
        if self.state == "closed":
            return "done", _("Plan closed.")
        if self.state == "draft" or not self.active or not self.review_date:
            return "drop", None
        return "open", {
            "summary": _("Review %(plan)s", plan=self.name),
            "user_id": self.user_id.id,
            "date_deadline": self.review_date,
        }
