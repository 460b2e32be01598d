"""Regions, the index model (versioned data) and the national targets.

The index model is data: a later year's model is a new ``ModelVersion``, never an edit of an
old one. Once a reporting cycle uses a version, the version is frozen (see ``is_frozen``).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.i18n import localized
from indicators.units import unit_en


class BilingualNameMixin:
    name_zh: str
    name_en: str

    @property
    def name(self) -> str:
        """The name in the active language (Chinese unless English is active)."""
        return localized(self, "name")


class UnitMixin:
    """``unit_en``: the English name of a unit stored only in Chinese (``indicators.units``),
    so that ``localized(obj, "unit")`` reads it like any bilingual field."""

    unit: str

    @property
    def unit_en(self) -> str:
        return unit_en(self.unit)


class Region(BilingualNameMixin, models.Model):
    class MacroRegion(models.TextChoices):
        EAST = "east", _("东部")
        CENTRAL = "central", _("中部")
        WEST = "west", _("西部")
        NORTHEAST = "northeast", _("东北")

    code = models.CharField(_("代码"), max_length=6, unique=True, help_text="GB/T 2260")
    name_zh = models.CharField(_("全称"), max_length=40, unique=True)
    short_name_zh = models.CharField(_("简称"), max_length=20, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=60, unique=True)
    macro_region = models.CharField(_("区域"), max_length=12, choices=MacroRegion.choices)
    ranked = models.BooleanField(_("参与排名"), default=True)
    order = models.PositiveSmallIntegerField(default=0)
    grid_row = models.PositiveSmallIntegerField(default=0)
    grid_col = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("地区")
        verbose_name_plural = _("地区")

    def __str__(self) -> str:
        """In the page's language: the admin's lists and the staff's filters show it."""
        return self.short_name

    @property
    def short_name(self) -> str:
        """The short name (北京) in Chinese, the English name (Beijing) in English."""
        return localized(self, "short_name")


class ModelVersion(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ACTIVE = "active", _("启用")
        RETIRED = "retired", _("停用")

    code = models.CharField(_("版本"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.ACTIVE)
    title_zh = models.CharField(max_length=200, blank=True)
    title_en = models.CharField(max_length=200, blank=True)
    # The canonical JSON it was imported from, kept so that export round-trips exactly and a
    # scoring run can name the exact model it used.
    source = models.JSONField(default=dict)
    source_sha256 = models.CharField(max_length=64, blank=True)
    # The version a draft was copied from (``services.model_version_derive``), for the list
    # of versions and the comparison that an administrator looks at first.
    derived_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="derivatives")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = _("指标体系版本")
        verbose_name_plural = _("指标体系版本")

    def __str__(self) -> str:
        return self.code

    @property
    def is_frozen(self) -> bool:
        """A version bound to a reporting cycle can no longer change: from then on the data
        reported, validated and scored under it mean what it said (``services`` refuses any
        change with ``MODEL_FROZEN``; a new model is derived from it instead)."""
        return self.cycles.exists()  # type: ignore[attr-defined]

    @property
    def title(self) -> str:
        return localized(self, "title") or self.code


class Dimension(BilingualNameMixin, models.Model):
    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="dimensions")
    code = models.CharField(max_length=10)
    name_zh = models.CharField(max_length=60)
    name_en = models.CharField(max_length=100)
    points = models.DecimalField(max_digits=8, decimal_places=4)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="uniq_dimension")]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def points_shown(self) -> str:
        """The points as people write them: 20, 12.5 (never 20.0000)."""
        return _plain(self.points)


def _plain(value: Decimal | float) -> str:
    number = Decimal(str(value)).normalize()
    return format(number, "f")


class DataElement(BilingualNameMixin, UnitMixin, models.Model):
    class Kind(models.TextChoices):
        NUMBER = "number", _("数值")
        INTEGER = "integer", _("整数")
        ORDINAL = "ordinal", _("等级")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("求和")
        NONE = "none", _("不汇总")

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="elements")
    code = models.CharField(max_length=20)
    name_zh = models.CharField(max_length=100)
    name_en = models.CharField(max_length=200)
    unit = models.CharField(max_length=20)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    max_level = models.PositiveSmallIntegerField(null=True, blank=True)
    min_value = models.DecimalField(max_digits=22, decimal_places=6, null=True, blank=True)
    min_exclusive = models.BooleanField(default=False)
    max_value = models.DecimalField(max_digits=22, decimal_places=6, null=True, blank=True)
    aggregation = models.CharField(max_length=10, choices=Aggregation.choices)
    yoy_threshold = models.DecimalField(
        max_digits=6, decimal_places=4, null=True, blank=True, default=Decimal("0.30"),
        help_text=_("同比变化超过该比例时给出警告；空表示不检查"),
    )
    # An ordinal element's level names, level 0 first: [{"label_zh", "label_en"}, ...];
    # empty when the model names no levels (they are shown by their numbers).
    levels = models.JSONField(default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="uniq_element")]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def level_labels(self) -> list[str]:
        """The level names in the active language, level 0 first (empty if unnamed)."""
        return [localized(level, "label") for level in self.levels]

    @property
    def yoy_percent(self) -> str:
        """The year-over-year threshold in percent (30 for 0.3); "" when not checked."""
        return "" if self.yoy_threshold is None else _plain(self.yoy_threshold * 100)

    @property
    def range_text(self) -> str:
        """The static bounds of a number as people read them: "> 0", "0 – 100", "≥ 0"."""
        low, high = self.min_value, self.max_value
        if low is not None and high is not None and not self.min_exclusive:
            text = f"{_plain(low)} – {_plain(high)}"
        else:
            parts = [f"{'>' if self.min_exclusive else '≥'} {_plain(low)}"] if low is not None \
                else []
            parts += [f"≤ {_plain(high)}"] if high is not None else []
            text = ", ".join(parts)
        if self.kind == self.Kind.INTEGER:
            return str(_("整数 {range}")).format(range=text).strip()
        return text or str(_("任意数值"))


