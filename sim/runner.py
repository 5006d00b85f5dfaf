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


#: the columns of a run's event log (``events.csv``)
EVENT_COLUMNS = ["hour", "kind", "actor", "region", "text", "label"]


def end_of_hour(hour: float, kind: str, step_hours: float) -> float:
    """The hour a log entry is shown at: the end of the step in which it happened.

    The model logs what happens during the step from ``h`` to ``h + dt`` at ``h`` and records
    the state after it at ``h + dt`` (the outcome it already logs at ``h + dt``). Shown at ``h``,
    "the column reaches Voronezh, 485 km" stood beside a map row of hour ``h`` with the column
    still 530 km out; shown at ``h + dt``, the log, the series, the track and the map agree at
    every hour (issue 13, "one clock").
    """
    return hour if kind == "outcome" else hour + step_hours


def event_log(model: RegimeModel) -> pd.DataFrame:
    """The model's log as a table on the clock of the recorded state (:func:`end_of_hour`)."""
    dt = model.dt
    return pd.DataFrame(
        [{**vars(e), "hour": end_of_hour(e.hour, e.kind, dt)} for e in model.log.entries], columns=EVENT_COLUMNS
    )


#: the columns of a run's track (``track.csv``): one row per unit per recorded hour
TRACK_COLUMNS = ["hour", "unit", "region", "stance", "strength", "lon", "lat", "in_column"]


#: from this many rows the track is built through Arrow (faster on long tracks; on short ones
#: its fixed cost, about 0.3 ms, is more than it saves)
ARROW_ROWS = 4_000


def track_frame(rows: list[tuple]) -> pd.DataFrame:
    """The track as a table, the same as ``pd.DataFrame(rows, columns=TRACK_COLUMNS)`` gives it.
    A long one is built through Arrow a column at a time: a run's longest table (a row per unit
    per hour; a default baseline run, 25,000 rows), which pandas builds row by row in 8-15 ms,
    a tenth of the run; through Arrow 5-7 ms."""
    if not rows or len(rows) < ARROW_ROWS:  # no rows: no columns to infer types from, as pandas makes it
        return pd.DataFrame(rows, columns=TRACK_COLUMNS)
    import pyarrow as pa

    return pa.table(dict(zip(TRACK_COLUMNS, map(pa.array, zip(*rows, strict=True)), strict=True))).to_pandas()


def collect(model: RegimeModel, wall: float) -> RunResult:
    events = event_log(model)
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
    # a change of stance, like a log entry, shows in the state recorded at the end of its step
    stances = pd.DataFrame([{**c, "hour": c["hour"] + model.dt} for c in model.stance_changes], columns=[
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
        track=track_frame(model.track),
        wall_seconds=wall,
        steps=model.steps,
    )
