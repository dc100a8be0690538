from django.contrib import admin
from django.urls import include, path

from activities import views as activity_views

urlpatterns = [
    path("", activity_views.home, name="home"),
    path("healthz", activity_views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("activities/", include("activities.urls")),
    path("admin/", admin.site.urls),
]
