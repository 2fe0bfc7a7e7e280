from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form

from .common import CsCommon

APPEND_ONLY = "Consent entries are never edited or deleted: record a new entry instead."
NO_CONSENT = "The customer has not consented to marketing."
DO_NOT_CONTACT = "The customer asked not to be contacted."


class ConsentCommon(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Consent = cls.env["cs.customer.consent"]
        cls.Partner = cls.env["res.partner"]
        cls.customer.cs_relationship_manager_id = cls.agent_a
        cls.now = fields.Datetime.now()

    @classmethod
    def _record(cls, partner, purpose, channel, state, days_ago=0, **values):
        return cls.Consent.create(
            {
                "partner_id": partner.id,
                "purpose": purpose,
                "channel": channel,
                "state": state,
                "date": cls.now - timedelta(days=days_ago),
                **values,
            }
        )


class TestConsentLedger(ConsentCommon):
    def test_current_consent_is_the_latest_entry(self):
        self._record(self.customer, "event", "email", "granted", days_ago=30)
        self._record(self.customer, "event", "email", "withdrawn", days_ago=20)
        consents = self.customer._cs_current_consents("event", "email")
        self.assertEqual(consents, {self.customer: "withdrawn"})
        self._record(self.customer, "event", "email", "granted", days_ago=10)
        self.assertEqual(
            self.customer._cs_current_consents("event", "email"),
            {self.customer: "granted"},
        )
        # every change is kept, newest first
        self.assertEqual(
            self.customer.cs_consent_ids.mapped("state"),
            ["granted", "withdrawn", "granted"],
        )
        # other purposes and channels have no consent recorded
        self.assertEqual(
            (self.customer | self.customer2)._cs_current_consents("event", "phone"),
            {self.customer: False, self.customer2: False},
        )
        self.assertEqual(
            self.customer._cs_current_consents("care", "email"),
            {self.customer: False},
        )

    def test_backdated_entry_does_not_override_a_later_one(self):
        self._record(self.customer, "survey", "phone", "withdrawn", days_ago=5)
        self._record(self.customer, "survey", "phone", "granted", days_ago=50)
        self.assertEqual(
            self.customer._cs_current_consents("survey", "phone"),
            {self.customer: "withdrawn"},
        )

    def test_all_channels_entry_counts_for_each_channel(self):
        self._record(self.customer, "care", "all", "withdrawn", days_ago=10)
        self._record(self.customer, "care", "letter", "granted", days_ago=5)
        for channel, state in [
            ("email", "withdrawn"),
            ("letter", "granted"),
            ("all", "withdrawn"),
        ]:
            with self.subTest(channel=channel):
                self.assertEqual(
                    self.customer._cs_current_consents("care", channel),
                    {self.customer: state},
                )
        # a later entry for all channels overrides the channel's own
        self._record(self.customer, "care", "all", "granted", days_ago=1)
        self.assertEqual(
            self.customer._cs_current_consents("care", "visit"),
            {self.customer: "granted"},
        )

    def test_entries_are_never_edited_or_deleted(self):
        entry = self._record(self.customer, "care", "email", "granted", days_ago=1)
        for user in (
            self.agent_a,
            self.supervisor_a,
            self.manager,
            self.env.ref("base.user_admin"),
        ):
            with self.subTest(user=user.login):
                mine = entry.with_user(user)
                with self.assertRaisesRegex(UserError, APPEND_ONLY):
                    mine.write({"state": "withdrawn"})
                with self.assertRaisesRegex(UserError, APPEND_ONLY):
                    mine.unlink()
        with self.assertRaisesRegex(UserError, APPEND_ONLY):
            entry.sudo().write({"note": "changed"})
        with self.assertRaisesRegex(UserError, APPEND_ONLY):
            entry.sudo().unlink()
        self.assertTrue(entry.exists())
        self.assertEqual(entry.state, "granted")

    def test_defaults(self):
        entry = self.Consent.with_user(self.agent_a).create(
            {"partner_id": self.customer.id, "purpose": "care"}
        )
        self.assertEqual(entry.user_id, self.agent_a)
        self.assertEqual(entry.channel, "all")
        self.assertEqual(entry.state, "granted")
        self.assertEqual(entry.company_id, self.company_a)
        self.assertLessEqual(entry.date, fields.Datetime.now())

    def test_date_in_the_future_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "date in the future"):
            self._record(self.customer, "care", "email", "granted", days_ago=-1)

    def test_missing_customer_or_purpose_is_refused(self):
        with (
            self.assertRaisesRegex(AssertionError, "partner_id is a required field"),
            Form(self.Consent) as form,
        ):
            form.purpose = "care"
        with (
            self.assertRaisesRegex(AssertionError, "purpose is a required field"),
            Form(self.Consent) as form,
        ):
            form.partner_id = self.customer
        self.assertFalse(self.Consent.search([("partner_id", "=", self.customer.id)]))

    def test_recorded_on_the_customer_form(self):
        # the Customer 360 tab of a bank customer
        self.customer.cs_customer_number = "C-CONSENT-1"
        with (
            Form(self.customer.with_user(self.agent_a)) as form,
            form.cs_consent_ids.new() as line,
        ):
            line.purpose = "marketing"
            line.channel = "all"
            line.state = "granted"
            line.source_channel = "phone"
            line.wording_version = "v2026-06"
        entry = self.customer.cs_consent_ids
        self.assertRecordValues(
            entry,
            [
                {
                    "purpose": "marketing",
                    "state": "granted",
                    "user_id": self.agent_a.id,
                    "wording_version": "v2026-06",
                }
            ],
        )
        self.assertTrue(self.customer.cs_marketing_consent)


