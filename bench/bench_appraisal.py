"""Benchmark the appraisals of one period: 500 agents over 100,000 complaints.

Usage::

    python3 bench/bench_appraisal.py -c ODOO_CONF -d DB [--agents 500] \\
        [--complaints 100000] [--small 50] [--profile]

``DB`` must have ``customer_service_bank`` installed; use a scratch database.
Everything runs in ONE transaction that is rolled back at the end, and each
measurement in a savepoint rolled back after it (PostgreSQL sequences move
on).

Fixtures: ``--agents`` agents with their employees in teams of 50 (one
template each with the fourteen KPI kinds and two criteria), 2,000 customers
and last quarter's period; then with set-based SQL ``--complaints``
complaints resolved in the quarter by the agents (varied deadlines,
reopenings, outcomes, one in five having waited for the customer), a rating
on one in three, a QA review on one in twenty, 20,000 follow-ups (5,000 of
them care tasks of a campaign), 10,000 NPS answers, 2,000 service-plan
reviews, a course mandatory for every team that two agents in three passed,
and 1,000 improvement ideas, a third of them implemented in the period.

Measured:

1. Generation: the scheduled action's job creating the period's appraisals
   (``cs.appraisal.period._run_batch_job``, called until nothing is left,
   as ``ir.cron`` does), employees already linked.
2. KPI computation (``cs.appraisal._compute_kpis`` and the flush of the
   scores and totals) for ``--small`` agents, then for all: wall time and
   queries. Target (issue 12): at most 10 s for 500 agents on a 2-core
   machine, with the same query count at both sizes. The exit code is 1
   when a target is missed.
"""

import argparse
import sys
import time
from datetime import date

from bench_complaints import (
    Meter,
    header,
    print_profile,
    report,
    rolled_back,
    rolled_back_environment,
)
from dateutil.relativedelta import relativedelta

from odoo.fields import Command
from odoo.tools import SQL

TARGET_SECONDS = 10.0
TARGET_AGENTS = 500
TEAM_SIZE = 50
CUSTOMERS = 2000
# (floor, target) of each KPI kind
KINDS = {
    "complaints_handled": (0, 250),
    "deadline_compliance": (60, 100),
    "resolution_hours": (200, 24),
    "reopen_rate": (30, 0),
    "first_contact_resolution": (0, 90),
    "upheld_rate": (80, 10),
    "csat": (1, 5),
    "nps": (-100, 100),
    "qa_score": (50, 100),
    "followups_on_time": (50, 100),
    "plans_reviewed_on_time": (50, 100),
    "care_tasks_done": (0, 10),
    "training_completion": (0, 100),
    "implemented_ideas": (0, 2),
}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo config file")
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--agents", type=int, default=TARGET_AGENTS)
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument(
        "--profile", action="store_true", help="group the queries by statement"
    )
    return parser.parse_args(argv)


# ----------------------------------------------------------------------
# fixtures
# ----------------------------------------------------------------------


def last_quarter():
    today = date.today()
    start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return start - relativedelta(months=3)


