from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("reports/", views.inbox_view, name="inbox"),
    path("reports/start/<int:task_pk>/", views.report_start_view, name="report_start"),
    path("reports/<int:pk>/", views.report_detail_view, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_edit_view, name="report_edit"),
    path("reports/<int:pk>/evidence/", views.evidence_upload_view, name="evidence_upload"),
    path("reports/<int:pk>/return/", views.return_view, name="report_return"),
    path("reports/approvals/", views.approvals_view, name="approvals"),
    path("reports/approve/", views.approve_view, name="approve"),
    path("evidence/<int:pk>/", views.evidence_file_view, name="evidence_file"),
    path("evidence/<int:pk>/thumb/", views.evidence_file_view, {"thumb": True}, name="evidence_thumb"),
    path("evidence/<int:pk>/remove/", views.evidence_remove_view, name="evidence_remove"),
    path("tasks/<int:task_pk>/judgement/", views.judgement_view, name="judgement"),
    path("tasks/<int:task_pk>/verify/", views.verify_view, name="verify"),
    path("cockpit/", views.cockpit_view, name="cockpit"),
    path("calendar/", views.calendar_view, name="calendar"),
]
