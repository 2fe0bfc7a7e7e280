from odoo import fields, models


class CsComplaintCategory(models.Model):
    """Product line and issue, e.g. Cards / Fees."""

    _name = "cs.complaint.category"
    _description = "Complaint Category"
    _inherit = ["cs.taxonomy.mixin"]

    parent_id = fields.Many2one(
        "cs.complaint.category",
        string="Parent Category",
        index=True,
        ondelete="restrict",
    )
    child_ids = fields.One2many("cs.complaint.category", "parent_id")

    _sql_constraints = [
        ("code_uniq", "unique(code, company_id)", "Category codes must be unique."),
    ]
