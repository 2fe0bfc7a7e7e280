from odoo import fields, models


class CsCustomerSensitive(models.Model):
    """A customer's personal data that only some users may read.

    Kept apart from ``res.partner`` so that record rules, not field groups,
    decide who reads it: Customer Service supervisors and managers, and the
    customer's relationship manager. The customer form shows it through the
    ``cs_birth_date`` and ``cs_special_need_ids`` fields of ``res.partner``.
    """

    _name = "cs.customer.sensitive"
    _description = "Sensitive Customer Data"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade"
    )
    birth_date = fields.Date(string="Date of Birth")
    special_need_ids = fields.Many2many(
        "cs.special.need",
        "cs_customer_sensitive_special_need_rel",
        "sensitive_id",
        "special_need_id",
        string="Special Needs",
    )
    special_needs_note = fields.Text(string="Special Needs Notes")

    _sql_constraints = [
        (
            "partner_uniq",
            "unique(partner_id)",
            "A customer has one set of sensitive data.",
        ),
    ]
