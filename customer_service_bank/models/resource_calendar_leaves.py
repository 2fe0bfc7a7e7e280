from odoo import api, models


class ResourceCalendarLeaves(models.Model):
    """Public holidays change the working days cached per calendar."""

    _inherit = "resource.calendar.leaves"

    @api.model_create_multi
    def create(self, vals_list):
        if any(not vals.get("resource_id") for vals in vals_list):
            self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        if "resource_id" in vals or not all(self.mapped("resource_id")):
            self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        if not all(self.mapped("resource_id")):
            self.env.registry.clear_cache()
        return super().unlink()

    def _prepare_public_holidays_values(self, vals_list):
        """Keep public holidays as given, in UTC.

        hr_holidays shifts a new public holiday from the user's time zone to
        its calendar's, reading the UTC values as the user's wall clock. The
        holidays this addon ships and generates are already each calendar's
        local midnight to 23:59:59, in UTC, as the form sends them: shifted,
        every holiday would move by the difference of the time zones.
        """
        return vals_list
