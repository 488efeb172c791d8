"""Real receivers for the outside channels: an SMTP server (aiosmtpd) and an HTTP robot endpoint.

Both listen on a free 127.0.0.1 port for the test and record what arrives, so the tests check
what a mail server or a WeCom / DingTalk robot would actually receive.
"""

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def immediate_queue(settings):
    """django-tasks' own ImmediateBackend: a queued delivery runs as soon as it is enqueued (on commit)."""
    settings.TASKS = IMMEDIATE


@pytest.fixture
def run_worker():
    """Run the real queue worker (`manage.py db_worker --batch`) until no task is ready, as `make run` does."""
    from django.core.management import call_command

    def run() -> None:
        call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)

    return run


# --- SMTP ------------------------------------------------------------------------------------------


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list = field(default_factory=list)  # (mail_from, rcpt_tos, raw bytes)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1; Django's settings come from EMAIL_URL=smtp://127.0.0.1:<port>."""
    from aiosmtpd.controller import Controller

    from config.env import email_settings

    port = free_port()
    mailbox = Mailbox("127.0.0.1", port)
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    for key, value in email_settings(f"smtp://127.0.0.1:{port}").items():
        setattr(settings, key, value)
    settings.EMAIL_TIMEOUT = 10
    try:
        yield mailbox
    finally:
        controller.stop()


# --- robot webhooks -------------------------------------------------------------------------------


@dataclass
class Receiver:
    """A WeCom / DingTalk stand-in. `script` lists the HTTP statuses to answer, then 200 {"errcode": 0}."""

    url: str = ""
    secret: str = ""
    script: list[int] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, body: bytes, headers) -> tuple[int, dict]:
        query = {k: v[-1] for k, v in parse_qs(urlsplit(path).query).items()}
        record = {"path": path, "query": query, "headers": dict(headers), "raw": body}
        try:
            record["json"] = json.loads(body.decode("utf-8"))
        except ValueError:
            record["json"] = None
        if self.secret:
            # DingTalk's rule, written out independently of notifications.robots.
            timestamp = query.get("timestamp", "")
            expected = base64.b64encode(
                hmac.new(self.secret.encode(), f"{timestamp}\n{self.secret}".encode(), hashlib.sha256).digest()
            ).decode()
            fresh = timestamp.isdigit() and abs(int(timestamp) - time.time() * 1000) < 3600 * 1000
            record["sign_ok"] = query.get("sign") == expected and fresh
        with self.lock:
            self.requests.append(record)
            status = self.script.pop(0) if self.script else 200
        if status != 200:
            return status, {"errcode": -1, "errmsg": "server error"}
        if record["json"] is None or "msgtype" not in record["json"]:
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        if self.secret and not record["sign_ok"]:
            return 200, {"errcode": 310000, "errmsg": "sign not match"}
        return 200, {"errcode": 0, "errmsg": "ok"}


@pytest.fixture
def robot_receiver():
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802  (http.server's hook name)
            length = int(self.headers.get("Content-Length", 0))
            status, answer = receiver.answer(self.path, self.rfile.read(length), self.headers)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
