#!/usr/bin/env python
"""The city layout on one machine, on loopback, and a smoke of the main flows through it (`make loopback`).

    nginx :8108 ──► gunicorn app 1 :8109 ┐
                └─► gunicorn app 2 :8110 ┴─► PostgreSQL 127.0.0.1:5432 (primary; the replica alias points
                                              at the same database: routing, not replication)
                                          └─► S3 API :9108 (moto's server standing in for MinIO; bucket private)
    queue worker (manage.py db_worker) ──► the same database queue
    timers (run once here): sweep, backup

No containers: each part is a process started here and stopped at the end (by its own pid). The city is
the small seeded one of `bench/run.py --smoke` (PostgreSQL database luoshi_loopback, recreated). Exit 0
when every check passed. docs/deployment.md describes the layout for real machines.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import boto3
import psycopg
import requests
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from run import PASSWORD, PYTHON, SMOKE, ensure_city, open_tasks_by_reporter, server_env  # noqa: E402

BIN = Path(PYTHON).parent
S3_KEY, S3_SECRET, BUCKET = "loopback", "loopback-secret", "luoshi-loopback"
METRICS_TOKEN = "loopback-metrics-token"  # noqa: S105  (loopback only)

NGINX_CONF = """
worker_processes 1;
daemon off;
user root;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log {tmp}/nginx-access.log;
  client_body_temp_path {tmp}/nginx-body;
  proxy_temp_path {tmp}/nginx-proxy;
  fastcgi_temp_path {tmp}/nginx-fcgi;
  uwsgi_temp_path {tmp}/nginx-uwsgi;
  scgi_temp_path {tmp}/nginx-scgi;
  client_max_body_size 25m;           # UPLOAD_MAX_BYTES (20 MB) + form fields
  upstream luoshi {{
    server 127.0.0.1:{app1} max_fails=1 fail_timeout=5s;
    server 127.0.0.1:{app2} max_fails=1 fail_timeout=5s;
    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{proxy};
    location = /metrics {{ return 404; }}   # scraped on each app machine, never through the proxy
    location / {{
      proxy_pass http://luoshi;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_read_timeout 130s;          # above gunicorn's timeout
    }}
  }}
}}
"""


class Layout:
    def __init__(self, args, tmp: Path) -> None:
        self.args, self.tmp = args, tmp
        base = args.port_base
        self.proxy, self.app1, self.app2, self.s3 = base, base + 1, base + 2, args.s3_port
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self.env = server_env(args.database_url)
        (tmp / "var").mkdir()
        keyring = tmp / "audit-keyring"
        keyring.write_text("loopback-1 loopback-only-audit-key-0123456789abcdef\n")
        keyring.chmod(0o600)
        self.env.update(
            AUDIT_KEYRING_FILE=str(keyring),
            STORAGE_URL=f"s3+http://{S3_KEY}:{S3_SECRET}@127.0.0.1:{self.s3}/{BUCKET}",
            DATABASE_REPLICA_URL=args.database_url,
            METRICS_TOKEN=METRICS_TOKEN,
            LUOSHI_VAR_DIR=str(tmp / "var"),
            SITE_URL=f"http://127.0.0.1:{self.proxy}",
        )

    def manage(self, *args: str) -> str:
        result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True)  # noqa: S603
        if result.returncode != 0:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self, name: str, command: list[str], env: dict | None = None) -> None:
        log = open(self.tmp / f"{name}.log", "w")  # noqa: SIM115  (closed with the process)
        proc = subprocess.Popen(command, cwd=ROOT, env=env or self.env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        self.procs.append((name, proc))

    def stop(self) -> None:
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
        for _name, proc in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=20)
            if proc.poll() is None:
                proc.kill()

    def wait_http(self, port: int, path: str, name: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for pname, proc in self.procs:
                if proc.poll() is not None:
                    raise SystemExit(f"{pname} exited; see {self.tmp / (pname + '.log')}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"http://127.0.0.1:{port}{path}", timeout=2).status_code < 500:
                    return
            time.sleep(0.2)
        raise SystemExit(f"{name} did not answer on port {port}")

    def up(self) -> None:
        clock = time.monotonic()
        self.start("s3", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.s3)])
        self.wait_http(self.s3, "/", "the S3 server")
        print(self.manage("files_check", "--create-bucket").strip())
        if not (ROOT / "staticfiles" / "staticfiles.json").exists():  # compressing every asset takes a minute
            self.manage("collectstatic", "--noinput", "-v0")
        print(f"S3 server, bucket and static files in {time.monotonic() - clock:.0f} s")
        for name, port in (("app1", self.app1), ("app2", self.app2)):
            env = {**self.env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(self.args.workers)}
            env["PROMETHEUS_MULTIPROC_DIR"] = str(self.tmp / f"prom-{name}")
            self.start(name, [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "config.wsgi"], env)
        self.start("worker", [PYTHON, "manage.py", "db_worker", "--interval", "0.5"])
        conf = self.tmp / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=self.tmp, app1=self.app1, app2=self.app2, proxy=self.proxy))
        self.start("nginx", ["nginx", "-c", str(conf), "-p", str(self.tmp)])
        for port in (self.app1, self.app2, self.proxy):
            self.wait_http(port, "/healthz", f"port {port}")


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def metric(text: str, name: str, **labels) -> float:
    label_text = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    found = re.search("^" + re.escape(f"{name}{{{label_text}}}" if labels else name) + r" (\S+)$", text, re.M)
    return float(found.group(1)) if found else float("nan")


def smoke(layout: Layout) -> list[str]:
    base = f"http://127.0.0.1:{layout.proxy}"
    done, timings = [], {}

    def check(what: str, ok: bool) -> None:
        if not ok:
            raise SystemExit(f"FAILED: {what}")
        done.append(what)
        print(f"ok  {what}")

    with psycopg.connect(layout.args.database_url) as conn:
        reporter, task_ids = open_tasks_by_reporter(conn, date.today(), 1)[0]
        other = conn.execute(  # a reporter of another unit
            "SELECT u.username FROM accounts_user u JOIN accounts_rolegrant g ON g.user_id = u.id "
            "WHERE g.role = 'unit_reporter' AND u.unit_id <> (SELECT unit_id FROM accounts_user WHERE username = %s) "
            "ORDER BY u.id LIMIT 1",
            [reporter],
        ).fetchone()[0]
        office = conn.execute(
            "SELECT u.username FROM accounts_user u JOIN accounts_rolegrant g ON g.user_id = u.id "
            "WHERE g.role = 'office' ORDER BY u.id LIMIT 1"
        ).fetchone()[0]

    def token(username: str) -> dict:
        r = requests.post(f"{base}/api/v1/auth/token", json={"username": username, "password": PASSWORD}, timeout=30)
        check(f"API token for {username} through nginx", r.status_code == 200)
        return {"Authorization": f"Bearer {r.json()['token']}"}

    rep = token(reporter)
    data = png()
    start = time.perf_counter()
    r = requests.post(
        f"{base}/api/v1/tasks/{task_ids[0]}/reports",
        data={"value": "1", "narrative": "环回部署冒烟测试：本期进展", "submit": "true"},
        files={"evidence": ("现场.png", data, "image/png")},
        headers=rep,
        timeout=60,
    )
    timings["submit with evidence"] = time.perf_counter() - start
    check("report submitted with a photo through nginx (201)", r.status_code == 201)
    evidence = r.json()["evidence"][0]
    s3 = boto3.client(
        "s3", endpoint_url=f"http://127.0.0.1:{layout.s3}", aws_access_key_id=S3_KEY,
        aws_secret_access_key=S3_SECRET, region_name="us-east-1",
    )  # fmt: skip
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    check("the photo and its thumbnail are in the bucket", len([k for k in keys if k.startswith("evidence/")]) >= 2)
    anonymous = requests.get(f"http://127.0.0.1:{layout.s3}/{BUCKET}/{keys[0]}", timeout=10)
    check("the bucket refuses an anonymous read (403)", anonymous.status_code == 403)

    def session(username: str) -> requests.Session:
        s = requests.Session()
        s.get(f"{base}/accounts/login/", timeout=30)
        r = s.post(
            f"{base}/accounts/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": s.cookies["csrftoken"]},
            timeout=60,
        )
        check(f"{username} logs in on the web page", r.status_code == 200 and "sessionid" in s.cookies)
        return s

    start = time.perf_counter()
    r = session(reporter).get(f"{base}{evidence['url']}", timeout=30)
    timings["evidence download (after login)"] = time.perf_counter() - start
    check("the reporter downloads the photo through the access-checked view", r.content == data)
    r = session(other).get(f"{base}{evidence['url']}", timeout=30)
    check("a reporter of another unit gets 404 for it", r.status_code == 404)

    off = token(office)
    start = time.perf_counter()
    r = requests.get(f"{base}/api/v1/rollups?by=unit", headers=off, timeout=60)
    timings["rollups by unit"] = time.perf_counter() - start
    check("the office's rollups (replica read path) answer", r.status_code == 200 and len(r.json()) > 0)
    r = requests.get(f"{base}/cockpit/", headers=off, timeout=60)
    r = requests.get(f"{base}/api/v1/rollups?by=unit&as_of={date.today().year}-06-30", headers=off, timeout=60)
    check("the rollups as of a past date answer", r.status_code == 200)

    start = time.perf_counter()
    job = requests.post(f"{base}/api/v1/tasks/ledger-jobs", headers=off, timeout=60).json()
    deadline = time.monotonic() + 60
    while job["state"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.3)
        job = requests.get(f"{base}/api/v1/jobs/{job['id']}", headers=off, timeout=30).json()
    timings["background ledger export (queued → done)"] = time.perf_counter() - start
    check(f"the queue worker built the city's ledger export ({job['total']} rows)", job["state"] == "done")
    r = requests.get(f"{base}{job['file_url']}", headers=off, timeout=60)
    check("the office downloads it (.xlsx from the bucket)", r.status_code == 200 and r.content[:2] == b"PK")
    check("/metrics is not served through nginx (404)", requests.get(f"{base}/metrics", timeout=10).status_code == 404)
    bearer = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    deadline = time.monotonic() + 60
    while True:
        text = requests.get(f"http://127.0.0.1:{layout.app1}/metrics", headers=bearer, timeout=10).text
        if metric(text, "luoshi_queue_ready_tasks", queue="default") == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    ready = metric(text, "luoshi_queue_ready_tasks", queue="default")
    check("the queue worker emptied the queue (luoshi_queue_ready_tasks 0)", ready == 0)
    served = []
    for port in (layout.app1, layout.app2):
        text = requests.get(f"http://127.0.0.1:{port}/metrics", headers=bearer, timeout=10).text
        served.append(sum(float(v) for v in re.findall(r"^luoshi_http_responses_total\{[^}]*\} (\S+)$", text, re.M)))
    check(f"both app processes served requests through nginx ({served[0]:.0f} and {served[1]:.0f})", all(served))

    start = time.perf_counter()
    layout.manage("sweep")
    timings["sweep (timer)"] = time.perf_counter() - start
    text = requests.get(f"http://127.0.0.1:{layout.app2}/metrics", headers=bearer, timeout=10).text
    check("the sweep ran and /metrics shows its duration", metric(text, "luoshi_sweep_duration_seconds") > 0)
    check("/metrics shows the audit anchor's age", metric(text, "luoshi_audit_anchor_age_seconds") >= 0)
    start = time.perf_counter()
    backup = layout.tmp / "backup"
    out = layout.manage("backup", "-o", str(backup))
    timings["backup (timer)"] = time.perf_counter() - start
    check(
        "the backup holds the database and the bucket's photos", "OK" in out and (backup / "files" / keys[0]).is_file()
    )
    for name, seconds in timings.items():
        print(f"    {name}: {seconds * 1000:.0f} ms")
    return done


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/luoshi_loopback")
    parser.add_argument("--port-base", type=int, default=8108, help="nginx on it, the two apps on the next two")
    parser.add_argument("--s3-port", type=int, default=9108)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per app process")
    parser.add_argument("--fresh", action="store_true", help="drop and seed the database again")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="luoshi-loopback-"))
    print(f"the smoke city {SMOKE} in {args.database_url} (seeded unless it is there from today) …")
    ensure_city(args.database_url, SMOKE, fresh=args.fresh, log=print)
    print(f"database ready in {time.monotonic() - started:.0f} s")
    layout = Layout(args, tmp)
    try:
        layout.up()
        print(f"layout up in {time.monotonic() - started:.0f} s (logs: {tmp})")
        checks = smoke(layout)
    finally:
        layout.stop()
    print(f"loopback smoke passed: {len(checks)} checks in {time.monotonic() - started:.0f} s")
    if not args.keep:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
