# ruff: noqa: S603, S607, E501  (a benchmark tool: runs our own programs; SQL and tables on long lines)
"""City-scale benchmark of the hot paths against the raw-SQL floor (`make bench`; see bench/README.md).

Starts Luoshi under gunicorn (2 workers, production settings) on PostgreSQL, seeds the city if the
database does not hold it, then measures over one keep-alive HTTP connection with an API token:
median and p90 of N calls after 2 warm-ups, and for list, detail and the cockpits the same
answer from hand-written SQL on the same database in the same run (ratio = Luoshi / SQL).
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/luoshi_bench"
PASSWORD = "Luoshi@2026"  # noqa: S105  (scale.generator.SCALE_PASSWORD: generated accounts only)
CITY = {"tasks": 20000, "reports": 200000, "units": 1000, "users": 5000}
SMOKE = {"tasks": 400, "reports": 4000, "units": 70, "users": 300}


def server_env(url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY=env.get("SECRET_KEY", "bench-only-not-secret"),
        # The key manage() (dev settings) generated, so the seeded chain and the server's agree.
        AUDIT_KEYRING_FILE=env.get("AUDIT_KEYRING_FILE", str(ROOT / "var" / "audit-keyring")),
        SECURE_COOKIES="0",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on 127.0.0.1: no proxy terminates TLS here
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DB_CONN_MAX_AGE="600",
    )
    return env


def manage(url: str, *args: str, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = server_env(url)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    if "AUDIT_KEYRING_FILE" not in os.environ:
        env.pop("AUDIT_KEYRING_FILE")  # the dev settings generate var/audit-keyring, which the server reads
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=check, text=True, capture_output=True, input=stdin
    )


def local_today() -> date:
    """The application's today (Asia/Shanghai, as seed_scale and the sweep count days): between 16:00
    and 24:00 UTC the machine's date is a day behind, which made the bench reseed a seeded city."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def ensure_database(url: str, *, fresh: bool = False) -> None:
    """Create the benchmark database; `fresh` drops it first (the smoke runs' throwaway city, so every
    run starts from the same data instead of the reports an earlier run used up)."""
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def seeded_sizes(url: str) -> dict | None:
    with psycopg.connect(url) as conn:
        try:
            row = conn.execute(
                "SELECT params FROM scale_generatedcity WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1"
            ).fetchone()
        except psycopg.errors.UndefinedTable:
            return None
    return row[0] if row else None


def ensure_city(url: str, sizes: dict, *, fresh: bool = False, log=print) -> None:
    ensure_database(url, fresh=fresh)
    manage(url, "migrate", "--noinput", "-v0")
    params = seeded_sizes(url)
    if (
        params
        and all(params.get(k) == v for k, v in sizes.items())
        and params.get("today") == local_today().isoformat()
    ):
        log(f"city already seeded: {sizes}")
        return
    log(f"seeding {sizes} …")
    args = [f"--{k}={v}" for k, v in sizes.items()]
    result = manage(url, "seed_scale", *args)
    log(result.stdout.strip())


@contextmanager
def gunicorn(url: str, port: int, workers: int = 2):
    log_path = ROOT / "var" / "bench" / "gunicorn.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(  # noqa: S603
            [GUNICORN, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--keep-alive", "75", "--timeout", "120",
             "--access-logfile", "-", "config.wsgi"],
            cwd=ROOT, env=server_env(url), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            for _ in range(150):
                if proc.poll() is not None:
                    raise RuntimeError(f"gunicorn exited (port {port} taken?); see {log_path}")
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    conn.request("GET", "/healthz")
                    if conn.getresponse().status == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.2)
            else:
                raise RuntimeError(f"gunicorn did not start; see {log_path}")
            yield proc
        finally:
            proc.terminate()
            proc.wait(timeout=30)


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) a process has used, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


