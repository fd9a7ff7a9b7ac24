"""WSGI entry point: `gunicorn config.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

# A server started here answers the network: the settings then default to DEBUG off
# and refuse the development secret key, whatever the environment forgot to say.
os.environ["ADVISOR_ENTRY_POINT"] = "wsgi"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()
