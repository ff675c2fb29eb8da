"""Agreement between two raters (an auditor and a moderator) on an ordinal scale.

Pure functions over a square contingency table ``table[i][j]``: the number of
subjects the first rater put in category ``i`` and the second in category
``j``, categories listed in scale order. Every coefficient comes with a 95%
confidence interval, because a moderation sample is small and a bare number
would overstate what is known:

* percent agreement, with the Wilson score interval (Wilson 1927; Newcombe 1998);
* Cohen's weighted kappa (Cohen 1968) with the large-sample standard error of
  Fleiss, Cohen & Everitt (1969) and a normal interval;
* Gwet's AC1 (Gwet 2008) and its weighted form AC2 (Gwet 2014), with Gwet's
  variance, which does not assume the raters independent, and a t interval on
  n - 1 degrees of freedom as Gwet computes it.

"Audit the auditor" compares overall scores pair by pair: a mean difference
with a t interval, and an exact two-sided sign test.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

Table = Sequence[Sequence[int]]
Weights = Sequence[Sequence[float]]

UNWEIGHTED = "unweighted"
LINEAR = "linear"
QUADRATIC = "quadratic"
WEIGHTINGS = (UNWEIGHTED, LINEAR, QUADRATIC)
Z_95 = NormalDist().inv_cdf(0.975)


class AgreementError(ValueError):
    """The ratings cannot be tabulated: the message says which value and why."""


@dataclass(frozen=True)
class Estimate:
    """A coefficient with its standard error and 95% interval; None where undefined.

    Undefined is honest: with no pairs, or when chance agreement is already
    total (both raters used one category only), kappa has no value.
    """

    value: float | None
    low: float | None = None
    high: float | None = None
    se: float | None = None
    n: int = 0

    @property
    def defined(self) -> bool:
        return self.value is not None


# --- tables and weights ----------------------------------------------------------------


def contingency(pairs: Iterable[tuple[str, str]], categories: Sequence[str]) -> list[list[int]]:
    """Tabulate (first rater, second rater) pairs over ``categories`` (in scale order)."""
    index = {category: i for i, category in enumerate(categories)}
    if len(index) != len(categories):
        raise AgreementError("the categories must be distinct")
    table = [[0] * len(categories) for _ in categories]
    for number, (first, second) in enumerate(pairs, start=1):
        for value in (first, second):
            if value not in index:
                raise AgreementError(
                    f"pair {number}: {value!r} is not one of the categories "
                    f"{', '.join(categories)}"
                )
        table[index[first]][index[second]] += 1
    return table


def agreement_weights(q: int, weighting: str = UNWEIGHTED) -> list[list[float]]:
    """Agreement weights for ``q`` ordered categories: 1 on the diagonal, less further away.

    Linear: 1 - |i - j| / (q - 1) (Cicchetti & Allison 1971); quadratic:
    1 - (i - j)^2 / (q - 1)^2 (Fleiss & Cohen 1973).
    """
    if weighting not in WEIGHTINGS:
        raise AgreementError(f"weighting must be one of {', '.join(WEIGHTINGS)}, not "
                             f"{weighting!r}")
    if q < 1:
        raise AgreementError("there must be at least one category")
    if weighting == UNWEIGHTED or q == 1:
        return [[1.0 if i == j else 0.0 for j in range(q)] for i in range(q)]
    span = q - 1
    if weighting == LINEAR:
        return [[1 - abs(i - j) / span for j in range(q)] for i in range(q)]
    return [[1 - (i - j) ** 2 / span**2 for j in range(q)] for i in range(q)]


def _check(table: Table, weights: Weights | None = None) -> int:
    q = len(table)
    if any(len(row) != q for row in table):
        raise AgreementError("the table must be square: one row and one column per category")
    if any(cell < 0 for row in table for cell in row):
        raise AgreementError("the table cannot hold negative counts")
    if weights is not None and (len(weights) != q or any(len(row) != q for row in weights)):
        raise AgreementError("the weights must be a square matrix the size of the table")
    return sum(sum(row) for row in table)


def _proportions(table: Table, n: int) -> tuple[list[list[float]], list[float], list[float]]:
    q = len(table)
    p = [[cell / n for cell in row] for row in table]
    rows = [sum(p[i]) for i in range(q)]
    cols = [sum(p[i][j] for i in range(q)) for j in range(q)]
    return p, rows, cols


def _clip(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


# --- percent agreement -----------------------------------------------------------------


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for a proportion: sensible at 0, at n and for small n."""
    if n <= 0:
        raise AgreementError("a proportion needs at least one observation")
    if not 0 <= successes <= n:
        raise AgreementError(f"{successes} successes is not between 0 and {n}")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # At 0 and at n the bounds are exactly 0 and 1; floating point would miss them.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def percent_agreement(table: Table) -> Estimate:
    """The share of subjects both raters put in the same category, with a Wilson interval."""
    n = _check(table)
    if n == 0:
        return Estimate(None)
    agreed = sum(table[i][i] for i in range(len(table)))
    low, high = wilson_interval(agreed, n)
    p = agreed / n
    return Estimate(p, low, high, math.sqrt(p * (1 - p) / n), n)


