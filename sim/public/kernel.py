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
# Cell kinds, kept beside the cell's occupant so the scan needs no branches. Each is a bit
# pattern: bit 0 a citizen, bit 1 an active one, bit 2 a policeman on duty, bit 3 empty
# (a policeman off duty sets none of them), so a scan tallies with shifts and masks.
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
def _next_uniform(state: np.uint64) -> tuple[np.uint64, float]:
    """A 64-bit LCG step (Knuth's MMIX constants): deterministic extra uniforms per agent."""
    state = state * np.uint64(6364136223846793005) + np.uint64(1442695040888963407)
    return state, (state >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, inline="always")
def _random_empty(x: int, y: int, u: float, kind: np.ndarray, dx: np.ndarray, dy: np.ndarray,
                  wrap_x: np.ndarray, wrap_y: np.ndarray, rad: int, empties: np.ndarray) -> int:
    """A uniformly chosen empty cell within vision, or -1 if there is none.

    Rejection sampling over the offsets is uniform over the empty ones, like picking from
    the list of empty neighbours; after 32 misses we fall back to listing them.
    """
    n_off = dx.shape[0]
    state = np.uint64(u * 9007199254740992.0) + np.uint64(1)
    for _ in range(32):
        state, v = _next_uniform(state)
        o = int(v * n_off)
        c = wrap_y[y + rad + dy[o]] + wrap_x[x + rad + dx[o]]
        if kind[c] == K_EMPTY:
            return c
    n_empty = 0
    for o in range(n_off):
        c = wrap_y[y + rad + dy[o]] + wrap_x[x + rad + dx[o]]
        empties[n_empty] = c
        n_empty += (kind[c] >> 3) & 1
    if n_empty == 0:
        return -1
    state, v = _next_uniform(state)
    return empties[int(v * n_empty)]


@njit(cache=True, inline="always")
def _scan(x: int, y: int, width: int, kind: np.ndarray, wrap_x: np.ndarray, wrap_y: np.ndarray, rad: int,
          row_dy: np.ndarray, row_lo: np.ndarray, row_hi: np.ndarray, n_rows: int, empties: np.ndarray,
          actives_at: np.ndarray) -> tuple[int, int, int, int]:
    """Look around (x, y): list the empty cells and the active citizens' cells; return
    (empty cells, citizens, active citizens, policemen on duty) seen."""
    n_empty = 0
    seen = 0
    n_act = 0
    n_cops = 0
    for ri in range(n_rows):
        base = wrap_y[y + rad + row_dy[ri]]
        x0 = x + row_lo[ri]
        x1 = x + row_hi[ri]
        if x0 >= 0 and x1 < width:  # the row does not wrap: its cells are consecutive
            for c in range(base + x0, base + x1 + 1):
                kd = np.int64(kind[c])  # not int8: uncompiled, the counts below would wrap at 127
                empties[n_empty] = c
                n_empty += (kd >> 3) & 1
                actives_at[n_act] = c
                seen += kd & 1
                n_act += (kd >> 1) & 1
                n_cops += (kd >> 2) & 1
        else:
            for xx in range(x0, x1 + 1):
                c = base + wrap_x[xx + rad]
                kd = np.int64(kind[c])  # not int8: uncompiled, the counts below would wrap at 127
                empties[n_empty] = c
                n_empty += (kd >> 3) & 1
                actives_at[n_act] = c
                seen += kd & 1
                n_act += (kd >> 1) & 1
                n_cops += (kd >> 2) & 1
    return n_empty, seen, n_act, n_cops


# Packed tallies. A cell's kind bits 0-3 (citizen, active, policeman on duty, empty) are
# spread into four 16-bit lanes of one integer by a multiply and a mask (bit i lands at bit
# 16 i; the shifted copies of a 4-bit value never overlap), so one add per visited cell
# tallies all four counts at once. Lanes hold up to 65535; tick() uses this only for
# neighbourhoods of fewer than 32768 cells (vision up to 127 even with Moore's), else _scan.
_SPREAD = 0x0000200040008001  # 1 + 2^15 + 2^30 + 2^45
_LANES = 0x0001000100010001
_LANE = 0xFFFF
#: the lane (shift) of each count and the kind bit it counts
SHIFT_CIT, SHIFT_ACT, SHIFT_COP, SHIFT_EMPTY = 0, 16, 32, 48
BIT_ACT, BIT_EMPTY = 2, 8
MAX_PACKED = 32768


