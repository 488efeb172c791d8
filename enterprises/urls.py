from django.urls import path

from enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("enterprises/", views.enterprise_list_view, name="list"),
    path("enterprises/new/", views.enterprise_create_view, name="create"),
    path("enterprises/export.xlsx", views.enterprise_export_view, name="export"),
    path("enterprises/import/", views.enterprise_import_view, name="import"),
    path("enterprises/<int:pk>/", views.enterprise_detail_view, name="detail"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit_view, name="edit"),
    path("enterprises/<int:pk>/visits/new/", views.visit_create_view, name="visit_create"),
    path("enterprises/<int:pk>/requests/new/", views.request_create_view, name="request_create"),
    path("enterprises/photos/<int:pk>/", views.photo_view, name="photo"),
    path("assistance/", views.overview_view, name="overview"),
    path("assistance/queue/", views.queue_view, name="queue"),
    path("assistance/lists/", views.lists_view, name="lists"),
    path("assistance/requests/<int:pk>/", views.request_detail_view, name="request_detail"),
    path("assistance/figures/<str:key>/", views.figure_rows_view, name="figure_rows"),
    path("assistance/ledger.xlsx", views.request_ledger_view, name="ledger_export"),
    path("assistance/ledger/import/", views.request_ledger_import_view, name="ledger_import"),
    path("assistance/outcomes.xlsx", views.outcome_export_view, name="outcome_export"),
]
