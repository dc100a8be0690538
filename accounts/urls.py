from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("accounts/language/", views.set_language, name="set_language"),
    path("accounts/tokens/", views.api_tokens, name="api_tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.revoke_api_token, name="revoke_api_token"),
    path("people/", views.people_list, name="people"),
    path("people/invite/", views.person_invite, name="person_invite"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", views.person_reactivate, name="person_reactivate"),
    path("people/<int:pk>/resend-invitation/", views.person_resend, name="person_resend"),
]
