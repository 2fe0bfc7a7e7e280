from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    cs_team_ids = fields.Many2many(
        "cs.team",
        "cs_team_member_rel",
        "user_id",
        "team_id",
        string="Customer Service Teams",
        help="Teams this user works in; record rules use it to show their complaints.",
    )
