from django.urls import path

from indicators import views

app_name = "indicators"
urlpatterns = [
    path("indicators/", views.catalogue_view, name="catalogue"),
    path("indicators/new/", views.indicator_form_view, name="create"),
    path("indicators/ledger.xlsx", views.ledger_export_view, name="ledger_export"),
    path("indicators/import/", views.ledger_import_view, name="ledger_import"),
    path("indicators/<int:pk>/", views.detail_view, name="detail"),
    path("indicators/<int:pk>/edit/", views.indicator_form_view, name="edit"),
    path("indicators/<int:pk>/values/", views.value_enter_view, name="value_enter"),
    path("indicators/<int:pk>/targets/", views.target_set_view, name="target_set"),
    path("indicators/<int:pk>/cockpit/", views.cockpit_choose_view, name="cockpit_choose"),
    path("indicators/<int:pk>/cockpit/move/", views.cockpit_move_view, name="cockpit_move"),
    path("indicators/<int:pk>/merge/", views.merge_view, name="merge"),
    path("indicators/values/<int:pk>/approve/", views.value_approve_view, name="value_approve"),
    path("indicators/values/<int:pk>/return/", views.value_return_view, name="value_return"),
]