@contextmanager
def queue_worker(url: str):
    """The queue worker a city runs beside gunicorn (`manage.py db_worker`): status catch-up after
    submissions (reports.snapshots), fills, exports. Its CPU is part of what a submission costs."""
    log_path = ROOT / "var" / "bench" / "db_worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(  # noqa: S603
            [PYTHON, "manage.py", "db_worker", "--interval", "0.5"],
            cwd=ROOT, env=server_env(url), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            # Measure after its start-up (Django setup, ~1–2 s of CPU) is over: idle when its CPU time
            # stops growing.
            last, deadline = -1.0, time.time() + 30
            while time.time() < deadline:
                now = cpu_seconds(proc.pid)
                if now - last < 0.02:
                    break
                last = now
                time.sleep(0.5)
            yield proc
        finally:
            proc.terminate()
            proc.wait(timeout=60)


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


class Client:
    """One keep-alive HTTP/1.1 connection, bearer token."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.token = ""

    def call(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        if response.status >= 400:
            raise RuntimeError(f"{method} {path} → {response.status}: {data[:300]!r}")
        return response.status, data

    def login(self, username: str) -> None:
        body = json.dumps({"username": username, "password": PASSWORD}).encode()
        _status, data = self.call("POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"})
        self.token = json.loads(data)["token"]


def multipart(fields: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


def timed_pairs(app, floor, n: int, warm: int = 2) -> tuple[list[float], list[float]]:
    """Luoshi and its SQL floor called alternately, so both see the same machine (a shared 2-core VM
    drifts by tens of per cent within minutes; measuring one after the other skewed the ratio)."""
    for _ in range(warm):
        app()
        floor()
    app_times, floor_times = [], []
    for _ in range(n):
        for fn, times in ((app, app_times), (floor, floor_times)):
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
    return app_times, floor_times


def summary(times: list[float]) -> dict:
    if not times:
        raise SystemExit("nothing was measured (no open reports left to submit?): reseed the city with seed_scale")
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return {"median_ms": round(statistics.median(ordered), 2), "p90_ms": round(p90, 2), "n": len(ordered)}


# --- the hand-written SQL floor ----------------------------------------------------------------------

SQL_LIST_COUNT = """
SELECT count(*) FROM plans_task t
JOIN reports_statussnapshot s ON s.task_id = t.id AND s.day = %(day)s AND s.status = %(status)s
WHERE NOT t.is_deleted AND t.lead_unit_id = %(unit)s"""
SQL_LIST_PAGE = """
SELECT t.id, t.plan_id, t.code, n.title, t.object, t.target_value, t.target_unit, t.start_date, t.deadline,
       t.modality, t.source_quote, t.measures, rp.id, rp.title, u.id, u.name, t.baseline_target_value,
       t.baseline_deadline, t.version, s.status, s.light,
       (SELECT json_agg(json_build_object('id', cu.id, 'name', cu.name) ORDER BY cu.sort_key)
          FROM plans_task_co_units c JOIN org_unit cu ON cu.id = c.unit_id WHERE c.task_id = t.id),
       (SELECT json_agg(json_build_object('date', m.date, 'planned_value', m.planned_value,
                                          'description', m.description) ORDER BY m.date, m.id)
          FROM plans_milestone m WHERE m.task_id = t.id),
       (SELECT a.title FROM plans_plannode a WHERE a.kind = 'area' AND a.path IN
          (left(n.path, 4), left(n.path, 8), left(n.path, 12), left(n.path, 16), left(n.path, 20))
          AND a.path <> n.path ORDER BY length(a.path) DESC LIMIT 1)
