from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .constants import APPRAISAL_KPI_KINDS

# kinds where a lower value is the better one, proposed as their direction
LOWER_IS_BETTER = {"resolution_hours", "reopen_rate", "upheld_rate"}


def parse_band(part):
    """(threshold, score) of one ``threshold=score`` band, None if malformed."""
    try:
        threshold, score = (float(x) for x in part.split("="))
    except ValueError:
        return None
    return (threshold, score) if 0 <= score <= 100 else None


def kpi_score(value, scale, direction, floor, target, band_spec):
    """The score from 0 to 100 of ``value`` on a scale (see the mixin)."""
    sign = 1 if direction == "higher" else -1
    if scale == "bands":
        bands = [parse_band(p) for p in (band_spec or "").split(";") if p.strip()]
        reached = [
            score for threshold, score in bands if sign * value >= sign * threshold
        ]
        return max(reached, default=0.0)
    share = (value - floor) / (target - floor)
    return round(100.0 * min(max(share, 0.0), 1.0), 2)


class CsAppraisalKpiScaleMixin(models.AbstractModel):
    """A weighted KPI with its target and the scale turning its value into
    a score from 0 to 100.

    Linear: 0 at the floor, 100 at the target and beyond, proportional in
    between (a floor above the target when lower is better). Bands: the
    score of the best band the value reaches, written ``threshold=score``
    separated by semicolons, e.g. ``95=100; 90=80; 80=50``.
    """

    _name = "cs.appraisal.kpi.scale.mixin"
    _description = "Appraisal KPI Scale"

    sequence = fields.Integer(default=10)
    kind = fields.Selection(APPRAISAL_KPI_KINDS, required=True)
    weight = fields.Float(required=True, digits=(16, 2))
    direction = fields.Selection(
        [("higher", "Higher Is Better"), ("lower", "Lower Is Better")],
        required=True,
        compute="_compute_direction",
        store=True,
        readonly=False,
        precompute=True,
    )
    scale = fields.Selection(
        [("linear", "Linear"), ("bands", "Bands")], required=True, default="linear"
    )
    floor = fields.Float(digits=(16, 2), help="Linear scale: the value that scores 0.")
    target = fields.Float(
        digits=(16, 2), help="The value that scores 100 (linear scale)."
    )
    band_spec = fields.Char(
        string="Bands",
        help="threshold=score pairs separated by semicolons, e.g. "
        "'95=100; 90=80; 80=50': the score of the best threshold reached "
        "(at least, or at most when lower is better), else 0.",
    )

    _sql_constraints = [
        ("weight_positive", "CHECK(weight > 0)", "A KPI's weight is positive."),
    ]

    @api.constrains("scale", "floor", "target", "direction", "band_spec")
    def _check_scale(self):
        for line in self:
            label = dict(APPRAISAL_KPI_KINDS)[line.kind]
            if line.scale == "linear":
                if line.direction == "higher" and line.floor >= line.target:
                    raise ValidationError(
                        self.env._(
                            "%(kpi)s: the floor must be below the target when "
                            "higher is better.",
                            kpi=label,
                        )
                    )
                if line.direction == "lower" and line.floor <= line.target:
                    raise ValidationError(
                        self.env._(
                            "%(kpi)s: the floor must be above the target when "
                            "lower is better.",
                            kpi=label,
                        )
                    )
            else:
                line._parse_bands()

    @api.depends("kind")
    def _compute_direction(self):
        for line in self:
            line.direction = "lower" if line.kind in LOWER_IS_BETTER else "higher"

    def _parse_bands(self):
        """[(threshold, score)] of ``band_spec``; ValidationError if malformed."""
        self.ensure_one()
        bands = []
        for part in (self.band_spec or "").split(";"):
            if not part.strip():
                continue
            band = parse_band(part)
            if band is None:
                raise ValidationError(
                    self.env._(
                        "%(kpi)s: '%(band)s' is not a band; write threshold=score "
                        "with a score from 0 to 100, e.g. '95=100; 90=80'.",
                        kpi=dict(APPRAISAL_KPI_KINDS)[self.kind],
                        band=part.strip(),
                    )
                )
            bands.append(band)
        if not bands:
            raise ValidationError(
                self.env._(
                    "%(kpi)s: a band scale needs bands, e.g. '95=100; 90=80'.",
                    kpi=dict(APPRAISAL_KPI_KINDS)[self.kind],
                )
            )
        return bands

    def _score_for(self, value):
        """The score from 0 to 100 of ``value`` on this line's scale."""
        self.ensure_one()
        return kpi_score(
            value, self.scale, self.direction, self.floor, self.target, self.band_spec
        )

    def _scale_vals(self):
        """The scale fields, to copy from a template to an appraisal."""
        self.ensure_one()
        return {
            name: self[name]
            for name in (
                "sequence",
                "kind",
                "weight",
                "direction",
                "scale",
                "floor",
                "target",
                "band_spec",
            )
        }
