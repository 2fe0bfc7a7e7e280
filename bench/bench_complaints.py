"""Benchmark batch complaint creation and the deadline/escalation cron.

Usage::

    python3 bench/bench_complaints.py -c ODOO_CONF -d DB \\
        [--create 10000] [--create-handlers 2000] \\
        [--cron-sizes 10000,100000] [--escalations 1000] \\
        [--profile-size 1000] [--profile] [--cprofile] [--sql-log FILE]

``DB`` must have ``customer_service_bank`` installed; use a scratch database.
Everything runs in ONE transaction that is rolled back at the end, and each
measurement in a savepoint rolled back after it, so no record is left
behind. PostgreSQL sequences are not transactional: record ids and the
complaint reference sequence move on, leaving gaps.

Measured:

1. ``cs.complaint.create()`` of ``--create`` complaints in one call, as the
   admin user (record rules apply), followed by ``env.flush_all()`` and the
   commit-time precommit hooks; complaints/s and queries per complaint.
   Without handler (no assignment notification), then ``--create-handlers``
   complaints with a handler each. When a run exceeds the query target (or
   with ``--profile``), a ``--profile-size`` run groups its queries by
   statement and by the first caller outside the ORM; ``--cprofile`` adds a
   Python time profile of it and of the cron.
2. ``cs.complaint._cron_check_deadlines()`` over each of ``--cron-sizes``
   open complaints inserted with set-based SQL, of which ``--escalations``
   newly need escalating: the status sweep alone (with EXPLAIN ANALYZE at
   the largest size), the full run repeated until nothing is pending (as
   ``ir.cron`` does), the idempotent rerun, and one run through the
   scheduled action with its progress records, as an ``ir.cron`` worker
   runs it.

Queries are counted with ``cursor.sql_log_count`` (always incremented,
whatever the log level), wall time with ``time.perf_counter()`` and the
Python process's CPU time with ``time.process_time()``: on a loaded machine
wall time swells while CPU time stays close to the work done (PostgreSQL's
own time is in the wall time only).
"""

import argparse
import cProfile
import os
import pstats
import re
import sys
import threading
import time
from collections import Counter, defaultdict
from contextlib import closing, contextmanager

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.fields import Command
from odoo.tools import SQL

TARGET_QUERIES_PER_COMPLAINT = 5
TARGET_CRON_SECONDS = 10.0
TARGET_CRON_SIZE = 100_000
CUSTOMERS = 200
HANDLERS = 5
# Frames of these files are the ORM plumbing, not the source of a query.
PLUMBING = re.compile(
    r"/odoo/(sql_db|models|fields|api|osv/expression|tools/query|tools/sql"
    r"|tools/misc|tools/func|tools/cache)\.py$"
    r"|/bench_complaints\.py$"
)


# ----------------------------------------------------------------------
# measuring
# ----------------------------------------------------------------------


class Meter:
    """Wall time, CPU time and query count of a block, optionally profiled.

    ``profile`` groups queries by their first words; ``callers`` also by the
    innermost frame outside the ORM (slower: only for profiling runs);
    ``sql_log`` is an open file every query is written to.
    """

    def __init__(self, cr, profile=False, callers=False, sql_log=None, capture=False):
        self.cr = cr
        self.capture = capture
        self.profile = profile or callers
        self.callers = callers
        self.sql_log = sql_log
        self.statements = Counter()
        self.statement_ms = defaultdict(float)
        self.sources = Counter()
        self.captured = []
        self.seconds = 0.0
        self.cpu = 0.0
        self.queries = 0

    def _hook(self, cr, query, params, start, delay):
        if cr is not self.cr:
            return
        if isinstance(query, bytes):
            query = query.decode(errors="replace")
        if self.profile:
            key = statement_key(query)
            self.statements[key] += 1
            self.statement_ms[key] += delay * 1000
        if self.callers:
            self.sources[query_source()] += 1
        if self.sql_log:
            self.sql_log.write(f"[{delay * 1000:.3f} ms] {cr._format(query, params)}\n")
        if self.capture:
            self.captured.append((query, params))

    def __enter__(self):
        self._thread = threading.current_thread()
        self._hooks = getattr(self._thread, "query_hooks", None)
        if self.profile or self.sql_log or self.capture:
            self._thread.query_hooks = (*(self._hooks or ()), self._hook)
        self._count = self.cr.sql_log_count
        self._start = time.perf_counter()
        self._cpu = time.process_time()
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.seconds = time.perf_counter() - self._start
        self.cpu = time.process_time() - self._cpu
        self.queries = self.cr.sql_log_count - self._count
        if self._hooks is None:
            if hasattr(self._thread, "query_hooks"):
                del self._thread.query_hooks
        else:
            self._thread.query_hooks = self._hooks

    def add(self, other):
        """Add the figures of ``other`` to this meter's."""
        self.seconds += other.seconds
        self.cpu += other.cpu
        self.queries += other.queries
        self.statements.update(other.statements)
        for key, ms in other.statement_ms.items():
            self.statement_ms[key] += ms
        self.sources.update(other.sources)
        return self


