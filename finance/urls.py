from django.urls import path

from . import views

app_name = "finance"

urlpatterns = [
    path("activities/<int:pk>/finance/", views.activity_finance_page, name="activity"),
    path(
        "activities/<int:pk>/finance/entries/<int:entry_id>/correct/",
        views.correct_entry,
        name="correct",
    ),
    path("finance/rates/", views.rates, name="rates"),
    path("finance/rates/upload/", views.upload_rates, name="rates_upload"),
]