def make_fixtures(env, agents_count):
    """Agents with employees, teams with templates, customers, the period."""
    tag = f"{int(time.time())}"
    agent_group = env.ref("customer_service_bank.group_cs_agent")
    Users = env["res.users"].with_context(no_reset_password=True)
    supervisor = Users.create(
        {
            "name": "Bench Supervisor",
            "login": f"bench_appraisal_supervisor_{tag}",
            "groups_id": [
                Command.set([env.ref("customer_service_bank.group_cs_supervisor").id])
            ],
        }
    )
    agents = Users.create(
        [
            {
                "name": f"Bench Agent {i}",
                "login": f"bench_appraisal_agent_{i}_{tag}",
                "groups_id": [Command.set([agent_group.id])],
            }
            for i in range(agents_count)
        ]
    )
    env["hr.employee"].create(
        [{"name": agent.name, "user_id": agent.id} for agent in agents]
    )
    teams = env["cs.team"].create(
        [
            {
                "name": f"Bench Appraisal Team {n}",
                "supervisor_id": supervisor.id,
                "member_ids": [Command.set(agents[n : n + TEAM_SIZE].ids)],
            }
            for n in range(0, agents_count, TEAM_SIZE)
        ]
    )
    env["cs.appraisal.template"].create(
        [
            {
                "name": f"Bench template {team.name}",
                "team_id": team.id,
                "kpi_ids": [
                    Command.create(
                        {"kind": kind, "weight": 5, "floor": floor, "target": target}
                    )
                    for kind, (floor, target) in KINDS.items()
                ],
                "criterion_ids": [
                    Command.create({"name": "Attitude", "weight": 15}),
                    Command.create({"name": "Teamwork", "weight": 15}),
                ],
            }
            for team in teams
        ]
    )
    customers = env["res.partner"].create(
        [{"name": f"Bench Appraisal Customer {i}"} for i in range(CUSTOMERS)]
    )
    period = env["cs.appraisal.period"].search(
        [("kind", "=", "quarterly"), ("date_from", "=", last_quarter())]
    ) or env["cs.appraisal.period"].create(
        {"kind": "quarterly", "date_from": last_quarter()}
    )
    period.state = "open"
    # periods of the other kinds may run today: only this one is generated
    env["cs.appraisal.period"].search([("id", "!=", period.id)]).state = "closed"
    return agents, teams, customers, period


