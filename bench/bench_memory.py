"""PSS/RSS of the single-container (Option 1) process tree: idle, and in a full sync with Odoo reads running.

Starts private Redis + PostgreSQL (harness provider, auto), the fake (`python -m fake_logikal --size medium`)
and `python -m middleware start`; samples `psutil.memory_full_info()` over the whole tree. The full sync is
one scheduler tick sent by hand (SYNC_INTERVAL_SECONDS is an hour, so beat stays quiet): every object type
is due, so the tick enqueues the whole chain directory → … → sqlite_parser. Target: peak PSS ≤ 300 MB.
Usage: python bench/bench_memory.py [--size medium] [--pool prefork] [--concurrency 1]
                                    [--max-tasks-per-child 50]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx
import psutil
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from harness.runtime.polling import wait_for
from harness.runtime.services.select import select_provider
from middleware.config import load_settings
from middleware.db.models import ObjectSyncConfig
from middleware.db.session import make_engine, make_session_factory, session_scope
from middleware.worker.celery_app import create_celery
from middleware.worker.names import TASK_SCHEDULER
from middleware.worker.presence import live_workers

REPO = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
TARGET_PSS_MB = 300
ROLES = ("start", "worker", "beat", "web", "migrate")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _role(process: psutil.Process, root_pid: int) -> str:
    if process.pid == root_pid:
        return "start"
    try:
        cmdline = process.cmdline()
        parent = process.parent()
    except psutil.Error:
        return "gone"
    for role in ROLES:
        if role in cmdline:
            return role
    if parent is not None:
        return _role(parent, root_pid) + "-child"
    return "other"


def sample(root_pid: int) -> dict[str, tuple[float, float, int]]:
    """PSS and RSS (MB) and the process count per role; "total" sums the whole tree."""
    root = psutil.Process(root_pid)
    figures: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for process in [root, *root.children(recursive=True)]:
        try:
            info = process.memory_full_info()
            role = _role(process, root_pid)
        except psutil.Error:
            continue
        for key in (role, "total"):
            figures[key][0] += info.pss / MB
            figures[key][1] += info.rss / MB
            figures[key][2] += 1
    return {k: (v[0], v[1], int(v[2])) for k, v in figures.items()}


def start_fake(size: str) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "fake_logikal", "--port", "0", "--size", size, "--seed", "1"]
    fake = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO)
    assert fake.stdout is not None
    line = fake.stdout.readline()
    match = re.search(r"ready on (http://[\d.]+:\d+)", line)
    if not match:
        fake.kill()
        raise SystemExit(f"fake did not start: {line!r}")
    print(f"fake: {line.strip()}")
    return fake, match[1]


class OdooReader(threading.Thread):
    """Odoo's reference client calls: projects, complete project, search, stats — in a loop."""

    def __init__(self, base_url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.client = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        self.stop = threading.Event()
        self.requests = 0
        self.errors = 0

    def _get(self, path: str) -> httpx.Response | None:
        try:
            response = self.client.get(path)
        except httpx.HTTPError:
            self.errors += 1
            return None
        self.requests += 1
        self.errors += response.status_code >= 400
        return response

    def run(self) -> None:
        rng = random.Random(1)
        while not self.stop.is_set():
            listing = self._get("/api/v1/odoo/projects")
            projects = listing.json().get("projects", []) if listing and listing.is_success else []
            for project in rng.sample(projects, min(3, len(projects))):
                self._get(f"/api/v1/odoo/projects/{project['id']}/complete")
            self._get("/api/v1/odoo/search?q=DOS")
            self._get("/api/v1/odoo/stats")
            self.stop.wait(0.2)


def odoo_token(base_url: str, admin_password: str) -> str:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        login = client.post("/api/v1/admin/login", json={"username": "admin", "password": admin_password})
        login.raise_for_status()
        admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
        body = {
            "client_id": "bench-odoo",
            "name": "bench",
            "permissions": ["projects:read", "elevations:read"],
        }
        created = client.post("/api/v1/admin/clients", json=body, headers=admin)
        created.raise_for_status()
        secret = created.json()["client_secret"]
        token = client.post(
            "/api/v1/client-auth/login", json={"client_id": "bench-odoo", "client_secret": secret}
        )
        token.raise_for_status()
        return str(token.json()["access_token"])


def report(title: str, samples: list[dict[str, tuple[float, float, int]]]) -> float:
    totals = [s["total"][0] for s in samples]
    peak = max(samples, key=lambda s: s["total"][0])
    print(f"\n{title}: {len(samples)} samples")
    print(f"  total PSS  median {statistics.median(totals):6.1f} MB   peak {max(totals):6.1f} MB")
    rss = [s["total"][1] for s in samples]
    print(f"  total RSS  median {statistics.median(rss):6.1f} MB   peak {max(rss):6.1f} MB")
    print("  at the PSS peak, per process role:   PSS MB    RSS MB  processes")
    for role, (pss, rss_mb, count) in sorted(peak.items()):
        print(f"    {role:<28} {pss:8.1f} {rss_mb:9.1f} {count:6d}")
    return max(totals)


def run(args: argparse.Namespace) -> int:
    admin_password = "bench-admin-pw-0123"  # noqa: S105 - a throwaway admin of a private, temporary stack
    with select_provider("auto").start() as provider:
        fake, fake_url = start_fake(args.size)
        port = _free_port()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "DATABASE_URL": provider.database_url,
            "REDIS_URL": provider.redis_url,
            "BACKGROUND_SYNC_ENABLED": "true",
            "SYNC_INTERVAL_SECONDS": "3600",
            "LOGIKAL_API_BASE_URL": f"{fake_url}/MbioeService.svc/api/v3/",
            "LOGIKAL_AUTH_USERNAME": "admin",
            "LOGIKAL_AUTH_PASSWORD": "admin",
            "SECRET_KEY": "bench-secret-key-0123456789",
            "JWT_SECRET_KEY": "bench-jwt-secret-key-0123456789",
            "ADMIN_USERNAME": "admin",
            "ADMIN_PASSWORD": admin_password,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WORKERS": "1",
            "LOG_LEVEL": "WARNING",
            "CELERY_WORKER_POOL": args.pool,
            "CELERY_WORKER_CONCURRENCY": str(args.concurrency),
            "CELERY_MAX_TASKS_PER_CHILD": str(args.max_tasks_per_child),
            "SYNC_TASK_SOFT_TIME_LIMIT": "3000",
            "SYNC_TASK_TIME_LIMIT": "3600",
        }
        log_path = Path(tempfile.mkstemp(prefix="bench-memory-", suffix=".log")[1])
        with log_path.open("wb") as log:
            middleware = subprocess.Popen(
                [sys.executable, "-m", "middleware", "start"], cwd=REPO, env=env, stdout=log, stderr=log
            )
        base_url = f"http://127.0.0.1:{port}"
        database_url = "postgresql+psycopg://" + provider.database_url.split("://", 1)[1]
        engine = make_engine(database_url)
        factory = make_session_factory(engine)
        try:
            wait_for(lambda: _health(base_url), timeout=90, description="health 200")
            wait_for(lambda: live_workers(provider.redis_url), timeout=60, description="worker heartbeat")
            print(
                f"\nOption 1 tree up: pool={args.pool} concurrency={args.concurrency} "
                f"max_tasks_per_child={args.max_tasks_per_child}; log {log_path}"
            )
            idle = []
            for _ in range(int(args.idle_seconds / args.interval)):
                idle.append(sample(middleware.pid))
                time.sleep(args.interval)
            idle_peak = report("Idle", idle)

            reader = OdooReader(base_url, odoo_token(base_url, admin_password))
            settings = load_settings(REDIS_URL=provider.redis_url)
            celery = create_celery(settings)
            started = time.monotonic()
            celery.send_task(TASK_SCHEDULER)
            reader.start()
            busy = []
            while not _all_finished(factory):
                busy.append(sample(middleware.pid))
                if time.monotonic() - started > args.timeout:
                    print("full sync did not finish in time", file=sys.stderr)
                    break
                time.sleep(args.interval)
            duration = time.monotonic() - started
            reader.stop.set()
            reader.join(timeout=30)
            sync_peak = report("Full sync + Odoo reads", busy)
            reads = f"{reader.requests} requests, {reader.errors} errors"
            print(f"  sync took {duration:.1f} s; Odoo reads: {reads}")
            for object_type, (status, has_sync) in sorted(_state(factory).items()):
                print(
                    f"    {object_type:<14} last_status={status} last_sync={'set' if has_sync else 'unset'}"
                )
            verdict = "PASS" if max(idle_peak, sync_peak) <= TARGET_PSS_MB else "FAIL"
            print(f"\nPeak PSS {max(idle_peak, sync_peak):.1f} MB vs target {TARGET_PSS_MB} MB: {verdict}")
            return 0 if verdict == "PASS" else 1
        finally:
            engine.dispose()
            middleware.send_signal(signal.SIGTERM)
            try:
                middleware.wait(timeout=60)
            except subprocess.TimeoutExpired:
                middleware.kill()
            fake.terminate()
            fake.wait(timeout=30)


def _health(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/api/v1/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _state(factory: sessionmaker[Session]) -> dict[str, tuple[str | None, bool]]:
    with session_scope(factory) as session:
        return {
            c.object_type: (c.last_status, c.last_sync is not None)
            for c in session.scalars(select(ObjectSyncConfig))
        }


def _all_finished(factory: sessionmaker[Session]) -> bool:
    return all(status for status, _ in _state(factory).values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", default="medium")
    parser.add_argument("--pool", default="prefork")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--max-tasks-per-child", type=int, default=50)
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--timeout", type=float, default=1800.0)
    return run(parser.parse_args())


if __name__ == "__main__":
    raise SystemExit(main())
