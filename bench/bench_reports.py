"""Benchmark the process analytics and the regulator statistics export.

Usage::

    python3 bench/bench_reports.py -c ODOO_CONF -d DB \\
        [--complaints 100000] [--teams 4] [--categories 30] [--root-causes 15] \\
        [--explain]

``DB`` must have ``customer_service_bank`` installed; use a scratch database.
Everything runs in ONE transaction that is rolled back at the end: no
record is left behind (PostgreSQL sequences move on).

1. Set-based SQL (``INSERT ... SELECT FROM generate_series``) generates
   ``--complaints`` complaints received over the last 13 months, spread
   over ``--teams`` teams, skewed over ``--categories`` categories and
   ``--root-causes`` root causes (a few take most complaints, as in real
   life), of every channel. Seven in ten are resolved (upheld, partially
   upheld or rejected; some late, one in twenty reopened once) and most of
   those closed two days later; the others are new, in progress or awaiting
   the customer, on time or overdue. Each gets the stage log its history
   implies: new, in progress, for one in five a stay awaiting the customer
   and back in progress, resolved, closed -- about 3.4 passages a
   complaint. Both tables are analyzed.
2. As the admin user (a manager: record rules apply), for the year that
   ends today:

   * the XLSX export, ``cs.complaint.statistics.export.action_export()``:
     its grouped queries, the time-in-stage percentiles and the workbook;
   * the stage report queries the Reporting menu runs: the time-in-stage
     pivot (``read_group`` of the SQL view by stage and team), its list
     (first page), percentiles by stage and team over the log, the process
     analysis pivot (averages by team and month) and the two Pareto graphs.

   Each is run once to warm the caches, then measured: wall time, Python
   CPU time and queries. ``--explain`` prints the plan of the heaviest
   export query.

Target (issue 5): the export for a year of 100,000 complaints in at most
15 s, and each report query in at most 15 s, on the 2-core machine; exit
code 1 when missed.
"""

import argparse
import os
import sys
import time
from datetime import timedelta

from bench_complaints import (
    Meter,
    header,
    insert_stage_logs,
    load,
    make_fixtures,
    report,
    rolled_back_environment,
)

from odoo import Command, fields
from odoo.tools import SQL

TARGET_SECONDS = 15.0
TARGET_COMPLAINTS = 100_000


# ----------------------------------------------------------------------
# data
# ----------------------------------------------------------------------


def make_references(env, args, team, categories):
    """Teams, categories and root causes the generated complaints use."""
    teams = team | env["cs.team"].create(
        [
            {
                "name": f"{team.name} {i}",
                "supervisor_id": team.supervisor_id.id,
                "manager_id": team.manager_id.id,
                "member_ids": [Command.set(team.member_ids.ids)],
            }
            for i in range(2, args.teams + 1)
        ]
    )
    categories |= env["cs.complaint.category"].create(
        [
            {"name": f"Bench Category {i}"}
            for i in range(len(categories), args.categories)
        ]
    )
    causes = env["cs.root.cause"].create(
        [{"name": f"Bench Cause {i}"} for i in range(args.root_causes)]
    )
    env.flush_all()
    return teams, categories, causes


