from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CsQualityReviewLine(models.Model):
    """The score of one criterion in a quality review.

    Weight and maximum are copied from the criterion when the line is made:
    later changes to the checklist leave past reviews' scores as they were.
    """

    _name = "cs.quality.review.line"
    _description = "Quality Review Score"
    _order = "review_id, sequence, id"

    review_id = fields.Many2one(
        "cs.quality.review", required=True, index=True, ondelete="cascade"
    )
    criterion_id = fields.Many2one(
        "cs.quality.checklist.criterion", required=True, ondelete="restrict"
    )
    name = fields.Char(related="criterion_id.name")
    standard_id = fields.Many2one(related="criterion_id.standard_id")
    sequence = fields.Integer(
        compute="_compute_from_criterion", store=True, readonly=False, precompute=True
    )
    weight = fields.Float(
        compute="_compute_from_criterion", store=True, readonly=False, precompute=True
    )
    max_score = fields.Integer(
        string="Maximum Score",
        compute="_compute_from_criterion",
        store=True,
        readonly=False,
        precompute=True,
    )
    score = fields.Float(digits=(16, 2))
    is_scored = fields.Boolean(
        string="Scored",
        readonly=True,
        help="Set once a score is given, so that a zero is told from no score.",
    )
    comment = fields.Char()
    company_id = fields.Many2one(related="review_id.company_id", store=True, index=True)

    @api.constrains("score", "max_score", "weight")
    def _check_score(self):
        for line in self:
            if line.weight <= 0:
                raise ValidationError(
                    _(
                        "%(criterion)s: the weight must be positive.",
                        criterion=line.name,
                    )
                )
            if not 0 <= line.score <= line.max_score:
                raise ValidationError(
                    _(
                        "%(criterion)s: the score must be between 0 and %(max)s.",
                        criterion=line.name,
                        max=line.max_score,
                    )
                )

    @api.depends("criterion_id")
    def _compute_from_criterion(self):
        for line in self:
            criterion = line.criterion_id
            line.sequence = criterion.sequence
            line.weight = criterion.weight
            line.max_score = criterion.max_score

    @api.onchange("score")
    def _onchange_score(self):
        self.is_scored = True

    @api.model_create_multi
    def create(self, vals_list):
        reviews = self.env["cs.quality.review"].browse(
            {vals["review_id"] for vals in vals_list if vals.get("review_id")}
        )
        reviews._check_scores_editable()
        for vals in vals_list:
            vals.setdefault("is_scored", "score" in vals)
        return super().create(vals_list)

    def write(self, vals):
        self.review_id._check_scores_editable()
        if "score" in vals:
            vals = dict(vals, is_scored=vals.get("is_scored", True))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_submitted(self):
        self.review_id._check_scores_editable()
