"""The public site's own pages beside the rankings: 通知公告 (and the administrators' page that
writes them) and the help pages."""

from django.urls import path

from public import announcement_views, help_views

app_name = "site"
urlpatterns = [
    path("notices/", announcement_views.announcements, name="announcements"),
    path("notices/<int:pk>/", announcement_views.announcement, name="announcement"),
    path("notices/manage/", announcement_views.manage, name="announcements_manage"),
    path("notices/manage/<int:pk>/", announcement_views.edit, name="announcement_edit"),
    path("notices/manage/<int:pk>/publish/", announcement_views.publish,
         name="announcement_publish"),
    path("notices/manage/<int:pk>/withdraw/", announcement_views.withdraw,
         name="announcement_withdraw"),
    path("help/", help_views.index, name="help"),
    path("help/<str:role>/", help_views.role, name="help_role"),
]
