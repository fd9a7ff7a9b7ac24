from django.urls import path

from orgs.views import (
    accounts,
    chart,
    invitations,
    members,
    organizations,
    people,
    products,
    scenarios,
    transfer,
)

app_name = "orgs"

# Every URL under orgs/<slug>/ is guarded by orgs.access.organization_view.
urlpatterns = [
    path("accounts/signup/", accounts.signup, name="signup"),
    path("", organizations.organization_list, name="organization_list"),
    path("new/", organizations.organization_create, name="organization_create"),
    path("import/", transfer.organization_import, name="organization_import"),
    path("orgs/<slug:slug>/", organizations.organization_detail, name="organization_detail"),
    path(
        "orgs/<slug:slug>/settings/",
        organizations.organization_settings,
        name="organization_settings",
    ),
    path("orgs/<slug:slug>/delete/", organizations.organization_delete, name="organization_delete"),
    path("orgs/<slug:slug>/export/", transfer.organization_export, name="organization_export"),
    path("orgs/<slug:slug>/chart/", chart.org_chart, name="org_chart"),
    path("orgs/<slug:slug>/members/", members.member_list, name="member_list"),
    path("orgs/<slug:slug>/members/add/", members.member_add, name="member_add"),
    path("orgs/<slug:slug>/members/<int:pk>/role/", members.member_role, name="member_role"),
    path("orgs/<slug:slug>/members/<int:pk>/remove/", members.member_remove, name="member_remove"),
    path("orgs/<slug:slug>/products/new/", products.product_create, name="product_create"),
    path("orgs/<slug:slug>/products/<int:pk>/edit/", products.product_edit, name="product_edit"),
    path(
        "orgs/<slug:slug>/products/<int:pk>/delete/",
        products.product_delete,
        name="product_delete",
    ),
    path("orgs/<slug:slug>/squads/new/", products.squad_create, name="squad_create"),
    path("orgs/<slug:slug>/squads/<int:pk>/edit/", products.squad_edit, name="squad_edit"),
    path("orgs/<slug:slug>/squads/<int:pk>/delete/", products.squad_delete, name="squad_delete"),
    path("orgs/<slug:slug>/people/new/", people.person_create, name="person_create"),
    path("orgs/<slug:slug>/people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    path("orgs/<slug:slug>/people/<int:pk>/delete/", people.person_delete, name="person_delete"),
    path(
        "orgs/<slug:slug>/people/title-role/",
        people.person_title_role,
        name="person_title_role",
    ),
    path(
        "orgs/<slug:slug>/members/invite/",
        invitations.invitation_create,
        name="invitation_create",
    ),
    path(
        "orgs/<slug:slug>/invitations/<int:pk>/withdraw/",
        invitations.invitation_withdraw,
        name="invitation_withdraw",
    ),
    # Not an organization URL: the token is the key, and who may use it is checked inside.
    path("invitations/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
]

# What-if scenarios (orgs.scenarios): a scenario's URLs are those of an organization.
urlpatterns += [
    path("orgs/<slug:slug>/scenarios/new/", scenarios.scenario_create, name="scenario_create"),
    path("orgs/<slug:slug>/apply/", scenarios.scenario_apply, name="scenario_apply"),
]
