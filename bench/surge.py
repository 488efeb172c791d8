# ruff: noqa: S603, S607, E501  (a benchmark tool: runs our own programs)
"""Monday-morning surge (`make bench-surge`; bench/README.md): 300 reporters against 2 gunicorn workers.

locust (headless) drives the reporters for a bounded time against 127.0.0.1 only; afterwards every
report that got a 201 is looked up in the database: stored exactly once, submitted.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import CITY, DEFAULT_DB, ROOT, SMOKE, ensure_city, gunicorn, local_today, manage, queue_worker  # noqa: E402
from run import cpu_seconds as _cpu_seconds  # noqa: E402

LOCUST = str(ROOT / ".venv" / "bin" / "locust")


def plan_reporters(url: str, n: int, per_user: int) -> list[dict]:
    """One reporter per unit, from the units with the most lead tasks still open for this period."""
    today = local_today()
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """SELECT min(u.username), array_agg(DISTINCT t.id) FROM plans_task t
               JOIN accounts_user u ON u.unit_id = t.lead_unit_id
               JOIN accounts_rolegrant g ON g.user_id = u.id AND g.role = 'unit_reporter'
               JOIN plans_plan p ON p.id = t.plan_id AND p.status = 'active'
               WHERE NOT t.is_deleted AND t.verified_on IS NULL AND t.deadline >= %s
                 AND NOT EXISTS (SELECT 1 FROM reports_progressreport r WHERE r.task_id = t.id
                                 AND r.unit_id = t.lead_unit_id AND r.period_end >= %s - 7)
               GROUP BY t.lead_unit_id ORDER BY count(*) DESC, t.lead_unit_id LIMIT %s""",
            [today, today, n],
        ).fetchall()
    return [{"username": name, "tasks": sorted(ids)[:per_user]} for name, ids in rows]


ISSUE_TOKENS = """
import json, sys
from accounts.models import User
from accounts.services import token_issue
names = json.loads(sys.stdin.read())
print(json.dumps({u.username: token_issue(user=u, ip="127.0.0.1") for u in User.objects.filter(username__in=names)}))
"""


def issue_tokens(url: str, reporters: list[dict]) -> None:
    """Tokens issued ahead through the product's own service (accounts.services.token_issue, audited),
    as if each reporter had logged in earlier that morning: the window then measures submissions
    alone. Tokens last 12 hours, so on a real Monday logins are spread over the morning."""
    result = manage(url, "shell", "-c", ISSUE_TOKENS, stdin=json.dumps([r["username"] for r in reporters]))
    tokens = json.loads(result.stdout.strip().splitlines()[-1])
    for reporter in reporters:
        reporter["token"] = tokens[reporter["username"]]


def _pids(name: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


class CpuSampler(threading.Thread):
    """Cumulative CPU seconds of the app workers, PostgreSQL and the load generator, twice a second,
    so the CPU spent inside the submission window can be divided by the submissions in it."""

    def __init__(self, master: int, queue: int) -> None:
        super().__init__(daemon=True)
        self.master, self.queue, self.locust, self.samples, self.done = master, queue, 0, [], threading.Event()

    def groups(self) -> dict[str, float]:
        workers = [int(p) for p in subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.master)],
                                                  capture_output=True, text=True).stdout.split()]  # fmt: skip
        return {
            "app": sum(_cpu_seconds(p) for p in [self.master, *workers]),
            "queue": _cpu_seconds(self.queue),  # the status catch-up after submissions
            "postgres": sum(_cpu_seconds(p) for p in _pids("postgres")),
            "locust": _cpu_seconds(self.locust) if self.locust else 0.0,
        }

    def run(self) -> None:
        while not self.done.is_set():
            self.samples.append((time.time(), self.groups()))
            time.sleep(0.5)

    def between(self, start: float, end: float) -> dict[str, float]:
        """CPU seconds per group spent between two moments (nearest samples inside the window)."""
        inside = [(t, g) for t, g in self.samples if start <= t <= end]
        if len(inside) < 2:
            return {}
        (t0, first), (t1, last) = inside[0], inside[-1]
        return {name: last[name] - first[name] for name in first} | {"seconds": t1 - t0}


def catch_up_drain(url: str, limit_s: float = 60) -> tuple[float, int]:
    """Wait until the queue worker has caught up every task a submission marked `refresh_due`."""
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            left = conn.execute("SELECT count(*) FROM reports_statusgeneration WHERE refresh_due").fetchone()[0]
            waited = time.perf_counter() - started
            if left == 0 or waited > limit_s:
                return round(waited, 1), left
            time.sleep(0.2)


def verify(url: str, log_path: Path) -> dict:
    lines = [line.split() for line in log_path.read_text().splitlines() if line.strip()]
    ids = [int(line[1]) for line in lines]
    with psycopg.connect(url) as conn:
        stored = dict(conn.execute("SELECT id, state FROM reports_progressreport WHERE id = ANY(%s)", [ids]).fetchall())
        dupes = conn.execute(
            """SELECT count(*) FROM (SELECT task_id, unit_id, period_end FROM reports_progressreport
               WHERE id = ANY(%s) GROUP BY 1, 2, 3 HAVING count(*) > 1) d""",
            [ids],
        ).fetchone()[0]
        audited = conn.execute(
            "SELECT count(DISTINCT object_id) FROM audit_auditevent WHERE verb = 'report.submit' AND object_id = ANY(%s)",
            [[str(i) for i in ids]],
        ).fetchone()[0]
    missing = [i for i in ids if i not in stored]
    not_submitted = [i for i, s in stored.items() if s != "submitted"]
    times = sorted(float(line[0]) for line in lines)
    return {
        "first": times[0] if times else 0.0,
        "last": times[-1] if times else 0.0,
        "acknowledged": len(ids),
        "distinct": len(set(ids)),
        "lost": len(missing),
        "duplicates": dupes + (len(ids) - len(set(ids))),
        "not_submitted": len(not_submitted),
        "audited": audited,
        "window_s": round(times[-1] - times[0], 1) if len(times) > 1 else 0,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=100, help="locust run time, logins included (≤ 120)")
    parser.add_argument("--spawn-rate", type=float, default=30)
    parser.add_argument("--port", type=int, default=18422)
    parser.add_argument("--smoke", action="store_true", help="tiny city, 10 reporters, 15 s (CI)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (sizing: run with 1, 2, 4)")
    parser.add_argument(
        "--logged-in", action="store_true",
        help="issue the reporters' tokens before the run (no 300 simultaneous logins in the window)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.smoke:
        args.users, args.seconds = 10, 15
    args.seconds = min(args.seconds, 120)
    ensure_city(args.database_url, SMOKE if args.smoke else CITY, fresh=args.smoke)
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    reporters = plan_reporters(args.database_url, args.users, 200)
    if len(reporters) < args.users:
        print(f"only {len(reporters)} reporters have open tasks; reseed the city (seed_scale) for a full surge")
    if args.logged_in:
        issue_tokens(args.database_url, reporters)
    plan_path, log_path = out / "surge-plan.json", out / "surge-successes.log"
    plan_path.write_text(json.dumps({"reporters": reporters, "login_timeout": args.seconds * 0.6}))
    log_path.write_text("")
    env = dict(os.environ, LUOSHI_SURGE_PLAN=str(plan_path), LUOSHI_SURGE_LOG=str(log_path))
    with (
        gunicorn(args.database_url, args.port, workers=args.workers) as server,
        queue_worker(args.database_url) as queue,
    ):
        sampler = CpuSampler(server.pid, queue.pid)
        started = time.perf_counter()
        locust = subprocess.Popen(
            [LOCUST, "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "-u", str(len(reporters)),
             "-r", str(args.spawn_rate), "-t", f"{args.seconds}s", "--host", f"http://127.0.0.1:{args.port}",
             "--csv", str(out / "surge"), "--only-summary", "--stop-timeout", "10"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        sampler.locust = locust.pid
        sampler.start()
        stdout, stderr = locust.communicate()
        sampler.done.set()
        sampler.join()
        wall = time.perf_counter() - started
        drain_s, marks_left = catch_up_drain(args.database_url)
    stats = {row["Name"]: row for row in csv.DictReader(open(out / "surge_stats.csv"))}  # noqa: SIM115
    checked = verify(args.database_url, log_path)
    submit = stats.get("submit", {})
    login = stats.get("login", {})
    throughput = checked["acknowledged"] / checked["window_s"] if checked["window_s"] else 0
    # CPU per cycle (inbox + submit) inside the submission window: what bounds throughput on 2 cores.
    spent = sampler.between(checked["first"], checked["last"])
    per_cycle = {}
    if spent and checked["acknowledged"] > 1:
        cycles = checked["acknowledged"] * spent["seconds"] / max(checked["window_s"], 1e-9)
        per_cycle = {name: round(spent[name] * 1000 / cycles, 1) for name in ("app", "queue", "postgres", "locust")}
        per_cycle["total"] = round(sum(per_cycle.values()), 1)
        per_cycle["cores_busy"] = round(
            sum(spent[n] for n in ("app", "queue", "postgres", "locust")) / spent["seconds"], 2
        )
    summary = {
        "reporters": len(reporters),
        "run_s": round(wall, 1),
        "logins": int(login.get("Request Count", 0)),
        "tokens_issued_ahead": args.logged_in,
        "login_median_ms": login.get("50%"),
        "login_p99_ms": login.get("99%"),
        "submissions_ok": checked["acknowledged"],
        "submit_window_s": checked["window_s"],
        "submissions_per_s": round(throughput, 1),
        "submit_p50_ms": submit.get("50%"),
        "submit_p99_ms": submit.get("99%"),
        "inbox_p50_ms": stats.get("inbox", {}).get("50%"),
        "inbox_p99_ms": stats.get("inbox", {}).get("99%"),
        "errors": sum(int(r["Failure Count"]) for r in stats.values() if r["Name"] != "Aggregated"),
        "lost": checked["lost"],
        "duplicates": checked["duplicates"],
        "not_submitted": checked["not_submitted"],
        "audited": checked["audited"],
        "cpu_ms_per_cycle": per_cycle,
        # Tasks still waiting for the queue's status catch-up after the load stopped, and how long the
        # worker took to clear them (reports.snapshots): 0 left means every submitted task's status is stored.
        "catch_up_drain_s": drain_s,
        "catch_up_left": marks_left,
    }
    (out / "surge.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    if locust.returncode not in (0, 1):
        print(stdout[-3000:], stderr[-3000:])
    # The queue worker must have stored every submitted task's status for today (the catch-up).
    ok = summary["lost"] == 0 and summary["duplicates"] == 0 and summary["submissions_ok"] > 0 and marks_left == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