class TestConsentFlags(ConsentCommon):
    def _entries(self, partners):
        return self.Consent.search([("partner_id", "in", partners.ids)])

    def test_marketing_flag_records_an_entry(self):
        self.customer.cs_marketing_consent = True
        entry = self._entries(self.customer)
        self.assertRecordValues(
            entry,
            [
                {
                    "purpose": "marketing",
                    "channel": "all",
                    "state": "granted",
                    "source_channel": "customer_flag",
                    "user_id": self.env.user.id,
                    "wording_version": False,
                }
            ],
        )
        # writing the same value again changes nothing
        self.customer.cs_marketing_consent = True
        self.assertEqual(self._entries(self.customer), entry)
        self.customer.cs_marketing_consent = False
        self.assertEqual(
            self._entries(self.customer).mapped("state"), ["withdrawn", "granted"]
        )
        self.assertEqual(
            self.customer._cs_contact_refusals("marketing", "email"),
            {self.customer: "The customer withdrew consent to Marketing by Email."},
        )

    def test_created_with_flags(self):
        partner = self.Partner.create(
            {"name": "Flagged", "cs_marketing_consent": True, "email": "f@example.com"}
        )
        self.assertEqual(
            partner._cs_current_consents("marketing", "email"), {partner: "granted"}
        )
        plain = self.Partner.create({"name": "Plain"})
        self.assertFalse(self._entries(plain))

    def test_ledger_updates_the_marketing_flag(self):
        self._record(self.customer, "marketing", "all", "granted", days_ago=3)
        self.assertTrue(self.customer.cs_marketing_consent)
        # a channel's entry leaves the flag of all channels as it is
        self._record(self.customer, "marketing", "phone", "withdrawn", days_ago=2)
        self.assertTrue(self.customer.cs_marketing_consent)
        # an entry older than the latest one does not change the consent
        self._record(self.customer, "marketing", "all", "withdrawn", days_ago=10)
        self.assertTrue(self.customer.cs_marketing_consent)
        self._record(self.customer, "marketing", "all", "withdrawn", days_ago=1)
        self.assertFalse(self.customer.cs_marketing_consent)
        # the ledger's own flag writes add no entry: no recursion
        self.assertEqual(len(self._entries(self.customer)), 4)

    def test_do_not_contact_withdraws_and_lifting_grants_again(self):
        self.customer.cs_marketing_consent = True
        self.customer.cs_do_not_contact = True
        withdrawn = self._entries(self.customer).filtered(
            lambda entry: entry.state == "withdrawn"
        )
        self.assertEqual(
            sorted(withdrawn.mapped("purpose")),
            ["care", "event", "marketing", "survey"],
        )
        self.assertEqual(set(withdrawn.mapped("channel")), {"all"})
        # do not contact clears the marketing consent
        self.assertFalse(self.customer.cs_marketing_consent)
        self.customer.cs_do_not_contact = False
        for purpose, state in [
            ("care", "granted"),
            ("event", "granted"),
            ("survey", "granted"),
            ("marketing", "withdrawn"),
        ]:
            with self.subTest(purpose=purpose):
                self.assertEqual(
                    self.customer._cs_current_consents(purpose, "phone"),
                    {self.customer: state},
                )
        self.assertFalse(
            self.customer._cs_contact_refusals("care", "phone")[self.customer]
        )

    def test_flags_are_recorded_in_one_go(self):
        """As many queries for 20 customers as for one."""

        def queries(partners, vals):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            partners.write(vals)
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        many = self.Partner.create(
            [{"name": f"Consent Batch {index}"} for index in range(42)]
        )
        queries(many[40:], {"cs_marketing_consent": True, "cs_do_not_contact": True})
        for vals in (
            {"cs_marketing_consent": True},
            {"cs_do_not_contact": True},
            {"cs_do_not_contact": False},
        ):
            with self.subTest(vals=vals):
                one = queries(many[:1], vals)
                twenty = queries(many[20:40], vals)
                self.assertEqual(one, twenty)
        self.assertEqual(len(self._entries(many[20:40])), 20 * (1 + 4 + 3))