def statement_key(query):
    """The first words of a query, numbers and strings blanked, as its group."""
    text = " ".join(query[:400].split())
    text = re.sub(r"'[^']*'", "'?'", text)
    text = re.sub(r"\b\d+\b", "N", text)
    return text[:110]


def query_source():
    """``file:line function`` of the innermost caller outside the ORM."""
    frame = sys._getframe(2)
    while frame and (
        PLUMBING.search(frame.f_code.co_filename)
        or frame.f_code.co_filename.startswith("<")
    ):
        frame = frame.f_back
    if frame is None:
        return "?"
    path = frame.f_code.co_filename
    short = re.sub(r"^.*/(addons|customer_service_bank)/", r"\1/", path)
    return f"{short}:{frame.f_lineno} {frame.f_code.co_name}"


@contextmanager
def rolled_back(cr):
    """Run the block in a savepoint, then roll back to it (flushing first)."""
    with closing(cr.savepoint()):
        yield


# ----------------------------------------------------------------------
# output
# ----------------------------------------------------------------------


def report(section, items, meter, unit):
    """Print one figure line."""
    per_item = meter.queries / items if items else float("nan")
    rate = items / meter.seconds if items and meter.seconds else float("nan")
    print(
        f"  {section:<46} {items:>8,} {meter.seconds:>9.3f} {meter.cpu:>8.3f} "
        f"{meter.queries:>8,} {per_item:>8.3f} {rate:>9,.0f} {unit}",
        flush=True,
    )


def header(title):
    print(f"\n== {title} ({load()})", flush=True)
    print(
        f"  {'section':<46} {'items':>8} {'wall s':>9} {'cpu s':>8} {'queries':>8} "
        f"{'q/item':>8} {'items/s':>9}"
    )


def print_profile(meter, title, top=12):
    total = sum(meter.statements.values()) or 1
    print(f"\n  {title}: top statements ({total:,} queries)")
    for key, count in meter.statements.most_common(top):
        ms = meter.statement_ms[key]
        print(f"    {count:>7,} {count / total:>6.1%} {ms:>9.1f} ms  {key}")
    if meter.sources:
        print(f"\n  {title}: top callers outside the ORM")
        for source, count in meter.sources.most_common(top):
            print(f"    {count:>7,} {count / total:>6.1%}  {source}")


def load():
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


# ----------------------------------------------------------------------
# data
# ----------------------------------------------------------------------


def make_fixtures(env):
    """Users, a team, categories and customers, all created in batch."""
    ref = env.ref
    users = env["res.users"].with_context(no_reset_password=True)
    tag = f"{os.getpid()}_{int(time.time())}"

    def user_vals(name, group):
        return {
            "name": f"Bench {name}",
            "login": f"bench_{name.lower().replace(' ', '_')}_{tag}",
            "email": f"bench.{name.lower().replace(' ', '.')}@example.com",
            "groups_id": [Command.set([ref(f"customer_service_bank.{group}").id])],
        }

    handlers = users.create(
        [user_vals(f"Handler {i}", "group_cs_agent") for i in range(HANDLERS)]
    )
    supervisor, manager = users.create(
        [
            user_vals("Supervisor", "group_cs_supervisor"),
            user_vals("Manager", "group_cs_manager"),
        ]
    )
    team = env["cs.team"].create(
        {
            "name": f"Bench Team {tag}",
            "supervisor_id": supervisor.id,
            "manager_id": manager.id,
            "member_ids": [Command.set(handlers.ids)],
        }
    )
    Category = env["cs.complaint.category"]
    cards = Category.create({"name": "Bench Cards"})
    categories = cards | Category.create(
        [
            {"name": "Bench Card Fees", "parent_id": cards.id},
            {"name": "Bench Loans"},
        ]
    )
    customers = env["res.partner"].create(
        [
            {"name": f"Bench Customer {i}", "email": f"bench.customer{i}@example.com"}
            for i in range(CUSTOMERS)
        ]
    )
    return handlers, team, categories, customers


