"""The archived assessment document is kept compressed (advisor.jsonio): written once,
read only by the admin, it was the largest value an assessment stored."""

from django.db import migrations, models

from advisor.jsonio import pack_document, unpack_document


def pack(apps, schema_editor):
    assessments = apps.get_model("advisor", "Assessment").objects.using(
        schema_editor.connection.alias
    )
    for assessment in assessments.only("pk", "report").iterator(chunk_size=100):
        assessments.filter(pk=assessment.pk).update(
            archive=pack_document(assessment.report)
        )


def unpack(apps, schema_editor):
    assessments = apps.get_model("advisor", "Assessment").objects.using(
        schema_editor.connection.alias
    )
    for assessment in assessments.only("pk", "archive").iterator(chunk_size=100):
        assessments.filter(pk=assessment.pk).update(
            report=unpack_document(assessment.archive)
        )


class Migration(migrations.Migration):
    dependencies = [("advisor", "0011_ruleset_parameters")]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="archive",
            field=models.BinaryField(default=b"", editable=False),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="assessment",
            name="report",
            field=models.JSONField(default=dict),
        ),
        migrations.RunPython(pack, unpack, elidable=False),
        migrations.RemoveField(model_name="assessment", name="report"),
        migrations.AlterField(
            model_name="assessment",
            name="archive",
            field=models.BinaryField(
                editable=False,
                help_text="The assessment document as the command line prints it, archived "
                "as compressed JSON (advisor.jsonio; read it as `report`); the pages read "
                "the rows of its subjects and findings.",
            ),
        ),
    ]
