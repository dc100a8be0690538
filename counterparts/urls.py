from django.urls import path  # noqa: F401  (the pages' routes join below)

app_name = "counterparts"

urlpatterns: list = []
