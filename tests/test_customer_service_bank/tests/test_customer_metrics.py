"""Customer metrics, scores, key customers, tiers, tags and tier history.

Customers live in their own company so that the population they are ranked
in is exactly the one built here, whatever the demo data holds. Today is
frozen at Monday 30 November 2026; the metrics window is 12 months, so it
starts on 30 November 2025.
"""

from datetime import date, datetime

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time

from .common import CsCommon

TODAY = "2026-11-30 09:00:00"


@freeze_time(TODAY)
class TestCustomerMetrics(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.env.ref("base.EUR")
        cls.usd = cls.env.ref("base.USD")
        (cls.eur | cls.usd).active = True
        cls.bank = cls.env["res.company"].create(
            {
                "name": "Metrics Bank",
                "currency_id": cls.eur.id,
                "cs_key_customer_percent": 10.0,
                "cs_metrics_window_months": 12,
            }
        )
        # 1 EUR = 2 USD for this bank
        cls.env["res.currency.rate"].create(
            {
                "currency_id": cls.usd.id,
                "company_id": cls.bank.id,
                "name": date(2026, 1, 1),
                "rate": 2.0,
            }
        )
        cls.env["cs.segment"].search([]).active = False
        # segments of this bank only: the demo customers stay out of them
        Segment = cls.env["cs.segment"].with_context(default_company_id=cls.bank.id)
        cls.gold = Segment.create(
            {"name": "Gold", "kind": "tier", "sequence": 10, "min_aum": 1000}
        )
        cls.silver = Segment.create(
            {"name": "Silver", "kind": "tier", "sequence": 20, "min_value_score": 50}
        )
        cls.basic = Segment.create({"name": "Basic", "kind": "tier", "sequence": 30})
        cls.need = cls.env["cs.special.need"].create(
            {"name": "Hearing", "kind": "disability"}
        )
        cls.tag_digital = Segment.create(
            {
                "name": "Digital",
                "kind": "tag",
                "min_transaction_count": 1,
                "min_digital_share": 70,
            }
        )
        cls.tag_dormant = Segment.create(
            {"name": "Dormant", "kind": "tag", "min_recency_days": 90}
        )
        cls.tag_senior = Segment.create(
            {"name": "Senior", "kind": "tag", "min_age": 65}
        )
        cls.tag_needs = Segment.create(
            {
                "name": "Needs",
                "kind": "tag",
                "special_need_ids": [Command.set(cls.need.ids)],
            }
        )
        cls.tag_pudong = Segment.create(
            {
                "name": "Pudong",
                "kind": "tag",
                "rule_domain": "[('cs_branch', '=', 'Pudong')]",
            }
        )

        Partner = cls.env["res.partner"]
        values = {"company_id": cls.bank.id}
        cls.c1 = Partner.create(
            {
                "name": "Metrics One",
                "cs_customer_number": "M-1",
                "cs_birth_date": date(1961, 12, 1),
                **values,
            }
        )
        cls.c2 = Partner.create(
            {
                "name": "Metrics Two",
                "cs_customer_number": "M-2",
                "cs_branch": "Pudong",
                "cs_birth_date": date(1961, 11, 30),
                **values,
            }
        )
        cls.c3 = Partner.create(
            {
                "name": "Metrics Three",
                "cs_customer_number": "M-3",
                "cs_special_need_ids": [Command.set(cls.need.ids)],
                **values,
            }
        )
        cls.archived = Partner.create(
            {
                "name": "Metrics Gone",
                "cs_customer_number": "M-4",
                "active": False,
                **values,
            }
        )
        cls.prospect = Partner.create({"name": "Not a Customer", **values})

        cls.product = cls.env["cs.product"].create(
            {"name": "Savings", "code": "M-SAV", "category": "deposit"}
        )
        loan = cls.env["cs.product"].create(
            {"name": "Mortgage", "code": "M-LOAN", "category": "loan"}
        )
        Holding = cls.env["cs.product.holding"]
        for partner, balance, active, product in [
            (cls.c1, 1000, True, cls.product),
            (cls.c1, 5000, False, cls.product),
            (cls.c1, 300000, True, loan),
            (cls.c2, 999.99, True, cls.product),
            (cls.archived, 10**6, True, cls.product),
        ]:
            Holding.create(
                {
                    "partner_id": partner.id,
                    "product_id": product.id,
                    "balance": balance,
                    "currency_id": cls.eur.id,
                    "active": active,
                }
            )
        rows = [
            # c1: two in the window, one the day before it, one in the future
            (cls.c1, "2026-11-20", "mobile_app", 100, cls.eur),
            (cls.c1, "2026-10-01", "online_banking", 100, cls.usd),
            (cls.c1, "2025-11-29", "branch", 500, cls.eur),
            (cls.c1, "2026-12-05", "branch", 700, cls.eur),
            # c2: three at the branch
            (cls.c2, "2026-11-28", "branch", 10, cls.eur),
            (cls.c2, "2026-06-01", "branch", 10, cls.eur),
            (cls.c2, "2025-11-30", "branch", 10, cls.eur),
        ]
        cls.env["cs.customer.transaction"].create(
            [
                {
                    "partner_id": partner.id,
                    "date": day,
                    "transaction_type": "payment",
                    "channel": channel,
                    "amount": amount,
                    "currency_id": currency.id,
                    "reference": f"M-T{index}",
                    "company_id": cls.bank.id,
                }
                for index, (partner, day, channel, amount, currency) in enumerate(rows)
            ]
        )
        cls.Partner = Partner

    def _recompute(self, batch_size=50000):
        """Run the scheduled recomputation to its end, as ir.cron would."""
        cron = self.env.ref("customer_service_bank.ir_cron_cs_customer_metrics")
        cron, progress = cron._add_progress()
        Metrics = self.env["cs.customer.metrics"].with_context(**cron.env.context)
        runs = 0
        while True:
            Metrics._cron_recompute(batch_size=batch_size)
            runs += 1
            if not progress.remaining:
                return progress, runs

    def _history(self, partner):
        return [
            (h.old_segment_id, h.new_segment_id, h.cause, h.reason or False)
            for h in partner.cs_segment_history_ids.sorted("id")
        ]

    # metrics

    def test_metrics_of_each_customer(self):
        self._recompute()
        metrics = [
            "cs_aum",
            "cs_transaction_window_count",
            "cs_transaction_amount",
            "cs_last_transaction_date",
            "cs_recency_days",
            "cs_digital_share",
        ]
        expected = {
            # archived holding, loan, transaction before the window and
            # future transaction left out; 100 USD = 50 EUR
            self.c1: [1000, 2, 150, date(2026, 11, 20), 10, 100.0],
            # the first day of the window counts
            self.c2: [999.99, 3, 30, date(2026, 11, 28), 2, 0.0],
            self.c3: [0, 0, 0, False, 0, 0.0],
        }
        for partner, values in expected.items():
            with self.subTest(partner=partner.name):
                self.assertEqual([partner[name] for name in metrics], values)
                self.assertEqual(partner.cs_metrics_date, datetime(2026, 11, 30, 9))
        # recency counts today, not at the last computation
        with freeze_time("2026-12-02 09:00:00"):
            self.env.invalidate_all()
            self.assertEqual(self.c1.cs_recency_days, 12)
        for partner in (self.archived, self.prospect):
            self.assertFalse(partner.cs_metrics_date)
            self.assertFalse(partner.cs_segment_id)

    def test_complaints_and_last_contact(self):
        team = self.env["cs.team"].create(
            {
                "name": "Metrics Team",
                "company_id": self.bank.id,
                "resource_calendar_id": self.calendar_uk.id,
            }
        )
        self.bank.cs_default_sla_policy_id = self.env["cs.sla.policy"].create(
            {"name": "Metrics Policy", "company_id": self.bank.id, "resolve_time": 15}
        )
        complaints = self.env["cs.complaint"].create(
            [
                {
                    "subject": subject,
                    "partner_id": self.c1.id,
                    "team_id": team.id,
                    "company_id": self.bank.id,
                    "received_date": received,
                }
                for subject, received in [
                    ("Card blocked", datetime(2026, 11, 2, 2)),
                    ("Fee", datetime(2026, 11, 10, 2)),
                ]
            ]
        )
        complaints[1].action_archive()
        self._recompute()
        self.assertEqual(self.c1.cs_complaint_count, 1)
        self.assertEqual(self.c1.cs_last_contact_date, date(2026, 11, 2))
        self.env["cs.followup"].create(
            {
                "name": "Quarterly call",
                "partner_id": self.c1.id,
                "planned_date": date(2026, 11, 25),
                "done_date": date(2026, 11, 25),
                "outcome": "reached",
                "company_id": self.bank.id,
            }
        )
        self._recompute()
        self.assertEqual(self.c1.cs_last_contact_date, date(2026, 11, 25))
        self.assertFalse(self.c2.cs_last_contact_date)

    # scores and key customers

    def test_scores(self):
        self._recompute()
        # assets, amount, count, recency ranks (cumulative share, 0 for none)
        # c1: 1, 1, 2/3, 2/3 -> 40 + 30 + 13.33 + 6.67
        # c2: 2/3, 2/3, 1, 1 -> 26.67 + 20 + 20 + 10, rounded
        expected = {
            self.c1: (90.0, 4, 4, 5),
            self.c2: (77.0, 5, 5, 4),
            self.c3: (0.0, 1, 1, 1),
        }
        for partner, (score, r, f, m) in expected.items():
            with self.subTest(partner=partner.name):
                self.assertEqual(partner.cs_value_score, score)
                self.assertEqual(
                    (
                        partner.cs_recency_score,
                        partner.cs_frequency_score,
                        partner.cs_monetary_score,
                    ),
                    (r, f, m),
                )

    def test_key_customers_share(self):
        # ceil(3 customers x share): 10% and 33% -> 1, 34% -> 2; none at 0%,
        # and a customer with a score of 0 never, even at 100%
        for percent, keys in [
            (10, self.c1),
            (33, self.c1),
            (34, self.c1 | self.c2),
            (0, self.Partner),
            (100, self.c1 | self.c2),
        ]:
            with self.subTest(percent=percent):
                self.bank.cs_key_customer_percent = percent
                self._recompute()
                customers = self.c1 | self.c2 | self.c3
                self.assertEqual(customers.filtered("cs_is_key_customer"), keys)

    # tiers and tags

    def test_tiers_and_tags(self):
        self._recompute()
        # c1 has exactly the Gold minimum; c2 one cent less, but scores 77
        self.assertEqual(self.c1.cs_segment_id, self.gold)
        self.assertEqual(self.c2.cs_segment_id, self.silver)
        self.assertEqual(self.c3.cs_segment_id, self.basic)
        self.assertEqual(self.c1.cs_segment_tag_ids, self.tag_digital)
        # c2 turns 65 today; c1 tomorrow
        self.assertEqual(self.c2.cs_segment_tag_ids, self.tag_senior | self.tag_pudong)
        # never transacted counts as dormant
        self.assertEqual(self.c3.cs_segment_tag_ids, self.tag_dormant | self.tag_needs)
        self.assertEqual(self.gold.customer_count, 1)
        self.assertEqual(self.tag_dormant.customer_count, 1)
        action = self.tag_senior.action_view_customers()
        self.assertEqual(self.Partner.search(action["domain"]), self.c2)

    def test_tags_follow_the_data(self):
        self._recompute()
        self.c2.cs_branch = "Jing'an"
        self.c3.cs_special_need_ids = False
        self._recompute()
        self.assertEqual(self.c2.cs_segment_tag_ids, self.tag_senior)
        self.assertEqual(self.c3.cs_segment_tag_ids, self.tag_dormant)

    def test_deleted_segments_leave_the_customers(self):
        self._recompute()
        self.assertEqual(self.c1.cs_computed_segment_id, self.gold)
        self.assertEqual(self.c1.cs_segment_tag_ids, self.tag_digital)
        (self.gold | self.tag_digital).unlink()
        self.assertFalse(self.c1.cs_computed_segment_id)
        self.assertFalse(self.c1.cs_segment_id)
        self.assertFalse(self.c1.cs_segment_tag_ids)
        self.assertEqual(self.c2.cs_segment_tag_ids, self.tag_senior | self.tag_pudong)
        self._recompute()
        self.assertEqual(self.c1.cs_segment_id, self.silver)

    def test_company_specific_segment(self):
        self.gold.company_id = self.company_a
        self._recompute()
        self.assertEqual(self.c1.cs_segment_id, self.silver)

    def test_no_tier_at_all(self):
        (self.gold | self.silver | self.basic).active = False
        self._recompute()
        self.assertFalse(self.c1.cs_segment_id)
        self.assertEqual(self.c1.cs_segment_tag_ids, self.tag_digital)

    # history, reruns, overrides

    def test_history_and_idempotent_rerun(self):
        self._recompute()
        # a customer's first tier is not a change
        self.assertEqual(self.c2.cs_segment_id, self.silver)
        self.assertEqual(self._history(self.c2), [])
        dates = {p: p.cs_metrics_date for p in self.c1 | self.c2 | self.c3}
        history = self.env["cs.segment.history"].search_count([])
        # same day, same data: nothing written, no history
        with freeze_time("2026-11-30 15:00:00"):
            progress, _runs = self._recompute()
        self.assertEqual(progress.done, 0)
        self.assertEqual(self.env["cs.segment.history"].search_count([]), history)
        self.assertEqual({p: p.cs_metrics_date for p in dates}, dates)
        # c2 reaches the Gold minimum
        self.env["cs.product.holding"].create(
            {
                "partner_id": self.c2.id,
                "product_id": self.product.id,
                "balance": 0.01,
                "currency_id": self.eur.id,
            }
        )
        self._recompute()
        self.assertEqual(self.c2.cs_segment_id, self.gold)
        self.assertEqual(
            self._history(self.c2)[-1], (self.silver, self.gold, "recompute", False)
        )
        self.assertEqual(self.c2.cs_segment_history_count, 1)

    def test_override_survives_recomputation(self):
        self._recompute()
        self.c3.write(
            {
                "cs_segment_override_id": self.gold.id,
                "cs_segment_override_reason": "Family of a private banking client",
            }
        )
        self.assertEqual(self.c3.cs_segment_id, self.gold)
        self._recompute()
        self.assertEqual(self.c3.cs_segment_id, self.gold)
        self.assertEqual(self.c3.cs_computed_segment_id, self.basic)
        self.c3.cs_segment_override_id = False
        self.assertEqual(self.c3.cs_segment_id, self.basic)
        self.assertFalse(self.c3.cs_segment_override_reason)
        self.assertEqual(
            self._history(self.c3),
            [
                (
                    self.basic,
                    self.gold,
                    "override",
                    "Family of a private banking client",
                ),
                (self.gold, self.basic, "override_removed", False),
            ],
        )

    def test_override_during_a_run_survives_its_remaining_batches(self):
        cron = self.env.ref("customer_service_bank.ir_cron_cs_customer_metrics")
        Metrics = self.env["cs.customer.metrics"].with_context(
            ir_cron_progress_id=cron._add_progress()[1].id
        )
        # the run begins: every customer is staged, one is applied
        Metrics._cron_recompute(batch_size=1)
        self.env.cr.execute(
            "SELECT count(*) FROM cs_customer_metrics_stage WHERE partner_id = %s",
            [self.c3.id],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 1)
        self.c3.write(
            {
                "cs_segment_override_id": self.gold.id,
                "cs_segment_override_reason": "Decided during the run",
            }
        )
        self._recompute()
        self.assertEqual(self.c3.cs_segment_id, self.gold)
        self.assertEqual(self.c3.cs_computed_segment_id, self.basic)

    def test_override_needs_a_reason(self):
        for reason in (False, "   "):
            with (
                self.subTest(reason=reason),
                self.assertRaisesRolledBack(ValidationError, "Give a reason"),
            ):
                self.c3.write(
                    {
                        "cs_segment_override_id": self.gold.id,
                        "cs_segment_override_reason": reason,
                    }
                )

    def test_override_by_role(self):
        self.c3.cs_relationship_manager_id = self.agent_a
        partner = self.c3.with_user(self.agent_a)
        with self.assertRaises(AccessError):
            partner.write(
                {
                    "cs_segment_override_id": self.gold.id,
                    "cs_segment_override_reason": "Asked by the branch",
                }
            )
        self.supervisor_a.company_ids |= self.bank
        self.c3.with_user(self.supervisor_a).with_company(self.bank).write(
            {
                "cs_segment_override_id": self.gold.id,
                "cs_segment_override_reason": "Asked by the branch",
            }
        )
        self.assertEqual(self.c3.cs_segment_id, self.gold)
        self.assertEqual(self.c3.cs_segment_history_ids.user_id, self.supervisor_a)

    # batches and the one-customer button

    def test_batches_report_progress(self):
        customers = self.Partner.search_count([("cs_customer_number", "!=", False)])
        progress, runs = self._recompute(batch_size=2)
        self.assertEqual(runs, -(-customers // 2))
        self.assertEqual(progress.remaining, 0)
        self.env.cr.execute("SELECT count(*) FROM cs_customer_metrics_stage")
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        self.assertEqual(self.c3.cs_segment_id, self.basic)

    def test_one_customer_against_the_others(self):
        self._recompute()
        self.env["cs.product.holding"].create(
            {
                "partner_id": self.c3.id,
                "product_id": self.product.id,
                "balance": 2000,
                "currency_id": self.eur.id,
            }
        )
        self.c3.action_cs_recompute_metrics()
        # top assets among the stored values of c1 and c2: 40 points
        self.assertEqual(self.c3.cs_aum, 2000)
        self.assertEqual(self.c3.cs_value_score, 40.0)
        self.assertEqual(self.c3.cs_segment_id, self.gold)
        self.assertEqual(self.c3.cs_segment_tag_ids, self.tag_dormant | self.tag_needs)
        # the others keep their values until the next full run
        self.assertEqual(self.c1.cs_value_score, 90.0)

    # the metrics rows: the Customer Value analysis

    def test_customer_value_analysis(self):
        self._recompute()
        Metrics = self.env["cs.customer.metrics"]
        customers = self.c1 | self.c2 | self.c3
        rows = Metrics.search([("partner_id", "in", customers.ids)])
        # one row a customer, created with it, best first; the archived
        # customer's never computed, none for a prospect
        self.assertEqual(rows.partner_id.ids, [self.c1.id, self.c2.id, self.c3.id])
        others = Metrics.search(
            [("partner_id", "in", (self.archived | self.prospect).ids)]
        )
        self.assertEqual(others.partner_id, self.archived)
        self.assertFalse(others.date)
        self.assertEqual(rows.mapped("company_id"), self.bank)
        groups = Metrics._read_group(
            [("partner_id", "in", customers.ids)], ["segment_id"], ["__count"]
        )
        self.assertEqual(
            sorted((segment.name, count) for segment, count in groups),
            [("Basic", 1), ("Gold", 1), ("Silver", 1)],
        )
        # tags: by id, by name, none; and on the customers, through them
        in_rows = [("partner_id", "in", customers.ids)]
        for domain, expected in [
            ([("tag_ids", "in", self.tag_dormant.ids)], self.c3),
            ([("tag_ids", "=", self.tag_digital.id)], self.c1),
            ([("tag_ids", "not in", self.tag_dormant.ids)], self.c1 | self.c2),
            ([("tag_ids", "ilike", "pudo")], self.c2),
            ([("tag_ids", "not ilike", "pudo")], self.c1 | self.c3),
            ([("tag_ids", "!=", False)], customers),
        ]:
            with self.subTest(domain=domain):
                self.assertEqual(Metrics.search(in_rows + domain).partner_id, expected)
                partner_domain = [("cs_segment_tag_ids", *domain[0][1:])]
                self.assertEqual(
                    self.Partner.search([("id", "in", customers.ids), *partner_domain]),
                    expected,
                )
        self.c3.cs_special_need_ids = False
        self.env["cs.product.holding"].create(
            {
                "partner_id": self.c3.id,
                "product_id": self.product.id,
                "balance": 1,
                "currency_id": self.eur.id,
            }
        )
        (self.tag_dormant | self.tag_senior).active = False
        self._recompute()
        self.assertEqual(
            Metrics.search(in_rows + [("tag_ids", "=", False)]).partner_id, self.c3
        )
        action = rows[0].action_open_customer()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("res.partner", self.c1.id)
        )

    def test_metrics_of_another_company_invisible(self):
        self._recompute()
        rows = self.env["cs.customer.metrics"].with_user(self.agent_a)
        self.assertFalse(rows.search([("partner_id", "=", self.c1.id)]))
        self.agent_a.company_ids |= self.bank
        self.assertEqual(
            rows.with_company(self.bank)
            .search([("partner_id", "=", self.c1.id)])
            .value_score,
            90.0,
        )
        with self.assertRaises(AccessError):
            rows.with_company(self.bank).search([("partner_id", "=", self.c1.id)]).aum  # noqa: B018

    def test_override_before_any_recomputation(self):
        self.c3.write(
            {
                "cs_segment_override_id": self.gold.id,
                "cs_segment_override_reason": "New private banking client",
            }
        )
        self.assertEqual(self.c3.cs_segment_id, self.gold)
        self.assertFalse(self.c3.cs_computed_segment_id)
        # the override takes effect at once, recorded as from no tier
        self.assertEqual(
            self._history(self.c3),
            [
                (
                    self.env["cs.segment"],
                    self.gold,
                    "override",
                    "New private banking client",
                )
            ],
        )
        self._recompute()
        self.assertEqual(self.c3.cs_segment_id, self.gold)
        self.assertEqual(self.c3.cs_computed_segment_id, self.basic)
        created = self.Partner.create(
            {
                "name": "Overridden at Creation",
                "cs_customer_number": "M-5",
                "company_id": self.bank.id,
                "cs_segment_override_id": self.silver.id,
                "cs_segment_override_reason": "Migrated from the old system",
            }
        )
        self.assertEqual(created.cs_segment_id, self.silver)

    def test_button_needs_a_customer(self):
        with self.assertRaisesRegex(UserError, "customer number"):
            self.prospect.action_cs_recompute_metrics()


class TestSegmentRules(CsCommon):
    """Bad segment rules are refused with a message naming the segment."""

    def test_bad_rules(self):
        cases = [
            ({"rule_domain": "[('no_such_field', '=', 1)]"}, "are not valid"),
            ({"rule_domain": "[("}, "are not valid"),
            ({"min_recency_score": 6}, "RFM scores go from 1 to 5"),
            ({"min_monetary_score": -1}, "RFM scores go from 1 to 5"),
            ({"min_value_score": 101}, "Value scores go from 0 to 100"),
            ({"max_digital_share": 120}, "between 0 and 100%"),
            ({"min_digital_share": 60, "max_digital_share": 50}, "is above its"),
            ({"min_age": 70, "max_age": 60}, "minimum age of Bad is above"),
            ({"min_aum": -1}, "cannot be negative"),
            ({"followup_cadence_days": -30}, "cannot be negative"),
        ]
        for values, message in cases:
            with (
                self.subTest(values=values),
                self.assertRaisesRolledBack(ValidationError, message),
            ):
                self.env["cs.segment"].create({"name": "Bad", **values})


class TestTierOnComplaints(CsCommon):
    """A tier gives its customers' complaints a priority and a policy."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tier = cls.env["cs.segment"].create(
            {
                "name": "Private",
                "kind": "tier",
                "complaint_priority": "2",
                "sla_policy_id": cls.policy_fca.id,
            }
        )
        cls.env["cs.customer.metrics"].create(
            {"partner_id": cls.customer.id, "computed_segment_id": cls.tier.id}
        )

    def test_priority_and_policy_from_tier(self):
        complaint = self.create_complaint(category_id=False)
        self.assertEqual(complaint.priority, "2")
        self.assertEqual(complaint.sla_policy_id, self.policy_fca)
        other = self.create_complaint(partner_id=self.customer2.id, category_id=False)
        self.assertEqual(other.priority, "0")
        self.assertEqual(other.sla_policy_id, self.policy_nfra)

    def test_policy_of_another_company_ignored(self):
        self.tier.sla_policy_id = self.env["cs.sla.policy"].create(
            {"name": "Bank B", "company_id": self.company_b.id, "resolve_time": 5}
        )
        complaint = self.create_complaint(category_id=False)
        self.assertEqual(complaint.sla_policy_id, self.policy_nfra)

    def test_criteria_policy_wins_over_tier(self):
        phone = self.env["cs.sla.policy"].create(
            {
                "name": "Phone",
                "company_id": self.company_a.id,
                "channel": "phone",
                "resolve_time": 3,
            }
        )
        complaint = self.create_complaint(category_id=False, channel="phone")
        self.assertEqual(complaint.sla_policy_id, phone)

    def test_priority_never_lowered_by_tier(self):
        self.tier.complaint_priority = "1"
        complaint = self.create_complaint(partner_id=self.customer2.id)
        complaint.priority = "2"
        complaint.partner_id = self.customer
        self.assertEqual(complaint.priority, "2")


class TestMetricSettings(CsCommon):
    def test_bad_settings(self):
        cases = [
            ({"cs_key_customer_percent": 101}, "key customers must be between"),
            ({"cs_key_customer_percent": -1}, "key customers must be between"),
            ({"cs_metrics_window_months": 0}, "at least one month"),
            ({"cs_followup_after_complaint_days": -1}, "cannot be negative"),
        ]
        for values, message in cases:
            with (
                self.subTest(values=values),
                self.assertRaisesRolledBack(ValidationError, message),
            ):
                self.env["res.config.settings"].create(values).execute()

    def test_schedule_in_settings(self):
        cron = self.env.ref("customer_service_bank.ir_cron_cs_customer_metrics")
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.cs_metrics_interval_type, cron.interval_type)
        self.env["res.config.settings"].create(
            {
                "cs_metrics_interval_number": 2,
                "cs_metrics_interval_type": "hours",
                "cs_key_customer_percent": 5,
                "cs_metrics_window_months": 6,
            }
        ).execute()
        self.assertEqual((cron.interval_number, cron.interval_type), (2, "hours"))
        self.assertEqual(self.company_a.cs_key_customer_percent, 5)
        self.assertEqual(self.company_a.cs_metrics_window_months, 6)


class TestMetricsWorkers(CsCommon):
    """Two workers running the recomputation share its batches."""

    def _stage_ids(self, cr):
        cr.execute("SELECT partner_id FROM cs_customer_metrics_stage ORDER BY 1")
        return [row[0] for row in cr.fetchall()]

    def test_second_worker_skips_the_batch_of_the_first(self):
        # a committed staging table, as a first worker's first batch leaves it
        with self.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["cs.customer.metrics"]._build_stage()
        self.addCleanup(self._truncate_stage)
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            staged = self._stage_ids(cr_a)
            self.assertGreater(len(staged), 10)
            for cr in (cr_a, cr_b):
                cr.execute("SET LOCAL lock_timeout = '10s'")
            worker_a = api.Environment(cr_a, SUPERUSER_ID, {})["cs.customer.metrics"]
            worker_b = api.Environment(cr_b, SUPERUSER_ID, {})["cs.customer.metrics"]
            worker_a._cron_recompute(batch_size=5)
            # B neither waits for A nor takes A's customers: it takes the next
            # five, and still sees A's, which A has not committed
            worker_b._cron_recompute(batch_size=5)
            self.assertEqual(self._stage_ids(cr_b), staged[:5] + staged[10:])
            self.assertEqual(self._stage_ids(cr_a), staged[5:])
            cr_a.rollback()
            cr_b.rollback()

    def _truncate_stage(self):
        with self.registry.cursor() as cr:
            cr.execute("TRUNCATE cs_customer_metrics_stage")


class TestCustomerRecordsKept(CsCommon):
    def test_customers_are_archived_not_deleted(self):
        customer = self.env["res.partner"].create(
            {"name": "Kept Customer", "cs_customer_number": "K-1"}
        )
        with self.assertRaisesRegex(UserError, "archive Kept Customer instead"):
            customer.unlink()
        customer.action_archive()
        self.assertFalse(customer.active)
        prospect = self.env["res.partner"].create({"name": "Prospect"})
        prospect.unlink()
        self.assertFalse(prospect.exists())

    def test_metrics_row_comes_with_the_customer(self):
        Partner = self.env["res.partner"]
        Metrics = self.env["cs.customer.metrics"]
        customer = Partner.create({"name": "New Customer", "cs_customer_number": "N-1"})
        prospect = Partner.create({"name": "New Prospect"})
        rows = Metrics.search([("partner_id", "in", (customer | prospect).ids)])
        self.assertEqual(rows.partner_id, customer)
        self.assertEqual(rows.company_id, self.env.company)
        self.assertFalse(customer.cs_is_key_customer)
        prospect.cs_customer_number = "N-2"
        prospect.cs_customer_number = "N-3"
        self.assertEqual(Metrics.search_count([("partner_id", "=", prospect.id)]), 1)
