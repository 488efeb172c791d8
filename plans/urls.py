from django.urls import path

from plans import views

app_name = "plans"
urlpatterns = [
    path("plans/", views.plan_list_view, name="plan_list"),
    path("plans/new/", views.plan_form_view, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail_view, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_form_view, name="plan_edit"),
    path("plans/<int:plan_pk>/nodes/new/", views.node_form_view, name="node_create"),
    path("plans/nodes/<int:pk>/edit/", views.node_form_view, name="node_edit"),
    path("plans/nodes/<int:pk>/move/", views.node_move_view, name="node_move"),
    path("plans/nodes/<int:pk>/delete/", views.node_delete_view, name="node_delete"),
    path("plans/tags/", views.tag_list_view, name="tag_list"),
    path("plans/tags/new/", views.tag_form_view, name="tag_create"),
    path("plans/tags/<int:pk>/edit/", views.tag_form_view, name="tag_edit"),
    path("tasks/", views.task_list_view, name="task_list"),
    path("tasks/pick/", views.task_pick_view, name="task_pick"),
    path("tasks/export.xlsx", views.task_export_view, name="task_export"),
    path("tasks/export/background/", views.task_export_job_view, name="task_export_job"),
    path("tasks/import/", views.task_import_view, name="task_import"),
    path("tasks/new/", views.task_create_view, name="task_create"),
    path("tasks/<int:pk>/", views.task_detail_view, name="task_detail"),
    path("tasks/<int:pk>/edit/", views.task_edit_view, name="task_edit"),
    path("tasks/<int:pk>/delete/", views.task_delete_view, name="task_delete"),
    path("tasks/<int:pk>/change-request/", views.change_request_create_view, name="change_request_create"),
    path("change-requests/", views.change_request_list_view, name="change_request_list"),
    path("change-requests/<int:pk>/decide/", views.change_request_decide_view, name="change_request_decide"),
    path("change-requests/<int:pk>/evidence/", views.change_request_evidence_view, name="change_request_evidence"),
    # Following lives with tasks (plans.follows); the address kept its /notifications/ prefix.
    path("notifications/follow/<int:task_pk>/", views.follow_view, name="follow"),
]
