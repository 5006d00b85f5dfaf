"""Epstein's (2002) Model I on the project's compiled kernel, with Mesa's semantics.

This is the classic civil-violence model on its own - no regime, no units - so that the
population layer of the regime model can be checked against the published runs and against
Mesa's ``epstein_civil_violence`` example. It reuses :class:`sim.public.grid.RegionGrid`
(and through it :func:`sim.public.kernel.tick`): the same code that moves the regime model's
crowds.

What matches Mesa's example (mesa 3.5): cells are filled one by one, a citizen with
probability ``citizen_density``, else a cop with ``cop_density``; hardship and risk aversion
are U(0, 1); every tick all agents act once in a fresh random order; vision is the radius-r
von Neumann (|dx| + |dy| <= r) or Moore neighbourhood on a torus, centre excluded; a citizen
counts herself among the actives and rounds C/A half to even; a jailed citizen keeps her
cell; a cop arrests one random active citizen he sees for randint(0, J) ticks; everybody
moves to a random empty cell within vision. One deliberate difference: grievance is
recomputed from the legitimacy of the current tick (Mesa fixes it at creation), so that a
legitimacy schedule has an effect.

All randomness comes from one ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ..public.grid import RegionGrid, TickParams

Neighbourhood = Literal["von_neumann", "moore"]
# A schedule gives a value for each tick t = 0, 1, ..., steps - 1 (the value in force while
# tick t is computed): a function of t, or a sequence with at least ``steps`` values.
Schedule = Callable[[int], float] | Sequence[float] | np.ndarray

SERIES_COLUMNS = ["tick", "quiet", "active", "jailed", "cops", "legitimacy", "arrests"]


@dataclass(frozen=True)
class EpsteinConfig:
    """Parameters of Model I; the defaults are those of Mesa's example (Epstein's Run 1 world).

    ``use_round`` applies Python's round() to C/A as Mesa and NetLogo do (Epstein's paper
    writes no rounding; without it there is no punctuated equilibrium). ``steps`` is the
    number of ticks :func:`run` computes.
    """

    width: int = 40
    height: int = 40
    citizen_density: float = 0.7
    cop_density: float = 0.074
    vision: int = 7
    neighbourhood: Neighbourhood = "von_neumann"
    legitimacy: float = 0.8
    max_jail_term: int = 1000
    active_threshold: float = 0.1
    k: float = 2.3
    use_round: bool = True
    movement: bool = True
    seed: int = 42
    steps: int = 1000

    def __post_init__(self) -> None:
        if self.width < 1 or self.height < 1:
            raise ValueError(f"width and height must be >= 1, got {self.width} x {self.height}")
        if self.vision < 1:
            raise ValueError(f"vision must be >= 1, got {self.vision}")
        # Below this the kernel's offsets wrap onto the same cell twice (or onto the centre),
        # whereas Mesa's neighbourhood is a set of distinct cells: refuse rather than differ.
        if min(self.width, self.height) < 2 * self.vision + 1:
            raise ValueError(f"the grid must be at least 2 * vision + 1 = {2 * self.vision + 1} cells "
                             f"wide and high, got {self.width} x {self.height}")
        if self.neighbourhood not in ("von_neumann", "moore"):
            raise ValueError(f"neighbourhood must be 'von_neumann' or 'moore', got {self.neighbourhood!r}")
        for name in ("citizen_density", "cop_density", "legitimacy"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value}")
        if self.citizen_density + self.cop_density > 1.0:
            raise ValueError("citizen_density + cop_density must be <= 1")
        if self.max_jail_term < 0 or self.steps < 0 or self.seed < 0:
            raise ValueError("max_jail_term, steps and seed must be >= 0")

    def replace(self, **changes: object) -> EpsteinConfig:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


# Epstein (2002), Run 2 ("punctuated equilibrium"): vision 7, L = 0.82, J_max = 30, cop
# density 0.04, on the 40 x 40 world with citizen density 0.7.
RUN2 = {"vision": 7, "legitimacy": 0.82, "max_jail_term": 30, "cop_density": 0.04}


def run2_config(**changes: object) -> EpsteinConfig:
    """The configuration of Epstein's Run 2, with optional changes (e.g. ``seed``, ``steps``)."""
    return EpsteinConfig(**{**RUN2, **changes})


# ---------------------------------------------------------------------------- schedules
def sudden_drop(before: float, after: float, at: int) -> Callable[[int], float]:
    """``before`` until tick ``at``, then ``after``: a one-step change."""
    return lambda t: before if t < at else after


def linear_ramp(start: float, end: float, t0: int, t1: int) -> Callable[[int], float]:
    """``start`` until ``t0``, then a straight line to ``end`` at ``t1``, then ``end``."""
    if t1 <= t0:
        return sudden_drop(start, end, t0)
    return lambda t: start + (end - start) * min(1.0, max(0.0, (t - t0) / (t1 - t0)))


