from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from config.health import healthz, readyz
from config.views import favicon, home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    # The language switch needs no CSRF token: a forged request can only change the language
    # of the visitor's pages, and without a token in it a public page is the same for every
    # anonymous visitor, so it can be served whole from the cache (public/page_cache.py).
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("submissions/", include("submissions.urls")),
    path("scoring/", include("scoring.urls")),
    path("rankings/", include("public.urls")),
    path("", include("public.site_urls")),  # 通知公告 and the help pages
    path("national/", include("national.urls")),
    path("models/", include("indicators.urls")),
    path("audit/", include("audit.urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon),
]

# 403 and 404 are Django's own views with templates/403.html and 404.html (they render with the
# request, so in the site's frame); the 500 page needs a view of its own that can do without it.
handler500 = "config.views.server_error"
