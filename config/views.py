"""The home page: each person to their work; the public to the published rankings."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from accounts import roles
from indicators.models import Region
from public.selectors import latest_published_year, published_announcements


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to where their work is; the public sees the published rankings."""
    user = request.user
    if roles.is_officer(user):
        return redirect("submissions:officer_home")
    if roles.is_staff_reader(user):
        return redirect("submissions:queue")
    if roles.is_security_administrator(user):
        return redirect("admin:accounts_user_changelist")
    return render(request, "home.html", {
        "latest_year": latest_published_year(),
        "regions": Region.objects.filter(ranked=True).order_by("order"),
        "announcements": list(published_announcements()[:5]),
    })


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; the icon is a static file (its
    hashed name in production, hence a view, not a fixed path)."""
    return redirect(static("favicon.svg"), permanent=True)
