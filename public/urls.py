from django.urls import path

from public import model_views, views, weights_views

app_name = "public"
urlpatterns = [
    path("", views.latest, name="latest"),
    path("publications/", views.publications, name="publications"),
    path("find/", views.region_find, name="region_find"),
    path("regions/<str:code>/", views.region_redirect, name="region_latest"),
    # The published methodology: the models that published rankings were scored under.
    path("models/", model_views.models, name="models"),
    path("models/<str:code>/", model_views.model, name="model"),
    path("models/<str:code>.pdf", model_views.model_pdf, name="model_pdf"),
    path("models/<str:old>/compare/<str:new>/", model_views.model_diff_page, name="model_diff"),
    path("<int:year>/", views.overall, name="overall"),
    path("<int:year>/grid/", views.grid, name="grid"),
    path("<int:year>/weights/", weights_views.weights, name="weights"),
    path("<int:year>/dimensions/<str:code>/", views.dimension, name="dimension"),
    path("<int:year>/regions/<str:code>/", views.region, name="region"),
    path("<int:year>/overall.json", views.overall_json, name="overall_json"),
    path("<int:year>/<str:table>.<str:fmt>", views.download, name="download"),
]