def complaint_vals(count, team, categories, customers, handlers=None):
    channels = [
        key for key, _label in team.env["cs.complaint"]._fields["channel"].selection
    ]
    return [
        {
            "subject": f"Bench complaint {i}",
            "description": "<p>Card fee charged twice.</p>",
            "partner_id": customers[i % len(customers)].id,
            "team_id": team.id,
            "category_id": categories[i % len(categories)].id,
            "channel": channels[i % len(channels)],
            "priority": "1" if i % 10 == 0 else "0",
            **({"user_id": handlers[i % len(handlers)].id} if handlers else {}),
        }
        for i in range(count)
    ]


def insert_open_complaints(env, count, due, team, categories, customers, handlers, now):
    """Insert ``count`` open complaints with SQL; the first ``due`` need escalating.

    All are in progress, acknowledged and stored as on track. Of the due ones,
    half are past their warning date (level 1, handler), a quarter breached
    two hours ago (level 2, supervisor) and a quarter three days ago
    (level 3, manager); the others are due in a month.
    """
    company = team.company_id
    stage = env.ref("customer_service_bank.cs_complaint_stage_in_progress")
    channels = [key for key, _label in env["cs.complaint"]._fields["channel"].selection]
    env.cr.execute(
        SQL(
            """
        INSERT INTO cs_complaint (
            name, subject, company_id, partner_id, team_id, user_id, category_id,
            channel, priority, stage_id, stage_kind, sla_policy_id, currency_id,
            active, is_repeat, reopen_count, escalation_level, deadline_status,
            received_date, acknowledged_date, ack_deadline,
            resolve_warning_date, resolve_deadline,
            create_uid, create_date, write_uid, write_date)
        SELECT 'BENCH/' || g, 'Bench open complaint ' || g, %(company)s,
               (%(customers)s::int[])[1 + mod(g, %(n_customers)s)], %(team)s,
               (%(handlers)s::int[])[1 + mod(g, %(n_handlers)s)],
               (%(categories)s::int[])[1 + mod(g, %(n_categories)s)],
               (%(channels)s::varchar[])[1 + mod(g, %(n_channels)s)], '0',
               %(stage)s, 'in_progress', %(policy)s, %(currency)s,
               true, false, 0, '0', 'on_track',
               t.received, t.received + interval '1 hour',
               t.received + interval '3 days',
               t.warning, t.deadline,
               %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM generate_series(1, %(count)s) g
         CROSS JOIN LATERAL (
            SELECT CASE
                       WHEN g > %(due)s THEN %(now)s - interval '1 day' * mod(g, 10)
                       ELSE %(now)s - interval '20 days'
                   END AS received,
                   CASE
                       WHEN g > %(due)s THEN %(now)s + interval '20 days'
                       WHEN mod(g, 4) IN (0, 1) THEN %(now)s - interval '1 hour'
                       ELSE %(now)s - interval '5 days'
                   END AS warning,
                   CASE
                       WHEN g > %(due)s THEN %(now)s + interval '30 days'
                       WHEN mod(g, 4) IN (0, 1) THEN %(now)s + interval '5 days'
                       WHEN mod(g, 4) = 2 THEN %(now)s - interval '2 hours'
                       ELSE %(now)s - interval '3 days'
                   END AS deadline
         ) t
        """,
            company=company.id,
            customers=customers.ids,
            n_customers=len(customers),
            team=team.id,
            handlers=handlers.ids,
            n_handlers=len(handlers),
            categories=categories.ids,
            n_categories=len(categories),
            channels=channels,
            n_channels=len(channels),
            stage=stage.id,
            policy=company.cs_default_sla_policy_id.id,
            currency=company.currency_id.id,
            uid=env.uid,
            now=now,
            count=count,
            due=due,
        )
    )
    env.cr.execute("ANALYZE cs_complaint")


