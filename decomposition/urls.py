from django.urls import path

from decomposition import views

app_name = "decomposition"
urlpatterns = [
    path("plans/<int:pk>/decompose/", views.draft_view, name="draft"),
    path("plans/<int:pk>/decompose/extract/", views.extract_view, name="extract"),
    path("plans/<int:pk>/decompose/row/", views.row_update_view, name="row_update"),
    path("plans/<int:pk>/decompose/row/assign/", views.row_assign_view, name="row_assign"),
    path("plans/<int:pk>/decompose/row/delete/", views.row_delete_view, name="row_delete"),
    path("plans/<int:pk>/decompose/row/add/", views.row_add_view, name="row_add"),
    path("plans/<int:pk>/decompose/assign/", views.assign_view, name="assign"),
    path("plans/<int:pk>/decompose/accept/", views.accept_view, name="accept"),
    path("plans/<int:pk>/decompose/export.xlsx", views.export_view, name="export"),
    path("plans/<int:pk>/text/", views.plan_text_view, name="plan_text"),
    path("decompose/duties/", views.duties_view, name="duties"),
]
