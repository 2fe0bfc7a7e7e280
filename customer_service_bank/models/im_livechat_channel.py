from odoo import api, fields, models


class ImLivechatChannel(models.Model):
    """A live chat channel served by a customer service team.

    Out of the team's working hours nobody of the channel is available: the
    visitor then meets the channel's chatbot (rules "enabled only if no
    operator"), which can register their complaint at any hour.
    """

    _inherit = "im_livechat.channel"

    cs_team_id = fields.Many2one(
        "cs.team",
        string="Customer Service Team",
        help="Team whose working hours open the channel to its operators, "
        "and which receives the complaints made from its chats.",
    )

    @api.depends("cs_team_id")
    def _compute_available_operator_ids(self):
        res = super()._compute_available_operator_ids()
        now = fields.Datetime.now()
        for channel in self.filtered("cs_team_id"):
            if not channel._cs_team_working(now):
                channel.available_operator_ids = False
        return res

    def _cs_team_working(self, moment):
        """Whether ``moment`` (naive UTC) is in the working hours of the team
        (resource.calendar's ``_cs_working_at``); a channel without a team is
        always open."""
        self.ensure_one()
        calendar = self.cs_team_id and self.cs_team_id.sudo()._deadline_calendar()
        return calendar._cs_working_at(moment) if calendar else True
