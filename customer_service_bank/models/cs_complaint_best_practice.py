from odoo import api, fields, models


class CsComplaint(models.Model):
    """The published best practices of a complaint's category."""

    _inherit = "cs.complaint"

    best_practice_count = fields.Integer(compute="_compute_best_practice_count")

    @api.depends("category_id")
    def _compute_best_practice_count(self):
        for complaint in self:
            complaint.best_practice_count = self.env["cs.best.practice"].search_count(
                complaint._best_practice_domain()
            )

    def action_view_best_practices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_service_bank.cs_best_practice_action"
        )
        action["domain"] = self._best_practice_domain()
        action["context"] = {"create": False}
        return action

    def _best_practice_domain(self):
        """Published practices of the category or of one of its parents."""
        self.ensure_one()
        if not self.category_id:
            return [("id", "=", False)]
        return [
            ("state", "=", "published"),
            ("category_ids", "parent_of", self.category_id.id),
        ]