FROM plans_task t
JOIN plans_plan p ON p.id = t.plan_id
JOIN plans_plannode n ON n.id = t.node_id
JOIN reports_statussnapshot s ON s.task_id = t.id AND s.day = %(day)s AND s.status = %(status)s
LEFT JOIN org_unit u ON u.id = t.lead_unit_id
LEFT JOIN org_leaderpost rp ON rp.id = t.responsible_post_id
WHERE NOT t.is_deleted AND t.lead_unit_id = %(unit)s
ORDER BY p.year, t.code LIMIT 50 OFFSET 50"""
SQL_DETAIL = [
    """SELECT t.*, n.title, n.path, u.name, rp.title,
       (SELECT json_agg(json_build_object('id', cu.id, 'name', cu.name)) FROM plans_task_co_units c
          JOIN org_unit cu ON cu.id = c.unit_id WHERE c.task_id = t.id),
       (SELECT json_agg(json_build_object('date', m.date, 'planned_value', m.planned_value,
                                          'description', m.description) ORDER BY m.date, m.id)
          FROM plans_milestone m WHERE m.task_id = t.id),
       (SELECT a.title FROM plans_plannode a WHERE a.kind = 'area' AND a.path IN
          (left(n.path, 4), left(n.path, 8), left(n.path, 12), left(n.path, 16), left(n.path, 20))
          AND a.path <> n.path ORDER BY length(a.path) DESC LIMIT 1)
    FROM plans_task t JOIN plans_plannode n ON n.id = t.node_id LEFT JOIN org_unit u ON u.id = t.lead_unit_id
    LEFT JOIN org_leaderpost rp ON rp.id = t.responsible_post_id WHERE t.id = %(task)s""",
    """SELECT s.*, (SELECT row_to_json(j) FROM (SELECT recorded_on, likelihood, reason FROM reports_judgement
          WHERE task_id = s.task_id AND recorded_on <= s.day ORDER BY recorded_on DESC, id DESC LIMIT 1) j)
    FROM reports_statussnapshot s WHERE s.task_id = %(task)s AND s.day = %(day)s""",
    """SELECT r.*, u.name, (SELECT json_agg(json_build_object('id', e.id, 'name', e.original_name,
          'content_type', e.content_type, 'size', e.size, 'sha256', e.sha256) ORDER BY e.uploaded_at, e.id)
          FROM reports_evidencefile e WHERE e.report_id = r.id)
    FROM reports_progressreport r JOIN org_unit u ON u.id = r.unit_id
    WHERE r.task_id = %(task)s AND r.state <> 'draft' ORDER BY r.period_end DESC, r.is_lead DESC, u.sort_key""",
    """SELECT id, at, actor_username, verb, before, after FROM audit_auditevent
    WHERE object_type = 'plans.task' AND object_id = %(task_str)s ORDER BY id DESC LIMIT 100""",
]
SQL_COCKPIT = """
SELECT u.name, g.* FROM (
  SELECT t.lead_unit_id, count(*) n, sum(t.weight) w, sum(t.weight::float8 * s.completion) wc, min(t.code) first,
    count(*) FILTER (WHERE s.status = 'not_started') st1, count(*) FILTER (WHERE s.status = 'on_track') st2,
    count(*) FILTER (WHERE s.status = 'lagging') st3, count(*) FILTER (WHERE s.status = 'overdue') st4,
    count(*) FILTER (WHERE s.status = 'done') st5, count(*) FILTER (WHERE s.status = 'missing') st6,
    count(*) FILTER (WHERE s.light = 'green') l1, count(*) FILTER (WHERE s.light = 'yellow') l2,
    count(*) FILTER (WHERE s.light = 'red') l3, count(*) FILTER (WHERE s.computed_light = 'green') c1,
    count(*) FILTER (WHERE s.computed_light = 'yellow') c2, count(*) FILTER (WHERE s.computed_light = 'red') c3,
    count(*) FILTER (WHERE s.late) late
  FROM plans_task t
  JOIN plans_plan p ON p.id = t.plan_id AND p.status IN ('active', 'closed')
  JOIN reports_statusinterval s ON s.task_id = t.id AND s.valid_from <= %(day)s AND s.valid_to > %(day)s
  WHERE NOT t.is_deleted
  GROUP BY t.lead_unit_id) g
