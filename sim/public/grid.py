"""A region's population on a torus grid: the state the compiled kernel advances."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .kernel import (
    ACTIVE,
    COP_ABSENT,
    COP_OFF,
    COP_ON,
    EMPTY,
    JAILED,
    K_EMPTY,
    QUIET,
    REMOVED,
    cell_kinds,
    lay_out,
    offsets,
    state_counts,
    tick_seeded,
)


@dataclass
class TickParams:
    """What the kernel needs besides the grid; defaults are Epstein's Model I."""

    legitimacy: float = 0.82
    threshold: float = 0.1
    k: float = 2.3
    use_round: bool = True
    social_w: float = 0.0
    hesitancy: float = 0.0
    extra_hardship: float = 0.0
    max_jail: int = 30
    movement: bool = True
    still_when_calm: bool = False  # Epstein's model: everyone moves every tick (see kernel.calm)


@dataclass
class RegionGrid:
    """Citizens and policemen of one region on a ``width`` x ``height`` torus."""

    width: int
    height: int
    cell: np.ndarray
    kind: np.ndarray
    cit_pos: np.ndarray
    cit_h: np.ndarray
    cit_r: np.ndarray
    cit_state: np.ndarray
    cit_jail: np.ndarray
    cop_pos: np.ndarray
    cop_duty: np.ndarray
    dx: np.ndarray
    dy: np.ndarray
    arrests_total: int = 0
    _scratch: dict = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ construction
    @classmethod
    def populate(
        cls,
        rng: np.random.Generator,
        width: int,
        height: int,
        citizen_density: float,
        cop_density: float,
        vision: int,
        neighbourhood: str = "von_neumann",
        hardship_mean: float = 0.5,
        cop_capacity: int | None = None,
    ) -> RegionGrid:
        """Fill cells in order: citizen with ``citizen_density``, cop with ``cop_density``.

        Hardship is Beta-distributed with the given mean and concentration 2, which is
        U(0, 1) at mean 0.5 (Epstein's setting). Risk aversion is U(0, 1).
        """
        cell, cit_pos, cop_pos, cop_duty = lay_out(rng.random(width * height), float(citizen_density),
                                                   float(cop_density), int(cop_capacity or 0))
        n_cit = cit_pos.size
        if abs(hardship_mean - 0.5) < 1e-12:
            h = rng.random(n_cit)
        else:
            a = 2.0 * hardship_mean
            h = rng.beta(a, 2.0 - a, n_cit)
        r = rng.random(n_cit)
        cit_state = np.zeros(n_cit, dtype=np.int8)
        dx, dy = offsets(vision, neighbourhood)
        return cls(
            width=width,
            height=height,
            cell=cell,
            kind=cell_kinds(cell.size, cit_pos, cit_state, cop_pos, cop_duty),
            cit_pos=cit_pos,
            cit_h=h,
            cit_r=r,
            cit_state=cit_state,
            cit_jail=np.zeros(n_cit, dtype=np.int64),
            cop_pos=cop_pos,
            cop_duty=cop_duty,
            dx=dx,
            dy=dy,
        )

    def rebuild_kind(self) -> None:
        """Recompute each cell's kind from its occupant (after changes made from Python)."""
        self.kind = cell_kinds(self.cell.size, self.cit_pos, self.cit_state, self.cop_pos, self.cop_duty)

    # ------------------------------------------------------------------ stepping
    def step(self, rng: np.random.Generator, p: TickParams) -> int:
        """One tick of sequential random activation; returns arrests made. Its draws come from
        one raw 64-bit output of ``rng``'s bit generator (see kernel.tick_seeded)."""
        made = tick_seeded(
            np.uint64(rng.bit_generator.random_raw()), int(p.max_jail),
            self.width, self.height, self.cell, self.kind, self.cit_pos, self.cit_h, self.cit_r,
            self.cit_state, self.cit_jail, self.cop_pos, self.cop_duty, self.dx, self.dy,
            float(p.legitimacy), float(p.extra_hardship), float(p.threshold), float(p.k),
            bool(p.use_round), float(p.social_w), float(p.hesitancy), bool(p.movement), bool(p.still_when_calm),
        )
        self.arrests_total += made
        return made

    # ------------------------------------------------------------------ counts
    def counts(self) -> tuple[int, int, int, int]:
        """(quiet, active, jailed, removed) citizens."""
        return state_counts(self.cit_state)

    @property
    def n_citizens(self) -> int:
        return int(self.cit_pos.size)

    @property
    def present(self) -> int:
        return int(np.count_nonzero(self.cit_state != REMOVED))

    def cops(self) -> tuple[int, int]:
        """(on duty, off duty) policemen on the grid."""
        return int(np.count_nonzero(self.cop_duty == COP_ON)), int(np.count_nonzero(self.cop_duty == COP_OFF))

    # ------------------------------------------------------------------ changes from outside
    def set_cops(self, rng: np.random.Generator, on: int, off: int) -> None:
        """Make the grid hold ``on`` policemen on duty and ``off`` off duty."""
        want = on + off
        present = np.flatnonzero(self.cop_duty != COP_ABSENT)
        if want > present.size:
            empty = np.flatnonzero(self.cell == EMPTY)
            absent = np.flatnonzero(self.cop_duty == COP_ABSENT)
            add = min(want - present.size, empty.size)
            if add > absent.size:  # grow capacity
                grow = add - absent.size
                self.cop_pos = np.concatenate([self.cop_pos, np.full(grow, -1, dtype=np.int64)])
                self.cop_duty = np.concatenate([self.cop_duty, np.full(grow, COP_ABSENT, dtype=np.int8)])
                absent = np.flatnonzero(self.cop_duty == COP_ABSENT)
            cells = rng.choice(empty, size=add, replace=False)
            j = absent[:add]  # distinct policemen to distinct cells: one assignment each
            self.cop_pos[j] = cells
            self.cop_duty[j] = COP_OFF
            self.cell[cells] = -2 - j
        elif want < present.size:
            drop = rng.choice(present, size=present.size - want, replace=False)
            self.cell[self.cop_pos[drop]] = EMPTY
            self.cop_pos[drop] = -1
            self.cop_duty[drop] = COP_ABSENT
        present = np.flatnonzero(self.cop_duty != COP_ABSENT)
        self.cop_duty[present] = COP_OFF
        self.cop_duty[present[: min(on, present.size)]] = COP_ON
        self.rebuild_kind()

    def remove_citizens(self, rng: np.random.Generator, k: int, weights: np.ndarray | None) -> int:
        """Take ``k`` quiet citizens off the grid (emigrated, mobilized), chosen by weight."""
        quiet = np.flatnonzero(self.cit_state == QUIET)
        k = min(k, quiet.size)
        if k <= 0:
            return 0
        if weights is None:
            pick = rng.choice(quiet, size=k, replace=False)
        else:
            w = np.asarray(weights, dtype=float)[quiet]
            total = w.sum()
            pick = rng.choice(quiet, size=k, replace=False, p=w / total) if total > 0 else rng.choice(quiet, size=k, replace=False)
        self.cell[self.cit_pos[pick]] = EMPTY
        self.cit_pos[pick] = -1
        self.cit_state[pick] = REMOVED
        self.kind[self.cell == EMPTY] = K_EMPTY
        return int(k)

    def check(self) -> None:
        """Invariants: every present agent is on exactly the cell that names it."""
        on_grid = self.cell[self.cell != EMPTY]
        assert on_grid.size == np.unique(on_grid).size
        live = np.flatnonzero(self.cit_state != REMOVED)
        assert np.all(self.cell[self.cit_pos[live]] == live)
        cops = np.flatnonzero(self.cop_duty != COP_ABSENT)
        assert np.all(self.cell[self.cop_pos[cops]] == -2 - cops)
        assert on_grid.size == live.size + cops.size
        kind = self.kind.copy()
        self.rebuild_kind()
        assert np.array_equal(kind, self.kind)


__all__ = ["RegionGrid", "TickParams", "QUIET", "ACTIVE", "JAILED", "REMOVED", "COP_ON", "COP_OFF"]
