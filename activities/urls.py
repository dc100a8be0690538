from django.urls import path

from .views import duplicates, editing, export, pages, partners, saved_views

app_name = "activities"

urlpatterns = [
    path("activities/", pages.activity_list, name="list"),
    path("activities/export/", export.activity_export, name="export"),
    path("activities/views/", saved_views.saved_view_list, name="saved_views"),
    path("activities/views/<int:pk>/edit/", saved_views.saved_view_edit, name="saved_view_edit"),
    path(
        "activities/views/<int:pk>/delete/",
        saved_views.saved_view_delete,
        name="saved_view_delete",
    ),
    path("activities/views/<slug:token>/", saved_views.saved_view_open, name="saved_view"),
    path("activities/new/", editing.activity_create, name="create"),
    path("activities/<int:pk>/", pages.activity_detail, name="detail"),
    path("activities/<int:pk>/edit/", editing.activity_edit, name="edit"),
    path("activities/<int:pk>/status/", pages.activity_status, name="status"),
    path("activities/<int:pk>/history/", pages.activity_history, name="history"),
    path("activities/duplicates/", duplicates.duplicate_report, name="duplicates"),
    path(
        "activities/duplicates/<int:pk>/different/",
        duplicates.duplicate_tell_apart,
        name="duplicate_tell_apart",
    ),
    path(
        "activities/duplicates/<int:pk>/merge/",
        duplicates.duplicate_merge,
        name="duplicate_merge",
    ),
    path("partners/", partners.partner_list, name="partner_list"),
    path("partners/new/", partners.partner_create, name="partner_create"),
    path("partners/merge/", partners.partner_merge, name="partner_merge"),
    path("partners/<int:pk>/", partners.partner_detail, name="partner_detail"),
    path("partners/<int:pk>/edit/", partners.partner_edit, name="partner_edit"),
]
