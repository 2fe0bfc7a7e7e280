from odoo import api, models


class CsAppraisalTemplateLineMixin(models.AbstractModel):
    """A weighted line of an appraisal template: changing one on its own
    checks that the template's weights still add up to 100 (through the
    template, its constraint checks all the lines at once)."""

    _name = "cs.appraisal.template.line.mixin"
    _description = "Appraisal Template Line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._check_template_weights()
        return lines

    def write(self, vals):
        result = super().write(vals)
        if "weight" in vals or "template_id" in vals:
            self._check_template_weights()
        return result

    def unlink(self):
        templates = self.template_id
        result = super().unlink()
        self._check_template_weights(templates)
        return result

    def _check_template_weights(self, templates=None):
        if not self.env.context.get("cs_template_weights"):
            (templates if templates is not None else self.template_id)._check_weights()
