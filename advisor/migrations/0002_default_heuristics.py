from django.db import migrations

# The source of each default as this migration first wrote it, text naming the article
# file. 0003_ruleset_versions turns these into structured sources; the text is kept
# here so that a new database goes through the same steps as an old one.
LEGACY_SOURCES = {
    "split-three-plus-squads": 'pm-vs-po-split-or-merge.txt: "You have 3+ squads"',
    "split-backlog-overload": 'pm-vs-po-split-or-merge.txt: "more than 40% of the PM\'s time"',
    "split-strategy-stalled": 'pm-vs-po-split-or-merge.txt: "Strategy is suffering"',
    "split-multiple-markets": 'pm-vs-po-split-or-merge.txt: "serves multiple markets"',
    "merge-small-team": 'pm-vs-po-split-or-merge.txt: "When the Roles Merge"',
    "no-po-without-scrum": "pm-vs-po-roles-and-hiring.txt: \"if your company doesn't use an "
    "agile approach, you likely don't need a product owner\"; pm-vs-po-split-or-merge.txt: "
    "PO framework dependency is Scrum",
    "retitle-pm-doing-po-work": 'pm-vs-po-split-or-merge.txt: "Title Inflation and Job Posting Games"',
    "retitle-po-doing-pm-work": 'pm-vs-po-split-or-merge.txt: "Title Inflation and Job Posting Games"',
    "gap-squad-without-backlog-owner": "pm-vs-po-roles-and-hiring.txt: the PO keeps the backlog",
    "gap-product-without-roadmap-owner": "po-vs-pm-untangling.txt: the PM owns vision, strategy "
    "and roadmap",
}


def add_defaults(apps, schema_editor):
    from advisor.defaults import DEFAULT_HEURISTICS

    Heuristic = apps.get_model("advisor", "Heuristic")
    Heuristic.objects.bulk_create(
        Heuristic(
            position=(i + 1) * 10,
            **{key: value for key, value in row.items() if key not in ("sources", "scope")},
            scope=str(row["scope"]),
            source=LEGACY_SOURCES[row["code"]],
        )
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
