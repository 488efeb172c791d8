"""The task-only links go, now that 0004 copied them into the generic targets; the check constraint
now reads: exactly one of target, report, order, finding."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0004_targets_data"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="finding",
            name="task",
        ),
        migrations.RemoveField(
            model_name="inspection",
            name="tasks",
        ),
        migrations.RemoveField(
            model_name="instruction",
            name="task",
        ),
        migrations.RemoveField(
            model_name="supervisionorder",
            name="tasks",
        ),
        migrations.AddConstraint(
            model_name="instruction",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("finding__isnull", True),
                        ("order__isnull", True),
                        ("report__isnull", True),
                        ("target_type__isnull", False),
                        ("target_id__isnull", False),
                    ),
                    models.Q(
                        ("finding__isnull", True),
                        ("order__isnull", True),
                        ("report__isnull", False),
                        ("target_type__isnull", True),
                        ("target_id__isnull", True),
                    ),
                    models.Q(
                        ("finding__isnull", True),
                        ("order__isnull", False),
                        ("report__isnull", True),
                        ("target_type__isnull", True),
                        ("target_id__isnull", True),
                    ),
                    models.Q(
                        ("finding__isnull", False),
                        ("order__isnull", True),
                        ("report__isnull", True),
                        ("target_type__isnull", True),
                        ("target_id__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="instruction_exactly_one_target",
            ),
        ),
    ]
