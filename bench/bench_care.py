"""Benchmark the sending of a care campaign: a festival greeting to 100,000
customers.

Usage::

    python3 bench/bench_care.py -c ODOO_CONF -d DB [--customers 100000] \\
        [--batch 1000] [--profile]

``DB`` must have ``customer_service_bank`` installed; use a scratch database.
It runs as production does: the fixtures are committed, and the sending job
commits after every batch, as ``ir.cron`` does between its calls. At the end
the records the benchmark made (customers, campaign, participants, messages,
mails) are deleted with SQL and committed (PostgreSQL sequences move on).

1. ``--customers`` customers of a new tier are inserted with set-based SQL
   (in Shanghai's time zone, 1 in 100 asking not to be contacted, 1 in 100
   without email), and a yearly Spring Festival greeting targeting the tier
   is approved. The clock is set to the festival's day in 2027, 11:00 in
   Shanghai (``freeze_time`` with ``tick``: timings stay real).
2. Materialise: ``cs.care.campaign._cs_materialise_due()`` selects the
   participants with their skip reasons (consent, do not contact, email,
   quiet period, contact budget) in one INSERT ... SELECT.
3. Send: the scheduled action's job (``cs.care.participant._run_batch_job``)
   is called batch after batch, as ``ir.cron`` calls it while its progress
   says rows remain, until none is left: each batch checks the contact
   policy again, renders the template once and queues its mails with one
   INSERT each for messages, mails and recipients; the benchmark commits
   after every batch, as ``ir.cron`` does.
4. Rerun: the campaign's occurrence is materialised and sent again; it must
   add no participant and queue no mail.

Target (issue 11): materialise + check + queue in at most 60 s on a 2-core
machine, with a query count per batch that does not depend on the batch's
size (it grows with the number of batches, not of customers). The exit code
is 1 when a target is missed.
"""

import argparse
import sys
import time
from contextlib import closing
from datetime import datetime

from bench_complaints import (
    Meter,
    header,
    print_profile,
    report,
    superuser_environment,
)
from freezegun import freeze_time

from odoo.fields import Command
from odoo.tools import SQL

TARGET_SECONDS = 60.0
TARGET_CUSTOMERS = 100_000


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo config file")
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--customers", type=int, default=TARGET_CUSTOMERS)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument(
        "--profile", action="store_true", help="group the queries by statement"
    )
    return parser.parse_args(argv)


def committing_environment(config, database):
    """A superuser environment on ``database`` that commits as the cron does:
    whatever is not committed is rolled back at the end."""
    return superuser_environment(
        config,
        database,
        "fixtures committed, a commit after every batch, cleaned up after",
    )


def vacuum_analyze(env, tables):
    """VACUUM ANALYZE ``tables`` (outside of a transaction, as it must be)."""
    env.cr.commit()
    with closing(env.registry.cursor()) as cr:
        cr._cnx.autocommit = True
        for table in tables:
            cr.execute(SQL("VACUUM ANALYZE %s", SQL.identifier(table)))


TOUCHED_TABLES = (
    "res_partner",
    "cs_customer_metrics",
    "cs_care_participant",
    "mail_message",
    "mail_mail",
    "mail_mail_res_partner_rel",
)


def clean_up(env, campaign, tier, tag):
    """Delete, with SQL, what the benchmark made, and commit."""
    cr = env.cr
    cr.rollback()
    queries = [
        """DELETE FROM mail_mail mail USING mail_message message
            WHERE message.id = mail.mail_message_id
              AND message.model = 'cs.care.participant'
              AND message.res_id IN (SELECT id FROM cs_care_participant
                                      WHERE campaign_id = %(campaign)s)""",
        """DELETE FROM mail_message
            WHERE model = 'cs.care.participant'
              AND res_id IN (SELECT id FROM cs_care_participant
                              WHERE campaign_id = %(campaign)s)""",
        "DELETE FROM cs_care_participant WHERE campaign_id = %(campaign)s",
        "DELETE FROM cs_care_campaign WHERE id = %(campaign)s",
        "DELETE FROM mail_template WHERE id = %(template)s",
        "DELETE FROM cs_team WHERE id = %(team)s",
        "DELETE FROM cs_customer_metrics WHERE segment_id = %(tier)s",
        "DELETE FROM cs_segment WHERE id = %(tier)s",
        """DELETE FROM res_partner WHERE cs_customer_number LIKE %(pattern)s""",
    ]
    params = {
        "campaign": campaign.id,
        "template": campaign.mail_template_id.id,
        "team": campaign.team_id.id,
        "tier": tier.id,
        "pattern": f"{tag}-%",
    }
    for query in queries:
        cr.execute(query, params)
    cr.commit()


