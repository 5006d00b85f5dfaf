"""The compiled population tick: Epstein's (2002) Model I, with the regime model's additions.

One call advances one region's torus grid by one tick with sequential random activation,
exactly in the order and with the semantics of Mesa's ``epstein_civil_violence`` example:

* a citizen in jail only serves a tick of her sentence;
* otherwise she looks around (vision, von Neumann or Moore), estimates her arrest risk
  from the policemen (C) and active citizens plus herself (A) she sees, turns active if
  ``G - R P + w s > T`` and moves to a random empty cell she saw;
* a policeman looks around, arrests one random active citizen he sees (jail term drawn
  uniformly in 0..J) and moves.

The regime model's additions are neutral at their defaults: ``w`` (social proof), police
``hesitancy`` (a loyal policeman lets a protester he sees go with that chance; citizens
still count him as a risk), extra hardship from a call-up, and policemen "off duty" whose unit stands
aside (they neither arrest nor count in C). All randomness is passed in as arrays, so the
tick itself is pure; :func:`tick_seeded` fills them from one 64-bit seed taken from the
model's ``numpy`` generator, so a run is reproducible from its seed.

What a look-around finds is not counted at every turn: the policemen on duty (and, where they
are few, the active citizens) within vision of every cell are kept as counts that each move,
turn and arrest updates around the cell it changes. A citizen reads her two numbers; only a
policeman about to arrest, or a citizen whom social proof could tip, looks around.
"""

from __future__ import annotations

import functools

import numpy as np
from numba import njit

from ..rules import public as _rules

# The public's rules are plain Python in sim/rules/public.py (so listing the rules never
# imports numba); the kernel calls them compiled, for every citizen at every tick.
grievance = njit(cache=True)(_rules.grievance)
arrest_probability = njit(cache=True)(_rules.arrest_probability)
is_active = njit(cache=True)(_rules.is_active)
arrests = njit(cache=True)(_rules.arrests)

QUIET, ACTIVE, JAILED, REMOVED = 0, 1, 2, 3
EMPTY = -1
COP_ABSENT, COP_OFF, COP_ON = -1, 0, 1
# Cell kinds, kept beside the cell's occupant so a look-around needs no branches. Each is a bit
# pattern: bit 0 a citizen, bit 1 an active one, bit 2 a policeman on duty, bit 3 empty
# (a policeman off duty sets none of them), so a look-around tallies with shifts and masks.
K_CIT, K_ACT, K_COP_ON, K_EMPTY, K_COP_OFF = 1, 3, 4, 8, 16


def offsets(radius: int, neighbourhood: str) -> tuple[np.ndarray, np.ndarray]:
    """Cell offsets within ``radius`` (centre excluded), von Neumann or Moore (new arrays each
    call, from a list worked out once per radius: every region of every run asks)."""
    dx, dy = _offset_lists(radius, neighbourhood)
    return np.array(dx, dtype=np.int64), np.array(dy, dtype=np.int64)


