from django.urls import path

from evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("evaluation/", views.period_list_view, name="periods"),
    path("evaluation/periods/<int:pk>/", views.period_detail_view, name="period"),
    path("evaluation/periods/<int:pk>/publish/", views.period_publish_view, name="publish"),
    path("evaluation/periods/<int:pk>/units/<int:unit_pk>/", views.unit_sheet_view, name="sheet"),
    path("evaluation/periods/<int:pk>/appeal/", views.appeal_create_view, name="appeal_create"),
    path("evaluation/appeals/<int:pk>/decide/", views.appeal_decide_view, name="appeal_decide"),
    path("evaluation/schemes/", views.scheme_list_view, name="schemes"),
    path("evaluation/schemes/<int:pk>/", views.scheme_detail_view, name="scheme"),
    path("evaluation/schemes/<int:pk>/revise/", views.scheme_revise_view, name="scheme_revise"),
    path("evaluation/adjustments/", views.adjustment_list_view, name="adjustments"),
    path("evaluation/adjustments/<int:pk>/", views.adjustment_detail_view, name="adjustment"),
    path("evaluation/adjustments/<int:pk>/decide/", views.adjustment_decide_view, name="adjustment_decide"),
    path("evaluation/files/<int:pk>/", views.file_view, name="file"),
    path("bulletins/", views.bulletin_list_view, name="bulletins"),
    path("bulletins/draft/", views.bulletin_draft_view, name="bulletin_draft"),
    path("bulletins/<int:pk>/download/", views.bulletin_download_view, name="bulletin_download"),
]