def insert_customers(env, count, tier):
    """``count`` customers of ``tier`` with their metrics rows, set-based."""
    cr = env.cr
    common = {
        "company": env.company.id,
        "uid": env.uid,
        "now": datetime.now(),
        "tag": f"CARE{int(time.time())}",
    }
    cr.execute(
        SQL(
            """
        INSERT INTO res_partner (
            id, commercial_partner_id, name, complete_name, cs_customer_number,
            email, email_normalized, cs_do_not_contact, tz, lang, active,
            company_id, type, is_company, partner_share,
            create_uid, create_date, write_uid, write_date)
        SELECT s.id, s.id, 'Care Customer ' || s.g, 'Care Customer ' || s.g,
               %(tag)s || '-' || lpad(s.g::text, 7, '0'),
               CASE WHEN mod(s.g, 100) = 1 THEN NULL
                    ELSE 'care' || s.g || '@example.com' END,
               CASE WHEN mod(s.g, 100) = 1 THEN NULL
                    ELSE 'care' || s.g || '@example.com' END,
               mod(s.g, 100) = 0, 'Asia/Shanghai', 'en_US', TRUE,
               %(company)s, 'contact', FALSE, TRUE,
               %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM (SELECT nextval('res_partner_id_seq') AS id, g
                  FROM generate_series(1, %(count)s) g) s
        """,
            count=count,
            **common,
        )
    )
    cr.execute(
        SQL(
            """
        INSERT INTO cs_customer_metrics (
            partner_id, company_id, aum, transaction_amount, transaction_count,
            digital_share, complaint_count, recency_score, frequency_score,
            monetary_score, value_score, is_key, segment_id)
        SELECT p.id, p.company_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, FALSE, %(tier)s
          FROM res_partner p
         WHERE p.cs_customer_number LIKE %(pattern)s
        """,
            tier=tier.id,
            pattern=f"{common['tag']}-%",
        )
    )
    return common["tag"]


def make_campaign(env, tier):
    """An approved yearly Spring Festival greeting to ``tier``."""
    spring = env.ref("customer_service_bank.cs_care_festival_cn_spring")
    team = env["cs.team"].create({"name": "Care bench team"})
    template = env["mail.template"].create(
        {
            "name": "Care bench greeting",
            "model_id": env.ref("customer_service_bank.model_cs_care_participant").id,
            "subject": "Happy Spring Festival, {{ object.partner_id.name }}",
            "body_html": "<p>Dear <t t-out='object.partner_id.name'/>,</p>"
            "<p>Best wishes for the year to come.</p>",
            "lang": "{{ object.partner_id.lang }}",
        }
    )
    campaign = env["cs.care.campaign"].create(
        {
            "name": "Spring Festival greeting (bench)",
            "kind": "festival",
            "recurrence": "yearly",
            "festival_id": spring.id,
            "send_time": 9.0,
            "team_id": team.id,
            "mail_template_id": template.id,
            "tier_ids": [Command.set(tier.ids)],
        }
    )
    campaign.state = "approved"
    return campaign, spring._cs_date(2027)


def participant_states(env, campaign):
    env.flush_all()
    env.cr.execute(
        "SELECT state, count(*) FROM cs_care_participant WHERE campaign_id = %s"
        " GROUP BY state",
        [campaign.id],
    )
    return dict(env.cr.fetchall())


def count_mails(env, campaign):
    env.flush_all()
    env.cr.execute(
        """SELECT count(*) FROM mail_mail mail
             JOIN mail_message message ON message.id = mail.mail_message_id
             JOIN cs_care_participant cp ON cp.id = message.res_id
            WHERE message.model = 'cs.care.participant' AND cp.campaign_id = %s""",
        [campaign.id],
    )
    return env.cr.fetchone()[0]


