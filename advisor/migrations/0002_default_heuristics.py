from django.db import migrations


def add_defaults(apps, schema_editor):
    from advisor.defaults import DEFAULT_HEURISTICS

    Heuristic = apps.get_model("advisor", "Heuristic")
    Heuristic.objects.bulk_create(
        Heuristic(position=(i + 1) * 10, **{**row, "scope": str(row["scope"])})
        for i, row in enumerate(DEFAULT_HEURISTICS)
    )
    apps.get_model("advisor", "AdvisorSettings").objects.get_or_create(pk=1)


def remove_defaults(apps, schema_editor):
    from advisor.defaults import DEFAULT_HEURISTICS

    codes = [row["code"] for row in DEFAULT_HEURISTICS]
    apps.get_model("advisor", "Heuristic").objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("advisor", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
