"""The Epstein mode: Mesa's defaults and neighbourhoods, conservation, reproducibility, the
rounding switch, and the legitimacy and cop schedules."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.epstein import (
    EpsteinConfig,
    EpsteinModel,
    linear_ramp,
    outbursts,
    run,
    run2_config,
    schedule_values,
    sudden_drop,
)
from sim.public.kernel import offsets

from .conftest import census


def test_defaults_are_mesas_example() -> None:
    from mesa.examples.advanced.epstein_civil_violence.model import EpsteinScenario

    mesa = EpsteinScenario()
    ours = EpsteinConfig()
    assert (ours.width, ours.height) == (40, 40)  # EpsteinCivilViolence(width=40, height=40)
    assert ours.citizen_density == mesa.citizen_density
    assert ours.cop_density == mesa.cop_density
    assert ours.vision == mesa.cop_vision  # Mesa's agents all look with cop_vision
    assert ours.legitimacy == mesa.legitimacy
    assert ours.max_jail_term == mesa.max_jail_term
    assert ours.active_threshold == mesa.active_threshold
    assert ours.k == mesa.arrest_prob_constant
    assert ours.movement == mesa.movement
    assert mesa.grid_type == "Von Neumann" and ours.neighbourhood == "von_neumann"


@pytest.mark.parametrize("neighbourhood", ["von_neumann", "moore"])
@pytest.mark.parametrize(("width", "height", "radius"), [(40, 40, 7), (40, 30, 7), (9, 9, 3)])
def test_vision_is_mesas_neighbourhood(neighbourhood: str, width: int, height: int, radius: int) -> None:
    from mesa.discrete_space import OrthogonalMooreGrid, OrthogonalVonNeumannGrid

    kind = OrthogonalVonNeumannGrid if neighbourhood == "von_neumann" else OrthogonalMooreGrid
    grid = kind((width, height), torus=True, capacity=1, random=random.Random(0))
    dx, dy = offsets(radius, neighbourhood)
    for x, y in ((0, 0), (2, 3), (width - 1, height - 1)):
        mesa = {c.coordinate for c in grid._cells[(x, y)].get_neighborhood(radius=radius)}
        ours = [((x + a) % width, (y + b) % height) for a, b in zip(dx.tolist(), dy.tolist(), strict=True)]
        assert len(set(ours)) == len(ours)  # no cell seen twice
        assert set(ours) == mesa  # centre excluded, |dx| + |dy| <= r (von Neumann) or max <= r (Moore)


def test_run2_settings() -> None:
    cfg = run2_config(seed=3)
    assert (cfg.vision, cfg.legitimacy, cfg.max_jail_term, cfg.cop_density) == (7, 0.82, 30, 0.04)
    assert (cfg.citizen_density, cfg.width, cfg.seed) == (0.7, 40, 3)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    side=st.integers(7, 20),
    vision=st.integers(1, 3),
    neighbourhood=st.sampled_from(["von_neumann", "moore"]),
    citizen_density=st.floats(0.1, 0.8),
    cop_density=st.floats(0.0, 0.15),
    legitimacy=st.floats(0.0, 1.0),
    cops_to=st.integers(0, 40),
    steps=st.integers(1, 25),
)
def test_people_are_conserved_and_cops_follow_their_schedule(
    seed: int, side: int, vision: int, neighbourhood: str, citizen_density: float, cop_density: float,
    legitimacy: float, cops_to: int, steps: int,
) -> None:
    cfg = EpsteinConfig(width=side, height=side, vision=vision, neighbourhood=neighbourhood,
                        citizen_density=citizen_density, cop_density=cop_density, legitimacy=legitimacy,
                        max_jail_term=5, seed=seed, steps=steps)
    model = EpsteinModel(cfg, cops=linear_ramp(cops_to, 0, 0, steps))
    citizens = model.grid.n_citizens
    cops, arrests = [], []
    for _ in range(steps):
        model.step()
        # who stands on the cells, counted apart from the tallies the series is made of
        seen = census(model.grid)
        quiet, active, jailed = model.counts()
        assert seen["citizens"] == citizens  # in Model I no one leaves the grid or appears on it
        assert active == seen["active"] and quiet + jailed == seen["quiet_or_jailed"]
        assert seen["cops"] == model.n_cops()
        cops.append(seen["cops"])
        arrests.append(model.last_arrests)
    wanted = np.rint(schedule_values(linear_ramp(cops_to, 0, 0, steps), steps))
    room = side * side - citizens  # cops can only stand on cells no citizen holds
    assert np.array_equal(cops, np.minimum(wanted, room))
    assert all(a <= c for a, c in zip(arrests, cops, strict=True))  # one arrest per policeman a tick
    model.grid.check()


def test_same_seed_same_series_and_other_seed_differs() -> None:
    cfg = run2_config(seed=11, steps=150)
    a, b = run(cfg), run(cfg)
    pd.testing.assert_frame_equal(a, b)
    assert not run(cfg.replace(seed=12)).equals(a)


def test_rounding_switch_makes_punctuated_equilibrium() -> None:
    # Run 2: outbursts come and go with round(C/A); without it nobody dares (Mesa's note)
    with_round = run(run2_config(seed=2, steps=600))["active"].to_numpy()[1:]
    without = run(run2_config(seed=2, steps=600, use_round=False))["active"].to_numpy()[1:]
    assert len(outbursts(with_round)) >= 2
    assert len(outbursts(without)) == 0
    assert with_round.max() > 2 * without.max()


def test_legitimacy_schedule_is_applied_tick_by_tick() -> None:
    # L = 1 makes grievance zero: nobody can turn active until the drop at tick 30
    steps = 80
    series = run(run2_config(seed=5, steps=steps), legitimacy=sudden_drop(1.0, 0.5, at=30))
    assert np.allclose(series["legitimacy"].to_numpy()[1:], [1.0] * 30 + [0.5] * 50)
    assert series["active"].iloc[:31].sum() == 0 and series["jailed"].iloc[:31].sum() == 0
    assert series["active"].iloc[31:].max() > 50
    as_array = run(run2_config(seed=5, steps=steps), legitimacy=np.r_[np.ones(30), np.full(50, 0.5)])
    pd.testing.assert_frame_equal(series, as_array)


def test_without_cops_every_aggrieved_citizen_turns_active() -> None:
    # cops scheduled away at tick 0: no risk, no arrests; active iff H (1 - L) > T
    cfg = EpsteinConfig(seed=4, steps=3, legitimacy=0.8)
    model = EpsteinModel(cfg, cops=np.zeros(3))
    series = model.run()
    assert (series["cops"].iloc[1:] == 0).all() and series["arrests"].sum() == 0
    assert series["active"].iloc[-1] == int(np.sum(model.grid.cit_h * 0.2 > 0.1))


def test_bad_configurations_and_schedules_are_refused() -> None:
    with pytest.raises(ValueError, match="2 \\* vision \\+ 1"):
        EpsteinConfig(width=10, height=40, vision=7)
    with pytest.raises(ValueError, match="citizen_density"):
        EpsteinConfig(citizen_density=0.95, cop_density=0.1)
    with pytest.raises(ValueError, match="neighbourhood"):
        EpsteinConfig(neighbourhood="hex")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 10 values"):
        EpsteinModel(EpsteinConfig(steps=10), legitimacy=[0.8] * 9)
    with pytest.raises(ValueError, match="legitimacy"):
        EpsteinModel(EpsteinConfig(steps=2), legitimacy=[0.8, 1.2])
    with pytest.raises(ValueError, match="cop"):
        EpsteinModel(EpsteinConfig(steps=2), cops=[10, -1])


def test_outbursts_are_maximal_runs_above_the_level() -> None:
    active = np.array([60, 70, 10, 51, 50, 0, 99])
    assert outbursts(active) == [(0, 2, 70), (3, 1, 51), (6, 1, 99)]
    assert outbursts(np.zeros(5)) == []
