from odoo import fields, models


class CsServiceStandard(models.Model):
    """A rule of good service agents are held to and quality reviews score."""

    _name = "cs.service.standard"
    _description = "Service Standard"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    description = fields.Text(
        translate=True, help="What meeting the standard looks like, for reviewers."
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Empty for a standard of every company."
    )
