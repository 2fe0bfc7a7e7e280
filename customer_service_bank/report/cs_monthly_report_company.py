from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError


class ReportCsMonthlyCompany(models.AbstractModel):
    """The monthly report of a company's last reported month.

    What the monthly mail template attaches: a template's report gets the
    company's id only, so the month is the one the company last reported.
    """

    _name = "report.customer_service_bank.report_cs_monthly_company"
    _inherit = "report.customer_service_bank.report_cs_monthly"
    _description = "Monthly Customer Service Report of a Company"

    @api.model
    def _get_report_values(self, docids, data=None):
        company = self.env["res.company"].browse(docids)
        company.ensure_one()
        month = company.cs_report_last_month
        if not month:
            raise UserError(
                self.env._(
                    "%(company)s has not reported a month yet.", company=company.name
                )
            )
        return super()._get_report_values(
            docids,
            data={
                "company_id": company.id,
                "team_id": False,
                "date_from": fields.Date.to_string(month),
                "date_to": fields.Date.to_string(
                    month + relativedelta(months=1, days=-1)
                ),
            },
        )
