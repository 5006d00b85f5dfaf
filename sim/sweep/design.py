"""The experimental designs a scenario's ``sweep:`` section asks for (grid, LHS, Sobol, Morris).

The section itself is checked with the rest of the file, in ``sim/scenario/loader.py``."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..scenario.errors import ScenarioError, did_you_mean
from ..scenario.loader import field_kind

# ============================================================================ designs
DUMMY_PREFIX = "dummy"  # a parameter path starting with this is sampled but never applied


@dataclass(frozen=True)
class Factor:
    """One swept parameter: a numeric range (float or int) or a list of values."""

    path: str
    kind: str  # "float" | "int" | "categorical"
    low: float | None = None
    high: float | None = None
    values: tuple = ()
    #: the concrete paths the value is set at, when ``path`` names many (``units.*.fear``)
    targets: tuple[str, ...] = ()

    @property
    def paths(self) -> tuple[str, ...]:
        """Where a drawn value goes: the targets, or the path itself."""
        return self.targets or (self.path,)

    @property
    def is_dummy(self) -> bool:
        return self.path.startswith(DUMMY_PREFIX)

    def from_unit(self, u: np.ndarray) -> list:
        """Map numbers in [0, 1] onto this factor's domain."""
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if self.kind == "categorical":
            idx = np.minimum((u * len(self.values)).astype(int), len(self.values) - 1)
            return [self.values[i] for i in idx]
        x = self.low + u * (self.high - self.low)
        if self.kind == "int":
            return [int(v) for v in np.rint(x)]
        return [float(v) for v in x]

    def grid(self, levels: int) -> list:
        if self.kind == "categorical":
            return list(self.values)
        if self.kind == "int":
            return sorted({int(v) for v in np.rint(np.linspace(self.low, self.high, levels))})
        return [float(v) for v in np.linspace(self.low, self.high, levels)]


def factors(scn: Any) -> list[Factor]:
    """The swept parameters of a scenario's ``sweep:`` section, typed from the schema."""
    out = []
    for path, spec in scn.sweep.parameters.items():
        if path.startswith(DUMMY_PREFIX):
            lo, hi = spec.range or (0.0, 1.0)
            out.append(Factor(path, "float", float(lo), float(hi)))
            continue
        kind = spec.type or field_kind(scn, path)
        if spec.values is not None:
            out.append(Factor(path, "categorical", values=tuple(spec.values)))
        elif kind == "int":
            out.append(Factor(path, "int", float(spec.range[0]), float(spec.range[1])))
        else:
            out.append(Factor(path, "float", float(spec.range[0]), float(spec.range[1])))
    return out


# ============================================================================ priors
#: sections whose assumed defaults a priors design draws only when the scenario switches them on
_OPTIONAL = ("mediator", "sponsor")
#: mappings of entries: a drawn value goes to every entry that does not state the field itself
_MAPPINGS = ("regions", "institutions", "units", "challengers")


def priors_factors(scn: Any, raw: dict) -> list[Factor]:
    """One factor per assumed default the scenario relies on, over its assumed range
    (``sim.scenario.schema.assumed_parameters``).

    What counts as relied on: a field of a section (``ruler``, ``elites``, ``public``, and
    ``mediator``/``sponsor`` when enabled) that the scenario file (with its base and ``--set``)
    does not state; for ``regions``, ``institutions``, ``units`` and enabled ``challengers``, a
    field that at least one entry leaves to its default - the factor is named ``units.*.fear``
    and its drawn value is set at every such entry (``Factor.targets``), because the assumption
    is the default's, shared by the entries that use it. Values the scenario states are its
    premise and are not drawn; so are its events (what happens is the scenario's question).
    """
    from ..scenario.schema import assumed_parameters

    out: list[Factor] = []
    for p in assumed_parameters():
        head, *rest = p.path.split(".")
        if "[" in head or len(rest) not in (1, 2):
            continue  # events, sweep settings
        kind = "int" if p.integer else "float"
        if head in _MAPPINGS and rest[0] == "<id>":
            entries = getattr(scn, head)
            given = raw.get(head) or {}
            targets = tuple(
                f"{head}.{key}.{p.name}" for key in sorted(entries)
                if p.name not in (given.get(key) or {})
                and (head != "challengers" or entries[key].enabled))
            if targets:
                out.append(Factor(f"{head}.*.{p.name}", kind, p.low, p.high, targets=targets))
        elif len(rest) == 1 and hasattr(scn, head):
            section = raw.get(head) or {}
            if head in _OPTIONAL and not getattr(scn, head).enabled:
                continue
            if p.name not in section:
                out.append(Factor(p.path, kind, p.low, p.high))
    return out


