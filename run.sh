#!/usr/bin/env bash
# Run the customer_service_bank Odoo 18.0 addon locally, or its test suite.
#
#   ./run.sh serve [extra odoo args]   Odoo on http://localhost:${CSB_PORT:-8069}
#                                      with the addon and demo data (admin/admin)
#   ./run.sh test                      whole suite, fresh databases: pytest-odoo and,
#                                      in parallel, Odoo's own --test-enable runner
#   ./run.sh test [pytest args]        pytest-odoo only, e.g. -k deadline -x
#   ./run.sh test-odoo [odoo args]     whole suite with Odoo's own runner only
#
# Odoo 18.0 itself is NOT installed by this script: it must already be importable
# as `python3 -c "import odoo"` (as in OCA's CI images).
#
# Environment knobs:
#   CSB_DB (csb_demo)          database used by `serve`
#   CSB_PORT (8069)            HTTP port used by `serve`
#   CSB_TEST_DB (csb_test)     database dropped and recreated by `test`
#   CSB_TEST_ODOO_DB (csb_test_odoo)  database dropped and recreated by `test-odoo`
#   CSB_TEST_PORT (8169)       HTTP port of Odoo's own test runner (`test-odoo`)
#   PGPORT (5432)              PostgreSQL port on localhost
#   PYTHON (python3)           interpreter that imports odoo (Odoo runs as `$PYTHON -m odoo`)
#   ODOO_BIN                   alternative Odoo launcher (e.g. /path/to/odoo-bin)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-python3}"
LOCAL_DIR="$ROOT/.local"
CONFIG="$LOCAL_DIR/odoo.conf"
DATA_DIR="$LOCAL_DIR/data"
DB_HOST=localhost
DB_PORT="${PGPORT:-5432}"
DB_USER=odoo
DB_PASSWORD=odoo
ADDON=customer_service_bank
TEST_ADDON=test_customer_service_bank
# An Odoo log record starts like: 2026-11-29 07:00:00,123 1234 WARNING dbname logger: msg
# (no {n} intervals: Debian's default awk, mawk 1.3.4, does not support them)
LOG_RECORD_RE='^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9],[0-9]+ [0-9]+ [A-Z]+ '

say() { echo "run.sh: $*"; }
warn() { echo "run.sh: $*" >&2; }
die() {
    echo "run.sh: error: $*" >&2
    exit 1
}

usage() {
    cat <<EOF
usage: ./run.sh serve [extra odoo args]   run Odoo with $ADDON and demo data
       ./run.sh test                      run the whole suite: pytest-odoo and Odoo's runner
       ./run.sh test [pytest args]        run the test suite with pytest-odoo only
       ./run.sh test-odoo [odoo args]     run the test suite with Odoo's own runner
EOF
}

# --------------------------------------------------------------------------- helpers

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        die "need root privileges (or passwordless sudo) to run: $*"
    fi
}

# Run a shell command line as the postgres OS user, from a directory it can read.
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        su postgres -s /bin/sh -c "cd / && $1"
    elif [ "$(id -un)" = postgres ]; then
        (cd / && sh -c "$1")
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n -u postgres sh -c "cd / && $1"
    else
        die "need root privileges (or passwordless sudo) to act as the postgres user"
    fi
}

apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found; please install: $*"
    say "installing Debian package(s): $* (apt-get)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -qq update </dev/null >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -qq -y install --no-install-recommends "$@" \
        </dev/null >/dev/null
}

debian_package_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"
}

# `python3 -m odoo` is odoo-bin run by the very interpreter checked above; the
# `odoo` console script of an editable install may be a pkg_resources stub that
# refuses to start when any installed distribution's requirement is missing.
odoo_cmd() {
    if [ -n "${ODOO_BIN:-}" ]; then
        "$ODOO_BIN" "$@"
    else
        "$PYTHON" -m odoo "$@"
    fi
}

check_odoo() {
    local out
    if ! out="$("$PYTHON" -c "import odoo.release as r; assert r.version == '18.0', 'found Odoo ' + r.version; print(r.version)" 2>&1)"; then
        warn "Odoo 18.0 must be importable as \`$PYTHON -c 'import odoo'\` (as in OCA's CI images); it is not:"
        echo "$out" | tail -n 1 | sed 's/^/run.sh:   /' >&2
        exit 1
    fi
}

