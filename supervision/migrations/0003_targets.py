"""Supervision targets any object (supervision.targets): the generic links, added next to the task-only ones.

0003 adds OrderTarget, InspectionTarget and the target fields of Instruction and Finding;
0004 copies every task link into them; 0005 drops the task-only links. Three steps, so no
table is altered after rows were changed in the same transaction (PostgreSQL refuses that
while deferred foreign-key checks are pending).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("supervision", "0002_instruction_answers"),
    ]

    operations = [
        # The old "exactly one of task, report, order, finding" goes first, so the steps also run backwards:
        # 0005 adds the new one once the task columns are gone.
        migrations.RemoveConstraint(
            model_name="instruction",
            name="instruction_exactly_one_target",
        ),
        migrations.CreateModel(
            name="InspectionTarget",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("target_id", models.PositiveBigIntegerField()),
            ],
            options={
                "ordering": ["id"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="OrderTarget",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("target_id", models.PositiveBigIntegerField()),
            ],
            options={
                "ordering": ["id"],
                "abstract": False,
            },
        ),
        migrations.AddField(
            model_name="finding",
            name="target_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="finding",
            name="target_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AddField(
            model_name="instruction",
            name="target_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="instruction",
            name="target_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(fields=["target_type", "target_id"], name="finding_object_idx"),
        ),
        migrations.AddIndex(
            model_name="instruction",
            index=models.Index(fields=["target_type", "target_id"], name="instruction_object_idx"),
        ),
        migrations.AddField(
            model_name="inspectiontarget",
            name="inspection",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="target_links", to="supervision.inspection"
            ),
        ),
        migrations.AddField(
            model_name="inspectiontarget",
            name="target_type",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="contenttypes.contenttype"
            ),
        ),
        migrations.AddField(
            model_name="ordertarget",
            name="order",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="target_links",
                to="supervision.supervisionorder",
            ),
        ),
        migrations.AddField(
            model_name="ordertarget",
            name="target_type",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="contenttypes.contenttype"
            ),
        ),
        migrations.AddIndex(
            model_name="inspectiontarget",
            index=models.Index(fields=["target_type", "target_id"], name="inspectiontarget_object_idx"),
        ),
        migrations.AddConstraint(
            model_name="inspectiontarget",
            constraint=models.UniqueConstraint(
                fields=("inspection", "target_type", "target_id"), name="inspectiontarget_unique"
            ),
        ),
        migrations.AddIndex(
            model_name="ordertarget",
            index=models.Index(fields=["target_type", "target_id"], name="ordertarget_object_idx"),
        ),
        migrations.AddConstraint(
            model_name="ordertarget",
            constraint=models.UniqueConstraint(fields=("order", "target_type", "target_id"), name="ordertarget_unique"),
        ),
    ]
