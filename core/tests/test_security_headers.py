"""Security headers (issue 12 §6): CSP without inline script except nonced blocks, Permissions-Policy,
and `check --deploy` clean under production settings (HSTS, HTTPS redirect, secure cookies)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _script_src(policy: str) -> str:
    return next(part for part in policy.split(";") if part.strip().startswith("script-src"))


def test_pages_send_a_csp_whose_nonce_is_the_one_on_the_inline_chart_script(client_as):
    response = client_as("office").get("/cockpit/")
    policy = response["Content-Security-Policy"]
    script_src = _script_src(policy)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    nonce = re.search(r"'nonce-([^']+)'", script_src).group(1)
    assert f'<script nonce="{nonce}">' in response.content.decode()
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "camera=()" in response["Permissions-Policy"]


def test_each_response_gets_a_fresh_nonce(client):
    first = client.get("/accounts/login/")["Content-Security-Policy"]
    second = client.get("/accounts/login/")["Content-Security-Policy"]
    assert first != second


def test_no_template_has_inline_event_handlers_or_unnonced_inline_scripts():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        if re.search(r"\son[a-z]+\s*=\s*[\"']", text):
            offenders.append(f"{path.name}: inline event handler")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "nonce=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{path.name}: {tag}")
    assert offenders == []


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    keyring = tmp_path / "audit-keyring"
    keyring.write_text("k1 " + "5e" * 32 + "\n")
    keyring.chmod(0o600)
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # set by conftest for Playwright
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": "a-long-random-production-secret-for-the-check-0123456789abcdefghijkl",
        "ALLOWED_HOSTS": "luoshi.example.gov.cn",
        "AUDIT_KEYRING_FILE": str(keyring),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
