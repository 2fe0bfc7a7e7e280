from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.sql import create_index

from .constants import CHANNELS, CONTACT_CHANNELS, CONTACT_PURPOSES

# a service reply answers the customer: it needs no consent
CONSENT_PURPOSES = [item for item in CONTACT_PURPOSES if item[0] != "service"]
CONSENT_CHANNELS = [("all", "All Channels"), *CONTACT_CHANNELS]
CONSENT_STATES = [
    ("granted", "Granted"),
    ("withdrawn", "Withdrawn"),
]
# how the consent was given: the service channels, or a customer flag
# (marketing consent, do not contact) written on the customer record
CONSENT_SOURCES = [*CHANNELS, ("customer_flag", "Customer Flag")]
# the purposes do-not-contact withdraws
DO_NOT_CONTACT_PURPOSES = ("care", "event", "survey", "marketing")


class CsCustomerConsent(models.Model):
    """An entry of a customer's consent ledger: consent to be contacted for
    a purpose on a channel (or all channels), granted or withdrawn.

    The ledger is append-only, as consent must be provable: an entry is
    never edited nor deleted, a change is a new entry. The customer's
    current consent for a purpose on a channel is that of the latest entry
    of the purpose for that channel or for all channels
    (``res.partner._cs_current_consents``); the contact policy of
    ``res.partner`` reads it in SQL. The latest entry of marketing for all
    channels is mirrored by the customer's marketing consent flag.
    """

    _name = "cs.customer.consent"
    _description = "Customer Consent"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    purpose = fields.Selection(CONSENT_PURPOSES, required=True)
    channel = fields.Selection(
        CONSENT_CHANNELS,
        required=True,
        default="all",
        help="The channel the consent is about; all channels at once by default.",
    )
    state = fields.Selection(
        CONSENT_STATES, string="Consent", required=True, default="granted"
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    source_channel = fields.Selection(
        CONSENT_SOURCES,
        string="Given Through",
        required=True,
        default="branch",
        help="How the customer gave or withdrew the consent.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Recorded By",
        required=True,
        default=lambda self: self.env.user,
    )
    wording_version = fields.Char(
        help="Version of the consent wording the customer agreed to."
    )
    note = fields.Text()
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    @api.constrains("date")
    def _check_date(self):
        now = fields.Datetime.now()
        if any(entry.date > now for entry in self):
            raise ValidationError(
                self.env._("Consent cannot be recorded with a date in the future.")
            )

    def init(self):
        # the latest entry of a customer's purpose on a channel
        create_index(
            self.env.cr,
            "cs_customer_consent_latest_idx",
            self._table,
            ["partner_id", "purpose", "channel", "date DESC", "id DESC"],
        )

    @api.model_create_multi
    def create(self, vals_list):
        entries = super().create(vals_list)
        entries._cs_sync_marketing_flag()
        return entries

    # refused before the access rights are checked, for a clear message to
    # everyone; writing nothing and deleting nothing stay harmless no-ops
    def write(self, vals):
        if vals:
            raise UserError(self._cs_append_only_message())
        return super().write(vals)

    def unlink(self):
        if self:
            raise UserError(self._cs_append_only_message())
        return super().unlink()

    def _cs_append_only_message(self):
        return self.env._(
            "Consent entries are never edited or deleted: record a new entry instead."
        )

    def _cs_sync_marketing_flag(self):
        """Set the marketing consent flag of the customers of these entries
        to their current consent to marketing on all channels."""
        partners = self.filtered(
            lambda entry: entry.purpose == "marketing" and entry.channel == "all"
        ).partner_id
        if not partners:
            return
        current = partners._cs_current_consents("marketing", "all")
        for value in (True, False):
            changed = partners.filtered(
                lambda partner, value=value: (
                    (current[partner] == "granted") == value
                    and partner.cs_marketing_consent != value
                )
            )
            if changed:
                changed.sudo().with_context(cs_consent_no_ledger=True).write(
                    {"cs_marketing_consent": value}
                )
