from odoo import api, fields, models


class CsAppraisalBand(models.Model):
    """A rating band of appraisals: from a minimum total score, with the
    incentive coefficient it earns and the share of appraisals the bank
    expects in it (the target distribution of calibration)."""

    _name = "cs.appraisal.band"
    _description = "Appraisal Rating Band"
    _order = "min_score desc, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    min_score = fields.Float(
        string="Minimum Score",
        required=True,
        digits=(16, 2),
        help="An appraisal whose total score reaches this (out of 100) gets "
        "the band, unless a band with a higher minimum applies.",
    )
    incentive_coefficient = fields.Float(
        default=1.0, digits=(16, 2), help="Multiplies the agent's incentive."
    )
    target_share = fields.Float(
        string="Target Share (%)",
        digits=(16, 1),
        help="Share of a team's appraisals expected in this band; calibration "
        "compares the actual shares with it.",
    )
    color = fields.Integer()

    _sql_constraints = [
        (
            "min_score_range",
            "CHECK(min_score >= 0 AND min_score <= 100)",
            "A band's minimum score lies between 0 and 100.",
        ),
        (
            "target_share_range",
            "CHECK(target_share >= 0 AND target_share <= 100)",
            "A band's target share lies between 0 and 100%.",
        ),
        (
            "incentive_coefficient_positive",
            "CHECK(incentive_coefficient >= 0)",
            "An incentive coefficient cannot be negative.",
        ),
    ]

    @api.model
    def _band_for(self, companies_scores):
        """{(company id, score): band} for the given pairs, in one search."""
        bands = self.search([("company_id", "in", [c for c, _s in companies_scores])])
        result = {}
        for company_id, score in companies_scores:
            result[(company_id, score)] = next(
                (
                    band
                    for band in bands
                    if band.company_id.id == company_id and score >= band.min_score
                ),
                self.browse(),
            )
        return result
