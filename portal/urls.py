from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    # Public (no login): the same ids as inside Luoshi; 404 for anything not published.
    path("public/", views.public_index_view, name="index"),
    path("public/photos/<int:pk>/", views.public_photo_view, name="photo"),
    path("public/photos/<int:pk>/thumb/", views.public_photo_view, {"thumb": True}, name="photo_thumb"),
    path("public/<slug:kinds>/<int:pk>/", views.public_item_view, name="item"),
    # The office.
    path("portal/", views.office_list_view, name="office_list"),
    path("portal/add-by-code/", views.add_by_code_view, name="add_by_code"),
    path("portal/items/<int:pk>/", views.office_item_view, name="office_item"),
    path("portal/items/<int:pk>/publish/", views.publish_view, name="publish"),
    path("portal/items/<int:pk>/updates/", views.update_add_view, name="update_add"),
    path("portal/updates/<int:pk>/remove/", views.update_remove_view, name="update_remove"),
    path("portal/items/<int:pk>/photos/", views.photo_add_view, name="photo_add"),
    path("portal/photos/<int:pk>/remove/", views.photo_remove_view, name="photo_remove"),
    # The office's view of a selected photo, published or not (the public URL is 404 until publication).
    path("portal/photos/<int:pk>/thumb/", views.office_photo_view, {"thumb": True}, name="office_photo_thumb"),
]
