"""Browser tests: Playwright driving Debian's chromium against the live test server.

Every request a page makes is recorded; a test fails if any goes anywhere but
the live server (intranets are offline: no CDN, no web fonts), or if the page
breaks its own Content-Security-Policy (a blocked script would silently do nothing).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "screenshots"))


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 768}, "locale": "zh-CN"}


@pytest.fixture
def demo(transactional_db):
    # live_server tests run in real transactions that are flushed afterwards: load the demo org each time.
    from org.demo import load_demo_organisation
    from plans.demo import TITLE, load_demo_plan
    from plans.models import Plan
    from reports.demo import load_demo_reports

    load_demo_organisation()
    load_demo_plan()
    load_demo_reports(Plan.objects.get(title=TITLE))


@pytest.fixture
def offline_page(page, live_server, demo):
    """A page whose every request must go to the live server."""
    allowed = urlsplit(live_server.url).netloc
    outside: list[str] = []

    def check(request):
        parts = urlsplit(request.url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.netloc != allowed:
            outside.append(request.url)

    blocked: list[str] = []

    def csp(message):
        if "Content Security Policy" in message.text:
            blocked.append(message.text)

    page.on("request", check)
    page.on("console", csp)
    page.base = live_server.url
    yield page
    assert outside == [], f"requests left the server: {outside}"
    assert blocked == [], f"the page broke its CSP: {blocked}"


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, username: str, password: str = "Luoshi@2021") -> None:
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
