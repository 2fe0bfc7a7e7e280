from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CsTrainingPlan(models.Model):
    """A team's training plan for a year: the courses it plans, its budget
    and what the year's sessions actually cost."""

    _name = "cs.training.plan"
    _description = "Training Plan"
    _inherit = ["mail.thread"]
    _order = "year desc, team_id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    team_id = fields.Many2one(
        "cs.team", required=True, index=True, tracking=True, check_company=True
    )
    year = fields.Integer(
        required=True, default=lambda self: fields.Date.context_today(self).year
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    budget = fields.Monetary(tracking=True)
    line_ids = fields.One2many("cs.training.plan.line", "plan_id", copy=True)
    session_ids = fields.One2many("cs.training.session", "plan_id")
    planned_cost = fields.Monetary(compute="_compute_costs")
    actual_cost = fields.Monetary(
        compute="_compute_costs",
        help="Cost of the plan's sessions that were not cancelled.",
    )
    remaining_budget = fields.Monetary(compute="_compute_costs")
    notes = fields.Html()

    _sql_constraints = [
        (
            "team_year_unique",
            "UNIQUE(team_id, year)",
            "A team has one training plan per year.",
        ),
    ]

    @api.constrains("year", "budget")
    def _check_plan(self):
        for plan in self:
            if not 2000 <= plan.year <= 2100:
                raise ValidationError(
                    self.env._("%(year)s is not a valid plan year.", year=plan.year)
                )
            if plan.budget < 0:
                raise ValidationError(
                    self.env._(
                        "%(plan)s: the budget cannot be negative.", plan=plan.name
                    )
                )

    @api.depends("team_id.name", "year")
    def _compute_name(self):
        for plan in self:
            plan.name = self.env._(
                "%(team)s training plan %(year)s",
                team=plan.team_id.name or "",
                year=plan.year,
            )

    @api.depends("line_ids.planned_cost", "session_ids.cost", "session_ids.state")
    def _compute_costs(self):
        actual = dict(
            self.env["cs.training.session"]._read_group(
                [("plan_id", "in", self.ids), ("state", "!=", "cancelled")],
                ["plan_id"],
                ["cost:sum"],
            )
        )
        for plan in self:
            plan.planned_cost = sum(plan.line_ids.mapped("planned_cost"))
            plan.actual_cost = actual.get(plan, 0.0)
            plan.remaining_budget = plan.budget - plan.actual_cost
