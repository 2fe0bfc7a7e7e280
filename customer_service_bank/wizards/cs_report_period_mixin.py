from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CsReportPeriodMixin(models.AbstractModel):
    """A reporting period, last month by default."""

    _name = "cs.report.period.mixin"
    _description = "Customer Service Reporting Period"

    date_from = fields.Date(
        string="From", required=True, default=lambda self: self._default_date_from()
    )
    date_to = fields.Date(
        string="To", required=True, default=lambda self: self._default_date_to()
    )

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(
                    _(
                        "The period must start on or before its end: "
                        "%(date_from)s is after %(date_to)s.",
                        date_from=wizard.date_from,
                        date_to=wizard.date_to,
                    )
                )

    def _default_date_from(self):
        """The first day of last month: reports are usually monthly."""
        return self._default_date_to().replace(day=1)

    def _default_date_to(self):
        """The last day of last month."""
        return fields.Date.context_today(self).replace(day=1) - timedelta(days=1)
