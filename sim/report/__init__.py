"""Figures and a one-page report for a results folder.

:func:`load_run` reads a run's folder back (tables, measures, manifest, the resolved
scenario) into a :class:`RunFolder`; :func:`figures` names every figure of a run with the
function that draws it, so ``regime-sim plot`` (files) and ``regime-sim report`` (one HTML
page) draw the same things. Sweep folders get theirs from ``sim/plots/sweep.py`` and their
page from ``sweep_html.py``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..scenario.errors import ScenarioError

if TYPE_CHECKING:  # kept out of the CLI's start-up: every command imports this package
    import pandas as pd
    from matplotlib.figure import Figure

    from ..scenario.schema import Scenario


#: what a run folder must hold to be drawn and reported (``sim/output.py: write_run``)
RUN_FILES = ("series.parquet", "events.csv", "stances.csv", "units.csv", "track.parquet", "measures.json",
             "scenario.yaml")
#: what marks a sweep folder
SWEEP_FILES = ("runs.parquet", "summary.csv")


@dataclass
class RunFolder:
    """One run's tables and context, as the figures and the report need them."""

    scenario: Scenario
    raw: dict[str, Any]  # the resolved scenario mapping (regions with pos, routes, ...)
    seed: int
    measures: dict[str, Any]
    series: pd.DataFrame
    events: pd.DataFrame
    stances: pd.DataFrame
    units: pd.DataFrame
    track: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def name(self) -> str:
        return self.scenario.title or self.scenario.name

    @property
    def title(self) -> str:
        """Figure title: scenario, seed and outcome (as the timeline in ``write_run``)."""
        return f"{self.name} (seed {self.seed}): {self.measures.get('outcome_label', '')}"

    @property
    def ending(self) -> str:
        """The outcome in words, for the last frame of the map."""
        return f"{self.measures.get('outcome_label', '')} - {self.measures.get('outcome_reason', '')}"

    @property
    def overrides(self) -> list[str]:
        return list(self.manifest.get("overrides", []))

    @classmethod
    def from_result(cls, result: Any, raw: dict[str, Any], manifest: dict[str, Any] | None = None) -> RunFolder:
        """From a :class:`sim.runner.RunResult` in memory (for ``write_run``)."""
        return cls(scenario=result.scenario, raw=raw, seed=result.seed, measures=result.measures,
                   series=result.series, events=result.events, stances=result.stances, units=result.units,
                   track=result.track, manifest=manifest or {})


def folder_kind(path: Path) -> str:
    """'run' or 'sweep'; a :class:`ScenarioError` for anything that is not a results folder."""
    where = str(path)
    if not path.exists():
        raise ScenarioError("no such folder", file=where)
    if not path.is_dir():
        raise ScenarioError("not a folder: give a results folder written by 'regime-sim run'", file=where)
    if any((path / f).exists() for f in SWEEP_FILES):
        return "sweep"
    missing = [f for f in RUN_FILES if not (path / f).exists()]
    if len(missing) == len(RUN_FILES):
        raise ScenarioError("not a results folder: no series.parquet, events.csv, scenario.yaml "
                            "(write one with 'regime-sim run SCENARIO --out DIR')", file=where)
    if missing:
        raise ScenarioError(f"incomplete results folder: {', '.join(missing)} missing", file=where)
    return "run"


def check_sweep_folder(path: Path) -> dict[str, Any]:
    """Read a finished sweep's manifest and check its tables open, before any figure is drawn;
    a :class:`ScenarioError` naming the file and what was expected if not. Returns the manifest."""
    import pyarrow.parquet as pq

    if not (path / "summary.parquet").is_file():
        raise ScenarioError("this sweep is not finished (no summary.parquet); finish it with --resume",
                            file=str(path))
    man_path = path / "manifest.json"
    if not man_path.is_file():
        raise ScenarioError("missing: a sweep's folder needs the manifest.json its sweep wrote", file=str(man_path))
    from ..scenario.yamlio import read_regular_file  # yaml: not at every command's start-up

    man = _read(man_path, lambda p: json.loads(read_regular_file(p, 50_000_000, "a JSON manifest")))
    if not isinstance(man, dict) or man.get("kind") != "sweep" or not isinstance(man.get("parameters"), list):
        raise ScenarioError("not a sweep's manifest: expected kind 'sweep' and its parameters", file=str(man_path))
    if man.get("status") != "done":
        raise ScenarioError(f"the sweep is not finished (status '{man.get('status')}'); finish it with --resume",
                            file=str(man_path), field="status")
    for name, need in (("runs.parquet", {"run_id", "point", "status"}), ("summary.parquet", {"point", "outcome"})):
        f = path / name
        if not f.is_file():
            raise ScenarioError("missing: a finished sweep writes it", file=str(f))
        names = set(_read(f, lambda p: pq.read_schema(p)).names)
        if need - names:
            raise ScenarioError(f"expected the columns {', '.join(sorted(need))}; missing "
                                f"{', '.join(sorted(need - names))}", file=str(f))
    return man


#: columns a run's events.csv must have (``sim/runner.py: collect``)
EVENT_COLUMNS = ("hour", "kind", "actor", "region", "text", "label")


def _check_columns(df: pd.DataFrame, path: Path, need: tuple[str, ...], numeric: tuple[str, ...] = ()) -> None:
    import pandas as pd

    missing = [c for c in need if c not in df.columns]
    if missing:
        raise ScenarioError(f"expected the columns {', '.join(need)}; missing {', '.join(missing)}", file=str(path))
    for c in numeric:
        if not pd.api.types.is_numeric_dtype(df[c]):
            raise ScenarioError(f"expected numbers in the column '{c}'", file=str(path), field=c)


