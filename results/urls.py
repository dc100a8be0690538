from django.urls import path

from .views import dashboard, follow_ups, framework, library, tasks, updates

app_name = "results"

urlpatterns = [
    # --- the results page and the framework's editing pages (results.views.framework) ---
    path("activities/<int:pk>/results/", framework.activity_results, name="activity"),
    path("activities/<int:pk>/results/history/", framework.results_history, name="history"),
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
    # --- periods, updates and their workflow; my tasks; learning-route follow-ups ---
    path("results/periods/<int:pk>/", updates.period_detail, name="period"),
    path("results/periods/<int:pk>/updates/new/", updates.update_create, name="update_create"),
    path("results/updates/<int:pk>/edit/", updates.update_edit, name="update_edit"),
    path("results/updates/<int:pk>/submit/", updates.update_submit, name="update_submit"),
    path("results/updates/<int:pk>/return/", updates.update_return, name="update_return"),
    path("results/updates/<int:pk>/approve/", updates.update_approve, name="update_approve"),
    path("results/updates/<int:pk>/revise/", updates.update_revise, name="update_revise"),
    path("results/updates/<int:pk>/delete/", updates.update_delete, name="update_delete"),
    path("results/updates/<int:pk>/evidence/", updates.evidence_download, name="evidence"),
    path("results/tasks/", tasks.my_tasks, name="tasks"),
    path("results/follow-ups/<int:pk>/", follow_ups.follow_up_record, name="follow_up"),
    path(
        "results/routes/<int:pk>/follow-ups/",
        follow_ups.route_follow_ups,
        name="route_follow_ups",
    ),
    # --- the focal point's results dashboard (results.views.dashboard) ---
    path("results/dashboard/", dashboard.dashboard, name="dashboard"),
    path("results/dashboard/results.xlsx", dashboard.dashboard_xlsx, name="dashboard_xlsx"),
    path(
        "results/dashboard/<int:pk>/activities/",
        dashboard.dashboard_activities,
        name="dashboard_activities",
    ),
]
