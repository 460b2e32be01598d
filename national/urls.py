from django.urls import path

from national import views

app_name = "national"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("targets/", views.targets, name="targets"),
    path("<int:year>/", views.cycle_view, name="cycle"),
]
