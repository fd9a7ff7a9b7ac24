import django.db.models.functions.datetime
import django.utils.timezone
from django.db import migrations, models
from django.db.models import Max


def changed_when_last_edited(apps, schema_editor):
    """An existing organization last changed when it or a product, squad or person of it was
    last saved (deletions before this migration left no trace), not at the migration."""
    Organization = apps.get_model("orgs", "Organization")
    kinds = [apps.get_model("orgs", name) for name in ("Product", "Squad", "Person")]
    latest = {}
    for model in kinds:
        rows = model.objects.values("organization_id").annotate(at=Max("updated_at"))
        for row in rows:
            at = latest.get(row["organization_id"])
            latest[row["organization_id"]] = max(at, row["at"]) if at else row["at"]
    for organization in Organization.objects.only("pk", "updated_at").iterator():
        at = latest.get(organization.pk)
        changed = max(at, organization.updated_at) if at else organization.updated_at
        Organization.objects.filter(pk=organization.pk).update(changed_at=changed)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_default_title_patterns"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="changed_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                db_default=django.db.models.functions.datetime.Now(),
                help_text="When what the advice reads last changed: the methodology, or a "
                "product, squad or person added, edited or removed (docs/scheduling.md).",
            ),
        ),
        migrations.RunPython(changed_when_last_edited, migrations.RunPython.noop),
    ]
