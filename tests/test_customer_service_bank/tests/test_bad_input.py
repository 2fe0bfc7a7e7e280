from contextlib import contextmanager
from datetime import datetime, timedelta

import psycopg2

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.service.model import _as_validation_error
from odoo.tests import Form, freeze_time
from odoo.tools import file_path, mute_logger
from odoo.tools.translate import code_translations

from .common import CsCommon

NOW = datetime(2026, 11, 20, 8, 0)


@freeze_time(NOW)
class TestBadInput(CsCommon):
    """Every mistake a user can make is refused with a message saying what to fix."""

    @contextmanager
    def assertCheckViolation(self, message):
        """A CHECK constraint refuses the data; the user reads ``message``.

        The ORM lets PostgreSQL's error through; the RPC layer turns it into
        a ValidationError with the constraint's message.
        """
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.CheckViolation) as caught,
        ):
            yield
            self.env.flush_all()
        self.assertEqual(
            str(_as_validation_error(self.env, caught.exception)),
            f"The operation cannot be completed: {message}",
        )

    # complaints

    def test_received_date_in_the_future(self):
        with self.assertRaisesRolledBack(
            ValidationError,
            r"CMP/2026/\d{5}: the received date cannot be in the future",
        ):
            self.create_complaint(received_date=NOW + timedelta(days=1))
        # a few minutes ahead is clock skew between systems
        complaint = self.create_complaint(received_date=NOW + timedelta(minutes=2))
        self.assertEqual(complaint.received_date, NOW + timedelta(minutes=2))
        with self.assertRaisesRolledBack(ValidationError, "cannot be in the future"):
            complaint.received_date = NOW + timedelta(minutes=6)
        self.assertEqual(complaint.received_date, NOW + timedelta(minutes=2))

    def test_received_date_too_long_ago(self):
        self.company_a.cs_received_max_age_years = 6
        old = datetime(1900, 1, 1)
        as_agent = self.env["cs.complaint"].with_user(self.agent_a)
        values = {
            "subject": "Cheque lost",
            "partner_id": self.customer.id,
            "team_id": self.team_a.id,
        }
        before = as_agent.search_count([])
        with self.assertRaisesRolledBack(
            ValidationError,
            r"CMP/2026/\d{5}: the received date is more than 6 years ago\. Check "
            r"the date; only a customer-service manager may record",
        ):
            as_agent.create({**values, "received_date": old})
        self.assertEqual(as_agent.search_count([]), before)
        # the limit is the setting's, to the day
        limit = NOW.replace(year=2020)
        with self.assertRaisesRolledBack(ValidationError, "more than 6 years ago"):
            as_agent.create({**values, "received_date": limit - timedelta(hours=1)})
        recent = as_agent.create({**values, "received_date": limit})
        with self.assertRaisesRolledBack(ValidationError, "more than 6 years ago"):
            recent.received_date = old
        self.assertEqual(recent.received_date, limit)
        # a supervisor may not backdate either; a manager may
        with self.assertRaisesRolledBack(ValidationError, "more than 6 years ago"):
            recent.with_user(self.supervisor_a).received_date = old
        recent.with_user(self.manager).received_date = old
        self.assertEqual(recent.received_date, old)
        self.company_a.cs_received_max_age_years = 200
        self.assertTrue(as_agent.create({**values, "received_date": old}))

    def test_blank_subject(self):
        as_agent = self.env["cs.complaint"].with_user(self.agent_a)
        values = {"partner_id": self.customer.id, "team_id": self.team_a.id}
        before = as_agent.search_count([])
        # RPC clients can send what the form's required flag refuses
        for blank in ("", "   ", "\t\n", "\u3000", "\u200b \ufeff"):
            with self.assertRaisesRolledBack(
                ValidationError, "^A complaint needs a subject with visible text.$"
            ):
                as_agent.create({**values, "subject": blank})
        self.assertEqual(as_agent.search_count([]), before)
        complaint = as_agent.create({**values, "subject": " 年费 "})
        with self.assertRaisesRolledBack(ValidationError, "with visible text"):
            complaint.subject = " "
        self.assertEqual(complaint.subject, " 年费 ")

    def test_negative_redress(self):
        complaint = self.create_complaint()
        with self.assertRaisesRolledBack(
            ValidationError, "^The redress amount cannot be negative.$"
        ):
            complaint.redress_amount = -10.0
        with self.assertRaisesRolledBack(
            ValidationError, "^The redress amount cannot be negative.$"
        ):
            self.create_complaint(redress_amount=-10.0)
        complaint.redress_amount = 0.0
        self.assertEqual(complaint.redress_amount, 0.0)

    def test_resolving_or_closing_without_outcome(self):
        complaint = self.create_complaint()
        for stage in (self.stage_resolved, self.stage_closed):
            with self.assertRaisesRolledBack(
                UserError, rf"Set the outcome of {complaint.name} before resolving it."
            ):
                complaint.stage_id = stage
            self.assertEqual(complaint.stage_id, self.stage_new)
        with self.assertRaisesRolledBack(UserError, "Set the outcome of"):
            self.create_complaint(stage_id=self.stage_resolved.id)

    def test_complaint_of_another_company_team(self):
        with self.assertRaisesRolledBack(
            UserError, "Incompatible companies on records"
        ):
            self.create_complaint(team_id=self.team_c.id)

    def test_required_complaint_fields_in_the_form(self):
        form = Form(self.env["cs.complaint"].with_user(self.agent_a))
        form.partner_id = self.customer
        with self.assertRaisesRegex(AssertionError, "subject is a required field"):
            form.save()
        form.subject = "Card blocked"
        form.partner_id = self.env["res.partner"]
        with self.assertRaisesRegex(AssertionError, "partner_id is a required field"):
            form.save()
        form.partner_id = self.customer
        complaint = form.save()
        self.assertEqual(complaint.team_id, self.team_a)

    # stages

    def test_unknown_stage_kind_on_import(self):
        Stage = self.env["cs.complaint.stage"]
        before = Stage.search_count([])
        result = Stage.load(["name", "kind"], [["X", "bogus"]])
        self.assertFalse(result["ids"])
        self.assertEqual(len(result["messages"]), 1)
        message = result["messages"][0]
        self.assertEqual((message["type"], message["field"]), ("error", "kind"))
        self.assertEqual(
            message["message"], "Value 'bogus' not found in selection field 'Kind'"
        )
        self.assertIn("Awaiting Customer", message["moreinfo"])
        self.assertEqual(Stage.search_count([]), before)

    def test_unknown_stage_kind_on_write(self):
        with self.assertRaisesRegex(
            ValueError, r"Wrong value for cs.complaint.stage.kind: 'bogus'"
        ):
            self.stage_in_progress.kind = "bogus"

    # deadline policies and settings

    def test_policy_times_and_threshold(self):
        values = {
            "name": "Bad policy",
            "company_id": self.company_a.id,
            "resolve_time": 10,
        }
        Policy = self.env["cs.sla.policy"]
        with self.assertCheckViolation("The acknowledgement time cannot be negative."):
            Policy.create({**values, "ack_time": -1})
        with self.assertCheckViolation("The resolution time must be positive."):
            Policy.create({**values, "resolve_time": 0})
        for threshold in (150.0, -5.0):
            with self.assertCheckViolation(
                "The warning threshold must be between 0 and 100%."
            ):
                Policy.create({**values, "warning_threshold": threshold})
        with self.assertCheckViolation("The resolution time must be positive."):
            self.policy_nfra.resolve_time = -15
        policy = Policy.create({**values, "ack_time": 0, "warning_threshold": 100.0})
        self.assertEqual(policy._effective_warning_threshold(), 100.0)

    def test_extension_step_without_time(self):
        with self.assertCheckViolation("An extension must add time."):
            self.env["cs.sla.policy.extension"].create(
                {
                    "name": "Nothing",
                    "policy_id": self.policy_nfra.id,
                    "time": 0,
                    "group_id": self.env.ref(
                        "customer_service_bank.group_cs_supervisor"
                    ).id,
                }
            )

    def test_company_settings_out_of_range(self):
        for field, value, message in [
            (
                "cs_warning_threshold",
                150.0,
                "The deadline warning threshold must be between 0 and 100%.",
            ),
            (
                "cs_warning_threshold",
                -1.0,
                "The deadline warning threshold must be between 0 and 100%.",
            ),
            (
                "cs_repeat_window_days",
                -1,
                "The repeat complaint window cannot be negative.",
            ),
            (
                "cs_manager_escalation_hours",
                -2,
                "The manager escalation delay cannot be negative.",
            ),
        ]:
            with self.assertRaisesRolledBack(ValidationError, f"^{message}$"):
                self.company_a[field] = value
            # a new company is checked as well
            with self.assertRaisesRolledBack(ValidationError, f"^{message}$"):
                self.env["res.company"].create({"name": "Bank C", field: value})
        with self.assertRaisesRolledBack(
            ValidationError, "warning threshold must be between 0 and 100%"
        ):
            self.env["res.config.settings"].create(
                {"cs_warning_threshold": 101.0}
            ).execute()
        self.assertEqual(self.company_a.cs_warning_threshold, 75.0)
        self.assertEqual(self.company_a.cs_repeat_window_days, 30)

    # taxonomies

    def test_category_cannot_be_its_own_ancestor(self):
        # the parent store refuses the loop before the mixin's own constraint
        for parent in (self.cat_fees, self.cat_cards):
            with self.assertRaisesRolledBack(UserError, "^Recursion Detected.$"):
                self.cat_cards.parent_id = parent
        self.assertFalse(self.cat_cards.parent_id)
        self.assertEqual(self.cat_fees.complete_name, "Cards / Fees")

    def test_duplicate_category_code(self):
        Category = self.env["cs.complaint.category"]
        with self.assertRaisesRolledBack(
            ValidationError, "The category code T-CARD is already used."
        ):
            Category.create({"name": "Cards again", "code": "T-CARD"})
        self.cat_loans.active = False
        with self.assertRaisesRolledBack(
            ValidationError, "The category code T-LOAN is already used."
        ):
            Category.create({"name": "Loans again", "code": "T-LOAN"})
        with self.assertRaisesRolledBack(
            ValidationError, "The category code T-CARD is already used."
        ):
            self.cat_loans.code = "T-CARD"
        # a company may reuse a shared code, and categories may have none
        own = Category.create(
            {"name": "Cards", "code": "T-CARD", "company_id": self.company_b.id}
        )
        uncoded = Category.create([{"name": "Misc"}, {"name": "Other"}])
        self.assertEqual(own.code, "T-CARD")
        self.assertEqual(uncoded.mapped("code"), [False, False])

    # merge wizard

    def test_merge_wizard_is_for_supervisors(self):
        first = self.create_complaint()
        second = self.create_complaint(received_date=datetime(2026, 11, 3, 2, 0))
        context = (first | second).action_merge()["context"]
        with self.assertRaisesRolledBack(AccessError, "not allowed to create"):
            self.env["cs.complaint.merge"].with_user(self.agent_a).with_context(
                **context
            ).create({})
        wizard = (
            self.env["cs.complaint.merge"]
            .with_user(self.supervisor_a)
            .with_context(**context)
            .create({})
        )
        self.assertEqual(wizard.complaint_ids, first | second)
        self.assertEqual(wizard.target_id, first)

    # translations

    def test_error_messages_are_translated(self):
        try:
            file_path("customer_service_bank/i18n/zh_CN.po")
        except FileNotFoundError:
            self.skipTest("customer_service_bank/i18n/zh_CN.po is not written yet")
        self.env["res.lang"]._activate_lang("zh_CN")
        self.agent_a.lang = "zh_CN"
        translations = code_translations.get_python_translations(
            "customer_service_bank", "zh_CN"
        )
        source = "Set the outcome of %(complaint)s before resolving it."
        self.assertTrue(
            translations.get(source), f"zh_CN.po does not translate {source!r}"
        )
        complaint = self.create_complaint()
        as_agent = complaint.with_user(self.agent_a).with_context(
            lang=self.agent_a.lang
        )
        with self.assertRaises(UserError) as caught:
            as_agent.stage_id = self.stage_resolved
        self.assertEqual(
            str(caught.exception), translations[source] % {"complaint": complaint.name}
        )
        self.assertNotIn("Set the outcome", str(caught.exception))
