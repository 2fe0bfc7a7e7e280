from odoo import api, fields, models

from .constants import CONTACT_CHANNELS

PREFERRED_TIMES = [
    ("morning", "Morning"),
    ("afternoon", "Afternoon"),
    ("evening", "Evening"),
    ("any", "Any Time"),
]


class CsComplaintPortal(models.Model):
    """Complaints in the customer portal: token links, status in customer
    words, and the complaints customers raise themselves.

    Portal users reach their own complaints through the record rule of
    security/cs_security.xml; anyone else only with the complaint's token.
    """

    # one concern a file, by design: see the docstring of cs_complaint.py
    _name = "cs.complaint"
    _inherit = ["cs.complaint", "portal.mixin"]  # pylint: disable=consider-merging-classes-inherited

    preferred_contact_channel = fields.Selection(
        CONTACT_CHANNELS,
        help="How the customer asked to be contacted about this complaint.",
    )
    preferred_contact_time = fields.Selection(
        PREFERRED_TIMES,
        help="When the customer asked to be contacted about this complaint.",
    )
    portal_status = fields.Char(
        string="Status for the Customer", compute="_compute_portal_status"
    )

    @api.depends("stage_kind")
    def _compute_portal_status(self):
        # what a customer reads for each kind of stage, whatever its name
        labels = {
            "new": self.env._("Received"),
            "in_progress": self.env._("Being investigated"),
            "awaiting": self.env._("Waiting for you"),
            "resolved": self.env._("Answered"),
            "closed": self.env._("Closed"),
        }
        for complaint in self:
            complaint.portal_status = labels.get(complaint.stage_kind, "")

    def _compute_access_url(self):
        for complaint in self:
            complaint.access_url = f"/my/complaints/{complaint.id}"

    def _portal_handler_name(self):
        """The handler's name for the customer, unless Settings hide it."""
        self.ensure_one()
        if self.company_id.cs_portal_hide_handler:
            return ""
        return self.sudo().user_id.name or ""

    def _portal_rating_url(self, score):
        """The link rating this complaint with ``score``, while it awaits one."""
        self.ensure_one()
        if (
            not self.company_id.cs_rating_enabled
            or self.stage_kind not in ("resolved", "closed")
            or self.rating_ids.filtered("consumed")
        ):
            return ""
        return f"/rate/{self._rating_get_access_token()}/{score}"
