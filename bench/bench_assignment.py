"""Benchmark automatic assignment: least open complaints across many agents.

Usage::

    python3 bench/bench_assignment.py -c ODOO_CONF -d DB \\
        [--complaints 10000] [--agents 200] [--sizes 100,1000,10000] \\
        [--batch 2000] [--profile]

``DB`` must have ``customer_service_bank`` installed; use a scratch database.
Everything runs in ONE transaction rolled back at the end, each measurement
in a savepoint rolled back after it: no record is left behind.

Fixtures: ``--agents`` agent users with their employees in a team assigning
by least open complaints (cap 100) on a calendar that works around the
clock; one agent in twenty is on time off now (their resource's time off,
as a validated hr.leave leaves it), and each agent already holds 0 to 4
open complaints. ``--complaints`` complaints wait for a handler (created
while the team assigned by hand; their creation is not measured).

Measured, as the superuser:

1. ``_cs_assign_automatically()`` on the first N waiting complaints for
   each N of ``--sizes``, with the flush and the commit-time hooks:
   seconds, queries, queries per complaint. The work is set-based (one
   grouped count, the choice in Python, writes grouped per agent), so the
   queries depend on the agents served, not on the complaints, apart from
   the ORM writing at most 100 rows per INSERT or UPDATE statement: the
   exit code is 1 when, these statements aside, the largest size costs
   more queries than the smallest size that already serves every agent;
2. the scheduled action assigning all of them in batches of ``--batch``
   (``_run_batch_job`` as ``ir.cron`` calls it): queries of each batch.
"""

import argparse
import random
import sys
import time
from datetime import timedelta

from bench_complaints import (
    Meter,
    header,
    print_profile,
    report,
    rolled_back,
    rolled_back_environment,
)

from odoo import fields
from odoo.fields import Command

CAP = 100
TIME_OFF_EVERY = 20


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True, help="scratch database")
    parser.add_argument("--complaints", type=int, default=10_000)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument(
        "--sizes",
        default="100,1000,10000",
        help="comma-separated numbers of complaints assigned in one call",
    )
    parser.add_argument("--batch", type=int, default=2000, help="job batch size")
    parser.add_argument(
        "--profile", action="store_true", help="group the queries by statement"
    )
    return parser.parse_args(argv)


def make_fixtures(env, args):
    """Agents, their employees, a least-open team and the waiting complaints."""
    tag = f"{int(time.time())}"
    group = env.ref("customer_service_bank.group_cs_agent")
    agents = (
        env["res.users"]
        .with_context(no_reset_password=True, mail_create_nolog=True)
        .create(
            [
                {
                    "name": f"Bench Agent {index:03d}",
                    "login": f"bench_route_{index}_{tag}",
                    "email": f"bench.route{index}@example.com",
                    "groups_id": [Command.set(group.ids)],
                }
                for index in range(args.agents)
            ]
        )
    )
    calendar = env["resource.calendar"].create(
        {
            "name": f"Bench around the clock {tag}",
            "tz": "UTC",
            "attendance_ids": [Command.clear()]
            + [
                Command.create(
                    {
                        "name": f"Day {day}",
                        "dayofweek": str(day),
                        "hour_from": 0,
                        "hour_to": 24,
                        "day_period": "morning",
                    }
                )
                for day in range(7)
            ],
        }
    )
    employees = env["hr.employee"].create(
        [
            {
                "name": agent.name,
                "user_id": agent.id,
                "resource_calendar_id": calendar.id,
            }
            for agent in agents
        ]
    )
    now = fields.Datetime.now()
    env["resource.calendar.leaves"].create(
        [
            {
                "name": "Bench time off",
                "resource_id": employee.resource_id.id,
                "calendar_id": calendar.id,
                "date_from": now - timedelta(days=1),
                "date_to": now + timedelta(days=1),
            }
            for employee in employees[::TIME_OFF_EVERY]
        ]
    )
    team = env["cs.team"].create(
        {
            "name": f"Bench Routing {tag}",
            "member_ids": [Command.set(agents.ids)],
            "resource_calendar_id": calendar.id,
        }
    )
    customers = env["res.partner"].create(
        [{"name": f"Bench Routing Customer {i}"} for i in range(500)]
    )
    rng = random.Random(14)
    Complaint = env["cs.complaint"].with_context(
        mail_create_nolog=True, mail_create_nosubscribe=True
    )

    def vals(index, **extra):
        return {
            "subject": f"Bench routing {index}",
            "partner_id": customers[index % len(customers)].id,
            "team_id": team.id,
            "channel": "phone",
            **extra,
        }

    # the open work the agents hold already
    held = [agent for agent in agents for _ in range(rng.randrange(5))]
    Complaint.create([vals(i, user_id=agent.id) for i, agent in enumerate(held)])
    waiting = Complaint.create([vals(i) for i in range(args.complaints)])
    team.write({"assignment_method": "least_open", "assignment_cap": CAP})
    env.flush_all()
    env.cr.precommit.run()
    env.cr.postcommit.clear()
    env.invalidate_all()
    return agents, team, waiting


