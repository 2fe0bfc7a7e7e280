from odoo import fields, models


class CsTeamAlias(models.Model):
    """A mail alias per team: each mail sent to it opens a complaint of the
    team (see cs_complaint_mail.py)."""

    _name = "cs.team"
    _inherit = ["cs.team", "mail.alias.mixin"]

    default_category_id = fields.Many2one(
        "cs.complaint.category",
        check_company=True,
        help="Category of the complaints this team receives by mail or by the API "
        "without one.",
    )

    def unlink(self):
        # refuse for the deletion itself, before the mixin reads the aliases
        self.check_access("unlink")
        return super().unlink()

    def _alias_get_creation_values(self):
        values = super()._alias_get_creation_values()
        values["alias_model_id"] = self.env["ir.model"]._get_id("cs.complaint")
        if self.id:
            values["alias_defaults"] = repr({"team_id": self.id})
        return values
