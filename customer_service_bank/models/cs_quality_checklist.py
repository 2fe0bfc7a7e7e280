from odoo import Command, _, api, fields, models
from odoo.exceptions import ValidationError


class CsQualityChecklist(models.Model):
    """Weighted criteria a quality review scores a complaint or follow-up on.

    The first active checklist for complaints of a company (or of every
    company), by sequence, is the one the monthly sampling uses.
    """

    _name = "cs.quality.checklist"
    _description = "Quality Review Checklist"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Empty for a checklist of every company."
    )
    applies_to_complaint = fields.Boolean(string="Complaints", default=True)
    applies_to_followup = fields.Boolean(string="Follow-ups")
    criterion_ids = fields.One2many(
        "cs.quality.checklist.criterion",
        "checklist_id",
        string="Criteria",
        copy=True,
    )
    total_weight = fields.Float(compute="_compute_total_weight")

    @api.constrains("applies_to_complaint", "applies_to_followup")
    def _check_applies(self):
        for checklist in self:
            if not (checklist.applies_to_complaint or checklist.applies_to_followup):
                raise ValidationError(
                    _(
                        "%(checklist)s must apply to complaints, follow-ups or both.",
                        checklist=checklist.display_name,
                    )
                )

    @api.depends("criterion_ids.weight")
    def _compute_total_weight(self):
        for checklist in self:
            checklist.total_weight = sum(checklist.criterion_ids.mapped("weight"))

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        return [
            dict(vals, name=self.env._("%(name)s (copy)", name=vals["name"]))
            for vals in vals_list
        ]

    @api.model
    def _default_for(self, company, kind="complaint"):
        """The first checklist of ``company`` for a ``kind`` of record.

        ``kind`` is "complaint" or "followup"; the monthly sampling reviews
        complaints with the default checklist for complaints.
        """
        return self.search(
            [
                (f"applies_to_{kind}", "=", True),
                ("company_id", "in", [company.id, False]),
            ],
            limit=1,
        )

    def _review_line_commands(self):
        """Commands replacing a review's lines by one per criterion of ``self``."""
        return [Command.clear()] + [
            Command.create({"criterion_id": criterion.id})
            for criterion in self.criterion_ids
        ]
