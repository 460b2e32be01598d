from django.urls import path

from submissions import views

app_name = "submissions"
urlpatterns = [
    path("", views.officer_home, name="officer_home"),
    path("queue/", views.queue, name="queue"),
    path("<int:submission_id>/", views.submission_detail, name="detail"),
    path("<int:submission_id>/template.xlsx", views.template_download, name="template"),
    path("<int:submission_id>/upload/", views.upload, name="upload"),
    path("<int:submission_id>/edit/", views.edit_values, name="edit"),
    path("<int:submission_id>/submit/", views.submit, name="submit"),
    path("<int:submission_id>/review/<str:action>/", views.review_action, name="review"),
    path("<int:submission_id>/comments/", views.comment, name="comment"),
    path("<int:submission_id>/timeline/", views.timeline, name="timeline"),
    path("<int:submission_id>/state/", views.submission_state, name="state"),
    path("<int:submission_id>/reopen/", views.reopen, name="reopen"),
    path("cycles/", views.cycles, name="cycles"),
    path("cycles/<int:cycle_id>/", views.cycle_update, name="cycle_update"),
    path("cycles/import/", views.bulk_import_page, name="bulk_import"),
    path("versions/<int:version_id>/status/", views.version_status, name="version_status"),
    path("versions/<int:version_id>/issues/", views.version_issues, name="version_issues"),
    path("files/<int:file_id>/", views.file_download, name="file"),
]