def _read(path: Path, reader: Callable[[Path], Any]) -> Any:
    try:
        return reader(path)
    except ScenarioError:
        raise
    except (OSError, ValueError, json.JSONDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ScenarioError(f"cannot read this results file: {first}", file=str(path)) from None


def load_run(path: Path) -> RunFolder:
    """Read a run's results folder; :class:`ScenarioError` if it is not one."""
    import pandas as pd

    from ..scenario.loader import validate_raw
    from ..scenario.yamlio import read_yaml_file

    if folder_kind(path) != "run":
        raise ScenarioError("a sweep folder, not a single run", file=str(path))
    text_csv = {"keep_default_na": False}  # empty cells (no region, no label) stay ''
    raw, pos = read_yaml_file(path / "scenario.yaml")
    scenario = validate_raw(raw, pos, str(path / "scenario.yaml"))
    events = _read(path / "events.csv", lambda p: pd.read_csv(p, **text_csv))
    if not events.empty or len(events.columns):
        _check_columns(events, path / "events.csv", EVENT_COLUMNS, numeric=("hour",) if len(events) else ())
    manifest_path = path / "manifest.json"
    manifest = _read(manifest_path, lambda p: json.loads(p.read_text())) if manifest_path.exists() else {}
    return RunFolder(
        scenario=scenario,
        raw=raw,
        seed=int(manifest.get("seed", scenario.seed)),
        measures=_read(path / "measures.json", lambda p: json.loads(p.read_text())),
        series=_read(path / "series.parquet", pd.read_parquet),
        events=events,
        stances=_read(path / "stances.csv", lambda p: pd.read_csv(p, **text_csv)),
        units=_read(path / "units.csv", lambda p: pd.read_csv(p, **text_csv)),
        track=_read(path / "track.parquet", pd.read_parquet),
        manifest=manifest,
        path=path,
    )


def map_hour(run: RunFolder, at: str | float | None) -> float | None:
    """The hour ``--at`` asks the map for: a number of hours ("20", "36h", "1.5d") or a clock
    time ("day 3 03:00", as the log prints it); a :class:`ScenarioError` for a time that does
    not parse or lies past the run's end (a map of an hour the run never reached would show its
    last hour under a wrong title). ``None`` stays ``None`` (the turning point)."""
    if at is None:
        return None
    from ..model.state import clock
    from ..scenario.schema import parse_at

    text = str(at).strip()
    try:
        hour = float(text) if isinstance(at, int | float) else parse_at(float(text) if _is_number(text) else text)
    except ValueError as exc:
        raise ScenarioError(str(exc), file="<command line>", field="--at") from None
    last = float(run.series["hour"].max())
    if hour > last + 1e-9:
        raise ScenarioError(f"'{text}' is hour {hour:g}, past the end of this run at hour {last:g} ({clock(last)}); "
                            f"choose a time from 0 to {last:g}", file="<command line>", field="--at")
    return hour


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def figures(run: RunFolder, at: float | None = None) -> dict[str, Callable[[], Figure]]:
    """Every figure of a run, by file stem, with a function that draws it.

    ``at`` is the hour the map shows (default: :func:`sim.plots.map.key_hour`).
    """
    from ..plots.cascade import cascade_figure
    from ..plots.map import map_figure
    from ..plots.public import public_figure
    from ..plots.style import institution_labels
    from ..plots.timeline import timeline_figure

    short = f"{run.name} (seed {run.seed})"
    # every figure names (and colours) the institutions of the run alike
    labels = institution_labels(run.units)
    people = float(sum(r.population for r in run.scenario.regions.values()))
    return {
        "timeline": lambda: timeline_figure(run.series, run.events, run.title, run.scenario.capital, labels,
                                            people),
        "map": lambda: map_figure(run.raw, run.series, run.track, run.units, short, at, run.ending),
        "cascade": lambda: cascade_figure(run.stances, run.series, run.events, run.title, labels),
        "public": lambda: public_figure(run.raw, run.series, run.events, run.title),
    }


def draw_run_figures(run: RunFolder, out: Path, *, at: float | None = None, gif: bool = True,
                     on_figure: Callable[[str, list[str], float], None] | None = None,
                     on_frame: Callable[[int, int], None] | None = None) -> list[str]:
    """Save the timeline, the map, the public by region and the cascade (PNG and SVG) into
    ``out`` (in the active style, :func:`sim.plots.style.use`), and the animated map
    (``map.gif``) when ``gif``.
    Return the file names written.

    ``on_figure(name, paths, seconds)`` is called after each figure, ``on_frame(i, n)`` after
    each frame of the GIF.
    """
    from ..plots import style

    written: list[str] = []
    for name, draw in figures(run, at).items():
        t0 = time.perf_counter()
        paths = style.save(draw(), out / name)
        written += [Path(p).name for p in paths]
        if on_figure:
            on_figure(name, paths, time.perf_counter() - t0)
    if gif:
        written += write_run_gif(run, out, on_frame=on_frame)
    return written


def write_run_gif(run: RunFolder, out: Path, on_frame: Callable[[int, int], None] | None = None) -> list[str]:
    """Write the animated map ``map.gif`` into ``out``; ``on_frame(i, n)`` after each frame."""
    from ..plots.animate import write_gif

    path = write_gif(run.raw, run.series, run.track, run.units, f"{run.name} (seed {run.seed})",
                     out / "map.gif", ending=run.ending, on_frame=on_frame)
    return [Path(path).name]
