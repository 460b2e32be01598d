import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from indicators.model_diff import ModelDiff, model_diff
from indicators.models import ModelVersion


class Command(BaseCommand):
    help = ("What changed from model version A to model version B: added, removed and changed "
            "dimensions, elements, indicators, rules and tiers, with old -> new per attribute.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("old", help="the older version's code (A)")
        parser.add_argument("new", help="the newer version's code (B)")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        versions = {v.code: v for v in ModelVersion.objects.filter(
            code__in=[options["old"], options["new"]])}
        for code in (options["old"], options["new"]):
            if code not in versions:
                known = ", ".join(ModelVersion.objects.values_list("code", flat=True)) or "none"
                raise CommandError(f"no model version {code!r} (known: {known})")
        diff = model_diff(versions[options["old"]].source, versions[options["new"]].source)
        if options["format"] == "json":
            self.stdout.write(json.dumps(diff.as_json(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write("\n".join(text_lines(diff)))


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):  # an ordinal element's level names
        return " / ".join(str(v.get("label_zh", v)) if isinstance(v, dict) else str(v)
                          for v in value)
    return json.dumps(value, ensure_ascii=False) if isinstance(value, bool) else str(value)


def text_lines(diff: ModelDiff) -> list[str]:
    """The comparison as lines of text: + added, - removed, ~ changed (old -> new)."""
    lines = [_("指标体系 {old} → {new}").format(old=diff.old, new=diff.new)]
    if diff.identical:
        return [*lines, _("两个版本的内容相同。")]
    lines += [f"  ~ {c.label}: {_value(c.old)} -> {_value(c.new)}" for c in diff.header]
    for section in diff.sections:
        if section.empty:
            continue
        lines.append(f"{section.label} ({section.section}):")
        lines += [f"  + {i.code} {i.name}" for i in section.added]
        lines += [f"  - {i.code} {i.name}" for i in section.removed]
        for item in section.changed:
            lines.append(f"  ~ {item.code} {item.name}")
            lines += [f"      {c.label} ({c.attribute}): {_value(c.old)} -> {_value(c.new)}"
                      for c in item.changes]
    return lines
