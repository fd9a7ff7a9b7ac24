"""The JSON columns of an assessment's rows become PostgreSQL's `json` (advisor.models.
RecordedJSONField): the text as written, checked but not converted to jsonb. Nothing to do
on other databases, and no change to the fields' state."""

from django.db import migrations

COLUMNS = {
    "advisor_assessedsubject": (
        "facts",
        "missing_facts",
        "actions",
        "hires",
        "what_would_change",
        "nearest_misses",
        "votes",
    ),
    "advisor_assessedfinding": ("evidence", "thresholds", "trace", "sources"),
}


def _retype(to: str):
    def retype(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        quote = schema_editor.quote_name
        for table, columns in COLUMNS.items():
            changes = ", ".join(
                f"ALTER COLUMN {quote(c)} TYPE {to} USING {quote(c)}::{to}" for c in columns
            )
            schema_editor.execute(f"ALTER TABLE {quote(table)} {changes}")

    return retype


class Migration(migrations.Migration):
    dependencies = [("advisor", "0013_recorded_json_without_sqlite_check")]

    operations = [migrations.RunPython(_retype("json"), _retype("jsonb"))]
