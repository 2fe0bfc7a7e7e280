"""Benchmark complaint intake: one create() per complaint, and batch create.

Usage::

    python3 bench/bench_intake.py -c ODOO_CONF -d DB [--one-by-one 1000] \\
        [--batch 2000] [--peer-addons /work/oca] [--profile]

``DB`` is a scratch database with ``customer_service_bank`` installed and,
for the comparison, OCA's ``helpdesk_mgmt`` (18.0) too, found in the addons
directory ``--peer-addons``; without it the peer is skipped with a message.
Everything runs in ONE transaction rolled back at the end.

Measured, as the admin user (record rules apply):

1. one by one, as portal, mail, API and chat create complaints: each
   complaint in its own create() call followed by what its commit costs
   (``flush_all()`` and the precommit hooks, where the acknowledgement job
   is triggered); complaints/s and queries per complaint, in three modes:
   as the API, mail and chat intake create (the creating user does not
   follow the complaint) with the record cache kept between complaints (a
   worker going through a queue; the targets apply to it), then emptied
   after each (a new HTTP request; the registry's caches stay warm in
   both), and as the portal and the back office create (the creating user
   follows the complaint), cache kept;
2. the same runs for OCA ``helpdesk.ticket``, in the same process and in
   the same transaction style, and the ratio of the two rates in each mode;
3. one create() call of ``--batch`` complaints, its flush and commit hooks;
4. the acknowledgement job (``_cron_mail_acknowledgements``) that the commit
   triggers, logging the creation notes and rendering the acknowledgements
   queued by the runs above.

Targets (issue 13): one by one >= 170 complaints/s at <= 10 queries each,
batch >= 450 complaints/s; the exit code is 1 when one is missed.
"""

import argparse
import os
import sys
import time

from bench_complaints import (
    Meter,
    complaint_vals,
    header,
    load,
    make_fixtures,
    print_profile,
    report,
    rolled_back,
    rolled_back_environment,
)

TARGET_ONE_BY_ONE_RATE = 170
TARGET_ONE_BY_ONE_QUERIES = 10
TARGET_BATCH_RATE = 450
WARM_UP = 20
# (creating user follows, record cache emptied after each create): label
MODES = {
    (False, False): "intake (API, mail, chat), cache kept",
    (False, True): "intake (API, mail, chat), new request each",
    (True, False): "portal and back office (creator follows), cache kept",
}


def end_of_transaction(env, fresh=False):
    """What a commit costs, without committing: the flush and the precommit
    hooks; with ``fresh``, then the emptied record cache a new request
    starts with (the registry's caches stay warm)."""
    env.flush_all()
    env.cr.precommit.run()
    env.cr.postcommit.clear()
    if fresh:
        env.invalidate_all()


def one_by_one(env, model, vals_list, mode, profile=False):
    """Create the records of ``vals_list`` one create() call each."""
    follows, fresh = mode
    Model = env[model].with_context(mail_create_nosubscribe=not follows)
    for vals in vals_list[:WARM_UP]:
        Model.create(dict(vals))
        end_of_transaction(env, fresh)
    with Meter(env.cr, profile=profile, callers=profile) as meter:
        for vals in vals_list[WARM_UP:]:
            Model.create(vals)
            end_of_transaction(env, fresh)
    return meter


def bench_complaints(env, args, fixtures):
    _handlers, team, categories, customers = fixtures
    admin_env = env(user=env.ref("base.user_admin").id)
    header("1. Complaints one by one: create() and the commit hooks each")
    count = args.one_by_one
    meters = []
    for mode, label in MODES.items():
        vals_list = complaint_vals(count + WARM_UP, team, categories, customers)
        meter = one_by_one(admin_env, "cs.complaint", vals_list, mode, args.profile)
        report(f"cs.complaint, {label}", count, meter, "complaints")
        if args.profile:
            print_profile(meter, label, top=25)
        meters.append(meter)
    header("3. Complaints in one batch: create(), flush_all(), commit hooks")
    vals_list = complaint_vals(args.batch, team, categories, customers)
    with Meter(env.cr) as batch:
        admin_env["cs.complaint"].with_context(mail_create_nosubscribe=True).create(
            vals_list
        )
        end_of_transaction(admin_env)
    report("cs.complaint batch", args.batch, batch, "complaints")
    return meters, batch


def bench_acknowledgements(env):
    header("4. The acknowledgement job the commits triggered")
    Job = env["cs.complaint.acknowledgement"]
    pending = Job._batch_remaining()
    with Meter(env.cr) as meter:
        while Job._batch_remaining():
            Job._cron_mail_acknowledgements()
            env.flush_all()
    report("acknowledgements rendered and queued", pending, meter, "mails")
    return pending, meter


def peer_fixtures(env, customers):
    team = env["helpdesk.ticket.team"].create({"name": "Bench Helpdesk Team"})
    categories = env["helpdesk.ticket.category"].create(
        [{"name": f"Bench Category {i}"} for i in range(3)]
    )
    channel = env.ref("helpdesk_mgmt.helpdesk_ticket_channel_email")
    return [
        {
            "name": f"Bench ticket {i}",
            "description": "<p>Card fee charged twice.</p>",
            "partner_id": customers[i % len(customers)].id,
            "team_id": team.id,
            "category_id": categories[i % len(categories)].id,
            "channel_id": channel.id,
        }
        for i in range(len(MODES) * (WARM_UP + 10_000))
    ]


