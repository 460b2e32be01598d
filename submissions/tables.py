"""The reviewers' queue as a django-tables2 table filtered by django-filter."""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.i18n import localized
from common.numbers import grouped
from indicators.models import Region
from submissions.models import Cycle, Submission

# The filters' "any" choice, in words ("全部"), not Django's "---------" or "未知".
ANY = _("全部")
YES_NO = (("", ANY), ("true", _("是")), ("false", _("否")))


class QueueFilter(django_filters.FilterSet):
    cycle = django_filters.ModelChoiceFilter(queryset=Cycle.objects.order_by("-year"),
                                             label=_("年度"), empty_label=ANY)
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.order_by("order"),
                                              label=_("地区"), empty_label=ANY)
    state = django_filters.ChoiceFilter(choices=Submission.State.choices, label=_("状态"),
                                        empty_label=ANY)
    unexplained = django_filters.BooleanFilter(
        field_name="current_version__unexplained_warning_count", lookup_expr="gt",
        label=_("有未说明的警告"), method="filter_unexplained",
        widget=forms.Select(choices=YES_NO))

    class Meta:
        model = Submission
        fields = ["cycle", "region", "state"]

    def filter_unexplained(self, queryset: Any, name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        if value:
            return queryset.filter(current_version__unexplained_warning_count__gt=0)
        return queryset.exclude(current_version__unexplained_warning_count__gt=0)


# Where the officer still has to act, the deadline counts; elsewhere it says nothing.
OFFICER_TO_ACT = frozenset({Submission.State.DRAFT, Submission.State.INVALID,
                            Submission.State.RETURNED})


def deadline_text(record: Submission) -> str:
    """还剩 N 天 / 今天截止 / 逾期 N 天 while the officer has something to do in an open cycle;
    已截止 once the cycle is closed with the work undone; — otherwise (submitted, approved)."""
    if record.state not in OFFICER_TO_ACT:
        return "—"
    if record.cycle.state != Cycle.State.OPEN:
        return str(_("已截止"))
    days = (record.cycle.deadline - timezone.localdate()).days
    if days > 0:
        return ngettext("还剩 %(n)s 天", "还剩 %(n)s 天", days) % {"n": grouped(days)}
    if days == 0:
        return str(_("今天截止"))
    return ngettext("逾期 %(n)s 天", "逾期 %(n)s 天", -days) % {"n": grouped(-days)}


class QueueTable(tables.Table):
    cycle = tables.Column(accessor="cycle__year", verbose_name=_("年度"))
    region = tables.Column(accessor="region__short_name_zh", verbose_name=_("地区"),
                           order_by=("region__order",))
    state = tables.Column(verbose_name=_("状态"))
    errors = tables.Column(accessor="current_version__error_count", verbose_name=_("错误"),
                           default=0, attrs={"td": {"class": "num"}})
    warnings = tables.Column(accessor="current_version__warning_count", verbose_name=_("警告"),
                             default=0, attrs={"td": {"class": "num"}})
    unexplained = tables.Column(accessor="current_version__unexplained_warning_count",
                                verbose_name=_("未说明的警告"), default=0,
                                attrs={"td": {"class": "num"}})
    updated_at = tables.DateTimeColumn(verbose_name=_("最后更新"), format="Y-m-d H:i")
    deadline = tables.Column(accessor="cycle__deadline", verbose_name=_("截止"))

    class Meta:
        model = Submission
        fields = ("cycle", "region", "state", "errors", "warnings", "unexplained", "updated_at",
                  "deadline")
        order_by = ("-cycle", "region")
        attrs = {"id": "queue-table"}
        template_name = "django_tables2/table.html"

    def render_region(self, value: str, record: Submission) -> str:
        return format_html('<a href="{}">{}</a>', reverse("submissions:detail", args=[record.pk]),
                           localized(record.region, "short_name"))

    def render_state(self, value: str, record: Submission) -> str:
        return format_html('<span class="state-{}">{}</span>', record.state,
                           record.get_state_display())

    def render_deadline(self, value: Any, record: Submission) -> str:
        return deadline_text(record)

    def render_errors(self, value: int) -> str:
        return grouped(value)

    def render_warnings(self, value: int) -> str:
        return grouped(value)

    def render_unexplained(self, value: int) -> str:
        return grouped(value)

    def value_region(self, value: str, record: Submission) -> str:
        return localized(record.region, "short_name")

    def value_state(self, value: str, record: Submission) -> str:
        return str(record.get_state_display())

    def value_deadline(self, value: Any, record: Submission) -> str:
        return deadline_text(record)

    # Exports: counts as numbers, the time as shown (Asia/Shanghai, to the minute).
    def value_errors(self, value: int) -> int:
        return value

    def value_warnings(self, value: int) -> int:
        return value

    def value_unexplained(self, value: int) -> int:
        return value

    def value_updated_at(self, value: Any) -> str:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
