from odoo import fields, models


class CsCalendarHolidayWizard(models.TransientModel):
    """Add a year's public holidays to a calendar from the holidays package."""

    _name = "cs.calendar.holiday.wizard"
    _description = "Add Public Holidays"

    calendar_id = fields.Many2one("resource.calendar", required=True)
    country_id = fields.Many2one(related="calendar_id.cs_country_id")
    subdivision = fields.Char(related="calendar_id.cs_subdivision")
    year = fields.Integer(
        required=True, default=lambda self: fields.Date.context_today(self).year + 1
    )

    def action_add(self):
        self.ensure_one()
        leaves, makeups = self.calendar_id._cs_add_public_holidays(self.year)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(calendar)s, %(year)s: %(leaves)s public holidays and "
                    "%(makeups)s make-up working days added. Check them against "
                    "the official schedule, then confirm the year.",
                    calendar=self.calendar_id.name,
                    year=self.year,
                    leaves=len(leaves),
                    makeups=len(makeups),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
