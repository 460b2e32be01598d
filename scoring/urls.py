from django.urls import path

from scoring import studio_views, views

app_name = "scoring"
urlpatterns = [
    path("", views.runs, name="runs"),
    path("cycles/<int:cycle_id>/score/", views.score, name="score"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/publish/", views.publish, name="publish"),
    path("runs/<int:run_id>/provenance/", views.provenance, name="provenance"),
    path("runs/<int:run_id>/regions/<str:code>/", views.trace, name="trace"),
    path("runs/<int:run_id>/ranking.<str:fmt>", views.run_download, name="download"),
    # The index studio: what-if scenarios and the statistical audit of a run.
    path("cycles/<int:cycle_id>/studio/", studio_views.studio_page, name="studio"),
    path("cycles/<int:cycle_id>/scenarios/", studio_views.scenario_list, name="scenarios"),
    path("cycles/<int:cycle_id>/scenarios/save/", studio_views.scenario_save,
         name="scenario_save"),
    path("scenarios/<int:scenario_id>/", studio_views.scenario_detail, name="scenario"),
    path("runs/<int:run_id>/audit/", studio_views.audit, name="audit"),
    path("runs/<int:run_id>/audit.<str:fmt>", studio_views.audit_download,
         name="audit_download"),
]
