from django.urls import path

from supervision.views import files, inspections, instructions, orders

app_name = "supervision"
urlpatterns = [
    path("supervision/orders/", orders.order_list_view, name="order_list"),
    path("supervision/orders/new/", orders.order_create_view, name="order_create"),
    path("supervision/orders/<int:pk>/", orders.order_detail_view, name="order_detail"),
    path("supervision/orders/<int:pk>/docx/", orders.order_docx_view, name="order_docx"),
    path("supervision/orders/<int:pk>/acknowledge/", orders.order_acknowledge_view, name="order_acknowledge"),
    path("supervision/orders/<int:pk>/respond/", orders.order_respond_view, name="order_respond"),
    path("supervision/orders/<int:pk>/verify/", orders.order_verify_view, name="order_verify"),
    path("supervision/orders/<int:pk>/return/", orders.order_return_view, name="order_return"),
    path("supervision/orders/<int:pk>/close/", orders.order_close_view, name="order_close"),
    path("supervision/instructions/", instructions.instruction_list_view, name="instruction_list"),
    path("supervision/instructions/new/", instructions.instruction_new_view, name="instruction_new"),
    path(
        "supervision/instructions/new/<str:target>/<int:pk>/",
        instructions.instruction_create_view,
        name="instruction_create",
    ),
    path("supervision/instructions/<int:pk>/", instructions.instruction_detail_view, name="instruction_detail"),
    path("supervision/followups/<int:pk>/answer/", instructions.followup_answer_view, name="followup_answer"),
    path("supervision/followups/<int:pk>/accept/", instructions.followup_accept_view, name="followup_accept"),
    path("supervision/followups/<int:pk>/return/", instructions.followup_return_view, name="followup_return"),
    path("supervision/inspections/", inspections.inspection_list_view, name="inspection_list"),
    path("supervision/inspections/new/", inspections.inspection_create_view, name="inspection_create"),
    path("supervision/inspections/<int:pk>/", inspections.inspection_detail_view, name="inspection_detail"),
    path("supervision/inspections/<int:pk>/photos/", inspections.inspection_photos_view, name="inspection_photos"),
    path("supervision/inspections/<int:pk>/findings/", inspections.finding_add_view, name="finding_add"),
    path(
        "supervision/findings/<int:pk>/rectification/", inspections.rectification_open_view, name="rectification_open"
    ),
    path("supervision/rectifications/", inspections.rectification_list_view, name="rectification_list"),
    path("supervision/rectifications/<int:pk>/", inspections.rectification_detail_view, name="rectification_detail"),
    path(
        "supervision/rectifications/<int:pk>/report/",
        inspections.rectification_report_view,
        name="rectification_report",
    ),
    path(
        "supervision/rectifications/<int:pk>/verify/",
        inspections.rectification_verify_view,
        name="rectification_verify",
    ),
    path(
        "supervision/rectifications/<int:pk>/return/",
        inspections.rectification_return_view,
        name="rectification_return",
    ),
    path(
        "supervision/rectifications/<int:pk>/close/", inspections.rectification_close_view, name="rectification_close"
    ),
    path("supervision/files/<int:pk>/", files.file_view, name="file"),
    path("supervision/files/<int:pk>/thumb/", files.file_view, {"thumb": True}, name="file_thumb"),
]