def insert_stage_logs(env, prefix):
    """The passages the history of each generated complaint named ``prefix``
    (a LIKE pattern) implies, by set-based SQL.

    New until acknowledged, in progress until resolved (one complaint in
    five, and every one awaiting now, with a stay awaiting the customer in
    the middle of it), resolved, and closed two days later.
    """
    stage = {
        kind: env.ref(f"customer_service_bank.cs_complaint_stage_{kind}").id
        for kind in ("new", "in_progress", "awaiting", "resolved", "closed")
    }
    env.cr.execute(
        SQL(
            """
        INSERT INTO cs_complaint_stage_log (
            complaint_id, company_id, team_id, stage_id, stage_kind, user_id,
            date_in, date_out, duration_hours)
        SELECT c.id, c.company_id, c.team_id, p.stage_id, p.kind, %(uid)s,
               p.date_in, p.date_out,
               COALESCE(extract(epoch FROM p.date_out - p.date_in) / 3600, 0)
          FROM cs_complaint c
         CROSS JOIN LATERAL (
            SELECT c.stage_kind = 'awaiting'
                       OR (mod(c.id, 5) = 0 AND c.acknowledged_date IS NOT NULL)
                       AS awaited,
                   COALESCE(c.resolved_date, %(now)s) - c.acknowledged_date AS span,
                   LEAST(c.resolved_date + interval '2 days', %(now)s) AS closed
         ) h
         CROSS JOIN LATERAL (
            VALUES
                (%(new)s, 'new', c.received_date, c.acknowledged_date, true),
                (%(in_progress)s, 'in_progress', c.acknowledged_date,
                 CASE WHEN h.awaited THEN c.acknowledged_date + h.span * 0.3
                      ELSE c.resolved_date END, true),
                (%(awaiting)s, 'awaiting', c.acknowledged_date + h.span * 0.3,
                 CASE WHEN c.stage_kind <> 'awaiting'
                      THEN c.acknowledged_date + h.span * 0.5 END, h.awaited),
                (%(in_progress)s, 'in_progress', c.acknowledged_date + h.span * 0.5,
                 c.resolved_date, h.awaited AND c.stage_kind <> 'awaiting'),
                (%(resolved)s, 'resolved', c.resolved_date,
                 CASE WHEN c.stage_kind = 'closed' THEN h.closed END, true),
                (%(closed)s, 'closed', h.closed, NULL::timestamp,
                 c.stage_kind = 'closed')
         ) p(stage_id, kind, date_in, date_out, wanted)
         WHERE c.name LIKE %(prefix)s
           AND p.wanted
           AND p.date_in IS NOT NULL
        """,
            uid=env.uid,
            now=fields.Datetime.now(),
            prefix=prefix,
            **stage,
        )
    )


def status_counts(env):
    env.cr.execute(
        """SELECT deadline_status, escalation_level, count(*) FROM cs_complaint
            WHERE name LIKE 'BENCH/%' GROUP BY 1, 2 ORDER BY 1, 2"""
    )
    return ", ".join(
        f"{status}/L{level}: {count:,}" for status, level, count in env.cr.fetchall()
    )


# ----------------------------------------------------------------------
# benchmarks
# ----------------------------------------------------------------------


def bench_create(env, args, fixtures, sql_log):
    handlers, team, categories, customers = fixtures
    admin_env = env(user=env.ref("base.user_admin").id)
    Complaint = admin_env["cs.complaint"]
    runs = [("no handler", args.create, None)]
    if args.create_handlers:
        runs.append(("with handler", args.create_handlers, handlers))
    header("1. Batch create: one create() call as admin, flush_all(), commit hooks")
    figures = {}
    for label, count, assignees in runs:
        if not count:
            continue
        vals_list = complaint_vals(count, team, categories, customers, assignees)
        with rolled_back(env.cr):
            with Meter(env.cr, sql_log=sql_log) as create_meter:
                complaints = Complaint.create(vals_list)
                admin_env.flush_all()
            with Meter(env.cr, sql_log=sql_log) as commit_meter:
                env.cr.precommit.run()
            meter = Meter(env.cr).add(create_meter).add(commit_meter)
            report(
                f"{label}: create() + flush_all()", count, create_meter, "complaints"
            )
            report(f"{label}: + precommit hooks = total", count, meter, "complaints")
            figures[label] = (count, meter)
            print_created(env, complaints)
        missed = meter.queries / count > TARGET_QUERIES_PER_COMPLAINT
        if (missed or args.profile) and args.profile_size:
            # fresh values: create() wrote the references into the first ones
            size = min(count, args.profile_size)
            vals_list = complaint_vals(size, team, categories, customers, assignees)
            profile_create(admin_env, args, label, vals_list)
    return figures


