"""Every follow of a task becomes a generic follow of that task (one UPDATE; SQLite and PostgreSQL)."""

from django.db import migrations
from django.db.models import F


def _task_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="plans", model="task")[0]


def forwards(apps, schema_editor):
    Follow = apps.get_model("notifications", "Follow")
    Follow.objects.filter(task__isnull=False).update(target_type=_task_type(apps), target_id=F("task_id"))


def backwards(apps, schema_editor):
    Follow = apps.get_model("notifications", "Follow")
    task_type = _task_type(apps)
    # Only follows of tasks can go back to the task column; others have nowhere to go.
    Follow.objects.exclude(target_type=task_type).delete()
    Follow.objects.update(task_id=F("target_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0002_follow_target"),
        ("plans", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
