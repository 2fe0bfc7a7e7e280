"""Load run of the complaint JSON API: 20 clients, 4 workers, one killed.

Usage::

    createdb ...   # or: python3 -m odoo -c CONF -d DB -i customer_service_bank \\
                   #       --stop-after-init    (demo data needed)
    python3 bench/bench_intake_load.py -c ODOO_CONF -d DB \\
        [--clients 20] [--duration 60] [--per-client M] [--port 8321]

``DB`` must have ``customer_service_bank`` installed with its demo data
(integration user ``cs_integration`` and its API key, customers numbered
from C20260001). ``DB`` itself is not touched: the run copies it to the
scratch database ``DB_loadrun`` (``createdb -T`` and the filestore), runs
there and drops it at the end (``--keep`` keeps it for inspection). No
session may be connected to ``DB`` while it is copied.

The script starts Odoo itself (``--workers=4 --max-cron-threads=1`` on
localhost:``--port``), waits for ``/web/health``, then runs ``--clients``
threads, each with a keep-alive session creating complaints one by one
through ``POST /cs/api/v1/complaints`` with unique external_refs, for
``--duration`` seconds or ``--per-client`` complaints each. After an
acknowledged create, ``--retry-share`` of them are sent again with the same
external_ref (a response lost on the way back); every ``--twin-every``-th
complaint is sent at the same moment from two sessions (two clients
retrying at once). Half-way through, one HTTP worker is killed with SIGKILL
(the prefork master respawns it); a client whose connection drops sends
the same external_ref again, up to ``--max-attempts`` times.

Printed: creates/s, p50/p95/p99 latency of the answered calls, errors by
kind, retries, the killed worker's pid. Then the checks, in SQL:

- every acknowledged external_ref (an answer with a reference) exists
  exactly once, under the reference that was acknowledged;
- no external_ref of the run has two complaints;
- no complaint is half-written: reference, stage, stage log row,
  deadline policy, resolution deadline and status (and the acknowledgement
  deadline when the policy has one) and the customer are set;
- retries created nothing: they answered ``created: false`` with the
  original reference, and the run made as many complaints as refs;
- every complaint has its acknowledgement mail (mail.mail) within 60 s,
  whatever its state: outgoing, sent, or exception where no SMTP server
  answers (the states are printed).

Exit code 1 when a check fails. Odoo is stopped at the end, also on Ctrl-C
or an exception.
"""

import argparse
import configparser
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter

import psycopg2
import requests

import odoo

KEY = "csdemo00d3m0k3y0f0r0th30p3n0api0000000001"
CUSTOMERS = [f"C2026{n:04d}" for n in range(1, 21)]
CHANNELS = ["mobile_app", "online_banking", "phone", "email"]
ALIVE = re.compile(r"Worker WorkerHTTP \((\d+)\) alive")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--per-client", type=int, default=0)
    parser.add_argument("--port", type=int, default=8321)
    parser.add_argument("--gevent-port", type=int, default=8322)
    parser.add_argument("--retry-share", type=float, default=0.1)
    parser.add_argument("--twin-every", type=int, default=10)
    parser.add_argument("--max-attempts", type=int, default=8)
    parser.add_argument("--mail-wait", type=float, default=60.0)
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


class Scratch:
    """A copy of the database and its filestore, dropped on exit."""

    def __init__(self, args):
        self.conf = configparser.ConfigParser()
        self.conf.read(args.config)
        self.options = self.conf["options"]
        self.source = args.database
        self.name = f"{args.database}_loadrun"
        self.keep = args.keep
        self.filestore = os.path.join(
            os.path.expanduser(self.options.get("data_dir", "~/.local/share/Odoo")),
            "filestore",
        )

    def connect(self, dbname=None):
        return psycopg2.connect(
            dbname=dbname or self.name,
            host=self.options.get("db_host") or None,
            port=self.options.get("db_port") or None,
            user=self.options.get("db_user") or None,
            password=self.options.get("db_password") or None,
        )

    def _admin(self, sql):
        conn = self.connect("postgres")
        conn.autocommit = True
        try:
            with conn.cursor() as cr:
                cr.execute(sql)
        finally:
            conn.close()

    def create(self):
        self.drop()
        self._admin(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.source}"')
        source = os.path.join(self.filestore, self.source)
        if os.path.isdir(source):
            shutil.copytree(source, os.path.join(self.filestore, self.name))

    def drop(self):
        self._admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{self.name}'"
        )
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')
        shutil.rmtree(os.path.join(self.filestore, self.name), ignore_errors=True)