LEFT JOIN org_unit u ON u.id = g.lead_unit_id"""


SQL_SUBMIT = [
    # The task with its plan and node (access check, reporting periods).
    """SELECT t.*, p.cadence, p.stagger_workdays, p.lag_yellow_percent, p.lag_red_percent, n.path, n.title
    FROM plans_task t JOIN plans_plan p ON p.id = t.plan_id JOIN plans_plannode n ON n.id = t.node_id
    WHERE t.id = %(task)s AND NOT t.is_deleted""",
    """INSERT INTO reports_progressreport (task_id, unit_id, is_lead, period_end, due_date, value, narrative, problems,
       next_steps, state, created_at, updated_at, first_submitted_at, submitted_at, returned_reason, stale_flags,
       version, created_by_id)
    SELECT t.id, t.lead_unit_id, true, %(day)s, %(day)s, 1, '本期按计划推进，完成阶段性工作。', '', '', 'submitted',
       now(), now(), now(), now(), '', '[]', 1, (SELECT id FROM accounts_user WHERE unit_id = t.lead_unit_id LIMIT 1)
    FROM plans_task t WHERE t.id = %(task)s RETURNING id""",
    # One audit event on the hash chain (the hash itself is computed in Python by Luoshi; here a digest).
    "SELECT last_hash, count FROM audit_auditchainhead WHERE id = 1 FOR UPDATE",
    """INSERT INTO audit_auditevent (at, actor_username, verb, object_type, object_id, object_repr, before, after, ip,
       key_id, prev_hash, hash) VALUES (now(), 'floor', 'report.submit', 'reports.progressreport', %(task_str)s, '',
       '{}', '{"state": "submitted"}', '127.0.0.1', 'floor', (SELECT last_hash FROM audit_auditchainhead WHERE id = 1),
       md5(random()::text))""",
    "UPDATE audit_auditchainhead SET count = count + 1 WHERE id = 1",
    # The task's stored status: invalidate, read the engine's inputs, store today's row.
    "UPDATE reports_statusgeneration SET generation = generation + 1 WHERE task_id = %(task)s",
    "DELETE FROM reports_statussnapshot WHERE task_id = %(task)s AND day >= %(day)s",
    "SELECT date, planned_value FROM plans_milestone WHERE task_id = %(task)s ORDER BY date",
    """SELECT period_end, value, first_submitted_at, approved_at, due_date FROM reports_progressreport
    WHERE task_id = %(task)s AND is_lead AND state IN ('submitted', 'approved')""",
    "SELECT recorded_on, likelihood, reason FROM reports_judgement WHERE task_id = %(task)s",
    """INSERT INTO reports_statussnapshot (task_id, day, status, light, computed_light, late, reasons, target,
       expected_value, actual, measured_on, expected_at_measurement, lag, lag_percent, completion, missing_periods,
       generation) VALUES (%(task)s, %(day)s, 'on_track', 'green', 'green', false, '', 1, 1, 1, %(day)s, 1, 0, 0, 1, 0, 1)
    ON CONFLICT (day, task_id) DO UPDATE SET status = excluded.status""",
    # The unit heads hear of it.
    """INSERT INTO notifications_notification (recipient_id, kind, title, body, url, object_type, object_id,
       dedupe_key, created_at)
    SELECT u.id, 'report.submitted', '报送待审核', '', '/reports/approvals/', 'reports.progressreport',
       %(task_str)s, '', now()
    FROM accounts_user u JOIN accounts_rolegrant g ON g.user_id = u.id AND g.role = 'unit_head'
    WHERE u.unit_id = (SELECT lead_unit_id FROM plans_task WHERE id = %(task)s) AND u.is_active""",
]


def sql_submit(conn, task_id: int, day: date) -> None:
    """The submission's reads and writes in one transaction, rolled back so the task stays open for
    Luoshi: the floor therefore lacks the commit's WAL flush, which Luoshi's figure includes."""
    params = {"task": task_id, "task_str": str(task_id), "day": day}
    with conn.transaction(force_rollback=True):
        for q in SQL_SUBMIT:
            conn.execute(q, params)


def sql_timer(conn, queries: list[str], params: dict):
    def run():
        for q in queries:
            conn.execute(q, params).fetchall()

    return run


# --- the measurements --------------------------------------------------------------------------------


def pick(conn, today: date) -> dict:
    """What to ask for: a busy lead unit and status (page 2 is full), a task with a long history, a reporter."""
    unit, status, count = conn.execute(
        """SELECT t.lead_unit_id, s.status, count(*) FROM plans_task t
           JOIN reports_statussnapshot s ON s.task_id = t.id AND s.day = %s
           WHERE NOT t.is_deleted GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 1""",
        [today],
    ).fetchone()
    task = conn.execute(
        """SELECT r.task_id FROM reports_progressreport r GROUP BY r.task_id ORDER BY count(*) DESC, r.task_id
           LIMIT 1"""
    ).fetchone()[0]
    office = conn.execute(
        """SELECT u.username FROM accounts_user u JOIN accounts_rolegrant g ON g.user_id = u.id
           WHERE g.role = 'office' ORDER BY u.id LIMIT 1"""
    ).fetchone()[0]
    return {"unit": unit, "status": status, "matching": count, "task": task, "office": office}


def open_tasks_by_reporter(conn, today: date, limit: int) -> list[tuple[str, list[int]]]:
    """Reporters with lead tasks that have no report yet for the period now open (most first)."""
    rows = conn.execute(
        """SELECT u.username, array_agg(t.id ORDER BY t.id) FROM plans_task t
           JOIN accounts_user u ON u.unit_id = t.lead_unit_id
           JOIN accounts_rolegrant g ON g.user_id = u.id AND g.role = 'unit_reporter'
           JOIN plans_plan p ON p.id = t.plan_id AND p.status = 'active'
           WHERE NOT t.is_deleted AND t.verified_on IS NULL AND t.deadline >= %s
             AND NOT EXISTS (SELECT 1 FROM reports_progressreport r WHERE r.task_id = t.id AND r.unit_id = t.lead_unit_id
                             AND r.period_end >= %s - 7)
           GROUP BY u.username ORDER BY count(*) DESC, u.username LIMIT %s""",
        [today, today, limit],
    ).fetchall()
    return [(name, ids) for name, ids in rows]


def measure(url: str, port: int, calls: int, export_calls: int, past: date, *, log=print) -> dict:
    today = local_today()
    results: dict = {}
    with psycopg.connect(url, autocommit=True) as conn:
        chosen = pick(conn, today)
        log(f"chosen: {chosen}")
        client = Client(port)
        client.login(chosen["office"])
        list_path = f"/api/v1/tasks?lead_unit={chosen['unit']}&status={chosen['status']}&page=2&page_size=50"
        detail_path = f"/api/v1/tasks/{chosen['task']}"
        params = {"day": today, "status": chosen["status"], "unit": chosen["unit"], "task": chosen["task"],
                  "task_str": str(chosen["task"])}  # fmt: skip

        def get(path):
            return lambda: client.call("GET", path)

        rows = [
            ("1 task list (50/page, page 2, status + lead unit)", get(list_path), [SQL_LIST_COUNT, SQL_LIST_PAGE], params),
            ("2 task detail with reports and history", get(detail_path), SQL_DETAIL, params),
            ("4 cockpit today (status × unit, all tasks)", get("/api/v1/rollups?by=unit"), [SQL_COCKPIT], params),
        ]  # fmt: skip
        past_path = f"/api/v1/rollups?by=unit&as_of={past.isoformat()}"
        started = time.perf_counter()
        client.call("GET", past_path)
        results["cockpit_past_first_call_ms"] = round((time.perf_counter() - started) * 1000, 1)
        rows.append(("5 cockpit as of " + past.isoformat(), get(past_path), [SQL_COCKPIT], {**params, "day": past}))
        for name, fn, queries, qparams in rows:
            app_times, sql_times = timed_pairs(fn, sql_timer(conn, queries, qparams), calls)
            app, sql = summary(app_times), summary(sql_times)
            results[name] = {"luoshi": app, "sql": sql, "ratio": round(app["median_ms"] / sql["median_ms"], 1)}
            log(f"{name}: {app} sql {sql}")

        # 3: submit a report (status recompute, audit, notifications) on a new task each call.
        candidates = open_tasks_by_reporter(conn, today, 5)
        reporter, task_ids = next(((n, ids) for n, ids in candidates if len(ids) >= calls + 2), candidates[0])
        submitter = Client(port)
        submitter.login(reporter)
        queue = list(task_ids)

        def submit():
            task_id = queue.pop(0)
            body, ctype = multipart({"value": "1", "narrative": "本期按计划推进，完成阶段性工作。", "submit": "true"})
            submitter.call("POST", f"/api/v1/tasks/{task_id}/reports", body, {"Content-Type": ctype})

        def submit_floor():
            sql_submit(conn, queue[0], today)

        n_submit = min(calls, len(queue) - 4)
        app_times, sql_times = timed_pairs(submit, submit_floor, n_submit)
        app, sql = summary(app_times), summary(sql_times)
        name = "3 submit a report (status, audit, notifications)"
        results[name] = {"luoshi": app, "sql": sql, "ratio": round(app["median_ms"] / sql["median_ms"], 1)}
        log(f"{name}: {app} sql {sql}")

        # 6: the whole ledger as .xlsx: time and the serving worker's peak memory.
        results["6 ledger export"] = export(client, export_calls, log=log)
    return results


SQL_COVERED = """
SELECT count(*) FROM plans_task t WHERE NOT t.is_deleted AND EXISTS (
  SELECT 1 FROM reports_statusinterval i WHERE i.task_id = t.id AND i.valid_from <= %(day)s AND i.valid_to > %(day)s)"""


def cold_days(url: str, port: int, past: date, n: int, *, log=print) -> dict:
    """The cockpit (`/api/v1/rollups?by=unit` and the page `/cockpit/`) as of past days asked for the
    first time (no cached rollup in any worker): days whose statuses are stored as intervals
    (`manage.py status_history`), and days nothing is stored for (computed on request). Each day is
    asked once, by the API or by the page, alternately, so every call is cold."""
    import requests

    base = f"http://127.0.0.1:{port}"
    with psycopg.connect(url, autocommit=True) as conn:
        live = conn.execute("SELECT count(*) FROM plans_task WHERE NOT is_deleted").fetchone()[0]
        office = pick(conn, local_today())["office"]
        covered, bare = [], []
        for back in range(1, 400):
            day = past - timedelta(days=back)
            if conn.execute("SELECT 1 FROM reports_statussnapshot WHERE day = %s LIMIT 1", [day]).fetchone():
                continue
            count = conn.execute(SQL_COVERED, {"day": day}).fetchone()[0]
            if count == live and len(covered) < 2 * n:
                covered.append(day)
            elif count == 0 and len(bare) < 2 * n and back % 5 == 0:
                bare.append(day)
            if len(covered) >= 2 * n and len(bare) >= 2 * n:
                break
    api = Client(port)
    api.login(office)
    page = requests.Session()
    form = page.get(f"{base}/accounts/login/", timeout=30)
    if "csrftoken" not in page.cookies:
        raise RuntimeError(f"login page {form.status_code}: no CSRF cookie; {form.headers} {form.text[:300]}")
    page.post(f"{base}/accounts/login/", timeout=120,
              data={"username": office, "password": PASSWORD, "csrfmiddlewaretoken": page.cookies["csrftoken"]})  # fmt: skip
    out: dict = {}
    for kind, days in (("history stored (intervals)", covered), ("nothing stored (computed)", bare)):
        times: dict[str, list[float]] = {"api": [], "page": []}
        for i, day in enumerate(days):
            started = time.perf_counter()
            if i % 2 == 0:
                api.call("GET", f"/api/v1/rollups?by=unit&as_of={day.isoformat()}")
                times["api"].append((time.perf_counter() - started) * 1000)
            else:
                r = page.get(f"{base}/cockpit/?as_of={day.isoformat()}", timeout=300)
                if r.status_code != 200:
                    raise RuntimeError(f"cockpit page {day} → {r.status_code}")
                times["page"].append((time.perf_counter() - started) * 1000)
        for what, values in times.items():
            if values:
                out[f"7 cold past day, {what}, {kind}"] = {
                    "luoshi": summary(values),
                    "days": [d.isoformat() for d in days],
                }
                log(f"cold {what} {kind}: {summary(values)}")
    return out


def export(client: Client, calls: int, *, log=print) -> dict:
    pids = worker_pids(GUNICORN_MASTER[0])
    peaks, times, sizes = [], [], []
    for i in range(calls + 1):
        before = {p: rss_kb(p) for p in pids}
        peak = dict(before)
        done = threading.Event()

        def sample(peak=peak, done=done):
            while not done.is_set():
                for p in pids:
                    peak[p] = max(peak[p], rss_kb(p))
                time.sleep(0.01)

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.perf_counter()
        _status, data = client.call("GET", "/api/v1/tasks/ledger.xlsx")
        elapsed = (time.perf_counter() - started) * 1000
        done.set()
        sampler.join()
        if i == 0:
            continue  # warm-up
        busy = max(pids, key=lambda p: peak[p] - before[p])
        times.append(elapsed)
        peaks.append((peak[busy] / 1024, (peak[busy] - before[busy]) / 1024))
        sizes.append(len(data))
    result = summary(times)
    result.update(
        peak_rss_mb=round(max(p[0] for p in peaks), 1),
        peak_increase_mb=round(max(p[1] for p in peaks), 1),
        file_kb=round(sizes[-1] / 1024),
    )
    log(f"export: {result}")
    return result


GUNICORN_MASTER = [0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--smoke", action="store_true", help="tiny city, few calls (CI)")
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--export-calls", type=int, default=None)
    parser.add_argument("--port", type=int, default=18421)
    parser.add_argument("--past", default=None, help="the past as-of date (default: 30 June this year)")
    parser.add_argument(
        "--cold", type=int, default=0, help="also time N cold past days per kind (history stored / not), API and page"
    )
    parser.add_argument("--cold-only", action="store_true", help="only the cold past days (with --cold)")
    parser.add_argument(
        "--scale", type=int, default=1, help="a city K times the default (2: 40 000 tasks), to measure growth"
    )
    parser.add_argument("--out", default=str(ROOT / "var" / "bench" / "results.json"))
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgres"):
        print("bench needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    sizes = SMOKE if args.smoke else {name: size * args.scale for name, size in CITY.items()}
    calls = 3 if args.smoke else args.calls
    export_calls = args.export_calls or (1 if args.smoke else calls)
    past = date.fromisoformat(args.past) if args.past else date(local_today().year, 6, 30)
    ensure_city(args.database_url, sizes, fresh=args.smoke)
    if args.cold and not (ROOT / "staticfiles" / "staticfiles.json").exists():
        # The cold days open the cockpit page, whose production storage needs the static manifest.
        subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT,
                       env=server_env(args.database_url), check=True)  # fmt: skip
    with gunicorn(args.database_url, args.port) as proc, queue_worker(args.database_url):
        GUNICORN_MASTER[0] = proc.pid
        results = {} if args.cold_only else measure(args.database_url, args.port, calls, export_calls, past)
        if args.cold:
            results |= cold_days(args.database_url, args.port, past, args.cold)
    results["sizes"] = sizes
    results["when"] = time.strftime("%Y-%m-%d %H:%M")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(table(results))
    return 0


def table(results: dict) -> str:
    lines = ["| measurement | Luoshi median | p90 | SQL median | ratio |", "|---|---|---|---|---|"]
    for name, value in results.items():
        if isinstance(value, dict) and "luoshi" in value:
            app, sql = value["luoshi"], value.get("sql")
            ratio = f"{value['ratio']}×" if "ratio" in value else "—"
            lines.append(
                f"| {name} | {app['median_ms']} ms | {app['p90_ms']} ms | "
                f"{sql['median_ms'] if sql else '—'}{' ms' if sql else ''} | {ratio} |"
            )
    e = results.get("6 ledger export")
    if e:
        lines.append(
            f"| 6 ledger export (.xlsx, all tasks, {e['file_kb']} KB) | {e['median_ms']} ms | {e['p90_ms']} ms | "
            f"peak RSS {e['peak_rss_mb']} MB (+{e['peak_increase_mb']} MB) | |"
        )
    if "cockpit_past_first_call_ms" in results:
        lines.append(
            f"\ncockpit as of the past date, first call (fills the day): {results['cockpit_past_first_call_ms']} ms"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
