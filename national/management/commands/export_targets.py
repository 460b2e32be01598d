import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from common.exports import to_csv
from national.selectors import targets_document

CSV_COLUMNS = ["code", "name", "unit", "group", "target", "target_year", "year", "value",
               "qualifier", "met", "growth", "growth_unit", "reported_growth", "growth_differs",
               "provincial_value", "provincial_regions"]


class Command(BaseCommand):
    help = "Export the national 2020 targets with their values by year, growth and whether met."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["csv", "json"], required=True)
        parser.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        document = targets_document()
        if options["format"] == "json":
            content = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
        else:
            content = to_csv(CSV_COLUMNS, list(_rows(document)))
        Path(options["output"]).write_bytes(content)
        self.stdout.write(f"{len(document)} targets written to {options['output']}")


def _rows(document: list[dict[str, Any]]) -> Any:
    for item in document:
        target = item["target"]
        for year, figure in item["values"].items():
            growth = item["growth"].get(year, {})
            provincial = item["provincial"].get(year, {})
            yield {
                "code": item["code"], "name": item["name"], "unit": item["unit"],
                "group": item["group"],
                "target": f"{target['comparator'] if target['comparator'] != '>=' else ''}"
                          f"{target['value']:g}",
                "target_year": target["year"], "year": year, "value": figure["value"],
                "qualifier": figure["qualifier"], "met": _flag(item["met"].get(year)),
                "growth": growth.get("value"), "growth_unit": growth.get("unit"),
                "reported_growth": growth.get("reported"),
                "growth_differs": _flag(growth.get("differs")) if growth else None,
                "provincial_value": provincial.get("value"),
                "provincial_regions": provincial.get("regions"),
            }


def _flag(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")
