"""通知公告: the public list and each published announcement; the administrators' page that
writes, publishes and withdraws them (through ``public.services``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import ApplicationError
from common.views import error_message
from public import selectors, services
from public.forms import AnnouncementForm
from public.models import Announcement
from submissions.permissions import require_administrator

PAGE_SIZE = 20


@require_GET
def announcements(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(selectors.published_announcements(), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "public/announcements.html", {"page": page})


@require_GET
def announcement(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.published_announcement(pk)
    return render(request, "public/announcement.html", {"announcement": item})


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    """The administrators' list, with the form of a new announcement."""
    require_administrator(request)
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.announcement_create(
                actor=request.user, publish=form.cleaned_data["publish"],
                **{name: form.cleaned_data[name] for name in services.FIELDS})
        except ApplicationError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("已保存通知公告「%(title)s」。") % {"title": created.title})
            return redirect("site:announcements_manage")
    return render(request, "public/announcements_manage.html",
                  {"form": form, "items": selectors.all_announcements()})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_administrator(request)
    item = get_object_or_404(Announcement, pk=pk)
    form = AnnouncementForm(request.POST or None, instance=item)
    form.fields.pop("publish")
    if request.method == "POST" and form.is_valid():
        try:
            services.announcement_update(
                announcement=item, actor=request.user,
                **{name: form.cleaned_data[name] for name in services.FIELDS})
        except ApplicationError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("已保存通知公告「%(title)s」。") % {"title": item.title})
            return redirect("site:announcements_manage")
    return render(request, "public/announcement_edit.html", {"form": form, "item": item})


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    require_administrator(request)
    item = get_object_or_404(Announcement, pk=pk)
    try:
        services.announcement_publish(announcement=item, actor=request.user)
    except ApplicationError as exc:
        error_message(request, exc)
    else:
        messages.success(request, _("已发布通知公告「%(title)s」。") % {"title": item.title})
    return redirect("site:announcements_manage")


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    require_administrator(request)
    item = get_object_or_404(Announcement, pk=pk)
    try:
        services.announcement_withdraw(announcement=item, actor=request.user)
    except ApplicationError as exc:
        error_message(request, exc)
    else:
        messages.success(request, _("已撤回通知公告「%(title)s」，公众不再看到它。")
                         % {"title": item.title})
    return redirect("site:announcements_manage")
