import pytz

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
        """Whether ``moment`` (naive UTC) is in the working hours of the team.

        A working day of the team's calendar (its public holidays and make-up
        working days counted, as for deadlines), at an hour of the calendar's
        attendances of that weekday, or of any weekday on a make-up day; not
        at lunch.
        """
        self.ensure_one()
        calendar = self.cs_team_id and self.cs_team_id.sudo()._deadline_calendar()
        if not calendar:
            return True
        working_days = calendar._cs_working_days()
        local = pytz.utc.localize(moment).astimezone(working_days.tz)
        day = local.date()
        if not working_days.is_working(day):
            return False
        attendances = calendar.attendance_ids.filtered(
            lambda att: att.display_type != "line_section" and att.day_period != "lunch"
        )
        if day not in working_days.makeup_days:
            attendances = attendances.filtered(
                lambda att: int(att.dayofweek) == day.weekday()
            )
        hour = local.hour + local.minute / 60
        return any(att.hour_from <= hour < att.hour_to for att in attendances)
