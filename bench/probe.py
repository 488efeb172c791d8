# ruff: noqa: S603, S607, S310, E501  (a probing tool: runs our own programs against 127.0.0.1 only)
"""Hostile-input probe (`make probe`; bench/README.md): what issue 12's outside test did, repeatable.

Starts gunicorn with production settings on a fresh PostgreSQL database holding the demo data, then, as
each demo role, sends hostile values (NUL and other control characters, 1e16, NaN, null, wrong types,
oversized text) to every write operation of the API (read from its own OpenAPI document) and to every
HTML form the pages offer (found by GETting every URL pattern and parsing its <form method=post>), plus
hostile query strings and hostile files (a decompression-bomb PNG, a zip-bomb and an XXE .xlsx).
Afterwards it counts 5xx answers, stored files no row refers to (`files_gc`), and times the
far-future working-day request that once took both workers down.

Prints the figures; exit 1 when any 5xx or orphan file was seen. Not part of `make test`.
"""

import argparse
import http.client
import io
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import zipfile
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import PYTHON, ROOT, ensure_database, gunicorn, manage, server_env  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/luoshi_probe"
PASSWORD = "Luoshi@2021"  # noqa: S105  (the demo accounts' published password)
ROLES = ["office", "leader", "zjj_head", "zjj_reporter", "fgw_reporter", "sysadmin", "secadmin", "auditadmin"]

HOSTILE_TEXT = [
    "a\x00b",
    "\x07bell",
    "x" * 70000,
    "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
    "\ud800"[:0] + "\u202e",
]
HOSTILE_NUMBER = [1e16, -1e16, "1e400", "NaN", "Infinity", "-0", 10**30]
HOSTILE_ANY = [None, [], {}, True, "", "9999-12-31", "0000-00-00"]


class Client:
    """One keep-alive connection with a cookie jar and an optional bearer token."""

    def __init__(self, port: int) -> None:
        self.port, self.cookies, self.token, self.role = port, {}, None, ""
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.statuses: Counter = Counter()
        self.errors: list[str] = []

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None, *, note: str = ""
    ):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        headers.setdefault("Host", "127.0.0.1")
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt:
                    self.statuses["conn-error"] += 1
                    self.errors.append(f"connection error {method} {path} {note}")
                    return 0, b"", {}
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        self.statuses[f"{response.status // 100}xx"] += 1
        if response.status >= 500:
            self.errors.append(f"{response.status} {method} {path} {note}"[:300])
        return response.status, data, dict(response.getheaders())

    def json(self, method: str, path: str, payload, *, note: str = ""):
        return self.request(
            method, path, json.dumps(payload, allow_nan=True).encode(), {"Content-Type": "application/json"}, note=note
        )

    def form(self, path: str, fields: list[tuple[str, str]], *, note: str = ""):
        fields = [*fields, ("csrfmiddlewaretoken", self.cookies.get("csrftoken", ""))]
        body = urllib.parse.urlencode(fields).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{self.port}{path}",
            "X-CSRFToken": self.cookies.get("csrftoken", ""),
        }
        return self.request("POST", path, body, headers, note=note)

    def multipart(
        self, path: str, fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]], *, note: str = ""
    ):
        boundary = "----luoshiprobe"
        parts = []
        for name, value in [*fields, ("csrfmiddlewaretoken", self.cookies.get("csrftoken", ""))]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, filename, data in files:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n".encode()
                + data
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Referer": f"http://127.0.0.1:{self.port}{path}",
            "X-CSRFToken": self.cookies.get("csrftoken", ""),
        }
        return self.request("POST", path, body, headers, note=note)


