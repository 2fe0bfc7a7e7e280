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
