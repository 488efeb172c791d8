from django.urls import path

from workbench import views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/file/", views.job_file, name="job_file"),
    # 大屏: beside the cockpit (reports:cockpit), in the roof because it draws on reports and maps.
    path("cockpit/wall/", views.wall, name="wall"),
    path("cockpit/wall/data/", views.wall_data_view, name="wall_data"),
]
