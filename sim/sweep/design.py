"""A scenario's ``sweep:`` section: checking it, and the experimental designs it asks for."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..scenario.errors import ScenarioError, did_you_mean


def _field_kind(scn: Any, path: str) -> str:
    """'int', 'float', 'bool' or 'other' for the parameter at ``path`` (from its current value)."""
    from ..scenario.loader import value_at

    node = value_at(scn, path)
    if isinstance(node, bool):
        return "bool"
    if isinstance(node, int):
        return "int"
    if isinstance(node, float):
        return "float"
    return "other"


def check_sweep(scn: Any, raw: dict, fail: Callable[[str, tuple], None]) -> None:
    """Every swept path must exist, and every value the sweep can take must validate."""
    from ..scenario.loader import _dump_for_paths, set_path, validate_raw

    sw = scn.sweep
    if not sw.parameters:
        fail("a sweep needs at least one parameter", ("sweep", "parameters"))
    dump = _dump_for_paths(scn)
    base = copy.deepcopy(raw)
    base.pop("sweep", None)
    for path, spec in sw.parameters.items():
        where = ("sweep", "parameters", path)
        if (spec.range is None) == (spec.values is None):
            fail("give either 'range: [low, high]' or 'values: [...]'", where)
        try:
            set_path(copy.deepcopy(base), dump, path, None, "<sweep>")
        except ScenarioError as err:
            fail(f"unknown parameter path: {err.message.split(': ', 1)[-1]}", where)
        kind = _field_kind(scn, path)
        if spec.range is not None:
            lo, hi = spec.range
            if not lo < hi:
                fail(f"range low ({lo}) must be below high ({hi})", where + ("range",))
            if kind not in ("int", "float"):
                fail(f"a range needs a numeric parameter; '{path}' is {kind}: use 'values'", where)
            probes = [lo, hi]
        else:
            if not spec.values:
                fail("'values' must list at least one value", where + ("values",))
            probes = list(spec.values)
        for v in probes:
            trial = copy.deepcopy(base)
            value = int(v) if kind == "int" and isinstance(v, float) and v.is_integer() else v
            set_path(trial, dump, path, value, "<sweep>")
            try:
                validate_raw(trial, {}, "<sweep>")
            except ScenarioError as err:
                fail(f"value {v!r} is outside the parameter's domain: {err.message}", where)


def check_control(scn: Any, raw: dict, dump: dict, control: Any, fail: Callable[[str, tuple], None]) -> None:
    """A dashboard control must name an existing parameter; a slider needs min < max."""
    from ..scenario.loader import set_path

    where = ("controls", 0, "path")
    try:
        set_path(copy.deepcopy(raw), dump, control.path, None, "<controls>")
    except ScenarioError as err:
        fail(f"unknown parameter path: {err.message.split(': ', 1)[-1]}", where)
    kind = _field_kind(scn, control.path)
    if kind in ("int", "float"):
        if control.min is None or control.max is None or not control.min < control.max:
            fail(f"a slider for '{control.path}' needs min < max", ("controls", 0, "min"))
    elif kind != "bool":
        fail(f"'{control.path}' is {kind}: only numbers (sliders) and true/false (switches) can be controls",
             where)


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
        kind = spec.type or _field_kind(scn, path)
        if spec.values is not None:
            out.append(Factor(path, "categorical", values=tuple(spec.values)))
        elif kind == "int":
            out.append(Factor(path, "int", float(spec.range[0]), float(spec.range[1])))
        else:
            out.append(Factor(path, "float", float(spec.range[0]), float(spec.range[1])))
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
    lhs: ``samples`` Latin-hypercube points (scipy.stats.qmc).
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
        if design == "lhs":
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


DESIGNS = ("grid", "lhs", "sobol", "morris")


def expected_points(design: str, d: int, samples: int, levels_per_factor: list[int],
                    second_order: bool = False) -> int:
    """How many points a design has (SALib's rules for Sobol and Morris)."""
    if design == "grid":
        return int(np.prod(levels_per_factor))
    if design == "lhs":
        return samples
    if design == "sobol":
        return samples * (2 * d + 2 if second_order else d + 2)
    return samples * (d + 1)
