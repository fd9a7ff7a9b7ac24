"""Organization.changed_at (docs/scheduling.md) and invitations (docs/access.md)."""

import django.db.models.deletion
import django.db.models.functions.datetime
import django.utils.timezone
from django.conf import settings
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
        ("orgs", "0003_scenarios"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
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
        migrations.CreateModel(
            name='Invitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(help_text='Whom it was sent to; only their account can accept.', max_length=254)),
                ('role', models.CharField(choices=[('owner', 'Owner'), ('editor', 'Editor'), ('viewer', 'Viewer')], default='editor', max_length=10)),
                ('token_hash', models.CharField(help_text="sha256 of the link's token, in hex.", max_length=64, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('expires_at', models.DateTimeField()),
                ('accepted_at', models.DateTimeField(blank=True, null=True)),
                ('accepted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('invited_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='orgs.organization')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('role__in', ['owner', 'editor', 'viewer'])), name='invitation_role_valid')],
            },
        ),
    ]
