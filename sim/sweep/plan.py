"""A sweep plan: the resolved scenario, the design points, the replications and every run's seed.

Seeds come from one master seed through ``numpy.random.SeedSequence``: run ``i`` gets the
child ``SeedSequence(master, spawn_key=(i,))`` (what ``SeedSequence(master).spawn(n)[i]``
returns), so a run's seed depends on nothing but the master seed and its index - not on the
number of workers or the order in which runs finish.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..scenario.loader import load_scenario_with_raw
from ..scenario.schema import Scenario
from .design import DUMMY_PREFIX, Factor, factors, generate

#: per-run series kept in sweeps (thinned): the measures a fan chart needs
SERIES_VARS = ("regime_strength", "legitimacy", "protest_share", "defected_strength", "emigrated",
               "mobilized", "casualties", "column_km_to_capital")


def seed_for(master: int, run_id: int) -> int:
    """The seed of run ``run_id``: a 63-bit integer from the master seed's child sequence."""
    state = np.random.SeedSequence(master, spawn_key=(run_id,)).generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(1))


@dataclass(frozen=True)
class RunSpec:
    run_id: int
    point: int
    replication: int
    seed: int


@dataclass
class SweepPlan:
    name: str
    source: str
    scenario: Scenario
    raw: dict
    factors: list[Factor]
    design_name: str
    design: pd.DataFrame
    replications: int
    master_seed: int
    series_every_hours: float
    series_vars: list[str]
    extra: dict = field(default_factory=dict)
    # each design point's values, read from the design once a point, not once a run
    _point_values: dict[int, dict[str, Any]] = field(default_factory=dict, init=False, repr=False, compare=False)

    @functools.cached_property  # the manifest, written after every batch, names each one
    def labels(self) -> dict[str, str]:
        """Each swept path's name in words: the sweep's ``label:``, else from the schema."""
        from ..scenario.loader import param_label

        given = self.scenario.sweep.parameters if self.scenario.sweep is not None else {}
        return {f.path: param_label(self.scenario, f.path, given[f.path].label if f.path in given else "")
                for f in self.factors}

    @property
    def n_points(self) -> int:
        return len(self.design)

    @property
    def n_runs(self) -> int:
        return self.n_points * self.replications

    # computed once: the sweep's process writes the manifest (which names both) after every
    # batch, and dumping the scenario as YAML took most of that process's time
    @functools.cached_property
    def scenario_text(self) -> str:
        return yaml.safe_dump(self.raw, sort_keys=True, allow_unicode=True)

    @functools.cached_property
    def hash(self) -> str:
        """Identity of the sweep: resuming into a folder with another hash is refused."""
        payload = json.dumps({
            "scenario": self.scenario_text,
            "design": self.design.to_dict(orient="list"),
            "design_name": self.design_name,
            "replications": self.replications,
            "master_seed": self.master_seed,
            "series_every_hours": self.series_every_hours,
            "series_vars": self.series_vars,
        }, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()

    def runs(self) -> Iterator[RunSpec]:
        for point in range(self.n_points):
            for rep in range(self.replications):
                run_id = point * self.replications + rep
                yield RunSpec(run_id, point, rep, seed_for(self.master_seed, run_id))

    def overrides(self, point: int) -> dict[str, Any]:
        """The values design point ``point`` sets, by path (a fresh dict each call)."""
        if point not in self._point_values:
            self._point_values[point] = self._overrides_of(point)
        return dict(self._point_values[point])

    def _overrides_of(self, point: int) -> dict[str, Any]:
        row = self.design.iloc[point]
        out = {}
        for f in self.factors:
            if f.path.startswith(DUMMY_PREFIX):
                continue
            v = row[f.path]
            for target in f.paths:  # a priors factor (``units.*.fear``) sets every entry it stands for
                out[target] = v.item() if hasattr(v, "item") else v
        return out


def default_thinning(scn: Scenario) -> float:
    """Keep about 200 points per run's series unless the sweep says otherwise."""
    horizon = scn.time.horizon_days * 24.0
    step = max(scn.outputs.series_every_hours, math.ceil(horizon / 200.0))
    return float(step)


def build_plan(path: str | Path, sets: list[str] | None = None, *, design: str | None = None,
               samples: int | None = None, replications: int | None = None, seed: int | None = None,
               extra_parameters: dict[str, dict] | None = None, second_order: bool = False) -> SweepPlan:
    """Resolve the scenario (with ``--set`` overrides) and its ``sweep:`` section into a plan."""
    from ..scenario.errors import ScenarioError

    scn, raw, _ = load_scenario_with_raw(path, sets or [])
    if design == "priors":
        return _priors_plan(path, scn, raw, samples=samples, replications=replications, seed=seed)
    if scn.sweep is None:
        raise ScenarioError("the scenario has no 'sweep:' section to run", file=str(path), field="sweep")
    sw = scn.sweep
    if extra_parameters:
        from ..scenario.schema import SweepParam

        params = dict(sw.parameters)
        params.update({k: SweepParam(**v) for k, v in extra_parameters.items()})
        sw = sw.model_copy(update={"parameters": params})
        scn = scn.model_copy(update={"sweep": sw})
    name = design or sw.design
    fs = factors(scn)
    points = generate(name, fs, samples=samples or sw.samples, levels=sw.levels,
                      seed=sw.seed if seed is None else seed, second_order=second_order)
    thin = sw.series_every_hours or default_thinning(scn)
    present = sorted({u.institution for u in scn.units.values()})
    series_vars = list(SERIES_VARS) + [f"protest__{scn.capital}"] + [f"loyalty__{i}" for i in present]
    return SweepPlan(
        name=scn.name, source=str(path), scenario=scn, raw=raw, factors=fs, design_name=name,
        design=points, replications=replications or sw.replications,
        master_seed=sw.seed if seed is None else seed, series_every_hours=thin, series_vars=series_vars,
        extra={"second_order": second_order},
    )


#: a priors sweep's size when the command line does not give it
PRIORS_SAMPLES = 64
PRIORS_REPLICATIONS = 4


def _priors_plan(path: str | Path, scn: Scenario, raw: dict, *, samples: int | None, replications: int | None,
                 seed: int | None) -> SweepPlan:
    """A Latin hypercube over the assumed ranges of every default the scenario relies on
    (:func:`sim.sweep.design.priors_factors`), each point replicated with its own seeds: outcome
    probabilities that carry parameter uncertainty, not only seed noise. The scenario needs no
    ``sweep:`` section; its question and answer outcome are used when it has one."""
    from ..scenario.errors import ScenarioError
    from ..scenario.schema import SweepSpec
    from .design import priors_factors

    fs = priors_factors(scn, raw)
    if not fs:
        raise ScenarioError("the scenario states every assumed parameter itself: a priors design has nothing to draw",
                            file=str(path), field="--design")
    for name, value in (("--samples", samples), ("--reps", replications)):
        if value is not None and value < 1:
            raise ScenarioError(f"{name} must be at least 1, got {value}", field=name)
    old = scn.sweep
    master = seed if seed is not None else (old.seed if old else SweepSpec.model_fields["seed"].default)
    n = samples or PRIORS_SAMPLES
    points = generate("priors", fs, samples=n, levels=2, seed=master)
    question = (old.question if old and old.question else
                f"What does {scn.name} give when every assumed parameter is drawn from its range?")
    sw = SweepSpec(question=question, answer_outcome=old.answer_outcome if old else None,
                   answer_measure=old.answer_measure if old else None, design="lhs",
                   parameters={f.path: {"range": (f.low, f.high)} for f in fs},
                   replications=replications or PRIORS_REPLICATIONS, samples=n, seed=master)
    scn = scn.model_copy(update={"sweep": sw})
    thin = (old.series_every_hours if old else None) or default_thinning(scn)
    present = sorted({u.institution for u in scn.units.values()})
    series_vars = list(SERIES_VARS) + [f"protest__{scn.capital}"] + [f"loyalty__{i}" for i in present]
    return SweepPlan(
        name=scn.name, source=str(path), scenario=scn, raw=raw, factors=fs, design_name="priors",
        design=points, replications=sw.replications, master_seed=master, series_every_hours=thin,
        series_vars=series_vars, extra={"priors": True},
    )