# --- Cohen's weighted kappa ------------------------------------------------------------


def weighted_kappa(table: Table, weights: Weights | None = None) -> Estimate:
    """Cohen's (weighted) kappa with the Fleiss, Cohen & Everitt (1969) standard error.

    With ``weights`` None this is Cohen's unweighted kappa (identity weights).
    The variance is the large-sample one for kappa not equal to zero:

        var = [sum p_ij (w_ij - (wbar_i. + wbar_.j)(1 - k))^2 - (k - pe (1 - k))^2]
              / (n (1 - pe)^2)
    """
    n = _check(table, weights)
    q = len(table)
    if n == 0:
        return Estimate(None)
    w = weights if weights is not None else agreement_weights(q)
    p, rows, cols = _proportions(table, n)
    po = sum(w[i][j] * p[i][j] for i in range(q) for j in range(q))
    pe = sum(w[i][j] * rows[i] * cols[j] for i in range(q) for j in range(q))
    if math.isclose(pe, 1.0, abs_tol=1e-12):
        return Estimate(None, n=n)
    kappa = (po - pe) / (1 - pe)
    row_mean = [sum(cols[j] * w[i][j] for j in range(q)) for i in range(q)]
    col_mean = [sum(rows[i] * w[i][j] for i in range(q)) for j in range(q)]
    spread = sum(
        p[i][j] * (w[i][j] - (row_mean[i] + col_mean[j]) * (1 - kappa)) ** 2
        for i in range(q) for j in range(q)
    )
    variance = (spread - (kappa - pe * (1 - kappa)) ** 2) / (n * (1 - pe) ** 2)
    se = math.sqrt(max(variance, 0.0))
    return Estimate(kappa, _clip(kappa - Z_95 * se, -1.0, 1.0),
                    _clip(kappa + Z_95 * se, -1.0, 1.0), se, n)


# --- Gwet's AC1 / AC2 ------------------------------------------------------------------


def gwet_ac(table: Table, weights: Weights | None = None) -> Estimate:
    """Gwet's AC1 (identity weights) or AC2 (other weights), with Gwet's variance.

    pe = T_w / (q (q - 1)) * sum pi_k (1 - pi_k), pi_k the mean of the two
    raters' shares of category k and T_w the sum of the weights (Gwet 2008,
    eq. 17; Gwet 2014 for weights). The variance is Gwet's (2008, eq. 37 for
    two raters; with no finite-population correction):

        var = [sum p_kl (w_kl - 2 (1 - g) T_w (1 - (pi_k + pi_l) / 2) / (q (q - 1)))^2
               - (pa - 2 (1 - g) pe)^2] / (n (1 - pe)^2)
    """
    n = _check(table, weights)
    q = len(table)
    if n == 0 or q < 2:
        return Estimate(None, n=n)
    w = weights if weights is not None else agreement_weights(q)
    p, rows, cols = _proportions(table, n)
    pi = [(rows[k] + cols[k]) / 2 for k in range(q)]
    total_weight = sum(sum(row) for row in w)
    scale = total_weight / (q * (q - 1))
    pa = sum(w[k][m] * p[k][m] for k in range(q) for m in range(q))
    pe = scale * sum(x * (1 - x) for x in pi)
    if math.isclose(pe, 1.0, abs_tol=1e-12):
        return Estimate(None, n=n)
    gamma = (pa - pe) / (1 - pe)
    spread = sum(
        p[k][m] * (w[k][m] - 2 * (1 - gamma) * scale * (1 - (pi[k] + pi[m]) / 2)) ** 2
        for k in range(q) for m in range(q)
    )
    variance = (spread - (pa - 2 * (1 - gamma) * pe) ** 2) / (n * (1 - pe) ** 2)
    se = math.sqrt(max(variance, 0.0))
    if n < 2:
        return Estimate(gamma, None, None, se, n)
    t = t_quantile(0.975, n - 1)
    return Estimate(gamma, _clip(gamma - t * se, -1.0, 1.0), _clip(gamma + t * se, -1.0, 1.0),
                    se, n)


