from django.urls import path

from projects import views

app_name = "projects"
urlpatterns = [
    path("projects/", views.project_list_view, name="list"),
    path("projects/schedule/", views.schedule_view, name="schedule"),
    path("projects/rollup/", views.rollup_view, name="rollup"),
    path("projects/ledger.xlsx", views.export_view, name="export"),
    path("projects/import/", views.import_view, name="import"),
    path("projects/meetings/", views.meeting_list_view, name="meetings"),
    path("projects/types/", views.type_list_view, name="types"),
    path("projects/types/<int:pk>/", views.type_list_view, name="type_edit"),
    path("projects/meetings/new/", views.meeting_create_view, name="meeting_create"),
    path("projects/new/", views.project_create_view, name="create"),
    path("projects/<int:pk>/", views.project_detail_view, name="detail"),
    path("projects/<int:pk>/edit/", views.project_update_view, name="update"),
    path("projects/<int:pk>/report/", views.report_form_view, name="report_form"),
    path("projects/<int:pk>/problems/", views.problem_add_view, name="problem_add"),
    path("projects/reports/<int:pk>/approve/", views.report_approve_view, name="report_approve"),
    path("projects/reports/<int:pk>/return/", views.report_return_view, name="report_return"),
    path("projects/photos/<int:pk>/", views.photo_view, name="photo"),
    path("projects/problems/<int:pk>/resolve/", views.problem_resolve_view, name="problem_resolve"),
]
