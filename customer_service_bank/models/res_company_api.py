from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompanyApi(models.Model):
    """Limits of the complaint API (controllers/api.py)."""

    _inherit = "res.company"

    cs_api_batch_limit = fields.Integer(
        string="API Batch Limit",
        default=100,
        help="Most complaints one call of the complaint API may create.",
    )
    cs_api_text_limit = fields.Integer(
        string="API Text Limit",
        default=10000,
        help="Most characters of a complaint's subject or description sent "
        "through the complaint API.",
    )

    @api.constrains("cs_api_batch_limit", "cs_api_text_limit")
    def _check_cs_api_limits(self):
        for company in self:
            if company.cs_api_batch_limit < 1 or company.cs_api_text_limit < 1:
                raise ValidationError(
                    self.env._("The complaint API limits must be at least 1.")
                )