def salib_problem(fs: list[Factor]) -> dict:
    """SALib's plain-data problem. Categorical factors are sampled on [0, 1] and mapped."""
    return {
        "num_vars": len(fs),
        "names": [f.path for f in fs],
        "bounds": [[f.low, f.high] if f.kind != "categorical" else [0.0, 1.0] for f in fs],
    }


def _unit(fs: list[Factor], X: np.ndarray) -> np.ndarray:
    """SALib samples in factor units -> [0, 1] (so the same mapping applies to every design)."""
    U = np.empty_like(X, dtype=float)
    for j, f in enumerate(fs):
        if f.kind == "categorical":
            U[:, j] = X[:, j]
        else:
            U[:, j] = (X[:, j] - f.low) / (f.high - f.low)
    return U


def generate(design: str, fs: list[Factor], *, samples: int, levels: int, seed: int,
             second_order: bool = False, morris_levels: int = 4) -> pd.DataFrame:
    """The design points: one row per point, one column per factor path (plus ``point``).

    grid: the full factorial of each factor's levels (ranges: ``levels`` evenly spaced values).
    lhs: ``samples`` Latin-hypercube points (scipy.stats.qmc); priors: the same over the
    assumed ranges (:func:`priors_factors`).
    sobol: Saltelli's scheme for Sobol indices (SALib): N (2D + 2) points, N (D + 2) without
    second order, N = ``samples`` a power of two.
    morris: ``samples`` trajectories of D + 1 points each (SALib), ``morris_levels`` levels.
    """
    if not fs:
        raise ScenarioError("a sweep needs at least one parameter")
    if design == "grid":
        rows = list(itertools.product(*(f.grid(levels) for f in fs)))
        data = {f.path: [r[j] for r in rows] for j, f in enumerate(fs)}
    else:
        if design in ("lhs", "priors"):
            from scipy.stats import qmc

            U = qmc.LatinHypercube(d=len(fs), seed=np.random.default_rng(seed)).random(samples)
        elif design == "sobol":
            from SALib.sample import sobol as sobol_sample

            if samples & (samples - 1):
                raise ScenarioError(f"a Sobol design needs 'samples' to be a power of two, got {samples}",
                                    field="sweep.samples")
            X = sobol_sample.sample(salib_problem(fs), samples, calc_second_order=second_order, seed=seed)
            U = _unit(fs, X)
        elif design == "morris":
            from SALib.sample import morris as morris_sample

            X = morris_sample.sample(salib_problem(fs), samples, num_levels=morris_levels, seed=seed)
            U = _unit(fs, X)
        else:
            raise ScenarioError(f"unknown design '{design}'{did_you_mean(design, DESIGNS)}", field="sweep.design")
        data = {f.path: f.from_unit(U[:, j]) for j, f in enumerate(fs)}
    df = pd.DataFrame(data)
    df.insert(0, "point", np.arange(len(df), dtype=np.int64))
    return df


DESIGNS = ("grid", "lhs", "sobol", "morris", "priors")


def expected_points(design: str, d: int, samples: int, levels_per_factor: list[int],
                    second_order: bool = False) -> int:
    """How many points a design has (SALib's rules for Sobol and Morris)."""
    if design == "grid":
        return int(np.prod(levels_per_factor))
    if design in ("lhs", "priors"):
        return samples
    if design == "sobol":
        return samples * (2 * d + 2 if second_order else d + 2)
    return samples * (d + 1)