class Server:
    """Odoo in prefork mode as a subprocess, with its log in a temp file."""

    def __init__(self, args, dbname):
        self.args = args
        self.dbname = dbname
        handle, self.log = tempfile.mkstemp(prefix="odoo-load-", suffix=".log")
        os.close(handle)
        self.process = None

    def start(self):
        # odoo-bin, not ``-m odoo``: the master respawns the gevent process
        # by running its own sys.argv[0], which must be a script
        cmd = [
            sys.executable,
            os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin"),
            "-c",
            self.args.config,
            "-d",
            self.dbname,
            f"--db-filter=^{self.dbname}$",
            "--workers=4",
            "--max-cron-threads=1",
            "--http-interface=127.0.0.1",
            f"--http-port={self.args.port}",
            f"--gevent-port={self.args.gevent_port}",
            "--log-level=info",
            "--limit-time-real=120",
        ]
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        url = f"http://127.0.0.1:{self.args.port}/web/health"
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Odoo exited, see {self.log}")
            try:
                if requests.get(url, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"Odoo did not answer in 120 s, see {self.log}")

    def http_workers(self):
        """Pids of the live HTTP workers: logged as alive, children of the master."""
        children = set(
            map(
                int,
                subprocess.run(
                    ["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
                    capture_output=True,
                    text=True,
                    check=False,
                ).stdout.split(),
            )
        )
        with open(self.log) as log:
            alive = {int(pid) for pid in ALIVE.findall(log.read())}
        return sorted(children & alive)

    def stop(self):
        if not self.process or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class Run:
    """The clients' shared tallies."""

    def __init__(self, args):
        self.args = args
        self.url = f"http://127.0.0.1:{args.port}/cs/api/v1/complaints"
        self.prefix = f"LOAD-{int(time.time())}"
        self.lock = threading.Lock()
        self.latencies = []
        self.errors = Counter()
        self.acked = {}  # external_ref -> reference
        self.created = Counter()  # external_ref -> answers with created: true
        self.retries = Counter()
        self.retry_mismatch = []
        self.started = self.stopped = None
        self.stop_at = None

    def post(self, session, ref, index):
        """Send ``ref`` until answered; the answer's item, or None."""
        item = {
            "external_ref": ref,
            "customer_number": CUSTOMERS[index % len(CUSTOMERS)],
            "subject": f"Load run {ref}",
            "description": "Card payment refused at the counter.",
            "channel": CHANNELS[index % len(CHANNELS)],
        }
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "params": {"complaint": item}})
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {KEY}",
        }
        for attempt in range(self.args.max_attempts):
            if attempt:
                with self.lock:
                    self.retries["dropped"] += 1
                time.sleep(0.2 * attempt)
            start = time.perf_counter()
            try:
                response = session.post(
                    self.url, data=body, headers=headers, timeout=60
                )
            except requests.ConnectionError:
                self._error("dropped")
                continue
            except requests.Timeout:
                self._error("timeout")
                continue
            elapsed = time.perf_counter() - start
            if response.status_code != 200:
                self._error(f"http_{response.status_code}")
                continue
            payload = response.json()
            if "error" in payload:
                self._error("rpc_error")
                continue
            result = payload["result"]
            if "error" in result:
                self._error(f"api_{result['error'].get('code')}")
                return None
            with self.lock:
                self.latencies.append(elapsed)
                if result.get("created"):
                    self.created[ref] += 1
            return result
        return None

    def _error(self, kind):
        with self.lock:
            self.errors[kind] += 1

    def _ack(self, ref, result):
        with self.lock:
            previous = self.acked.setdefault(ref, result["reference"])
            if previous != result["reference"]:
                self.retry_mismatch.append((ref, previous, result["reference"]))

    def client(self, number):
        session = requests.Session()
        twin = requests.Session()
        rng = random.Random(number)
        index = 0
        while time.time() < self.stop_at and (
            not self.args.per_client or index < self.args.per_client
        ):
            ref = f"{self.prefix}-{number:02d}-{index:05d}"
            if self.args.twin_every and index % self.args.twin_every == 0:
                results = self._twins(session, twin, ref, number + index)
                with self.lock:
                    self.retries["concurrent"] += 1
            else:
                results = [self.post(session, ref, number + index)]
            for result in filter(None, results):
                self._ack(ref, result)
            if results[0] and rng.random() < self.args.retry_share:
                with self.lock:
                    self.retries["same_ref"] += 1
                again = self.post(session, ref, number + index)
                if again:
                    self._ack(ref, again)
                    if again.get("created"):
                        self.retry_mismatch.append((ref, "created again", ""))
            index += 1

    def _twins(self, session, twin, ref, index):
        """Post ``ref`` from two sessions at once."""
        barrier = threading.Barrier(2)
        results = [None, None]

        def send(slot, sess):
            barrier.wait()
            results[slot] = self.post(sess, ref, index)

        other = threading.Thread(target=send, args=(1, twin))
        other.start()
        send(0, session)
        other.join()
        return results


