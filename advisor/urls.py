from django.urls import path

from advisor import history_views, views

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
