from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CsQualityChecklistCriterion(models.Model):
    _name = "cs.quality.checklist.criterion"
    _description = "Quality Review Criterion"
    _order = "checklist_id, sequence, id"

    checklist_id = fields.Many2one(
        "cs.quality.checklist",
        required=True,
        index=True,
        ondelete="cascade",
    )
    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    standard_id = fields.Many2one(
        "cs.service.standard",
        string="Service Standard",
        help="The standard this criterion checks, if any.",
    )
    weight = fields.Float(
        required=True,
        default=1.0,
        help="Share of the criterion in the review's score, relative to the "
        "other criteria.",
    )
    max_score = fields.Integer(string="Maximum Score", required=True, default=5)
    company_id = fields.Many2one(
        related="checklist_id.company_id", store=True, index=True
    )

    @api.constrains("weight", "max_score")
    def _check_weight_and_max_score(self):
        for criterion in self:
            if criterion.weight <= 0:
                raise ValidationError(
                    _(
                        "%(criterion)s: the weight must be positive.",
                        criterion=criterion.name,
                    )
                )
            if criterion.max_score <= 0:
                raise ValidationError(
                    _(
                        "%(criterion)s: the maximum score must be positive.",
                        criterion=criterion.name,
                    )
                )