class Forms(HTMLParser):
    """The POST forms of a page: action, fields (name → first value) and file inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.current: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.current = {
                "action": a.get("action") or "",
                "fields": {},
                "files": [],
                "multipart": "multipart" in (a.get("enctype") or ""),
            }
            self.forms.append(self.current)
        elif self.current is not None and tag in ("input", "textarea", "select") and a.get("name"):
            if a.get("type") == "file":
                self.current["files"].append(a["name"])
            elif a["name"] != "csrfmiddlewaretoken":
                self.current["fields"].setdefault(a["name"], a.get("value") or "")
        elif self.current is not None and tag == "option" and a.get("value"):
            # the first real option of a select: a plausible value the hostile one replaces
            for name, value in self.current["fields"].items():
                if value == "":
                    self.current["fields"][name] = a["value"]
                    break

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def png_bomb() -> bytes:
    """A ~100-byte PNG whose header says 30000×30000 pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def xlsx_bomb(kind: str) -> bytes:
    """A minimal .xlsx whose sharedStrings is a zip bomb (~1 GB when inflated) or carries an XXE/entity."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="s" sheetId="1"/></sheets></workbook>',
        )
        if kind == "zip":
            z.writestr("xl/sharedStrings.xml", b"<sst>" + b"A" * (200 * 1024 * 1024) + b"</sst>")  # 200 MB inflated
        else:
            z.writestr(
                "xl/sharedStrings.xml",
                '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                '<!ENTITY x SYSTEM "file:///etc/passwd">]><sst><si><t>&b;&x;</t></si></sst>',
            )
    return out.getvalue()


def login(client: Client, username: str) -> bool:
    client.request("GET", "/accounts/login/")
    status, _, headers = client.form("/accounts/login/", [("username", username), ("password", PASSWORD)])
    status_api, data, _ = client.json("POST", "/api/v1/auth/token", {"username": username, "password": PASSWORD})
    if status_api == 200:
        client.token = json.loads(data).get("token")
    return status in (302, 303)


def example(schema: dict, components: dict):
    """A plausible value for a JSON schema, so one field at a time can be made hostile."""
    if "$ref" in schema:
        return example(components[schema["$ref"].rsplit("/", 1)[1]], components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return example(next((s for s in schema[key] if s.get("type") != "null"), schema[key][0]), components)
    kind = schema.get("type")
    if kind == "object":
        return {k: example(v, components) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return []
    if kind == "integer":
        return 1
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2021-06-30"
    if "enum" in schema:
        return schema["enum"][0]
    return "探测"


def probe_api(client: Client, spec: dict, counts: Counter) -> None:
    components = spec.get("components", {}).get("schemas", {})
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            if path.endswith("/auth/logout") or "token" in path and method == "delete":
                continue  # keep this client's credentials for the rest of the run
            concrete = re.sub(r"\{[^}]+\}", "1", path)
            params = [p for p in op.get("parameters", []) if p.get("in") == "query"]
            for param in params:
                for value in [*HOSTILE_TEXT[:2], "1e400", "-1", "9999-12-31", "x" * 5000]:
                    counts["inputs"] += 1
                    client.request(
                        method.upper(),
                        f"{concrete}?{urllib.parse.urlencode({param['name']: value})}",
                        note=param["name"],
                    )
            for bad_id in ["99999999999999999999", "-1", "0"]:
                if "{" in path:
                    counts["inputs"] += 1
                    client.request(method.upper(), re.sub(r"\{[^}]+\}", bad_id, path), note="id")
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if not body:
                continue
            base = example(body, components)
            if not isinstance(base, dict):
                continue
            for field in list(base):
                for value in [*HOSTILE_TEXT, *HOSTILE_NUMBER, *HOSTILE_ANY]:
                    counts["inputs"] += 1
                    client.json(method.upper(), concrete, {**base, field: value}, note=f"{field}={str(value)[:20]!r}")
            counts["inputs"] += 2
            client.request(
                method.upper(), concrete, b"{not json", {"Content-Type": "application/json"}, note="bad json"
            )
            client.request(
                method.upper(), concrete, b"\x00" * 10, {"Content-Type": "application/json"}, note="nul body"
            )


def page_urls() -> list[str]:
    """Every URL pattern of the site with its ids filled with 1 (run in a Django process)."""
    code = (
        "import django,re;django.setup();from django.urls import get_resolver,URLPattern,URLResolver\n"
        "def walk(r,p=''):\n"
        " for e in r.url_patterns:\n"
        "  s=p+str(e.pattern)\n"
        "  if isinstance(e,URLResolver): yield from walk(e,s)\n"
        "  else: yield s\n"
        "for s in walk(get_resolver()):\n"
        " if s.startswith('api/') or '^' in s: continue\n"
        " print('/'+re.sub(r'<[^>]+>','1',s))\n"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.dev")
    out = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return sorted(set(out.stdout.split()))


def probe_pages(client: Client, urls: list[str], counts: Counter) -> None:
    for url in urls:
        if "logout" in url:
            continue
        for value in ["a\x00b", "x" * 3000, "9999-12-31", "1e400"]:
            counts["inputs"] += 1
            client.request(
                "GET",
                f"{url}?q={urllib.parse.quote(value)}&as_of={urllib.parse.quote(value)}&page={urllib.parse.quote(value)}",
                note="query",
            )
        status, data, _ = client.request("GET", url)
        if status != 200:
            continue
        parser = Forms()
        parser.feed(data.decode("utf-8", "replace"))
        for form in parser.forms:
            action = urllib.parse.urljoin(url, form["action"]) if form["action"] else url
            if "logout" in action or "language" in action or "i18n" in action:
                continue
            base = list(form["fields"].items())
            for i, (name, _) in enumerate(base):
                for value in [*HOSTILE_TEXT[:3], "1e16", "-1e16", "NaN", "9999-12-31", ""]:
                    counts["inputs"] += 1
                    fields = [*base[:i], (name, value), *base[i + 1 :]]
                    if form["multipart"] or form["files"]:
                        client.multipart(action, fields, [], note=f"{name}")
                    else:
                        client.form(action, fields, note=f"{name}")
            for file_field in form["files"]:
                for filename, data_ in [
                    ("bomb.png", png_bomb()),
                    ("zip.xlsx", xlsx_bomb("zip")),
                    ("xxe.xlsx", xlsx_bomb("xxe")),
                    ("a.jpg", b"\x00" * 100),
                ]:
                    counts["inputs"] += 1
                    counts["files_sent"] += 1
                    client.multipart(action, base, [(file_field, filename, data_)], note=f"{file_field}={filename}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("PROBE_DB", DEFAULT_DB))
    parser.add_argument("--port", type=int, default=18431)
    parser.add_argument("--roles", default=",".join(ROLES))
    args = parser.parse_args(argv)

    media = tempfile.mkdtemp(prefix="luoshi-probe-media-")
    os.environ["MEDIA_ROOT"] = media
    ensure_database(args.database_url, fresh=True)
    manage(args.database_url, "migrate", "--noinput")
    manage(args.database_url, "load_demo")
    # Production settings serve hashed static names from the manifest collectstatic writes.
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=server_env(args.database_url),
        check=True,
    )
    before = {str(p.relative_to(media)) for p in Path(media).rglob("*") if p.is_file()}
    counts: Counter = Counter()
    clients = []
    started = time.monotonic()
    with gunicorn(args.database_url, args.port, workers=2):
        urls = page_urls()
        # Everyone logs in first: the hostile logins below count against this address's throttle.
        for role in args.roles.split(","):
            client = Client(args.port)
            if login(client, role):
                clients.append(client)
                client.role = role
            else:
                print(f"  {role}: could not log in")
        for client in clients:
            role = client.role
            _, spec_data, _ = client.request("GET", "/api/v1/openapi.json")
            spec = json.loads(spec_data)
            print(f"  {role}: API", flush=True)
            probe_api(client, spec, counts)
            print(f"  {role}: pages ({len(urls)} URL patterns)", flush=True)
            probe_pages(client, urls, counts)
        # The far-future working-day request: refused before any work, so it returns at once.
        office = clients[0] if clients else Client(args.port)
        t0 = time.monotonic()
        office.json("POST", "/api/v1/orders/1/return", {"due_date": "9999-12-31", "comment": "探测"}, note="far future")
        far_future_ms = (time.monotonic() - t0) * 1000
    gc = manage(args.database_url, "files_gc", "--grace-seconds", "0", check=False)
    after = {str(p.relative_to(media)) for p in Path(media).rglob("*") if p.is_file()}

    statuses: Counter = Counter()
    errors: list[str] = []
    for client in clients:
        statuses.update(client.statuses)
        errors.extend(client.errors)
    print(
        f"\nprobe: {counts['inputs']} hostile inputs, {sum(statuses.values())} requests as {len(clients)} roles in {time.monotonic() - started:.0f} s"
    )
    print("  answers: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    print(f"  hostile files sent: {counts['files_sent']}; files stored during the probe: {len(after - before)}")
    print(
        f"  files_gc (grace 0): {gc.stdout.strip().splitlines()[-1] if gc.stdout.strip() else gc.stderr.strip()[-200:]}"
    )
    print(f"  far-future working-day request: {far_future_ms:.0f} ms")
    for line in errors[:40]:
        print("  5xx: " + line)
    failed = statuses.get("5xx", 0) + statuses.get("conn-error", 0)
    return 1 if failed or (gc.returncode != 0) else 0


if __name__ == "__main__":
    sys.exit(main())
