"""The reviewers' queue as a django-tables2 table filtered by django-filter."""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.i18n import localized
from indicators.models import Region
from submissions.models import Cycle, Submission
from submissions.selectors import cycle_deadline

CLOSED = _("已截止")
PASSED = _("已过截止日期")


class QueueFilter(django_filters.FilterSet):
    cycle = django_filters.ModelChoiceFilter(queryset=Cycle.objects.order_by("-year"),
                                             label=_("年度"))
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.order_by("order"),
                                              label=_("地区"))
    state = django_filters.ChoiceFilter(choices=Submission.State.choices, label=_("状态"))
    unexplained = django_filters.BooleanFilter(
        field_name="current_version__unexplained_warning_count", lookup_expr="gt",
        label=_("有未说明的警告"), method="filter_unexplained")

    class Meta:
        model = Submission
        fields = ["cycle", "region", "state"]

    def filter_unexplained(self, queryset: Any, name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        if value:
            return queryset.filter(current_version__unexplained_warning_count__gt=0)
        return queryset.exclude(current_version__unexplained_warning_count__gt=0)


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
    deadline = tables.Column(accessor="cycle__deadline", verbose_name=_("距截止（天）"),
                             attrs={"td": {"class": "num"}})

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

    def render_deadline(self, value: Any, record: Submission) -> int | str:
        return _days_left(record)

    def value_region(self, value: str, record: Submission) -> str:
        return localized(record.region, "short_name")

    def value_state(self, value: str, record: Submission) -> str:
        return str(record.get_state_display())

    def value_deadline(self, value: Any, record: Submission) -> int | str:
        return _days_left(record)


def _days_left(record: Submission) -> int | str:
    """Days to the deadline; never a negative count: 已截止 for a closed cycle, 已过 (passed)
    for an open one past its deadline."""
    deadline = cycle_deadline(record.cycle)
    if deadline.closed:
        return str(CLOSED)
    return str(PASSED) if deadline.days_left is None else deadline.days_left
