"""The home page: each person to their work; the public to the published rankings. And the
error pages Django does not draw with the site's frame by itself: the refused form (CSRF) and
the server error."""

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from accounts import roles
from config import dashboard
from indicators.models import Region
from public.selectors import latest_published_year, published_announcements, published_run
from scoring.selectors import run_coverage


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to where their work is; the public sees the published rankings."""
    user = request.user
    if roles.is_officer(user):  # their submissions, each with its state and next step
        return redirect("submissions:officer_home")
    if roles.is_staff_reader(user) or roles.is_security_administrator(user):
        return _staff_home(request)
    latest_year = latest_published_year()
    # The latest year is a partial one only while no year is complete: then the home page
    # says so too, as every page of that year does.
    run = published_run(latest_year) if latest_year else None
    return render(request, "home.html", {
        "latest_year": latest_year,
        "run": run,
        "coverage": run_coverage(run) if run else None,
        "regions": Region.objects.filter(ranked=True).order_by("order"),
        "announcements": list(published_announcements()[:5]),
    })


def _staff_home(request: HttpRequest) -> HttpResponse:
    """The staff's home: for each role held, what needs their action now (config/dashboard.py)."""
    user = request.user
    context: dict[str, object] = {}
    if roles.is_decider(user):
        context["review"] = dashboard.review_work()
    if roles.is_overseer(user):
        context["progress"] = dashboard.cycle_progress()
        context["runs"] = dashboard.runs_to_publish()
    if roles.is_auditor(user):
        context["audit"] = dashboard.audit_work()
    if roles.is_security_administrator(user):
        context["security"] = dashboard.security_work()
    return render(request, "staff_home.html", context)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; the icon is a static file (its
    hashed name in production, hence a view, not a fixed path)."""
    return redirect(static("favicon.svg"), permanent=True)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form posted from a page that has expired (``CSRF_FAILURE_VIEW``): the site's page in
    the person's language, not Django's English one; the reason goes to the log, not to them."""
    logging.getLogger("django.security.csrf").info("CSRF refused: %s", reason)
    return render(request, "403_csrf.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the site's page with its frame; when the frame itself cannot be drawn
    (its menu reads the person's roles from the database), the same words without it."""
    try:
        return render(request, "500.html", status=500)
    except Exception:  # whatever broke the page may break the frame too
        logging.getLogger(__name__).exception("the 500 page could not draw the site's frame")
        return HttpResponseServerError(render_to_string("500_plain.html"))