def print_created(env, complaints):
    env.cr.execute(
        SQL(
            """SELECT (SELECT count(*) FROM cs_complaint_stage_log
                    WHERE complaint_id = ANY(%(ids)s)),
                  (SELECT count(*) FROM mail_message
                    WHERE model = 'cs.complaint' AND res_id = ANY(%(ids)s)),
                  (SELECT count(*) FROM mail_mail m
                     JOIN mail_message msg ON msg.id = m.mail_message_id
                    WHERE msg.model = 'cs.complaint' AND msg.res_id = ANY(%(ids)s)),
                  (SELECT count(*) FROM mail_followers
                    WHERE res_model = 'cs.complaint' AND res_id = ANY(%(ids)s)),
                  (SELECT count(*) FROM cs_complaint
                    WHERE id = ANY(%(ids)s) AND is_repeat)""",
            ids=complaints.ids,
        )
    )
    logs, messages, mails, followers, repeats = env.cr.fetchone()
    print(
        f"    -> {len(complaints):,} complaints {complaints[0].name} .. "
        f"{complaints[-1].name}: {logs:,} stage logs, {messages:,} chatter messages, "
        f"{mails:,} mails queued, {followers:,} followers, {repeats:,} flagged repeats"
    )


def profile_create(env, args, label, vals_list):
    """Create ``vals_list`` again with the query profile (and cProfile) on."""
    size = len(vals_list)
    profiler = cProfile.Profile() if args.cprofile else None
    with rolled_back(env.cr), Meter(env.cr, callers=True) as meter:
        if profiler:
            profiler.enable()
        env["cs.complaint"].create(vals_list)
        env.flush_all()
        env.cr.precommit.run()
        if profiler:
            profiler.disable()
    print(
        f"\n  profiling run, {label}, {size:,} complaints: {meter.queries:,} queries, "
        f"{meter.queries / size:.2f} per complaint ({meter.seconds:.2f} s, inflated)"
    )
    print_profile(meter, f"{label}, {size:,}")
    if profiler:
        print_cprofile(profiler, f"{label}, {size:,}")
    print()


def print_cprofile(profiler, title, top=25):
    """Functions by cumulative time, ORM plumbing left out."""
    stats = pstats.Stats(profiler).stats
    total = max(entry[3] for entry in stats.values())
    rows = []
    for (path, line, name), entry in stats.items():
        if PLUMBING.search(path) or path.startswith("<") or "/" not in path:
            continue
        _primitive, calls, _own, cumulative, _callers = entry
        rows.append((cumulative, calls, path, line, name))
    rows.sort(reverse=True)
    print(f"\n  {title}: cumulative time by function ({total:.2f} s profiled)")
    for cumulative, calls, path, line, name in rows[:top]:
        short = re.sub(
            r"^.*/(addons|customer_service_bank|site-packages)/", r"\1/", path
        )
        print(
            f"    {cumulative:>7.2f} s {cumulative / total:>6.1%} {calls:>7,}x  "
            f"{short}:{line} {name}"
        )


def cron_run_until_done(env, sql_log):
    """Call the cron method until nothing is pending, measuring each call.

    The pending count between calls is checked outside the measurement:
    ``ir.cron`` reads it from the progress the method reports.
    """
    Complaint = env["cs.complaint"]
    total = Meter(env.cr)
    rounds = 0
    while True:
        with Meter(env.cr, profile=True, sql_log=sql_log) as meter:
            Complaint._cron_check_deadlines()
            env.flush_all()
        rounds += 1
        total.add(meter)
        if not Complaint._batch_remaining() or rounds >= 100:
            return total, rounds