def insert_complaints(env, args, teams, categories, causes, customers, handlers):
    """Complaints over 13 months, by set-based SQL (see the module docstring)."""
    company = teams.company_id
    stage = {
        kind: env.ref(f"customer_service_bank.cs_complaint_stage_{kind}").id
        for kind in ("new", "in_progress", "awaiting", "resolved", "closed")
    }
    channels = [key for key, _label in env["cs.complaint"]._fields["channel"].selection]
    env.cr.execute(
        SQL(
            """
        INSERT INTO cs_complaint (
            name, subject, company_id, partner_id, team_id, user_id, category_id,
            root_cause_id, channel, priority, stage_id, stage_kind, sla_policy_id,
            currency_id, active, is_repeat, reopen_count, escalation_level,
            outcome, deadline_status, received_date, acknowledged_date,
            resolved_date, final_response_date, ack_deadline, resolve_deadline,
            resolve_warning_date, create_uid, create_date, write_uid, write_date)
        SELECT 'BENCHR/' || g, 'Bench report complaint ' || g, %(company)s,
               (%(customers)s::int[])[1 + mod(g, %(n_customers)s)],
               (%(teams)s::int[])[1 + mod(g, %(n_teams)s)],
               (%(handlers)s::int[])[1 + mod(g, %(n_handlers)s)],
               (%(categories)s::int[])[1 + floor(%(n_categories)s * s.skew)::int],
               CASE WHEN t.done
                    THEN (%(causes)s::int[])[1 + floor(%(n_causes)s * s.skew2)::int]
               END,
               (%(channels)s::varchar[])[1 + mod(g, %(n_channels)s)], '0',
               (%(stages)s::int[])[k.kind_index], k.kind, %(policy)s, %(currency)s,
               true, false, CASE WHEN t.done AND mod(g, 20) = 3 THEN 1 ELSE 0 END,
               '0',
               CASE WHEN t.done THEN (ARRAY['upheld', 'partially_upheld',
                                            'rejected'])[1 + mod(g, 3)] END,
               CASE
                   WHEN t.done AND t.resolved <= t.deadline THEN 'met'
                   WHEN t.done OR t.deadline < %(now)s THEN 'breached'
                   ELSE 'on_track'
               END,
               t.received, t.ack, t.resolved, t.resolved,
               t.received + interval '3 days', t.deadline,
               t.received + interval '11 days',
               %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM generate_series(1, %(count)s) g
         CROSS JOIN LATERAL (
            SELECT power(mod(g::bigint * 7919, 1000) / 1000.0, 2) AS skew,
                   power(mod(g::bigint * 104729, 1000) / 1000.0, 3) AS skew2
         ) s
         CROSS JOIN LATERAL (
            SELECT %(now)s - interval '1 hour' * mod(g * 37, 395 * 24) AS received
         ) r
         CROSS JOIN LATERAL (
            SELECT r.received,
                   r.received + interval '1 hour' * (1 + mod(g, 48)) AS ack,
                   r.received + interval '15 days' AS deadline,
                   r.received + interval '1 hour' * (24 + mod(g * 13, 22 * 24))
                       AS resolved_at,
                   mod(g, 10) >= 3
                   AND r.received + interval '1 hour' * (24 + mod(g * 13, 22 * 24))
                       < %(now)s AS done
         ) t0
         CROSS JOIN LATERAL (
            SELECT t0.received, t0.deadline, t0.done,
                   CASE WHEN t0.done OR mod(g, 10) > 0 THEN t0.ack END AS ack,
                   CASE WHEN t0.done THEN t0.resolved_at END AS resolved
         ) t
         CROSS JOIN LATERAL (
            SELECT CASE
                       WHEN t.done AND mod(g, 10) >= 5 THEN 'closed'
                       WHEN t.done THEN 'resolved'
                       WHEN t.ack IS NULL THEN 'new'
                       WHEN mod(g, 10) = 2 THEN 'awaiting'
                       ELSE 'in_progress'
                   END AS kind
         ) k0
         CROSS JOIN LATERAL (
            SELECT k0.kind,
                   array_position(%(kinds)s::varchar[], k0.kind) AS kind_index
         ) k
        """,
            company=company.id,
            customers=customers.ids,
            n_customers=len(customers),
            teams=teams.ids,
            n_teams=len(teams),
            handlers=handlers.ids,
            n_handlers=len(handlers),
            categories=categories.ids,
            n_categories=len(categories),
            causes=causes.ids,
            n_causes=len(causes),
            channels=channels,
            n_channels=len(channels),
            stages=list(stage.values()),
            kinds=list(stage),
            policy=company.cs_default_sla_policy_id.id,
            currency=company.currency_id.id,
            uid=env.uid,
            now=fields.Datetime.now(),
            count=args.complaints,
        )
    )
    insert_stage_logs(env, "BENCHR/%")
    env.cr.execute("ANALYZE cs_complaint")
    env.cr.execute("ANALYZE cs_complaint_stage_log")


