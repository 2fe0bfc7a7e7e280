from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CsAppraisalTemplate(models.Model):
    """What a team's agents are appraised on: weighted KPI lines computed
    from the service data and weighted qualitative criteria scored by the
    supervisor. All weights together make 100."""

    _name = "cs.appraisal.template"
    _description = "Appraisal Template"
    _inherit = ["mail.thread"]
    _order = "team_id, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    team_id = fields.Many2one(
        "cs.team",
        check_company=True,
        index=True,
        tracking=True,
        help="Empty: the template of the company's teams that have none.",
    )
    kpi_ids = fields.One2many(
        "cs.appraisal.template.kpi", "template_id", string="KPIs", copy=True
    )
    criterion_ids = fields.One2many(
        "cs.appraisal.template.criterion",
        "template_id",
        string="Qualitative Criteria",
        copy=True,
    )
    total_weight = fields.Float(compute="_compute_total_weight", digits=(16, 2))

    @api.constrains("kpi_ids", "criterion_ids")
    def _check_weights(self):
        for template in self:
            if round(template.total_weight, 2) != 100:
                raise ValidationError(
                    self.env._(
                        "The weights of the KPIs and criteria of %(template)s "
                        "add up to %(total)s, not 100.",
                        template=template.display_name,
                        total=format(template.total_weight, "g"),
                    )
                )

    @api.depends("kpi_ids.weight", "criterion_ids.weight")
    def _compute_total_weight(self):
        for template in self:
            template.total_weight = sum(template.kpi_ids.mapped("weight")) + sum(
                template.criterion_ids.mapped("weight")
            )

    @api.model_create_multi
    def create(self, vals_list):
        # the lines are checked together, by the template's constraint
        templates = super(
            CsAppraisalTemplate, self.with_context(cs_template_weights=True)
        ).create(vals_list)
        return templates.with_env(self.env)

    def write(self, vals):
        return super(
            CsAppraisalTemplate, self.with_context(cs_template_weights=True)
        ).write(vals)

    @api.model
    def _for_teams(self, teams):
        """{team: its template, else its company's default (may be empty)}."""
        templates = self.search(
            [("company_id", "in", teams.company_id.ids)], order="team_id, id"
        )
        result = {}
        for team in teams:
            own = templates.filtered(lambda t, team=team: t.team_id == team)
            default = templates.filtered(
                lambda t, team=team: not t.team_id and t.company_id == team.company_id
            )
            result[team] = own[:1] or default[:1]
        return result

    def _line_commands(self):
        """Commands creating an appraisal's KPI and criterion lines."""
        self.ensure_one()
        return {
            "kpi_line_ids": [
                fields.Command.create(kpi._scale_vals()) for kpi in self.kpi_ids
            ],
            "criterion_line_ids": [
                fields.Command.create(
                    {
                        "name": criterion.name,
                        "description": criterion.description,
                        "weight": criterion.weight,
                        "sequence": criterion.sequence,
                    }
                )
                for criterion in self.criterion_ids
            ],
        }
