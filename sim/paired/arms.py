"""Running arms on common random numbers: each arm is a one-point sweep with the same seeds.

An arm is a complete scenario (a file with its ``--set``, or a rule switched off). Each runs as
a sweep of one design point and ``seeds`` replications into its own folder under the root, so
run ``i`` of every arm has the seed ``seed_for(master_seed, i)`` (``sim/sweep/plan.py``), and
every arm's folder is a finished sweep that ``regime-sim run --from-sweep ARM --run-id i``
replays. The arms share one pool of workers (``sim/sweep/execute.py``), so the pool starts
once, however many arms there are.

Root layout: ``paired.json`` (what was asked: the kind, the arms, the seeds; status), and one
sweep folder per arm (``<arm name>/``). Resuming skips the arms already done and resumes the
one that was interrupted; a folder made for other arms or seeds is refused.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..scenario.errors import ScenarioError

MANIFEST = "paired.json"


@dataclass(frozen=True)
class Arm:
    """One variant: ``name`` is its folder under the root (may hold one '/')."""

    name: str
    label: str
    raw: dict  # the resolved scenario mapping (base merged, --set applied)
    source: str  # where it came from, for the manifest


@dataclass
class ArmsResult:
    root: Path
    wall_seconds: float
    runs: int  # runs done in this call
    failed: int
    interrupted: bool = False
    error: str = ""
    arm_seconds: dict[str, float] = field(default_factory=dict)


def arm_from_file(name: str, label: str, file: str, sets: list[str] | None) -> Arm:
    """An arm from a scenario file (or bundled name) with ``--set`` overrides."""
    from ..scenario.loader import load_scenario_with_raw

    _, raw, _ = load_scenario_with_raw(file, sets or [])
    return Arm(name, label, strip(raw), file)


def strip(raw: dict) -> dict:
    """A scenario as one run sees it: the sweep and the dashboard's controls are not part of it."""
    return {k: v for k, v in raw.items() if k not in ("sweep", "controls")}


def arm_plan(arm: Arm, seeds: int, master_seed: int, series: bool):
    """The one-point sweep plan of an arm (``seeds`` replications, seeds from ``master_seed``)."""
    from ..scenario.loader import validate_raw
    from ..sweep.plan import SERIES_VARS, SweepPlan, default_thinning

    scn = validate_raw(arm.raw, {}, arm.source)
    present = sorted({u.institution for u in scn.units.values()})
    series_vars = ([*SERIES_VARS, f"protest__{scn.capital}", *[f"loyalty__{i}" for i in present]]
                   if series else [])
    return SweepPlan(name=scn.name, source=arm.source, scenario=scn, raw=arm.raw, factors=[],
                     design_name="paired", design=pd.DataFrame({"point": [0]}), replications=seeds,
                     master_seed=master_seed, series_every_hours=default_thinning(scn), series_vars=series_vars,
                     extra={"arm": arm.name, "arm_label": arm.label})


def _identity(kind: str, arms: list[Arm], seeds: int, master_seed: int, extra: dict) -> dict:
    return {"kind": kind, "seeds": seeds, "master_seed": master_seed,
            "arms": [{"name": a.name, "label": a.label, "source": a.source} for a in arms], **extra}


def _arm_done(folder: Path) -> bool:
    try:
        return json.loads((folder / "manifest.json").read_text()).get("status") == "done"
    except (OSError, ValueError):
        return False


def open_root(root: Path, kind: str, arms: list[Arm], seeds: int, master_seed: int, resume: bool,
              extra: dict | None = None) -> dict:
    """Create (or, with ``resume``, reopen) the root folder; return its manifest."""
    from ..folders import check_out_target

    check_out_target(root)
    ident = _identity(kind, arms, seeds, master_seed, extra or {})
    path = root / MANIFEST
    if resume:
        try:
            old = json.loads(path.read_text())
        except FileNotFoundError:
            raise ScenarioError(f"nothing to resume: no {MANIFEST} in this folder", file=str(root),
                                field="--out") from None
        except (OSError, ValueError):
            raise ScenarioError(f"{MANIFEST} is not readable JSON; cannot resume", file=str(path)) from None
        mine = {k: old.get(k) for k in ident}
        if mine != json.loads(json.dumps(ident)):
            raise ScenarioError(f"refusing to resume: this folder holds another {old.get('kind', '?')} "
                                "(other scenarios, rules, variants or seeds)", file=str(root), field="--out")
        return old
    if root.exists() and any(root.iterdir()):
        raise ScenarioError("already exists and is not empty; choose another --out, or --resume", file=str(root),
                            field="--out")
    root.mkdir(parents=True, exist_ok=True)
    man = {**ident, "status": "running", "started": dt.datetime.now().isoformat(timespec="seconds")}
    _write_json(path, man)
    return man


def _write_json(path: Path, obj: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(obj, indent=2, default=str) + "\n")
    tmp.replace(path)


def run_arms(root: Path, arms: list[Arm], *, seeds: int, master_seed: int, workers: int = 1,
             executor: str = "process", scheduler: str | None = None, series: bool = True,
             console=None) -> ArmsResult:
    """Run every arm not yet done into ``root/<arm.name>`` on one shared pool (the root must be
    open: :func:`open_root`). Stops at the first interruption; what is done stays done."""
    from rich.console import Console

    from ..sweep.execute import close_executor, make_executor, run_sweep

    console = console or Console(stderr=True)
    t0 = time.perf_counter()
    todo = [a for a in arms if not _arm_done(root / a.name)]
    res = ArmsResult(root, 0.0, 0, 0)
    if todo:
        pool = make_executor(executor, workers, scheduler)
        try:
            for i, arm in enumerate(todo, 1):
                folder = root / arm.name
                resume = (folder / "manifest.json").exists()
                if folder.exists() and not resume:  # made, but killed before its manifest: nothing in it
                    shutil.rmtree(folder)
                console.print(f"arm {len(arms) - len(todo) + i}/{len(arms)}: {arm.label}", markup=False)
                t_arm = time.perf_counter()
                out = run_sweep(arm_plan(arm, seeds, master_seed, series), folder, workers=workers,
                                executor=executor, scheduler=scheduler, resume=resume, console=console, pool=pool)
                res.arm_seconds[arm.name] = time.perf_counter() - t_arm
                res.runs += out.runs - out.skipped
                res.failed += out.failed
                if out.interrupted:
                    res.interrupted, res.error = True, out.error
                    break
        except KeyboardInterrupt:
            res.interrupted = True
        finally:
            close_executor(*pool)
    res.wall_seconds = time.perf_counter() - t0
    man = json.loads((root / MANIFEST).read_text())
    man["status"] = "interrupted" if res.interrupted else "done"
    man["wall_seconds"] = round(float(man.get("wall_seconds", 0.0)) + res.wall_seconds, 1)
    man["updated"] = dt.datetime.now().isoformat(timespec="seconds")
    man.setdefault("arm_seconds", {}).update({k: round(v, 2) for k, v in res.arm_seconds.items()})
    _write_json(root / MANIFEST, man)
    return res


def read_runs(root: Path, arm: Arm) -> pd.DataFrame:
    """The finished runs of one arm (``runs.parquet`` of its sweep folder)."""
    return pd.read_parquet(root / arm.name / "runs.parquet")