def insert_service_data(env, args, agents, teams, customers, period):
    """Complaints, ratings, reviews, follow-ups, NPS answers and plan
    reviews of the agents over the period, with set-based SQL."""
    company = env.company
    days = (period.date_to - period.date_from).days
    ref = env.ref
    params = {
        "agents": agents.ids,
        "n_agents": len(agents),
        "teams": teams.ids,
        "customers": customers.ids,
        "n_customers": len(customers),
        "company": company.id,
        "start": period.date_from,
        "days": days,
        "uid": env.uid,
        "count": args.complaints,
        "closed": ref("customer_service_bank.cs_complaint_stage_closed").id,
        "awaiting": ref("customer_service_bank.cs_complaint_stage_awaiting").id,
        "currency": company.currency_id.id,
        "prefix": "BENCHAPR/%",
        "followups": "Bench follow-up %",
    }
    cr = env.cr
    # the agent of complaint g is g mod agents; their team holds them
    cr.execute(
        SQL(
            """
        INSERT INTO cs_complaint (
            name, subject, company_id, partner_id, team_id, user_id, channel,
            priority, stage_id, stage_kind, currency_id, active, is_repeat,
            reopen_count, escalation_level, deadline_status, outcome,
            received_date, acknowledged_date, resolved_date, resolve_deadline,
            create_uid, create_date, write_uid, write_date)
        SELECT 'BENCHAPR/' || g, 'Bench appraisal complaint ' || g, %(company)s,
               (%(customers)s::int[])[1 + mod(g, %(n_customers)s)],
               (%(teams)s::int[])[1 + mod(g, %(n_agents)s) / 50],
               (%(agents)s::int[])[1 + mod(g, %(n_agents)s)],
               'phone', '0', %(closed)s, 'closed', %(currency)s, true, false,
               CASE WHEN mod(g, 7) = 0 THEN 1 ELSE 0 END, '0',
               CASE WHEN mod(g, 9) = 0 THEN 'breached' ELSE 'met' END,
               (ARRAY['upheld', 'partially_upheld', 'rejected'])[1 + mod(g, 3)],
               t.resolved - interval '1 hour' * (4 + mod(g, 200)),
               t.resolved - interval '1 hour' * (3 + mod(g, 200)),
               t.resolved,
               t.resolved + CASE WHEN mod(g, 9) = 0 THEN interval '-1 day'
                                 ELSE interval '2 days' END,
               %(uid)s, now(), %(uid)s, now()
          FROM generate_series(1, %(count)s) g
         CROSS JOIN LATERAL (
            SELECT %(start)s::timestamp + interval '1 minute'
                   * mod(g * 7919, %(days)s * 1440) AS resolved
         ) t
        """,
            **params,
        )
    )
    cr.execute(
        SQL(
            """
        INSERT INTO cs_complaint_stage_log (
            complaint_id, company_id, team_id, stage_id, stage_kind, user_id,
            date_in, date_out, duration_hours)
        SELECT c.id, c.company_id, c.team_id, %(awaiting)s, 'awaiting', %(uid)s,
               c.acknowledged_date, c.acknowledged_date + interval '1 hour', 1
          FROM cs_complaint c
         WHERE c.name LIKE %(prefix)s AND mod(c.id, 5) = 0
        """,
            **params,
        )
    )
    cr.execute(
        SQL(
            """
        INSERT INTO rating_rating (
            res_model_id, res_model, res_id, rating, consumed, access_token,
            create_uid, create_date, write_uid, write_date)
        SELECT %(model)s, 'cs.complaint', c.id, 1 + mod(c.id, 5), true,
               md5(c.id::text), %(uid)s, now(), %(uid)s, now()
          FROM cs_complaint c
         WHERE c.name LIKE %(prefix)s AND mod(c.id, 3) = 0
        """,
            model=env["ir.model"]._get_id("cs.complaint"),
            **params,
        )
    )
    checklist = env["cs.quality.checklist"].search([], limit=1)
    cr.execute(
        SQL(
            """
        INSERT INTO cs_quality_review (
            complaint_id, agent_id, team_id, company_id, reviewer_id,
            checklist_id, state, score, work_date, review_date,
            create_uid, create_date, write_uid, write_date)
        SELECT c.id, c.user_id, c.team_id, c.company_id, %(uid)s, %(checklist)s,
               'done', 50 + mod(c.id, 51), c.resolved_date::date, c.resolved_date,
               %(uid)s, now(), %(uid)s, now()
          FROM cs_complaint c
         WHERE c.name LIKE %(prefix)s AND mod(c.id, 20) = 0
        """,
            checklist=checklist.id,
            **params,
        )
    )
    cr.execute(
        SQL(
            """
        INSERT INTO cs_followup (
            name, partner_id, kind, planned_date, user_id, company_id, active,
            state, done_date, create_uid, create_date, write_uid, write_date)
        SELECT 'Bench follow-up ' || g,
               (%(customers)s::int[])[1 + mod(g, %(n_customers)s)], 'phone',
               %(start)s::date + mod(g, %(days)s),
               (%(agents)s::int[])[1 + mod(g, %(n_agents)s)], %(company)s, true,
               CASE WHEN mod(g, 4) = 0 THEN 'planned' ELSE 'done' END,
               CASE WHEN mod(g, 4) = 0 THEN NULL
                    ELSE %(start)s::date + mod(g, %(days)s) + mod(g, 3) END,
               %(uid)s, now(), %(uid)s, now()
          FROM generate_series(1, 20000) g
        """,
            **params,
        )
    )
    campaign = env["cs.care.campaign"].create(
        {
            "name": "Bench care",
            "kind": "other",
            "date": period.date_from,
            "user_id": env.uid,
            "team_id": teams[0].id,
            "mail_template_id": ref(
                "customer_service_bank.mail_template_cs_care_event_invitation"
            ).id,
        }
    )
    cr.execute(
        SQL(
            """
        INSERT INTO cs_care_participant (
            campaign_id, partner_id, occurrence, occurrence_date, state,
            followup_id, create_uid, create_date, write_uid, write_date)
        SELECT %(campaign)s, f.partner_id, f.id, f.planned_date, 'sent', f.id,
               %(uid)s, now(), %(uid)s, now()
          FROM cs_followup f
         WHERE f.name LIKE %(followups)s AND mod(f.id, 4) = 1
        """,
            campaign=campaign.id,
            **params,
        )
    )
    surveys = env["cs.nps.survey"].create(
        [{"name": f"Bench NPS {n}", "user_id": env.uid} for n in range(5)]
    )
    cr.execute(
        SQL(
            """
        INSERT INTO cs_nps_response (
            survey_id, partner_id, company_id, relationship_manager_id,
            access_token, score, is_answered, category, nps_value,
            answered_date, create_uid, create_date, write_uid, write_date)
        SELECT s.id, p.id, %(company)s,
               (%(agents)s::int[])[1 + mod(p.n, %(n_agents)s)],
               md5(s.id || '-' || p.id), t.score, true,
               CASE WHEN t.score >= 9 THEN 'promoter'
                    WHEN t.score >= 7 THEN 'passive' ELSE 'detractor' END,
               CASE WHEN t.score >= 9 THEN 100
                    WHEN t.score >= 7 THEN 0 ELSE -100 END,
               %(start)s::timestamp + interval '1 day' * mod(p.n, %(days)s),
               %(uid)s, now(), %(uid)s, now()
          FROM unnest(%(surveys)s::int[]) s(id)
         CROSS JOIN unnest(%(customers)s::int[]) WITH ORDINALITY p(id, n)
         CROSS JOIN LATERAL (SELECT mod(p.n * 7 + s.id, 11) AS score) t
        """,
            surveys=surveys.ids,
            **params,
        )
    )
    need = ref("customer_service_bank.cs_special_need_elderly")
    cr.execute(
        SQL(
            """
        WITH plans AS (
            INSERT INTO cs_service_plan (
                name, partner_id, special_need_id, user_id, company_id, state,
                start_date, review_date, active,
                create_uid, create_date, write_uid, write_date)
            SELECT 'Bench plan ' || g,
                   (%(customers)s::int[])[1 + mod(g, %(n_customers)s)], %(need)s,
                   (%(agents)s::int[])[1 + mod(g, %(n_agents)s)], %(company)s,
                   'active', %(start)s::date - 30, %(start)s::date + mod(g, %(days)s),
                   true, %(uid)s, now(), %(uid)s, now()
              FROM generate_series(1, 2000) g
            RETURNING id, user_id, review_date
        )
        INSERT INTO mail_activity (
            res_model_id, res_model, res_id, activity_type_id, user_id,
            date_deadline, date_done, active, summary,
            create_uid, create_date, write_uid, write_date)
        SELECT %(model)s, 'cs.service.plan', p.id, %(type)s, p.user_id,
               p.review_date,
               CASE WHEN mod(p.id, 3) = 0 THEN NULL
                    ELSE p.review_date + mod(p.id, 5) - 2 END,
               mod(p.id, 3) = 0, 'Review',
               %(uid)s, now(), %(uid)s, now()
          FROM plans p
        """,
            need=need.id,
            model=env["ir.model"]._get_id("cs.service.plan"),
            type=ref("customer_service_bank.mail_activity_type_cs_plan_review").id,
            **params,
        )
    )
    insert_team_data(env, agents, teams, period, params)
    for table in (
        "cs_training_attendee",
        "cs_improvement_idea",
        "cs_complaint",
        "cs_complaint_stage_log",
        "rating_rating",
        "cs_quality_review",
        "cs_followup",
        "cs_care_participant",
        "cs_nps_response",
        "mail_activity",
    ):
        cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
    env.invalidate_all()


