"""Published ruleset versions, structured sources, and every assessment pointing at a version.

1. Heuristic sources become structured ({title, quote, link}): a default whose text
   was never edited gets the defaults' sources; any other text is read the way the
   pages used to read it (`article.txt: "quote"; ...`).
2. Assessments made before versions existed get one version rebuilt from the rules
   as they are now, marked `rebuilt`; their documents name it, and their findings'
   source text becomes structured as the heuristics' did.
3. The rules in force are published: v1 on a new database.
"""

import re

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# How the pages read a source text before sources were structured.
_SOURCE_FILE = re.compile(r"(?:^|;\s*)([\w.-]+\.txt):\s*")
UNTITLED = "Untitled source"
MAX_QUOTE = 1000


def legacy_sources(text):
    """`a.txt: "quote"; b.txt: words` as sources; text naming no file is one untitled quote."""
    from advisor.defaults import ARTICLE_TITLES

    text = (text or "").strip()
    matches = list(_SOURCE_FILE.finditer(text))
    pieces = []
    if not matches:
        pieces = [("", text)] if text else []
    elif matches[0].start() > 0:
        pieces.append(("", text[: matches[0].start()].strip()))
    for match, following in zip(matches, [*matches[1:], None]):
        end = following.start() if following else len(text)
        quote = text[match.end() : end].strip()
        if len(quote) >= 2 and quote[0] == quote[-1] == '"':
            quote = quote[1:-1]
        pieces.append((match.group(1), quote))
    return [
        {
            "title": ARTICLE_TITLES.get(file, file) or UNTITLED,
            "quote": quote if len(quote) <= MAX_QUOTE else quote[: MAX_QUOTE - 1] + "…",
            "link": "",
        }
        for file, quote in pieces
        if quote
    ]


def legacy_text(sources):
    from advisor.defaults import ARTICLE_TITLES

    file_of = {title: file for file, title in ARTICLE_TITLES.items()}
    return "; ".join(
        f'{file_of.get(s["title"], s["title"])}: "{s["quote"]}"' for s in sources or []
    )


def structure_sources(apps, schema_editor):
    from importlib import import_module

    from advisor.defaults import DEFAULT_HEURISTICS

    legacy_defaults = import_module("advisor.migrations.0002_default_heuristics").LEGACY_SOURCES
    defaults = {row["code"]: row["sources"] for row in DEFAULT_HEURISTICS}
    Heuristic = apps.get_model("advisor", "Heuristic")
    for row in Heuristic.objects.using(schema_editor.connection.alias).order_by("pk"):
        untouched = legacy_defaults.get(row.code) == row.source
        row.sources = defaults[row.code] if untouched else legacy_sources(row.source)
        row.save(update_fields=["sources"])


def unstructure_sources(apps, schema_editor):
    Heuristic = apps.get_model("advisor", "Heuristic")
    for row in Heuristic.objects.using(schema_editor.connection.alias).order_by("pk"):
        row.source = legacy_text(row.sources)
        row.save(update_fields=["source"])


def _with_structured_sources(report, label):
    report = dict(report or {})
    report["ruleset_version"] = label
    for kind in ("products", "people", "squads"):
        for subject in report.get(kind) or []:
            for finding in subject.get("findings") or []:
                if "sources" not in finding:
                    finding["sources"] = legacy_sources(finding.pop("source", ""))
    return report


def publish_versions(apps, schema_editor):
    from advisor.rulesets import RuleModels, publish_from

    database = schema_editor.connection.alias
    rules = RuleModels.of(apps, database)
    Assessment = apps.get_model("advisor", "Assessment")
    earlier = Assessment.objects.using(database)
    if earlier.exists():
        rebuilt = publish_from(
            rules,
            note="Rebuilt from the rules in force when ruleset versions were introduced, for "
            "the assessments made before: the rules those used were not recorded.",
            rebuilt=True,
        )
        for assessment in earlier.only("pk", "report").order_by("pk").iterator(chunk_size=50):
            assessment.report = _with_structured_sources(assessment.report, f"v{rebuilt.number}")
            assessment.ruleset_id = rebuilt.pk
            assessment.save(update_fields=["report", "ruleset"])
    publish_from(rules, note="The rules in force when ruleset versions were introduced.")


def unpublish_versions(apps, schema_editor):
    database = schema_editor.connection.alias
    Assessment = apps.get_model("advisor", "Assessment")
    for assessment in Assessment.objects.using(database).select_related("ruleset").iterator():
        assessment.ruleset_version = assessment.ruleset.digest[:12]
        assessment.ruleset = None
        assessment.save(update_fields=["ruleset_version", "ruleset"])
    apps.get_model("advisor", "RulesetVersion").objects.using(database).all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("advisor", "0002_default_heuristics"),
        ("orgs", "0002_default_title_patterns"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RulesetVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField(help_text="Shown as v1, v2, ...", unique=True)),
                ("content", models.JSONField(help_text="The ruleset document.")),
                ("digest", models.CharField(help_text="sha256 of the document's canonical JSON.", max_length=64)),
                ("published_at", models.DateTimeField(auto_now_add=True)),
                ("note", models.TextField(blank=True)),
                (
                    "rebuilt",
                    models.BooleanField(
                        default=False,
                        help_text="Rebuilt by a migration for assessments made before versions were kept: the rules of that day, not necessarily those the assessments used.",
                    ),
                ),
                (
                    "published_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["-number"], "get_latest_by": "number"},
        ),
        migrations.AddField(
            model_name="heuristic",
            name="sources",
            field=models.JSONField(
                default=list,
                help_text='The practitioner texts it rests on: [{"title": the article\'s title, "quote": the sentence quoted from it, "link": an http(s) address or ""}, ...].',
            ),
        ),
        migrations.RunPython(structure_sources, unstructure_sources),
        # A default first, so that migrating back can add the column to existing rows.
        migrations.AlterField(
            model_name="heuristic",
            name="source",
            field=models.TextField(default="", help_text="The practitioner text the heuristic rests on."),
        ),
        migrations.RemoveField(model_name="heuristic", name="source"),
        migrations.AddField(
            model_name="assessment",
            name="ruleset",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="assessments",
                to="advisor.rulesetversion",
                help_text="The ruleset version the assessment was judged by.",
            ),
        ),
        migrations.RunPython(publish_versions, unpublish_versions),
        migrations.AlterField(
            model_name="assessment",
            name="ruleset_version",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.RemoveField(model_name="assessment", name="ruleset_version"),
        migrations.AlterField(
            model_name="assessment",
            name="ruleset",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="assessments",
                to="advisor.rulesetversion",
                help_text="The ruleset version the assessment was judged by.",
            ),
        ),
    ]
