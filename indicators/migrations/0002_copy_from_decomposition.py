"""Copy the indicators decomposition recorded (decomposition.Indicator / IndicatorValue) into this app.

Primary keys are kept, so decomposition's AcceptedItem rows point at the same values once their
foreign key moves here (decomposition 0002). The old rows were accepted from a published document:
they are approved, by whoever accepted them.
"""

import re

from django.core.management.color import no_style
from django.db import connection, migrations

_SPAN = re.compile(r"^(\d{4})-(\d{4})$")
_BIG = {"元": "亿元", "人": "万人", "平方米": "万平方米"}


def _period_key(period: str) -> str:
    # Only years and spans were ever recorded by the decomposition (proposal._PERIOD).
    if re.fullmatch(r"\d{4}", period):
        return f"{period}-12-2"
    if m := _SPAN.match(period):
        return f"{m[2]}-12-3"
    return "0000-00-9"


def copy(apps, schema_editor):
    OldIndicator = apps.get_model("decomposition", "Indicator")
    OldValue = apps.get_model("decomposition", "IndicatorValue")
    Indicator = apps.get_model("indicators", "Indicator")
    Value = apps.get_model("indicators", "IndicatorValue")
    for old in OldIndicator.objects.all().order_by("pk"):
        biggest = max((abs(v) for v in OldValue.objects.filter(indicator=old).values_list("value", flat=True)), default=0)
        display = _BIG.get(old.unit, "") if biggest >= 10_000 else ""
        if display == "亿元" and biggest < 100_000_000:
            display = "万元"
        Indicator.objects.create(pk=old.pk, name=old.name, unit=old.unit, display_unit=display, frequency="year")
        Indicator.objects.filter(pk=old.pk).update(created_at=old.created_at)
    for old in OldValue.objects.all().order_by("pk"):
        Value.objects.create(
            pk=old.pk,
            indicator_id=old.indicator_id,
            period=old.period,
            period_key=_period_key(old.period),
            kind="estimate" if old.is_estimate else "final",
            value=old.value,
            entered_unit=Indicator.objects.get(pk=old.indicator_id).display_unit,
            state="approved",
            source_quote=old.source_quote,
            plan_id=old.plan_id,
            source_offset=old.source_offset,
            created_by_id=old.created_by_id,
            approved_by_id=old.created_by_id,
            approved_at=old.created_at,
        )
        Value.objects.filter(pk=old.pk).update(created_at=old.created_at)
    # Explicit primary keys leave PostgreSQL's sequences behind: move them past the copied rows.
    sql = connection.ops.sequence_reset_sql(no_style(), [Indicator, Value])
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0001_initial"),
        ("decomposition", "0001_initial"),
    ]

    operations = [migrations.RunPython(copy, migrations.RunPython.noop)]
