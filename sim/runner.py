"""Run a scenario and collect its tables: the API behind ``regime-sim run``."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .model.model import RegimeModel
from .model.state import clock
from .scenario.schema import Scenario


@dataclass
class RunResult:
    """Everything one run produced: its measures and its tables."""

    scenario: Scenario
    seed: int
    measures: dict[str, Any]
    series: pd.DataFrame
    events: pd.DataFrame
    stances: pd.DataFrame
    units: pd.DataFrame
    track: pd.DataFrame
    wall_seconds: float
    steps: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def outcome(self) -> str:
        return self.measures["outcome"]

    def timeline(self, kinds: set[str] | None = None) -> list[str]:
        """Readable lines: 'day 1 06:00 - two units in Rostov-on-Don stand aside ...'."""
        out = []
        for row in self.events.itertuples(index=False):
            if kinds is None or row.kind in kinds:
                out.append(f"{clock(row.hour)} - {row.text}")
        return out


def run(scenario: Scenario, seed: int | None = None,
        on_step: Callable[[int, int], None] | None = None) -> RunResult:
    """Run ``scenario`` once (seed: the scenario's own unless given) and return the result.

    ``on_step(step, planned_steps)`` is called after every step (for a progress display).
    """
    t0 = time.perf_counter()
    model = RegimeModel(scenario, seed=seed)
    if on_step is None:
        model.run()
    else:
        planned = scenario.steps
        while model.running:  # what RegimeModel.run does, with a report after each step
            model.step()
            on_step(model.steps, planned)
    wall = time.perf_counter() - t0
    return collect(model, wall)


def collect(model: RegimeModel, wall: float) -> RunResult:
    events = pd.DataFrame(
        [vars(e) for e in model.log.entries], columns=["hour", "kind", "actor", "region", "text", "label"]
    )
    if not events.empty:
        events = events.sort_values("hour", kind="stable").reset_index(drop=True)
        events.insert(1, "clock", events["hour"].map(clock))
    units = pd.DataFrame([
        {"unit": u.key, "label": u.label, "institution": u.institution,
         "institution_label": model.spec.institutions[u.institution].label or u.institution,
         "kind": u.kind, "rank": u.rank,
         "home": u.home, "region": model.unit_region(u), "initial_strength": u.initial_strength,
         "strength": u.strength, "stance": u.stance_name, "side": u.side_id, "loyalty": u.loyalty,
         "pay": u.pay, "grievance": u.grievance, "fear": u.fear, "counterweight": u.counterweight,
         "plot": model.sides[u.plot].id if u.plot is not None else ""}
        for u in model.units
    ])
    stances = pd.DataFrame(model.stance_changes, columns=[
        "hour", "unit", "label", "institution", "region", "from", "to", "from_side", "to_side", "strength",
        "forecast", "followed", "challenge"])
    return RunResult(
        scenario=model.spec,
        seed=model.seed,
        measures=model.measures(),
        series=model.rows.frame(),
        events=events,
        stances=stances,
        units=units,
        track=pd.DataFrame(model.track, columns=["hour", "unit", "region", "stance", "strength", "lon", "lat",
                                                 "in_column"]),
        wall_seconds=wall,
        steps=model.steps,
    )