# --- the t distribution, for small samples -----------------------------------------------


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """Lentz's method for the incomplete beta continued fraction (Press et al., 6.4)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 300):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1.0) < 1e-15:
            break
    return result


def regularized_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b), the regularized incomplete beta function."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_continued_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(b, a, 1 - x) / b


def t_cdf(t: float, df: int) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom."""
    if df < 1:
        raise AgreementError("the t distribution needs at least one degree of freedom")
    tail = 0.5 * regularized_beta(df / 2, 0.5, df / (df + t * t))
    return 1 - tail if t > 0 else tail


@lru_cache(maxsize=512)
def t_quantile(p: float, df: int) -> float:
    """The ``p`` quantile of Student's t (bisection on the exact CDF)."""
    if not 0 < p < 1:
        raise AgreementError("a quantile needs a probability strictly between 0 and 1")
    if p < 0.5:
        return -t_quantile(1 - p, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2
    for _ in range(200):
        middle = (low + high) / 2
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
        if high - low < 1e-12:
            break
    return (low + high) / 2


# --- audit the auditor -------------------------------------------------------------------


def mean_difference(differences: Sequence[float]) -> Estimate:
    """The mean of paired differences with a 95% t interval (undefined below two pairs)."""
    n = len(differences)
    if n == 0:
        return Estimate(None)
    mean = sum(differences) / n
    if n < 2:
        return Estimate(mean, n=n)
    sd = math.sqrt(sum((d - mean) ** 2 for d in differences) / (n - 1))
    se = sd / math.sqrt(n)
    t = t_quantile(0.975, n - 1)
    return Estimate(mean, mean - t * se, mean + t * se, se, n)


def sign_test(differences: Sequence[float]) -> float:
    """Exact two-sided sign test p-value; ties (zero differences) are left out."""
    above = sum(1 for d in differences if d > 0)
    below = sum(1 for d in differences if d < 0)
    n = above + below
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(min(above, below) + 1)) / 2**n
    return min(1.0, 2 * tail)


@dataclass(frozen=True)
class AuditorFlag:
    flagged: bool
    mean: Estimate
    sign_p: float
    higher: int
    lower: int
    reason: str


def auditor_flag(differences: Sequence[float], threshold: float = 0.25,
                 alpha: float = 0.05, minimum_pairs: int = 3) -> AuditorFlag:
    """Flag an auditor whose overall scores run consistently above the moderators'.

    ``differences`` are auditor minus moderator, one per moderated audit. The
    auditor is flagged when the mean difference exceeds ``threshold`` AND the
    evidence says it is not chance: the 95% interval lies above zero, or the
    sign test (more higher than lower) is significant at ``alpha``.
    """
    mean = mean_difference(differences)
    p = sign_test(differences)
    higher = sum(1 for d in differences if d > 0)
    lower = sum(1 for d in differences if d < 0)
    if len(differences) < minimum_pairs or mean.value is None:
        return AuditorFlag(False, mean, p, higher, lower,
                           f"fewer than {minimum_pairs} moderated audits")
    if mean.value <= threshold:
        return AuditorFlag(False, mean, p, higher, lower,
                           f"mean difference {mean.value:+.2f} is within {threshold:.2f}")
    interval_above = mean.low is not None and mean.low > 0
    sign_says = p < alpha and higher > lower
    if interval_above or sign_says:
        why = []
        if interval_above:
            why.append("the 95% interval of the mean difference is above zero")
        if sign_says:
            why.append(f"{higher} of {higher + lower} scores were higher (sign test p = {p:.3f})")
        return AuditorFlag(True, mean, p, higher, lower,
                           f"grades run higher than moderation: {'; '.join(why)}")
    return AuditorFlag(False, mean, p, higher, lower,
                       "the difference could be chance (interval includes zero, sign test "
                       "not significant)")


# --- everything for one set of pairs ---------------------------------------------------------


@dataclass(frozen=True)
class AgreementSummary:
    n: int
    percent: Estimate
    kappa_linear: Estimate
    kappa_quadratic: Estimate
    ac1: Estimate
    ac2_linear: Estimate


def summarise(pairs: Iterable[tuple[str, str]], categories: Sequence[str]) -> AgreementSummary:
    """All the statistics the moderation page shows, for one criterion, auditor or team."""
    table = contingency(pairs, categories)
    q = len(categories)
    linear = agreement_weights(q, LINEAR)
    return AgreementSummary(
        n=sum(sum(row) for row in table),
        percent=percent_agreement(table),
        kappa_linear=weighted_kappa(table, linear),
        kappa_quadratic=weighted_kappa(table, agreement_weights(q, QUADRATIC)),
        ac1=gwet_ac(table),
        ac2_linear=gwet_ac(table, linear),
    )
