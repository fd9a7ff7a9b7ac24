"""`migrate` alone prepares a new database, the cache table included."""

from tests.config.test_settings import run


def test_migrate_creates_the_cache_table(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}"}
    migrated = run(["manage.py", "migrate", "--verbosity", "0"], env)
    assert migrated.returncode == 0, migrated.stderr
    listed = run(
        [
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from django.db import connection; "
            "print('django_cache' in connection.introspection.table_names())",
        ],
        env,
    )
    assert listed.stdout == "True\n", listed.stderr
