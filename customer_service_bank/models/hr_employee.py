from markupsafe import Markup

from odoo import api, fields, models

CS_AGENT_GROUP = "customer_service_bank.group_cs_agent"


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    cs_appraisal_ids = fields.One2many(
        "cs.appraisal", "employee_id", string="Appraisals", groups=CS_AGENT_GROUP
    )
    cs_appraisal_count = fields.Integer(
        compute="_compute_cs_appraisal_trend", groups=CS_AGENT_GROUP
    )
    cs_appraisal_trend = fields.Html(
        string="Score Trend",
        compute="_compute_cs_appraisal_trend",
        sanitize=False,
        groups=CS_AGENT_GROUP,
        help="Total score of the done appraisals, oldest first, with the "
        "change from the one before.",
    )

    @api.depends("cs_appraisal_ids.total_score", "cs_appraisal_ids.state")
    def _compute_cs_appraisal_trend(self):
        appraisals = self.env["cs.appraisal"].search(
            [("employee_id", "in", self.ids)], order="period_date_from, id"
        )
        for employee in self:
            own = appraisals.filtered(lambda a, e=employee: a.employee_id == e)
            employee.cs_appraisal_count = len(own)
            steps, previous = [], None
            for appraisal in own.filtered(lambda a: a.state == "done"):
                score = appraisal.total_score
                delta = "" if previous is None else f" ({score - previous:+.1f})"
                css = (
                    "text-success"
                    if previous is not None and score > previous
                    else "text-danger"
                    if previous is not None and score < previous
                    else ""
                )
                steps.append(
                    Markup("<span class='%s'>%s: <b>%s</b>%s</span>")
                    % (css, appraisal.period_id.name, f"{score:.1f}", delta)
                )
                previous = score
            employee.cs_appraisal_trend = (
                Markup(" &#8594; ").join(steps) if steps else False
            )

    def action_view_cs_appraisals(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_service_bank.cs_appraisal_action"
        )
        action["domain"] = [("employee_id", "=", self.id)]
        action["context"] = {"search_default_filter_done": 1}
        action["view_mode"] = "graph,list,form"
        action["views"] = [(False, "graph"), (False, "list"), (False, "form")]
        return action
