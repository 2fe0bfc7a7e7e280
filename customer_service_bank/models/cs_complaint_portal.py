import uuid

from odoo import api, fields, models
from odoo.exceptions import AccessError

from .constants import CONTACT_CHANNELS

# the bank's own work on a complaint, never for its customer's eyes, even
# through the JSON-RPC a portal session may call
PORTAL_HIDDEN_FIELDS = frozenset(
    {
        "user_id",
        "subject_employee_id",
        "root_cause_id",
        "root_cause_analysis",
        "action_ids",
        "open_action_count",
        "answer_to_review_count",
        "stage_log_ids",
        "repeat_of_id",
        "is_repeat",
        "repeat_ids",
        "merged_into_id",
        "extension_ids",
        "next_extension_id",
        "deadline_status",
        "hours_left",
        "resolve_warning_date",
        "holiday_missing_years",
        "reopen_count",
        "paused_since",
        "color",
        "team_id",
        "activity_ids",
    }
)

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

    # given at creation, within the INSERT: the acknowledgement's link then
    # costs no write per complaint
    access_token = fields.Char(default=lambda self: str(uuid.uuid4()))
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

    def check_field_access_rights(self, operation, field_names):
        """Keep the internal fields from portal users, whatever they call."""
        checked = super().check_field_access_rights(operation, field_names)
        if self.env.su or not self.env.user.share:
            return checked
        if not field_names:
            return [name for name in checked if name not in PORTAL_HIDDEN_FIELDS]
        hidden = PORTAL_HIDDEN_FIELDS.intersection(field_names)
        if hidden:
            raise AccessError(
                self.env._(
                    "You cannot access these details of a complaint: %(fields)s.",
                    fields=", ".join(sorted(hidden)),
                )
            )
        return checked

    def _fetch_field(self, field):
        """For portal users, fetch the field alone: the prefetch of its
        neighbours would ask for the internal fields too."""
        if self.env.su or not self.env.user.share:
            return super()._fetch_field(field)
        return super(
            CsComplaintPortal, self.with_context(prefetch_fields=False)
        )._fetch_field(field)

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
