"""Write a run's results folder: tables, measures, manifest, timeline, figures."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

from .folders import check_out_target
from .provenance import git_commit, sha256, versions
from .runner import RunResult
from .scenario.errors import ScenarioError
from .textsafe import slug

RESULTS = Path("results")


def default_out_dir(name: str, seed: int, kind: str = "run") -> Path:
    # the name comes from the scenario: slugified, so '/abs', '../x' or 'a/b' stay one folder in results/
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return RESULTS / f"{slug(name)}-{kind}-seed{seed}-{stamp}"


#: every file a run writes into its folder (``write_run``, ``draw_run_figures``, ``report``)
RUN_OUTPUTS = frozenset({
    "series.parquet", "events.csv", "stances.csv", "units.csv", "track.parquet", "timeline.txt",
    "measures.json", "scenario.yaml", "manifest.json", "map.gif", "report.html", ".write-test",
    *(f"{stem}.{ext}" for stem in ("timeline", "map", "cascade", "public") for ext in ("png", "svg")),
})


def is_sweep_folder(path: Path) -> bool:
    """A sweep's folder (finished or not): its manifest says so, or it holds a sweep's tables."""
    man = path / "manifest.json"
    with contextlib.suppress(OSError, ValueError):
        if man.is_file() and man.stat().st_size < 10_000_000 and json.loads(man.read_text()).get("kind") == "sweep":
            return True
    return any((path / f).exists() for f in ("runs.parquet", "summary.csv", "runs", "design.parquet"))


def _is_run_folder(path: Path) -> bool:
    with contextlib.suppress(OSError, ValueError):
        man = path / "manifest.json"
        return man.is_file() and man.stat().st_size < 10_000_000 and json.loads(man.read_text()).get("kind") == "run"
    return False


def prepare_run_dir(out: Path, *, force: bool = False) -> Path:
    """The folder of one run: new or empty, or - with ``force`` - a previous run's folder,
    whose files are removed first (so no figure of the old run sits beside the new tables).
    Never the root folder or a sweep's folder, and never a folder holding anything else."""
    check_out_target(out)
    if out.is_dir():
        if is_sweep_folder(out):
            raise ScenarioError("is a sweep's folder; a run needs a folder of its own", file=str(out), field="--out")
        entries = sorted(p.name for p in out.iterdir())
        if entries and not force:
            raise ScenarioError("already exists and is not empty; choose another --out, or add --force to "
                                "replace the run in it", file=str(out), field="--out")
        if entries and not _is_run_folder(out):
            raise ScenarioError("--force replaces a previous run, and this is not a run's folder (no run "
                                "manifest.json); choose another --out", file=str(out), field="--out")
        strangers = [e for e in entries if e not in RUN_OUTPUTS and not (e.startswith(".") and e.endswith(".tmp"))]
        if strangers:
            raise ScenarioError(f"--force replaces only a previous run's files, and '{strangers[0]}' is not one; "
                                "choose another --out", file=str(out), field="--out")
        try:
            for e in entries:
                target = out / e
                if target.is_dir() and not target.is_symlink():
                    raise ScenarioError(f"--force replaces only a previous run's files, and '{e}' is a folder",
                                        file=str(out), field="--out")
                target.unlink()
        except OSError as exc:
            raise ScenarioError(f"cannot clear the previous run: {exc.strerror or exc}", file=str(out)) from None
    return prepare_out_dir(out)


def prepare_out_dir(out: Path, *, must_be_new: bool = False) -> Path:
    """Create ``out`` (and check it is writable) before any work is done."""
    check_out_target(out)
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
              started: str, figures: bool = True, gif: bool = False,
              on_figure: Callable[[str, list[str], float], None] | None = None,
              on_frame: Callable[[int, int], None] | None = None) -> list[str]:
    """Write everything a run produced; tables first so a failing figure loses nothing.

    ``on_figure`` and ``on_frame`` go to :func:`sim.report.draw_run_figures` (for progress).
    """
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
    # the manifest goes in before the figures: a figure that fails must not leave the tables
    # without their provenance; it is rewritten with the figures' names once they are drawn
    _write_json(out / "manifest.json", man)
    written.append("manifest.json")
    if figures:
        from .report import RunFolder, draw_run_figures

        names = draw_run_figures(RunFolder.from_result(result, raw, man), out, gif=gif, on_figure=on_figure,
                                 on_frame=on_frame)
        man["files"] += names
        written += names
        _write_json(out / "manifest.json", man)
    return written


def _write_json(path: Path, obj: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(obj, indent=2) + "\n")
    os.replace(tmp, path)
