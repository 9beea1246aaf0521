"""Throughput under gunicorn on loopback, and worker memory after 1,000 requests.

    .venv/bin/python bench/throughput.py [--workers 2] [--threads 4] [--requests 400]

Uses the database in DATABASE_URL (SQLite /tmp/vawg-bench-throughput.sqlite3 if unset) with the demo partnership
(`load_demo`, idempotent). Starts gunicorn (sync workers) on 127.0.0.1 with the test settings (DEBUG off), signs
the demo strategic lead in (a session with the second factor entered) and drives it with a small threaded HTTP
client (a fresh connection per request, as gunicorn's sync workers close each one). Prints, measured in one run:
- requests/s of the partnership home and the action plan against /health/ (a trivial view: one query and a
  storage check) with the same server and client; target: at least 1/20 of it, with zero errors;
- each worker's resident memory (RSS) after a warm-up and again after 1,000 more requests across the main
  pages; target: no growth beyond 20%.
The load generator runs on the same machine and takes CPU from the workers: the ratios are what counts.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vawg.settings_test")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/vawg-bench-throughput.sqlite3")
warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic needed here


def prepare() -> tuple[str, str]:
    """Migrate, load the demo, and return (session cookie value, demo slug) for a signed-in strategic lead."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from partnership import mfa
    from partnership.models import Membership, Partnership

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    demo = Partnership.objects.get(slug="tri-borough")
    lead = Membership.objects.filter(partnership=demo, role=Membership.Role.STRATEGIC_LEAD).first().user
    client = Client()
    client.force_login(lead)
    session = client.session
    session[mfa.SESSION_KEY] = mfa.VERIFIED
    session.save()
    from django.conf import settings

    return client.cookies[settings.SESSION_COOKIE_NAME].value, demo.slug


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "vawg.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--worker-class=sync",
        "--log-level=warning",
        "--max-requests=0",  # no recycling: the memory figure must see every request
        # Otherwise the project's gunicorn.conf.py applies, as in production; its access log (one line a request,
        # kept here too) goes nowhere so that the figures stay readable.
        "--access-logfile=/dev/null",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy())
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            status, _ = get(port, "/health/", "")
            if status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /health/ within 30 s")


def get(port: int, path: str, cookie: str) -> tuple[int, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Host": "127.0.0.1"}
        if cookie:
            headers["Cookie"] = cookie
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        connection.close()


def load(port: int, paths: list[str], cookie: str, total: int, threads: int) -> tuple[float, int, int]:
    """Send `total` GETs cycling through `paths` from `threads` threads: (requests/s, errors, bytes per response)."""
    counter = iter(range(total))
    lock = threading.Lock()
    errors, sizes = [0], []

    def worker():
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            try:
                status, size = get(port, paths[n % len(paths)], cookie)
            except OSError:
                status, size = 0, 0
            with lock:
                if status != 200:
                    errors[0] += 1
                sizes.append(size)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    start = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - start
    return total / elapsed, errors[0], sum(sizes) // max(len(sizes), 1)


def worker_rss(master: int) -> dict[int, int]:
    """Resident memory in KiB of each gunicorn worker (the master's children)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    rss = {}
    for pid in map(int, children):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss[pid] = int(line.split()[1])
    return rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="concurrent client connections")
    parser.add_argument("--requests", type=int, default=400, help="requests per throughput measurement")
    args = parser.parse_args()
    session, slug = prepare()
    from django.conf import settings
    from django.db import connection

    cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
    vendor = connection.vendor
    connection.close()
    port = free_port()
    server = start_server(port, args.workers)
    try:
        pages = {
            "/health/ (trivial view)": ["/health/"],
            "Partnership home": [f"/{slug}/"],
            "Action plan": [f"/{slug}/plan/"],
        }
        for paths in pages.values():  # warm every worker on every page (templates, imports, caches)
            load(port, paths, cookie, 20 * args.workers, args.threads)
        print(
            f"gunicorn {args.workers} sync workers on 127.0.0.1, {vendor} database, demo partnership, "
            f"{args.threads} client threads, {args.requests} requests each, {os.cpu_count()} CPUs"
        )
        print(f"{'page':<26}{'req/s':>9}{'errors':>8}{'bytes':>9}{'vs trivial':>12}  target >= 1/20")
        results = {}
        for label, paths in pages.items():
            results[label] = load(port, paths, cookie, args.requests, args.threads)
        trivial = results["/health/ (trivial view)"][0]
        ok = True
        for label, (rate, errors, size) in results.items():
            share = rate / trivial
            good = errors == 0 and share >= 1 / 20
            ok &= good
            print(
                f"{label:<26}{rate:>9.1f}{errors:>8}{size:>9}{share:>11.3f}x  1/{trivial / rate:.1f} "
                + ("ok" if good else "MISSED")
            )

        mixed = [
            f"/{slug}/",
            f"/{slug}/plan/",
            f"/{slug}/plan/summary/",
            f"/{slug}/figures/marac/",
            f"/{slug}/figures/referrals/",
            f"/{slug}/consultations/",
        ]
        load(port, mixed, cookie, 200, args.threads)
        before = worker_rss(server.pid)
        rate, errors, _ = load(port, mixed, cookie, 1000, args.threads)
        after = worker_rss(server.pid)
        print(
            f"\nWorker memory (RSS), after a 200-request warm-up and after 1,000 more ({rate:.1f} req/s, "
            f"{errors} errors) across {len(mixed)} pages; target: growth <= 20%"
        )
        for pid in sorted(before):
            growth = (after.get(pid, 0) - before[pid]) / before[pid]
            good = growth <= 0.20 and pid in after
            ok &= good and errors == 0
            print(
                f"  worker {pid}: {before[pid] / 1024:.1f} MiB -> {after.get(pid, 0) / 1024:.1f} MiB  "
                f"{growth:+.1%}  " + ("ok" if good else "MISSED")
            )
        print("All targets met." if ok else "Some targets missed.")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