def warm_up(env, fixtures):
    """Fill the registry caches (templates, models, rules) the runs rely on.

    Otherwise the first measured run pays for them and the query counts of
    different sizes are not comparable.
    """
    handlers, team, categories, customers = fixtures
    admin_env = env(user=env.ref("base.user_admin").id)
    with rolled_back(env.cr):
        admin_env["cs.complaint"].create(
            complaint_vals(5, team, categories, customers)
            + complaint_vals(5, team, categories, customers, handlers)
        )
        admin_env.flush_all()
        env.cr.precommit.run()
    with rolled_back(env.cr):
        now = fields.Datetime.now()
        insert_open_complaints(env, 40, 8, team, categories, customers, handlers, now)
        cron_run_until_done(env(user=SUPERUSER_ID), None)
        run_scheduled_action(env)
    with rolled_back(env.cr):
        run_scheduled_action(env)


def bench_cron(env, args, fixtures, sql_log):
    handlers, team, categories, customers = fixtures
    root_env = env(user=SUPERUSER_ID)
    due = args.escalations
    figures = {}
    for size in args.cron_sizes:
        header(f"2. Deadline cron over {size:,} open complaints, {due:,} newly due")
        with rolled_back(env.cr):
            start = time.perf_counter()
            insert_open_complaints(
                root_env,
                size,
                due,
                team,
                categories,
                customers,
                handlers,
                fields.Datetime.now(),
            )
            seconds = time.perf_counter() - start
            print(f"  (inserted with SQL in {seconds:.2f} s, then ANALYZE)")
            print(f"  before: {status_counts(root_env)}")
            sweep = bench_sweep(root_env, size, explain=size == max(args.cron_sizes))
            with rolled_back(env.cr):
                full, rounds = cron_run_until_done(root_env, sql_log)
                report(
                    f"full cron, {rounds} call(s), per escalation",
                    due,
                    full,
                    "escalations",
                )
                print_escalated(root_env)
                with Meter(env.cr) as rerun:
                    root_env["cs.complaint"]._cron_check_deadlines()
                    root_env.flush_all()
                report("rerun, nothing left to escalate", size, rerun, "complaints")
            with rolled_back(env.cr):
                cron_meter, progresses = run_scheduled_action(env)
                report(
                    f"ir.cron worker, {len(progresses)} batch(es), per escalation",
                    due,
                    cron_meter,
                    "escalations",
                )
                print(
                    "    -> progress records (done/remaining): "
                    + ", ".join(f"{p.done}/{p.remaining}" for p in progresses)
                )
            if size == max(args.cron_sizes):
                print_profile(full, f"full cron at {size:,}", top=10)
                if args.cprofile:
                    profile_cron(root_env, size)
            figures[size] = (sweep, full, rerun, cron_meter)
    return figures


def bench_sweep(env, size, explain):
    """Time the status sweep alone; EXPLAIN ANALYZE its UPDATE if asked."""
    Complaint = env["cs.complaint"]
    with rolled_back(env.cr):
        with Meter(env.cr, capture=True) as sweep:
            Complaint._refresh_deadline_status()
        report("status sweep alone", size, sweep, "complaints")
        print(f"    -> {status_counts(env)}")
    if not explain:
        return sweep
    query, params = next(
        (query, params)
        for query, params in sweep.captured
        if query.lstrip().upper().startswith("UPDATE")
    )
    with rolled_back(env.cr):
        env.cr.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + query, params)
        plan = [row[0] for row in env.cr.fetchall()]
    print("\n  EXPLAIN ANALYZE of the sweep UPDATE:")
    print("\n".join(f"    {line}" for line in plan))
    with rolled_back(env.cr):
        Complaint._refresh_deadline_status()
        env.cr.execute(
            SQL(
                "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT count(*) FROM (%s) p",
                _pending_sql(),
            )
        )
        plan = [row[0] for row in env.cr.fetchall()]
    print("\n  EXPLAIN ANALYZE of the pending-escalations count, after the sweep:")
    print("\n".join(f"    {line}" for line in plan))
    print()
    return sweep


