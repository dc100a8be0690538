from django.urls import path

from .views import assets, matching, routes

app_name = "knowledge"

urlpatterns = [
    path("knowledge/", assets.search, name="search"),
    path("knowledge/assets/new/", assets.asset_create, name="asset_create"),
    path("knowledge/assets/<int:pk>/", assets.asset_detail, name="asset_detail"),
    path("knowledge/assets/<int:pk>/edit/", assets.asset_edit, name="asset_edit"),
    path("knowledge/assets/<int:pk>/history/", assets.asset_history, name="asset_history"),
    path("knowledge/assets/<int:pk>/delete/", assets.asset_delete, name="asset_delete"),
    path(
        "knowledge/assets/<int:pk>/files/<int:file_id>/",
        assets.file_download,
        name="file_download",
    ),
    path("knowledge/routes/", routes.route_list, name="route_list"),
    path("knowledge/routes/new/", routes.route_create, name="route_create"),
    path("knowledge/routes/<int:pk>/", routes.route_detail, name="route_detail"),
    path("knowledge/routes/<int:pk>/edit/", routes.route_edit, name="route_edit"),
    path("knowledge/routes/<int:pk>/history/", routes.route_history, name="route_history"),
    path("knowledge/routes/<int:pk>/delete/", routes.route_delete, name="route_delete"),
    path("knowledge/routes/<int:pk>/plans/new/", routes.plan_create, name="plan_create"),
    path("knowledge/routes/<int:pk>/plans/<int:plan_id>/edit/", routes.plan_edit, name="plan_edit"),
    path(
        "knowledge/routes/<int:pk>/plans/<int:plan_id>/delete/",
        routes.plan_delete,
        name="plan_delete",
    ),
    path("knowledge/action-plans/", routes.plan_list, name="plan_list"),
    path("knowledge/demands/", matching.demand_list, name="demand_list"),
    path("knowledge/demands/new/", matching.demand_create, name="demand_create"),
    path("knowledge/demands/<int:pk>/", matching.demand_detail, name="demand_detail"),
    path("knowledge/demands/<int:pk>/edit/", matching.demand_edit, name="demand_edit"),
    path("knowledge/demands/<int:pk>/history/", matching.demand_history, name="demand_history"),
    path("knowledge/demands/<int:pk>/delete/", matching.demand_delete, name="demand_delete"),
    path("knowledge/demands/<int:pk>/accept/", matching.demand_accept, name="demand_accept"),
    path("knowledge/offers/", matching.offer_list, name="offer_list"),
    path("knowledge/offers/new/", matching.offer_create, name="offer_create"),
    path("knowledge/offers/<int:pk>/edit/", matching.offer_edit, name="offer_edit"),
    path("knowledge/offers/<int:pk>/history/", matching.offer_history, name="offer_history"),
    path("knowledge/offers/<int:pk>/delete/", matching.offer_delete, name="offer_delete"),
]
