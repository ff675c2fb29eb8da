"""XmR charts and the Making Data Count rules.

Worked examples follow NHS England / NHS Improvement, "Making Data Count: Strengthening
your decisions" (2019) and "Statistical process control tool" guidance: limits are the mean
plus and minus 2.66 times the mean moving range; special causes are a point outside the
limits, a run of 7 on one side of the mean (a shift), 6 points each rising or each falling
(a trend) and two of three points beyond two sigma on one side.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_service.domain.summaries.spc import (
    Direction,
    Rule,
    SpcOptions,
    Variation,
    classify,
    false_dawns,
    xmr,
)


def test_worked_example_limits():
    # Values 10, 12, 11, 13, 12: mean 11.6; moving ranges 2, 1, 2, 1: mean 1.5;
    # limits 11.6 +/- 2.66 * 1.5 = 7.61 and 15.59.
    chart = xmr([10, 12, 11, 13, 12])
    assert chart.mean == pytest.approx(11.6)
    assert chart.mean_moving_range == pytest.approx(1.5)
    assert chart.upper_limit == pytest.approx(15.59)
    assert chart.lower_limit == pytest.approx(7.61)
    assert [p.moving_range for p in chart.points] == [None, 2, 1, 2, 1]
    assert not any(p.special for p in chart.points)


def test_point_outside_the_limits():
    chart = xmr([10, 11, 10, 11, 10, 11, 10, 30, 10, 11])
    assert chart.points[7].rules == {Rule.OUTSIDE_LIMITS}
    assert chart.points[7].direction is Direction.HIGH


def test_run_of_seven_below_the_mean_is_a_shift_and_six_is_not():
    seven = xmr([20, 21, 20, 21, 20, 21, 20, 10, 11, 10, 11, 10, 11, 10])
    assert [Rule.SHIFT in p.rules for p in seven.points] == [True] * 7 + [True] * 7
    six = xmr([20, 21, 20, 21, 20, 21, 10, 11, 10, 11, 10, 11, 20, 21, 20, 21])
    assert not any(Rule.SHIFT in p.rules for p in six.points)


def test_point_on_the_mean_breaks_a_run():
    values = [12, 12, 12, 10, 12, 12, 12, 8, 8, 8, 8, 8, 8]
    chart = xmr(values, SpcOptions(shift_length=7))
    assert chart.mean == 10
    assert not any(Rule.SHIFT in p.rules for p in chart.points)


def test_six_rising_points_are_a_trend():
    chart = xmr([5, 6, 5, 1, 2, 3, 4, 5, 6, 5, 6, 5])
    flagged = [i for i, p in enumerate(chart.points) if Rule.TREND in p.rules]
    assert flagged == [3, 4, 5, 6, 7, 8]
    assert chart.points[8].direction is Direction.HIGH


def test_two_of_three_near_the_upper_limit():
    # Mean 10.76, mean moving range 1.25: upper limit 14.09, two sigma at 12.98.
    chart = xmr([10, 11] * 10 + [13.5, 10.5, 13.5])
    assert chart.upper_near < 13.5 < chart.upper_limit
    assert Rule.TWO_OF_THREE in chart.points[20].rules
    assert Rule.TWO_OF_THREE in chart.points[22].rules
    assert Rule.TWO_OF_THREE not in chart.points[21].rules
    assert Rule.OUTSIDE_LIMITS not in chart.points[22].rules


def test_a_single_good_month_is_a_false_dawn_not_an_improvement():
    values = [50, 55, 48, 52, 51, 49, 53, 50, 52, 62, 51, 49]
    chart = xmr(values)
    assert not chart.points[9].special
    assert classify(chart, last=3) is Variation.COMMON_CAUSE
    assert 9 in false_dawns(chart)


def test_a_sustained_improvement_is_classified_as_improving():
    chart = xmr([50, 52, 49, 51, 50, 52, 60, 61, 62, 60, 61, 62, 61])
    assert classify(chart) is Variation.IMPROVING
    assert classify(chart, higher_is_better=False) is Variation.DETERIORATING


def test_needs_two_points():
    with pytest.raises(ValueError, match="at least 2 points"):
        xmr([1])


values = st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), min_size=2,
                  max_size=60)


@given(values)
def test_limits_are_symmetric_about_the_mean(xs):
    chart = xmr(xs)
    assert chart.upper_limit - chart.mean == pytest.approx(chart.mean - chart.lower_limit)
    assert chart.lower_limit <= chart.mean <= chart.upper_limit


@given(values)
def test_outside_limit_flags_exactly_the_points_beyond_them(xs):
    chart = xmr(xs)
    for p in chart.points:
        if min(abs(p.value - chart.upper_limit), abs(p.value - chart.lower_limit)) < 1e-6:
            continue  # on a limit, within floating-point error
        beyond = p.value > chart.upper_limit or p.value < chart.lower_limit
        assert (Rule.OUTSIDE_LIMITS in p.rules) == beyond


@given(st.floats(min_value=-50, max_value=50, allow_nan=False), values)
def test_shifting_every_value_moves_the_limits_and_keeps_the_signals(offset, xs):
    a, b = xmr(xs), xmr([x + offset for x in xs])
    assert b.mean == pytest.approx(a.mean + offset, abs=1e-6)
    assert b.mean_moving_range == pytest.approx(a.mean_moving_range, abs=1e-6)


@given(st.floats(min_value=0, max_value=100, allow_nan=False), st.integers(2, 40))
def test_a_flat_series_has_no_signal(value, n):
    chart = xmr([value] * n)
    assert not any(p.special for p in chart.points)
