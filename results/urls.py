from django.urls import path

from .views import dashboard

app_name = "results"

urlpatterns = [
    # The focal point's results dashboard (resdash).
    path("results/dashboard/", dashboard.dashboard, name="dashboard"),
    path("results/dashboard/results.xlsx", dashboard.dashboard_xlsx, name="dashboard_xlsx"),
    path(
        "results/dashboard/<int:pk>/activities/",
        dashboard.dashboard_activities,
        name="dashboard_activities",
    ),
]
