from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("users/", views.user_list_view, name="user_list"),
    path("users/new/", views.user_create_view, name="user_create"),
    path("users/<int:pk>/edit/", views.user_edit_view, name="user_edit"),
    path("users/<int:pk>/password/", views.user_password_view, name="user_password"),
    path("users/<int:pk>/roles/", views.user_roles_view, name="user_roles"),
    path("tokens/", views.token_list_view, name="token_list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("requests/", views.admin_request_list_view, name="admin_request_list"),
    path("requests/<int:pk>/decide/", views.admin_request_decide_view, name="admin_request_decide"),
    path("lockouts/", views.lockout_list_view, name="lockout_list"),
    path("lockouts/unlock/", views.lockout_unlock_view, name="lockout_unlock"),
]