def send_all(env, batch_size, profile):
    """Call the sending job batch after batch until nothing is left, as
    ``ir.cron`` does, committing after each; returns (meter, [queries per
    batch])."""
    Participant = env["cs.care.participant"]
    cron = env.ref("customer_service_bank.ir_cron_cs_care_send")
    total = Meter(env.cr, profile=profile)
    per_batch = []
    while True:
        progress = env["ir.cron.progress"].create({"cron_id": cron.id})
        with Meter(env.cr, profile=profile) as meter:
            done = Participant.with_context(
                ir_cron_progress_id=progress.id
            )._run_batch_job(batch_size)
            env.flush_all()
            env.cr.commit()
        total.add(meter)
        # the ORM cache would keep every batch's records: ir.cron's calls
        # are separate transactions
        env.invalidate_all()
        if not done:
            break
        per_batch.append(meter.queries)
    return total, per_batch


def main(argv=None):
    args = parse_args(argv)
    with committing_environment(args.config, args.database) as env:
        env = env(
            context={
                "tracking_disable": True,
                "mail_create_nolog": True,
                "mail_create_nosubscribe": True,
            }
        )
        # only the benchmark's campaign runs
        env["cs.care.campaign"].search(
            [("state", "in", ("approved", "running"))]
        ).state = "cancelled"
        env.company.partner_id.tz = "Asia/Shanghai"
        tier = env["cs.segment"].create({"name": "Care bench tier", "kind": "tier"})
        start = time.perf_counter()
        tag = insert_customers(env, args.customers, tier)
        campaign, day = make_campaign(env, tier)
        env.flush_all()
        vacuum_analyze(env, TOUCHED_TABLES)
        print(
            f"fixtures: {args.customers:,} customers inserted with SQL, a Spring "
            f"Festival greeting due {day} ({time.perf_counter() - start:.2f} s)"
        )
        try:
            checks = run(env, args, campaign, day)
        finally:
            clean_up(env, campaign, tier, tag)
            vacuum_analyze(env, TOUCHED_TABLES)
    print("\ncleaned up: the database holds no benchmark record")
    return 0 if all(passed for _label, passed in checks) else 1


def run(env, args, campaign, day):
    """Materialise, send and rerun; print the figures, return the checks."""
    # 11:00 in Shanghai on the festival's day; tick: timings stay real
    with freeze_time(datetime(day.year, day.month, day.day, 3), tick=True):
        header(f"care sending, batches of {args.batch:,}")
        with Meter(env.cr, profile=args.profile) as materialise:
            counts = campaign._cs_materialise_due()
            env.flush_all()
            env.cr.commit()
        report("materialise + consent/budget check", counts.total(), materialise, "")
        # autovacuum would analyse the 100,000 new rows: not timed here
        vacuum_analyze(env, ["cs_care_participant"])
        send, per_batch = send_all(env, args.batch, args.profile)
        states = participant_states(env, campaign)
        report("render + queue mails (cron batches)", states.get("sent", 0), send, "")
        mails = count_mails(env, campaign)
        with Meter(env.cr) as rerun_meter:
            campaign.last_run_date = False
            rerun = campaign._cs_materialise_due()
            _meter, rerun_batches = send_all(env, args.batch, False)
        report("rerun", rerun.total(), rerun_meter, "")
    total = Meter(env.cr).add(materialise).add(send)
    print(f"\n  participants: {dict(sorted(states.items()))}")
    print(
        f"  total {total.seconds:.1f} s (cpu {total.cpu:.1f} s), {mails:,} mails "
        f"queued, {mails / total.seconds:,.0f} mails/s"
    )
    print(
        f"  queries: {total.queries:,} in all, {materialise.queries} to "
        f"materialise, {len(per_batch)} batches of "
        f"{min(per_batch, default=0)}-{max(per_batch, default=0)} queries"
    )
    if args.profile:
        print_profile(send, "sending")
    checks = [
        (
            f"{args.customers:,} customers in <= {TARGET_SECONDS:.0f} s",
            total.seconds <= TARGET_SECONDS,
        ),
        (
            "same queries in every full batch after the first",
            len(set(per_batch[1:-1])) <= 1,
        ),
        ("every queued participant got one mail", mails == states.get("sent", 0)),
        (
            "a rerun adds and queues nothing",
            not rerun.total()
            and not rerun_batches
            and count_mails(env, campaign) == mails,
        ),
    ]
    print()
    for label, passed in checks:
        print(f"  {'PASS' if passed else 'FAIL'}  {label}")
    return checks


if __name__ == "__main__":
    sys.exit(main())
