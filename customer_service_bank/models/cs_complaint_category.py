from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


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

    @api.constrains("code", "company_id")
    def _check_code_unique(self):
        """Refuse a code already used, shared categories included.

        The SQL constraint lets shared categories repeat a code: PostgreSQL
        never finds two empty companies equal.
        """
        for category in self.filtered("code"):
            if self.with_context(active_test=False).search_count(
                [
                    ("id", "!=", category.id),
                    ("code", "=", category.code),
                    ("company_id", "=", category.company_id.id),
                ],
                limit=1,
            ):
                raise ValidationError(
                    _("The category code %(code)s is already used.", code=category.code)
                )
