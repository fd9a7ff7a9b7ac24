"""The facts document and the name → verdict map of an assessment, replaced by its rows (0004).

A migration of its own: on PostgreSQL, altering the table in the transaction that wrote the
rows would meet their deferred foreign-key checks.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("advisor", "0004_assessment_rows")]

    operations = [
        migrations.RemoveField(
            model_name="assessment",
            name="facts",
        ),
        migrations.RemoveField(
            model_name="assessment",
            name="verdicts",
        ),
    ]
