from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .constants import PRODUCT_CATEGORIES


class CsProduct(models.Model):
    """A banking product customers hold and transact on, e.g. a credit card."""

    _name = "cs.product"
    _description = "Banking Product"
    _order = "category, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        index=True,
        help="Code of the product in core banking; transactions name it.",
    )
    category = fields.Selection(PRODUCT_CATEGORIES, required=True, default="other")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Empty for a product of every company."
    )
    description = fields.Text(translate=True)

    @api.constrains("code", "company_id")
    def _check_code_unique(self):
        """One product per code in a company, shared products included."""
        for product in self:
            clash = self.with_context(active_test=False).search_count(
                [
                    ("id", "!=", product.id),
                    ("code", "=", product.code),
                    "|",
                    ("company_id", "=", False),
                    ("company_id", "in", product.company_id.ids),
                ]
                if product.company_id
                else [("id", "!=", product.id), ("code", "=", product.code)],
                limit=1,
            )
            if clash:
                raise ValidationError(
                    _(
                        "The product code %(code)s is already used.",
                        code=product.code,
                    )
                )
