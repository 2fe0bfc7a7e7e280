from odoo import fields, models


class ResConfigSettingsPortal(models.TransientModel):
    """The customer portal's settings, beside the other features' files."""

    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    cs_portal_max_attachment_mb = fields.Float(
        related="company_id.cs_portal_max_attachment_mb", readonly=False
    )
    cs_portal_allowed_extensions = fields.Char(
        related="company_id.cs_portal_allowed_extensions", readonly=False
    )
    cs_portal_hide_handler = fields.Boolean(
        related="company_id.cs_portal_hide_handler", readonly=False
    )
