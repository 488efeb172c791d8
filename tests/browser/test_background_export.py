"""A city's ledger export in the background: the task list starts it, the job page follows the queue
worker's progress (htmx poll) until the file can be downloaded."""

import shutil
from pathlib import Path

from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import login, shot

NOTES = Path("/work/wt/notes/shots")


def _keep(path: Path, name: str) -> None:
    if NOTES.is_dir():
        shutil.copy(path, NOTES / f"city-{name}.png")


def test_background_export_from_the_task_list_shows_progress_then_the_file(offline_page):
    page = offline_page
    login(page, "office")
    page.goto(page.base + "/tasks/")
    page.get_by_test_id("export-background").click()
    status = page.get_by_test_id("job-status")
    expect(status).to_have_attribute("data-state", "queued")
    _keep(shot(page, "job-queued-1366"), "job-queued-1366")
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)  # the worker
    expect(page.get_by_test_id("job-file")).to_be_visible(timeout=10_000)  # the page polled and saw it done
    expect(page.get_by_test_id("job-status")).to_have_attribute("data-state", "done")
    _keep(shot(page, "job-done-1366"), "job-done-1366")
    with page.expect_download() as download:
        page.get_by_test_id("job-file").click()
    assert download.value.suggested_filename.startswith("task-ledger-")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    _keep(shot(page, "job-done-390"), "job-done-390")
