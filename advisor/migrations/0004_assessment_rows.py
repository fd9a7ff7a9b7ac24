"""Assessments as rows: a row per product, person and squad each assessment assessed, and
per finding, beside the archived document; migration 0005 then drops the facts document and
the name → verdict map they replace.

Assessments kept before this migration stored names, not ids: each subject is linked to
the live product, person or squad of the same name in its organization, when one exists
at migration time; one that does not is kept unlinked (matched on its name in
comparisons). Facts come from the stored facts document, matched on names as the pages
used to match them.
"""

import advisor.engine.vocabulary
import django.db.models.deletion
from django.db import migrations, models


BATCH_SIZE = 1_000
KINDS = (("product", "products"), ("person", "people"), ("squad", "squads"))


def _live_ids(apps, organization_id):
    """Scope → name → id of the organization's live subjects."""
    models = {
        "product": apps.get_model("orgs", "Product"),
        "person": apps.get_model("orgs", "Person"),
        "squad": apps.get_model("orgs", "Squad"),
    }
    return {
        scope: dict(model.objects.filter(organization_id=organization_id).values_list("name", "id"))
        for scope, model in models.items()
    }


def _int_or_none(value):
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def rows_from_documents(apps, schema_editor):
    Assessment = apps.get_model("advisor", "Assessment")
    AssessedSubject = apps.get_model("advisor", "AssessedSubject")
    AssessedFinding = apps.get_model("advisor", "AssessedFinding")
    live = {}
    for assessment in Assessment.objects.order_by("pk").iterator(chunk_size=50):
        report = assessment.report or {}
        facts = assessment.facts or {}
        if assessment.organization_id not in live:
            live = {assessment.organization_id: _live_ids(apps, assessment.organization_id)}
        ids = live[assessment.organization_id]
        missing = {}
        for m in report.get("missing_facts", []):
            missing.setdefault((m.get("scope"), m.get("subject")), []).append(
                {
                    "fact": m.get("fact", ""),
                    "field": m.get("field", ""),
                    "meaning": m.get("meaning", ""),
                }
            )
        subjects, findings_of = [], []
        for scope, kind in KINDS:
            facts_of = {s.get("name"): s.get("facts", {}) for s in facts.get(kind, [])}
            for position, entry in enumerate(report.get(kind, []), start=1):
                name = entry.get("name", "")
                subject_facts = facts_of.get(name, {})
                found = missing.get((scope, name), [])
                row = AssessedSubject(
                    assessment_id=assessment.pk,
                    scope=scope,
                    position=position,
                    name=name,
                    facts=subject_facts,
                    finding_count=len(entry.get("findings", [])),
                    missing_facts=found,
                    missing_count=len(found),
                    **{f"{scope}_id": ids[scope].get(name)},
                )
                if scope == "product":
                    current = entry.get("current") or {}
                    recommended = entry.get("recommended") or {}
                    row.verdict = entry.get("verdict", "")
                    row.current_pms = _int_or_none(current.get("product_managers"))
                    row.current_pos = _int_or_none(current.get("product_owners"))
                    row.recommended_pms = _int_or_none(recommended.get("product_managers"))
                    row.recommended_pos = _int_or_none(recommended.get("product_owners"))
                    row.actions = list(entry.get("actions", []))
                elif scope == "person":
                    row.role = entry.get("role") or ""
                    row.scope_role = entry.get("scope_role") or ""
                    row.votes = list(entry.get("scope_votes", []))
                    row.squads_served = _int_or_none(subject_facts.get("squads_served"))
                subjects.append(row)
                findings_of.append(entry.get("findings", []))
        AssessedSubject.objects.bulk_create(subjects, batch_size=BATCH_SIZE)
        pk_of = {
            (scope, position): pk
            for scope, position, pk in AssessedSubject.objects.filter(
                assessment_id=assessment.pk
            ).values_list("scope", "position", "pk")
        }
        AssessedFinding.objects.bulk_create(
            (
                AssessedFinding(
                    assessment_id=assessment.pk,
                    subject_id=pk_of[(row.scope, row.position)],
                    position=position,
                    heuristic=f.get("heuristic", ""),
                    name=f.get("name", ""),
                    outcome=f.get("outcome", ""),
                    severity=f.get("severity", ""),
                    message=f.get("message", ""),
                    evidence=f.get("evidence", {}),
                    thresholds=f.get("thresholds", {}),
                    trace=f.get("trace", []),
                    sources=f.get("sources", []),
                )
                for row, found in zip(subjects, findings_of)
                for position, f in enumerate(found, start=1)
            ),
            batch_size=BATCH_SIZE,
        )
        assessment.errors = list(report.get("errors", []))
        assessment.save(update_fields=["errors"])


