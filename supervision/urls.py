from django.urls import path

from supervision import views

app_name = "supervision"
urlpatterns = [
    path("supervision/orders/", views.order_list_view, name="order_list"),
    path("supervision/orders/new/", views.order_create_view, name="order_create"),
    path("supervision/orders/<int:pk>/", views.order_detail_view, name="order_detail"),
    path("supervision/orders/<int:pk>/docx/", views.order_docx_view, name="order_docx"),
    path("supervision/orders/<int:pk>/acknowledge/", views.order_acknowledge_view, name="order_acknowledge"),
    path("supervision/orders/<int:pk>/respond/", views.order_respond_view, name="order_respond"),
    path("supervision/orders/<int:pk>/verify/", views.order_verify_view, name="order_verify"),
    path("supervision/orders/<int:pk>/return/", views.order_return_view, name="order_return"),
    path("supervision/orders/<int:pk>/close/", views.order_close_view, name="order_close"),
    path("supervision/instructions/", views.instruction_list_view, name="instruction_list"),
    path(
        "supervision/instructions/new/<str:target>/<int:pk>/",
        views.instruction_create_view,
        name="instruction_create",
    ),
    path("supervision/instructions/<int:pk>/", views.instruction_detail_view, name="instruction_detail"),
    path("supervision/followups/<int:pk>/answer/", views.followup_answer_view, name="followup_answer"),
    path("supervision/followups/<int:pk>/accept/", views.followup_accept_view, name="followup_accept"),
    path("supervision/followups/<int:pk>/return/", views.followup_return_view, name="followup_return"),
    path("supervision/inspections/", views.inspection_list_view, name="inspection_list"),
    path("supervision/inspections/new/", views.inspection_create_view, name="inspection_create"),
    path("supervision/inspections/<int:pk>/", views.inspection_detail_view, name="inspection_detail"),
    path("supervision/inspections/<int:pk>/photos/", views.inspection_photos_view, name="inspection_photos"),
    path("supervision/inspections/<int:pk>/findings/", views.finding_add_view, name="finding_add"),
    path("supervision/findings/<int:pk>/rectification/", views.rectification_open_view, name="rectification_open"),
    path("supervision/rectifications/", views.rectification_list_view, name="rectification_list"),
    path("supervision/rectifications/<int:pk>/", views.rectification_detail_view, name="rectification_detail"),
    path("supervision/rectifications/<int:pk>/report/", views.rectification_report_view, name="rectification_report"),
    path("supervision/rectifications/<int:pk>/verify/", views.rectification_verify_view, name="rectification_verify"),
    path("supervision/rectifications/<int:pk>/return/", views.rectification_return_view, name="rectification_return"),
    path("supervision/rectifications/<int:pk>/close/", views.rectification_close_view, name="rectification_close"),
    path("supervision/files/<int:pk>/", views.file_view, name="file"),
    path("supervision/files/<int:pk>/thumb/", views.file_view, {"thumb": True}, name="file_thumb"),
]