@njit(cache=True, inline="always")
def _count(x: int, y: int, width: int, kind: np.ndarray, wrap_x: np.ndarray, wrap_y: np.ndarray, rad: int,
           row_dy: np.ndarray, row_lo: np.ndarray, row_hi: np.ndarray, n_rows: int, row_acc: np.ndarray) -> int:
    """Look around (x, y) and tally what is seen, row by row: ``row_acc[ri]`` the packed
    counts of row ``ri``; returns their sum. Same cells, same order as :func:`_scan`, which
    lists the empty and active cells as it goes; here :func:`_kth` finds the one drawn."""
    total = 0
    for ri in range(n_rows):
        base = wrap_y[y + rad + row_dy[ri]]
        x0 = x + row_lo[ri]
        x1 = x + row_hi[ri]
        acc = 0
        if x0 >= 0 and x1 < width:  # the row does not wrap: its cells are consecutive
            for c in range(base + x0, base + x1 + 1):
                acc += ((np.int64(kind[c]) & 15) * _SPREAD) & _LANES
        else:
            for xx in range(x0, x1 + 1):
                acc += ((np.int64(kind[base + wrap_x[xx + rad]]) & 15) * _SPREAD) & _LANES
        row_acc[ri] = acc
        total += acc
    return total


@njit(cache=True, inline="always")
def _kth(x: int, y: int, width: int, kind: np.ndarray, wrap_x: np.ndarray, wrap_y: np.ndarray, rad: int,
         row_dy: np.ndarray, row_lo: np.ndarray, row_hi: np.ndarray, n_rows: int, row_acc: np.ndarray,
         shift: int, bit: int, k: int) -> int:
    """The cell of the ``k``-th (from 0) seen cell whose kind has ``bit``, in scan order: the
    row from the counts :func:`_count` left, then the cell within it."""
    ri = 0
    while ri < n_rows:
        n = (row_acc[ri] >> shift) & _LANE
        if k < n:
            break
        k -= n
        ri += 1
    base = wrap_y[y + rad + row_dy[ri]]
    for xx in range(x + row_lo[ri], x + row_hi[ri] + 1):
        c = base + wrap_x[xx + rad]
        if kind[c] & bit:
            if k == 0:
                return c
            k -= 1
    return -1  # not reached: the row holds at least k + 1 such cells


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
    empties = np.empty(n_off, dtype=np.int64)
    seen_active = np.empty(n_off, dtype=np.int64)
    packed = n_off < MAX_PACKED
    row_acc = np.empty(2 * rad + 2, dtype=np.int64)
    n_arrests = 0
    n_active = 0
    for i in range(n_cit):
        if cit_state[i] == ACTIVE:
            n_active += 1
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
            x = pos % width
            y = pos // width
            h = cit_h[i] + extra_hardship
            if h > 1.0:
                h = 1.0
            g = grievance(h, legitimacy)
            if g <= threshold and (social_w == 0.0 or n_active == 0):
                # she cannot turn active whatever she sees: no need to look around
                if cit_state[i] == ACTIVE:
                    n_active -= 1
                cit_state[i] = QUIET
                kind[pos] = K_CIT
                if movement:
                    c = _random_empty(x, y, u_move[idx], kind, dx, dy, wrap_x, wrap_y, rad, empties)
                    if c >= 0:
                        cell[pos] = EMPTY
                        kind[pos] = K_EMPTY
                        cell[c] = i
                        kind[c] = K_CIT
                        cit_pos[i] = c
                continue
            if packed:
                acc = _count(x, y, width, kind, wrap_x, wrap_y, rad, row_dy, row_lo, row_hi, n_rows, row_acc)
                n_empty = (acc >> SHIFT_EMPTY) & _LANE
                seen = acc & _LANE
                n_act = (acc >> SHIFT_ACT) & _LANE
                n_cops = (acc >> SHIFT_COP) & _LANE
            else:
                n_empty, seen, n_act, n_cops = _scan(x, y, width, kind, wrap_x, wrap_y, rad, row_dy, row_lo,
                                                     row_hi, n_rows, empties, seen_active)
            cops = float(n_cops)
            actives = 1.0 + n_act
            p = arrest_probability(cops, actives, k, use_round)
            share = (actives - 1.0) / seen if seen > 0 else 0.0
            was = cit_state[i] == ACTIVE
            if is_active(g, cit_r[i], p, threshold, social_w, share):
                cit_state[i] = ACTIVE
                kd = K_ACT
                if not was:
                    n_active += 1
            else:
                cit_state[i] = QUIET
                kd = K_CIT
                if was:
                    n_active -= 1
            kind[pos] = kd
            if movement and n_empty > 0:
                m = int(u_move[idx] * n_empty)
                if packed:
                    c = _kth(x, y, width, kind, wrap_x, wrap_y, rad, row_dy, row_lo, row_hi, n_rows, row_acc,
                             SHIFT_EMPTY, BIT_EMPTY, m)
                else:
                    c = empties[m]
                cell[pos] = EMPTY
                kind[pos] = K_EMPTY
                cell[c] = i
                kind[c] = kd
                cit_pos[i] = c
        else:
            j = idx - n_cit
            duty = cop_duty[j]
            if duty == COP_ABSENT:
                continue
            pos = cop_pos[j]
            x = pos % width
            y = pos // width
            if n_active == 0:
                # nobody to arrest anywhere: just walk
                if movement:
                    c = _random_empty(x, y, u_move[idx], kind, dx, dy, wrap_x, wrap_y, rad, empties)
                    if c >= 0:
                        cell[pos] = EMPTY
                        kind[c] = kind[pos]
                        kind[pos] = K_EMPTY
                        cell[c] = -2 - j
                        cop_pos[j] = c
                continue
            if packed:
                acc = _count(x, y, width, kind, wrap_x, wrap_y, rad, row_dy, row_lo, row_hi, n_rows, row_acc)
                n_empty = (acc >> SHIFT_EMPTY) & _LANE
                n_act = (acc >> SHIFT_ACT) & _LANE
            else:
                n_empty, _, n_act, _ = _scan(x, y, width, kind, wrap_x, wrap_y, rad, row_dy, row_lo, row_hi,
                                             n_rows, empties, seen_active)
            if duty == COP_ON and n_act > 0 and arrests(hesitancy, u_hes[idx]):
                m = int(u_pick[idx] * n_act)
                if packed:
                    tc = _kth(x, y, width, kind, wrap_x, wrap_y, rad, row_dy, row_lo, row_hi, n_rows, row_acc,
                              SHIFT_ACT, BIT_ACT, m)
                else:
                    tc = seen_active[m]
                t = cell[tc]
                cit_jail[t] = jail_draw[idx]
                cit_state[t] = JAILED
                kind[tc] = K_CIT
                n_active -= 1
                n_arrests += 1
            if movement and n_empty > 0:
                # the arrest turned an active cell quiet, not an empty one: the counts still hold
                m = int(u_move[idx] * n_empty)
                if packed:
                    c = _kth(x, y, width, kind, wrap_x, wrap_y, rad, row_dy, row_lo, row_hi, n_rows, row_acc,
                             SHIFT_EMPTY, BIT_EMPTY, m)
                else:
                    c = empties[m]
                cell[pos] = EMPTY
                kind[c] = kind[pos]
                kind[pos] = K_EMPTY
                cell[c] = -2 - j
                cop_pos[j] = c
    return n_arrests


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
def tick_seeded(
    seed: np.uint64, max_jail: int, width: int, height: int, cell: np.ndarray, kind: np.ndarray,
    cit_pos: np.ndarray, cit_h: np.ndarray, cit_r: np.ndarray, cit_state: np.ndarray, cit_jail: np.ndarray,
    cop_pos: np.ndarray, cop_duty: np.ndarray, dx: np.ndarray, dy: np.ndarray, legitimacy: float,
    extra_hardship: float, threshold: float, k: float, use_round: bool, social_w: float, hesitancy: float,
    movement: bool,
) -> int:
    """:func:`tick` with its draws made from ``seed`` (:func:`fill_draws`), in one compiled call."""
    n = cit_pos.shape[0] + cop_pos.shape[0]
    order = np.empty(n, dtype=np.int64)
    u = np.empty((3, n), dtype=np.float64)
    jail = np.empty(n, dtype=np.int64)
    fill_draws(seed, order, u, jail, max_jail)
    return tick(width, height, cell, kind, cit_pos, cit_h, cit_r, cit_state, cit_jail, cop_pos, cop_duty, dx, dy,
                order, u[0], u[1], u[2], jail, legitimacy, extra_hardship, threshold, k, use_round, social_w,
                hesitancy, movement)
