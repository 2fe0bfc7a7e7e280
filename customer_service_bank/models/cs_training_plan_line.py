from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CsTrainingPlanLine(models.Model):
    """A course a team plans to hold in the plan's year."""

    _name = "cs.training.plan.line"
    _description = "Training Plan Line"
    _order = "plan_id, planned_date, id"
    _check_company_auto = True

    plan_id = fields.Many2one(
        "cs.training.plan", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    course_id = fields.Many2one("cs.training.course", required=True, check_company=True)
    planned_date = fields.Date(required=True)
    planned_attendees = fields.Integer(default=1)
    planned_cost = fields.Monetary(
        compute="_compute_planned_cost",
        store=True,
        readonly=False,
        help="The course's cost per attendee times the planned attendees; "
        "set it after them for another figure.",
    )
    session_id = fields.Many2one(
        "cs.training.session",
        string="Held As",
        check_company=True,
        domain="[('course_id', '=', course_id), ('plan_id', '=', plan_id)]",
    )

    @api.constrains("planned_date", "planned_attendees", "planned_cost")
    def _check_line(self):
        for line in self:
            if line.planned_date.year != line.plan_id.year:
                raise ValidationError(
                    self.env._(
                        "%(course)s is planned on %(date)s, outside the plan's "
                        "year %(year)s.",
                        course=line.course_id.name,
                        date=line.planned_date,
                        year=line.plan_id.year,
                    )
                )
            if line.planned_attendees < 0 or line.planned_cost < 0:
                raise ValidationError(
                    self.env._(
                        "%(course)s: planned attendees and cost cannot be negative.",
                        course=line.course_id.name,
                    )
                )

    @api.depends("course_id.cost", "planned_attendees")
    def _compute_planned_cost(self):
        for line in self:
            line.planned_cost = line.course_id.cost * line.planned_attendees