check_addons_present() {
    [ -f "$ROOT/$ADDON/__manifest__.py" ] \
        || die "addon not found: $ROOT/$ADDON/__manifest__.py"
    if [ "${1:-}" = with-tests ]; then
        [ -f "$ROOT/tests/$TEST_ADDON/__manifest__.py" ] \
            || die "test addon not found: $ROOT/tests/$TEST_ADDON/__manifest__.py"
    fi
}

pg_ready() {
    pg_isready -q -h "$DB_HOST" -p "$DB_PORT" </dev/null >/dev/null 2>&1
}

ensure_postgres() {
    if command -v pg_isready >/dev/null 2>&1 && pg_ready; then
        return 0
    fi
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
        apt_install postgresql
    fi
    local clusters version
    clusters="$(pg_lsclusters --no-header 2>/dev/null || true)"
    if [ -z "$clusters" ]; then
        version="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -n | tail -n 1)"
        [ -n "$version" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
        say "creating PostgreSQL cluster $version/main"
        as_root pg_createcluster "$version" main </dev/null >/dev/null
        clusters="$(pg_lsclusters --no-header)"
    fi
    # Start the cluster(s) listening on $DB_PORT (normally 15/main on 5432); if
    # none is configured for that port, start every cluster that is down.
    local on_port
    on_port="$(awk -v p="$DB_PORT" '$3 == p' <<<"$clusters")"
    [ -z "$on_port" ] || clusters="$on_port"
    local ver name port status
    while read -r ver name port status _; do
        [ -n "$ver" ] || continue
        if [ "$status" != online ]; then
            say "starting PostgreSQL cluster $ver/$name (port $port)"
            as_root pg_ctlcluster "$ver" "$name" start </dev/null \
                || warn "pg_ctlcluster $ver $name start failed (maybe already starting); waiting"
        fi
    done <<<"$clusters"
    local i
    for i in $(seq 1 60); do
        if pg_ready; then
            say "PostgreSQL is ready on $DB_HOST:$DB_PORT"
            return 0
        fi
        sleep 1
    done
    pg_lsclusters >&2 || true
    die "PostgreSQL does not answer on $DB_HOST:$DB_PORT after 60s"
}

psql_odoo() {
    PGPASSWORD="$DB_PASSWORD" psql -X -q -t -A -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" \
        -d postgres "$@" </dev/null
}

ensure_role() {
    if [ "$(psql_odoo -c 'SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user' 2>/dev/null)" = t ]; then
        return 0
    fi
    say "creating/updating PostgreSQL login role '$DB_USER' (password '$DB_PASSWORD', CREATEDB)"
    as_postgres "psql -X -q -v ON_ERROR_STOP=1 -p $DB_PORT -d postgres" >/dev/null <<SQL
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
        CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
    ELSE
        ALTER ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
    END IF;
END
\$\$;
SQL
    [ "$(psql_odoo -c 'SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user' 2>/dev/null)" = t ] \
        || die "cannot log in to PostgreSQL as $DB_USER/$DB_PASSWORD on $DB_HOST:$DB_PORT (check pg_hba.conf)"
}

write_config() {
    local odoo_addons
    odoo_addons="$("$PYTHON" - <<'PY'
import os

import odoo

pkg = os.path.dirname(os.path.abspath(odoo.__file__))
paths = [os.path.join(pkg, "addons")]
sibling = os.path.join(os.path.dirname(pkg), "addons")
if os.path.isdir(sibling):
    paths.append(sibling)
print(",".join(paths))
PY
)"
    mkdir -p "$LOCAL_DIR" "$DATA_DIR"
    cat >"$CONFIG" <<EOF
; Generated by run.sh on every run; edit run.sh instead.
[options]
db_host = $DB_HOST
db_port = $DB_PORT
db_user = $DB_USER
db_password = $DB_PASSWORD
addons_path = $odoo_addons,$ROOT,$ROOT/tests
data_dir = $DATA_DIR
EOF
}

prepare() {
    check_odoo
    ensure_postgres
    ensure_role
    write_config
}

ensure_test_tools() {
    if ! "$PYTHON" -c "import pytest_odoo, websocket" >/dev/null 2>&1; then
        say "installing pytest-odoo and websocket-client (pip)"
        "$PYTHON" -m pip install --quiet --disable-pip-version-check pytest-odoo websocket-client </dev/null
    fi
}

