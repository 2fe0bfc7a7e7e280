from odoo import fields, models


class CsAppraisalTemplateKpi(models.Model):
    _name = "cs.appraisal.template.kpi"
    _description = "Appraisal Template KPI"
    _inherit = [
        "cs.appraisal.kpi.scale.mixin",
        "cs.appraisal.template.line.mixin",
    ]
    _order = "template_id, sequence, id"

    template_id = fields.Many2one(
        "cs.appraisal.template", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="template_id.company_id", store=True)
