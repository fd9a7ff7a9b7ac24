from django.db import migrations


def add_defaults(apps, schema_editor):
    from orgs.titles import DEFAULT_TITLE_PATTERNS

    TitlePattern = apps.get_model("orgs", "TitlePattern")
    TitlePattern.objects.bulk_create(
        TitlePattern(position=(i + 1) * 10, pattern=pattern, role=str(role))
        for i, (pattern, role) in enumerate(DEFAULT_TITLE_PATTERNS)
    )


def remove_defaults(apps, schema_editor):
    apps.get_model("orgs", "TitlePattern").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
