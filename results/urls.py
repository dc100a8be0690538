from django.urls import path

from .views import framework, library

app_name = "results"

# The results page and the framework's editing pages (results.views.framework).
urlpatterns = [
    path("activities/<int:pk>/results/", framework.activity_results, name="activity"),
    path("activities/<int:pk>/results/new/", framework.result_create, name="result_create"),
    path("activities/<int:pk>/results/benefits/", framework.benefits_edit, name="benefits"),
    path("activities/<int:pk>/results/scaling-up/", framework.pathway_edit, name="pathway"),
    path(
        "activities/<int:pk>/results/related/new/",
        framework.relation_create,
        name="relation_create",
    ),
    path("results/result/<int:pk>/edit/", framework.result_edit, name="result_edit"),
    path("results/result/<int:pk>/delete/", framework.result_delete, name="result_delete"),
    path(
        "results/result/<int:pk>/indicators/new/",
        framework.indicator_create,
        name="indicator_create",
    ),
    path("results/indicators/<int:pk>/edit/", framework.indicator_edit, name="indicator_edit"),
    path(
        "results/indicators/<int:pk>/delete/", framework.indicator_delete, name="indicator_delete"
    ),
    path("results/indicators/<int:pk>/periods/new/", framework.period_create, name="period_create"),
    path(
        "results/indicators/<int:pk>/periods/annual/",
        framework.annual_periods,
        name="annual_periods",
    ),
    path("results/periods/<int:pk>/edit/", framework.period_edit, name="period_edit"),
    path("results/periods/<int:pk>/delete/", framework.period_delete, name="period_delete"),
    path("results/related/<int:pk>/delete/", framework.relation_delete, name="relation_delete"),
    path("results/library/", library.library, name="library"),
]
