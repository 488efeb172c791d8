"""Several audit chains (docs/audit.md): each event records its chain; the head rows are the chains.

Existing events are chain 1 (the database default) and verify unchanged: the chain is not hashed,
and chain 1's head is the head row that already exists (id 1). No rows are rewritten.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_keyed_chain")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.PositiveSmallIntegerField(db_default=1, default=1),
        ),
    ]
