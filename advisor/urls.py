from django.urls import path

from advisor import printout_views, views

app_name = "advisor"

urlpatterns = [
    path("orgs/<slug:slug>/assess/", views.assess, name="assess"),
    path("orgs/<slug:slug>/assessments/", views.assessment_list, name="assessment_list"),
    path(
        "orgs/<slug:slug>/assessments/compare/",
        views.assessment_compare,
        name="assessment_compare",
    ),
    path(
        "orgs/<slug:slug>/assessments/<int:pk>/",
        views.assessment_detail,
        name="assessment_detail",
    ),
    path("heuristics/", views.heuristic_list, name="heuristic_list"),
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
