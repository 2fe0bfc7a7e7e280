"""Benchmark the recomputation of customer metrics, scores and tiers.

Usage::

    python3 bench/bench_customers.py -c ODOO_CONF -d DB \\
        [--customers 1000000] [--transactions 5000000] [--batch N] \\
        [--keep | --reuse] [--set GUC=VALUE ...] [--timeout 900] [--explain] \\
        [--next-day]

``DB`` must have ``customer_service_bank`` installed; use a scratch database
(``--without-demo=all`` is fine). By default everything runs in ONE
transaction that is rolled back at the end, so no record is left behind
(PostgreSQL sequences move on).

1. Set-based SQL (``INSERT ... SELECT FROM generate_series``) generates
   ``--customers`` numbered customers of the main company (a fifth prefer
   the branch, 30% have a birth date, 1% special needs), 1.5 product
   holdings per customer on average (balances over five orders of
   magnitude, a few private-banking fortunes, 2% in a second currency) and
   ``--transactions`` transactions over 24 months: 15% of the customers
   have none, the others a skewed number (a few thousand for the busiest,
   a handful for most), channels mixed per customer (some mostly digital,
   some mostly branch), 2% in the second currency. The tables' secondary
   indexes and foreign and unique constraints are dropped during the load
   and rebuilt after it (faster than row by row), then analyzed. The tiers
   and tags are those shipped in ``data/cs_segment_data.xml``.
2. With ``--explain``: EXPLAIN ANALYZE of each statement of the first cron
   call (the stage build and the first batch), in a savepoint rolled back.
3. The floor: ``UPDATE res_partner SET write_date = ...`` of every
   customer, the cheapest statement that touches each customer once, in a
   savepoint rolled back after it.
4. The full recomputation on the same table state, as ``ir.cron`` runs it:
   ``cs.customer.metrics._cron_recompute(batch_size=--batch)`` called with
   a progress record in its context until the staging table is empty
   (without the commits between calls). Wall time, stage build, batches,
   queries, metrics rows written (HOT or not), customers written (none:
   the metrics live beside them, in one row a customer created with it),
   and the time of each statement.
5. A second run on the unchanged data: it must write (almost) no row.
   Called without progress record, as outside a cron: this checks that
   ``ir.cron._notify_progress`` is then harmless.
6. With ``--next-day``: a day of new transactions (1/730 of them), then the
   run of the next night (time frozen a day later): recency, the metrics
   window and the ranks move every day, so it writes most customers again.

In one transaction, the customers are updated in the transaction that
inserted them: PostgreSQL then checks their foreign keys again on every
UPDATE (it skips that for rows inserted by an earlier transaction), and
reads rows without hint bits. Both slow the floor and the recomputation
down compared with production (the floor about twice). ``--keep`` commits
the generated data and vacuums it before measuring, and commits the results
at the end (to inspect them); ``--reuse`` measures on data kept by such a
run: it first resets the customers' metrics, tiers and tags (committed,
vacuumed), then rolls the measures back. ``--set work_mem=256MB`` (any
run-time setting, repeatable) applies a setting to the measured statements,
to try a change before making it in the model. A measured statement running
over ``--timeout`` seconds is cancelled and fails the run.

Targets (issue 3): the full recomputation of 1,000,000 customers with
5,000,000 transactions in at most 60 s and at most 3 times the floor. The
exit code is 1 when one is missed or when the second run writes rows.
"""

import argparse
import inspect
import os
import statistics
import sys
import time
from contextlib import closing, contextmanager
from datetime import timedelta

import psycopg2
from bench_complaints import Meter, header, load, report, rolled_back_environment
from freezegun import freeze_time
from psycopg2.errors import QueryCanceled

from odoo import fields
from odoo.sql_db import connection_info_for
from odoo.tools import SQL

