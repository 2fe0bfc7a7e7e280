from odoo import fields, models


class CsAppraisalTemplateCriterion(models.Model):
    """A qualitative criterion (attitude, teamwork, compliance...) the
    supervisor scores from 1 to 5."""

    _name = "cs.appraisal.template.criterion"
    _description = "Appraisal Template Criterion"
    _inherit = ["cs.appraisal.template.line.mixin"]
    _order = "template_id, sequence, id"

    template_id = fields.Many2one(
        "cs.appraisal.template", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="template_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    weight = fields.Float(required=True, digits=(16, 2))

    _sql_constraints = [
        ("weight_positive", "CHECK(weight > 0)", "A criterion's weight is positive."),
    ]
