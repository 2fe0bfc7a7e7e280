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
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "review_date, id desc"
    _check_company_auto = True

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
        plans._sync_review_activities()
        return plans

    def write(self, vals):
        result = super().write(vals)
        if {"name", "user_id", "review_date", "state", "active"} & vals.keys():
            self._sync_review_activities()
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
        reviewed._review_activities().action_feedback(feedback=_("Plan reviewed."))
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

    def _review_activities(self):
        # the plan was checked; the reminder may be another user's
        return (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    (
                        "activity_type_id",
                        "=",
                        self.env.ref(
                            "customer_service_bank.mail_activity_type_cs_plan_review"
                        ).id,
                    ),
                ]
            )
        )

    def _sync_review_activities(self):
        """One reminder for the owner of each active or reviewed plan.

        It is due on the review date, moves with the date and the owner, is
        marked done when the plan closes and dropped when it goes back to
        draft or is archived.
        """
        activity_type = self.env.ref(
            "customer_service_bank.mail_activity_type_cs_plan_review"
        )
        activities = self._review_activities()
        by_plan = activities.grouped("res_id")
        model_id = self.env["ir.model"]._get_id(self._name)
        to_create, to_unlink = [], activities.browse()
        for plan in self:
            current = by_plan.get(plan.id, activities.browse())
            if plan.state == "closed":
                current.action_feedback(feedback=_("Plan closed."))
                continue
            if plan.state == "draft" or not plan.active or not plan.review_date:
                to_unlink |= current
                continue
            values = {
                "summary": _("Review %(plan)s", plan=plan.name),
                "user_id": plan.user_id.id,
                "date_deadline": plan.review_date,
            }
            if current:
                current.write(values)
            else:
                to_create.append(
                    {
                        "res_model_id": model_id,
                        "res_id": plan.id,
                        "activity_type_id": activity_type.id,
                        **values,
                    }
                )
        to_unlink.unlink()
        activities.create(to_create)
