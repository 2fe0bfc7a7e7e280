from odoo import api, fields, models


class CsTaxonomyMixin(models.AbstractModel):
    """A translatable tree of terms shown with their full path.

    The inheriting model defines ``parent_id`` and ``child_ids`` on itself;
    the parent store refuses cycles.
    """

    _name = "cs.taxonomy.mixin"
    _description = "Customer Service Taxonomy"
    _parent_store = True
    _rec_name = "complete_name"
    _order = "complete_name"

    name = fields.Char(required=True, translate=True)
    complete_name = fields.Char(
        compute="_compute_complete_name", store=True, recursive=True
    )
    code = fields.Char(help="Code used in regulatory statistics.")
    parent_path = fields.Char(index=True)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    company_id = fields.Many2one("res.company", index=True)

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for term in self:
            if term.parent_id:
                term.complete_name = f"{term.parent_id.complete_name} / {term.name}"
            else:
                term.complete_name = term.name