class Migration(migrations.Migration):
    dependencies = [
        ("advisor", "0003_ruleset_versions"),
        ("orgs", "0002_default_title_patterns"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="errors",
            field=models.JSONField(
                blank=True, default=list, help_text="What of the ruleset the engine could not use."
            ),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="report",
            field=models.JSONField(
                help_text="The assessment document as the command line prints it, archived; the pages read the rows of its subjects and findings."
            ),
        ),
        migrations.CreateModel(
            name="AssessedSubject",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "scope",
                    models.CharField(
                        choices=[("product", "Product"), ("squad", "Squad"), ("person", "Person")],
                        max_length=10,
                    ),
                ),
                (
                    "position",
                    models.PositiveIntegerField(
                        help_text="Its place among the assessment's subjects of its scope, from 1, in the order of the assessment document."
                    ),
                ),
                (
                    "name",
                    models.CharField(help_text="The name it had when assessed.", max_length=200),
                ),
                (
                    "facts",
                    models.JSONField(
                        blank=True, default=dict, help_text="The facts the engine computed for it."
                    ),
                ),
                ("finding_count", models.PositiveIntegerField(default=0)),
                (
                    "missing_facts",
                    models.JSONField(
                        blank=True, default=list,
                        help_text="Its unknown facts a heuristic needed: [{fact, field, meaning}].",
                    ),
                ),
                ("missing_count", models.PositiveIntegerField(default=0)),
                (
                    "verdict",
                    models.CharField(
                        blank=True,
                        choices=[
                            (advisor.engine.vocabulary.Verdict["PM_ONLY"], "PM only"),
                            (advisor.engine.vocabulary.Verdict["SPLIT"], "Split"),
                            (advisor.engine.vocabulary.Verdict["MERGE"], "Merge"),
                            (advisor.engine.vocabulary.Verdict["KEEP"], "Keep"),
                        ],
                        max_length=10,
                    ),
                ),
                ("current_pms", models.PositiveIntegerField(blank=True, null=True)),
                ("current_pos", models.PositiveIntegerField(blank=True, null=True)),
                ("recommended_pms", models.PositiveIntegerField(blank=True, null=True)),
                ("recommended_pos", models.PositiveIntegerField(blank=True, null=True)),
                ("actions", models.JSONField(blank=True, default=list)),
                ("role", models.CharField(blank=True, max_length=20)),
                ("scope_role", models.CharField(blank=True, max_length=20)),
                ("votes", models.JSONField(blank=True, default=list)),
                ("squads_served", models.PositiveIntegerField(blank=True, null=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="subjects",
                        to="advisor.assessment",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="orgs.person",
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="orgs.product",
                    ),
                ),
                (
                    "squad",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="orgs.squad",
                    ),
                ),
            ],
            options={
                "ordering": ["assessment", "scope", "position"],
            },
        ),
        migrations.CreateModel(
            name="AssessedFinding",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "position",
                    models.PositiveIntegerField(
                        help_text="Its place among its subject's findings."
                    ),
                ),
                ("heuristic", models.CharField(help_text="The heuristic's code.", max_length=80)),
                ("name", models.CharField(blank=True, max_length=200)),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            (advisor.engine.vocabulary.Outcome["SPLIT"], "Split the roles"),
                            (advisor.engine.vocabulary.Outcome["MERGE"], "Merge the roles"),
                            (advisor.engine.vocabulary.Outcome["PM_ONLY"], "Product manager only"),
                            (advisor.engine.vocabulary.Outcome["RETITLE"], "Retitle"),
                            (advisor.engine.vocabulary.Outcome["GAP"], "Coverage gap"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "severity",
                    models.CharField(
                        choices=[
                            (advisor.engine.vocabulary.Severity["INFO"], "Info"),
                            (advisor.engine.vocabulary.Severity["WARNING"], "Warning"),
                            (advisor.engine.vocabulary.Severity["CRITICAL"], "Critical"),
                        ],
                        max_length=10,
                    ),
                ),
                ("message", models.TextField()),
                ("evidence", models.JSONField(blank=True, default=dict, help_text="Fact → value it read.")),
                (
                    "thresholds",
                    models.JSONField(blank=True, default=dict, help_text="Parameter → value it compared with."),
                ),
                (
                    "trace",
                    models.JSONField(
                        blank=True, default=list, help_text="Each clause it compared, with its result."
                    ),
                ),
                ("sources", models.JSONField(blank=True, default=list)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="findings",
                        to="advisor.assessment",
                    ),
                ),
                (
                    "subject",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="findings",
                        to="advisor.assessedsubject",
                    ),
                ),
            ],
            options={
                "ordering": ["subject", "position"],
            },
        ),
        migrations.AddConstraint(
            model_name="assessedsubject",
            constraint=models.UniqueConstraint(
                fields=("assessment", "scope", "position"), name="assessed_subject_place"
            ),
        ),
        migrations.AddConstraint(
            model_name="assessedsubject",
            constraint=models.CheckConstraint(
                condition=models.Q(("scope__in", ["product", "squad", "person"])),
                name="assessed_subject_scope",
            ),
        ),
        migrations.AddIndex(
            model_name="assessedfinding",
            index=models.Index(
                fields=["assessment", "heuristic"], name="advisor_ass_assessm_4c265e_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="assessedfinding",
            constraint=models.UniqueConstraint(
                fields=("subject", "position"), name="assessed_finding_place"
            ),
        ),
        migrations.RunPython(rows_from_documents, migrations.RunPython.noop),
    ]