def insert_team_data(env, agents, teams, period, params):
    """A course mandatory for every team, passed by two agents in three in
    one session of the period, and improvement ideas of the agents."""
    course = env["cs.training.course"].create(
        {
            "name": "Bench mandatory course",
            "validity_months": 12,
            "mandatory_team_ids": [Command.set(teams.ids)],
        }
    )
    session = env["cs.training.session"].create(
        {
            "course_id": course.id,
            "team_id": teams[0].id,
            "date_start": period.date_from + relativedelta(days=10),
        }
    )
    env.flush_all()
    env.cr.execute(
        SQL(
            """
            INSERT INTO cs_training_attendee (
                session_id, course_id, company_id, employee_id, user_id,
                attendance, passed, completion_date, expiry_date,
                create_uid, create_date, write_uid, write_date)
            SELECT %(session)s, %(course)s, %(company)s, e.id, e.user_id,
                   'attended', mod(e.user_id, 3) <> 0, %(done)s::date,
                   %(done)s::date + interval '12 months',
                   %(uid)s, now(), %(uid)s, now()
              FROM hr_employee e
             WHERE e.user_id = ANY(%(agents)s)
            """,
            session=session.id,
            course=course.id,
            done=period.date_from + relativedelta(days=10),
            **params,
        )
    )
    env.cr.execute(
        SQL(
            """
            INSERT INTO cs_improvement_idea (
                name, proposer_id, team_id, company_id, problem, proposal, state,
                implemented_date, create_uid, create_date, write_uid, write_date)
            SELECT 'Bench idea ' || g, (%(agents)s::int[])[1 + mod(g, %(n_agents)s)],
                   %(team)s, %(company)s, 'Problem', '<p>Proposal</p>',
                   CASE WHEN mod(g, 3) = 0 THEN 'implemented' ELSE 'submitted' END,
                   CASE WHEN mod(g, 3) = 0 THEN %(start)s::date + mod(g, %(days)s) END,
                   %(uid)s, now(), %(uid)s, now()
              FROM generate_series(1, 1000) g
            """,
            team=teams[0].id,
            **params,
        )
    )