def kill_worker(server, run, report):
    """Half-way through, SIGKILL one HTTP worker and note its respawn."""
    time.sleep(run.args.duration / 2 if not run.args.per_client else 5)
    workers = server.http_workers()
    if not workers:
        report["killed"] = "none found"
        return
    victim = random.choice(workers)
    os.kill(victim, signal.SIGKILL)
    report["killed"] = victim
    deadline = time.time() + 30
    while time.time() < deadline:
        fresh = set(server.http_workers()) - set(workers)
        if fresh:
            report["respawned"] = sorted(fresh)
            return
        time.sleep(0.5)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def check(scratch, run, mail_wait):
    """The database checks; a list of failures (empty when all hold)."""
    failures = []
    conn = scratch.connect()
    conn.autocommit = True
    cr = conn.cursor()
    like = run.prefix + "-%"
    cr.execute(
        "SELECT external_ref, array_agg(name), count(*) FROM cs_complaint "
        "WHERE external_ref LIKE %s GROUP BY external_ref",
        [like],
    )
    found = {ref: (names, count) for ref, names, count in cr.fetchall()}
    doubles = [ref for ref, (_names, count) in found.items() if count > 1]
    if doubles:
        failures.append(f"{len(doubles)} external_refs with two complaints")
    lost = [ref for ref in run.acked if ref not in found]
    if lost:
        failures.append(f"{len(lost)} acknowledged refs without complaint")
    renamed = [
        ref
        for ref, name in run.acked.items()
        if ref in found and found[ref][0] != [name]
    ]
    if renamed:
        failures.append(f"{len(renamed)} refs acknowledged under another reference")
    unacked = set(found) - set(run.acked)
    cr.execute(
        """SELECT c.id FROM cs_complaint c
                LEFT JOIN cs_sla_policy p ON p.id = c.sla_policy_id
            WHERE c.external_ref LIKE %s
              AND (c.name IS NULL OR c.name = '/' OR c.stage_id IS NULL
                   OR c.partner_id IS NULL OR p.id IS NULL
                   OR c.resolve_deadline IS NULL OR c.deadline_status IS NULL
                   OR (c.ack_deadline IS NULL AND p.ack_time > 0)
                   OR NOT EXISTS (SELECT 1 FROM cs_complaint_stage_log l
                                   WHERE l.complaint_id = c.id))""",
        [like],
    )
    half = cr.fetchall()
    if half:
        failures.append(f"{len(half)} complaints half-written")
    if run.retry_mismatch:
        failures.append(
            f"{len(run.retry_mismatch)} retries answered another complaint "
            f"or created one: {run.retry_mismatch[:3]}"
        )
    created_twice = [ref for ref, n in run.created.items() if n > 1]
    if created_twice:
        failures.append(f"{len(created_twice)} refs answered created twice")
    cr.execute("SELECT id FROM cs_complaint WHERE external_ref LIKE %s", [like])
    ids = [row[0] for row in cr.fetchall()]
    start = time.time()
    states = Counter()
    while True:
        cr.execute(
            """SELECT m.res_id, mm.state FROM mail_mail mm
                 JOIN mail_message m ON m.id = mm.mail_message_id
                WHERE m.model = 'cs.complaint' AND m.res_id = ANY(%s)""",
            [ids],
        )
        rows = cr.fetchall()
        states = Counter(state for _res_id, state in rows)
        missing = set(ids) - {res_id for res_id, _state in rows}
        if not missing or time.time() - start > mail_wait:
            break
        time.sleep(2)
    waited = time.time() - start
    if missing:
        failures.append(
            f"{len(missing)} complaints without acknowledgement mail after "
            f"{mail_wait:.0f} s"
        )
    conn.close()
    print(
        f"checked: {len(found)} complaints for {len(run.acked)} acknowledged refs "
        f"({len(unacked)} created but never acknowledged); "
        f"{len(half)} half-written; mails {dict(states)} after {waited:.1f} s"
    )
    return failures


