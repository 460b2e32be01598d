from django.urls import path

from scoring import views

app_name = "scoring"
urlpatterns = [
    path("", views.runs, name="runs"),
    path("cycles/<int:cycle_id>/score/", views.score, name="score"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/publish/", views.publish, name="publish"),
    path("runs/<int:run_id>/provenance/", views.provenance, name="provenance"),
    path("runs/<int:run_id>/regions/<str:code>/", views.trace, name="trace"),
    path("runs/<int:run_id>/ranking.<str:fmt>", views.run_download, name="download"),
]
