from django.urls import path

from . import views

app_name = "standards"

urlpatterns = [
    path("standards/", views.index, name="index"),
    path("standards/exports/<int:pk>/", views.detail, name="detail"),
    path("standards/exports/<int:pk>/status/", views.status, name="status"),
    path("standards/exports/<int:pk>/download/", views.download, name="download"),
]
