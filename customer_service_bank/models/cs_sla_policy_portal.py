from odoo import fields, models


class CsSlaPolicyPortal(models.Model):
    """What the public complaints page says of each policy."""

    _inherit = "cs.sla.policy"

    regulator = fields.Html(
        string="Regulator or Ombudsman",
        translate=True,
        help="Who customers may turn to if not satisfied, with how to reach "
        "them; shown on the public complaints page.",
    )

    def _portal_deadline_words(self):
        """The policy's deadlines in plain words, in the context's language."""
        self.ensure_one()
        units = {
            "hours": self.env._("hours"),
            "calendar_days": self.env._("calendar days"),
            "working_days": self.env._("working days"),
            "weeks": self.env._("weeks"),
        }
        resolve = self.env._(
            "We send you our final response within %(time)s %(unit)s.",
            time=self.resolve_time,
            unit=units[self.resolve_unit],
        )
        if not self.ack_time:
            return resolve
        ack = self.env._(
            "We acknowledge your complaint within %(time)s %(unit)s.",
            time=self.ack_time,
            unit=units[self.ack_unit],
        )
        return f"{ack} {resolve}"
