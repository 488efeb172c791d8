"""/metrics: Prometheus text format, the figures a city monitors, and who may read it (core/metrics.py)."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from notifications.models import Delivery, Notification
from notifications.tasks import deliver

pytestmark = pytest.mark.django_db


def sample(text: str, name: str, **labels) -> float | None:
    """The value of the sample `name{labels}` (labels matched exactly, in Prometheus' sorted order)."""
    label_text = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    pattern = "^" + re.escape(f"{name}{{{label_text}}}" if labels else name) + r" (\S+)$"
    found = re.search(pattern, text, re.MULTILINE)
    return float(found.group(1)) if found else None


def test_metrics_report_latency_queue_deliveries_jobs_and_the_audit_anchor(users, client_as):
    client_as("office").get("/cockpit/")
    notification = Notification.objects.create(recipient=users["office"], kind="demo", title="演示")
    for status in (Delivery.Status.FAILED, Delivery.Status.FAILED, Delivery.Status.PENDING):
        Delivery.objects.create(notification=notification, channel=Delivery.Channel.EMAIL, target="a@b", status=status)
    deliver.enqueue(0)
    deliver.enqueue(0)
    call_command("audit_anchor", stdout=io.StringIO())
    call_command("sweep", stdout=io.StringIO())

    response = Client().get("/metrics")  # the test client: a direct request from 127.0.0.1
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    assert "# TYPE luoshi_http_request_duration_seconds histogram" in text
    cockpit = sample(text, "luoshi_http_request_duration_seconds_count", method="GET", view="reports:cockpit")
    assert cockpit is not None and cockpit >= 1
    assert sample(text, "luoshi_http_request_duration_seconds_bucket", le="+Inf", method="GET", view="reports:cockpit")
    assert sample(text, "luoshi_queue_ready_tasks", queue="default") == 2
    assert sample(text, "luoshi_queue_oldest_ready_age_seconds", queue="default") >= 0
    assert sample(text, "luoshi_delivery_failures") == 2
    assert sample(text, "luoshi_deliveries", status="pending") == 1
    assert sample(text, "luoshi_sweep_duration_seconds") > 0
    assert sample(text, "luoshi_job_last_run_ok", job="sweep") == 1
    assert 0 <= sample(text, "luoshi_audit_anchor_age_seconds") < 60
    assert sample(text, "luoshi_audit_events") > 0


def test_metrics_refuse_requests_relayed_by_a_proxy_or_from_another_host_without_the_token(settings):
    assert Client().get("/metrics", HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 404
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 404
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    other_host = Client(REMOTE_ADDR="10.1.2.3")
    assert other_host.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert other_host.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token").status_code == 200
    relayed = Client().get(
        "/metrics", HTTP_X_FORWARDED_FOR="10.1.2.3", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token"
    )
    assert relayed.status_code == 200


def test_metrics_count_the_tasks_waiting_for_the_status_catch_up():
    from plans.models import Task
    from reports.snapshots import status_catch_up, status_refresh

    tasks = list(Task.objects.alive()[:3])
    status_refresh(tasks=tasks, since=None, defer=True)  # what a submission does; tests run no queue worker
    assert sample(Client().get("/metrics").content.decode(), "luoshi_status_catch_up_pending") == 3
    status_catch_up()
    assert sample(Client().get("/metrics").content.decode(), "luoshi_status_catch_up_pending") == 0
