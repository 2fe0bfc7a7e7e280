from odoo import fields, models


class CsRootCause(models.Model):
    """Why complaints happen, as a taxonomy, e.g. Process / Missing control."""

    _name = "cs.root.cause"
    _description = "Complaint Root Cause"
    _inherit = ["cs.taxonomy.mixin"]

    parent_id = fields.Many2one(
        "cs.root.cause", string="Parent Cause", index=True, ondelete="restrict"
    )
    child_ids = fields.One2many("cs.root.cause", "parent_id")