def report(run, killed):
    elapsed = run.stopped - run.started
    created = len(run.acked)
    print(f"clients: {run.args.clients}, workers: 4, run: {elapsed:.1f} s")
    print(
        f"complaints acknowledged: {created}  ({created / elapsed:.1f} creates/s); "
        f"API calls answered: {len(run.latencies)}"
    )
    if run.latencies:
        figures = {
            "p50": percentile(run.latencies, 0.50),
            "p95": percentile(run.latencies, 0.95),
            "p99": percentile(run.latencies, 0.99),
            "mean": statistics.mean(run.latencies),
            "max": max(run.latencies),
        }
        print(
            "latency ms: "
            + "  ".join(f"{name} {1000 * value:.0f}" for name, value in figures.items())
        )
    print(f"errors by kind: {dict(run.errors) or 'none'}")
    print(
        f"retries: same ref after an answer {run.retries['same_ref']}, "
        f"concurrent twins {run.retries['concurrent']}, "
        f"after a dropped call {run.retries['dropped']}"
    )
    print(
        f"killed worker: {killed.get('killed')}, respawned as "
        f"{killed.get('respawned', 'not seen')}"
    )


def interrupt(signum, _frame):
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main():
    args = parse_args()
    # Ctrl-C or a kill stop Odoo and drop the scratch database (finally below)
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    scratch = Scratch(args)
    server = Server(args, scratch.name)
    failures = ["interrupted"]
    try:
        print(f"copying {scratch.source} to {scratch.name}")
        scratch.create()
        server.start()
        print(f"Odoo up, HTTP workers {server.http_workers()}, log {server.log}")
        run = Run(args)
        killed = {}
        threads = [
            threading.Thread(target=run.client, args=(n,), daemon=True)
            for n in range(args.clients)
        ]
        run.started = time.time()
        run.stop_at = run.started + (args.duration if not args.per_client else 3600)
        killer = threading.Thread(
            target=kill_worker, args=(server, run, killed), daemon=True
        )
        killer.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        run.stopped = time.time()
        killer.join()
        report(run, killed)
        failures = check(scratch, run, args.mail_wait)
        for failure in failures:
            print(f"CHECK FAILED: {failure}")
        if not failures:
            print("all checks passed")
    finally:
        server.stop()
        if not args.keep:
            scratch.drop()
        print(f"Odoo log: {server.log}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
