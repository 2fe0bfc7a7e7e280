from odoo import api, models


class CsAppraisalLineMixin(models.AbstractModel):
    """A line of an appraisal (KPI or criterion): created, changed and
    deleted only while its appraisal may be edited."""

    _name = "cs.appraisal.line.mixin"
    _description = "Appraisal Line"

    @api.model_create_multi
    def create(self, vals_list):
        appraisals = self.env["cs.appraisal"].browse(
            {vals["appraisal_id"] for vals in vals_list if vals.get("appraisal_id")}
        )
        appraisals._check_lines_editable()
        return super().create(vals_list)

    def write(self, vals):
        self.appraisal_id._check_lines_editable()
        return super().write(vals)

    def unlink(self):
        self.appraisal_id._check_lines_editable()
        return super().unlink()
