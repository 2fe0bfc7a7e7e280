from odoo import api, fields, models


class CsMonthlyReportWizard(models.TransientModel):
    """Print the monthly customer-service report for any period and team."""

    _name = "cs.monthly.report.wizard"
    _inherit = ["cs.report.period.mixin"]
    _description = "Print the Customer Service Report"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    team_id = fields.Many2one(
        "cs.team",
        check_company=True,
        help="Leave empty for every team of the company.",
    )

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
