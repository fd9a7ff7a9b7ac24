"""How the entry point and the environment set DEBUG, the secret key and the task backend.

Each case loads the settings in a fresh Python process with exactly the environment
given, the way a server or manage.py would.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import DEVELOPMENT_SECRET_KEY, secret_key

BASE_DIR = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3J#9vQ!x2Lp$7mZ@4rT&8wY*1nB^6cF%0hD+5gS=eA-uI_oPzXq"

# What the settings module told us; printed as JSON by the child process.
REPORT = (
    "from django.conf import settings; import json; print(json.dumps({"
    "'DEBUG': settings.DEBUG, 'SECRET_KEY': settings.SECRET_KEY, "
    "'ALLOWED_HOSTS': settings.ALLOWED_HOSTS, "
    "'TASKS': settings.TASKS['default']['BACKEND'], "
    "'SECURE_SSL_REDIRECT': settings.SECURE_SSL_REDIRECT}))"
)
LOADERS = {
    "wsgi": f"import config.wsgi; {REPORT}",
    "asgi": f"import config.asgi; {REPORT}",
}

# The variables of the README's "Running in production".
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "advisor.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://advisor.example.com",
    "DATABASE_URL": "postgres://advisor:secret@db:5432/advisor",
    "EMAIL_HOST": "smtp.example.com",
}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run Python in the project folder with only PATH, HOME and the given variables."""
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env}
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True
    )


def loaded_through(entry_point: str, **env: str) -> dict:
    result = run(["-c", LOADERS[entry_point]], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def loaded_through_manage_py(**env: str) -> dict:
    result = run(["manage.py", "shell", "--no-imports", "-c", REPORT], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def refusal(entry_point: str, **env: str) -> str:
    """The last line of the traceback of a process the settings refused to start."""
    result = run(["-c", LOADERS[entry_point]], env)
    assert result.returncode == 1, result.stdout
    return result.stderr.strip().splitlines()[-1]


class TestManagePy:
    def test_with_nothing_set_is_local_development(self):
        assert loaded_through_manage_py() == {
            "DEBUG": True,
            "SECRET_KEY": DEVELOPMENT_SECRET_KEY,
            "ALLOWED_HOSTS": ["localhost", "127.0.0.1", "[::1]"],
            "TASKS": "django.tasks.backends.immediate.ImmediateBackend",
            "SECURE_SSL_REDIRECT": False,
        }

    def test_check_deploy_reports_no_issue_with_the_readme_production_variables(self):
        result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "System check identified no issues (0 silenced)."


class TestServerEntryPoints:
    @pytest.mark.parametrize("entry_point", ["wsgi", "asgi"])
    def test_a_forgotten_debug_means_production(self, entry_point):
        assert loaded_through(entry_point, SECRET_KEY=STRONG_KEY) == {
            "DEBUG": False,
            "SECRET_KEY": STRONG_KEY,
            "ALLOWED_HOSTS": [],
            "TASKS": "django_tasks_db.DatabaseBackend",
            "SECURE_SSL_REDIRECT": True,
        }

    @pytest.mark.parametrize("entry_point", ["wsgi", "asgi"])
    def test_refuse_to_start_without_a_secret_key(self, entry_point):
        assert refusal(entry_point) == (
            "django.core.exceptions.ImproperlyConfigured: SECRET_KEY must be set by "
            "config.wsgi and config.asgi; the development key is only for manage.py with "
            "DEBUG on. Make one with: python -c 'from django.core.management.utils import "
            "get_random_secret_key; print(get_random_secret_key())'"
        )

    def test_never_serve_with_the_development_key_even_with_debug_on(self):
        assert refusal("wsgi", DEBUG="true").startswith(
            "django.core.exceptions.ImproperlyConfigured: SECRET_KEY must be set by config.wsgi"
        )

    def test_debug_on_when_asked_for_with_a_real_key(self):
        assert loaded_through("wsgi", DEBUG="true", SECRET_KEY=STRONG_KEY)["DEBUG"] is True

    def test_refuse_the_development_key_given_explicitly(self):
        assert refusal("wsgi", SECRET_KEY=DEVELOPMENT_SECRET_KEY).startswith(
            "django.core.exceptions.ImproperlyConfigured: SECRET_KEY is a development key"
        )


class TestSecretKey:
    def test_development_falls_back_to_the_development_key(self):
        assert secret_key("", debug=True, serving=False) == DEVELOPMENT_SECRET_KEY

    def test_development_takes_any_key_given(self):
        assert secret_key("short", debug=True, serving=False) == "short"

    def test_debug_off_needs_a_key(self):
        with pytest.raises(
            ImproperlyConfigured, match=r"^SECRET_KEY must be set when DEBUG is off;"
        ):
            secret_key("", debug=False, serving=False)

    @pytest.mark.parametrize(("debug", "serving"), [(False, False), (False, True), (True, True)])
    def test_a_development_key_is_refused_outside_local_development(self, debug, serving):
        with pytest.raises(
            ImproperlyConfigured,
            match=r"^SECRET_KEY is a development key \(it starts with 'django-insecure-'\)",
        ):
            secret_key("django-insecure-" + STRONG_KEY, debug=debug, serving=serving)

    def test_a_short_key_is_refused_with_debug_off(self):
        with pytest.raises(
            ImproperlyConfigured,
            match=r"^SECRET_KEY is too weak: 49 characters, 49 different; it needs at least 50",
        ):
            secret_key(STRONG_KEY[:49], debug=False, serving=False)

    def test_a_key_of_too_few_different_characters_is_refused(self):
        with pytest.raises(
            ImproperlyConfigured, match=r"^SECRET_KEY is too weak: 60 characters, 4 different;"
        ):
            secret_key("abcd" * 15, debug=False, serving=True)

    def test_a_strong_key_is_used(self):
        assert secret_key(STRONG_KEY, debug=False, serving=True) == STRONG_KEY


@pytest.mark.skipif(
    "sqlite" not in __import__("django.db").db.connection.vendor, reason="SQLite's settings"
)
def test_a_sqlite_file_database_is_opened_with_the_write_ahead_log(db, tmp_path):
    from django.db import connection
    from django.db.backends.sqlite3.base import DatabaseWrapper

    wrapper = DatabaseWrapper({**connection.settings_dict, "NAME": str(tmp_path / "app.sqlite3")})
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone() == ("wal",)
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone() == (1,)  # NORMAL
        assert wrapper.transaction_mode == "IMMEDIATE"
    finally:
        wrapper.close()
