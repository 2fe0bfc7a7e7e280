from odoo import fields, models


class ResConfigSettingsApi(models.TransientModel):
    """Settings of the complaint API, kept with the API's own files."""

    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    cs_api_batch_limit = fields.Integer(
        related="company_id.cs_api_batch_limit", readonly=False
    )
    cs_api_text_limit = fields.Integer(
        related="company_id.cs_api_text_limit", readonly=False
    )
