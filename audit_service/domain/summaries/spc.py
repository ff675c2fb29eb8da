"""XmR (individuals and moving range) charts, as NHS England's "Making Data Count" uses them.

The centre line is the mean of the points. The natural process limits are the
mean plus and minus 2.66 times the mean moving range (2.66 = 3 / d2, d2 = 1.128
for ranges of two points), so they sit three sigma from the mean. Special-cause
variation is flagged by four rules (Making Data Count, "Plotting the dots" guidance;
NHS-R's NHSRplotthedots implements the same defaults):

1. **Astronomical point**: a point above the upper or below the lower limit.
2. **Shift**: a run of ``shift_length`` (7) or more points all above, or all below,
   the mean. A point exactly on the mean breaks the run.
3. **Trend**: ``trend_length`` (6) or more points each higher (or each lower) than
   the one before. An equal neighbour breaks the trend.
4. **Two of three**: two of three consecutive points beyond two sigma (two thirds of
   the way to a limit) on the same side of the mean.

Every point that is part of a signal is flagged, with the rules that fired, so a
chart can colour it. A single good month with no rule firing is common-cause
variation: a "false dawn", not an improvement, and ``classify`` says so.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

E2 = 2.66  # 3 / 1.128
TWO_SIGMA_SHARE = 2 / 3


class Rule(StrEnum):
    OUTSIDE_LIMITS = "outside_limits"
    SHIFT = "shift"
    TREND = "trend"
    TWO_OF_THREE = "two_of_three"

    @property
    def label(self) -> str:
        return {
            "outside_limits": "a point outside the process limits",
            "shift": "a run of points on one side of the mean",
            "trend": "a run of points each higher or each lower than the last",
            "two_of_three": "two of three points near a process limit",
        }[self.value]


class Direction(StrEnum):
    HIGH = "high"
    LOW = "low"


@dataclass(frozen=True)
class SpcOptions:
    shift_length: int = 7
    trend_length: int = 6
    minimum_points: int = 12  # Making Data Count: limits from fewer points are unreliable

    def __post_init__(self) -> None:
        if self.shift_length < 2 or self.trend_length < 3:
            raise ValueError("a shift needs at least 2 points and a trend at least 3")


@dataclass(frozen=True)
class Point:
    value: float
    moving_range: float | None
    rules: frozenset[Rule]
    direction: Direction | None

    @property
    def special(self) -> bool:
        return bool(self.rules)


@dataclass(frozen=True)
class XmrChart:
    mean: float
    mean_moving_range: float
    upper_limit: float
    lower_limit: float
    points: tuple[Point, ...]
    enough_points: bool
    options: SpcOptions = field(default_factory=SpcOptions)

    @property
    def upper_near(self) -> float:
        return self.mean + TWO_SIGMA_SHARE * (self.upper_limit - self.mean)

    @property
    def lower_near(self) -> float:
        return self.mean - TWO_SIGMA_SHARE * (self.mean - self.lower_limit)


def _as_float(value: float | int | Decimal) -> float:
    return float(value)


def xmr(values: Sequence[float | int | Decimal], options: SpcOptions | None = None) -> XmrChart:
    """Build the chart for ``values`` in time order. Needs at least two points."""
    options = options or SpcOptions()
    xs = [_as_float(v) for v in values]
    if len(xs) < 2:
        raise ValueError(f"an XmR chart needs at least 2 points, not {len(xs)}")
    mean = math.fsum(xs) / len(xs)
    # Floating-point sums are not exact: values this close to a line count as on it.
    eps = 1e-9 * max(1.0, abs(mean))
    ranges = [abs(b - a) for a, b in itertools.pairwise(xs)]
    mr_bar = math.fsum(ranges) / len(ranges)
    upper, lower = mean + E2 * mr_bar, mean - E2 * mr_bar
    near_up = mean + TWO_SIGMA_SHARE * E2 * mr_bar
    near_low = mean - TWO_SIGMA_SHARE * E2 * mr_bar
    rules: list[set[Rule]] = [set() for _ in xs]
    direction: list[Direction | None] = [None] * len(xs)

    def flag(index: int, rule: Rule, side: Direction) -> None:
        rules[index].add(rule)
        direction[index] = direction[index] or side

    for i, x in enumerate(xs):
        if x > upper + eps:
            flag(i, Rule.OUTSIDE_LIMITS, Direction.HIGH)
        elif x < lower - eps:
            flag(i, Rule.OUTSIDE_LIMITS, Direction.LOW)

    side = [1 if x > mean + eps else -1 if x < mean - eps else 0 for x in xs]
    for start, end, sign in _runs(side):
        if sign and end - start >= options.shift_length:
            for i in range(start, end):
                flag(i, Rule.SHIFT, Direction.HIGH if sign > 0 else Direction.LOW)

    steps = [1 if b > a else -1 if b < a else 0 for a, b in itertools.pairwise(xs)]
    for start, end, sign in _runs(steps):
        # ``end - start`` steps join ``end - start + 1`` points.
        if sign and end - start + 1 >= options.trend_length:
            for i in range(start, end + 1):
                flag(i, Rule.TREND, Direction.HIGH if sign > 0 else Direction.LOW)

    for i in range(len(xs) - 2):
        window = range(i, i + 3)
        for sign, beyond in ((1, lambda x: x > near_up + eps),
                             (-1, lambda x: x < near_low - eps)):
            hits = [j for j in window if beyond(xs[j])]
            if len(hits) >= 2:
                for j in hits:
                    flag(j, Rule.TWO_OF_THREE, Direction.HIGH if sign > 0 else Direction.LOW)

    points = tuple(
        Point(x, None if i == 0 else ranges[i - 1], frozenset(rules[i]), direction[i])
        for i, x in enumerate(xs)
    )
    return XmrChart(mean, mr_bar, upper, lower, points, len(xs) >= options.minimum_points,
                    options)


def _runs(signs: Sequence[int]) -> list[tuple[int, int, int]]:
    """Maximal runs of equal values as ``(start, end_exclusive, value)``."""
    runs, start = [], 0
    for i in range(1, len(signs) + 1):
        if i == len(signs) or signs[i] != signs[start]:
            runs.append((start, i, signs[start]))
            start = i
    return runs


class Variation(StrEnum):
    IMPROVING = "improving"
    DETERIORATING = "deteriorating"
    COMMON_CAUSE = "common_cause"

    @property
    def label(self) -> str:
        return {
            "improving": "Special cause: improvement",
            "deteriorating": "Special cause: concern",
            "common_cause": "Common cause: no significant change",
        }[self.value]


def classify(chart: XmrChart, *, higher_is_better: bool = True, last: int = 1) -> Variation:
    """What the latest point(s) say: improvement or concern only when a rule fires.

    A latest point that is simply the best for a while, with no rule firing, is a
    false dawn and counts as common cause.
    """
    recent = chart.points[-last:]
    sides = {p.direction for p in recent if p.special}
    if not sides or len(sides) > 1:
        return Variation.COMMON_CAUSE
    (side,) = sides
    good = (side is Direction.HIGH) == higher_is_better
    return Variation.IMPROVING if good else Variation.DETERIORATING


def false_dawns(chart: XmrChart, *, lookback: int = 6) -> list[int]:
    """Indexes of points above the mean and better than each of the ``lookback`` before,
    which no rule flags.

    They look like a breakthrough and are not: what "Making Data Count" calls
    reacting to noise.
    """
    found = []
    for i in range(lookback, len(chart.points)):
        point = chart.points[i]
        before = chart.points[i - lookback:i]
        if (point.value > chart.mean and not point.special
                and all(point.value > p.value for p in before)):
            found.append(i)
    return found
