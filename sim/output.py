"""Write a run's results folder: tables, measures, manifest, timeline, figures."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import yaml

from .provenance import git_commit, sha256, versions
from .runner import RunResult
from .scenario.errors import ScenarioError

RESULTS = Path("results")


def default_out_dir(name: str, seed: int, kind: str = "run") -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return RESULTS / f"{name}-{kind}-seed{seed}-{stamp}"


def prepare_out_dir(out: Path, *, must_be_new: bool = False) -> Path:
    """Create ``out`` (and check it is writable) before any work is done."""
    try:
        if must_be_new and out.exists() and any(out.iterdir()):
            raise ScenarioError("already exists and is not empty; choose another --out", file=str(out))
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except ScenarioError:
        raise
    except OSError as exc:
        raise ScenarioError(f"cannot write the output folder: {exc.strerror or exc}", file=str(out)) from None
    return out


def scenario_text(raw: dict) -> str:
    return yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)


def manifest(kind: str, source: str, raw: dict, extra: dict) -> dict:
    text = scenario_text(raw)
    return {
        "kind": kind,
        "scenario_file": source,
        "scenario_name": raw.get("name"),
        "scenario_sha256": sha256(text),
        "package_version": versions().get("regime-sim", "unknown"),
        "git_commit": git_commit(),
        "versions": versions(),
        "command": " ".join([Path(sys.argv[0]).name] + sys.argv[1:]),
        "cwd": os.getcwd(),
        **extra,
    }


def write_run(result: RunResult, out: Path, source: str, raw: dict, overrides: list[str],
              started: str, figures: bool = True, gif: bool = False) -> list[str]:
    """Write everything a run produced; tables first so a failing figure loses nothing."""
    written: list[str] = []
    result.series.to_parquet(out / "series.parquet", index=False)
    result.events.to_csv(out / "events.csv", index=False)
    result.stances.to_csv(out / "stances.csv", index=False)
    result.units.to_csv(out / "units.csv", index=False)
    result.track.to_parquet(out / "track.parquet", index=False)
    (out / "timeline.txt").write_text("\n".join(result.timeline()) + "\n")
    (out / "measures.json").write_text(json.dumps(result.measures, indent=2, default=float) + "\n")
    (out / "scenario.yaml").write_text(scenario_text(raw))
    man = manifest("run", source, raw, {
        "seed": result.seed,
        "overrides": overrides,
        "started": started,
        "finished": dt.datetime.now().isoformat(timespec="seconds"),
        "wall_seconds": round(result.wall_seconds, 4),
        "outcome": result.outcome,
        "files": ["series.parquet", "events.csv", "stances.csv", "units.csv", "track.parquet", "timeline.txt",
                  "measures.json", "scenario.yaml"],
    })
    written += man["files"]
    if figures:
        from .report import RunFolder, draw_run_figures

        names = draw_run_figures(RunFolder.from_result(result, raw, man), out, gif=gif)
        man["files"] += names
        written += names
    (out / "manifest.json").write_text(json.dumps(man, indent=2) + "\n")
    written.append("manifest.json")
    return written
