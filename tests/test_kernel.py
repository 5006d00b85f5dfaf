"""The population kernel: Epstein's rule cell by cell on hand-made grids, and conservation."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.public.grid import RegionGrid, TickParams
from sim.public.kernel import (
    ACTIVE,
    COP_ABSENT,
    COP_OFF,
    COP_ON,
    EMPTY,
    JAILED,
    K_ACT,
    K_CIT,
    K_COP_OFF,
    K_COP_ON,
    K_EMPTY,
    QUIET,
    REMOVED,
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




# ------------------------------------------------------------------ the tick by value, against a reference
# A plain-Python statement of one tick, written from the kernel's documented semantics rather than its
# code: neighbours by modulo (no wrap tables, no row spans, no packed lanes), the same passed random
# arrays read the same way. Every array of the state after the tick must equal the kernel's exactly.
_MASK = 2**64 - 1


def _lcg(state: int, n: int) -> tuple[int, int]:
    state = (state * 6364136223846793005 + 1442695040888963407) & _MASK
    return state, ((state >> 32) * n) >> 32


def _ref_tick(width, height, cell, kind, cit_pos, cit_h, cit_r, cit_state, cit_jail, cop_pos, cop_duty, dx, dy,
              order, u_move, u_pick, u_hes, jail_draw, legitimacy, extra, threshold, k, use_round, social_w,
              hesitancy, movement) -> int:
    import math

    from sim.public.kernel import COP_ABSENT, K_ACT, K_COP_ON, REMOVED

    offs = list(zip(dx.tolist(), dy.tolist(), strict=True))  # the order the random pick of a cell uses
    scan = sorted(offs, key=lambda o: (o[1], o[0]))  # the order a look-around lists cells: by row, then column

    def at(pos, o):
        x, y = pos % width, pos // width
        return ((y + o[1]) % height) * width + (x + o[0]) % width

    def random_empty(pos, u):
        state = int(u * 2.0**53) + 1
        for _ in range(32):
            state, o = _lcg(state, len(offs))
            c = at(pos, offs[o])
            if kind[c] == K_EMPTY:
                return c
        free = [at(pos, o) for o in offs if kind[at(pos, o)] == K_EMPTY]
        if not free:
            return -1
        state, m = _lcg(state, len(free))
        return free[m]

    n_cit = len(cit_pos)
    n_active = int(np.count_nonzero(cit_state == ACTIVE))
    made = 0
    for idx in order.tolist():
        if idx < n_cit:
            i = idx
            if cit_state[i] == REMOVED:
                continue
            if cit_jail[i] > 0:
                cit_jail[i] -= 1
                continue
            pos = int(cit_pos[i])
            g = min(cit_h[i] + extra, 1.0) * (1.0 - legitimacy)
            if g <= threshold and (social_w == 0.0 or n_active == 0):  # cannot turn active: walks at random
                n_active -= int(cit_state[i] == ACTIVE)
                cit_state[i], kind[pos] = QUIET, K_CIT
                c = random_empty(pos, u_move[idx]) if movement else -1
                if c >= 0:
                    cell[pos], kind[pos], cell[c], kind[c], cit_pos[i] = EMPTY, K_EMPTY, i, K_CIT, c
                continue
            seen = [at(pos, o) for o in scan]
            n_cit_seen = sum(kind[c] in (K_CIT, K_ACT) for c in seen)
            n_act = sum(kind[c] == K_ACT for c in seen)
            cops = sum(kind[c] == K_COP_ON for c in seen)
            ratio = cops / (1.0 + n_act)
            p = 1.0 - math.exp(-k * (float(round(ratio)) if use_round else ratio))
            share = n_act / n_cit_seen if n_cit_seen else 0.0
            was = bool(cit_state[i] == ACTIVE)
            now = bool(g - cit_r[i] * p + social_w * share > threshold)
            n_active += int(now) - int(was)
            cit_state[i], kind[pos] = (ACTIVE, K_ACT) if now else (QUIET, K_CIT)
            c = random_empty(pos, u_move[idx]) if movement else -1
            if c >= 0:
                cell[pos], cell[c], kind[c], kind[pos], cit_pos[i] = EMPTY, i, kind[pos], K_EMPTY, c
        else:
            j = idx - n_cit
            if cop_duty[j] == COP_ABSENT:
                continue
            pos = int(cop_pos[j])
            if n_active == 0:
                c = random_empty(pos, u_move[idx]) if movement else -1
                if c >= 0:
                    cell[pos], cell[c], kind[c], kind[pos], cop_pos[j] = EMPTY, -2 - j, kind[pos], K_EMPTY, c
                continue
            seen = [at(pos, o) for o in scan]
            act = [c for c in seen if kind[c] == K_ACT]
            if cop_duty[j] == COP_ON and act and u_hes[idx] >= hesitancy:
                tc = act[int(u_pick[idx] * len(act))]
                t = cell[tc]
                cit_jail[t], cit_state[t], kind[tc] = jail_draw[idx], JAILED, K_CIT
                n_active -= 1
                made += 1
            c = random_empty(pos, u_move[idx]) if movement else -1
            if c >= 0:
                cell[pos], cell[c], kind[c], kind[pos], cop_pos[j] = EMPTY, -2 - j, kind[pos], K_EMPTY, c
    return made


def _random_world(rng: np.random.Generator, width: int, height: int, vision: int, hood: str, empty: float = 0.3):
    """A grid of any shape, every kind of occupant (quiet, active, jailed and removed citizens; policemen
    on duty, off duty and absent), the tick's random arrays and parameters: the tick's arguments."""
    from sim.public.kernel import COP_ABSENT, COP_OFF, K_ACT, K_COP_OFF, REMOVED

    n = width * height
    share = np.array([0.25, 0.2, 0.05, 0.12, 0.08]) * (1.0 - empty) / 0.7
    what = rng.choice(6, size=n, p=[empty, *share])  # empty, quiet, active, jailed, on, off
    cell = np.full(n, EMPTY, dtype=np.int64)
    kind = np.full(n, K_EMPTY, dtype=np.int8)
    cit_cells = np.flatnonzero((what >= 1) & (what <= 3))
    cop_cells = np.flatnonzero(what >= 4)
    n_rem, n_abs = int(rng.integers(0, 3)), int(rng.integers(0, 3))
    cit_pos = np.concatenate([cit_cells, np.full(n_rem, -1)]).astype(np.int64)
    cit_state = np.array([{1: QUIET, 2: ACTIVE, 3: JAILED}[w] for w in what[cit_cells]] + [REMOVED] * n_rem,
                         dtype=np.int8)
    cit_jail = np.where(cit_state == JAILED, rng.integers(0, 3, size=cit_pos.size), 0).astype(np.int64)
    cop_pos = np.concatenate([cop_cells, np.full(n_abs, -1)]).astype(np.int64)
    cop_duty = np.array([COP_ON if w == 4 else COP_OFF for w in what[cop_cells]] + [COP_ABSENT] * n_abs,
                        dtype=np.int8)
    for i, c in enumerate(cit_cells):
        cell[c] = i
        kind[c] = K_ACT if cit_state[i] == ACTIVE else K_CIT
    for j, c in enumerate(cop_cells):
        cell[c] = -2 - j
        kind[c] = K_COP_ON if cop_duty[j] == COP_ON else K_COP_OFF
    n_all = cit_pos.size + cop_pos.size
    dx, dy = offsets(vision, hood)
    arrays = (width, height, cell, kind, cit_pos, rng.random(cit_pos.size), rng.random(cit_pos.size), cit_state,
              cit_jail, cop_pos, cop_duty, dx, dy, rng.permutation(n_all), rng.random(n_all), rng.random(n_all),
              rng.random(n_all), rng.integers(0, 6, size=n_all))
    params = (float(rng.uniform(0.3, 0.9)), float(rng.choice([0.0, 0.0, rng.uniform(0.0, 0.6)])),
              float(rng.uniform(0.0, 0.2)), float(rng.choice([2.3, rng.uniform(0.5, 4.0)])), bool(rng.random() < 0.5),
              float(rng.choice([0.0, rng.uniform(0.0, 0.5)])), float(rng.choice([0.0, rng.uniform(0.0, 1.0)])),
              bool(rng.random() < 0.8))
    return arrays, params


def _same_tick(arrays, params) -> int:
    from sim.public.kernel import tick

    mine = [a.copy() if isinstance(a, np.ndarray) else a for a in arrays]
    ref = [a.copy() if isinstance(a, np.ndarray) else a for a in arrays]
    made = tick(*mine, *params)
    want = _ref_tick(*ref, *params)
    assert made == want
    for name, a, b in zip(("cell", "kind", "cit_pos", "cit_state", "cit_jail", "cop_pos"),
                          (mine[2], mine[3], mine[4], mine[7], mine[8], mine[9]),
                          (ref[2], ref[3], ref[4], ref[7], ref[8], ref[9]), strict=True):
        assert np.array_equal(a, b), (name, np.flatnonzero(a != b))
    return made


def test_the_tick_equals_a_plain_statement_of_it_cell_by_cell() -> None:
    # 150 worlds: square and not, 3 to 11 cells wide (small ones wrap the neighbourhood onto itself),
    # vision 1-3 von Neumann or Moore; the state after the tick and the arrests are compared exactly
    rng = np.random.default_rng(20261128)
    arrests = 0
    for _ in range(150):
        width, height = (int(v) for v in rng.integers(3, 12, size=2))
        arrays, params = _random_world(rng, width, height, int(rng.integers(1, 4)),
                                       str(rng.choice(["von_neumann", "moore"])))
        arrests += _same_tick(arrays, params)
    assert arrests > 100  # the worlds do exercise arrests
    # crowded worlds with wide Moore neighbourhoods: a random pick of an empty cell often misses 32 times
    # and falls back to listing the few empty cells, in the order of the offsets
    for _ in range(40):
        width, height = (int(v) for v in rng.integers(7, 12, size=2))
        _same_tick(*_random_world(rng, width, height, 3, "moore", empty=0.04))


# ------------------------------------------------------------------ the regime model's additions, one by one
def _tick_once(g: RegionGrid, order: list[int], *, legitimacy: float = 0.8, extra: float = 0.0, social_w: float = 0.0,
               hesitancy: float = 0.0, u_hes: float = 0.5, jail: int = 2) -> int:
    """One tick of the agents in ``order`` (citizens, then policemen numbered after them), no movement."""
    from sim.public.kernel import tick

    n = g.cit_pos.size + g.cop_pos.size
    return tick(g.width, g.height, g.cell, g.kind, g.cit_pos, g.cit_h, g.cit_r, g.cit_state, g.cit_jail, g.cop_pos,
                g.cop_duty, g.dx, g.dy, np.array(order), np.zeros(n), np.zeros(n), np.full(n, u_hes),
                np.full(n, jail, dtype=np.int64), legitimacy, extra, 0.1, 2.3, True, social_w, hesitancy, False)


def test_a_policeman_off_duty_neither_deters_nor_arrests() -> None:
    # as in test_one_cop_in_sight_deters_per_epstein_formula, but the policeman's unit stands aside
    from sim.public.kernel import COP_OFF, K_ACT, K_COP_OFF

    g = _grid(5, {12: (1.0, 0.5)}, cops=[13])
    g.cop_duty[:] = COP_OFF
    g.rebuild_kind()
    assert _tick_once(g, [0, 1]) == 0
    assert g.cit_state[0] == ACTIVE and g.cit_jail[0] == 0 and g.kind[12] == K_ACT and g.kind[13] == K_COP_OFF
    g.cop_duty[:] = COP_ON  # on duty, the same policeman arrests her
    g.rebuild_kind()
    assert _tick_once(g, [1]) == 1 and g.cit_state[0] == JAILED and g.cit_jail[0] == 2


def test_extra_hardship_is_added_to_the_citizens_and_capped_at_one() -> None:
    # H = 0.5, L = 0.8: G = 0.1, not above T = 0.1; a call-up's 0.5 more makes H = 1, G = 0.2: active
    for extra, state in ((0.0, QUIET), (0.5, ACTIVE)):
        g = _grid(5, {12: (0.5, 0.5)}, cops=[0])
        _tick_once(g, [0], extra=extra)
        assert g.cit_state[0] == state, extra
    # H = 0.9 + 0.5 is capped at 1: G = 0.2, and with a policeman in sight (P = 1 - e^-2.3) a risk
    # aversion of 0.15 keeps her quiet (0.2 - 0.135 < 0.1); uncapped, G = 0.28 would make her active
    g = _grid(5, {12: (0.9, 0.15)}, cops=[13])
    _tick_once(g, [0], extra=0.5)
    assert g.cit_state[0] == QUIET


def test_social_proof_adds_w_times_the_active_share_of_the_citizens_she_sees() -> None:
    # G = 0.25 x 0.2 = 0.05, no risk aversion; she sees three citizens (7, 11, 17), one active:
    # s = 1/3, w s = 0.06 > T - G = 0.05: active. With w = 0.14, w s = 0.047: quiet.
    for w, state in ((0.18, ACTIVE), (0.14, QUIET), (0.0, QUIET)):
        g = _grid(5, {12: (0.25, 0.0), 7: (0.0, 1.0), 11: (0.0, 1.0), 17: (0.0, 1.0)}, cops=[0])
        g.cit_state[0] = ACTIVE  # cell 7 (citizens are numbered by cell: 7, 11, 12, 17)
        g.rebuild_kind()
        _tick_once(g, [2], social_w=w)
        assert g.cit_state[2] == state, w


def test_a_hesitant_policeman_arrests_only_when_his_draw_reaches_the_hesitancy() -> None:
    for hesitancy, arrested in ((0.4, True), (0.41, False)):
        g = _grid(5, {12: (1.0, 0.0)}, cops=[13])
        g.cit_state[0] = ACTIVE
        g.rebuild_kind()
        assert _tick_once(g, [1], hesitancy=hesitancy, u_hes=0.4) == int(arrested)
        assert bool(g.cit_state[0] == JAILED) is arrested, hesitancy


def test_a_citizen_whose_grievance_is_exactly_the_threshold_walks_at_random_without_looking_around() -> None:
    # G = 0.5 x (1 - 0.5) = 0.25 = T exactly: she cannot turn active, so she moves to an empty cell picked
    # by the per-agent uniforms (_random_empty), not to the one the look-around's list gives
    for u in np.linspace(0.05, 0.95, 7):
        g = _grid(7, {24: (0.5, 0.5), 17: (0.0, 0.5), 31: (0.0, 0.5)}, cops=[23], vision=2, neighbourhood="moore")
        arrays = (g.width, g.height, g.cell, g.kind, g.cit_pos, g.cit_h, g.cit_r, g.cit_state, g.cit_jail, g.cop_pos,
                  g.cop_duty, g.dx, g.dy, np.array([1]), np.full(4, u), np.zeros(4), np.ones(4),
                  np.zeros(4, dtype=np.int64))
        _same_tick(arrays, (0.5, 0.0, 0.25, 2.3, True, 0.0, 0.0, True))


def test_the_counts_kept_around_each_cell_and_the_nth_active_agree_with_a_plain_look_around() -> None:
    # _add_around over every policeman on duty (or active citizen) gives, at every cell, what a look-around
    # from that cell by modulo finds (multiplicity included where the neighbourhood wraps onto itself);
    # _look counts the citizens and the actives, and _nth_active finds the m-th active cell in the order of a
    # look-around
    from sim.public.kernel import K_ACT, K_COP_OFF, K_COP_ON, _add_around, _look, _nth_active

    rng = np.random.default_rng(5)
    for width, height, vision, hood in ((7, 5, 2, "von_neumann"), (6, 9, 2, "moore"), (11, 11, 3, "moore"),
                                        (3, 4, 3, "moore"), (20, 20, 7, "von_neumann")):
        dx, dy = offsets(vision, hood)
        rad = vision
        wrap_x = np.array([(t - rad) % width for t in range(width + 2 * rad)], dtype=np.int64)
        wrap_y = np.array([((t - rad) % height) * width for t in range(height + 2 * rad)], dtype=np.int64)
        rows = []
        for r in range(-rad, rad + 1):
            xs = sorted(x for x, y in zip(dx.tolist(), dy.tolist(), strict=True) if y == r)
            rows += [(0, xs[0], -1), (0, 1, xs[-1])] if r == 0 else [(r, xs[0], xs[-1])]
        row_dy, row_lo, row_hi = (np.array(v, dtype=np.int64) for v in zip(*rows, strict=True))
        spans = (wrap_x, wrap_y, rad, row_dy, row_lo, row_hi, len(rows))
        kind = rng.choice(np.array([K_EMPTY, K_CIT, K_ACT, K_COP_ON, K_COP_OFF], dtype=np.int8), size=width * height)
        near = {K_COP_ON: np.zeros(width * height, dtype=np.int32), K_ACT: np.zeros(width * height, dtype=np.int32)}
        for c in range(width * height):
            if kind[c] in near:
                _add_around(c % width, c // width, 1, near[int(kind[c])], width, *spans)
        scan = sorted(zip(dx.tolist(), dy.tolist(), strict=True), key=lambda o: (o[1], o[0]))
        for pos in range(width * height):
            x, y = pos % width, pos // width
            seen = [((y + oy) % height) * width + (x + ox) % width for ox, oy in scan]
            assert near[K_COP_ON][pos] == sum(kind[c] == K_COP_ON for c in seen)
            assert near[K_ACT][pos] == sum(kind[c] == K_ACT for c in seen)
            active = [c for c in seen if kind[c] == K_ACT]
            assert _look(x, y, kind, *spans) == (sum(kind[c] in (K_CIT, K_ACT) for c in seen), len(active))
            assert [_nth_active(x, y, m, kind, *spans) for m in range(len(active))] == active
        # taking a policeman away is adding -1 around him: every count back to zero
        for c in range(width * height):
            if kind[c] == K_COP_ON:
                _add_around(c % width, c // width, -1, near[K_COP_ON], width, *spans)
        assert not near[K_COP_ON].any()


def test_the_tick_with_a_neighbourhood_many_times_the_grid_equals_the_plain_statement() -> None:
    # Moore's neighbourhood of radius 91 on a 4 x 3 torus: 33,488 offsets, each cell seen thousands of times
    arrays, params = _random_world(np.random.default_rng(7), 4, 3, 91, "moore")
    params = (params[0], 0.0, 0.05, 2.3, True, 0.1, 0.0, True)  # everyone looks around, everyone moves
    assert _same_tick(arrays, params) > 0


def test_a_ticks_draws_from_one_seed_are_a_permutation_uniforms_and_jail_terms() -> None:
    # fill_draws: a permutation of every agent, uniforms in [0, 1), terms in 0..max_jail; the same
    # seed gives the same draws, another seed others
    from sim.public.kernel import fill_draws

    def draws(seed: int, n: int = 500, max_jail: int = 30):
        order, u, jail = np.empty(n, dtype=np.int64), np.empty((3, n)), np.empty(n, dtype=np.int64)
        fill_draws(np.uint64(seed), order, u, jail, max_jail)
        return order, u, jail

    order, u, jail = draws(2**64 - 1)
    assert sorted(order.tolist()) == list(range(500))
    assert u.min() >= 0.0 and u.max() < 1.0
    assert jail.min() >= 0 and jail.max() <= 30
    assert all(np.array_equal(a, b) for a, b in zip(draws(2**64 - 1), (order, u, jail), strict=True))
    assert not np.array_equal(draws(7)[0], order)


def test_the_seeded_draws_are_uniform() -> None:
    # where one agent lands in the order, each uniform's decile and each jail term are uniform over
    # their ranges (chi-square at the 0.1% level, 4,000 ticks' draws); each u row is independent of the next
    from scipy.stats import chisquare

    from sim.public.kernel import fill_draws

    n, ticks, max_jail = 10, 4_000, 4
    place, deciles, terms = np.zeros(n), np.zeros(10), np.zeros(max_jail + 1)
    order, u, jail = np.empty(n, dtype=np.int64), np.empty((3, n)), np.empty(n, dtype=np.int64)
    pairs = []
    for seed in range(ticks):
        fill_draws(np.uint64(seed * 2654435761 + 1), order, u, jail, max_jail)
        place[int(np.flatnonzero(order == 3)[0])] += 1
        deciles += np.bincount((u * 10).astype(int).ravel(), minlength=10)
        terms += np.bincount(jail, minlength=max_jail + 1)
        pairs.append((u[0, 0], u[1, 0]))
    for counts in (place, deciles, terms):
        assert chisquare(counts).pvalue > 0.001
    a, b = np.array(pairs).T
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.06  # 4,000 pairs: |r| > 0.06 has p < 0.0002


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(6, 20), st.floats(0.2, 0.9), st.floats(0.0, 0.15),
       st.floats(0.8, 1.0), st.integers(0, 6), st.floats(0.0, 0.2))
def test_a_calm_tick_changes_only_positions(seed, width, density, cop_density, legit, jailed, extra) -> None:
    """Where nobody is active and nobody could turn active (kernel.calm), the tick with
    ``still_when_calm`` leaves everyone in place and changes states and sentences exactly as the
    full tick does; where someone could turn active, it is the full tick, draw for draw."""
    from sim.public.kernel import calm

    rng = np.random.default_rng(seed)
    g = RegionGrid.populate(rng, width, width, density, cop_density, 2, "von_neumann")
    # some citizens in jail, one of them with her term served (she is back among the quiet after a tick)
    for i in range(min(jailed, g.n_citizens)):
        g.cit_state[i], g.cit_jail[i] = JAILED, i % 3
    p = TickParams(legitimacy=legit, extra_hardship=extra, social_w=0.1, max_jail=5)
    was_calm = calm(g.cit_h, g.cit_state, legit, extra, p.threshold)
    h_max = min(float(g.cit_h.max(initial=0.0)) + extra, 1.0)
    assert was_calm == (h_max * (1.0 - legit) <= p.threshold)  # G = H (1 - L), at the most aggrieved
    full, still = (RegionGrid(**{k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in vars(g).items()})
                   for _ in range(2))
    made_full = full.step(np.random.default_rng(seed + 1), p)
    made_still = still.step(np.random.default_rng(seed + 1), TickParams(**{**vars(p), "still_when_calm": True}))
    if was_calm:
        assert made_full == made_still == 0
        assert np.array_equal(full.cit_state, still.cit_state) and np.array_equal(full.cit_jail, still.cit_jail)
        assert np.array_equal(still.cit_pos, g.cit_pos) and np.array_equal(still.cop_pos, g.cop_pos)
        assert not np.any(still.cit_state == ACTIVE)
    else:
        for a in ("cit_state", "cit_jail", "cit_pos", "cop_pos", "cell"):
            assert np.array_equal(getattr(full, a), getattr(still, a)), a
    still.check()


def test_an_active_citizen_makes_a_region_not_calm() -> None:
    from sim.public.kernel import calm

    h = np.array([0.0, 0.0])
    assert calm(h, np.array([QUIET, QUIET], dtype=np.int8), 0.5, 0.0, 0.1)
    assert not calm(h, np.array([QUIET, ACTIVE], dtype=np.int8), 0.5, 0.0, 0.1)
    # a removed citizen's hardship does not count; with nobody present, the region is calm
    assert calm(np.array([1.0, 0.0]), np.array([3, QUIET], dtype=np.int8), 0.5, 0.0, 0.1)
    assert calm(np.array([1.0]), np.array([3], dtype=np.int8), 0.5, 0.0, 0.1)


# the slowest last (tools/mutation.py runs a mutant's tests in file order and stops at the first failure)
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


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(3, 15), st.floats(0.0, 0.9), st.floats(0.0, 0.3))
def test_cell_kinds_is_the_occupants_kind_cell_by_cell(seed, width, density, cop_density) -> None:
    # the compiled rebuild of every cell's kind against a plain statement: empty, a citizen (active
    # or not; a jailed one keeps her cell), a policeman on or off duty; the removed and the absent
    # hold no cell
    rng = np.random.default_rng(seed)
    g = RegionGrid.populate(rng, width, width, density, cop_density, 1)
    g.cit_state[:] = rng.choice([QUIET, ACTIVE, JAILED, REMOVED], size=g.cit_state.size)
    if g.cop_duty.size:
        g.cop_duty[:] = rng.choice([COP_ON, COP_OFF, COP_ABSENT], size=g.cop_duty.size)
    want = np.full(g.cell.size, K_EMPTY, dtype=np.int8)
    for i, s in enumerate(g.cit_state):
        if s != REMOVED:
            want[g.cit_pos[i]] = K_ACT if s == ACTIVE else K_CIT
    for j, d in enumerate(g.cop_duty):
        if d != COP_ABSENT:
            want[g.cop_pos[j]] = K_COP_ON if d == COP_ON else K_COP_OFF
    g.rebuild_kind()
    assert g.kind.dtype == np.int8 and np.array_equal(g.kind, want)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 15), st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.integers(0, 40))
def test_a_new_grid_is_laid_out_as_its_draws_say(seed, width, density, cop_density, capacity) -> None:
    # the compiled lay-out against a plain statement of it: a citizen where the cell's draw is
    # under the citizen density, else a policeman on duty under the two densities together
    from sim.public.kernel import lay_out

    u = np.random.default_rng(seed).random(width * width)
    cell, cit_pos, cop_pos, cop_duty = lay_out(u, density, cop_density, capacity)
    is_cit = u < density
    cops = np.flatnonzero(~is_cit & (u < density + cop_density))
    assert np.array_equal(cit_pos, np.flatnonzero(is_cit))
    cap = max(cops.size, capacity)
    assert cop_pos.size == cap and np.array_equal(cop_pos[:cops.size], cops) and (cop_pos[cops.size:] == -1).all()
    assert (cop_duty[:cops.size] == COP_ON).all() and (cop_duty[cops.size:] == COP_ABSENT).all()
    want = np.full(u.size, EMPTY, dtype=np.int64)
    want[cit_pos] = np.arange(cit_pos.size)
    want[cops] = -2 - np.arange(cops.size)
    assert np.array_equal(cell, want)