class Indicator(BilingualNameMixin, UnitMixin, models.Model):
    class Normalisation(models.TextChoices):
        GOALPOSTS = "goalposts", _("门槛值")
        ORDINAL = "ordinal", _("等级")
        MINMAX = "minmax", _("极值")
        TARGET = "target", _("目标值")

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="indicators")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(max_length=20)
    name_zh = models.CharField(max_length=100)
    name_en = models.CharField(max_length=200)
    formula = models.CharField(max_length=500)
    unit = models.CharField(max_length=20)
    direction = models.SmallIntegerField(choices=[(1, "+"), (-1, "-")])
    normalisation = models.CharField(max_length=10, choices=Normalisation.choices)
    lower = models.FloatField(null=True, blank=True)
    upper = models.FloatField(null=True, blank=True)
    max_level = models.FloatField(null=True, blank=True)
    target = models.FloatField(null=True, blank=True)
    weight = models.FloatField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="uniq_indicator")]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class Severity(models.TextChoices):
    """How grave a problem is: an error blocks submission; a warning needs the officer's
    explanation. The one definition, for the model's rules and the issues validation finds."""

    ERROR = "error", _("错误")
    WARNING = "warning", _("警告")


class Rule(models.Model):
    Severity = Severity

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="rules")
    code = models.CharField(max_length=40)
    expression = models.CharField(max_length=500)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    message_zh = models.CharField(max_length=300)
    message_en = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="uniq_rule")]

    def __str__(self) -> str:
        return f"{self.code}: {self.expression}"


class Tier(models.Model):
    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="tiers")
    code = models.CharField(max_length=20)
    min_total = models.FloatField()
    label_zh = models.CharField(max_length=60)
    label_en = models.CharField(max_length=100)

    class Meta:
        ordering = ["version", "-min_total"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="uniq_tier")]

    def __str__(self) -> str:
        return self.label_zh

    @property
    def label(self) -> str:
        return localized(self, "label")

    @property
    def min_total_shown(self) -> str:
        return _plain(self.min_total)


class NationalTarget(BilingualNameMixin, models.Model):
    """One of the national 2020 targets (Table 1 of the report), kept as published."""

    code = models.CharField(_("代码"), max_length=10, unique=True)
    group_zh = models.CharField(_("类别（中文）"), max_length=40)
    group_en = models.CharField(_("类别（英文）"), max_length=80)
    name_zh = models.CharField(_("名称（中文）"), max_length=100)
    name_en = models.CharField(_("名称（英文）"), max_length=200)
    unit = models.CharField(_("单位（中文）"), max_length=20)
    unit_en = models.CharField(_("单位（英文）"), max_length=40, blank=True)
    target = models.CharField(_("目标值"), max_length=20, help_text=_("可带限定符，如 >38"))
    target_year = models.PositiveSmallIntegerField(_("目标年份"), default=2020)
    # A formula over the element codes of approved provincial data, with "SUM(...)" implied:
    # e.g. "E401 / P02 * 100" is computed as Σ E401 / Σ P02 × 100. Empty: not derivable.
    provincial_formula = models.CharField(_("省级汇总公式"), max_length=200, blank=True)
    provincial_scale = models.FloatField(
        _("换算系数"), default=1.0, help_text=_("省级汇总值换算到本指标单位的系数")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order"]
        verbose_name = _("国家目标")
        verbose_name_plural = _("国家目标")

    def __str__(self) -> str:
        return self.name_zh


class NationalTargetValue(models.Model):
    target = models.ForeignKey(NationalTarget, on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField(_("年份"))
    value = models.CharField(_("数值"), max_length=20, help_text=_("可带限定符，如 >90"))
    reported_growth = models.CharField(_("报告的增长"), max_length=20, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["target", "year"]
        verbose_name = _("国家目标数值")
        verbose_name_plural = _("国家目标数值")
        constraints = [
            models.UniqueConstraint(fields=["target", "year"], name="uniq_target_year")
        ]

    def __str__(self) -> str:
        return f"{self.target.code} {self.year}: {self.value}"
