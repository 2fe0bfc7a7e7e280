from odoo import api, fields, models

from .constants import APPRAISAL_QUALITATIVE_SCORES


class CsAppraisalCriterionLine(models.Model):
    """A qualitative criterion of an appraisal the supervisor scores from
    1 to 5 (20 to 100 points)."""

    _name = "cs.appraisal.criterion.line"
    _description = "Appraisal Criterion"
    _inherit = ["cs.appraisal.line.mixin"]
    _order = "appraisal_id, sequence, id"

    appraisal_id = fields.Many2one(
        "cs.appraisal", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="appraisal_id.company_id", store=True)
    user_id = fields.Many2one(related="appraisal_id.user_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    description = fields.Text()
    weight = fields.Float(required=True, digits=(16, 2))
    score = fields.Selection(APPRAISAL_QUALITATIVE_SCORES)
    score_percent = fields.Float(
        string="Score (%)", compute="_compute_score_percent", store=True
    )
    comment = fields.Text()

    _sql_constraints = [
        ("weight_positive", "CHECK(weight > 0)", "A criterion's weight is positive."),
    ]

    @api.depends("score")
    def _compute_score_percent(self):
        for line in self:
            line.score_percent = 20.0 * int(line.score) if line.score else 0.0
