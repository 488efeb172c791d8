from django.urls import path

from maps import views

app_name = "maps"
urlpatterns = [
    path("map/", views.map_view, name="map"),
    path("map/data/", views.map_data_view, name="data"),
    path("map/zones/", views.zones_view, name="zones"),
    path("map/zones/<int:pk>/delete/", views.zone_delete_view, name="zone_delete"),
    path("map/tasks/<int:pk>/location/", views.task_location_view, name="task_location"),
]