def schedule_values(schedule: Schedule, steps: int) -> np.ndarray:
    """The schedule's value at each tick 0..steps-1, as a float array."""
    if callable(schedule):
        return np.array([float(schedule(t)) for t in range(steps)], dtype=float)
    values = np.asarray(schedule, dtype=float)
    if values.ndim != 1 or values.size < steps:
        raise ValueError(f"a schedule needs at least {steps} values (one per tick), got shape {values.shape}")
    return values[:steps].copy()


# ---------------------------------------------------------------------------- the model
class EpsteinModel:
    """One world of Model I: build it, then :meth:`step` or :meth:`run`.

    ``legitimacy`` (values in [0, 1]) and ``cops`` (numbers >= 0, rounded to whole cops) are
    optional schedules over ticks; without them legitimacy is ``config.legitimacy`` and the
    cops are those placed at the start. When the cop schedule asks for a different number,
    cops are added on random empty cells or removed at random (``RegionGrid.set_cops``).
    Stepping past the end of a schedule keeps its last value.
    """

    def __init__(self, config: EpsteinConfig, legitimacy: Schedule | None = None,
                 cops: Schedule | None = None) -> None:
        self.config = config
        self.rng = np.random.default_rng(config.seed)
        self.grid = RegionGrid.populate(
            self.rng, config.width, config.height, config.citizen_density, config.cop_density,
            config.vision, config.neighbourhood,
        )
        self.params = TickParams(
            legitimacy=config.legitimacy, threshold=config.active_threshold, k=config.k,
            use_round=config.use_round, max_jail=config.max_jail_term, movement=config.movement,
        )
        self._legitimacy = None if legitimacy is None else schedule_values(legitimacy, config.steps)
        if self._legitimacy is not None and not np.all((self._legitimacy >= 0) & (self._legitimacy <= 1)):
            raise ValueError("legitimacy schedule values must be in [0, 1]")
        self._cops = None if cops is None else np.rint(schedule_values(cops, config.steps))
        if self._cops is not None and not np.all(self._cops >= 0):
            raise ValueError("cop schedule values must be >= 0")
        self.tick = 0
        self.last_arrests = 0

    def counts(self) -> tuple[int, int, int]:
        """(quiet, active, jailed) citizens now."""
        quiet, active, jailed, _ = self.grid.counts()
        return quiet, active, jailed

    def n_cops(self) -> int:
        """Cops on the grid now."""
        return self.grid.cops()[0]

    def step(self) -> None:
        """Apply this tick's schedules, then let every agent act once in random order."""
        t = self.tick
        if self._legitimacy is not None and t < self._legitimacy.size:
            self.params.legitimacy = float(self._legitimacy[t])
        if self._cops is not None and t < self._cops.size:
            want = int(self._cops[t])
            if want != self.n_cops():
                self.grid.set_cops(self.rng, on=want, off=0)
        self.last_arrests = self.grid.step(self.rng, self.params)
        self.tick += 1

    def run(self) -> pd.DataFrame:
        """Run ``config.steps`` ticks; return one row per tick, tick 0 being the start.

        Columns: tick, quiet, active, jailed, cops, legitimacy (in force during the tick
        that led to the row), arrests (made during that tick).
        """
        n = self.config.steps + 1
        out = np.zeros((n, len(SERIES_COLUMNS)), dtype=float)
        out[0] = (0, *self.counts(), self.n_cops(), self.params.legitimacy, 0)
        for r in range(1, n):
            self.step()
            out[r] = (self.tick, *self.counts(), self.n_cops(), self.params.legitimacy, self.last_arrests)
        frame = pd.DataFrame(out, columns=SERIES_COLUMNS)
        ints = [c for c in SERIES_COLUMNS if c != "legitimacy"]
        frame[ints] = frame[ints].astype(np.int64)
        return frame


def run(config: EpsteinConfig, legitimacy: Schedule | None = None, cops: Schedule | None = None) -> pd.DataFrame:
    """Run Model I for ``config.steps`` ticks and return its time series (see :meth:`EpsteinModel.run`)."""
    return EpsteinModel(config, legitimacy=legitimacy, cops=cops).run()


# ---------------------------------------------------------------------------- measures
def outbursts(active: np.ndarray, level: int = 50) -> list[tuple[int, int, int]]:
    """Maximal runs of ticks with more than ``level`` actives: (first index, length, peak)."""
    above = np.asarray(active) > level
    runs = []
    t = 0
    while t < above.size:
        if above[t]:
            start = t
            while t < above.size and above[t]:
                t += 1
            runs.append((start, t - start, int(np.max(active[start:t]))))
        else:
            t += 1
    return runs