def describe_data(env):
    env.cr.execute(
        """SELECT count(*),
                  count(*) FILTER (WHERE resolved_date IS NOT NULL),
                  count(*) FILTER (WHERE reopen_count > 0),
                  count(*) FILTER (WHERE deadline_status = 'breached')
             FROM cs_complaint WHERE name LIKE 'BENCHR/%'"""
    )
    complaints, resolved, reopened, breached = env.cr.fetchone()
    env.cr.execute(
        """SELECT count(*), count(date_out) FROM cs_complaint_stage_log l
             JOIN cs_complaint c ON c.id = l.complaint_id
            WHERE c.name LIKE 'BENCHR/%'"""
    )
    passages, finished = env.cr.fetchone()
    print(
        f"  -> {complaints:,} complaints ({resolved:,} resolved, {reopened:,} "
        f"reopened, {breached:,} breached), {passages:,} stage passages "
        f"({finished:,} finished)"
    )


# ----------------------------------------------------------------------
# benchmarks
# ----------------------------------------------------------------------


def year_wizard(env, company):
    today = fields.Date.context_today(env["res.users"])
    return env["cs.complaint.statistics.export"].create(
        {
            "date_from": today - timedelta(days=365),
            "date_to": today,
            "company_id": company.id,
        }
    )


def report_queries(env, company):
    """The queries of the Reporting menu, by name."""
    start = fields.Datetime.now() - timedelta(days=365)
    stage_report = env["cs.complaint.stage.report"]
    domain = [("company_id", "=", company.id), ("month", ">=", start.date())]
    return {
        "time in stage pivot (stage x team)": lambda: stage_report.read_group(
            domain,
            ["passage_count:sum", "total_hours:sum"],
            ["stage_id", "team_id"],
            lazy=False,
        ),
        "time in stage list, first page": lambda: stage_report.search_read(
            domain,
            [
                "month",
                "stage_id",
                "team_id",
                "category_id",
                "passage_count",
                "hours_p50",
                "hours_p90",
            ],
            limit=80,
        ),
        "percentiles by stage and team (log)": lambda: (
            stage_report._duration_percentiles(
                ["stage_id", "team_id"],
                [("company_id", "=", company.id), ("date_out", ">=", start)],
            )
        ),
        "process pivot (team x month averages)": lambda: env[
            "cs.complaint.report"
        ].read_group(
            [("company_id", "=", company.id), ("received_date", ">=", start)],
            [
                "complaint_count:sum",
                "ack_hours:avg",
                "resolve_hours:avg",
                "reopen_rate:avg",
                "first_contact_rate:avg",
            ],
            ["team_id", "received_date:month"],
            lazy=False,
        ),
        "Pareto of root causes (graph)": lambda: env[
            "cs.complaint.pareto.report"
        ].read_group(
            [("dimension", "=", "root_cause"), ("company_id", "=", company.id)],
            ["complaint_count:sum"],
            ["root_cause_id"],
            orderby="complaint_count desc",
        ),
        "Pareto of categories (list)": lambda: env[
            "cs.complaint.pareto.report"
        ].search_read(
            [("dimension", "=", "category"), ("company_id", "=", company.id)],
            ["rank", "category_id", "complaint_count", "share", "cumulative_share"],
        ),
    }


