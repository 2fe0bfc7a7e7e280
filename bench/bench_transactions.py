"""Benchmark the batch import of customer transactions from core banking.

Usage::

    python3 bench/bench_transactions.py -c ODOO_CONF -d DB \\
        [--customers 2000] [--rows 100000] [--batch 10000] [--explain]

``DB`` must have ``customer_service_bank`` installed; use a scratch database.
Everything runs in ONE transaction that is rolled back at the end, so no
record is left behind (PostgreSQL sequences move on).

Measured, as an integration user of the Supervisor group (record rules
apply), through ``cs.customer.transaction.import_batch``, the JSON-RPC entry
point (without the HTTP and JSON layers):

1. the creation of ``--customers`` customers with customer numbers (one
   ``create()`` call);
2. the import of ``--rows`` transactions in batches of ``--batch`` rows:
   wall time, Python CPU time, queries and rows/s per batch and in total;
3. the first batch sent again: it must create nothing (idempotence), and
   one batch with a bad row in every 100: bad rows reported, good ones
   created;
4. with ``--explain``, the plan of a customer's latest transactions, which
   must use the (partner_id, date) index.

Target (issue 3): at least 5,000 rows/s over the whole import. The exit code
is 1 when it is missed or when the resent batch creates anything.
"""

import argparse
import os
import random
import sys
import time

from bench_complaints import Meter, header, load, report, rolled_back_environment

from odoo.fields import Command

TARGET_ROWS_PER_SECOND = 5_000
TYPES = ["deposit", "withdrawal", "payment", "transfer", "fee", "purchase"]
CHANNELS = ["branch", "online_banking", "mobile_app", "phone", None]


def make_fixtures(env, count):
    """An integration user, two products and ``count`` numbered customers."""
    tag = f"{os.getpid()}_{int(time.time())}"
    user = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "name": "Bench Core Banking",
                "login": f"bench_core_banking_{tag}",
                "groups_id": [
                    Command.set(
                        [env.ref("customer_service_bank.group_cs_supervisor").id]
                    )
                ],
            }
        )
    )
    products = env["cs.product"].create(
        [
            {"name": "Bench Savings", "code": f"BSAV-{tag}", "category": "deposit"},
            {"name": "Bench Card", "code": f"BCRD-{tag}", "category": "card"},
        ]
    )
    with Meter(env.cr) as meter:
        customers = env["res.partner"].create(
            [
                {"name": f"Bench Customer {i}", "cs_customer_number": f"B{tag}-{i}"}
                for i in range(count)
            ]
        )
        env.flush_all()
    return user, products, customers, meter


def make_rows(count, customers, products, currency, tag, bad_every=0):
    """``count`` rows; with ``bad_every``, every such row has a negative amount."""
    rand = random.Random(42)
    numbers = customers.mapped("cs_customer_number")
    codes = [*products.mapped("code"), None]
    rows = []
    for i in range(count):
        rows.append(
            {
                "customer_number": numbers[i % len(numbers)],
                "product_code": codes[i % len(codes)],
                "date": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "type": TYPES[i % len(TYPES)],
                "channel": CHANNELS[i % len(CHANNELS)],
                "amount": round(rand.uniform(0.01, 50_000), 2),
                "currency": currency,
                "reference": f"{tag}-{i:07d}",
            }
        )
        if bad_every and i % bad_every == 0:
            rows[-1]["amount"] = -1
    return rows


def bench_import(env, args, fixtures):
    user, products, customers, _meter = fixtures
    Transaction = env(user=user.id)["cs.customer.transaction"]
    currency = env.company.currency_id.name
    tag = f"BT{os.getpid()}"
    rows = make_rows(args.rows, customers, products, currency, tag)
    batches = [rows[i : i + args.batch] for i in range(0, len(rows), args.batch)]
    header(f"2. import_batch of {args.rows:,} rows in batches of {args.batch:,}")
    total = Meter(env.cr)
    created = 0
    for number, batch in enumerate(batches, 1):
        with Meter(env.cr) as meter:
            result = Transaction.import_batch(batch)
        total.add(meter)
        created += result["created"]
        report(
            f"batch {number}: created {result['created']:,}, "
            f"errors {len(result['errors'])}",
            len(batch),
            meter,
            "rows",
        )
    report("total", len(rows), total, "rows")

    header("3. idempotence and bad rows")
    with Meter(env.cr) as resend:
        again = Transaction.import_batch(batches[0])
    report(
        f"batch 1 again: created {again['created']:,}, "
        f"duplicates {again['duplicates']:,}",
        len(batches[0]),
        resend,
        "rows",
    )
    bad_rows = make_rows(args.batch, customers, products, currency, f"{tag}X", 100)
    with Meter(env.cr) as bad_meter:
        bad = Transaction.import_batch(bad_rows)
    report(
        f"1% bad: created {bad['created']:,}, errors {len(bad['errors']):,}",
        len(bad_rows),
        bad_meter,
        "rows",
    )
    env.cr.execute(
        "SELECT count(*) FROM cs_customer_transaction WHERE reference LIKE %s",
        [f"{tag}-%"],
    )
    print(f"    -> {env.cr.fetchone()[0]:,} transactions in the table for this run")
    if args.explain:
        env.cr.execute("ANALYZE cs_customer_transaction")
        env.cr.execute(
            """EXPLAIN ANALYZE SELECT id FROM cs_customer_transaction
                WHERE partner_id = %s ORDER BY date DESC, id DESC LIMIT 80""",
            [customers[0].id],
        )
        print("\n  a customer's latest transactions:")
        for (line,) in env.cr.fetchall():
            print(f"    {line}")
    return total, created, again


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True, help="scratch database")
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument(
        "--explain", action="store_true", help="show the plan of a customer's query"
    )
    return parser.parse_args(argv)


def summary(args, total, created, again):
    print("\n== Summary (targets from the issue)")
    rate = args.rows / total.seconds
    verdicts = [
        rate >= TARGET_ROWS_PER_SECOND and created == args.rows,
        again["created"] == 0,
    ]
    print(
        f"  {'PASS' if verdicts[0] else 'FAIL'}  {created:,} of {args.rows:,} rows "
        f"imported at {rate:,.0f} rows/s (target >= {TARGET_ROWS_PER_SECOND:,}); "
        f"{total.seconds:.1f} s wall, {total.cpu:.1f} s Python CPU, "
        f"{total.queries / (args.rows / args.batch):.0f} queries per batch"
    )
    print(
        f"  {'PASS' if verdicts[1] else 'FAIL'}  first batch sent again: "
        f"{again['created']} created, {again['duplicates']:,} duplicates"
    )
    print(f"  {load()}, {os.cpu_count()} CPUs")
    return all(verdicts)


def main(argv=None):
    args = parse_args(argv)
    with rolled_back_environment(args.config, args.database) as env:
        fixtures = make_fixtures(env, args.customers)
        header("1. customers")
        report("create() + flush_all()", args.customers, fixtures[3], "customers")
        total, created, again = bench_import(env, args, fixtures)
        passed = summary(args, total, created, again)
    print("\nrolled back: the database holds no benchmark record")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
