from odoo import fields, models

from .constants import CONTACT_CHANNELS, SPECIAL_NEED_KINDS


class CsSpecialNeed(models.Model):
    """A special need a customer may have, with the service plan it suggests."""

    _name = "cs.special.need"
    _description = "Customer Special Need"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    kind = fields.Selection(SPECIAL_NEED_KINDS, required=True, default="other")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    contact_channel = fields.Selection(
        CONTACT_CHANNELS,
        help="The only channel by which customers with this need are contacted "
        "for care, surveys, invitations and marketing. Replies to their "
        "complaints are not restricted.",
    )
    plan_measures_template = fields.Html(
        string="Measures Template",
        translate=True,
        help="Measures proposed to a new service plan for this need.",
    )
    plan_review_months = fields.Integer(
        string="Review After (months)",
        default=12,
        help="Months between a service plan's start and its review.",
    )

    _sql_constraints = [
        (
            "plan_review_months_positive",
            "CHECK(plan_review_months >= 0)",
            "The review delay of a special need cannot be negative.",
        ),
    ]