TARGET_SECONDS = 60.0
TARGET_FLOOR_RATIO = 3.0
STAGE = "cs_customer_metrics_stage"
# share of customers with transactions; the others are dormant
ACTIVE_SHARE = 0.85
# transactions are inserted this many at a time
CHUNK = 1_000_000
TABLES = (
    "res_partner",
    "cs_product_holding",
    "cs_customer_sensitive",
    "cs_customer_sensitive_special_need_rel",
    "cs_customer_transaction",
    "cs_customer_metrics",
    "cs_segment_history",
)
CUSTOMERS = "cs_customer_number IS NOT NULL"


# ----------------------------------------------------------------------
# data
# ----------------------------------------------------------------------


def make_references(env, tag):
    """Products, the second currency with a rate, special needs."""
    company = env.company
    products = env["cs.product"].create(
        [
            {"name": f"Bench {name}", "code": f"B{code}-{tag}", "category": category}
            for name, code, category in (
                ("Current Account", "CUR", "deposit"),
                ("Savings", "SAV", "deposit"),
                ("Credit Card", "CRD", "card"),
                ("Mortgage", "MTG", "loan"),
                ("Portfolio", "PTF", "wealth"),
            )
        ]
    )
    second = env.ref("base.EUR" if company.currency_id.name != "EUR" else "base.USD")
    second.active = True
    rate = {"currency_id": second.id, "company_id": company.id}
    if not env["res.currency.rate"].search_count(
        [(key, "=", value) for key, value in rate.items()]
    ):
        env["res.currency.rate"].create(
            {**rate, "name": fields.Date.today(), "rate": 0.92}
        )
    Need = env["cs.special.need"]
    needs = Need.search([], limit=3) or Need.create(
        [{"name": f"Bench Need {i}"} for i in range(3)]
    )
    env.flush_all()
    return products, second, needs


@contextmanager
def bulk_load(cr, table):
    """Drop the secondary indexes and the foreign and unique constraints of
    ``table`` during a bulk insert, and build them again after it."""
    cr.execute(
        """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = %s::regclass AND contype IN ('f', 'u')""",
        [table],
    )
    constraints = cr.fetchall()
    cr.execute(
        """SELECT c.relname, pg_get_indexdef(i.indexrelid)
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k
                               WHERE k.conrelid = i.indrelid
                                 AND k.conindid = i.indexrelid)""",
        [table],
    )
    indexes = cr.fetchall()
    for name, _definition in constraints:
        cr.execute(
            SQL(
                "ALTER TABLE %s DROP CONSTRAINT %s",
                SQL.identifier(table),
                SQL.identifier(name),
            )
        )
    for name, _definition in indexes:
        cr.execute(SQL("DROP INDEX %s", SQL.identifier(name)))
    yield
    for _name, definition in indexes:
        cr.execute(definition)
    for name, definition in constraints:
        cr.execute(
            SQL(
                "ALTER TABLE %s ADD CONSTRAINT %s %s",
                SQL.identifier(table),
                SQL.identifier(name),
                SQL(definition),
            )
        )


def generate(env, args, tag):
    """Customers, holdings, sensitive data and transactions, with SQL."""
    cr = env.cr
    products, second, needs = make_references(env, tag)
    company = env.company
    common = {
        "company": company.id,
        "main": company.currency_id.id,
        "second": second.id,
        "uid": env.uid,
        "now": fields.Datetime.now(),
        "today": fields.Date.today(),
        "tag": tag,
    }
    header("1. generation (SQL)")
    cr.execute("SELECT setseed(0.42)")
    with Meter(cr) as meter, bulk_load(cr, "res_partner"):
        insert_customers(cr, args, common)
    report("customers (indexes rebuilt)", args.customers, meter, "rows")
    with Meter(cr) as meter:
        rows = insert_metrics_rows(cr)
    report("their empty metrics rows", rows, meter, "rows")
    with Meter(cr) as meter, bulk_load(cr, "cs_product_holding"):
        holdings = insert_holdings(cr, args, products, common)
    report("product holdings (indexes rebuilt)", holdings, meter, "rows")
    with Meter(cr) as meter:
        sensitive = insert_sensitive(cr, needs, common)
    report("sensitive data (birth dates, needs)", sensitive, meter, "rows")
    with Meter(cr) as meter, bulk_load(cr, "cs_customer_transaction"):
        for start in range(0, args.transactions, CHUNK):
            insert_transactions(
                cr, args, products, common, start, min(CHUNK, args.transactions - start)
            )
    report("transactions (indexes rebuilt)", args.transactions, meter, "rows")
    with Meter(cr) as meter:
        for table in TABLES:
            cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
    report("ANALYZE", len(TABLES), meter, "tables")