@functools.lru_cache(maxsize=64)
def _offset_lists(radius: int, neighbourhood: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    dx, dy = [], []
    for y in range(-radius, radius + 1):
        for x in range(-radius, radius + 1):
            if x == 0 and y == 0:
                continue
            if neighbourhood == "moore" or abs(x) + abs(y) <= radius:
                dx.append(x)
                dy.append(y)
    return tuple(dx), tuple(dy)


@njit(cache=True, inline="always")
def _next_index(state: np.uint64, n: int) -> tuple[np.uint64, int]:
    """A 64-bit LCG step (Knuth's MMIX constants) and a uniform index in 0..n-1 from the top 32
    bits of the state, by a multiply and a shift (Lemire 2019): the draws of one agent's move."""
    state = state * np.uint64(6364136223846793005) + np.uint64(1442695040888963407)
    return state, np.int64(((state >> np.uint64(32)) * np.uint64(n)) >> np.uint64(32))


@njit(cache=True, inline="always")
def _random_empty(x: int, y: int, u: float, kind: np.ndarray, oxy: np.ndarray, wrap_x: np.ndarray,
                  wrap_y: np.ndarray, empties: np.ndarray) -> int:
    """The offset (an index into ``oxy``) of a uniformly chosen empty cell within vision of
    (x, y), or -1 if there is none. ``oxy[o]`` packs the offset's row and column shifted into
    the wrap tables' range, ``(dy + rad) << 32 | (dx + rad)``: one load per probe where two
    separate tables took two (the same cells in the same order: a draw of 1,100 such choices on a
    40 x 40 grid at density 0.75 took 54 ns each, now 30; a tick of Moscow's grid 189 -> 179 us).

    Rejection sampling over the offsets is uniform over the empty ones, like picking from
    the list of empty neighbours; after 32 misses we fall back to listing them.
    """
    n_off = oxy.shape[0]
    state = np.uint64(u * 9007199254740992.0) + np.uint64(1)
    for _ in range(32):
        state, o = _next_index(state, n_off)
        v = oxy[o]
        if kind[wrap_y[y + (v >> 32)] + wrap_x[x + (v & 0xFFFFFFFF)]] == K_EMPTY:
            return o
    n_empty = 0
    for o in range(n_off):
        v = oxy[o]
        empties[n_empty] = o
        n_empty += (kind[wrap_y[y + (v >> 32)] + wrap_x[x + (v & 0xFFFFFFFF)]] >> 3) & 1
    if n_empty == 0:
        return -1
    state, m = _next_index(state, n_empty)
    return empties[m]


@njit(cache=True)
def _place(cell: np.ndarray, kind: np.ndarray, pos: int, c: int, who: int) -> None:
    """Move the agent at cell ``pos`` (``who``: how ``cell`` names it) to the empty cell ``c``."""
    cell[pos] = EMPTY
    kind[c] = kind[pos]
    kind[pos] = K_EMPTY
    cell[c] = who


@njit(cache=True)  # called, not inlined: a tick came out 3-5% faster than with it inlined
def _add_around(x: int, y: int, d: int, near: np.ndarray, width: int, wrap_x: np.ndarray, wrap_y: np.ndarray,
                rad: int, row_dy: np.ndarray, row_lo: np.ndarray, row_hi: np.ndarray, n_rows: int) -> None:
    """Add ``d`` to ``near`` at every cell within vision of (x, y) (with the multiplicity of
    the offsets on a small torus). Vision is symmetric, so these are the cells that see (x, y):
    ``near[c]`` counts what a look-around from ``c`` would find."""
    for ri in range(n_rows):
        base = wrap_y[y + rad + row_dy[ri]]
        x0 = x + row_lo[ri]
        x1 = x + row_hi[ri]
        if x0 >= 0 and x1 < width:  # the row does not wrap: its cells are consecutive
            for c in range(base + x0, base + x1 + 1):
                near[c] += d
        else:
            for xx in range(x0, x1 + 1):
                near[base + wrap_x[xx + rad]] += d


@njit(cache=True, inline="always")
def _look(x: int, y: int, kind: np.ndarray, wrap_x: np.ndarray, wrap_y: np.ndarray, rad: int,
          row_dy: np.ndarray, row_lo: np.ndarray, row_hi: np.ndarray, n_rows: int) -> tuple[int, int]:
    """(citizens, active citizens) within vision of (x, y): a look-around, where the counts
    are not kept."""
    seen = 0
    n_act = 0
    for ri in range(n_rows):
        base = wrap_y[y + rad + row_dy[ri]]
        for xx in range(x + row_lo[ri], x + row_hi[ri] + 1):
            kd = np.int64(kind[base + wrap_x[xx + rad]])
            seen += kd & 1
            n_act += (kd >> 1) & 1
    return seen, n_act


@njit(cache=True, inline="always")
def _nth_active(x: int, y: int, m: int, kind: np.ndarray, wrap_x: np.ndarray, wrap_y: np.ndarray, rad: int,
                row_dy: np.ndarray, row_lo: np.ndarray, row_hi: np.ndarray, n_rows: int) -> int:
    """The cell of the ``m``-th (from 0) active citizen within vision of (x, y), in the order
    a look-around lists cells (by row, then column): the one a policeman arrests."""
    for ri in range(n_rows):
        base = wrap_y[y + rad + row_dy[ri]]
        for xx in range(x + row_lo[ri], x + row_hi[ri] + 1):
            c = base + wrap_x[xx + rad]
            if kind[c] == K_ACT:
                if m == 0:
                    return c
                m -= 1
    return -1  # not reached: the counts say there are more than m


@njit(cache=True)
def tick(
    width: int,
    height: int,
    cell: np.ndarray,  # int64[n_cells]: EMPTY, citizen index >= 0, or -2 - cop index
    kind: np.ndarray,  # int8[n_cells]: K_EMPTY, K_CIT (quiet or jailed), K_ACT, K_COP_ON, K_COP_OFF
    cit_pos: np.ndarray,  # int64[n_cit]
    cit_h: np.ndarray,  # float64[n_cit] hardship
    cit_r: np.ndarray,  # float64[n_cit] risk aversion
    cit_state: np.ndarray,  # int8[n_cit]
    cit_jail: np.ndarray,  # int64[n_cit]
    cop_pos: np.ndarray,  # int64[n_cop]
    cop_duty: np.ndarray,  # int8[n_cop]: COP_ABSENT, COP_OFF, COP_ON
    dx: np.ndarray,
    dy: np.ndarray,
    order: np.ndarray,  # permutation of 0..n_cit+n_cop-1
    u_move: np.ndarray,  # float64[n_cit+n_cop]
    u_pick: np.ndarray,  # float64[n_cit+n_cop]
    u_hes: np.ndarray,  # float64[n_cit+n_cop]
    jail_draw: np.ndarray,  # int64[n_cit+n_cop]
    legitimacy: float,
    extra_hardship: float,
    threshold: float,
    k: float,
    use_round: bool,
    social_w: float,
    hesitancy: float,
    movement: bool,
) -> int:
    """Advance one tick in place; return the number of arrests made."""
    n_cit = cit_pos.shape[0]
    n_off = dx.shape[0]
    # wrap tables instead of a modulo per visited cell (the kernel's hot loop)
    rad = 0
    for o in range(n_off):
        if abs(dx[o]) > rad:
            rad = abs(dx[o])
        if abs(dy[o]) > rad:
            rad = abs(dy[o])
    wrap_x = np.empty(width + 2 * rad, dtype=np.int64)
    for t in range(width + 2 * rad):
        wrap_x[t] = (t - rad) % width
    wrap_y = np.empty(height + 2 * rad, dtype=np.int64)
    for t in range(height + 2 * rad):
        wrap_y[t] = ((t - rad) % height) * width
    # The neighbourhood as row spans: (dy, first dx, last dx), the centre row split around the
    # agent's own cell. Inside a row that does not wrap, cells are consecutive in memory.
    row_dy = np.empty(2 * rad + 2, dtype=np.int64)
    row_lo = np.empty(2 * rad + 2, dtype=np.int64)
    row_hi = np.empty(2 * rad + 2, dtype=np.int64)
    n_rows = 0
    for dyv in range(-rad, rad + 1):
        lo = rad + 1
        hi = -rad - 1
        for o in range(n_off):
            if dy[o] == dyv:
                lo = min(lo, dx[o])
                hi = max(hi, dx[o])
        if lo > hi:
            continue
        if dyv == 0 and lo < 0 < hi:
            row_dy[n_rows], row_lo[n_rows], row_hi[n_rows] = 0, lo, -1
            n_rows += 1
            row_dy[n_rows], row_lo[n_rows], row_hi[n_rows] = 0, 1, hi
        else:
            row_dy[n_rows], row_lo[n_rows], row_hi[n_rows] = dyv, lo, hi
        n_rows += 1
    empties = np.empty(n_off, dtype=np.int64)  # _random_empty's fallback list
    oxy = np.empty(n_off, dtype=np.int64)  # each offset's row and column, packed (_random_empty)
    for o in range(n_off):
        oxy[o] = ((dy[o] + rad) << 32) | (dx[o] + rad)
    n_arrests = 0
    n_active = 0
    n_present = 0
    for i in range(n_cit):
        if cit_state[i] == ACTIVE:
            n_active += 1
        if cit_state[i] != REMOVED:
            n_present += 1
    n_on = 0
    for j in range(cop_duty.shape[0]):
        if cop_duty[j] == COP_ON:
            n_on += 1
    # What a look-around from each cell would find, kept up to date as agents act instead of
    # counted at every turn: policemen on duty (always: few, and every citizen who could turn
    # active asks), and active citizens when they are few beside those who would ask (each
    # active's move updates the counts around it twice; where the police stand aside no one asks).
    # Kept or counted, the numbers are the same: the choice is one of speed only.
    n_cells = kind.shape[0]
    near_cops = np.zeros(n_cells, dtype=np.int32)
    keep_act = n_on > 0 and 3 * n_active <= n_on + n_present // 2
    near_act = np.zeros(n_cells if keep_act else 0, dtype=np.int32)
    for c in range(n_cells):
        if kind[c] == K_COP_ON:
            _add_around(c % width, c // width, 1, near_cops, width, wrap_x, wrap_y, rad, row_dy, row_lo, row_hi,
                        n_rows)
        elif keep_act and kind[c] == K_ACT:
            _add_around(c % width, c // width, 1, near_act, width, wrap_x, wrap_y, rad, row_dy, row_lo, row_hi,
                        n_rows)
    for oi in range(order.shape[0]):
        idx = order[oi]
        if idx < n_cit:
            i = idx
            if cit_state[i] == REMOVED:
                continue
            if cit_jail[i] > 0:
                cit_jail[i] -= 1
                continue
            pos = cit_pos[i]
            y = pos // width
            x = pos - y * width
            was = cit_state[i] == ACTIVE
            h = cit_h[i] + extra_hardship
            if h > 1.0:
                h = 1.0
            g = grievance(h, legitimacy)
            if g <= threshold and (social_w == 0.0 or n_active == 0):
                # she cannot turn active whatever she sees: no need to look around
                now = False
            else:
                n_cops = near_cops[pos]
                seen = -1  # citizens in sight: counted only by a look-around, once at most
                if n_cops == 0:
                    p = 0.0  # no policeman in sight: no risk, however many actives she sees
                else:
                    if keep_act:
                        n_act = near_act[pos]
                    else:
                        seen, n_act = _look(x, y, kind, wrap_x, wrap_y, rad, row_dy, row_lo, row_hi, n_rows)
                    p = arrest_probability(float(n_cops), 1.0 + n_act, k, use_round)
                r = cit_r[i]
                net = g - r * p
                # social proof adds w s with the share seen s in [0, 1]: it can tip her choice only
                # when T lies between g - R P and g - R P + w, and only then is s worked out
                share = 0.0
                if (net <= threshold < net + social_w) or (net + social_w <= threshold < net):
                    if seen < 0:  # not looked around yet
                        seen, n_act = _look(x, y, kind, wrap_x, wrap_y, rad, row_dy, row_lo, row_hi, n_rows)
                    share = n_act / seen if seen > 0 else 0.0
                now = is_active(g, r, p, threshold, social_w, share)
            if now:
                cit_state[i] = ACTIVE
                kind[pos] = K_ACT
                if not was:
                    n_active += 1
                    if keep_act:
                        _add_around(x, y, 1, near_act, width, wrap_x, wrap_y, rad, row_dy, row_lo, row_hi, n_rows)
            else:
                cit_state[i] = QUIET
                kind[pos] = K_CIT
                if was:
                    n_active -= 1
                    if keep_act:
                        _add_around(x, y, -1, near_act, width, wrap_x, wrap_y, rad, row_dy, row_lo, row_hi, n_rows)
            if movement:
                # she moves to a random empty cell in sight, if any (the choice is called here, not
                # from a helper that also moves: inlined into the tick, that helper doubled its time)
                o = _random_empty(x, y, u_move[idx], kind, oxy, wrap_x, wrap_y, empties)
                if o >= 0:
                    nx = wrap_x[x + rad + dx[o]]
                    nyw = wrap_y[y + rad + dy[o]]
                    cit_pos[i] = nyw + nx
                    _place(cell, kind, pos, nyw + nx, i)
                    if now and keep_act:
                        _add_around(x, y, -1, near_act, width, wrap_x, wrap_y, rad, row_dy, row_lo, row_hi, n_rows)
                        _add_around(nx, nyw // width, 1, near_act, width, wrap_x, wrap_y, rad, row_dy, row_lo,
                                    row_hi, n_rows)
        else:
            j = idx - n_cit
            duty = cop_duty[j]
            if duty == COP_ABSENT:
                continue
            pos = cop_pos[j]
            y = pos // width
            x = pos - y * width
            if duty == COP_ON and n_active > 0:  # else nobody to arrest: he just walks
                if keep_act:
                    n_act = near_act[pos]
                else:
                    _, n_act = _look(x, y, kind, wrap_x, wrap_y, rad, row_dy, row_lo, row_hi, n_rows)
                if n_act > 0 and arrests(hesitancy, u_hes[idx]):
                    tc = _nth_active(x, y, int(u_pick[idx] * n_act), kind, wrap_x, wrap_y, rad, row_dy, row_lo,
                                     row_hi, n_rows)
                    t = cell[tc]
                    cit_jail[t] = jail_draw[idx]
                    cit_state[t] = JAILED
                    kind[tc] = K_CIT
                    if keep_act:
                        _add_around(tc % width, tc // width, -1, near_act, width, wrap_x, wrap_y, rad, row_dy, row_lo,
                                    row_hi, n_rows)
                    n_active -= 1
                    n_arrests += 1
            if movement:
                o = _random_empty(x, y, u_move[idx], kind, oxy, wrap_x, wrap_y, empties)
                if o >= 0:
                    nx = wrap_x[x + rad + dx[o]]
                    nyw = wrap_y[y + rad + dy[o]]
                    cop_pos[j] = nyw + nx
                    _place(cell, kind, pos, nyw + nx, -2 - j)
                    if duty == COP_ON:
                        _add_around(x, y, -1, near_cops, width, wrap_x, wrap_y, rad, row_dy, row_lo, row_hi, n_rows)
                        _add_around(nx, nyw // width, 1, near_cops, width, wrap_x, wrap_y, rad, row_dy, row_lo,
                                    row_hi, n_rows)
    return n_arrests


@njit(cache=True)
def lay_out(u: np.ndarray, citizen_density: float, cop_density: float,
            cop_capacity: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Who stands where on a new grid, cell by cell from its uniform draw ``u``: a citizen below
    ``citizen_density``, else a policeman (on duty) below ``citizen_density + cop_density``.
    Returns (cell occupants, citizens' cells, policemen's cells and duty, room for at least
    ``cop_capacity`` policemen). One pass instead of a dozen numpy calls: every region of every
    run is laid out once."""
    n = u.shape[0]
    both = citizen_density + cop_density
    n_cit = 0
    n_cop = 0
    for c in range(n):
        if u[c] < citizen_density:
            n_cit += 1
        elif u[c] < both:
            n_cop += 1
    cell = np.full(n, EMPTY, dtype=np.int64)
    cit_pos = np.empty(n_cit, dtype=np.int64)
    cap = max(n_cop, cop_capacity)
    cop_pos = np.full(cap, -1, dtype=np.int64)
    cop_duty = np.full(cap, COP_ABSENT, dtype=np.int8)
    i = 0
    j = 0
    for c in range(n):
        if u[c] < citizen_density:
            cit_pos[i] = c
            cell[c] = i
            i += 1
        elif u[c] < both:
            cop_pos[j] = c
            cop_duty[j] = COP_ON
            cell[c] = -2 - j
            j += 1
    return cell, cit_pos, cop_pos, cop_duty


@njit(cache=True)
def cell_kinds(n_cells: int, cit_pos: np.ndarray, cit_state: np.ndarray, cop_pos: np.ndarray,
               cop_duty: np.ndarray) -> np.ndarray:
    """Each cell's kind from its occupant: what RegionGrid.rebuild_kind needs after changes made
    from Python (every region of every run builds it twice; numpy's dozen calls cost more)."""
    kind = np.full(n_cells, K_EMPTY, dtype=np.int8)
    for i in range(cit_state.shape[0]):
        s = cit_state[i]
        if s != REMOVED:
            kind[cit_pos[i]] = K_ACT if s == ACTIVE else K_CIT
    for i in range(cop_duty.shape[0]):
        d = cop_duty[i]
        if d != COP_ABSENT:
            kind[cop_pos[i]] = K_COP_ON if d == COP_ON else K_COP_OFF
    return kind


@njit(cache=True)
def state_counts(cit_state: np.ndarray) -> tuple[int, int, int, int]:
    """(quiet, active, jailed, removed) citizens: read after every tick of every region, where
    numpy's bincount and four conversions cost more than the count itself."""
    q = a = j = r = 0
    for s in cit_state:
        if s == QUIET:
            q += 1
        elif s == ACTIVE:
            a += 1
        elif s == JAILED:
            j += 1
        else:
            r += 1
    return q, a, j, r


# The tick's draws from one seed. numpy's Generator costs about 40 microseconds a region tick in
# fixed overhead (three calls, each checking its arguments and allocating) against a few for
# the draws themselves, and a run ticks thousands of regions: a fifth to a third of the cost of
# a run of the bundled scenarios. Here one 64-bit seed from the model's generator (its
# bit generator's next raw output) seeds SplitMix64 (Steele, Lea & Flood 2014: period 2^64,
# passes BigCrush), which fills the same arrays inside the compiled code.
_GOLDEN_GAMMA = 0x9E3779B97F4A7C15
_MIX1 = 0xBF58476D1CE4E5B9
_MIX2 = 0x94D049BB133111EB


@njit(cache=True, inline="always")
def _splitmix(state: np.uint64) -> tuple[np.uint64, np.uint64]:
    """The next state and output of SplitMix64."""
    state = state + np.uint64(_GOLDEN_GAMMA)
    z = state
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_MIX1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_MIX2)
    return state, z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def _unit(z: np.uint64) -> float:
    """A uniform in [0, 1) from the top 53 bits (numpy's next_double does the same)."""
    return (z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def fill_draws(seed: np.uint64, order: np.ndarray, u: np.ndarray, jail: np.ndarray, max_jail: int) -> None:
    """Fill a tick's draws from ``seed``: ``order`` a uniformly random permutation of 0..n-1
    (Fisher-Yates), ``u`` three rows of uniforms in [0, 1), ``jail`` uniform integers in
    0..max_jail. A bounded integer is ``int(uniform * bound)``, as the tick picks its cells:
    its bias, under bound / 2^53, is far below anything a run could show."""
    n = order.shape[0]
    s = np.uint64(seed)
    for i in range(n):
        order[i] = i
    for i in range(n - 1, 0, -1):
        s, z = _splitmix(s)
        j = int(_unit(z) * (i + 1))
        order[i], order[j] = order[j], order[i]
    for r in range(u.shape[0]):
        for i in range(n):
            s, z = _splitmix(s)
            u[r, i] = _unit(z)
    for i in range(n):
        s, z = _splitmix(s)
        jail[i] = int(_unit(z) * (max_jail + 1))


@njit(cache=True)
def calm(cit_h: np.ndarray, cit_state: np.ndarray, legitimacy: float, extra_hardship: float,
         threshold: float) -> bool:
    """Nobody is active and nobody could turn active this tick, whatever she saw: the most
    aggrieved citizen present is at or under the threshold (social proof and the arrest risk
    only ever add to, or take from, grievance what the actives she sees bring: none here)."""
    h_max = -1.0
    for i in range(cit_state.shape[0]):
        s = cit_state[i]
        if s == ACTIVE:
            return False
        if s != REMOVED and cit_h[i] > h_max:
            h_max = cit_h[i]
    if h_max < 0.0:  # nobody present
        return True
    h = h_max + extra_hardship
    if h > 1.0:
        h = 1.0
    return grievance(h, legitimacy) <= threshold


@njit(cache=True)
def serve_sentences(cit_state: np.ndarray, cit_jail: np.ndarray) -> None:
    """What a calm tick changes besides positions: each prisoner serves a tick of her sentence,
    and one whose sentence is served is back among the quiet (as :func:`tick` would leave her)."""
    for i in range(cit_state.shape[0]):
        if cit_state[i] == REMOVED:
            continue
        if cit_jail[i] > 0:
            cit_jail[i] -= 1
        elif cit_state[i] == JAILED:
            cit_state[i] = QUIET


@njit(cache=True)
def tick_seeded(
    seed: np.uint64, max_jail: int, width: int, height: int, cell: np.ndarray, kind: np.ndarray,
    cit_pos: np.ndarray, cit_h: np.ndarray, cit_r: np.ndarray, cit_state: np.ndarray, cit_jail: np.ndarray,
    cop_pos: np.ndarray, cop_duty: np.ndarray, dx: np.ndarray, dy: np.ndarray, legitimacy: float,
    extra_hardship: float, threshold: float, k: float, use_round: bool, social_w: float, hesitancy: float,
    movement: bool, still_when_calm: bool = False,
) -> int:
    """:func:`tick` with its draws made from ``seed`` (:func:`fill_draws`), in one compiled call.
    ``still_when_calm``: a :func:`calm` tick only serves sentences; nobody moves (positions
    are read only by those who could turn active and by policemen who see an active: none)."""
    if still_when_calm and calm(cit_h, cit_state, legitimacy, extra_hardship, threshold):
        serve_sentences(cit_state, cit_jail)
        return 0
    n = cit_pos.shape[0] + cop_pos.shape[0]
    order = np.empty(n, dtype=np.int64)
    u = np.empty((3, n), dtype=np.float64)
    jail = np.empty(n, dtype=np.int64)
    fill_draws(seed, order, u, jail, max_jail)
    return tick(width, height, cell, kind, cit_pos, cit_h, cit_r, cit_state, cit_jail, cop_pos, cop_duty, dx, dy,
                order, u[0], u[1], u[2], jail, legitimacy, extra_hardship, threshold, k, use_round, social_w,
                hesitancy, movement)
