"""Exact threshold arithmetic: Granovetter's crowd and Kuran's ten-person society."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.patterns import granovetter, kuran


def test_granovetter_uniform_crowd_riots_to_the_last_person() -> None:
    path = granovetter.cascade(granovetter.uniform_crowd(100))
    assert path == list(range(101))  # one more person each round
    assert granovetter.equilibrium(granovetter.uniform_crowd(100)) == 100


def test_granovetter_moving_threshold_one_to_two_stops_the_riot_at_one() -> None:
    crowd = granovetter.perturbed_crowd(100)
    assert sorted(crowd)[:3] == [0, 2, 2] and len(crowd) == 100
    assert granovetter.cascade(crowd) == [0, 1]


def test_kuran_sequence_a_keeps_opposition_at_ten_percent() -> None:
    assert kuran.opposition_path(kuran.SEQUENCE_A) == [0, 10]
    assert kuran.equilibrium_opposition(kuran.SEQUENCE_A) == Fraction(10)


def test_kuran_one_lower_threshold_gives_ninety_percent() -> None:
    changed = [a for a, b in zip(kuran.SEQUENCE_A, kuran.SEQUENCE_A_PRIME, strict=True) if a != b]
    assert changed == [20]  # only the second person differs: 20 -> 10
    assert kuran.opposition_path(kuran.SEQUENCE_A_PRIME) == [Fraction(10 * k) for k in range(10)]
    assert kuran.equilibrium_opposition(kuran.SEQUENCE_A_PRIME) == 90  # the 100 never joins


def test_bad_thresholds_are_refused() -> None:
    with pytest.raises(ValueError):
        granovetter.cascade([0, -1])
    with pytest.raises(ValueError):
        granovetter.cascade([0, 1.5])
    with pytest.raises(ValueError):
        kuran.opposition_path([0, 101])
    with pytest.raises(ValueError):
        kuran.opposition_path([])


thresholds = st.lists(st.integers(0, 60), min_size=1, max_size=60)


@given(thresholds)
def test_granovetter_equilibrium_is_the_smallest_fixed_point(ts: list[int]) -> None:
    eq = granovetter.equilibrium(ts)
    assert sum(t <= eq for t in ts) == eq  # nobody else would join
    assert all(sum(t <= k for t in ts) > k for k in range(eq))  # every smaller count grows


@given(thresholds, st.data())
def test_granovetter_lowering_a_threshold_never_shrinks_the_crowd(ts: list[int], data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(ts) - 1))
    lower = data.draw(st.integers(0, ts[i]))
    changed = [*ts[:i], lower, *ts[i + 1:]]
    assert granovetter.equilibrium(changed) >= granovetter.equilibrium(ts)
    assert granovetter.equilibrium(sorted(ts, reverse=True)) == granovetter.equilibrium(ts)


@given(st.lists(st.integers(0, 100), min_size=1, max_size=40))
def test_kuran_opposition_is_a_fixed_point_in_exact_percent(ts: list[int]) -> None:
    share = kuran.equilibrium_opposition(ts)
    assert share == Fraction(100 * sum(t <= share for t in ts), len(ts))
    path = kuran.opposition_path(ts)
    assert all(a < b for a, b in zip(path, path[1:], strict=False))  # it only grows, then stops


def test_suite_reports_both_patterns_as_passing_with_their_figures(tmp_path) -> None:
    from sim.patterns.suite import granovetter_pattern, kuran_pattern

    for result in (granovetter_pattern(tmp_path), kuran_pattern(tmp_path)):
        assert result.passed, result.ours
        assert (tmp_path / result.figure).stat().st_size > 10_000
