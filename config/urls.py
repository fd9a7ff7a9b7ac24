from django.contrib import admin
from django.urls import include, path

from orgs.views import accounts

urlpatterns = [
    path("admin/", admin.site.urls),
    # Ahead of Django's own views of the same names: the reset request is rate-limited
    # and does the same work for every address.
    path("accounts/password_reset/", accounts.password_reset, name="password_reset"),
    path(
        "accounts/password_reset/done/",
        accounts.password_reset_done,
        name="password_reset_done",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("orgs.urls")),
    path("", include("advisor.urls")),
]
