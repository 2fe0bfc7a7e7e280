"""The contact policy of customers: whether the bank may contact a customer
for a purpose (``CONTACT_PURPOSES``) on a channel (``CONTACT_CHANNELS``),
checked for given customers (``_cs_contact_refusals``) and in the crons'
set-based SQL (``_cs_contact_allowed_sql``), both built from
``_cs_contact_rules``."""

from odoo import api, models
from odoo.tools import SQL, format_list

from .constants import CONTACT_CHANNELS, CONTACT_PURPOSES
from .cs_customer_consent import CONSENT_CHANNELS, CONSENT_PURPOSES

# what the policy reads, flushed before its SQL runs
CONTACT_POLICY_FIELDS = {
    "res.partner": [
        "active",
        "email_normalized",
        "cs_deceased",
        "cs_do_not_contact",
    ],
    "cs.customer.consent": ["partner_id", "purpose", "channel", "state", "date"],
    "cs.customer.sensitive": ["partner_id", "special_need_ids"],
    "cs.special.need": ["contact_channel"],
    "mail.blacklist": ["email", "active"],
}


class ResPartnerContactPolicy(models.Model):
    # split from res_partner.py on purpose: the policy is a concern of its own
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _cs_contact_rules(self, alias, purpose, channel):
        """[(reason code, SQL refusing the customer row ``alias``)] of
        ``purpose`` on ``channel``, in the order their reasons are given.

        A service reply (answering the customer's complaint) only needs an
        active customer reachable on the channel: the bank must answer even
        a do-not-contact customer (or a deceased customer's estate), and
        ``mail.blacklist`` is an opt-out of mailings, not of answers. Other
        purposes also leave out deceased customers and respect do-not-contact,
        the consent ledger, the blacklist and the channel a special need asks
        for. In the ledger (see ``_cs_latest_consent_sql``), a withdrawal
        refuses its purpose and channel; marketing needs an explicit grant,
        while care, events and surveys rest on the bank's legitimate interest
        and are allowed until the customer objects. Every condition is true
        or false, never NULL.
        """
        if purpose not in dict(CONTACT_PURPOSES):
            raise ValueError(f"Unknown contact purpose {purpose!r}")
        if channel not in dict(CONTACT_CHANNELS):
            raise ValueError(f"Unknown contact channel {channel!r}")
        service = purpose == "service"
        email = SQL.identifier(alias, "email_normalized")
        rules = [("archived", SQL("%s IS NOT TRUE", SQL.identifier(alias, "active")))]
        if not service:
            deceased = SQL.identifier(alias, "cs_deceased")
            rules.append(("deceased", SQL("%s IS TRUE", deceased)))
            dnc = SQL.identifier(alias, "cs_do_not_contact")
            rules.append(("do_not_contact", SQL("%s IS TRUE", dnc)))
            latest = self._cs_latest_consent_sql(alias, purpose, channel)
            rules.append(
                ("withdrawn", SQL("COALESCE(%s = 'withdrawn', FALSE)", latest))
            )
            if purpose == "marketing":
                rules.append(("no_consent", SQL("%s IS NULL", latest)))
            others = self._cs_other_channels_sql(alias, channel)
            rules.append(("special_needs", SQL("EXISTS (%s)", others)))
        if channel == "email":
            rules.append(("no_email", SQL("%s IS NULL", email)))
        if channel == "email" and not service:
            blacklisted = SQL(
                """EXISTS (SELECT 1 FROM mail_blacklist cs_bl
                            WHERE cs_bl.email = %s AND cs_bl.active)""",
                email,
            )
            rules.append(("blacklisted", blacklisted))
        return rules

    @api.model
    def _cs_latest_consent_sql(self, alias, purpose, channel):
        """SQL of the state of the latest consent entry of the customer row
        ``alias`` for ``purpose`` on ``channel`` (or on all channels: an
        entry for all channels counts for each), NULL without any."""
        if purpose not in dict(CONSENT_PURPOSES):
            raise ValueError(f"No consent for contact purpose {purpose!r}")
        if channel not in dict(CONSENT_CHANNELS):
            raise ValueError(f"Unknown consent channel {channel!r}")
        return SQL(
            """
            (SELECT cs_consent.state
               FROM cs_customer_consent cs_consent
              WHERE cs_consent.partner_id = %s
                AND cs_consent.purpose = %s
                AND cs_consent.channel = ANY(%s)
              ORDER BY cs_consent.date DESC, cs_consent.id DESC
              LIMIT 1)
            """,
            SQL.identifier(alias, "id"),
            purpose,
            sorted({channel, "all"}),
        )

    def _cs_current_consents(self, purpose, channel):
        """{customer: its current consent (``granted``, ``withdrawn``) to
        ``purpose`` on ``channel``, or False without any entry}, from the
        latest entry of the ledger whoever may read it.

        ``channel`` "all" reads the entries for all channels only. One query
        for any number of customers, with the SQL of the contact policy, so
        that both always agree.
        """
        if not self:
            return {}
        self.env["cs.customer.consent"].flush_model(
            CONTACT_POLICY_FIELDS["cs.customer.consent"]
        )
        states = dict(
            self.env.execute_query(
                SQL(
                    "SELECT p.id, %s FROM res_partner p WHERE p.id = ANY(%s)",
                    self._cs_latest_consent_sql("p", purpose, channel),
                    self.ids,
                )
            )
        )
        return {partner: states[partner.id] or False for partner in self}

    @api.model
    def _cs_other_channels_sql(self, alias, channel):
        """The channels other than ``channel`` that the special needs of the
        customer row ``alias`` ask for, whoever may read them."""
        return SQL(
            """
            SELECT cs_need.contact_channel
              FROM cs_customer_sensitive cs_sens
              JOIN cs_customer_sensitive_special_need_rel cs_rel
                ON cs_rel.sensitive_id = cs_sens.id
              JOIN cs_special_need cs_need ON cs_need.id = cs_rel.special_need_id
             WHERE cs_sens.partner_id = %s
               AND cs_need.contact_channel != %s
            """,
            SQL.identifier(alias, "id"),
            channel,
        )

    @api.model
    def _cs_contact_allowed_sql(self, alias, purpose, channel):
        """SQL condition: the customer row ``alias`` may be contacted for
        ``purpose`` on ``channel``. Run it after ``_cs_contact_flush``."""
        return SQL(
            "(%s)",
            SQL(" AND ").join(
                SQL("NOT (%s)", condition)
                for _code, condition in self._cs_contact_rules(alias, purpose, channel)
            ),
        )

    @api.model
    def _cs_contact_flush(self):
        """Flush what the policy's SQL reads."""
        for model_name, field_names in CONTACT_POLICY_FIELDS.items():
            self.env[model_name].flush_model(field_names)

    def _cs_contact_refusals(self, purpose, channel):
        """{customer: why it may not be contacted for ``purpose`` on
        ``channel``, or False when it may}.

        One query for any number of customers, whatever the user may read;
        the reasons are in the user's language and never name a special need.
        """
        if not self:
            return {}
        self._cs_contact_flush()
        rules = self._cs_contact_rules("p", purpose, channel)
        refusal = SQL(
            "CASE %s END",
            SQL(" ").join(
                SQL("WHEN %s THEN %s", condition, code) for code, condition in rules
            ),
        )
        other_channels = SQL(
            "ARRAY(SELECT DISTINCT other.contact_channel FROM (%s) other ORDER BY 1)",
            self._cs_other_channels_sql("p", channel),
        )
        texts, reasons = {}, {}
        for partner_id, code, channels in self.env.execute_query(
            SQL(
                "SELECT p.id, %s, %s FROM res_partner p WHERE p.id = ANY(%s)",
                refusal,
                other_channels if purpose != "service" else SQL("NULL"),
                self.ids,
            )
        ):
            key = (code, tuple(channels or ()))
            if key not in texts:
                texts[key] = self._cs_contact_reason(*key, purpose, channel)
            reasons[partner_id] = texts[key]
        return {partner: reasons[partner.id] for partner in self}

    def _cs_contactable(self, purpose, channel):
        """The customers of these that may be contacted for ``purpose`` on
        ``channel``."""
        refusals = self._cs_contact_refusals(purpose, channel)
        return self.filtered(lambda partner: not refusals[partner])

    @api.model
    def _cs_contact_reason(self, code, channels, purpose, channel):
        """The user's words for refusal ``code`` of ``purpose`` on ``channel``,
        False for none; ``channels`` are those the customer's special needs
        ask for."""
        if not code:
            return False
        if code == "withdrawn":
            Consent = self.env["cs.customer.consent"]
            return self.env._(
                "The customer withdrew consent to %(purpose)s by %(channel)s.",
                purpose=dict(
                    Consent._fields["purpose"]._description_selection(self.env)
                )[purpose],
                channel=dict(
                    Consent._fields["channel"]._description_selection(self.env)
                )[channel],
            )
        if code == "special_needs":
            labels = dict(
                self.env["cs.special.need"]
                ._fields["contact_channel"]
                ._description_selection(self.env)
            )
            return self.env._(
                "The customer's special needs ask for contact by %(channels)s.",
                channels=format_list(
                    self.env, [labels[channel] for channel in channels], style="or"
                ),
            )
        if code == "archived":
            return self.env._("The customer is archived.")
        if code == "deceased":
            return self.env._("The customer has died.")
        if code == "do_not_contact":
            return self.env._("The customer asked not to be contacted.")
        if code == "no_consent":
            return self.env._("The customer has not consented to marketing.")
        if code == "no_email":
            return self.env._("The customer has no valid email address.")
        # blacklisted
        return self.env._(
            "The customer's email address is blacklisted: it opted out of mailings."
        )
