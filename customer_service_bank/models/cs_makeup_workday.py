from odoo import api, fields, models


class CsMakeupWorkday(models.Model):
    """A weekend day worked in exchange for a longer public holiday (调休)."""

    _name = "cs.makeup.workday"
    _description = "Make-up Working Day"
    _inherit = ["cs.cached.source.mixin"]
    _order = "date desc"

    name = fields.Char(string="Reason", required=True, translate=True)
    date = fields.Date(required=True, index=True)
    year = fields.Integer(compute="_compute_year", store=True)
    calendar_id = fields.Many2one(
        "resource.calendar", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="calendar_id.company_id", store=True)

    _sql_constraints = [
        (
            "date_calendar_uniq",
            "unique(calendar_id, date)",
            "This day is already a make-up working day of this calendar.",
        ),
    ]

    @api.depends("date")
    def _compute_year(self):
        for day in self:
            day.year = day.date.year if day.date else 0