class TestConsentPolicy(ConsentCommon):
    def test_marketing_needs_a_grant(self):
        self.assertEqual(
            self.customer._cs_contact_refusals("marketing", "email"),
            {self.customer: NO_CONSENT},
        )
        self._record(self.customer, "marketing", "email", "granted", days_ago=1)
        self.assertFalse(
            self.customer._cs_contact_refusals("marketing", "email")[self.customer]
        )
        self.assertEqual(
            self.customer._cs_contact_refusals("marketing", "phone"),
            {self.customer: NO_CONSENT},
        )

    def test_withdrawal_refuses_its_purpose_and_channel(self):
        # care rests on legitimate interest: allowed without any entry
        self.assertFalse(
            self.customer._cs_contact_refusals("care", "email")[self.customer]
        )
        self._record(self.customer, "care", "email", "withdrawn", days_ago=1)
        self.assertEqual(
            self.customer._cs_contact_refusals("care", "email"),
            {self.customer: "The customer withdrew consent to Customer Care by Email."},
        )
        self.assertFalse(
            self.customer._cs_contact_refusals("care", "phone")[self.customer]
        )
        self.assertFalse(
            self.customer._cs_contact_refusals("event", "email")[self.customer]
        )
        # a service reply needs no consent
        self._record(self.customer, "care", "all", "withdrawn", days_ago=0)
        self.assertFalse(
            self.customer._cs_contact_refusals("service", "email")[self.customer]
        )

    def test_do_not_contact_reason_comes_first(self):
        self.customer.cs_do_not_contact = True
        self.assertEqual(
            self.customer._cs_contact_refusals("survey", "phone"),
            {self.customer: DO_NOT_CONTACT},
        )

    def test_blacklist_still_applies_with_consent(self):
        self.customer.cs_marketing_consent = True
        self.env["mail.blacklist"].create({"email": self.customer.email})
        self.assertRegex(
            self.customer._cs_contact_refusals("marketing", "email")[self.customer],
            "blacklisted",
        )


class TestConsentAccess(ConsentCommon):
    def test_agent_reads_the_consent_of_managed_customers(self):
        managed = self._record(self.customer, "care", "email", "granted", days_ago=2)
        other = self._record(self.customer2, "survey", "email", "granted", days_ago=1)
        Consent = self.Consent.with_user(self.agent_a)
        self.assertEqual(Consent.search([]), managed)
        with self.assertRaises(AccessError):
            other.with_user(self.agent_a).read(["state"])
        self.assertFalse(self.Consent.with_user(self.agent_b).search([]))

    def test_agent_records_what_any_customer_says(self):
        """A customer may withdraw consent to whichever agent answers: the
        agent records it, and reads the entries it recorded."""
        Consent = self.Consent.with_user(self.agent_b)
        entry = Consent.create(
            {"partner_id": self.customer.id, "purpose": "survey", "state": "withdrawn"}
        )
        self.assertEqual(Consent.search([]), entry)
        self.assertEqual(
            self.customer._cs_current_consents("survey", "phone"),
            {self.customer: "withdrawn"},
        )
        # nor may the agent pass it as recorded by the relationship manager
        with self.assertRaises(AccessError):
            Consent.create(
                {
                    "partner_id": self.customer2.id,
                    "purpose": "survey",
                    "user_id": self.agent_a.id,
                }
            )

    def test_supervisor_reads_and_records_for_every_customer(self):
        entry = self._record(self.customer2, "event", "all", "granted", days_ago=1)
        Consent = self.Consent.with_user(self.supervisor_a)
        self.assertIn(entry, Consent.search([]))
        Consent.create({"partner_id": self.customer2.id, "purpose": "event"})

    def test_employee_and_portal_are_denied(self):
        entry = self._record(self.customer, "care", "all", "granted", days_ago=1)
        for user in (self.employee, self.portal):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    entry.with_user(user).read(["state"])
                with self.assertRaises(AccessError):
                    self.Consent.with_user(user).create(
                        {"partner_id": self.customer.id, "purpose": "care"}
                    )

    def test_other_company_entries_are_hidden(self):
        entry = self._record(self.customer, "care", "all", "granted", days_ago=1)
        self.assertNotIn(entry, self.Consent.with_user(self.supervisor_c).search([]))
