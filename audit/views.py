"""The audit log pages: read-only, for auditors (separation of duties: the administrators and
security administrators whose actions the log records do not read it)."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from accounts import roles
from audit import describe
from audit.archive import archive_entries, archive_lines
from audit.models import AuditEntry
from common.exports import CONTENT_TYPES, render_table
from common.params import query_choice


def require_auditor(request: HttpRequest) -> None:
    if not roles.is_auditor(request.user):
        raise PermissionDenied


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor_name", lookup_expr="icontains",
                                      label=_("操作人"))
    action = django_filters.CharFilter(lookup_expr="startswith", label=_("动作"))
    region = django_filters.CharFilter(field_name="region_code", label=_("地区代码"))
    cycle = django_filters.NumberFilter(field_name="cycle_year", label=_("年度"))
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte",
                                      label=_("起始日期"),
                                      widget=forms.DateInput(attrs={"type": "date"}))
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte",
                                      label=_("截止日期"),
                                      widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = AuditEntry
        fields: list[str] = []


class AuditTable(tables.Table):
    """Each entry as a sentence with its old → new values (audit.describe); the stored JSON
    is in the archive download, not on the page."""

    sequence = tables.Column(verbose_name="#")
    created_at = tables.DateTimeColumn(verbose_name=_("时间"), format="Y-m-d H:i:s")
    actor_name = tables.Column(verbose_name=_("操作人"))
    what = tables.TemplateColumn(
        verbose_name=_("内容"), accessor="data", orderable=False,
        template_name="audit/_entry.html", attrs={"td": {"class": "audit-what"}})
    object_type = tables.Column(verbose_name=_("对象"))
    region_code = tables.Column(verbose_name=_("地区"))
    cycle_year = tables.Column(verbose_name=_("年度"))
    entry_hash = tables.TemplateColumn(
        verbose_name=_("哈希"), orderable=False,
        template_code='<code title="{{ record.hash_algorithm }} {{ value }}">'
                      "{{ value|truncatechars:11 }}</code>")

    class Meta:
        model = AuditEntry
        fields = ("sequence", "created_at", "actor_name", "what", "object_type", "region_code",
                  "cycle_year", "entry_hash")
        order_by = ("-sequence",)
        attrs = {"id": "audit-table"}

    def render_object_type(self, value: str, record: AuditEntry) -> str:
        return f"{value}:{record.object_id}" if record.object_id else value

    def value_what(self, record: AuditEntry) -> str:
        lines, more = describe.changes(record.data, record.action)
        parts = [describe.sentence(record.action, record.data), *lines]
        if more:
            parts.append(MORE % {"n": more})
        return "; ".join(parts)

    def value_entry_hash(self, record: AuditEntry) -> str:
        return f"{record.hash_algorithm} {record.entry_hash}"


MORE = _("另有 %(n)s 项修改")


@login_required
@require_GET
def log(request: HttpRequest) -> HttpResponse:
    require_auditor(request)
    filtered = AuditFilter(request.GET, queryset=AuditEntry.objects.all())
    table = AuditTable(filtered.qs)
    fmt = query_choice(request, "_export", ("csv", "xlsx"))
    if fmt is not None:
        rows = list(table.as_values())
        columns = [str(c) for c in rows[0]]
        content = render_table(fmt, columns,
                               [dict(zip(columns, r, strict=True)) for r in rows[1:]])
        response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="audit-log.{fmt}"'
        return response
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "audit/log.html", {"table": table, "filter": filtered})


@login_required
@require_GET
def archive(request: HttpRequest) -> StreamingHttpResponse:
    """The whole log with its hash chain, for archiving (``verify_audit --archive`` checks
    the file later, without the database)."""
    require_auditor(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(archive_lines(archive_entries()),
                                     content_type="application/x-ndjson; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-archive-{stamp}.jsonl"'
    return response