def print_escalated(env):
    env.cr.execute(
        """SELECT (SELECT count(*) FROM mail_activity a
                     JOIN cs_complaint c ON c.id = a.res_id
                    WHERE a.res_model = 'cs.complaint' AND c.name LIKE 'BENCH/%'),
                  (SELECT count(*) FROM mail_mail m
                     JOIN mail_message msg ON msg.id = m.mail_message_id
                    WHERE msg.subject LIKE 'Complaints needing your attention: %'),
                  (SELECT count(*) FROM mail_message msg
                     JOIN cs_complaint c ON c.id = msg.res_id
                    WHERE msg.model = 'cs.complaint' AND c.name LIKE 'BENCH/%'
                      AND msg.message_type = 'notification'),
                  (SELECT count(DISTINCT msg.id) FROM mail_message msg
                     JOIN mail_tracking_value t ON t.mail_message_id = msg.id
                     JOIN cs_complaint c ON c.id = msg.res_id
                    WHERE msg.model = 'cs.complaint' AND c.name LIKE 'BENCH/%')"""
    )
    activities, mails, notes, tracked = env.cr.fetchone()
    print(f"    -> {status_counts(env)}")
    print(
        f"    -> {activities:,} activities, {mails:,} digest mails queued "
        "(one per person and batch), "
        f"{notes:,} chatter notes of which {tracked:,} with tracking values"
    )


def profile_cron(env, size):
    """Run the cron again under cProfile to show where its time goes."""
    profiler = cProfile.Profile()
    with rolled_back(env.cr):
        profiler.enable()
        cron_run_until_done(env, None)
        profiler.disable()
    print_cprofile(profiler, f"full cron at {size:,}")
    print()


def _pending_sql():
    """The addon's pending-escalations query (importable once Odoo is set up)."""
    from odoo.addons.customer_service_bank.models.cs_complaint_escalation import (
        pending_escalations_sql,
    )

    return pending_escalations_sql(fields.Datetime.now())


def run_scheduled_action(env):
    """Run the scheduled action as an ir.cron worker does, minus its commits.

    Mirrors ``ir.cron._run_job``: a progress record per batch, the server
    action run as the cron's user, a flush, until no progress is left or
    the worker's batch limit is hit.
    """
    cron = env.ref("customer_service_bank.ir_cron_cs_complaint_deadlines")
    cron = cron.with_user(cron.user_id).with_context(
        lastcall=cron.lastcall, cron_id=cron.id
    )
    max_batches = getattr(
        sys.modules["odoo.addons.base.models.ir_cron"], "MAX_BATCH_PER_CRON_JOB", 10
    )
    progresses = []
    with Meter(env.cr) as meter:
        for _batch in range(max_batches):
            batch_cron, progress = cron._add_progress()
            batch_cron.ir_actions_server_id.with_context(batch_cron.env.context).run()
            batch_cron.env.flush_all()
            progresses.append(progress)
            if not progress.remaining:
                break
    return meter, progresses


# ----------------------------------------------------------------------
# main
# ----------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True, help="scratch database")
    parser.add_argument(
        "--create",
        type=int,
        default=10_000,
        help="complaints created in one batch, without handler",
    )
    parser.add_argument(
        "--create-handlers",
        type=int,
        default=2_000,
        help="complaints created in one batch with a handler (0: skip)",
    )
    parser.add_argument(
        "--cron-sizes",
        default="10000,100000",
        help="comma-separated numbers of open complaints for the cron",
    )
    parser.add_argument(
        "--escalations",
        type=int,
        default=1_000,
        help="complaints that newly need escalating at each size",
    )
    parser.add_argument(
        "--profile-size",
        type=int,
        default=1_000,
        help="size of the profiling run when a target is missed (0: none)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile the create runs even when they meet the target",
    )
    parser.add_argument(
        "--cprofile",
        action="store_true",
        help="also profile Python time in the create profiling runs",
    )
    parser.add_argument("--sql-log", help="write every measured query to this file")
    args = parser.parse_args(argv)
    args.cron_sizes = [int(size) for size in args.cron_sizes.split(",") if size.strip()]
    return args


