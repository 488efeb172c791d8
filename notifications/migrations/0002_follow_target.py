"""Follow becomes generic (content type + id), so a project can be followed with the same code as a task.

0002 adds the generic columns (nullable for now) next to `task`; 0003 copies every follow; 0004
drops `task` and makes the generic link required and unique per person.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="follow", name="follow_unique_user_task"),
        migrations.AddField(
            model_name="follow",
            name="target_type",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AddField(
            model_name="follow",
            name="target_id",
            field=models.PositiveBigIntegerField(null=True),
        ),
    ]
