"""The task column goes; the generic link is required, unique per person and object, and indexed."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_follow_target_data"),
    ]

    operations = [
        migrations.RemoveField(model_name="follow", name="task"),
        migrations.AlterField(
            model_name="follow",
            name="target_type",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="contenttypes.contenttype"
            ),
        ),
        migrations.AlterField(
            model_name="follow",
            name="target_id",
            field=models.PositiveBigIntegerField(),
        ),
        migrations.AddConstraint(
            model_name="follow",
            constraint=models.UniqueConstraint(
                fields=("user", "target_type", "target_id"), name="follow_unique_user_target"
            ),
        ),
        migrations.AddIndex(
            model_name="follow",
            index=models.Index(fields=["target_type", "target_id"], name="follow_target_idx"),
        ),
    ]
