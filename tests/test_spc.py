"""Control charts and capability (app/core/spc.py) against worked examples.

Limits: the ten batches of the NIST/SEMATECH e-Handbook's individuals-chart example
(§6.3.2.2) and a small X̄-R set, each computed by hand below with the constants of
JIS Z 9020-2:2016 表2. Each of the eight tests of JIS Z 9020-2 附属書B (ISO 7870-2 Annex B)
on a chart with centre 0 and σ 1: a series that completes exactly that pattern at the
point expected, and a near miss that completes none. Cpk's bound: Montgomery,
Introduction to Statistical Quality Control (process capability chapter, the example
n = 20, Ĉpk = 1.33: 95 % two-sided interval 0.88 ≤ Cpk ≤ 1.78, Bissell 1990).
"""

from __future__ import annotations

import pytest

from app.core import spc
from app.core.spc import Limits, special_causes

UNIT = Limits(0.0, 3.0, -3.0)  # centre 0, σ 1


def flags(series: list[float]) -> dict[int, tuple[int, ...]]:
    return {i: f for i, f in enumerate(special_causes(series, UNIT)) if f}


def test_individuals_limits_by_hand() -> None:
    # x̄ = 508.1 / 10 = 50.81; moving ranges 2.0 2.3 1.4 3.5 3.4 1.4 0.2 1.2 1.5, MR̄ =
    # 16.9 / 9 = 1.8778; σ = MR̄ / 1.128 = 1.6647; limits 50.81 ± 4.9941; MR UCL =
    # 3.267 × 1.8778 = 6.1347, LCL 0.
    chart = spc.individuals([49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1])
    assert chart.kind == spc.INDIVIDUALS
    assert chart.limits.centre == pytest.approx(50.81)
    assert chart.limits.upper == pytest.approx(55.8041, abs=1e-4)
    assert chart.limits.lower == pytest.approx(45.8159, abs=1e-4)
    assert chart.range_limits.centre == pytest.approx(1.8778, abs=1e-4)
    assert chart.range_limits.upper == pytest.approx(6.1347, abs=1e-4)
    assert chart.range_limits.lower == 0
    assert chart.sigma_within == pytest.approx(1.6647, abs=1e-4)
    assert chart.ranges[0] is None and chart.ranges[4] == pytest.approx(3.5)
    assert chart.flagged == []


def test_xbar_r_limits_by_hand() -> None:
    # Means 2, 3, 4 → x̿ = 3; ranges 2, 2, 2 → R̄ = 2; n = 3: A2 = 1.023, D3 = 0,
    # D4 = 2.574, d2 = 1.693. X̄: 3 ± 2.046; R: 0 … 5.148; σ within = 2 / 1.693 = 1.1813.
    chart = spc.xbar_r([[1, 2, 3], [2, 3, 4], [3, 5, 4]])
    assert (chart.kind, chart.subgroup_size) == (spc.XBAR_R, 3)
    assert chart.points == (2.0, 3.0, 4.0)
    assert (chart.limits.upper, chart.limits.lower) == pytest.approx((5.046, 0.954))
    assert (chart.range_limits.upper, chart.range_limits.lower) == pytest.approx((5.148, 0.0))
    assert chart.sigma_within == pytest.approx(1.1813, abs=1e-4)
    # n = 7 has a lower range limit: D3 = 0.076.
    seven = spc.xbar_r([[0, 1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6, 7]])
    assert seven.range_limits.lower == pytest.approx(0.076 * 6)
    with pytest.raises(ValueError):
        spc.xbar_r([[1, 2], [1, 2, 3]])


def test_the_chart_follows_the_subgroups() -> None:
    assert spc.choose_chart([5, 5, 5]) == (spc.XBAR_R, 5)
    assert spc.choose_chart([1, 1, 1]) == (spc.INDIVIDUALS, 1)
    assert spc.choose_chart([5, 4, 5]) == (spc.INDIVIDUALS, 1)  # sizes differ
    assert spc.choose_chart([12, 12]) == (spc.INDIVIDUALS, 1)  # beyond the table
    assert spc.choose_chart([5]) == (spc.INDIVIDUALS, 1)  # one subgroup is no chart


