from odoo import models


class ResourceCalendarAttendance(models.Model):
    """Attendances change the working days cached per calendar."""

    _name = "resource.calendar.attendance"
    _inherit = ["resource.calendar.attendance", "cs.cached.source.mixin"]
