"""The studio's form: one field per dimension's points and per indicator's weight,
normalisation, goalposts and direction, plus the aggregation. It reads a scenario from a
query string (computing it changes nothing) or a POST (saving it), and writes a scenario back
as a query string (a saved scenario opened again in the studio)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from common.i18n import localized
from indicators.models import ModelVersion
from scoring import core, studio

DIRECTIONS = [("1", _("越大越好")), ("-1", _("越小越好"))]
MODEL_KIND = ""
# ApplicationError.field of scoring.studio → the form field it belongs to.
FIELD_PREFIXES = {"dimension_points": "p", "indicator_weights": "w", "normalisation": "k",
                  "goalposts": "lo", "directions": "dir"}
POSTS_BOTH = _("请同时填写下限和上限，或都留空")


def _number_input() -> forms.NumberInput:
    return forms.NumberInput(attrs={"step": "any", "class": "num-input"})


class ScenarioForm(forms.Form):
    aggregation = forms.ChoiceField(
        label=_("汇总方法"), choices=list(studio.AGGREGATION_LABELS.items()),
        initial="arithmetic", widget=forms.RadioSelect)

    def __init__(self, spec: core.ModelSpec, version: ModelVersion, *args: Any,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        dimensions = {d.code: d for d in version.dimensions.all()}
        indicators = {i.code: i for i in version.indicators.all()}
        self.dimension_rows = []
        for d in spec.dimensions:
            name = localized(dimensions[d.code], "name") if d.code in dimensions else d.code
            field = forms.FloatField(label=name, initial=d.points, widget=_number_input())
            self.fields[f"p_{d.code}"] = field
            self.dimension_rows.append((d, name, f"p_{d.code}"))
        self.indicator_rows = []
        self.names = {d.code: name for d, name, _field in self.dimension_rows}
        for i in spec.indicators:
            name = localized(indicators[i.code], "name") if i.code in indicators else i.code
            posts = studio.model_goalposts(i)
            kinds = [(MODEL_KIND, _("指标体系的方法")), *studio.KIND_LABELS.items()]
            self.fields[f"w_{i.code}"] = forms.FloatField(label=name, initial=i.weight,
                                                         widget=_number_input())
            self.fields[f"k_{i.code}"] = forms.ChoiceField(label=name, choices=kinds,
                                                          required=False, initial=MODEL_KIND)
            self.fields[f"lo_{i.code}"] = forms.FloatField(
                label=name, required=False, initial=posts[0] if posts else None,
                widget=_number_input())
            self.fields[f"hi_{i.code}"] = forms.FloatField(
                label=name, required=False, initial=posts[1] if posts else None,
                widget=_number_input())
            self.fields[f"dir_{i.code}"] = forms.ChoiceField(label=name, choices=DIRECTIONS,
                                                            initial=str(i.direction))
            self.indicator_rows.append((i, name, i.code))
            self.names[i.code] = name

    def dimension_table(self) -> list[tuple[core.DimensionSpec, str, forms.BoundField]]:
        return [(d, name, self[field]) for d, name, field in self.dimension_rows]

    def indicator_table(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        """Per indicator: its code, its name, and its weight, normalisation, lower and upper
        goalpost and direction fields."""
        return [(code, name, [self[f"{prefix}_{code}"] for prefix in
                              ("w", "k", "lo", "hi", "dir")])
                for _i, name, code in self.indicator_rows]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for i in self.spec.indicators:
            low, high = cleaned.get(f"lo_{i.code}"), cleaned.get(f"hi_{i.code}")
            if (low is None) != (high is None):
                self.add_error(f"lo_{i.code}", POSTS_BOTH)
        return cleaned

    def parameters(self) -> dict[str, Any]:
        """The scenario as ``scoring.studio.parse_scenario`` reads it: everything the form
        holds, goalposts and directions only where they differ from the model (so that the
        model's own normalisation stays in place where nothing changed)."""
        data = self.cleaned_data
        normalisation = {i.code: data[f"k_{i.code}"] for i in self.spec.indicators
                         if data.get(f"k_{i.code}")}
        goalposts: dict[str, list[float]] = {}
        directions: dict[str, int] = {}
        for i in self.spec.indicators:
            kind = normalisation.get(i.code)
            low, high = data.get(f"lo_{i.code}"), data.get(f"hi_{i.code}")
            posts = studio.model_goalposts(i)
            if (kind in (None, "goalposts") and low is not None and high is not None
                    and (kind == "goalposts" or posts != (low, high))):
                goalposts[i.code] = [low, high]
            direction = int(data[f"dir_{i.code}"])
            if direction != i.direction:
                directions[i.code] = direction
        return {
            "dimension_points": {d.code: data[f"p_{d.code}"] for d in self.spec.dimensions},
            "indicator_weights": {i.code: data[f"w_{i.code}"] for i in self.spec.indicators},
            "normalisation": normalisation,
            "goalposts": goalposts,
            "directions": directions,
            "aggregation": data["aggregation"],
        }

    def add_application_error(self, field: str | None, message: str) -> None:
        """Show a refusal of ``scoring.studio`` at the field it names."""
        name = None
        if field:
            key, _dot, code = field.partition(".")
            if key == "aggregation":
                name = "aggregation"
            elif key in FIELD_PREFIXES and f"{FIELD_PREFIXES[key]}_{code}" in self.fields:
                name = f"{FIELD_PREFIXES[key]}_{code}"
        self.add_error(name, message)


def _plain(value: float) -> str:
    """A float as the form shows it: every digit kept, no ".0" on a whole number."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def query_of(scenario: studio.Scenario, spec: core.ModelSpec) -> dict[str, str]:
    """The studio's query string for a scenario: opens it in the form again."""
    query = {"aggregation": scenario.aggregation}
    for d in spec.dimensions:
        query[f"p_{d.code}"] = _plain(scenario.dimension_points[d.code])
    for i in spec.indicators:
        query[f"w_{i.code}"] = _plain(scenario.indicator_weights[i.code])
        query[f"k_{i.code}"] = scenario.normalisation.get(i.code, MODEL_KIND)
        posts = scenario.goalposts.get(i.code) or studio.model_goalposts(i)
        if posts:
            query[f"lo_{i.code}"], query[f"hi_{i.code}"] = _plain(posts[0]), _plain(posts[1])
        query[f"dir_{i.code}"] = str(scenario.directions.get(i.code, i.direction))
    return query
