"""Customer profiles, banking products, holdings and transactions.

The batch import (``cs.customer.transaction.import_batch``) is the JSON-RPC
entry point of core banking: idempotent, set-based, bad rows reported
without stopping the good ones.
"""

import json
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user
from odoo.tools import mute_logger

from .common import CsCommon

TRANSACTION = "cs.customer.transaction"
HOLDING = "cs.product.holding"
PRODUCT = "cs.product"


class CustomerCommon(CsCommon):
    """Numbered customers in both companies, a product and a holding each.

    ``customer`` (C001, shared, managed by agent_a) and ``customer2`` (C002,
    shared, no relationship manager); ``customer_a3`` (C003, company A only);
    ``customer_b`` (C001 too, company B only).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write(
            {"cs_customer_number": "C001", "cs_relationship_manager_id": cls.agent_a.id}
        )
        cls.customer2.cs_customer_number = "C002"
        cls.customer_a3 = cls.env["res.partner"].create(
            {
                "name": "Customer A3",
                "company_id": cls.company_a.id,
                "cs_customer_number": "C003",
            }
        )
        cls.customer_b.cs_customer_number = "C001"
        cls.usd = cls.env.ref("base.USD")
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.chf = cls.env.ref("base.CHF")
        cls.chf.active = False
        cls.savings = cls.env[PRODUCT].create(
            {"name": "Test Savings", "code": "T-SAV", "category": "deposit"}
        )
        cls.card_b = cls.env[PRODUCT].create(
            {
                "name": "Test Card B",
                "code": "T-CRD",
                "category": "card",
                "company_id": cls.company_b.id,
            }
        )

    def row(self, reference, **values):
        """A valid row of C001 for 100.5 USD on 2 November 2026."""
        return {
            "customer_number": "C001",
            "product_code": "T-SAV",
            "date": "2026-11-02",
            "type": "deposit",
            "channel": "branch",
            "amount": 100.5,
            "currency": "USD",
            "reference": reference,
            **values,
        }

    def transactions(self, *references, company=None):
        return self.env[TRANSACTION].search(
            [
                ("reference", "in", references),
                ("company_id", "=", (company or self.company_a).id),
            ],
            order="reference",
        )


class TestImportBatch(CustomerCommon):
    def test_same_batch_twice_creates_once(self):
        batch = [
            self.row("T-1"),
            self.row("T-2", customer_number="C002", amount=20, currency="EUR"),
            self.row("T-3", product_code=None, channel=None, type="fee", amount="7.25"),
        ]
        Transaction = self.env[TRANSACTION].with_user(self.supervisor_a)
        result = Transaction.import_batch(batch)
        self.assertEqual(result, {"created": 3, "duplicates": 0, "errors": []})
        t1, t2, t3 = self.transactions("T-1", "T-2", "T-3")
        self.assertEqual(
            (t1.partner_id, t1.product_id, t1.date, t1.transaction_type, t1.channel),
            (self.customer, self.savings, date(2026, 11, 2), "deposit", "branch"),
        )
        self.assertEqual((t1.amount, t1.currency_id), (100.5, self.usd))
        self.assertEqual(
            (t1.company_id, t1.create_uid), (self.company_a, self.supervisor_a)
        )
        self.assertTrue(t1.create_date)
        self.assertEqual(
            (t2.partner_id, t2.amount, t2.currency_id), (self.customer2, 20, self.eur)
        )
        self.assertEqual(
            (t3.product_id.id, t3.channel, t3.transaction_type, t3.amount),
            (False, False, "fee", 7.25),
        )
        # the ORM sees the inserted rows through the partner too
        self.assertEqual(self.customer.cs_transaction_ids, t1 | t3)

        again = Transaction.import_batch(batch)
        self.assertEqual(again, {"created": 0, "duplicates": 3, "errors": []})
        self.assertEqual(len(self.transactions("T-1", "T-2", "T-3")), 3)

    def test_bad_rows_reported_good_rows_created(self):
        cases = [
            # (row, message fragment)
            (
                self.row("B-customer", customer_number="NOPE"),
                "Unknown customer number NOPE",
            ),
            (
                self.row("B-no-customer", customer_number=None),
                "Unknown customer number",
            ),
            (self.row("B-currency", currency="XXX"), "Unknown currency XXX"),
            (self.row("B-inactive", currency="CHF"), "The currency CHF is inactive"),
            (self.row("B-no-amount", amount=None), "Invalid amount None"),
            (self.row("B-text-amount", amount="ten"), "Invalid amount 'ten'"),
            (self.row("B-negative", amount=-5), "it must be positive"),
            (self.row("B-zero", amount=0), "it must be positive"),
            (self.row("B-rounds-to-zero", amount=0.001), "Invalid amount 0.0"),
            (self.row("B-absurd", amount=10**12), "below 10^12"),
            (self.row("B-nan", amount=float("nan")), "a number is expected"),
            (self.row("B-date", date="2026-13-01"), "Invalid date '2026-13-01'"),
            (self.row("B-no-date", date=None), "Invalid date None"),
            (self.row("B-type", type="gift"), "Unknown transaction type 'gift'"),
            (self.row("B-channel", channel="pigeon"), "Unknown channel 'pigeon'"),
            (self.row("B-product", product_code="NOPE"), "Unknown product code NOPE"),
            # a product of company B is unknown in company A
            (
                self.row("B-product-b", product_code="T-CRD"),
                "Unknown product code T-CRD",
            ),
            (self.row(None), "The reference is missing"),
            (self.row("  "), "The reference is missing"),
            ("not a row", "The reference is missing"),
        ]
        good = [self.row("G-1"), self.row("G-2", amount=999_999_999_999.99)]
        batch = [good[0], *(row for row, _message in cases), good[1]]
        batch.append(self.row("G-1", amount=1))  # same reference as row 0
        result = self.env[TRANSACTION].with_user(self.manager).import_batch(batch)

        self.assertEqual((result["created"], result["duplicates"]), (2, 0))
        errors = result["errors"]
        self.assertEqual(
            [error["row"] for error in errors],
            [*range(1, len(cases) + 1), len(batch) - 1],
        )
        for error, (row, message) in zip(errors, cases, strict=False):
            reference = row.get("reference") if isinstance(row, dict) else None
            self.assertEqual(error["reference"], (reference or "").strip() or None)
            self.assertIn(message, error["message"])
        self.assertEqual(errors[-1]["reference"], "G-1")
        self.assertIn(
            "The reference appears twice in the batch.", errors[-1]["message"]
        )
        g1, g2 = self.transactions("G-1", "G-2")
        self.assertEqual((g1.amount, g2.amount), (100.5, 999_999_999_999.99))
        self.assertFalse(self.env[TRANSACTION].search([("reference", "=like", "B-%")]))

    def test_all_problems_of_a_row_in_one_message(self):
        result = self.env[TRANSACTION].import_batch(
            [self.row("M-1", customer_number="NOPE", currency="XXX", amount=-1)]
        )
        self.assertEqual((result["created"], result["duplicates"]), (0, 0))
        self.assertEqual(
            result["errors"],
            [
                {
                    "row": 0,
                    "reference": "M-1",
                    "message": "Unknown customer number NOPE. Unknown currency XXX. "
                    "Invalid amount -1.0: it must be positive and below 10^12.",
                }
            ],
        )

    def test_mixed_batch(self):
        """Already imported, new, bad and repeated rows in one batch."""
        Transaction = self.env[TRANSACTION].with_user(self.manager)
        Transaction.import_batch([self.row("X-1"), self.row("X-2")])
        result = Transaction.import_batch(
            [
                self.row("X-1"),
                self.row("X-3", amount=12.345),
                self.row("X-2", amount=-1),  # already imported: skipped, not checked
                self.row("X-4", currency="XXX"),
                self.row("X-3"),
                self.row("X-5", customer_number="C003", type="interest"),
            ]
        )
        self.assertEqual((result["created"], result["duplicates"]), (2, 2))
        self.assertEqual(
            [(error["row"], error["reference"]) for error in result["errors"]],
            [(3, "X-4"), (4, "X-3")],
        )
        x3, x5 = self.transactions("X-3", "X-5")
        self.assertEqual(x3.amount, 12.35)  # rounded to the currency
        self.assertEqual(
            (x5.partner_id, x5.transaction_type), (self.customer_a3, "interest")
        )
        self.assertEqual(len(self.transactions("X-1", "X-2", "X-3", "X-4", "X-5")), 4)

    def test_multi_company(self):
        """References are unique per company; customers resolve in the company."""
        batch = [
            self.row("MC-1", product_code=None),
            self.row("MC-2", customer_number="C003", product_code=None),
            self.row("MC-3", customer_number="C002", product_code="T-CRD"),
        ]
        result_a = (
            self.env[TRANSACTION].with_company(self.company_a).import_batch(batch)
        )
        self.assertEqual((result_a["created"], result_a["duplicates"]), (2, 0))
        self.assertEqual(
            [(error["row"], error["message"]) for error in result_a["errors"]],
            [(2, "Unknown product code T-CRD.")],
        )
        result_b = (
            self.env[TRANSACTION]
            .with_user(self.supervisor_c)
            .with_company(self.company_b)
            .import_batch(batch)
        )
        self.assertEqual((result_b["created"], result_b["duplicates"]), (2, 0))
        self.assertEqual(
            [(error["row"], error["message"]) for error in result_b["errors"]],
            [(1, "Unknown customer number C003.")],
        )
        mc1_a, mc2_a = self.transactions("MC-1", "MC-2", "MC-3")
        mc1_b, mc3_b = self.transactions("MC-1", "MC-2", "MC-3", company=self.company_b)
        self.assertEqual((mc1_a.reference, mc2_a.reference), ("MC-1", "MC-2"))
        self.assertEqual((mc1_b.reference, mc3_b.reference), ("MC-1", "MC-3"))
        # C001 is the shared customer in A, company B's own customer in B
        self.assertEqual(mc1_a.partner_id, self.customer)
        self.assertEqual(mc1_b.partner_id, self.customer_b)
        self.assertEqual(
            (mc3_b.partner_id, mc3_b.product_id), (self.customer2, self.card_b)
        )
        self.assertEqual(
            self.env[TRANSACTION].with_company(self.company_b).import_batch(batch[:1]),
            {"created": 0, "duplicates": 1, "errors": []},
        )

    def test_import_needs_create_access(self):
        for user in (self.agent_a, self.employee, self.portal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env[TRANSACTION].with_user(user).import_batch([self.row("A-1")])
        self.assertFalse(self.transactions("A-1"))

    def test_empty_or_malformed_batch(self):
        self.assertEqual(
            self.env[TRANSACTION].import_batch([]),
            {"created": 0, "duplicates": 0, "errors": []},
        )
        with self.assertRaisesRegex(UserError, "The batch must be a list of rows."):
            self.env[TRANSACTION].import_batch(self.row("E-1"))


class TestImportBatchJsonRpc(CustomerCommon, HttpCase):
    """Core banking calls the method through the external JSON-RPC API."""

    def call(self, rows):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [
                    self.env.cr.dbname,
                    self.supervisor_a.id,
                    self.supervisor_a.login,  # test users' password is their login
                    TRANSACTION,
                    "import_batch",
                    [rows],
                    {"context": {"allowed_company_ids": [self.company_a.id]}},
                ],
            },
        }
        response = self.url_open(
            "/jsonrpc",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def test_json_rpc_batch(self):
        rows = [self.row("J-1"), self.row("J-2", currency="XXX"), self.row("J-3")]
        first = self.call(rows)["result"]
        self.assertEqual((first["created"], first["duplicates"]), (2, 0))
        self.assertEqual(
            first["errors"],
            [{"row": 1, "reference": "J-2", "message": "Unknown currency XXX."}],
        )
        again = self.call(rows)["result"]
        self.assertEqual((again["created"], again["duplicates"]), (0, 2))
        j1, j3 = self.transactions("J-1", "J-2", "J-3")
        self.assertEqual(
            (j1.create_uid, j3.partner_id), (self.supervisor_a, self.customer)
        )


class TestStandardImport(CustomerCommon):
    FIELDS = [
        "reference",
        "partner_id",
        "date",
        "transaction_type",
        "amount",
        "currency_id",
    ]

    def load(self, rows):
        # load() lets PostgreSQL refuse bad rows, which it logs as bad queries
        with mute_logger("odoo.sql_db"):
            return self.env[TRANSACTION].with_user(self.manager).load(self.FIELDS, rows)

    def test_load(self):
        result = self.load(
            [
                ["L-1", "Customer One", "2026-11-02", "deposit", "10.5", "USD"],
                ["L-2", "Customer Two", "2026-11-03", "fee", "2", "EUR"],
            ]
        )
        self.assertEqual(result["messages"], [])
        l1, l2 = self.env[TRANSACTION].browse(result["ids"])
        self.assertEqual(
            (l1.reference, l1.partner_id, l1.date, l1.amount, l1.currency_id),
            ("L-1", self.customer, date(2026, 11, 2), 10.5, self.usd),
        )
        self.assertEqual((l2.partner_id, l2.transaction_type), (self.customer2, "fee"))
        self.assertEqual(l1.company_id, self.company_a)

    def test_load_reports_duplicates_and_missing_values(self):
        self.load([["L-1", "Customer One", "2026-11-02", "deposit", "10.5", "USD"]])
        result = self.load(
            [
                ["L-1", "Customer One", "2026-11-02", "deposit", "10.5", "USD"],
                ["", "Customer One", "2026-11-02", "deposit", "10.5", "USD"],
                ["L-3", "Customer One", "2026-11-02", "deposit", "-3", "USD"],
                ["L-4", "Customer One", "2026-11-02", "deposit", "4", "USD"],
            ]
        )
        self.assertFalse(result["ids"])  # load is all or nothing
        messages = [(m["record"], m["message"]) for m in result["messages"]]
        self.assertEqual(len(messages), 3, messages)
        self.assertEqual(messages[0][0], 0)
        self.assertIn("must be unique per company; already used: L-1", messages[0][1])
        self.assertEqual(messages[1][0], 1)
        self.assertIn(
            "Missing required value for the field 'Reference'", messages[1][1]
        )
        self.assertEqual(messages[2][0], 2)
        self.assertIn(
            "Transaction amounts must be positive and below 10^12", messages[2][1]
        )

    def test_orm_create_refuses_repeated_reference(self):
        values = {
            "reference": "O-1",
            "partner_id": self.customer.id,
            "date": "2026-11-02",
            "transaction_type": "deposit",
            "amount": 5,
            "currency_id": self.usd.id,
        }
        with self.assertRaisesRegex(ValidationError, "already used: O-1"):
            self.env[TRANSACTION].create([values, values])
        self.env[TRANSACTION].create(values)
        with self.assertRaisesRegex(ValidationError, "already used: O-1"):
            self.env[TRANSACTION].create(values)
        # the same reference in another company is another transaction
        other = self.env[TRANSACTION].create(
            dict(values, partner_id=self.customer_b.id, company_id=self.company_b.id)
        )
        self.assertEqual(other.company_id, self.company_b)


class TestCustomerAccess(CustomerCommon):
    """Who reads and writes products, holdings and transactions."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent_rm_b = new_test_user(
            cls.env,
            "cs_t_agent_rm_b",
            groups="customer_service_bank.group_cs_agent",
            company_id=cls.company_b.id,
            company_ids=[Command.set([cls.company_b.id])],
        )
        cls.customer_b.cs_relationship_manager_id = cls.agent_rm_b
        Holding = cls.env[HOLDING]
        cls.holding_1 = Holding.create(
            {"partner_id": cls.customer.id, "product_id": cls.savings.id, "balance": 10}
        )
        cls.holding_2 = Holding.create(
            {
                "partner_id": cls.customer2.id,
                "product_id": cls.savings.id,
                "balance": 20,
            }
        )
        cls.holding_b = Holding.create(
            {
                "partner_id": cls.customer_b.id,
                "product_id": cls.card_b.id,
                "balance": 30,
            }
        )
        Transaction = cls.env[TRANSACTION]
        Transaction.import_batch(
            [
                {
                    "customer_number": number,
                    "date": "2026-11-02",
                    "type": "deposit",
                    "amount": 1,
                    "currency": "USD",
                    "reference": f"ACL-{number}",
                }
                for number in ("C001", "C002")
            ]
        )
        Transaction.with_company(cls.company_b).import_batch(
            [
                {
                    "customer_number": "C001",
                    "date": "2026-11-02",
                    "type": "deposit",
                    "amount": 1,
                    "currency": "USD",
                    "reference": "ACL-B",
                }
            ]
        )
        cls.tx_1 = Transaction.search([("reference", "=", "ACL-C001")])
        cls.tx_2 = Transaction.search([("reference", "=", "ACL-C002")])
        cls.tx_b = Transaction.with_company(cls.company_b).search(
            [("reference", "=", "ACL-B"), ("company_id", "=", cls.company_b.id)]
        )

    def test_holding_company_follows_customer(self):
        self.assertEqual(self.holding_1.company_id, self.company_a)  # shared: current
        self.assertEqual(self.holding_b.company_id, self.company_b)
        self.assertEqual(
            (self.tx_1.partner_id, self.tx_b.partner_id),
            (self.customer, self.customer_b),
        )

    def test_sensitive_records_by_role(self):
        """Agents see the holdings and transactions of the customers they manage."""
        visible = {
            # user: (holdings, transactions)
            self.agent_a: (self.holding_1, self.tx_1),
            self.agent_a2: (self.env[HOLDING], self.env[TRANSACTION]),
            self.supervisor_a: (self.holding_1 | self.holding_2, self.tx_1 | self.tx_2),
            self.manager: (self.holding_1 | self.holding_2, self.tx_1 | self.tx_2),
            self.agent_rm_b: (self.holding_b, self.tx_b),
            self.agent_c: (self.env[HOLDING], self.env[TRANSACTION]),
            self.supervisor_c: (self.holding_b, self.tx_b),
        }
        everything = [
            ("id", "in", (self.holding_1 | self.holding_2 | self.holding_b).ids)
        ]
        all_tx = [("id", "in", (self.tx_1 | self.tx_2 | self.tx_b).ids)]
        for user, (holdings, transactions) in visible.items():
            with self.subTest(user=user.login):
                self.assertEqual(
                    self.env[HOLDING].with_user(user).search(everything),
                    holdings.with_user(user),
                )
                self.assertEqual(
                    self.env[TRANSACTION].with_user(user).search(all_tx),
                    transactions.with_user(user),
                )
        with self.assertRaises(AccessError):
            self.tx_2.with_user(self.agent_a).read(["amount"])
        with self.assertRaises(AccessError):
            self.holding_2.with_user(self.agent_a).read(["balance"])
        for user in (self.portal, self.employee):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env[TRANSACTION].with_user(user).search([])

    def test_only_managers_edit(self):
        with self.assertRaises(AccessError):
            self.holding_1.with_user(self.supervisor_a).balance = 5
        with self.assertRaises(AccessError):
            self.tx_1.with_user(self.supervisor_a).amount = 5
        with self.assertRaises(AccessError):
            self.tx_1.with_user(self.manager).unlink()
        self.holding_1.with_user(self.manager).balance = 5
        self.assertEqual(self.holding_1.balance, 5)
        product = (
            self.env[PRODUCT]
            .with_user(self.manager)
            .create({"name": "Gold Card", "code": "T-GLD", "category": "card"})
        )
        self.assertEqual(
            product.with_user(self.agent_a).read(["code"])[0]["code"], "T-GLD"
        )
        with self.assertRaises(AccessError):
            product.with_user(self.supervisor_a).name = "Silver Card"

    def test_partner_counts_and_smart_buttons(self):
        customer = self.customer.with_user(self.agent_a)
        self.assertTrue(customer.cs_can_see_sensitive)
        self.assertEqual(
            (customer.cs_holding_count, customer.cs_transaction_count), (1, 1)
        )
        customer2 = self.customer2.with_user(self.agent_a)
        self.assertFalse(customer2.cs_can_see_sensitive)
        self.assertEqual(
            (customer2.cs_holding_count, customer2.cs_transaction_count), (0, 0)
        )
        supervised = self.customer2.with_user(self.supervisor_a)
        self.assertTrue(supervised.cs_can_see_sensitive)
        self.assertEqual(
            (supervised.cs_holding_count, supervised.cs_transaction_count), (1, 1)
        )
        action = customer.action_cs_view_transactions()
        self.assertEqual(action["res_model"], TRANSACTION)
        self.assertEqual(action["domain"], [("partner_id", "=", self.customer.id)])
        action = customer.action_cs_view_holdings()
        self.assertEqual(action["res_model"], HOLDING)
        self.assertEqual(action["context"], {"default_partner_id": self.customer.id})

    def test_partner_form_by_role(self):
        """The Customer Service page and buttons are for Customer Service users."""
        for user, shown in ((self.agent_a, True), (self.employee, False)):
            with self.subTest(user=user.login):
                arch = (
                    self.env["res.partner"]
                    .with_user(user)
                    .get_views([(False, "form")])["views"]["form"]["arch"]
                )
                self.assertEqual('name="customer_service"' in arch, shown)
                self.assertEqual("action_cs_view_transactions" in arch, shown)

    def test_partner_fields_outside_customer_service(self):
        """Other employees read partners without the sensitive relations."""
        partner = self.customer.with_user(self.employee)
        self.assertEqual(
            partner.read(["cs_customer_number"])[0]["cs_customer_number"], "C001"
        )
        with self.assertRaises(AccessError):
            partner.read(["cs_transaction_ids"])