# ----------------------------------------------------------------------
# measurements
# ----------------------------------------------------------------------


def generate(env, period):
    """Run the generation job until nothing is left; the appraisals made."""
    Period = env["cs.appraisal.period"]
    created = env["cs.appraisal"]
    while True:
        done = Period._run_batch_job(200, period_ids=(period.id,))
        if not done:
            return created
        created |= done


def compute(env, appraisals, profile):
    env.invalidate_all()
    with Meter(env.cr, profile=profile) as meter:
        appraisals._compute_kpis()
        env.flush_all()
    return meter


def main(argv=None):
    args = parse_args(argv)
    with rolled_back_environment(args.config, args.database) as env:
        start = time.perf_counter()
        agents, teams, customers, period = make_fixtures(env, args.agents)
        env.flush_all()
        print(
            f"fixtures: {len(agents)} agents with employees in {len(teams)} teams, "
            f"{len(customers)} customers, period {period.name} "
            f"({time.perf_counter() - start:.2f} s)"
        )
        start = time.perf_counter()
        insert_service_data(env, args, agents, teams, customers, period)
        print(
            f"service data: {args.complaints:,} complaints with ratings, reviews, "
            f"follow-ups, NPS answers and plan reviews "
            f"({time.perf_counter() - start:.2f} s)"
        )

        header("Appraisals of one period")
        with rolled_back(env.cr):
            with Meter(env.cr, profile=args.profile) as meter:
                appraisals = generate(env, period)
                env.flush_all()
            report("generate (scheduled action job)", len(appraisals), meter, "appr/s")
        appraisals = generate(env, period)
        env.flush_all()
        small = appraisals.filtered(lambda a: a.user_id in agents[: args.small])
        figures = {}
        for label, batch in ((args.small, small), (len(appraisals), appraisals)):
            with rolled_back(env.cr):
                meter = compute(env, batch, args.profile)
                report(f"compute KPIs of {label} agents", len(batch), meter, "appr/s")
                if args.profile:
                    print_profile(meter, f"compute {label}")
                figures[label] = meter
                lines = batch.kpi_line_ids
                print(
                    f"    lines with data: {sum(lines.mapped('has_data')):,} "
                    f"of {len(lines):,}; average total score "
                    f"{sum(batch.mapped('total_score')) / len(batch):.2f}"
                )
        return summary(args, figures)


def summary(args, figures):
    small, large = figures[args.small], figures[max(figures)]
    ok_time = large.seconds <= TARGET_SECONDS
    ok_queries = small.queries == large.queries
    print("\n== Summary")
    print(
        f"  compute {max(figures)} agents: {large.seconds:.2f} s "
        f"(target <= {TARGET_SECONDS:.0f} s) {'PASS' if ok_time else 'FAIL'}"
    )
    print(
        f"  queries: {small.queries} at {args.small} agents, {large.queries} at "
        f"{max(figures)} (must not grow) {'PASS' if ok_queries else 'FAIL'}"
    )
    return ok_time and ok_queries


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
