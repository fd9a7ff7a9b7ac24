"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

# A server started here answers the network: the settings then default to DEBUG off
# and refuse the development secret key, whatever the environment forgot to say.
os.environ["ADVISOR_ENTRY_POINT"] = "asgi"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_asgi_application()
