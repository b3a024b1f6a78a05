"""``python -m safeguarding.bench``: see the package's docstring (and ``--help``)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import secrets
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
import urllib3

from .load import Request, Session, Timings, run_concurrent, run_single

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (the demo borough's published password)


def parse(argv=None):
    p = argparse.ArgumentParser(
        prog="python -m safeguarding.bench", description=__doc__, allow_abbrev=False
    )
    p.add_argument("--scale", type=float, default=100, help="borough scale (default 100)")
    p.add_argument(
        "--concerns-per-young-person", type=float, default=10, help="default 10 (0: as seeded)"
    )
    p.add_argument("--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL")
    p.add_argument("--database", help="database name (default: from the scale)")
    p.add_argument("--reseed", action="store_true", help="drop the database and seed it again")
    p.add_argument("--users", type=int, default=10, help="concurrent users (default 10)")
    p.add_argument("--requests", type=int, default=10, help="requests per user per page")
    p.add_argument("--single", type=int, default=5, help="one user's requests per page")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--timeout", type=float, default=120, help="seconds a request may take")
    p.add_argument("--page-seconds", type=float, default=180, help="seconds a page may take")
    p.add_argument("--pages", help="only pages whose name contains one of these (comma-separated)")
    p.add_argument("--skip-query-counts", action="store_true")
    p.add_argument("--output", help="also write the results as JSON to this file")
    p.add_argument("--label", default="", help="a label for this run (e.g. before/after)")
    return p.parse_args(argv)


def _label(number: float) -> str:
    return f"{number:g}".replace(".", "_")


def database_name(args) -> str:
    if args.database:
        return args.database
    return f"safeguarding_bench_s{_label(args.scale)}_c{_label(args.concerns_per_young_person)}"


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def manage(*arguments: str, env: dict) -> None:
    subprocess.run([PYTHON, "manage.py", *arguments], cwd=BASE_DIR, env=env, check=True)  # noqa: S603


def prepare_database(args, name: str) -> dict:
    """Create, migrate and seed the database if needed; refresh the planner's statistics."""
    admin = psycopg2.connect(f"{args.server}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        if args.reseed:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            log(f"Creating database {name}")
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    url = f"{args.server}/{name}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SAFEGUARDING_MODE": "development",
        "CELERY_BROKER_URL": "",
        "DEBUG": "false",
        "FIELD_ENCRYPTION_KEYS": BENCH_ENCRYPTION_KEYS,
    }
    manage("migrate", "--noinput", "-v", "0", env=env)
    info = {"database": name, "seeded_seconds": None}
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM accounts_organisation WHERE name = 'London Borough of Eastbrook'"
        )
        seeded = cursor.fetchone() is not None
    if not seeded:
        command = ["seed_borough", "--scale", f"{args.scale:g}"]
        if args.concerns_per_young_person:
            command += ["--concerns-per-young-person", f"{args.concerns_per_young_person:g}"]
        log(f"Seeding: manage.py {' '.join(command)}")
        started = time.monotonic()
        manage(*command, env=env)
        info["seeded_seconds"] = round(time.monotonic() - started, 1)
        log(f"Seeded in {info['seeded_seconds']} s")
    log("ANALYZE")
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cursor:
        # As autovacuum would have by the time anyone uses the borough (it may be off on a
        # development server): statistics for the planner and the visibility map for
        # index-only scans.
        cursor.execute("VACUUM ANALYZE")
        counts = {}
        for label, table in (
            ("young people", "cases_youngperson"),
            ("concerns", "cases_concern"),
            ("places", "contexts_context"),
            ("peer groups", "peers_peergroup"),
            ("referrals", "cases_referral"),
            ("cases", "cases_case"),
            ("users", "accounts_user"),
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (our table names)
            counts[label] = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        info["postgresql"] = cursor.fetchone()[0]
    conn.close()
    info["counts"] = counts
    info["url"] = url
    return info


def end_leftover_queries(server: str, name: str) -> None:
    """End queries still running for requests whose workers were killed (a server without a
    statement timeout keeps running them): the next run must start on an idle database."""
    admin = psycopg2.connect(f"{server}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
    admin.close()


def forget_what_was_written(url: str) -> None:
    """Delete the concerns and referrals the run wrote (by their benchmark wording), so that
    the next run on the same database asks for the same records: the busiest young person
    would otherwise become the one the benchmark writes about."""
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cursor:
        for table, column, pattern in (
            ("cases_concern", "narrative", "%(benchmark %"),
            ("cases_referral", "narrative", "%(benchmark)%"),
        ):
            children = (
                ["cases_concernaudience", "cases_concernsubject", "cases_concern_harm_categories"]
                if table == "cases_concern"
                else ["cases_referralsubject", "cases_referral_harm_categories"]
            )
            key = "concern_id" if table == "cases_concern" else "referral_id"
            written = f"SELECT id FROM {table} WHERE {column} LIKE %s"  # noqa: S608 (ours)
            for child in children:
                cursor.execute(f"DELETE FROM {child} WHERE {key} IN ({written})", [pattern])  # noqa: S608
            cursor.execute(f"DELETE FROM {table} WHERE {column} LIKE %s", [pattern])  # noqa: S608
    conn.close()


#: The benchmark database's field encryption key (base64 of "benchmark-only-not-a-secret-!!!!"):
#: published, for a throwaway database of fictional data only; FIELD_ENCRYPTION_KEYS overrides.
BENCH_ENCRYPTION_KEYS = os.environ.get(
    "FIELD_ENCRYPTION_KEYS", "YmVuY2htYXJrLW9ubHktbm90LWEtc2VjcmV0LSEhISE="
)


def production_env(args, url: str) -> dict:
    return {
        **os.environ,
        "SAFEGUARDING_MODE": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        # Production refuses the development key; the seed and the server share this one.
        "FIELD_ENCRYPTION_KEYS": BENCH_ENCRYPTION_KEYS,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": url,
        # Queued tasks wait in a database of Redis of their own: no worker runs in the benchmark.
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/15"),
        "REDIS_URL": os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/15"),
        "SITE_URL": f"http://127.0.0.1:{args.port}",
        "EMAIL_URL": "smtp://127.0.0.1:1",
        "DEFAULT_FROM_EMAIL": "bench@safeguarding.invalid",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        # The benchmark's users share a token: the per-token rate limit would turn load into 429s.
        "API_THROTTLE_RATE": "1000000/min",
        "WEB_WORKERS": str(args.workers),
        "WEB_BIND": f"127.0.0.1:{args.port}",
        "WEB_ACCESS_LOG": "",
    }


def start_server(args, env: dict) -> subprocess.Popen:
    manage("collectstatic", "--noinput", "-v", "0", env=env)
    server = subprocess.Popen(  # noqa: S603 (our own command line)
        [PYTHON, "-m", "gunicorn", "-c", "python:safeguarding.gunicorn", "safeguarding.wsgi"],
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
    )
    http = urllib3.PoolManager(retries=False, timeout=2)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if http.request("GET", f"http://127.0.0.1:{args.port}/healthz").status == 200:
                return server
        except urllib3.exceptions.HTTPError:
            pass
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited before serving")
        time.sleep(0.5)
    stop_server(server)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def settle(base: str, timeout: float) -> None:
    """Wait until the server is idle (``/healthz`` answers at once), so that a page is not
    measured behind requests a slow page before it left running after its users gave up."""
    http = urllib3.PoolManager(retries=False, timeout=timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = time.perf_counter()
        with contextlib.suppress(urllib3.exceptions.HTTPError):
            http.request("GET", f"{base}/healthz")
        if time.perf_counter() - started < 0.2:
            return
        time.sleep(1)


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.0f} GB"
    except OSError:
        memory = "?"
    return f"{os.cpu_count()} cores ({cpu}), {memory}, Python {platform.python_version()}"


def commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return head + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _s(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def report(meta: dict, floor: Timings, rows: list[dict]) -> str:
    lines = [
        f"### {meta['label'] or 'Run'}: scale {meta['scale']:g}, {meta['date']}",
        "",
        f"- Commit: {meta['commit']}; machine: {meta['machine']}; PostgreSQL {meta['postgresql']}",
        "- Borough: " + ", ".join(f"{v:,} {k}" for k, v in meta["counts"].items()),
        f"- Load: {meta['users']} concurrent users, {meta['requests']} requests each per page, "
        f"gunicorn {meta['workers']} sync workers (production mode); "
        f"floor `/healthz` p95 {_s(floor.p95)} s (p50 {_s(floor.p50)} s)",
        "",
        "| page | target | one user p50 (s) | p50 (s) | p95 (s) | max (s) | p95 ÷ floor | "
        "errors | queries | size (kB) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = row["ratio"]
        target = row["target"]
        verdict = ""
        if target and ratio is not None:
            verdict = " ✓" if ratio <= target else " ✗"
        lines.append(
            f"| {row['page']} | {f'≤ {target}x' if target else '-'} | {_s(row['single_p50'])} | "
            f"{_s(row['p50'])} | {_s(row['p95'])} | {_s(row['max'])} | "
            f"{'-' if ratio is None else f'{ratio:,.1f}x'}{verdict} | {row['errors']} | "
            f"{row['queries'] if row['queries'] is not None else '-'} | "
            f"{row['size'] / 1024:,.1f} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse(argv)
    name = database_name(args)
    info = prepare_database(args, name)

    # Django in this process, on the benchmark's database: choose records, issue a token and
    # count each page's queries. (Development mode: nothing is sent anywhere.)
    os.environ.update(
        DATABASE_URL=info["url"],
        SAFEGUARDING_MODE="development",
        CELERY_BROKER_URL="",
        DJANGO_SETTINGS_MODULE="safeguarding.settings",
        DEBUG="false",
    )
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host name; email kept in memory

    from . import pages as bench_pages

    targets = bench_pages.find_targets()
    token = bench_pages.issue_api_token()
    pages = bench_pages.build_pages(targets, token)
    if args.pages:
        wanted = [w.strip().lower() for w in args.pages.split(",")]
        pages = [p for p in pages if any(w in p.name.lower() for w in wanted)]
    recovery_codes = bench_pages.issue_recovery_codes(
        {p.user for p in pages if p.user != bench_pages.API_USER}, per_user=args.users
    )
    if not args.skip_query_counts:
        log("Counting queries in-process")
        bench_pages.count_queries(pages, statement_timeout_seconds=int(args.timeout))
    from django.db import connection

    connection.close()

    base = f"http://127.0.0.1:{args.port}"
    server = start_server(args, production_env(args, info["url"]))
    try:
        log("Signing in")
        sessions: dict[str, list[Session]] = {}
        for page in pages:
            if page.user in sessions:
                continue
            group = []
            for _ in range(args.users):
                session = Session(base, args.timeout)
                if page.user != bench_pages.API_USER:
                    session.sign_in(
                        page.user, DEMO_PASSWORD, recovery_code=recovery_codes[page.user].pop()
                    )
                group.append(session)
            sessions[page.user] = group
        log("Floor: /healthz")
        anonymous = [Session(base, args.timeout) for _ in range(args.users)]
        healthz = lambda n: Request("GET", "/healthz")  # noqa: E731
        run_single(anonymous[0], healthz, args.single)
        floor = run_concurrent(anonymous, healthz, args.requests * 5, args.page_seconds)
        log(f"  p50 {_s(floor.p50)} s, p95 {_s(floor.p95)} s ({len(floor.seconds)} requests)")
        rows = []
        for page in pages:
            settle(base, args.timeout)
            log(f"{page.name} ({page.user})")
            group = sessions[page.user]
            single = run_single(group[0], page.build, args.single)
            load = run_concurrent(group, page.build, args.requests, args.page_seconds)
            ratio = load.p95 / floor.p95 if load.p95 is not None and floor.p95 else None
            rows.append(
                {
                    "page": page.name,
                    "group": page.group,
                    "user": page.user,
                    "target": bench_pages.TARGETS.get(page.group),
                    "single_p50": single.p50,
                    "single_max": single.max,
                    "requests": len(load.seconds),
                    "p50": load.p50,
                    "p95": load.p95,
                    "max": load.max,
                    "ratio": ratio,
                    "errors": len(load.errors) + len(single.errors),
                    "error_kinds": sorted(set(load.errors + single.errors)),
                    "queries": page.queries,
                    "size": max(load.size, single.size),
                }
            )
            log(
                f"  one user {_s(single.p50)} s; p50 {_s(load.p50)} s, p95 {_s(load.p95)} s"
                f" ({'-' if ratio is None else f'{ratio:.1f}'}x), errors {rows[-1]['errors']}"
                f" {rows[-1]['error_kinds'] or ''}"
            )
    finally:
        stop_server(server)
        end_leftover_queries(args.server, name)
        forget_what_was_written(info["url"])

    meta = {
        "label": args.label,
        "scale": args.scale,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit(),
        "machine": machine(),
        "postgresql": info["postgresql"],
        "counts": info["counts"],
        "seeded_seconds": info["seeded_seconds"],
        "users": args.users,
        "requests": args.requests,
        "workers": args.workers,
        "floor": {"p50": floor.p50, "p95": floor.p95, "max": floor.max},
    }
    text = report(meta, floor, rows)
    print()
    print(text)
    if args.output:
        Path(args.output).write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
        print(f"\nWritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
