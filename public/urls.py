from django.urls import path

from public import views, weights_views

app_name = "public"
urlpatterns = [
    path("", views.latest, name="latest"),
    path("publications/", views.publications, name="publications"),
    path("find/", views.region_find, name="region_find"),
    path("regions/<str:code>/", views.region_redirect, name="region_latest"),
    path("<int:year>/", views.overall, name="overall"),
    path("<int:year>/grid/", views.grid, name="grid"),
    path("<int:year>/weights/", weights_views.weights, name="weights"),
    path("<int:year>/dimensions/<str:code>/", views.dimension, name="dimension"),
    path("<int:year>/regions/<str:code>/", views.region, name="region"),
    path("<int:year>/<str:table>.<str:fmt>", views.download, name="download"),
]
