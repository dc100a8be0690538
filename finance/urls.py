from django.urls import path

from . import (
    dashboard_views,
    views,
    views_codes,
    views_groups,
    views_periods,
    views_rate_cards,
    views_rollups,
)

app_name = "finance"

urlpatterns = [
    path("activities/<int:pk>/finance/", views.activity_finance_page, name="activity"),
    path(
        "activities/<int:pk>/finance/entries/<int:entry_id>/correct/",
        views.correct_entry,
        name="correct",
    ),
    path(
        "activities/<int:activity_pk>/finance/groups/<int:pk>/split/",
        views_groups.group_split,
        name="group_split",
    ),
    path("finance/history/", views.money_history, name="history"),
    path("finance/groups/", views_groups.group_list, name="groups"),
    path("finance/rates/", views.rates, name="rates"),
    path("finance/rates/upload/", views.upload_rates, name="rates_upload"),
    path("finance/rate-cards/", views_rate_cards.rate_cards, name="rate_cards"),
    path("finance/rate-cards/<int:pk>/", views_rate_cards.rate_card, name="rate_card"),
    path(
        "finance/rate-cards/<int:pk>/revalue/",
        views_rate_cards.rate_card_revalue,
        name="rate_card_revalue",
    ),
    path("finance/theme-codes/", views_codes.theme_codes, name="theme_codes"),
    path("finance/periods/", views_periods.period_list, name="periods"),
    path("finance/periods/<int:pk>/reopen/", views_periods.period_reopen, name="period_reopen"),
    path(
        "finance/periods/<int:pk>/exceptions/",
        views_periods.period_exception,
        name="period_exception",
    ),
    path("finance/imports/", views.imports, name="imports"),
    path("finance/imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("finance/imports/<int:pk>/commit/", views.import_commit, name="import_commit"),
    path("finance/export/workbook.xlsx", views.export_workbook, name="export_workbook"),
    path("finance/export/ledger.csv", views.export_ledger, name="export_ledger"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path(
        "dashboard/tables/<slug:table>.<slug:file_format>",
        dashboard_views.dashboard_table,
        name="dashboard_table",
    ),
    path("dashboard/reports/", dashboard_views.reports, name="reports"),
    path(
        "dashboard/reports/<int:pk>/download/",
        dashboard_views.report_download,
        name="report_download",
    ),
    path("dashboard/rebuild/", views_rollups.rollup_rebuild, name="rollup_rebuild"),
]
