from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CsMonthlyReportWizard(models.TransientModel):
    """Print the monthly customer-service report for any period and team."""

    _name = "cs.monthly.report.wizard"
    _description = "Print the Customer Service Report"
    _check_company_auto = True

    date_from = fields.Date(
        string="From", required=True, default=lambda self: self._default_date_from()
    )
    date_to = fields.Date(
        string="To", required=True, default=lambda self: self._default_date_to()
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    team_id = fields.Many2one(
        "cs.team",
        check_company=True,
        help="Leave empty for every team of the company.",
    )

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(
                    _(
                        "The report period cannot end (%(date_to)s) before it "
                        "starts (%(date_from)s).",
                        date_from=wizard.date_from,
                        date_to=wizard.date_to,
                    )
                )

    def _default_date_from(self):
        """The first day of last month."""
        return fields.Date.context_today(self).replace(day=1) - relativedelta(months=1)

    def _default_date_to(self):
        """The last day of last month."""
        return fields.Date.context_today(self).replace(day=1) - relativedelta(days=1)

    @api.onchange("company_id")
    def _onchange_company_id(self):
        if self.team_id.company_id != self.company_id:
            self.team_id = False

    def action_print(self):
        self.ensure_one()
        return self.env.ref(
            "customer_service_bank.cs_monthly_report_action"
        ).report_action(self, data=self._report_data())

    def _report_data(self):
        self.ensure_one()
        return {
            "company_id": self.company_id.id,
            "team_id": self.team_id.id,
            "date_from": fields.Date.to_string(self.date_from),
            "date_to": fields.Date.to_string(self.date_to),
        }
