from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from config.views import home

urlpatterns = [
    path("", home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("submissions/", include("submissions.urls")),
    path("scoring/", include("scoring.urls")),
    path("rankings/", include("public.urls")),
    path("national/", include("national.urls")),
    path("audit/", include("audit.urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", RedirectView.as_view(url="/static/favicon.svg", permanent=True,
                                             http_method_names=["get", "head"])),
]
