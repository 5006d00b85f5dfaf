"""A commander's choice, by value: the cases the mutation run found no test pinning down.

Each test states a value worked out by hand from the rule's formula in sim/rules/units.py,
so a wrong sign, a swapped operator or a lost term changes the number.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.rules import units as U


def test_facts_claiming_more_than_the_whole_forecast_are_scaled_to_nine_tenths() -> None:
    # shares even, no prior: the contest gives [0.5, 0.5]. Facts 0.9 + 0.3 = 1.2 > 0.9 are scaled
    # by 0.9 / 1.2 to [0.675, 0.225]; raw = 0.5 * (1 - 0.9) + fact = [0.725, 0.275] (sums to 1)
    p = U.win_probabilities([0.5, 0.5], 2.0, 0.0, [0.5, 0.5], [0.9, 0.3])
    assert p == pytest.approx([0.725, 0.275], abs=1e-12)
    # below the cap the facts are added as they are: 0.5 * 0.7 + [0.2, 0.1] = [0.55, 0.45]
    assert U.win_probabilities([0.5, 0.5], 2.0, 0.0, [0.5, 0.5], [0.2, 0.1]) == pytest.approx([0.55, 0.45])


def test_a_plotters_exposure_costs_him_in_every_option_but_his_plot() -> None:
    # p = [0.6, 0.4]; attach 0.5 each; punishment 2, fear 0.5, a challenger punishes at 0.5 (x2 = 1.0)
    # ruler:      0.6 * 0.5 - 0.4 * 1.0                      - exposure 0.6 * 2 * 0.5 * 0.5 = -0.4
    # his plot:   0.4 * 0.5 - 0.6 * (2 * 0.5)                (no exposure: he is in it)    = -0.4
    # aside:      -(0.6 + 0.4) * 0.15 * 0.5                   - exposure 0.3                = -0.375
    u = U.option_utilities([0.6, 0.4], [0.5, 0.5], [0.0, 0.0], [0.0, 0.0], 0.0, 0.5, [0.0, 0.0],
                           2.0, 0.5, 0.15, 0.5, 1)
    assert u == pytest.approx([-0.4, -0.4, -0.375], abs=1e-12)
    # no exposure: the ruler's option is worth the 0.3 more, standing aside too
    u0 = U.option_utilities([0.6, 0.4], [0.5, 0.5], [0.0, 0.0], [0.0, 0.0], 0.0, 0.5, [0.0, 0.0],
                            2.0, 0.5, 0.15, 0.0, 1)
    assert u0 == pytest.approx([-0.1, -0.4, -0.075], abs=1e-12)


def test_the_switch_cost_favours_the_option_he_holds_now() -> None:
    # equal utilities, temperature 0.1, switch cost 1: the current option has weight 1, the others
    # e^-10 each, so a draw of 0.5 keeps him where he is, whichever that is
    for current in (0, 1, 2):
        assert U.logit_choice((0.0, 0.0, 0.0), current, 1.0, 0.1, 0.5) == current
    p = U.choice_probabilities((0.0, 0.0), 1, 1.0, 0.1)
    assert p == pytest.approx([math.exp(-10) / (1 + math.exp(-10)), 1 / (1 + math.exp(-10))])


def test_large_utilities_give_the_same_choice_as_small_ones() -> None:
    # the logit depends on differences only: shifting every utility by 500 changes nothing and
    # must not overflow (exp(500 / 0.1) is not a float)
    small = U.choice_probabilities((1.0, 0.0), 0, 0.0, 0.1)
    big = U.choice_probabilities((501.0, 500.0), 0, 0.0, 0.1)
    assert np.all(np.isfinite(big)) and big == pytest.approx(small)
    assert small[0] == pytest.approx(1 / (1 + math.exp(-10)))
    assert U.logit_choice((501.0, 500.0), 1, 0.0, 0.1, 0.5) == 0


def test_a_draw_at_the_top_of_the_range_picks_the_last_option() -> None:
    # rounding can leave the cumulative sum a hair under the draw: the last option, not past it
    assert U.logit_choice((0.0, 0.0, 0.0), 0, 0.0, 1.0, 1.0) == 2
    assert U.logit_choice((0.0, 0.0, 0.0), 0, 0.0, 1.0, 0.34) == 1  # 1/3 < 0.34 < 2/3


def test_blame_grows_with_the_defeat_and_the_rank() -> None:
    # a mid-rank commander (weight 0.6) after a defeat of severity 0.4:
    # grievance 0.1 + 0.25 * 0.4 * 0.6 = 0.16, fear 0.5 + 0.15 * 0.4 * 0.6 = 0.536
    g, f = U.blame(0.1, 0.5, 0.4, "mid")
    assert (g, f) == pytest.approx((0.16, 0.536), abs=1e-12)
    g, f = U.blame(0.1, 0.5, 0.4, "unit")  # weight 0.2
    assert (g, f) == pytest.approx((0.12, 0.512), abs=1e-12)
    assert U.blame(0.95, 0.95, 1.0, "top") == (1.0, 1.0)  # grievance and fear stay shares


def test_a_sides_immunity_shields_from_the_ruler_and_exposure_without_a_plot_costs_nothing() -> None:
    # two sides at even odds, the ruler's punishment 1 and nothing else: backing the challenger costs
    # 0.5 x 1 x (1 - immunity 0.5) = 0.25; an exposure means nothing for a man in no plot (own = 0)
    from sim.rules.units import option_utilities

    for exposure in (0.0, 0.3):
        out = option_utilities([0.5, 0.5], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], 0.0, 1.0, [0.0, 0.5], 1.0, 0.0, 0.0,
                           exposure, 0)
        assert out == [0.0, -0.25, 0.0], exposure
