from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.tools import SQL
from odoo.tools.translate import code_translations

from odoo.addons.customer_service_bank.models.constants import (
    CONTACT_CHANNELS,
    CONTACT_PURPOSES,
)

from .common import CsCommon
from .test_customer_followup import FollowupCommon
from .test_nps import NpsCommon

PURPOSES = [purpose for purpose, _label in CONTACT_PURPOSES]
CHANNELS = [channel for channel, _label in CONTACT_CHANNELS]
ARCHIVED = "The customer is archived."
DECEASED = "The customer has died."
DO_NOT_CONTACT = "The customer asked not to be contacted."
NO_CONSENT = "The customer has not consented to marketing."
NO_EMAIL = "The customer has no valid email address."
BLACKLISTED = "The customer's email address is blacklisted: it opted out of mailings."
PHONE_ONLY = "The customer's special needs ask for contact by Phone."
NO_CARE_BY_EMAIL = "The customer withdrew consent to Customer Care by Email."
NO_MARKETING_CALLS = "The customer withdrew consent to Marketing by Phone."
SECRET_NEED = "Confidential Hearing Loss"


class ContactPolicyCommon(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Partner = cls.env["res.partner"]
        cls.phone_need = cls.env["cs.special.need"].create(
            {"name": SECRET_NEED, "kind": "disability", "contact_channel": "phone"}
        )
        cls.letter_need = cls.env["cs.special.need"].create(
            {"name": "Letters Only", "kind": "other", "contact_channel": "letter"}
        )
        cls.no_channel_need = cls.env["cs.special.need"].create(
            {"name": "Any Channel", "kind": "elderly"}
        )

    @classmethod
    def _contact(cls, name, **values):
        return cls.Partner.create(
            {
                "name": name,
                "email": f"{name.lower().replace(' ', '.')}@example.com",
                "cs_marketing_consent": True,
                **values,
            }
        )


class TestContactPolicy(ContactPolicyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ok = cls._contact(
            "Policy Ok", cs_special_need_ids=[Command.set(cls.no_channel_need.ids)]
        )
        cls.dnc = cls._contact("Policy Dnc", cs_do_not_contact=True)
        cls.blacklisted = cls._contact("Policy Blacklisted")
        cls.env["mail.blacklist"].create({"email": "Policy.Blacklisted@example.com"})
        cls.no_email = cls._contact("Policy No Email", email=False)
        cls.no_consent = cls._contact("Policy No Consent", cs_marketing_consent=False)
        cls.phone_only = cls._contact(
            "Policy Phone Only", cs_special_need_ids=[Command.set(cls.phone_need.ids)]
        )
        cls.archived = cls._contact("Policy Archived", active=False)
        cls.deceased = cls._contact("Policy Deceased", cs_deceased=True)
        # the consent ledger: care by email withdrawn, marketing by email
        # only, marketing on all channels but calls (recorded after the
        # marketing consent flag's own entry)
        cls.no_care_by_email = cls._contact("Policy No Care By Email")
        cls.marketing_by_email = cls._contact(
            "Policy Marketing By Email", cs_marketing_consent=False
        )
        cls.no_marketing_calls = cls._contact("Policy No Marketing Calls")
        cls.env["cs.customer.consent"].create(
            [
                {
                    "partner_id": partner.id,
                    "purpose": purpose,
                    "channel": channel,
                    "state": state,
                }
                for partner, purpose, channel, state in [
                    (cls.no_care_by_email, "care", "email", "withdrawn"),
                    (cls.marketing_by_email, "marketing", "email", "granted"),
                    (cls.no_marketing_calls, "marketing", "phone", "withdrawn"),
                ]
            ]
        )
        cls.matrix = (
            cls.ok
            | cls.dnc
            | cls.blacklisted
            | cls.no_email
            | cls.no_consent
            | cls.phone_only
            | cls.archived
            | cls.deceased
            | cls.no_care_by_email
            | cls.marketing_by_email
            | cls.no_marketing_calls
        )

    def _expected(self, partner, purpose, channel):
        """The reason the rules table of the policy gives, False when allowed."""
        service = purpose == "service"
        if partner == self.archived:
            return ARCHIVED
        # the bank still answers the complaints of a deceased customer's estate
        if partner == self.deceased and not service:
            return DECEASED
        if partner == self.dnc and not service:
            return DO_NOT_CONTACT
        if partner == self.no_care_by_email and (purpose, channel) == (
            "care",
            "email",
        ):
            return NO_CARE_BY_EMAIL
        if partner == self.no_marketing_calls and (purpose, channel) == (
            "marketing",
            "phone",
        ):
            return NO_MARKETING_CALLS
        if purpose == "marketing" and (
            partner == self.no_consent
            or (partner == self.marketing_by_email and channel != "email")
        ):
            return NO_CONSENT
        if partner == self.phone_only and not service and channel != "phone":
            return PHONE_ONLY
        if partner == self.no_email and channel == "email":
            return NO_EMAIL
        if partner == self.blacklisted and not service and channel == "email":
            return BLACKLISTED
        return False

    def _allowed_in_sql(self, partners, purpose, channel):
        Partner = self.env["res.partner"]
        Partner._cs_contact_flush()
        rows = self.env.execute_query(
            SQL(
                "SELECT p.id FROM res_partner p WHERE p.id = ANY(%s) AND %s",
                partners.ids,
                Partner._cs_contact_allowed_sql("p", purpose, channel),
            )
        )
        return Partner.browse(row[0] for row in rows)

    def test_rules_table(self):
        for purpose in PURPOSES:
            for channel in CHANNELS:
                refusals = self.matrix._cs_contact_refusals(purpose, channel)
                for partner in self.matrix:
                    with self.subTest(
                        customer=partner.name, purpose=purpose, channel=channel
                    ):
                        self.assertEqual(
                            refusals[partner],
                            self._expected(partner, purpose, channel),
                        )

    def test_exact_reasons(self):
        refusals = self.matrix._cs_contact_refusals("marketing", "email")
        self.assertEqual(
            [refusals[partner] for partner in self.matrix],
            [
                False,
                DO_NOT_CONTACT,
                BLACKLISTED,
                NO_EMAIL,
                NO_CONSENT,
                PHONE_ONLY,
                ARCHIVED,
                DECEASED,
                False,
                False,
                False,
            ],
        )
        # a service reply answers even do-not-contact, blacklisted and
        # deceased customers
        service = self.matrix._cs_contact_refusals("service", "email")
        self.assertEqual(
            self.matrix.filtered(lambda partner: not service[partner]),
            self.ok
            | self.dnc
            | self.blacklisted
            | self.no_consent
            | self.phone_only
            | self.deceased
            | self.no_care_by_email
            | self.marketing_by_email
            | self.no_marketing_calls,
        )

    def test_first_reason_wins(self):
        partner = self._contact(
            "Policy Many",
            email=False,
            cs_do_not_contact=True,
            cs_marketing_consent=False,
        )
        self.assertEqual(
            partner._cs_contact_refusals("marketing", "email"),
            {partner: DO_NOT_CONTACT},
        )
        self.assertEqual(
            partner._cs_contact_refusals("service", "email"), {partner: NO_EMAIL}
        )

    def test_conflicting_needs_name_every_channel_asked(self):
        self.phone_only.cs_special_need_ids |= self.letter_need
        self.assertEqual(
            self.phone_only._cs_contact_refusals("care", "email"),
            {
                self.phone_only: "The customer's special needs ask for contact "
                "by Letter or Phone."
            },
        )
        self.assertEqual(
            self.phone_only._cs_contact_refusals("care", "phone"),
            {
                self.phone_only: "The customer's special needs ask for contact "
                "by Letter."
            },
        )

    def test_sql_and_python_agree(self):
        for purpose in PURPOSES:
            for channel in CHANNELS:
                with self.subTest(purpose=purpose, channel=channel):
                    refusals = self.matrix._cs_contact_refusals(purpose, channel)
                    allowed = self.Partner.browse(
                        partner.id for partner, reason in refusals.items() if not reason
                    )
                    self.assertEqual(
                        self._allowed_in_sql(self.matrix, purpose, channel), allowed
                    )
                    self.assertEqual(
                        self.matrix._cs_contactable(purpose, channel), allowed
                    )

    def test_pending_changes_are_seen(self):
        self.ok.cs_do_not_contact = True
        self.phone_only.cs_special_need_ids = False
        self.env["mail.blacklist"].create({"email": "policy.ok@example.com"})
        self.assertEqual(
            self.ok._cs_contact_refusals("survey", "phone"), {self.ok: DO_NOT_CONTACT}
        )
        self.assertEqual(
            self.phone_only._cs_contact_refusals("survey", "email"),
            {self.phone_only: False},
        )
        self.assertFalse(self._allowed_in_sql(self.ok, "survey", "phone"))
        self.assertEqual(
            self._allowed_in_sql(self.phone_only, "survey", "email"), self.phone_only
        )

    def test_one_query_for_any_number_of_customers(self):
        many = self.Partner.create(
            [
                {"name": f"Policy Batch {index}", "email": f"batch{index}@example.com"}
                for index in range(50)
            ]
        )
        many[::2].cs_do_not_contact = True
        many[1].cs_special_need_ids = self.phone_need
        self.env.flush_all()
        many._cs_contact_refusals("survey", "email")
        for partners in (many[:1], many):
            with self.assertQueryCount(1):
                refusals = partners._cs_contact_refusals("survey", "email")
            self.assertEqual(len(refusals), len(partners))
        self.assertEqual(refusals[many[0]], DO_NOT_CONTACT)
        self.assertEqual(refusals[many[1]], PHONE_ONLY)
        self.assertFalse(refusals[many[3]])

    def test_reasons_are_translated(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        zh = self.dnc.with_context(lang="zh_CN")
        # the reasons go through the code translations of the addon
        with patch.dict(
            code_translations.python_translations,
            {("customer_service_bank", "zh_CN"): {DO_NOT_CONTACT: "TRANSLATED"}},
        ):
            self.assertEqual(
                zh._cs_contact_refusals("care", "phone"), {zh: "TRANSLATED"}
            )
        self.assertEqual(
            self.dnc._cs_contact_refusals("care", "phone"), {self.dnc: DO_NOT_CONTACT}
        )

    def test_reason_never_names_the_need(self):
        reason = self.phone_only._cs_contact_refusals("event", "letter")[
            self.phone_only
        ]
        self.assertEqual(reason, PHONE_ONLY)
        self.assertNotIn(SECRET_NEED, reason)
        self.assertNotIn("Hearing", reason)

    def test_agent_who_cannot_read_the_needs_gets_the_same_answer(self):
        as_agent = self.matrix.with_user(self.agent_a)
        self.assertFalse(as_agent.browse(self.phone_only.id).cs_special_need_ids)
        refusals = as_agent._cs_contact_refusals("care", "email")
        self.assertEqual(refusals[as_agent.browse(self.phone_only.id)], PHONE_ONLY)
        self.assertEqual(refusals[as_agent.browse(self.ok.id)], False)

    def test_unknown_purpose_or_channel_is_a_programming_error(self):
        with self.assertRaises(ValueError):
            self.ok._cs_contact_refusals("lottery", "email")
        with self.assertRaises(ValueError):
            self.ok._cs_contact_refusals("care", "pigeon")


class TestContactPolicyInNps(NpsCommon, ContactPolicyCommon):
    """Sampling, by email, leaves out blacklisted addresses (stricter than
    before the policy) and customers whose special needs ask for a call."""

    def test_sampling_follows_the_policy(self):
        gold = self._customer("Gold ok", self.gold)
        blacklisted = self._customer("Gold blacklisted", self.gold)
        self.env["mail.blacklist"].create({"email": blacklisted.email})
        by_phone = self._customer("Gold by phone", self.gold)
        by_phone.cs_special_need_ids = self.phone_need
        survey = self._survey(self.gold)
        self._run()
        self.assertEqual(self._responses(survey).partner_id, gold)

    def test_detractor_whose_needs_ask_for_letters_gets_no_call(self):
        survey = self._survey(self.gold)
        partner = self._customer("Letters", self.gold)
        partner.cs_special_need_ids = self.letter_need
        response = self.Response.create(
            {
                "survey_id": survey.id,
                "partner_id": partner.id,
                "segment_id": self.gold.id,
                "sent_date": fields.Datetime.now(),
            }
        )
        response._record_answer(1)
        self.assertEqual(response.category, "detractor")
        self.assertFalse(response.followup_id)


class TestContactPolicyInFollowups(FollowupCommon, ContactPolicyCommon):
    def test_cron_skips_customers_whose_needs_ask_for_letters(self):
        letters = self._customer("Key by letter", self.gold, manager=self.agent_a)
        letters.cs_special_need_ids = self.letter_need
        phone = self._customer("Key by phone", self.gold, manager=self.agent_a)
        phone.cs_special_need_ids = self.phone_need
        self.assertEqual(self._plan().partner_id, phone)

    def test_no_call_after_a_complaint_of_an_archived_customer(self):
        complaint = self._complaint(user_id=self.agent_a.id)
        self.customer.action_archive()
        complaint.write({"outcome": "upheld", "stage_id": self.stage_resolved.id})
        self.assertTrue(complaint.resolved_date)
        self.assertFalse(self._followups(self.customer))


class TestContactPolicyInRatings(ContactPolicyCommon):
    """Rating requests are surveys by email: no mail to a blacklisted or
    missing address (stricter than before the policy)."""

    def test_blacklisted_or_missing_address_is_not_asked(self):
        self.env["mail.blacklist"].create({"email": self.customer.email})
        self.customer2.email = False
        complaints = self.create_complaint(
            received_date=fields.Datetime.now() - timedelta(days=1)
        ) | self.create_complaint(
            partner_id=self.customer2.id,
            received_date=fields.Datetime.now() - timedelta(days=1),
        )
        complaints.write({"outcome": "upheld", "stage_id": self.stage_resolved.id})
        self.assertEqual(complaints.mapped("stage_kind"), ["resolved", "resolved"])
        self.assertFalse(complaints.filtered("rating_request_date"))
        self.assertFalse(
            self.env["rating.rating"].search(
                [("res_model", "=", "cs.complaint"), ("res_id", "in", complaints.ids)]
            )
        )
