from odoo import fields, models


class CsComplaintCategoryPortal(models.Model):
    _inherit = "cs.complaint.category"

    portal_visible = fields.Boolean(
        string="Offered in the Portal",
        default=True,
        help="Customers may choose this category when raising a complaint online.",
    )