def bench_peer(env, args, fixtures):
    """The same one-by-one run for OCA helpdesk_mgmt's helpdesk.ticket."""
    path = os.path.join(args.peer_addons or "", "helpdesk_mgmt")
    if not args.peer_addons or not os.path.isdir(path):
        print(
            f"\n== 2. OCA helpdesk_mgmt: SKIPPED, no helpdesk_mgmt in --peer-addons "
            f"{args.peer_addons!r}"
        )
        return None
    if "helpdesk.ticket" not in env:
        print(
            "\n== 2. OCA helpdesk_mgmt: SKIPPED, not installed in this database; "
            f"install it with: odoo -c CONF -d DB --addons-path=...,{args.peer_addons}"
            " -i helpdesk_mgmt --without-demo=all --stop-after-init"
        )
        return None
    admin_env = env(user=env.ref("base.user_admin").id)
    header("2. OCA helpdesk.ticket one by one, in the same style")
    vals_list = peer_fixtures(admin_env, fixtures[3])
    meters = []
    for mode, label in MODES.items():
        todo = vals_list[: WARM_UP + args.one_by_one]
        vals_list = vals_list[len(todo) :]
        meter = one_by_one(admin_env, "helpdesk.ticket", todo, mode, args.profile)
        report(f"helpdesk.ticket, {label}", args.one_by_one, meter, "tickets")
        if args.profile:
            print_profile(meter, f"helpdesk, {label}", top=15)
        meters.append(meter)
    return meters


def summary(args, ours, peer, batch, acknowledgements):
    print(f"\n== Summary (targets from issue 13; {load()}, {os.cpu_count()} CPUs)")
    count = args.one_by_one
    rates = [count / meter.seconds for meter in ours]
    per = [meter.queries / count for meter in ours]
    verdicts = [
        rates[0] >= TARGET_ONE_BY_ONE_RATE and per[0] <= TARGET_ONE_BY_ONE_QUERIES,
        args.batch / batch.seconds >= TARGET_BATCH_RATE,
    ]
    labels = list(MODES.values())
    print(
        f"  {'PASS' if verdicts[0] else 'FAIL'}  one by one, {labels[0]}: "
        f"{rates[0]:,.0f} complaints/s (target >= {TARGET_ONE_BY_ONE_RATE}), "
        f"{per[0]:.2f} queries each (target <= {TARGET_ONE_BY_ONE_QUERIES})"
    )
    for label, rate, queries in zip(labels[1:], rates[1:], per[1:], strict=True):
        print(
            f"  info  one by one, {label}: {rate:,.0f} complaints/s, "
            f"{queries:.2f} queries each"
        )
    print(
        f"  {'PASS' if verdicts[1] else 'FAIL'}  batch of {args.batch:,}: "
        f"{args.batch / batch.seconds:,.0f} complaints/s (target >= "
        f"{TARGET_BATCH_RATE}), {batch.queries / args.batch:.2f} queries each"
    )
    if peer:
        for label, mine, theirs in zip(labels, ours, peer, strict=True):
            peer_rate = count / theirs.seconds
            print(
                f"  info  OCA helpdesk.ticket, {label}: {peer_rate:,.0f} tickets/s, "
                f"{theirs.queries / count:.2f} queries each; complaints/tickets "
                f"rate ratio {count / mine.seconds / peer_rate:.2f}x"
            )
    pending, meter = acknowledgements
    if pending:
        print(
            f"  info  acknowledgement job: {pending:,} mails in {meter.seconds:.2f} s "
            f"({pending / meter.seconds:,.0f}/s, {meter.queries / pending:.2f} "
            "queries each), outside the create transactions"
        )
    return all(verdicts)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True, help="scratch database")
    parser.add_argument(
        "--one-by-one", type=int, default=1000, help="complaints created one by one"
    )
    parser.add_argument(
        "--batch", type=int, default=2000, help="complaints created in one call"
    )
    parser.add_argument(
        "--peer-addons",
        default="/work/oca",
        help="addons directory holding OCA helpdesk_mgmt 18.0 (empty: no peer)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="group the queries by statement"
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    # the peer's addons directory, when it holds helpdesk_mgmt
    peer = args.peer_addons
    extra = (
        [peer] if peer and os.path.isdir(os.path.join(peer, "helpdesk_mgmt")) else []
    )
    with rolled_back_environment(args.config, args.database, extra) as env:
        start = time.perf_counter()
        fixtures = make_fixtures(env)
        env.flush_all()
        print(f"fixtures ({time.perf_counter() - start:.2f} s)")
        with rolled_back(env.cr):
            ours, batch = bench_complaints(env, args, fixtures)
            acknowledgements = bench_acknowledgements(env)
        with rolled_back(env.cr):
            peer = bench_peer(env, args, fixtures)
        passed = summary(args, ours, peer, batch, acknowledgements)
    print("\nrolled back: the database holds no benchmark record")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
