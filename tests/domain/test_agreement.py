"""Agreement statistics against worked examples published in the statistics literature.

Expected values are copied from the publications, so the tolerance is half a unit
in the last decimal place they print.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_service.domain.moderation.agreement import (
    LINEAR,
    QUADRATIC,
    AgreementError,
    agreement_weights,
    auditor_flag,
    contingency,
    gwet_ac,
    mean_difference,
    percent_agreement,
    sign_test,
    summarise,
    t_quantile,
    weighted_kappa,
    wilson_interval,
)

# SAS Institute, SAS/STAT User's Guide, "The FREQ Procedure: Agreement Study" (the
# skin condition data: two dermatologists, 4 ordered levels, n = 88). Its output
# applies Fleiss, Cohen & Everitt (1969) for the asymptotic standard error (ASE) and
# Cicchetti-Allison (linear) weights: simple kappa 0.3449, ASE 0.0724, 95% CI
# 0.2030 to 0.4868; weighted kappa 0.5082, ASE 0.0655, 95% CI 0.3798 to 0.6366.
SKIN_CONDITION = [[10, 4, 1, 0], [5, 10, 12, 2], [2, 4, 12, 5], [0, 2, 6, 13]]

# Gwet, K. L. (2014) Handbook of Inter-Rater Reliability, 4th ed., the 3x3 table of
# 100 pregnant women classified by two abstractors (Ectopic, AIU, NIU), with the
# results Gwet publishes for it in his irrCAC package (kgwet/irrCAC, to 3 decimals):
# Cohen's kappa 0.796 (95% CI 0.680-0.913), AC1 0.849 (0.764-0.935), AC2 linear
# 0.900 (0.842-0.958), AC2 quadratic 0.940 (0.905-0.976).
ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]

# Gwet (2014), the 4x4 table of 223 psychiatric patients by diagnosis method, with
# Gwet's published results (irrCAC): kappa 0.432 (SE 0.046), linear kappa 0.407
# (SE 0.053), quadratic kappa 0.383 (SE 0.066); AC1 0.456 (SE 0.043), AC2 linear
# 0.377 (SE 0.056), AC2 quadratic 0.299 (SE 0.075).
DIAGNOSIS = [[40, 4, 4, 17], [6, 25, 2, 13], [4, 1, 21, 12], [15, 5, 9, 45]]


def close(value: float | None, expected: float, decimals: int) -> bool:
    return value is not None and abs(value - expected) <= 0.5 * 10**-decimals + 1e-12


def test_simple_kappa_and_its_fleiss_cohen_everitt_standard_error():
    kappa = weighted_kappa(SKIN_CONDITION)
    assert close(kappa.value, 0.3449, 4)
    assert close(kappa.se, 0.0724, 4)
    assert close(kappa.low, 0.2030, 4) and close(kappa.high, 0.4868, 4)


def test_linear_weighted_kappa_and_its_standard_error():
    kappa = weighted_kappa(SKIN_CONDITION, agreement_weights(4, LINEAR))
    assert close(kappa.value, 0.5082, 4)
    assert close(kappa.se, 0.0655, 4)
    assert close(kappa.low, 0.3798, 4) and close(kappa.high, 0.6366, 4)


@pytest.mark.parametrize(("weighting", "value", "se"), [
    (None, 0.432, 0.046), (LINEAR, 0.407, 0.053), (QUADRATIC, 0.383, 0.066),
])
def test_kappa_on_gwets_diagnosis_table(weighting, value, se):
    weights = agreement_weights(4, weighting) if weighting else None
    kappa = weighted_kappa(DIAGNOSIS, weights)
    assert close(kappa.value, value, 3) and close(kappa.se, se, 3)


def test_kappa_on_gwets_abstractors_table():
    assert close(weighted_kappa(ABSTRACTORS).value, 0.796, 3)


def test_ac1_on_gwets_abstractors_table_with_a_t_interval():
    ac1 = gwet_ac(ABSTRACTORS)
    assert close(ac1.value, 0.849, 3)
    assert close(ac1.low, 0.764, 3) and close(ac1.high, 0.935, 3)


@pytest.mark.parametrize(("weighting", "value", "low", "high"), [
    (LINEAR, 0.900, 0.842, 0.958), (QUADRATIC, 0.940, 0.905, 0.976),
])
def test_ac2_on_gwets_abstractors_table(weighting, value, low, high):
    ac2 = gwet_ac(ABSTRACTORS, agreement_weights(3, weighting))
    assert close(ac2.value, value, 3) and close(ac2.low, low, 3) and close(ac2.high, high, 3)


@pytest.mark.parametrize(("weighting", "value", "se"), [
    (None, 0.456, 0.043), (LINEAR, 0.377, 0.056), (QUADRATIC, 0.299, 0.075),
])
def test_ac1_and_ac2_on_gwets_diagnosis_table(weighting, value, se):
    weights = agreement_weights(4, weighting) if weighting else None
    ac = gwet_ac(DIAGNOSIS, weights)
    assert close(ac.value, value, 3) and close(ac.se, se, 3)


@pytest.mark.parametrize(("successes", "n", "low", "high"), [
    # Newcombe, R. G. (1998) Two-sided confidence intervals for the single proportion:
    # comparison of seven methods. Statistics in Medicine 17, 857-872, Table I
    # (method 3, the Wilson score interval without continuity correction).
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_interval_matches_newcombe(successes, n, low, high):
    got_low, got_high = wilson_interval(successes, n)
    assert close(got_low, low, 4) and close(got_high, high, 4)


@pytest.mark.parametrize(("df", "expected"), [
    # Student's t, 0.975 quantiles as printed in standard tables (e.g. Fisher & Yates).
    (1, 12.706), (2, 4.303), (5, 2.571), (10, 2.228), (30, 2.042), (99, 1.984),
])
def test_t_quantiles_match_the_tables(df, expected):
    assert close(t_quantile(0.975, df), expected, 3)
    assert close(t_quantile(0.025, df), -expected, 3)


def test_percent_agreement_counts_the_diagonal():
    estimate = percent_agreement(ABSTRACTORS)
    assert estimate.value == pytest.approx(0.89) and estimate.n == 100
    assert estimate.low < 0.89 < estimate.high


def test_undefined_statistics_are_none_not_nonsense():
    empty = [[0, 0], [0, 0]]
    assert percent_agreement(empty).value is None
    assert weighted_kappa(empty).value is None
    one_category = [[5, 0], [0, 0]]  # chance agreement is total: kappa is undefined
    assert weighted_kappa(one_category).value is None
    assert percent_agreement(one_category).value == 1


def test_bad_input_is_refused_with_a_plain_reason():
    with pytest.raises(AgreementError, match="pair 2: 'excellent' is not one of"):
        contingency([("good", "good"), ("excellent", "good")], ["good", "poor"])
    with pytest.raises(AgreementError, match="square"):
        weighted_kappa([[1, 2, 3], [1, 2, 3]])
    with pytest.raises(AgreementError, match="weighting must be one of"):
        agreement_weights(3, "cubic")


def test_sign_test_is_exact():
    assert sign_test([1.0] * 6) == pytest.approx(2 / 64)
    assert sign_test([1.0, -1.0]) == 1.0
    assert sign_test([0.0, 0.0]) == 1.0


def test_an_auditor_consistently_higher_than_moderation_is_flagged():
    flag = auditor_flag([0.5, 0.75, 0.5, 1.0, 0.5, 0.25])
    assert flag.flagged and "higher than moderation" in flag.reason
    assert flag.mean.low > 0


def test_an_auditor_who_differs_both_ways_is_not_flagged():
    assert not auditor_flag([0.5, -0.5, 0.75, -0.75, 0.25]).flagged
    assert not auditor_flag([1.0, 1.0]).flagged  # too few pairs to say
    assert not auditor_flag([0.1, 0.1, 0.1, 0.1]).flagged  # within the threshold
    assert mean_difference([]).value is None


# --- properties ------------------------------------------------------------------------

LEVELS = ["outstanding", "good", "requires_improvement", "inadequate"]
ratings = st.sampled_from(LEVELS)
pair_lists = st.lists(st.tuples(ratings, ratings), min_size=1, max_size=60)


@settings(deadline=None)
@given(st.lists(ratings, min_size=1, max_size=60))
def test_perfect_agreement_scores_one(values):
    summary = summarise([(v, v) for v in values], LEVELS)
    assert summary.percent.value == 1
    assert summary.ac1.value == pytest.approx(1)
    if len(set(values)) > 1:  # with one category used, kappa is undefined
        assert summary.kappa_linear.value == pytest.approx(1)
        assert summary.kappa_quadratic.value == pytest.approx(1)


@settings(deadline=None)
@given(pair_lists)
def test_statistics_do_not_depend_on_which_rater_is_first(pairs):
    forward = summarise(pairs, LEVELS)
    backward = summarise([(b, a) for a, b in pairs], LEVELS)
    for name in ("percent", "kappa_linear", "kappa_quadratic", "ac1", "ac2_linear"):
        one, other = getattr(forward, name), getattr(backward, name)
        if one.value is None:
            assert other.value is None
            continue
        assert one.value == pytest.approx(other.value, abs=1e-9)
        assert (one.se or 0) == pytest.approx(other.se or 0, abs=1e-6)


@settings(deadline=None)
@given(pair_lists)
def test_statistics_stay_in_bounds_and_inside_their_intervals(pairs):
    summary = summarise(pairs, LEVELS)
    assert 0 <= summary.percent.low <= summary.percent.value <= summary.percent.high <= 1
    for estimate in (summary.kappa_linear, summary.kappa_quadratic, summary.ac1,
                     summary.ac2_linear):
        if estimate.value is None:
            continue
        assert -1 - 1e-9 <= estimate.value <= 1 + 1e-9
        assert estimate.se is not None and estimate.se >= 0 and not math.isnan(estimate.se)
        if estimate.low is not None:
            assert estimate.low <= estimate.value + 1e-9 <= estimate.high + 2e-9


@settings(deadline=None)
@given(st.integers(min_value=1, max_value=500), st.data())
def test_wilson_interval_holds_the_observed_proportion(n, data):
    successes = data.draw(st.integers(min_value=0, max_value=n))
    low, high = wilson_interval(successes, n)
    assert 0 <= low <= successes / n <= high <= 1