def row_chunks(meter):
    """The INSERT and UPDATE statements among the meter's queries: the ORM
    writes at most 100 rows a statement (1,000 for some), so their number
    follows the rows written; every other query is the assignment's own."""
    return sum(
        count
        for statement, count in meter.statements.items()
        if statement.startswith(("INSERT", "UPDATE"))
    )


def assign(env, complaints):
    """Assign ``complaints`` and pay what the commit would; return the meter."""
    with Meter(env.cr, profile=True) as meter:
        assigned = complaints._cs_assign_automatically()
        env.flush_all()
        env.cr.precommit.run()
        env.cr.postcommit.clear()
    env.invalidate_all()
    return assigned, meter


def main(argv=None):
    args = parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    passed = True
    with rolled_back_environment(args.config, args.database) as env:
        start = time.perf_counter()
        agents, team, waiting = make_fixtures(env, args)
        working = len(agents) - len(agents[::TIME_OFF_EVERY])
        print(
            f"fixtures: {len(agents)} agents ({working} working now), "
            f"{len(waiting):,} waiting complaints "
            f"({time.perf_counter() - start:.1f} s)"
        )
        # the registry's caches warm, as in a running server
        with rolled_back(env.cr):
            assign(env, waiting[:10])
        header("least open, one call, flush and commit hooks included")
        figures = {}
        for size in sizes:
            with rolled_back(env.cr):
                complaints = waiting[:size]
                assigned, meter = assign(env, complaints)
                served = len(assigned.user_id)
                busiest = max(
                    count
                    for _team, _user, count in env["cs.complaint"]._read_group(
                        [("team_id", "=", team.id), ("user_id", "!=", False)],
                        ["team_id", "user_id"],
                        ["__count"],
                    )
                )
                report(f"assign {size:,} ({served} agents served)", size, meter, "c/s")
                chunks = row_chunks(meter)
                print(
                    f"    {chunks} INSERT/UPDATE statements (at most 100 rows each), "
                    f"{meter.queries - chunks} other queries"
                )
                figures[size] = (meter.queries - chunks, served)
                if len(assigned) != size or busiest > CAP:
                    print(f"  !! {len(assigned)} assigned, busiest agent {busiest}")
                    passed = False
                if args.profile:
                    print_profile(meter, f"assign {size:,}")
        all_served = [
            size for size, (_q, served) in figures.items() if served == working
        ]
        if len(all_served) > 1:
            smallest, largest = min(all_served), max(all_served)
            grows = figures[largest][0] > figures[smallest][0]
            print(
                f"\n  queries other than row chunks, serving all {working} agents: "
                f"{figures[smallest][0]} for {smallest:,} complaints, "
                f"{figures[largest][0]} for {largest:,}"
                f" -> {'GROWS' if grows else 'does not grow'} with the complaints"
            )
            passed = passed and not grows
        header(f"scheduled action, batches of {args.batch}")
        with rolled_back(env.cr):
            Job = env["cs.complaint.assignment.job"]
            total = Meter(env.cr)
            batches = []
            while True:
                with Meter(env.cr) as meter:
                    done = Job._run_batch_job(args.batch)
                    env.flush_all()
                    env.cr.precommit.run()
                    env.cr.postcommit.clear()
                env.invalidate_all()
                if not done:
                    break
                batches.append(meter.queries)
                total.add(meter)
            report(f"job: {len(batches)} batches", len(waiting), total, "c/s")
            print(f"  queries per batch: {batches}")
    print("\nrolled back: the database holds no benchmark record")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
