"""Notes and projections (issue 7).

1. `Assessment.is_projection`: an assessment made for an as-of date after the day it was
   made is a projection, never the organization's latest advice. Assessments kept before
   are marked by that rule, from the day they were created.
2. The outcome `note`, and the two default note heuristics of DOMAIN.md
   (`note-pm-in-ceremonies`, `note-strategy-starved`) added after the heuristics there
   are, unless a heuristic of that code is already there (an admin's or another
   migration's); then the rules in force are published as a new ruleset version, as
   0003 does.
"""

from django.db import migrations, models
from django.db.models import F, Max

import advisor.engine.vocabulary

PUBLISHED_NOTE = (
    "The outcome note and the two default notes: note-pm-in-ceremonies and "
    "note-strategy-starved."
)


def add_notes_and_mark_projections(apps, schema_editor):
    from advisor.defaults import NOTE_HEURISTICS
    from advisor.rulesets import RuleModels, publish_from

    database = schema_editor.connection.alias
    Assessment = apps.get_model("advisor", "Assessment")
    Assessment.objects.using(database).filter(as_of__gt=F("created_at__date")).update(
        is_projection=True
    )
    Heuristic = apps.get_model("advisor", "Heuristic")
    heuristics = Heuristic.objects.using(database)
    existing = set(heuristics.values_list("code", flat=True))
    position = heuristics.aggregate(last=Max("position"))["last"] or 0
    for row in NOTE_HEURISTICS:
        if row["code"] in existing:
            continue
        position += 10
        heuristics.create(position=position, **{**row, "scope": str(row["scope"])})
    publish_from(RuleModels.of(apps, database), note=PUBLISHED_NOTE)


def remove_notes(apps, schema_editor):
    """Heuristics with the outcome note go, with the version this migration published if
    no assessment used it (one that did keeps it: assessments protect their version)."""
    database = schema_editor.connection.alias
    apps.get_model("advisor", "Heuristic").objects.using(database).filter(outcome="note").delete()
    apps.get_model("advisor", "RulesetVersion").objects.using(database).filter(
        note=PUBLISHED_NOTE, assessments__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("advisor", "0007_decisions"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="is_projection",
            field=models.BooleanField(
                default=False,
                help_text="Made for an as-of date after the day it was made: a projection, "
                "never the organization's latest advice.",
            ),
        ),
        migrations.AlterField(
            model_name="assessedfinding",
            name="outcome",
            field=models.CharField(
                choices=[
                    (advisor.engine.vocabulary.Outcome["SPLIT"], "Split the roles"),
                    (advisor.engine.vocabulary.Outcome["MERGE"], "Merge the roles"),
                    (advisor.engine.vocabulary.Outcome["PM_ONLY"], "Product manager only"),
                    (advisor.engine.vocabulary.Outcome["RETITLE"], "Retitle"),
                    (advisor.engine.vocabulary.Outcome["GAP"], "Coverage gap"),
                    (advisor.engine.vocabulary.Outcome["NOTE"], "Note"),
                ],
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="heuristic",
            name="outcome",
            field=models.CharField(
                choices=[
                    (advisor.engine.vocabulary.Outcome["SPLIT"], "Split the roles"),
                    (advisor.engine.vocabulary.Outcome["MERGE"], "Merge the roles"),
                    (advisor.engine.vocabulary.Outcome["PM_ONLY"], "Product manager only"),
                    (advisor.engine.vocabulary.Outcome["RETITLE"], "Retitle"),
                    (advisor.engine.vocabulary.Outcome["GAP"], "Coverage gap"),
                    (advisor.engine.vocabulary.Outcome["NOTE"], "Note"),
                ],
                max_length=10,
            ),
        ),
        migrations.RunPython(add_notes_and_mark_projections, remove_notes),
    ]