def insert_metrics_rows(cr):
    """The metrics row each customer gets when created by the ORM: zeros."""
    cr.execute(
        SQL(
            """
        INSERT INTO cs_customer_metrics (
            partner_id, company_id, aum, transaction_amount, transaction_count,
            digital_share, complaint_count, recency_score, frequency_score,
            monetary_score, value_score, is_key)
        SELECT p.id, p.company_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, FALSE
          FROM res_partner p
         WHERE p.%s AND NOT EXISTS (
               SELECT FROM cs_customer_metrics m WHERE m.partner_id = p.id)
        """,
            SQL(CUSTOMERS),
        )
    )
    return cr.rowcount


def insert_customers(cr, args, common):
    """Customers, and ``bench_customer``: each one's rank in a shuffled order,
    which sets its profile."""
    cr.execute(
        SQL(
            """
        INSERT INTO res_partner (
            id, commercial_partner_id, name, complete_name, cs_customer_number,
            cs_customer_type, cs_preferred_channel, cs_branch, active, company_id,
            type, is_company, partner_share, lang,
            create_uid, create_date, write_uid, write_date)
        SELECT s.id, s.id, 'Bench Customer ' || s.g, 'Bench Customer ' || s.g,
               %(tag)s || '-' || lpad(s.g::text, 7, '0'), 'individual',
               (ARRAY['branch', 'mobile_app', 'online_banking', 'phone',
                      NULL])[1 + mod(s.g, 5)],
               'Branch ' || mod(s.g, 40), TRUE, %(company)s, 'contact', FALSE,
               TRUE, 'en_US', %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM (SELECT nextval('res_partner_id_seq') AS id, g
                  FROM generate_series(1, %(count)s) g) s
        """,
            count=args.customers,
            **common,
        )
    )
    cr.execute(
        SQL(
            """
        CREATE TEMP TABLE bench_customer ON COMMIT DROP AS
        SELECT row_number() OVER (ORDER BY md5(id::text))::integer AS k, id
          FROM res_partner WHERE cs_customer_number LIKE %(pattern)s
        """,
            pattern=f"{common['tag']}-%",
        )
    )
    cr.execute("CREATE UNIQUE INDEX ON bench_customer (k)")
    cr.execute("ANALYZE bench_customer")