def bench_export(env, company, complaints):
    header("2. XLSX export of a year, as admin (record rules apply)")
    year_wizard(env, company).action_export()  # warm-up
    wizard = year_wizard(env, company)
    with Meter(env.cr, profile=True) as meter:
        wizard.action_export()
    report("action_export(): queries + workbook", complaints, meter, "complaints")
    statistics = wizard._statistics()
    total = statistics["total"]
    print(
        f"    -> {len(wizard.file_data) * 3 // 4:,} bytes; "
        f"received {total['received']:,}, resolved {total['resolved']:,}, "
        f"open {total['open']:,}; "
        f"{len(statistics['category'])} categories, "
        f"{len(statistics['stages'])} stages"
    )
    for key, count in meter.statements.most_common(4):
        print(f"    {count:>4}x {meter.statement_ms[key]:>9.1f} ms  {key}")
    return meter


def bench_reports(env, company):
    header("3. Reporting menu queries, as admin")
    figures = {}
    for label, run in report_queries(env, company).items():
        run()  # warm-up
        env.invalidate_all()
        with Meter(env.cr) as meter:
            rows = run()
        report(label, len(rows), meter, "rows")
        figures[label] = meter
    return figures


def explain_export(env, company):
    """The plan of the export's grouped query by category."""
    wizard = year_wizard(env, company)
    Complaint = env["cs.complaint"].with_context(active_test=False)
    query = Complaint._search(wizard._complaint_domain())
    query.groupby = SQL("category_id, stage_kind, deadline_status, outcome")
    env.cr.execute(
        SQL(
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) %s",
            query.select(
                SQL("category_id, stage_kind, deadline_status, outcome, count(*)")
            ),
        )
    )
    print("\n  EXPLAIN ANALYZE of the export's query by category:")
    print("\n".join(f"    {row[0]}" for row in env.cr.fetchall()))


def summary(args, export, reports):
    print("\n== Summary (target from the issue)")
    verdicts = []
    full_size = args.complaints >= TARGET_COMPLAINTS
    for label, meter in [("XLSX export of a year", export), *reports.items()]:
        verdict = "PASS" if meter.seconds <= TARGET_SECONDS else "FAIL"
        if full_size:
            verdicts.append(verdict)
        else:
            verdict = "info"
        print(
            f"  {verdict}  {label}: {meter.seconds:.2f} s wall "
            f"({meter.cpu:.2f} s Python CPU, {meter.queries} queries; "
            f"target <= {TARGET_SECONDS:.0f} s at {TARGET_COMPLAINTS:,} complaints)"
        )
    print(f"  {load()}, {os.cpu_count()} CPUs")
    return all(verdict == "PASS" for verdict in verdicts)


# ----------------------------------------------------------------------
# main
# ----------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True, help="scratch database")
    parser.add_argument("--complaints", type=int, default=TARGET_COMPLAINTS)
    parser.add_argument("--teams", type=int, default=4)
    parser.add_argument("--categories", type=int, default=30)
    parser.add_argument("--root-causes", type=int, default=15)
    parser.add_argument(
        "--explain", action="store_true", help="plan of the export's main query"
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    with rolled_back_environment(args.config, args.database) as env:
        start = time.perf_counter()
        handlers, team, categories, customers = make_fixtures(env)
        teams, categories, causes = make_references(env, args, team, categories)
        header(f"1. Generate {args.complaints:,} complaints and their stage logs")
        with Meter(env.cr) as meter:
            insert_complaints(env, args, teams, categories, causes, customers, handlers)
        report("INSERT ... SELECT, then ANALYZE", args.complaints, meter, "complaints")
        describe_data(env)
        print(f"  (fixtures and data in {time.perf_counter() - start:.1f} s)")
        admin_env = env(user=env.ref("base.user_admin").id, context={"tz": "UTC"})
        company = teams.company_id.with_env(admin_env)
        export = bench_export(admin_env, company, args.complaints)
        reports = bench_reports(admin_env, company)
        if args.explain:
            explain_export(admin_env, company)
        passed = summary(args, export, reports)
    print(
        "\nrolled back: the database holds no benchmark record (sequences, which "
        "PostgreSQL does not roll back, have moved on)"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
