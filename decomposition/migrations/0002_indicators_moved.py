"""Indicators moved into the indicators app: indicators 0002 copied the rows keeping their ids, so the
accepted items' foreign key moves over unchanged; then the old tables go."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("decomposition", "0001_initial"),
        ("indicators", "0002_copy_from_decomposition"),
    ]

    operations = [
        migrations.AlterField(
            model_name="accepteditem",
            name="indicator_value",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="indicators.indicatorvalue",
            ),
        ),
        migrations.DeleteModel(name="IndicatorValue"),
        migrations.DeleteModel(name="Indicator"),
    ]
