"""The population kernel: Epstein's rule cell by cell on hand-made grids, and conservation."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.public.grid import RegionGrid, TickParams
from sim.public.kernel import (
    ACTIVE,
    COP_ON,
    EMPTY,
    JAILED,
    K_CIT,
    K_COP_ON,
    K_EMPTY,
    QUIET,
    offsets,
)

from .conftest import census


def _grid(width: int, citizens: dict[int, tuple[float, float]], cops: list[int], vision: int = 1,
          neighbourhood: str = "von_neumann") -> RegionGrid:
    """Citizens at cell -> (hardship, risk aversion); cops at cells."""
    n = width * width
    cell = np.full(n, EMPTY, dtype=np.int64)
    pos = np.array(sorted(citizens), dtype=np.int64)
    for i, c in enumerate(pos):
        cell[c] = i
    for j, c in enumerate(cops):
        cell[c] = -2 - j
    dx, dy = offsets(vision, neighbourhood)
    g = RegionGrid(width, width, cell, np.zeros(n, dtype=np.int8), pos,
                   np.array([citizens[c][0] for c in pos], dtype=float),
                   np.array([citizens[c][1] for c in pos], dtype=float),
                   np.zeros(len(pos), dtype=np.int8), np.zeros(len(pos), dtype=np.int64),
                   np.array(cops, dtype=np.int64), np.full(len(cops), COP_ON, dtype=np.int8), dx, dy)
    g.rebuild_kind()
    return g


def test_offsets_von_neumann_and_moore() -> None:
    dx, dy = offsets(1, "von_neumann")
    assert sorted(zip(dx.tolist(), dy.tolist(), strict=False)) == [(-1, 0), (0, -1), (0, 1), (1, 0)]
    assert offsets(7, "von_neumann")[0].size == 112  # 2 r (r + 1)
    assert offsets(2, "moore")[0].size == 24


def test_citizen_with_no_cop_in_sight_rebels_when_grievance_exceeds_threshold() -> None:
    # 5x5 torus, citizen at the centre (12): H = 1, L = 0.8 -> G = 0.2 > T = 0.1, no cop seen
    g = _grid(5, {12: (1.0, 0.5)}, cops=[0])
    g.step(np.random.default_rng(0), TickParams(legitimacy=0.8, movement=False))
    assert g.cit_state[0] == ACTIVE


def test_one_cop_in_sight_deters_per_epstein_formula() -> None:
    # cop at 13 (right neighbour): C = 1, A = 1 -> P = 1 - e^-2.3 = 0.9; G - R P = 0.2 - 0.45 < 0.1
    g = _grid(5, {12: (1.0, 0.5)}, cops=[13])
    g.step(np.random.default_rng(0), TickParams(legitimacy=0.8, movement=False))
    assert g.cit_state[0] == QUIET


def test_rounding_switch_decides_when_actives_outnumber_cops() -> None:
    # one cop, two active neighbours: C/A = 1/3 -> round() = 0 -> P = 0 (rebels);
    # the paper's formula gives P = 1 - e^(-2.3/3) = 0.54 -> 0.2 - 0.5*0.54 < 0.1 (quiet).
    for use_round, expected in ((True, ACTIVE), (False, QUIET)):
        g = _grid(5, {12: (1.0, 0.5), 7: (1.0, 0.0), 17: (1.0, 0.0)}, cops=[13])
        g.cit_state[:] = [ACTIVE, QUIET, ACTIVE]  # sorted cells 7, 12, 17
        g.rebuild_kind()
        order_citizen_12_first = np.array([1])  # only she acts this tick
        from sim.public.kernel import tick

        tick(5, 5, g.cell, g.kind, g.cit_pos, g.cit_h, g.cit_r, g.cit_state, g.cit_jail, g.cop_pos,
             g.cop_duty, g.dx, g.dy, order_citizen_12_first, np.zeros(4), np.zeros(4), np.ones(4),
             np.zeros(4, dtype=np.int64), 0.8, 0.0, 0.1, 2.3, use_round, 0.0, 0.0, False)
        assert g.cit_state[1] == expected, use_round


def test_cop_arrests_an_active_citizen_in_sight_and_jail_is_served() -> None:
    g = _grid(5, {12: (1.0, 0.0)}, cops=[13])
    from sim.public.kernel import tick

    # citizen first (turns active: risk aversion 0), then the cop (arrests, jail term 2)
    tick(5, 5, g.cell, g.kind, g.cit_pos, g.cit_h, g.cit_r, g.cit_state, g.cit_jail, g.cop_pos, g.cop_duty,
         g.dx, g.dy, np.array([0, 1]), np.zeros(2), np.zeros(2), np.ones(2), np.array([0, 2]),
         0.8, 0.0, 0.1, 2.3, True, 0.0, 0.0, False)
    assert g.cit_state[0] == JAILED and g.cit_jail[0] == 2
    assert g.kind[12] == K_CIT and g.kind[13] == K_COP_ON
    p = TickParams(legitimacy=0.8, movement=False)
    rng = np.random.default_rng(1)
    g.step(rng, p)
    g.step(rng, p)
    assert g.cit_jail[0] == 0 and g.cit_state[0] == JAILED  # served, not yet re-decided
    g.cop_duty[:] = 0  # the cop stands aside: the citizen rebels again
    g.rebuild_kind()
    g.step(rng, p)
    assert g.cit_state[0] == ACTIVE


def test_hesitant_police_never_arrest_at_hesitancy_one() -> None:
    g = _grid(5, {12: (1.0, 0.0)}, cops=[13])
    rng = np.random.default_rng(2)
    for _ in range(20):
        g.step(rng, TickParams(legitimacy=0.8, hesitancy=1.0, movement=False))
    assert g.arrests_total == 0


def test_movement_only_to_empty_cells() -> None:
    g = _grid(4, {0: (0.1, 0.5), 1: (0.1, 0.5)}, cops=[5], vision=2)
    rng = np.random.default_rng(3)
    for _ in range(50):
        g.step(rng, TickParams(legitimacy=0.99))
        g.check()
    assert (g.kind == K_EMPTY).sum() == 16 - 3


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(8, 25), st.floats(0.1, 0.9), st.floats(0.0, 0.2),
       st.integers(1, 4), st.floats(0.5, 0.95), st.sampled_from(["von_neumann", "moore"]))
def test_people_are_conserved_on_the_grid(seed, width, density, cop_density, vision, legit, hood) -> None:
    rng = np.random.default_rng(seed)
    g = RegionGrid.populate(rng, width, width, density, cop_density, vision, hood)
    n = g.n_citizens
    cops = g.cops()
    p = TickParams(legitimacy=legit, max_jail=5, social_w=0.1)
    removed = 0
    for t in range(15):
        g.step(rng, p)
        if t == 5:
            removed += g.remove_citizens(rng, min(3, n), None)
            g.set_cops(rng, max(cops[0] - 1, 0), 1)
        # the cells, counted independently of the states the kernel tallies: no one lost or
        # duplicated by movement or jail, and the tallies agree with who stands where
        seen = census(g)
        assert seen["citizens"] == n - removed
        q, a, j, rem = g.counts()
        assert rem == removed and a == seen["active"] and q + j == seen["quiet_or_jailed"]
        assert seen["cops"] == sum(g.cops()) == (max(cops[0] - 1, 0) + 1 if t >= 5 else cops[0])
        g.check()