def insert_holdings(cr, args, products, common):
    """0 to 3 holdings a customer (1.5 on average), 5% closed."""
    cr.execute(
        SQL(
            """
        INSERT INTO cs_product_holding (
            partner_id, product_id, category, open_date, balance, currency_id,
            company_id, active, create_uid, create_date, write_uid, write_date)
        SELECT c.id, (%(products)s::integer[])[1 + mod(c.k + n, %(n_products)s)],
               (%(categories)s::varchar[])[1 + mod(c.k + n, %(n_products)s)],
               %(today)s::date - mod(c.k * 31 + n * 7, 7300),
               round(CASE WHEN c.k <= %(rich)s THEN 3e6 + random() * 1e7
                          ELSE exp(random() * 13.5) END::numeric, 2),
               CASE WHEN mod(c.k + n, 50) = 0 THEN %(second)s ELSE %(main)s END,
               %(company)s, mod(c.k * 7 + n, 20) <> 0,
               %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM bench_customer c
         CROSS JOIN LATERAL generate_series(
               1, (ARRAY[0, 1, 1, 1, 1, 2, 2, 2, 2, 3])[1 + mod(c.k, 10)]) n
        """,
            products=products.ids,
            categories=products.mapped("category"),
            n_products=len(products),
            rich=max(1, args.customers // 1000),
            **common,
        )
    )
    return cr.rowcount


def insert_sensitive(cr, needs, common):
    """Birth dates (18 to 90 years old) for 30% of customers, needs for 1%."""
    cr.execute(
        SQL(
            """
        INSERT INTO cs_customer_sensitive (
            partner_id, birth_date, create_uid, create_date, write_uid, write_date)
        SELECT c.id, %(today)s::date - (6570 + floor(random() * 26300))::integer,
               %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM bench_customer c WHERE mod(c.k, 10) < 3
        """,
            **common,
        )
    )
    count = cr.rowcount
    cr.execute(
        SQL(
            """
        INSERT INTO cs_customer_sensitive_special_need_rel (
            sensitive_id, special_need_id)
        SELECT s.id, (%(needs)s::integer[])[1 + mod(c.k, %(n_needs)s)]
          FROM cs_customer_sensitive s JOIN bench_customer c ON c.id = s.partner_id
         WHERE mod(c.k, 100) = 0
        """,
            needs=needs.ids,
            n_needs=len(needs),
        )
    )
    return count + cr.rowcount


def insert_transactions(cr, args, products, common, start, count):
    """``count`` transactions, customers drawn with a quadratic skew.

    Customers ranked above ``ACTIVE_SHARE`` of them are never drawn; rank 1
    gets about 1 transaction in 1,000. A customer's rank also sets its
    share of digital channels (90%, 60%, 30% or 5%).
    """
    cr.execute(
        SQL(
            """
        INSERT INTO cs_customer_transaction (
            partner_id, product_id, date, transaction_type, channel, amount,
            currency_id, reference, company_id,
            create_uid, create_date, write_uid, write_date)
        SELECT c.id, (%(products)s::integer[])[1 + mod(r.g, %(n_products)s + 1)],
               %(today)s::date - floor(730 * r.u_date)::integer,
               (ARRAY['deposit', 'withdrawal', 'payment', 'transfer', 'fee',
                      'interest', 'purchase', 'other'])[1 + mod(r.g, 8)],
               CASE WHEN r.u_channel < (ARRAY[0.9, 0.6, 0.3, 0.05])[1 + mod(c.k, 4)]
                    THEN (ARRAY['mobile_app', 'online_banking'])[1 + mod(r.g, 2)]
                    ELSE (ARRAY['branch', 'phone', 'branch', NULL])[1 + mod(r.g, 4)]
               END,
               round((1 + exp(r.u_amount * 9))::numeric, 2),
               CASE WHEN mod(r.g, 50) = 0 THEN %(second)s ELSE %(main)s END,
               %(tag)s || '-' || r.g, %(company)s, %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM (SELECT g, random() AS u_customer, random() AS u_date,
                       random() AS u_channel, random() AS u_amount
                  FROM generate_series(%(first)s, %(last)s) g) r
          JOIN bench_customer c
            ON c.k = 1 + floor(%(active)s * r.u_customer * r.u_customer)::integer
        """,
            products=products.ids,
            n_products=len(products),
            first=start + 1,
            last=start + count,
            active=max(1, int(args.customers * ACTIVE_SHARE)),
            **common,
        )
    )


def commit_and_vacuum(cr):
    """Commit, then VACUUM ANALYZE the tables, as in production."""
    with Meter(cr) as meter:
        cr.commit()
        _dbname, info = connection_info_for(cr.dbname)
        with closing(psycopg2.connect(**info)) as connection:
            connection.autocommit = True
            with connection.cursor() as vacuum_cr:
                for table in TABLES:
                    vacuum_cr.execute(
                        SQL("VACUUM ANALYZE %s", SQL.identifier(table)).code
                    )
    report("COMMIT, VACUUM ANALYZE", len(TABLES), meter, "tables")


def reset_kept(env):
    """Forget the metrics, tiers and tags of the customers kept by a run."""
    cr = env.cr
    header("1. reuse the kept data: reset metrics, tiers and tags (committed)")
    with Meter(cr) as meter:
        # as new customers have them: empty, and never updated
        cr.execute("TRUNCATE cs_customer_metrics")
        reset = insert_metrics_rows(cr)
        cr.execute("DELETE FROM cs_segment_history WHERE cause = 'recompute'")
        cr.execute(SQL("TRUNCATE %s", SQL.identifier(STAGE)))
    report("reset", reset, meter, "customers")
    commit_and_vacuum(cr)


def describe_data(cr):
    """Print the data's shape; return the numbers of customers and transactions."""
    cr.execute(
        SQL(
            """
        SELECT count(*), count(*) FILTER (WHERE n = 0), max(n),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY n),
               percentile_cont(0.99) WITHIN GROUP (ORDER BY n)
          FROM (SELECT p.id, count(t.id) AS n FROM res_partner p
                  LEFT JOIN cs_customer_transaction t ON t.partner_id = p.id
                 WHERE p.active AND p.%s GROUP BY p.id) x
        """,
            SQL(CUSTOMERS),
        )
    )
    customers, none, most, median, p99 = cr.fetchone()
    cr.execute(
        """SELECT count(*), count(DISTINCT currency_id), min(date), max(date)
             FROM cs_customer_transaction"""
    )
    count, currencies, first, last = cr.fetchone()
    cr.execute("SELECT count(*), sum(balance) FROM cs_product_holding WHERE active")
    holdings, balance = cr.fetchone()
    print(
        f"  -> {customers:,} customers, {none:,} without transactions; "
        f"transactions a customer: median {median:.0f}, 99th percentile "
        f"{p99:.0f}, max {most:,}\n  -> {count:,} transactions in {currencies} "
        f"currencies from {first} to {last}; {holdings:,} active holdings "
        f"worth {balance or 0:,.0f}"
    )
    return customers, count


# ----------------------------------------------------------------------
# measures
# ----------------------------------------------------------------------


def apply_settings(cr, settings):
    for setting in settings:
        name, _sep, value = setting.partition("=")
        cr.execute("SELECT set_config(%s, %s, false)", [name.strip(), value.strip()])
        print(f"  SET {name.strip()} = {value.strip()}")


def table_writes(cr, table):
    """(inserted + updated, HOT updated) rows of ``table`` so far in this
    transaction."""
    cr.execute(
        "SELECT n_tup_ins + n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables"
        " WHERE relid = %s::regclass",
        [table],
    )
    return cr.fetchone()


class Writes:
    """Rows of a table written in a block, and how many in place (HOT)."""

    def __init__(self, cr, table="cs_customer_metrics"):
        self.cr = cr
        self.table = table
        self.rows = self.hot = 0

    def __enter__(self):
        self._start = table_writes(self.cr, self.table)
        return self

    def __exit__(self, *exc):
        rows, hot = table_writes(self.cr, self.table)
        self.rows, self.hot = rows - self._start[0], hot - self._start[1]

    def __str__(self):
        return f"{self.rows:,} {self.table} rows written ({self.hot:,} HOT)"


def bench_floor(env):
    """One-column UPDATE of every customer, rolled back."""
    cr = env.cr
    header("3. floor: one-column UPDATE of every customer (rolled back)")
    with (
        closing(cr.savepoint(flush=False)),
        Writes(cr, "res_partner") as writes,
        Meter(cr) as meter,
    ):
        cr.execute(
            SQL(
                "UPDATE res_partner SET write_date = %s WHERE %s",
                fields.Datetime.now(),
                SQL(CUSTOMERS),
            )
        )
    report("UPDATE res_partner SET write_date", writes.rows, meter, "rows")
    print(f"    {writes}")
    return meter


def stage_count(cr):
    cr.execute(SQL("SELECT count(*) FROM %s", SQL.identifier(STAGE)))
    return cr.fetchone()[0]


def run_recompute(env, batch, progress):
    """Call the cron method until the staging table is empty.

    With ``progress``, each call gets a progress record in its context, as
    ``ir.cron`` gives it. Returns the meter, done and remaining of each
    call, and the meter of everything.
    """
    cr = env.cr
    Metrics = env["cs.customer.metrics"]
    cron = env.ref("customer_service_bank.ir_cron_cs_customer_metrics")
    calls = []
    total = Meter(cr, profile=True)
    while True:
        record = cron._add_progress()[1] if progress else None
        model = (
            Metrics.with_context(ir_cron_progress_id=record.id) if record else Metrics
        )
        with Meter(cr, profile=True) as meter:
            model._cron_recompute(batch_size=batch)
        total.add(meter)
        remaining = record.remaining if record else stage_count(cr)
        calls.append((meter, record.done if record else None, remaining))
        if not remaining:
            return calls, total
        if len(calls) > 10_000:
            raise RuntimeError("the staging table does not empty")


def print_run(title, calls, total, customers, writes):
    first = calls[0][0]
    prefix = f'INSERT INTO "{STAGE}"'
    build = sum(ms for key, ms in first.statement_ms.items() if key.startswith(prefix))
    others = [meter.seconds for meter, _done, _remaining in calls[1:]]
    report(f"{title}: total, {len(calls)} calls", customers, total, "customers")
    print(
        f"    stage build {build / 1000:.2f} s; first call {first.seconds:.2f} s; "
        f"other calls: median {statistics.median(others) if others else 0:.2f} s, "
        f"max {max(others, default=0):.2f} s; {writes}"
    )
    print(f"    time by statement ({total.queries:,} queries):")
    for key, ms in sorted(total.statement_ms.items(), key=lambda item: -item[1])[:8]:
        print(f"      {total.statements[key]:>6,} {ms / 1000:>8.2f} s  {key[:96]}")


def bench_recompute(env, args):
    cr = env.cr
    header(f"4. full recomputation, batches of {args.batch:,} (as ir.cron runs it)")
    with Writes(cr) as writes, Writes(cr, "res_partner") as customer_writes:
        calls, total = run_recompute(env, args.batch, progress=True)
    notified = sum(done for _meter, done, _remaining in calls)
    print_run("run 1", calls, total, args.customers, writes)
    print(f"    {customer_writes}")
    print(f"    done notified to ir.cron: {notified:,}")
    print_tiers(cr)

    header("5. second run on unchanged data, outside a cron (no progress record)")
    cr.execute("SELECT count(*) FROM ir_cron_progress")
    progress_before = cr.fetchone()[0]
    with Writes(cr) as writes2:
        calls2, total2 = run_recompute(env, args.batch, progress=False)
    cr.execute("SELECT count(*) FROM ir_cron_progress")
    progress_added = cr.fetchone()[0] - progress_before
    print_run("run 2", calls2, total2, args.customers, writes2)
    print(f"    ir.cron.progress records added outside a cron: {progress_added}")
    return total, writes, total2, writes2, progress_added


def bench_next_day(env, args):
    """The next day's run: a day of new transactions, then the cron, as tomorrow.

    Recency, the metrics window and so the ranks move every day: this is
    the run the scheduled action does on an ordinary night.
    """
    cr = env.cr
    header("6. next day: a day of new transactions, then the run of the night")
    now = fields.Datetime.now()
    count = max(1, args.transactions // 730)
    with Meter(cr) as meter:
        cr.execute(
            SQL(
                """
            INSERT INTO cs_customer_transaction (
                partner_id, date, transaction_type, channel, amount, currency_id,
                reference, company_id, create_uid, create_date, write_uid, write_date)
            SELECT p.id, %(tomorrow)s, 'payment',
                   (ARRAY['mobile_app', 'online_banking', 'branch'])[1 + mod(p.id, 3)],
                   round((1 + random() * 500)::numeric, 2), %(currency)s,
                   %(tag)s || p.id, %(company)s, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM (SELECT id FROM res_partner WHERE active AND %(customers)s
                     ORDER BY random() LIMIT %(count)s) p
            """,
                tomorrow=(now + timedelta(days=1)).date(),
                currency=env.company.currency_id.id,
                tag=f"ND{os.getpid()}-",
                company=env.company.id,
                uid=env.uid,
                now=now,
                customers=SQL(CUSTOMERS),
                count=count,
            )
        )
    report("a day of transactions", count, meter, "rows")
    with freeze_time(now + timedelta(days=1), tick=True), Writes(cr) as writes:
        calls, total = run_recompute(env, args.batch, progress=True)
    print_run("next day", calls, total, args.customers, writes)
    return total, writes


def print_tiers(cr):
    cr.execute(
        SQL(
            """
        SELECT s.name->>'en_US', count(*), count(*) FILTER (WHERE m.is_key)
          FROM res_partner p
          LEFT JOIN cs_customer_metrics m ON m.partner_id = p.id
          LEFT JOIN cs_segment s ON s.id = m.segment_id
         WHERE p.%s GROUP BY 1 ORDER BY 2
        """,
            SQL(CUSTOMERS),
        )
    )
    tiers = ", ".join(
        f"{name or 'none'} {count:,} ({key:,} key)"
        for name, count, key in cr.fetchall()
    )
    cr.execute(
        """
        SELECT s.name->>'en_US', count(*)
          FROM cs_customer_metrics m, unnest(m.tag_array) tag
          JOIN cs_segment s ON s.id = tag GROUP BY 1 ORDER BY 2
        """
    )
    tags = ", ".join(f"{name} {count:,}" for name, count in cr.fetchall())
    cr.execute("SELECT count(*) FROM cs_segment_history")
    history = cr.fetchone()[0]
    print(f"    tiers: {tiers}\n    tags: {tags}\n    tier history rows: {history:,}")


def explain(env, args):
    """Plans of the statements of the first cron call of a run.

    The call runs once to capture its statements, which then run again
    under EXPLAIN ANALYZE, all in a savepoint rolled back: it leaves the
    first batch's dead rows behind, 1/20 of the customers by default.
    """
    cr = env.cr
    header("2. plans of the first cron call: stage build and batch (rolled back)")
    with closing(cr.savepoint(flush=False)):
        with closing(cr.savepoint(flush=False)), Meter(cr, capture=True) as meter:
            env["cs.customer.metrics"]._cron_recompute(batch_size=args.batch)
        for query, params in meter.captured:
            if not query.lstrip().startswith(("INSERT", "CREATE", "WITH", "DELETE")):
                cr.execute(query, params)
                continue
            start = time.perf_counter()
            cr.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query}", params)
            plan = [line for (line,) in cr.fetchall()]
            print(f"\n  {' '.join(query.split())[:100]}")
            print(f"  ({time.perf_counter() - start:.2f} s)")
            for line in plan:
                print(f"    {line}")
    print(f"  ({load()})")


# ----------------------------------------------------------------------
# summary
# ----------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True, help="scratch database")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=5_000_000)
    parser.add_argument("--batch", type=int, help="batch size (default: the model's)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--keep",
        action="store_true",
        help="commit the data before measuring and the results at the end",
    )
    mode.add_argument(
        "--reuse",
        action="store_true",
        help="measure on the data kept by a --keep run (resets its metrics)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="GUC=VALUE",
        help="PostgreSQL setting for the measured statements, e.g. work_mem=256MB",
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=900,
        help="statement timeout of the measures in seconds (0: none)",
    )
    parser.add_argument(
        "--explain", action="store_true", help="show the plans of a cron call"
    )
    parser.add_argument(
        "--next-day",
        action="store_true",
        help="add the next night's run, after a day of new transactions",
    )
    return parser.parse_args(argv)


def summary(args, floor, figures, next_day):
    total, writes, total2, writes2, progress_added = figures
    ratio = total.seconds / floor.seconds
    verdicts = [
        total.seconds <= TARGET_SECONDS,
        ratio <= TARGET_FLOOR_RATIO,
        writes2.rows <= args.customers // 1000 and not progress_added,
    ]
    state = "committed" if args.keep or args.reuse else "uncommitted (one transaction)"
    print(f"\n== Summary (targets from the issue; data {state})")
    print(
        f"  {'PASS' if verdicts[0] else 'FAIL'}  full recomputation of "
        f"{args.customers:,} customers with {args.transactions:,} transactions: "
        f"{total.seconds:.1f} s (target <= {TARGET_SECONDS:.0f} s), {writes}"
    )
    print(
        f"  {'PASS' if verdicts[1] else 'FAIL'}  {ratio:.2f} x the floor, a "
        f"one-column UPDATE of the same rows in {floor.seconds:.1f} s "
        f"(target <= {TARGET_FLOOR_RATIO:.0f} x)"
    )
    print(
        f"  {'PASS' if verdicts[2] else 'FAIL'}  second run: {total2.seconds:.1f} s, "
        f"{writes2}, {progress_added} progress records outside a cron"
    )
    if next_day:
        day_total, day_writes = next_day
        print(
            f"  info  next day's run: {day_total.seconds:.1f} s, "
            f"{day_total.seconds / floor.seconds:.2f} x the floor, {day_writes}"
        )
    if not (args.keep or args.reuse):
        print(
            "  note: rows updated in the transaction that inserted them have their"
            " foreign keys checked again; --keep then --reuse measure on committed"
            " data, as in production"
        )
    print(f"  {load()}, {os.cpu_count()} CPUs")
    return all(verdicts)


def prepare(env, args):
    """Generate the data, or reset the kept one; fill in the counts."""
    cr = env.cr
    cr.execute(SQL("SELECT count(*) FROM res_partner WHERE %s", SQL(CUSTOMERS)))
    existing = cr.fetchone()[0]
    if args.reuse:
        if not existing:
            sys.exit("--reuse: no customer in the database, run with --keep first")
        reset_kept(env)
    else:
        if existing:
            print(f"  warning: {existing:,} customers already exist and count too")
        start = time.perf_counter()
        generate(env, args, f"BC{os.getpid()}")
        if args.keep:
            commit_and_vacuum(cr)
        print(f"  generation: {time.perf_counter() - start:.1f} s")
    args.customers, args.transactions = describe_data(cr)


def main(argv=None):
    args = parse_args(argv)
    with rolled_back_environment(args.config, args.database) as env:
        if not args.batch:
            method = env["cs.customer.metrics"]._cron_recompute
            args.batch = inspect.signature(method).parameters["batch_size"].default
        prepare(env, args)
        apply_settings(env.cr, [f"statement_timeout={args.timeout}s", *args.set])
        try:
            if args.explain:
                explain(env, args)
            floor = bench_floor(env)
            figures = bench_recompute(env, args)
            next_day = bench_next_day(env, args) if args.next_day else None
        except QueryCanceled as error:
            print(f"\n== FAIL: a statement ran over {args.timeout} s: {error}")
            return 1
        passed = summary(args, floor, figures, next_day)
        if args.keep:
            env.cr.commit()
    if args.keep:
        print("\ncommitted (--keep): the data and the results stay in the database")
    else:
        print("\nrolled back: the measures left nothing in the database")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
