from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.forms import PasswordResetForm
from activities.views import health, pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    # Before Django's own: the reset mail in the account holder's language (accounts.mail).
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("accounts.urls")),
    path("api/", include("ssc_portal.api_urls")),
    path("admin/", admin.site.urls),
    path("", include("activities.urls")),
    path("", include("finance.urls")),
    path("", include("knowledge.urls")),
    path("", include("results.urls")),
    path("", include("counterparts.urls")),
    path("", include("standards.urls")),
]

handler400 = "ssc_portal.errors.bad_request"
