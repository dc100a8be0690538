from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("accounts/tokens/", views.api_tokens, name="api_tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.revoke_api_token, name="revoke_api_token"),
]