# The addon's own Python dependencies (setup.py install_requires, the manifest's
# external_dependencies): the holidays package generates public holidays.
ensure_addon_deps() {
    if ! "$PYTHON" -c "import holidays" >/dev/null 2>&1; then
        say "installing holidays (pip)"
        "$PYTHON" -m pip install --quiet --disable-pip-version-check holidays </dev/null
    fi
}

ensure_chrome() {
    local bin
    for bin in google-chrome chromium chromium-browser google-chrome-stable; do
        command -v "$bin" >/dev/null 2>&1 && return 0
    done
    apt_install chromium
}

# Debian's wkhtmltopdf: Odoo renders PDF reports (the monthly report) with it;
# without a CJK font, every Chinese word of a report prints blank
ensure_wkhtmltopdf() {
    local missing=()
    command -v wkhtmltopdf >/dev/null 2>&1 || missing+=(wkhtmltopdf)
    debian_package_installed fonts-noto-cjk || missing+=(fonts-noto-cjk)
    [ "${#missing[@]}" -eq 0 ] || apt_install "${missing[@]}"
}

# pdftotext (Debian's poppler-utils): the tests read the text of real PDFs
ensure_pdftotext() {
    command -v pdftotext >/dev/null 2>&1 || apt_install poppler-utils
}

fresh_database() {
    local db="$1"
    say "dropping database $db (if any); Odoo recreates it"
    PGPASSWORD="$DB_PASSWORD" PGOPTIONS="-c client_min_messages=warning" dropdb -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" \
        --if-exists --force "$db" </dev/null
    rm -rf "$DATA_DIR/filestore/$db"
}

# Print the log records at the given levels (with their traceback lines).
# Returns 0 if there was at least one.
bad_log_records() {
    local levels="$1" logfile="$2"
    awk -v re="$LOG_RECORD_RE" -v levels=" $levels " '
        $0 ~ re { bad = (index(levels, " " $4 " ") > 0) }
        bad { print; found = 1 }
        END { exit(found ? 0 : 1) }
    ' "$logfile"
}

# --------------------------------------------------------------------------- commands

cmd_serve() {
    check_addons_present
    prepare
    ensure_addon_deps
    ensure_wkhtmltopdf
    local db="${CSB_DB:-csb_demo}" port="${CSB_PORT:-8069}"
    say "starting Odoo on http://localhost:$port (database $db, with demo data)"
    say "log in as admin / admin; stop with Ctrl+C"
    if [ -n "${ODOO_BIN:-}" ]; then
        exec "$ODOO_BIN" -c "$CONFIG" -d "$db" -i "$ADDON" \
            --http-interface=127.0.0.1 --http-port="$port" "$@"
    fi
    exec "$PYTHON" -m odoo -c "$CONFIG" -d "$db" -i "$ADDON" \
        --http-interface=127.0.0.1 --http-port="$port" "$@"
}

# `./run.sh test` alone: the whole suite under pytest-odoo and, at the same
# time on the second core and its own database, under Odoo's own runner (as
# `./run.sh test-odoo`); both must pass. With pytest arguments (`-k deadline`):
# pytest-odoo only.
cmd_test() {
    check_addons_present with-tests
    prepare
    ensure_addon_deps
    ensure_test_tools
    ensure_chrome
    ensure_wkhtmltopdf
    ensure_pdftotext
    if [ "$#" -gt 0 ]; then
        pytest_runner "$@"
        return
    fi
    local out="$LOCAL_DIR/test-odoo.out" odoo_pid odoo_rc=0 rc=0
    say "starting Odoo's own runner in the background; its output: ${out#"$ROOT/"}"
    odoo_runner >"$out" 2>&1 &
    odoo_pid=$!
    (pytest_runner) || rc=$?
    say "waiting for Odoo's own runner"
    wait "$odoo_pid" || odoo_rc=$?
    cat "$out"
    [ "$rc" -eq 0 ] || die "pytest-odoo failed"
    [ "$odoo_rc" -eq 0 ] || die "Odoo's own runner failed"
    say "the whole suite passed under pytest-odoo and under Odoo's own runner"
}