def summary(args, create_figures, cron_figures):
    print("\n== Summary (targets from the issue)")
    verdicts = []
    for label, (items, meter) in create_figures.items():
        per = meter.queries / items
        verdict = "PASS" if per <= TARGET_QUERIES_PER_COMPLAINT else "FAIL"
        verdicts.append(verdict)
        print(
            f"  {verdict}  batch {label} of {items:,}: {per:.2f} queries/complaint "
            f"(target <= {TARGET_QUERIES_PER_COMPLAINT}); {items / meter.seconds:,.0f} "
            f"complaints/s ({meter.seconds:.1f} s wall, {meter.cpu:.1f} s Python CPU)"
        )
    for size, (sweep, full, rerun, cron_meter) in cron_figures.items():
        line = (
            f"cron over {size:,}: {full.seconds:.2f} s wall ({full.cpu:.2f} s Python "
            f"CPU), {full.queries:,} queries for {args.escalations:,} escalations "
            f"(ir.cron worker {cron_meter.seconds:.2f} s); "
            f"sweep {sweep.seconds:.3f} s; rerun {rerun.seconds:.3f} s, "
            f"{rerun.queries} queries"
        )
        if size == TARGET_CRON_SIZE:
            verdict = "PASS" if full.seconds <= TARGET_CRON_SECONDS else "FAIL"
            verdicts.append(verdict)
            print(f"  {verdict}  {line} (target <= {TARGET_CRON_SECONDS:.0f} s)")
        else:
            print(f"  info  {line}")
    if len(cron_figures) > 1:
        counts = {size: figures[1].queries for size, figures in cron_figures.items()}
        flat = len(set(counts.values())) == 1
        verdicts.append("PASS" if flat else "FAIL")
        print(
            f"  {'PASS' if flat else 'FAIL'}  cron query count independent of N: "
            + ", ".join(f"{size:,} -> {count:,}" for size, count in counts.items())
        )
    print(f"  {load()}, {os.cpu_count()} CPUs")
    return all(verdict == "PASS" for verdict in verdicts)


@contextmanager
def superuser_environment(config, database, banner, extra_addons=()):
    """A superuser environment on ``database``: whatever is not committed is
    rolled back at the end. ``banner`` says how the benchmark commits;
    ``extra_addons`` are addons directories added to the addons path (a
    peer module compared in the same run)."""
    options = ["-c", config, "-d", database, "--log-level=warn"]
    odoo.tools.config.parse_config(options)
    addons_path = odoo.tools.config["addons_path"].split(",")
    missing = [path for path in extra_addons if path not in addons_path]
    if missing:
        odoo.tools.config.parse_config(
            [*options, "--addons-path", ",".join(addons_path + missing)]
        )
    registry = odoo.modules.registry.Registry(database)
    with closing(registry.cursor()) as cr:
        try:
            cr.execute("SELECT version()")
            print(f"Odoo {odoo.release.version}, {cr.fetchone()[0].split(',')[0]}")
            print(f"database {database}, {os.cpu_count()} CPUs, {load()}")
            print(banner)
            yield api.Environment(cr, SUPERUSER_ID, {})
        finally:
            cr.rollback()


def rolled_back_environment(config, database, extra_addons=()):
    """A superuser environment on ``database`` whose transaction is rolled back."""
    return superuser_environment(
        config,
        database,
        "everything below runs in ONE transaction, rolled back at the end",
        extra_addons,
    )


def main(argv=None):
    args = parse_args(argv)
    sql_log = open(args.sql_log, "w", encoding="utf-8") if args.sql_log else None  # noqa: SIM115
    try:
        with rolled_back_environment(args.config, args.database) as env:
            start = time.perf_counter()
            fixtures = make_fixtures(env)
            env.flush_all()
            warm_up(env, fixtures)
            print(
                f"fixtures: {HANDLERS} handlers, supervisor, manager, a team, "
                f"{len(fixtures[2])} categories, {CUSTOMERS} customers "
                f"({time.perf_counter() - start:.2f} s)"
            )
            create_figures = bench_create(env, args, fixtures, sql_log)
            cron_figures = bench_cron(env, args, fixtures, sql_log)
            passed = summary(args, create_figures, cron_figures)
    finally:
        if sql_log:
            sql_log.close()
    print(
        "\nrolled back: the database holds no benchmark record (sequences, which "
        "PostgreSQL does not roll back, have moved on)"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
