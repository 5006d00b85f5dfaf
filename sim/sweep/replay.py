"""One run of a finished sweep, as it ran: its scenario, its swept values and its seed.

``regime-sim run --from-sweep DIR --run-id N`` re-runs it (with the run's tables, figures and
report); this module reads the sweep's folder (``manifest.json``, ``scenario.yaml``,
``design.parquet``, ``runs.parquet``) and builds the scenario the way the sweep's worker did,
so the replay is exact: the loader puts regions and units in canonical order, and the seed is
the run's own.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..scenario.errors import ScenarioError

#: what a finished sweep's folder holds (``sim/sweep/store.py``)
FINISHED_FILES = ("manifest.json", "scenario.yaml", "design.parquet", "runs.parquet")


@dataclass
class SweepRun:
    """What is needed to re-run run ``run_id`` of the sweep in ``folder``."""

    folder: Path
    run_id: int
    point: int
    replication: int
    seed: int
    overrides: dict[str, Any]  # the swept values of its design point, by parameter path
    scenario: Any  # the validated Scenario, overrides applied
    raw: dict  # its resolved mapping (written to the replay's scenario.yaml)
    scenario_file: str  # the file the sweep was made from
    recorded: dict[str, Any] = field(default_factory=dict)  # the run's row in runs.parquet
    #: the ``--set`` that turn the file, as it reads today, into the sweep's scenario (the
    #: sweep's own --set); None when that cannot be said (see ``note``)
    base_sets: list[str] | None = field(default_factory=list)
    note: str = ""

    @property
    def sets(self) -> list[str]:
        """The overrides as ``--set`` arguments that read back to the same values."""
        return [f"{path}={set_value(v)}" for path, v in self.overrides.items()]

    def differences(self, measures: dict[str, Any]) -> list[str]:
        """Where a replay's measures differ from the sweep's record of this run ('name: a != b')."""
        out = []
        for key, value in measures.items():
            if key not in self.recorded:
                continue
            old = self.recorded[key]
            both_nan = isinstance(old, float) and isinstance(value, float) and math.isnan(old) and math.isnan(value)
            if old != value and not both_nan:
                out.append(f"{key}: {old!r} in the sweep, {value!r} now")
        return out

    def command(self) -> str:
        """The same run from the original file: ``regime-sim run FILE --seed S --set ...``."""
        sets = " ".join(f"--set '{s}'" for s in [*(self.base_sets or []), *self.sets])
        return f"regime-sim run {self.scenario_file} --seed {self.seed} {sets}".rstrip()


def _leaves(node: Any, prefix: str = "") -> dict[str, Any]:
    """A scenario dump as {dotted path: value}, in the spelling ``--set`` takes."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            out.update(_leaves(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(node, list) and node:
        out = {}
        for i, value in enumerate(node):
            out.update(_leaves(value, f"{prefix}[{i}]"))
        return out
    return {prefix: node}


def base_sets(scenario_file: str, swept: Any) -> tuple[list[str] | None, str]:
    """The ``--set`` that make ``scenario_file`` (as it reads today) the sweep's scenario
    ``swept``, or (None, why) when no ``--set`` can (the file is gone, or regions, units or
    events were added or removed since the sweep)."""
    from ..scenario.loader import load_scenario

    try:
        today = load_scenario(scenario_file)
    except ScenarioError as err:
        return None, f"the sweep's scenario file cannot be loaded today ({err})"
    drop = {"sweep", "controls", "base"}  # base: where the content came from, merged in both
    mine = _leaves({k: v for k, v in today.model_dump(mode="json").items() if k not in drop})
    theirs = _leaves({k: v for k, v in swept.model_dump(mode="json").items() if k not in drop})
    if mine.keys() != theirs.keys():
        return None, (f"{scenario_file} has changed since the sweep (its regions, units or events differ): "
                      "only the sweep's folder replays this run")
    return [f"{k}={set_value(v)}" for k, v in theirs.items() if mine[k] != v], ""


