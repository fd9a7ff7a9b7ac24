"""Create the database cache's table, so that `migrate` is the only set-up step."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    # Leaves the table on the way back: it holds only counters that expire.
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
