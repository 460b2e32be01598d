"""A clearly labelled SYNTHETIC demo data set (演示数据，非真实统计).

The element values are made up so that, scored by the 2017 model, the ten regions of the
report's Table 3 get the dimension points the report prints (北京 16.57 / 17.33 / 18.32 /
13.65 / 7.66 / 9.44 = 82.97, …) and the other regions plausible lower ones. Populations are
rounded published figures; everything else is derived, not observed.
"""

from __future__ import annotations

import random
from decimal import Decimal

# Dimension points of the report (Tables 3–7) for the regions it names.
REPORTED: dict[str, tuple[float, float, float, float, float, float]] = {
    "110000": (16.57, 17.33, 18.32, 13.65, 7.66, 9.44),
    "440000": (16.56, 18.40, 16.78, 11.74, 8.22, 6.67),
    "320000": (15.59, 18.00, 14.20, 12.77, 7.66, 10.00),
    "330000": (16.91, 15.63, 16.19, 13.39, 6.29, 7.78),
    "310000": (15.27, 14.06, 18.57, 12.14, 6.55, 6.67),
    "350000": (16.96, 11.96, 14.24, 11.23, 7.85, 10.00),
    "120000": (14.97, 10.83, 14.92, 11.10, 8.39, 10.00),
    "500000": (16.05, 10.15, 14.71, 10.90, 7.12, 8.89),
    "510000": (14.33, 11.95, 13.19, 9.85, 8.95, 8.33),
    "420000": (14.26, 10.85, 12.68, 11.04, 9.42, 7.78),
}
# Single dimensions the report prints for regions outside its top ten (Tables 4–7).
PARTIAL: dict[str, dict[int, float]] = {
    "640000": {0: 15.90}, "370000": {0: 15.27, 1: 13.91, 2: 14.31}, "140000": {0: 15.07},
    "340000": {2: 13.22}, "210000": {3: 11.02},
}
POPULATION = {  # 万人, rounded
    "110000": 2170.7, "120000": 1556.87, "130000": 7519.52, "140000": 3702.35,
    "150000": 2528.6, "210000": 4368.9, "220000": 2717.43, "230000": 3788.7,
    "310000": 2418.33, "320000": 8029.3, "330000": 5657.0, "340000": 6254.8,
    "350000": 3911.0, "360000": 4622.1, "370000": 10005.83, "410000": 9559.13,
    "420000": 5902.0, "430000": 6860.2, "440000": 11169.0, "450000": 4885.0,
    "460000": 925.76, "500000": 3075.16, "510000": 8302.0, "520000": 3580.0,
    "530000": 4800.5, "540000": 337.15, "610000": 3835.44, "620000": 2625.71,
    "630000": 598.38, "640000": 681.79, "650000": 2444.67, "660000": 300.0,
}
POINTS = (20, 20, 20, 15, 15, 10)
# Upper bounds for regions outside the report's tables: below each table's tenth place.
CEILING = (14.9, 10.7, 13.1, 10.8, 9.3, 9.44)
FLOOR = (10.5, 4.0, 7.5, 7.0, 5.5, 4.44)


def dimension_points(code: str) -> tuple[float, ...]:
    if code in REPORTED:
        return REPORTED[code]
    rng = random.Random(f"ifdi-demo-{code}")  # noqa: S311 - synthetic demo data, not security
    points = [round(rng.uniform(lo, hi), 2) for lo, hi in zip(FLOOR, CEILING, strict=True)]
    for index, value in PARTIAL.get(code, {}).items():
        points[index] = value
    # Keep every region outside the report's top ten below the 65-point tier.
    while sum(points) >= 64.5:
        points = [round(p * 0.97, 2) for p in points]
    return tuple(points)


def _d(value: float, places: int = 4) -> Decimal:
    return Decimal(str(round(value, places)))


def element_values(code: str, *, scale: float = 1.0) -> dict[str, Decimal]:
    """Element values whose 2017 scores give ``dimension_points(code)`` (times ``scale``)."""
    d1, d2, d3, d4, d5, d6 = (p * scale for p in dimension_points(code))
    population = POPULATION[code]
    households = population / 2.9
    villages = int(population * 2.5) + 100
    websites = 20000 + int(population)
    s1, s2, s3, s4, s5 = d1 / 20, d2 / 20, d3 / 20, d4 / 15, d5 / 15
    levels = round(d6 / 10 * 18)
    ordinal = [3] * (levels // 3) + ([levels % 3] if levels % 3 else [])
    ordinal += [0] * (6 - len(ordinal))
    values = {
        "P01": _d(population, 2), "P02": _d(households, 2), "P03": Decimal(villages),
        "E101": _d(population * s1), "E102": _d(100 * s1), "E103": _d(population * s1),
        "E104": _d(population * s1),
        "E201": _d(100 * s2), "E202": _d(100 * s2), "E203": _d(100 * s2),
        "E301": _d(100 * s3), "E302": _d(100 * s3), "E303": _d(100 * s3),
        "E401": _d(households * s4), "E402": _d(population * s4), "E403": Decimal(
            round(villages * s4)),
        "E501": _d(100 * s5), "E502": Decimal(websites),
        "E503": Decimal(round(websites * 0.5 * (1 - s5))), "E504": _d(100 * s5),
    }
    for index, level in enumerate(ordinal, 1):
        values[f"E60{index}"] = Decimal(level)
    return values