RULES = {
    # test: (series completing it at the last index, near miss)
    1: ([0.5, -0.5, 0.5, -0.5, 3.5], [0.5, -0.5, 0.5, -0.5, 2.9]),
    2: (
        [-0.5, 0.2, 0.5, 0.3, 0.6, 0.4, 0.7, 0.2, 0.5, 0.3],
        [-0.5, 0.2, 0.5, 0.3, 0.6, 0.4, 0.7, 0.2, 0.5, -0.3],
    ),
    3: ([0.0, -0.8, -0.5, -0.2, 0.1, 0.4, 0.7], [0.0, -0.8, -0.5, -0.2, 0.1, 0.4, 0.3]),
    4: ([0.3, -0.3] * 7, [0.3, -0.3] * 6 + [0.3]),
    5: ([0.0, 2.5, 0.5, 2.4], [0.0, 2.5, 0.5, 0.5, 2.4, -2.5]),
    6: ([0.0, 1.5, 1.2, 0.5, 1.8, 1.3], [0.0, 1.5, 1.2, 0.5, 0.5, 1.8]),
    7: (
        ([0.5, -0.5, -0.3, 0.4, 0.2, -0.6] * 3)[:15],
        [*([0.5, -0.5, -0.3, 0.4, 0.2, -0.6] * 3)[:14], 1.5],
    ),
    8: ([1.5, -1.5, 1.6, -1.6, 1.4, -1.4, 1.5, -1.5], [1.5, -1.5, 1.6, -1.6, 1.4, -1.4, 1.5, -0.5]),
}


@pytest.mark.parametrize("test", spc.TESTS)
def test_each_rule_fires_exactly_where_its_pattern_completes(test: int) -> None:
    hit, miss = RULES[test]
    assert flags(hit) == {len(hit) - 1: (test,)}
    assert flags(miss) == {}


def test_runs_keep_flagging_and_rules_combine() -> None:
    # Ten on one side: the ninth and the tenth fail test 2.
    assert flags([0.4] * 10) == {8: (2,), 9: (2,)}
    # A point beyond 3σ after another beyond 2σ fails tests 1 and 5.
    assert flags([0.0, 2.5, 3.5]) == {2: (1, 5)}
    # On a real chart, through the limits it computed: the shifted last reading.
    chart = spc.individuals([10.0, 10.1, 9.9, 10.0, 10.1, 9.9, 10.0, 11.0])
    assert chart.flagged == [7] and 1 in chart.flags[7]


def test_capability_from_thirty_readings_by_hand() -> None:
    # 30 readings alternating 10.0 / 10.2: mean 10.1, every MR 0.2, σ = 0.2 / 1.128 =
    # 0.177305; spec 9.5 … 10.5: Cp = 1.0 / 1.063830 = 0.9400, Cpk = 0.4 / 0.531915 =
    # 0.7520; bound 0.7520 − 1.6449·√(1/270 + 0.565504/58) = 0.7520 − 1.6449 × 0.115990
    # = 0.5612.
    values = [10.0, 10.2] * 15
    chart = spc.individuals(values)
    cap = spc.capability(values, chart.sigma_within, 9.5, 10.5)
    assert cap is not None
    assert cap.cp == pytest.approx(0.9400, abs=1e-4)
    assert cap.cpk == pytest.approx(0.7520, abs=1e-4)
    assert cap.cpk_lower == pytest.approx(0.5612, abs=1e-4)
    # 29 readings: nothing to show yet.
    assert spc.capability(values[:29], chart.sigma_within, 9.5, 10.5) is None
    # One-sided specification: Cpk from the side given, no Cp.
    upper_only = spc.capability(values, chart.sigma_within, None, 10.5)
    assert upper_only is not None and upper_only.cp is None
    assert upper_only.cpk == pytest.approx(0.7520, abs=1e-4)


def test_cpk_bound_against_montgomery() -> None:
    # Two-sided 95 %: z = 1.96; 1.33 ± 1.96·√(1/180 + 1.7689/38) = 1.33 ± 0.447.
    assert round(spc.cpk_lower_bound(1.33, 20, confidence=0.975), 2) == 0.88


def test_no_spread_flags_nothing_and_has_no_capability() -> None:
    # A gauge that reads the same every time: MR̄ = 0, σ = 0. No zone test can say
    # anything (fifteen identical readings are not "fifteen within 1σ"), no Cp/Cpk.
    same = [5.010] * 30
    chart = spc.individuals(same)
    assert chart.sigma_within == 0 and chart.flagged == []
    assert spc.capability(same, chart.sigma_within, 4.995, 5.025) is None
    # Means that differ with no spread inside the subgroups are all beyond the limits.
    flat = spc.xbar_r([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    assert [f for f in flat.flags] == [(1,), (), (1,)]
