"""Every task link of orders, inspections, instructions and findings becomes a generic target link.

Set-based (one INSERT … SELECT-like bulk per table, one UPDATE per table), so it runs the same on
SQLite and PostgreSQL and in seconds on a large district. Reversible while the task fields exist.
"""

from django.db import migrations
from django.db.models import F

BATCH = 2000


def _task_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="plans", model="task")[0]


def forwards(apps, schema_editor):
    SupervisionOrder = apps.get_model("supervision", "SupervisionOrder")
    Inspection = apps.get_model("supervision", "Inspection")
    Instruction = apps.get_model("supervision", "Instruction")
    Finding = apps.get_model("supervision", "Finding")
    OrderTarget = apps.get_model("supervision", "OrderTarget")
    InspectionTarget = apps.get_model("supervision", "InspectionTarget")
    task_type = _task_type(apps)

    order_links = SupervisionOrder.tasks.through.objects.order_by("pk").values_list("supervisionorder_id", "task_id")
    OrderTarget.objects.bulk_create(
        (OrderTarget(order_id=o, target_type=task_type, target_id=t) for o, t in order_links.iterator()),
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    visit_links = Inspection.tasks.through.objects.order_by("pk").values_list("inspection_id", "task_id")
    InspectionTarget.objects.bulk_create(
        (InspectionTarget(inspection_id=i, target_type=task_type, target_id=t) for i, t in visit_links.iterator()),
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    Instruction.objects.filter(task__isnull=False).update(target_type=task_type, target_id=F("task_id"))
    Finding.objects.filter(task__isnull=False).update(target_type=task_type, target_id=F("task_id"))


def backwards(apps, schema_editor):
    SupervisionOrder = apps.get_model("supervision", "SupervisionOrder")
    Inspection = apps.get_model("supervision", "Inspection")
    Instruction = apps.get_model("supervision", "Instruction")
    Finding = apps.get_model("supervision", "Finding")
    OrderTarget = apps.get_model("supervision", "OrderTarget")
    InspectionTarget = apps.get_model("supervision", "InspectionTarget")
    task_type = _task_type(apps)
    # Only task links can go back; a link to another kind has no task column to return to.
    SupervisionOrder.tasks.through.objects.bulk_create(
        (
            SupervisionOrder.tasks.through(supervisionorder_id=o, task_id=t)
            for o, t in OrderTarget.objects.filter(target_type=task_type).values_list("order_id", "target_id")
        ),
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    Inspection.tasks.through.objects.bulk_create(
        (
            Inspection.tasks.through(inspection_id=i, task_id=t)
            for i, t in InspectionTarget.objects.filter(target_type=task_type).values_list("inspection_id", "target_id")
        ),
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    Instruction.objects.filter(target_type=task_type).update(task_id=F("target_id"), target_type=None, target_id=None)
    Finding.objects.filter(target_type=task_type).update(task_id=F("target_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("plans", "0001_initial"),
        ("supervision", "0003_targets"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
