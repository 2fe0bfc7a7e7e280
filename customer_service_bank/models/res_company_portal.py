from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompanyPortal(models.Model):
    """What the customer portal shows and accepts, per company."""

    _inherit = "res.company"

    cs_portal_max_attachment_mb = fields.Float(
        string="Portal Attachment Size Limit (MB)",
        default=10.0,
        help="Largest file a customer may attach to a complaint in the portal.",
    )
    cs_portal_allowed_extensions = fields.Char(
        string="Portal Attachment Types",
        default="pdf,jpg,jpeg,png,txt,doc,docx",
        help="File extensions customers may attach in the portal, comma-separated.",
    )
    cs_portal_hide_handler = fields.Boolean(
        string="Hide Handler in Portal",
        help="Customers do not see the name of the employee handling their complaint.",
    )

    @api.constrains("cs_portal_max_attachment_mb")
    def _check_cs_portal_max_attachment_mb(self):
        for company in self:
            if company.cs_portal_max_attachment_mb <= 0:
                raise ValidationError(
                    self.env._("The portal attachment size limit must be positive.")
                )

    def _cs_portal_extensions(self):
        """The allowed extensions, lower case and without dots."""
        self.ensure_one()
        return {
            ext.strip().lstrip(".").lower()
            for ext in (self.cs_portal_allowed_extensions or "").split(",")
            if ext.strip()
        }