# The suite under pytest-odoo in a fresh database, after a clean install.
pytest_runner() {
    local db="${CSB_TEST_DB:-csb_test}" log="$LOCAL_DIR/install.log" rc=0
    fresh_database "$db"
    say "installing $TEST_ADDON (and $ADDON) into $db; log: ${log#"$ROOT/"}"
    odoo_cmd -c "$CONFIG" -d "$db" -i "$TEST_ADDON" --stop-after-init --log-level=info \
        </dev/null >"$log" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        tail -n 40 "$log" >&2
        die "installation failed (odoo exit status $rc); see ${log#"$ROOT/"}"
    fi
    if bad_log_records "WARNING ERROR CRITICAL" "$log" >&2; then
        die "the installation log has WARNING/ERROR/CRITICAL records (above); see ${log#"$ROOT/"}"
    fi
    say "installation clean (no WARNING/ERROR/CRITICAL in the log)"

    say "running pytest on tests/$TEST_ADDON/tests"
    rc=0
    "$PYTHON" -m pytest "tests/$TEST_ADDON/tests" \
        --odoo-config="$CONFIG" --odoo-database="$db" --odoo-http \
        -p no:cacheprovider "$@" </dev/null || rc=$?
    if [ "$rc" -eq 5 ]; then
        die "pytest collected no tests (exit status 5); that counts as a failure"
    elif [ "$rc" -ne 0 ]; then
        die "pytest failed (exit status $rc)"
    fi
    say "all tests passed"
}


cmd_test_odoo() {
    check_addons_present with-tests
    prepare
    ensure_addon_deps
    ensure_chrome
    ensure_wkhtmltopdf
    ensure_pdftotext
    odoo_runner "$@"
}

# The whole suite under Odoo's own --test-enable runner, in its own database;
# fails on any WARNING/ERROR/CRITICAL record of its log.
odoo_runner() {
    local db="${CSB_TEST_ODOO_DB:-csb_test_odoo}" log="$LOCAL_DIR/test-odoo.log" rc=0
    fresh_database "$db"
    say "installing $TEST_ADDON into $db with Odoo's test runner; log: ${log#"$ROOT/"}"
    odoo_cmd -c "$CONFIG" -d "$db" -i "$TEST_ADDON" --test-enable --stop-after-init \
        --test-tags "/$ADDON,/$TEST_ADDON" --log-level=info \
        --http-interface=127.0.0.1 --http-port="${CSB_TEST_PORT:-8169}" "$@" \
        </dev/null >"$log" 2>&1 || rc=$?
    local failed=0 summary
    # Odoo 18 ends a --test-enable run with (odoo/service/server.py, tests/result.py):
    #   ... INFO db odoo.tests.result: 0 failed, 0 error(s) of N tests when loading database 'db'
    # at ERROR level when something failed, at WARNING level when no test ran.
    summary="$(grep -E "odoo\.tests\.result: [0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests when loading database" "$log" | tail -n 1 || true)"
    if bad_log_records "ERROR CRITICAL" "$log" >&2; then
        warn "the log has ERROR/CRITICAL records (above)"
        failed=1
    fi
    if bad_log_records "WARNING" "$log" >&2; then
        warn "the log has WARNING records (above)"
        failed=1
    fi
    if [ -z "$summary" ]; then
        tail -n 40 "$log" >&2
        warn "no test summary ('N failed, N error(s) of N tests') in the log"
        failed=1
    elif ! grep -qE ": 0 failed, 0 error\(s\) of [1-9][0-9]* tests when" <<<"$summary"; then
        warn "Odoo runner: ${summary#*odoo.tests.result: }"
        failed=1
    fi
    if [ "$rc" -ne 0 ]; then
        warn "odoo exited with status $rc"
        failed=1
    fi
    [ "$failed" -eq 0 ] || die "Odoo's test runner reported problems; see ${log#"$ROOT/"}"
    summary="${summary#*odoo.tests.result: }"
    say "Odoo runner: ${summary%"${summary##*[! ]}"}"
}

main() {
    local cmd="${1:-}"
    [ $# -gt 0 ] && shift
    case "$cmd" in
        serve) cmd_serve "$@" ;;
        test) cmd_test "$@" ;;
        test-odoo) cmd_test_odoo "$@" ;;
        -h | --help | help) usage ;;
        *)
            usage >&2
            exit 2
            ;;
    esac
}

main "$@"
