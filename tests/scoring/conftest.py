"""Helpers of the scoring command tests: bulk files of the demo values, loaded through the
real `import_values` command, and the codes of every reporting unit."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from demo.data import element_values
from indicators.models import ModelVersion, Region
from scoring.models import ScoringRun
from submissions.models import Cycle
from tests.submissions.helpers import bulk_csv, bulk_rows

CORPS = "660000"  # 新疆生产建设兵团: scored, not ranked


@pytest.fixture
def all_codes(bootstrapped) -> list[str]:
    """The 31 provinces and the corps, in region order."""
    codes = list(Region.objects.order_by("order", "code").values_list("code", flat=True))
    assert len(codes) == 32 and CORPS in codes
    return codes


@pytest.fixture
def provinces(all_codes) -> list[str]:
    return [c for c in all_codes if c != CORPS]


def scaled_rows(codes: list[str], scale: Callable[[str], float]
                ) -> list[tuple[str, str, object, str]]:
    """Bulk rows of the demo values, each region's dimension points times ``scale(code)``."""
    return [(code, element, value, "") for code in codes
            for element, value in element_values(code, scale=scale(code)).items()]


@pytest.fixture
def load(tmp_path: Path) -> Callable[..., str]:
    """``load(codes, year=2017, approve=True, rows=None, late="")`` writes a bulk CSV and runs
    ``import_values`` on it; returns the command's output. A cycle already scored is no
    longer open: ``late`` is the reason of a late load (``--late --reason``)."""
    counter = iter(range(1, 10_000))

    def _load(codes: list[str] | None = None, *, year: int = 2017, approve: bool = True,
              rows: list[tuple[str, str, object, str]] | None = None, late: str = "") -> str:
        content = bulk_csv(rows if rows is not None else bulk_rows(codes or []))
        path = tmp_path / f"bulk-{year}-{next(counter)}.csv"
        path.write_bytes(content)
        out = io.StringIO()
        args = [str(path), "--cycle", str(year)] + (["--approve"] if approve else [])
        args += ["--late", "--reason", late] if late else []
        call_command("import_values", *args, stdout=out)
        return out.getvalue()

    return _load


def score(year: int = 2017) -> ScoringRun:
    """Run the `score` command and return the run whose id it printed."""
    out = io.StringIO()
    call_command("score", "--cycle", str(year), stdout=out)
    return ScoringRun.objects.get(pk=int(out.getvalue().strip()))


def publish(year: int = 2017, *args: str) -> str:
    out = io.StringIO()
    call_command("publish", "--cycle", str(year), *args, stdout=out)
    return out.getvalue()


def empty_cycle(year: int, actor) -> Cycle:
    """A cycle bound to the 2017 model (the only model there is), with empty drafts."""
    from submissions.services.cycles import cycle_create

    return cycle_create(year=year, model_version=ModelVersion.objects.get(code="2017"),
                        opens_on=date(year + 1, 1, 1), deadline=date(year + 1, 3, 31),
                        actor=actor)
