from django.urls import path

from org import views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_list_view, name="unit_list"),
    path("units/new/", views.unit_form_view, name="unit_create"),
    path("units/<int:pk>/edit/", views.unit_form_view, name="unit_edit"),
    path("posts/", views.post_list_view, name="post_list"),
    path("posts/new/", views.post_form_view, name="post_create"),
    path("posts/<int:pk>/edit/", views.post_form_view, name="post_edit"),
]
