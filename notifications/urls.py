from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.inbox_view, name="inbox"),
    path("notifications/<int:pk>/read/", views.read_view, name="read"),
    path("notifications/read-all/", views.read_all_view, name="read_all"),
    path("notifications/webhooks/", views.webhook_list_view, name="webhook_list"),
    path("notifications/webhooks/new/", views.webhook_form_view, name="webhook_create"),
    path("notifications/webhooks/<int:pk>/edit/", views.webhook_form_view, name="webhook_edit"),
    path("notifications/webhooks/<int:pk>/delete/", views.webhook_delete_view, name="webhook_delete"),
    path("notifications/webhooks/<int:pk>/test/", views.webhook_test_view, name="webhook_test"),
    path("notifications/deliveries/", views.delivery_list_view, name="delivery_list"),
    path("notifications/deliveries/<int:pk>/retry/", views.delivery_retry_view, name="delivery_retry"),
]
