from django.db import migrations

# The editable list of request categories (诉求类别) and their working days to answer.
CATEGORIES = [
    ("labour", "用工", 10), ("funds", "资金", 15), ("tax", "税费", 10), ("approval", "审批", 10),
    ("land", "用地", 20), ("energy", "用能", 10), ("logistics", "物流", 10), ("other", "其他", 15),
]


def add(apps, schema_editor):
    Category = apps.get_model("enterprises", "RequestCategory")
    for rank, (code, name, days) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(code=code, defaults={"name": name, "due_workdays": days, "rank": rank * 10})


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