class TestCustomerProfile(CustomerCommon):
    def test_customer_number_unique_per_company(self):
        Partner = self.env["res.partner"]
        with self.assertRaisesRolledBack(ValidationError, "C003 is already used in"):
            Partner.create(
                {
                    "name": "Twin",
                    "company_id": self.company_a.id,
                    "cs_customer_number": "C003",
                }
            )
        with self.assertRaisesRolledBack(ValidationError, "C002 is already used in"):
            Partner.create({"name": "Shared twin", "cs_customer_number": "C002"})
        other_a = Partner.create({"name": "Other A", "company_id": self.company_a.id})
        with self.assertRaisesRolledBack(ValidationError, "C003 is already used in"):
            other_a.cs_customer_number = "C003"
        # shared customers and company A's are numbered apart
        self.customer2.cs_customer_number = "C003"
        twin = Partner.create(
            {
                "name": "Twin B",
                "company_id": self.company_b.id,
                "cs_customer_number": "C003",
            }
        )
        self.assertEqual(twin.cs_customer_number, "C003")
        self.assertEqual(self.customer2.cs_customer_number, "C003")
        # numbers are not copied
        self.assertFalse(self.customer_a3.copy().cs_customer_number)

    def test_customer_type_follows_is_company(self):
        Partner = self.env["res.partner"]
        person = Partner.create({"name": "Person"})
        firm = Partner.create({"name": "Firm", "is_company": True})
        self.assertEqual(
            (person.cs_customer_type, firm.cs_customer_type),
            ("individual", "corporate"),
        )
        forced = Partner.create(
            {"name": "Sole trader", "cs_customer_type": "corporate"}
        )
        self.assertEqual(forced.cs_customer_type, "corporate")

    def test_product_code_unique_per_company(self):
        Product = self.env[PRODUCT]
        with self.assertRaisesRolledBack(ValidationError, "T-SAV is already used"):
            Product.create(
                {"name": "Other", "code": "T-SAV", "company_id": self.company_b.id}
            )
        with self.assertRaisesRolledBack(ValidationError, "T-CRD is already used"):
            Product.create({"name": "Other", "code": "T-CRD"})
        with self.assertRaisesRolledBack(ValidationError, "T-CRD is already used"):
            Product.create(
                {"name": "Other", "code": "T-CRD", "company_id": self.company_b.id}
            )
        card_a = Product.create(
            {"name": "Card A", "code": "T-CRD", "company_id": self.company_a.id}
        )
        self.assertEqual(card_a.category, "other")
