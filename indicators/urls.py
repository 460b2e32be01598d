from django.urls import path

from indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.model_list, name="models"),
    path("compare/", views.model_compare, name="compare"),
    path("<int:model_id>/", views.model_detail, name="model"),
    path("<int:model_id>/model.json", views.model_file, name="file"),
    path("<int:model_id>/derive/", views.model_derive, name="derive"),
    path("<int:model_id>/edit/<str:page>/", views.model_edit, name="edit"),
]
