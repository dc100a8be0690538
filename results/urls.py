from django.urls import path

from .views import follow_ups, tasks, updates

app_name = "results"

urlpatterns = [
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
]
