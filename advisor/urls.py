from django.urls import path

from advisor import decision_views, history_views, printout_views, scenario_views, views

app_name = "advisor"

urlpatterns = [
    path("orgs/<slug:slug>/assess/", views.assess, name="assess"),
    path("orgs/<slug:slug>/assessments/", views.assessment_list, name="assessment_list"),
    path(
        "orgs/<slug:slug>/assessments/compare/",
        history_views.assessment_compare,
        name="assessment_compare",
    ),
    path(
        "orgs/<slug:slug>/assessments/<int:pk>/",
        views.assessment_detail,
        name="assessment_detail",
    ),
    path("heuristics/", views.heuristic_list, name="heuristic_list"),
    path(
        "orgs/<slug:slug>/assessments/<int:pk>/delete/",
        history_views.assessment_delete,
        name="assessment_delete",
    ),
    path(
        "orgs/<slug:slug>/assessments/trends/",
        history_views.assessment_trends,
        name="assessment_trends",
    ),
]

# Decisions on advice (advisor.decision_views).
urlpatterns += [
    path(
        "orgs/<slug:slug>/assessments/<int:pk>/findings/<int:finding_pk>/decide/",
        decision_views.decide,
        name="decide",
    ),
    path(
        "orgs/<slug:slug>/assessments/<int:pk>/findings/<int:finding_pk>/reopen/",
        decision_views.reopen,
        name="reopen_decision",
    ),
    path(
        "orgs/<slug:slug>/decisions/<int:pk>/",
        decision_views.decision_history,
        name="decision_history",
    ),
]

# What-if scenarios' advice (advisor.scenario_views); the scenario is the slug's organization.
urlpatterns += [
    path(
        "orgs/<slug:slug>/scenario/compare/",
        scenario_views.scenario_compare,
        name="scenario_compare",
    ),
    path(
        "orgs/<slug:slug>/scenario/hires/",
        scenario_views.scenario_add_hires,
        name="scenario_add_hires",
    ),
    path(
        "orgs/<slug:slug>/assessments/<int:pk>/print/",
        printout_views.assessment_print,
        name="assessment_print",
    ),
    path(
        "orgs/<slug:slug>/assessments/<int:pk>/advice.md",
        printout_views.assessment_markdown,
        name="assessment_markdown",
    ),
]
