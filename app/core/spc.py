"""Control charts and process capability (管理図・工程能力), pure numbers, no Qt, no I/O.

Which chart: an X̄-R chart when the readings come in rational subgroups of one size n
between 2 and 10 (several readings of one characteristic on one lot at one step, every
lot×step holding n of them); otherwise an individuals chart with moving ranges (I-MR)
over the readings in time order. Limits are the Shewhart 3σ limits of JIS Z 9020-2:2016
(ISO 7870-2:2013), σ estimated within subgroups: R̄/d2 (X̄-R) or MR̄/d2(2) (I-MR).

The eight tests for special causes (JIS Z 9020-2 附属書B, ISO 7870-2 Annex B) run on
the X̄ or I chart with zones at 1σ, 2σ and 3σ of the plotted statistic. A point is
flagged with a test's number when it completes that test's pattern (a run keeps
flagging while it lasts):

1. one point beyond zone A (outside the 3σ limits);
2. nine points in a row on one side of the centre line;
3. six points in a row steadily increasing or decreasing;
4. fourteen points in a row alternating up and down;
5. two out of three points in a row in zone A or beyond (beyond 2σ), same side;
6. four out of five points in a row in zone B or beyond (beyond 1σ), same side;
7. fifteen points in a row in zone C (within 1σ), either side;
8. eight points in a row on both sides with none in zone C (all beyond 1σ).

Cp and Cpk use the within-subgroup σ and are given only from ``MIN_CAPABILITY_N``
readings on, with Bissell's (1990) approximate lower confidence bound of Cpk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import sqrt
from statistics import NormalDist

import numpy as np

# Control-chart constants for subgroup size n (JIS Z 9020-2:2016 表2; ASTM STP 15D).
D2 = {2: 1.128, 3: 1.693, 4: 2.059, 5: 2.326, 6: 2.534, 7: 2.704, 8: 2.847, 9: 2.970, 10: 3.078}
D3 = {2: 0.0, 3: 0.0, 4: 0.0, 5: 0.0, 6: 0.0, 7: 0.076, 8: 0.136, 9: 0.184, 10: 0.223}
D4 = {2: 3.267, 3: 2.574, 4: 2.282, 5: 2.114, 6: 2.004, 7: 1.924, 8: 1.864, 9: 1.816, 10: 1.777}
A2 = {2: 1.880, 3: 1.023, 4: 0.729, 5: 0.577, 6: 0.483, 7: 0.419, 8: 0.373, 9: 0.337, 10: 0.308}

MIN_CAPABILITY_N = 30  # readings before Cp/Cpk are shown
TESTS = (1, 2, 3, 4, 5, 6, 7, 8)

INDIVIDUALS, XBAR_R = "I-MR", "Xbar-R"


@dataclass(frozen=True, slots=True)
class Limits:
    centre: float
    upper: float
    lower: float

    @property
    def sigma(self) -> float:
        """One σ of the plotted statistic (a third of the distance to a limit)."""
        return (self.upper - self.centre) / 3


@dataclass(frozen=True, slots=True)
class ControlChart:
    """A location chart (I or X̄) and its range chart (MR or R), with the flags."""

    kind: str  # INDIVIDUALS or XBAR_R
    subgroup_size: int  # 1 for I-MR
    points: tuple[float, ...]  # the readings (I) or subgroup means (X̄)
    limits: Limits
    ranges: tuple[float | None, ...]  # MR (None for the first point) or R per subgroup
    range_limits: Limits
    sigma_within: float  # σ of one reading, R̄/d2 or MR̄/d2(2)
    flags: tuple[tuple[int, ...], ...]  # per point: the tests it fails, in order
    range_flags: tuple[bool, ...]  # range beyond its limits

    @property
    def flagged(self) -> list[int]:
        """Indices of the points that fail any test."""
        return [i for i, f in enumerate(self.flags) if f]


def choose_chart(subgroup_sizes: Sequence[int]) -> tuple[str, int]:
    """The chart for readings in these subgroups (lot × step): X̄-R when there are at least
    two subgroups, all of one size n with 2 ≤ n ≤ 10; else I-MR."""
    sizes = set(subgroup_sizes)
    if len(subgroup_sizes) >= 2 and len(sizes) == 1:
        n = next(iter(sizes))
        if 2 <= n <= 10:
            return XBAR_R, n
    return INDIVIDUALS, 1


def individuals(values: Sequence[float]) -> ControlChart:
    """I-MR chart: centre x̄, limits x̄ ± 3·MR̄/d2(2); MR chart 0 … D4(2)·MR̄."""
    x = np.asarray(values, dtype=float)
    if x.size < 2:
        raise ValueError("an individuals chart needs two readings")
    mr = np.abs(np.diff(x))
    mr_bar = float(mr.mean())
    sigma = mr_bar / D2[2]
    centre = float(x.mean())
    limits = Limits(centre, centre + 3 * sigma, centre - 3 * sigma)
    range_limits = Limits(mr_bar, D4[2] * mr_bar, D3[2] * mr_bar)
    ranges: tuple[float | None, ...] = (None, *(float(v) for v in mr))
    return ControlChart(
        INDIVIDUALS,
        1,
        tuple(float(v) for v in x),
        limits,
        ranges,
        range_limits,
        sigma,
        tuple(special_causes(x, limits)),
        tuple(r is not None and _beyond(r, range_limits) for r in ranges),
    )


def xbar_r(subgroups: Sequence[Sequence[float]]) -> ControlChart:
    """X̄-R chart for subgroups of one size n (2…10): X̄ limits x̿ ± A2·R̄, R limits
    D3·R̄ … D4·R̄, σ within = R̄/d2."""
    sizes = {len(g) for g in subgroups}
    if len(sizes) != 1 or not 2 <= (n := next(iter(sizes))) <= 10:
        raise ValueError("X̄-R needs subgroups of one size between 2 and 10")
    arr = np.asarray(subgroups, dtype=float)
    means = arr.mean(axis=1)
    rng = arr.max(axis=1) - arr.min(axis=1)
    r_bar, centre = float(rng.mean()), float(means.mean())
    limits = Limits(centre, centre + A2[n] * r_bar, centre - A2[n] * r_bar)
    range_limits = Limits(r_bar, D4[n] * r_bar, D3[n] * r_bar)
    return ControlChart(
        XBAR_R,
        n,
        tuple(float(v) for v in means),
        limits,
        tuple(float(v) for v in rng),
        range_limits,
        r_bar / D2[n],
        tuple(special_causes(means, limits)),
        tuple(_beyond(float(r), range_limits) for r in rng),
    )


def _beyond(v: float, lim: Limits) -> bool:
    eps = 1e-9 * max(1.0, abs(lim.centre))
    return v > lim.upper + eps or v < lim.lower - eps


def special_causes(values: Sequence[float] | np.ndarray, limits: Limits) -> list[tuple[int, ...]]:
    """For each point, the numbers of the eight tests whose pattern it completes."""
    x = np.asarray(values, dtype=float)
    sigma = limits.sigma
    # With no spread within subgroups there are no zones: the tests that need σ (5–8)
    # cannot fire (NaN compares false), the others still can.
    z = (x - limits.centre) / sigma if sigma > 0 else np.full_like(x, np.nan)
    # Floating-point noise (a mean of equal readings off by one ulp) is on the line.
    eps = 1e-9 * max(1.0, abs(limits.centre))
    off = x - limits.centre
    side = np.where(np.abs(off) > eps, np.sign(off), 0.0)
    flags: list[list[int]] = [[] for _ in x]

    def run_end(ok: np.ndarray, length: int, test: int) -> None:
        count = 0
        for i, good in enumerate(ok):
            count = count + 1 if good else 0
            if count >= length:
                flags[i].append(test)

    def same_side_run(length: int, test: int) -> None:
        count, last = 0, 0.0
        for i, s in enumerate(side):
            count = count + 1 if s != 0 and s == last else (1 if s != 0 else 0)
            last = s
            if count >= length:
                flags[i].append(test)

    def k_of_m(k: int, m: int, beyond: float, test: int) -> None:
        for i in range(len(x)):
            for s in (1, -1):
                if s * z[i] <= beyond:
                    continue
                window = z[max(0, i - m + 1) : i + 1]
                if int(np.sum(s * window > beyond)) >= k:
                    flags[i].append(test)

    # 1: beyond the 3σ limits (the limits themselves, as drawn).
    for i, v in enumerate(x):
        if v > limits.upper + eps or v < limits.lower - eps:
            flags[i].append(1)
    same_side_run(9, 2)  # 2
    # 3: six points in a row steadily increasing or decreasing (five steps one way).
    step = np.sign(np.diff(x))
    for direction in (1, -1):
        count = 0
        for i, s in enumerate(step, start=1):
            count = count + 1 if s == direction else 0
            if count >= 5 and 3 not in flags[i]:
                flags[i].append(3)
    # 4: fourteen points in a row alternating up and down (thirteen alternating steps).
    count = 0
    for i, s in enumerate(step, start=1):
        if s == 0:
            count = 0
        elif count and s == -step[i - 2]:
            count += 1
        else:
            count = 1
        if count >= 13:
            flags[i].append(4)
    k_of_m(2, 3, 2.0, 5)  # 5
    k_of_m(4, 5, 1.0, 6)  # 6
    run_end(np.abs(z) < 1.0, 15, 7)  # 7
    run_end(np.abs(z) > 1.0, 8, 8)  # 8
    return [tuple(sorted(f)) for f in flags]


@dataclass(frozen=True, slots=True)
class Capability:
    n: int
    mean: float
    sigma_within: float
    cp: float | None  # None when one specification limit is missing
    cpk: float
    cpk_lower: float  # one-sided lower confidence bound of Cpk
    confidence: float


def capability(
    values: Sequence[float],
    sigma_within: float,
    lower: float | None,
    upper: float | None,
    *,
    confidence: float = 0.95,
) -> Capability | None:
    """Cp, Cpk and Cpk's lower confidence bound from the within-subgroup σ; None below
    ``MIN_CAPABILITY_N`` readings (or with no spread or no specification)."""
    n = len(values)
    if n < MIN_CAPABILITY_N or sigma_within <= 0 or (lower is None and upper is None):
        return None
    mean = float(np.mean(np.asarray(values, dtype=float)))
    cp = (upper - lower) / (6 * sigma_within) if lower is not None and upper is not None else None
    sides = [
        (upper - mean) if upper is not None else None,
        (mean - lower) if lower is not None else None,
    ]
    cpk = min(s for s in sides if s is not None) / (3 * sigma_within)
    return Capability(
        n, mean, sigma_within, cp, cpk, cpk_lower_bound(cpk, n, confidence), confidence
    )


def cpk_lower_bound(cpk: float, n: int, confidence: float = 0.95) -> float:
    """Bissell's approximate one-sided lower confidence bound of Cpk:
    Cpk − z·√(1/(9n) + Cpk²/(2(n−1)))."""
    z = NormalDist().inv_cdf(confidence)
    return cpk - z * sqrt(1 / (9 * n) + cpk**2 / (2 * (n - 1)))
