"""Settings for the team-structure advisor, read from the environment.

Every value that differs between a laptop and production comes from an
environment variable. The defaults depend on how the process was started: the
server entry points (config/wsgi.py, config/asgi.py) default to production, so a
forgotten DEBUG=false cannot open the debug pages or sign sessions with a known
key; manage.py (runserver, quickstart, the other commands) and the tests default
to local development (SQLite, DEBUG on, a development secret key).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable; anything unrecognised is an error."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# Set by config/wsgi.py and config/asgi.py before these settings load.
SERVING = os.environ.get("ADVISOR_ENTRY_POINT") in {"wsgi", "asgi"}

DEBUG = env_bool("DEBUG", not SERVING)

DEVELOPMENT_SECRET_KEY = "django-insecure-local-development-only-never-in-production"
NEW_KEY_COMMAND = (
    "python -c 'from django.core.management.utils import get_random_secret_key; "
    "print(get_random_secret_key())'"
)


def secret_key(raw: str, *, debug: bool, serving: bool) -> str:
    """The key that signs sessions, reset links and CSRF tokens.

    The development key is public (it is in this file), so only a local
    manage.py process with DEBUG on may fall back to it; everything else needs a
    key that passes Django's own deployment check (at least 50 characters, 5
    different, not a django-insecure- key).
    """
    development = debug and not serving
    if not raw:
        if development:
            return DEVELOPMENT_SECRET_KEY
        where = "by config.wsgi and config.asgi" if serving else "when DEBUG is off"
        raise ImproperlyConfigured(
            f"SECRET_KEY must be set {where}; the development key is only for manage.py "
            f"with DEBUG on. Make one with: {NEW_KEY_COMMAND}"
        )
    if development:
        return raw
    if raw.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            "SECRET_KEY is a development key (it starts with 'django-insecure-'); "
            f"set a secret one. Make one with: {NEW_KEY_COMMAND}"
        )
    if len(raw) < 50 or len(set(raw)) < 5:
        raise ImproperlyConfigured(
            f"SECRET_KEY is too weak: {len(raw)} characters, {len(set(raw))} different; "
            f"it needs at least 50 characters, 5 different. Make one with: {NEW_KEY_COMMAND}"
        )
    return raw


SECRET_KEY = secret_key(os.environ.get("SECRET_KEY", ""), debug=DEBUG, serving=SERVING)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_tasks_db",
    "orgs",
    "advisor",
    # For its migration that creates the cache table.
    "config",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered above this line and keep whitenoise's long caching;
    # every other response is marked private and never stored.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.NoStoreMiddleware",
    "config.middleware.NulInQueryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that a locked-out login never reaches the view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite as a web app's database (Django's SQLite notes): the write-ahead log lets pages
    # read while an assessment is written, and commits without waiting for the disk twice;
    # a write transaction takes its lock at BEGIN, so two writers queue (up to `timeout`
    # seconds) instead of failing with "database is locked" half way through.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# In the database, so that every web and task process counts the same password-reset
# requests (config/migrations creates the table on migrate).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
        # Culling a full table drops a third of the rows, counters included; keep it
        # far above what an hour of reset requests writes, so a flood of made-up
        # addresses does not push the real counters out.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
    # Rendered HTML that a key fully determines (docs/performance.md): parts of pages kept
    # in each worker's memory, keyed on what they show, so an entry is never stale, only
    # unused. An entry is at most about 200 kB (an assessment page of 1,000 squads), so
    # 300 entries bound a worker's share to about 60 MB; past that a third is dropped.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "TIMEOUT": 24 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 300},
    },
}

# Password-reset mail is sent by a task. In production it waits in the database for
# `manage.py db_worker`, so the reset form answers in the same time whether or not an
# account uses the address; locally it runs at once, printing the mail.
TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if DEBUG
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# Debug pages only for a browser on this machine; anyone else gets the plain error page.
DEFAULT_EXCEPTION_REPORTER = "config.debug.LocalOnlyExceptionReporter"

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "orgs:organization_list"
LOGOUT_REDIRECT_URL = "login"

# Five failed logins for one user name from one address lock that pair out for
# fifteen minutes; a success resets the count.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The address the login lockout and the password-reset limits count (see BEHIND_TLS_PROXY).
AXES_CLIENT_IP_CALLABLE = "config.network.client_ip"

# Password-reset mail: at most this many requests an hour for one email address, and
# for one client address, whether or not an account uses the email address.
PASSWORD_RESET_MAILS_PER_ADDRESS = 3
PASSWORD_RESET_MAILS_PER_CLIENT = 10
PASSWORD_RESET_WINDOW_SECONDS = 3600

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The largest interchange document the import reads, from a file, standard input or an
# upload; the default admits the export of any organization the app is built for
# (docs/interchange.md, "Size").
ORG_DOCUMENT_MAX_BYTES = int(os.environ.get("ORG_DOCUMENT_MAX_BYTES", str(100 * 1024 * 1024)))
# Form fields only: an uploaded file does not count, and one over
# FILE_UPLOAD_MAX_MEMORY_SIZE waits in a temporary file rather than in memory until the
# import reads it, so a document can be far larger than either.
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = min(6 * 1024 * 1024, ORG_DOCUMENT_MAX_BYTES)

# Mail (password resets) goes to the console in development unless EMAIL_HOST names an
# SMTP server. With DEBUG off it always goes by SMTP (to localhost unless EMAIL_HOST says
# otherwise): a console backend in production would silently drop every password reset.
if os.environ.get("EMAIL_HOST") or not DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST") or "localhost",
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "advisor@localhost")

# No inline script anywhere: htmx is loaded from static/, with the nonce
# {% htmx_script %} adds.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Links in mail sent without a request (the scheduled re-assessments): the address people
# reach the site at.
ADVISOR_SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000")

# How long an invitation's link works (it works once).
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "7"))