def set_value(value: Any) -> str:
    """``value`` as the text of a ``--set`` that parses back to it exactly.

    YAML's own spelling, not ``repr``: YAML 1.1 reads ``1e-05`` as text but ``1.0e-05`` as a
    number, and a string like ``'true'`` needs its quotes.
    """
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True, width=math.inf)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _not_finished(folder: Path, why: str) -> ScenarioError:
    return ScenarioError(f"not a finished sweep: {why}", file=str(folder), field="--from-sweep")


def load_sweep_run(folder: Path | str, run_id: int) -> SweepRun:
    """Read run ``run_id`` of the finished sweep in ``folder``; a one-line
    :class:`ScenarioError` for a folder that is not one or a run id it does not have."""
    import pandas as pd

    from ..scenario.loader import apply_overrides, validate_raw
    from ..scenario.yamlio import read_yaml_file

    folder = Path(folder)
    if not folder.is_dir():
        raise ScenarioError("no such folder" if not folder.exists() else "not a folder", file=str(folder),
                            field="--from-sweep")
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        if (folder / "paired.json").exists():  # regime-sim compare / audit: each arm is a sweep
            arms = sorted(p.name for p in folder.iterdir() if p.is_dir())
            raise _not_finished(folder, "this is the folder of a comparison or an audit; give one of its arms, "
                                        f"a sub-folder ({', '.join(arms[:4])}{', ...' if len(arms) > 4 else ''})")
        raise _not_finished(folder, "no manifest.json (give a folder written by 'regime-sim sweep')")
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError) as exc:
        raise _not_finished(folder, f"cannot read manifest.json ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("kind") != "sweep":
        raise _not_finished(folder, f"manifest.json is of kind '{manifest.get('kind') if isinstance(manifest, dict) else '?'}', "
                                    "not 'sweep'")
    if manifest.get("status") != "done":
        raise _not_finished(folder, f"its status is '{manifest.get('status')}'; finish it with "
                                    f"'regime-sim sweep {manifest.get('scenario_file', 'FILE')} --resume --out {folder}'")
    missing = [f for f in FINISHED_FILES if not (folder / f).exists()]
    if missing:
        raise _not_finished(folder, f"{', '.join(missing)} missing")
    try:
        runs = pd.read_parquet(folder / "runs.parquet")
        design = pd.read_parquet(folder / "design.parquet")
    except (OSError, ValueError) as exc:
        raise _not_finished(folder, f"cannot read its tables ({exc})") from None
    row = runs[runs["run_id"] == run_id]
    if row.empty:
        ids = runs["run_id"]
        span = f"runs {int(ids.min())}-{int(ids.max())}" if len(ids) else "no runs"
        raise ScenarioError(f"run id {run_id} does not exist: this sweep has {span}", file=str(folder),
                            field="--run-id")
    rec = {k: (v.item() if hasattr(v, "item") else v) for k, v in row.iloc[0].to_dict().items()}
    if rec.get("status") != "ok":
        raise ScenarioError(f"run {run_id} failed in the sweep ({rec.get('error', '?')}): there is no result "
                            "to replay", file=str(folder), field="--run-id")
    point = int(rec["point"])
    # the swept values, as the sweep's plan gave them to the worker (SweepPlan.overrides)
    params = [p for p in manifest.get("parameters", []) if not p["path"].startswith("dummy")]
    values = design.set_index("point").loc[point]
    overrides = {}
    for p in params:  # a priors factor (units.*.fear) was set at each of its targets
        v = values[p["path"]]
        for target in p.get("targets") or [p["path"]]:
            overrides[target] = v.item() if hasattr(v, "item") else v

    raw, pos = read_yaml_file(folder / "scenario.yaml")
    # as the worker: the sweep and the dashboard's controls are not part of a run
    raw.pop("sweep", None)
    raw.pop("controls", None)
    where = str(folder / "scenario.yaml")
    base = validate_raw(raw, pos, where)
    raw = apply_overrides(raw, base, overrides, where)
    scenario = validate_raw(raw, pos, where)
    source = str(manifest.get("scenario_file", "?"))
    sets, note = base_sets(source, base)
    return SweepRun(folder=folder, run_id=run_id, point=point, replication=int(rec["replication"]),
                    seed=int(rec["seed"]), overrides=overrides, scenario=scenario, raw=raw,
                    scenario_file=source, recorded=rec, base_sets=sets, note=note)
