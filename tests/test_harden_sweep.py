"""Issue 14, items 3, 4, 5 and 10-11 (sweeps): nothing lost, nothing duplicated, one writer.

The fault-injection test stops the sweep at every step of a batch commit and of compaction
(not at random times), resumes it, and compares the tables with an uninterrupted sweep's.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.scenario.errors import ScenarioError
from sim.sweep import store as store_mod
from sim.sweep.execute import run_sweep
from sim.sweep.plan import build_plan
from sim.sweep.store import read_series

from .conftest import ROOT, TINY


def _plan(reps: int = 1, *sets: str):
    return build_plan(TINY, [f"sweep.replications={reps}", *sets])


def _tables(folder: Path) -> list[pd.DataFrame]:
    runs = pd.read_parquet(folder / "runs.parquet")
    series = read_series(folder).sort_values(["run_id", "hour", "variable"]).reset_index(drop=True)
    summary = pd.read_parquet(folder / "summary.parquet")
    timing = pd.read_parquet(folder / "timing.parquet")[["run_id"]]
    return [runs, series, summary, timing]


def _assert_same(a: Path, b: Path) -> None:
    for x, y in zip(_tables(a), _tables(b), strict=True):
        pd.testing.assert_frame_equal(x, y)
    # nothing of the machinery is left behind
    left = {p.name for p in a.iterdir()} & {"runs", "timing", ".series-compact", ".series-old", "compaction.json",
                                             "sweep.lock"}
    assert not left, left
    assert not list(a.rglob(".*.tmp"))
    man = json.loads((a / "manifest.json").read_text())
    assert man["status"] == "done" and man["runs_done"] == len(_tables(a)[0]), man


class _Crash(BaseException):
    """Stands for kill -9: not an Exception, so no handler of the sweep catches it."""


@pytest.fixture
def small_chunks(monkeypatch):
    # one run per compacted series file: compaction has several files to write and remove
    monkeypatch.setattr(store_mod, "COMPACT_RUNS", 1)


def _steps_of(plan, folder: Path, monkeypatch) -> list[str]:
    seen: list[str] = []
    monkeypatch.setattr(store_mod, "CRASH_HOOK", seen.append)
    run_sweep(plan, folder)
    monkeypatch.setattr(store_mod, "CRASH_HOOK", None)
    return seen


def test_a_crash_at_every_step_of_a_batch_commit_and_of_compaction_resumes_to_the_same_tables(
        tmp_path: Path, monkeypatch, small_chunks) -> None:
    plan = _plan(1)  # three runs, three batches of one
    steps = _steps_of(plan, tmp_path / "ref", monkeypatch)
    starts = [i for i, name in enumerate(steps) if name == "batch:start"]
    assert len(starts) == 3
    # every step of the second batch's commit, and every step from the start of compaction on
    first_compact = next(i for i, name in enumerate(steps) if name.startswith("journal:build"))
    chosen = list(range(starts[1], starts[2])) + list(range(first_compact - 2, len(steps)))
    names = {steps[i].split(":")[0] + ":" + steps[i].split(":")[1] for i in chosen}
    assert {"batch:series", "batch:timing", "batch:runs", "compact:runs", "compact:series-chunk",
            "compact:series-moved-aside", "compact:series-moved-in", "compact:remove-old-series",
            "compact:remove-runs-parts", "journal:swap", "journal:clean"} <= names, names
    for k in chosen:
        out = tmp_path / f"crash-{k:03d}"
        count = iter(range(len(steps) + 1))

        def hook(name: str, k: int = k, count=count) -> None:
            if next(count) == k:
                raise _Crash(name)

        monkeypatch.setattr(store_mod, "CRASH_HOOK", hook)
        with pytest.raises(_Crash):
            run_sweep(plan, out)
        monkeypatch.setattr(store_mod, "CRASH_HOOK", None)
        if json.loads((out / "manifest.json").read_text())["status"] == "done":
            # the last steps come after 'done' is on disk: resuming is refused, the tables are whole
            assert k >= len(steps) - 2, (k, steps[k])
            with pytest.raises(ScenarioError, match="already complete"):
                run_sweep(plan, out, resume=True)
        else:
            res = run_sweep(plan, out, resume=True)
            assert res.runs == plan.n_runs and not res.interrupted, (k, steps[k])
        try:
            _assert_same(out, tmp_path / "ref")
        except AssertionError as err:
            raise AssertionError(f"after a crash at step {k} ({steps[k]}): {err}") from None


def _sweep_cli(out: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "sim", "sweep", str(TINY), "--set", "sweep.replications=2", "--workers", "1",
            "--out", str(out), "--no-figures", *extra]
    return subprocess.run(args, capture_output=True, text=True, timeout=600, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


@pytest.mark.parametrize("point", [
    "batch:series:renamed#2",           # a batch's series part is in, its runs part is not
    "compact:series-moved-aside",       # series/ moved aside, the new copy not yet moved in
    "compact:remove-old-series:file#2",  # halfway through removing the old series
])
def test_killed_in_a_fresh_process_then_resumed_in_another(tmp_path: Path, point: str) -> None:
    out = tmp_path / "s"
    res = _sweep_cli(out, env={"REGIME_SIM_CRASH_AT": point})
    assert res.returncode == 137, (res.returncode, res.stderr[-2000:])
    assert (out / "sweep.lock").exists()  # left by the dead process: a stale lock
    res = _sweep_cli(out, "--resume")
    assert res.returncode == 0, res.stderr[-2000:]
    ref = tmp_path / "ref"
    run_sweep(_plan(2), ref)
    _assert_same(out, ref)


def test_a_sweep_whose_runs_all_fail_finishes_and_reports(tmp_path: Path, monkeypatch) -> None:
    from sim.model.model import RegimeModel

    def broken(self):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(RegimeModel, "step", broken)
    out = tmp_path / "s"
    res = run_sweep(_plan(1), out)
    assert res.failed == res.runs == 3
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "done" and man["runs_failed"] == 3
    runs = pd.read_parquet(out / "runs.parquet")
    assert (runs["status"] == "failed").all()
    from sim.report.sweep_html import write_sweep_report

    assert write_sweep_report(out).exists()


def test_one_process_per_sweep_folder_and_a_dead_owners_lock_is_taken_over(tmp_path: Path) -> None:
    plan = _plan(1)
    out = tmp_path / "s"
    run_sweep(plan, out)
    man = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**man, "status": "running"}))
    import socket

    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (out / "sweep.lock").write_text(json.dumps({"pid": live.pid, "host": socket.gethostname()}))
        with pytest.raises(ScenarioError, match=f"another sweep \\(pid {live.pid}"):
            run_sweep(plan, out, resume=True)
        assert json.loads((out / "sweep.lock").read_text())["pid"] == live.pid  # not taken
    finally:
        live.kill()
        live.wait()
    # the owner is dead now: its lock is stale and the resume goes ahead
    res = run_sweep(plan, out, resume=True)
    assert res.runs == plan.n_runs and not (out / "sweep.lock").exists()


def test_runs_done_follows_the_sweep_as_it_runs(tmp_path: Path, monkeypatch) -> None:
    hits = iter(range(100))

    def hook(name: str) -> None:
        if name == "batch:manifest" and next(hits) == 1:
            raise _Crash(name)

    monkeypatch.setattr(store_mod, "CRASH_HOOK", hook)
    with pytest.raises(_Crash):
        run_sweep(_plan(1), tmp_path / "s")
    man = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert man["status"] == "running" and man["runs_done"] == 2


def test_a_full_disk_stops_the_sweep_with_a_resume_hint_and_loses_nothing(tmp_path: Path, monkeypatch) -> None:
    plan = _plan(1)
    real = store_mod._atomic_parquet
    calls = iter(range(100))

    def full(df, path, step="file"):
        if step == "batch:runs" and next(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(df, path, step)

    monkeypatch.setattr(store_mod, "_atomic_parquet", full)
    out = tmp_path / "s"
    res = run_sweep(plan, out)
    assert res.interrupted and "disk is full" in res.error and res.runs == 1
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    monkeypatch.setattr(store_mod, "_atomic_parquet", real)
    run_sweep(plan, out, resume=True)
    run_sweep(plan, tmp_path / "ref")
    _assert_same(out, tmp_path / "ref")


def test_a_full_disk_in_the_sweep_command_is_one_line_with_the_resume_command(tmp_path: Path,
                                                                                monkeypatch) -> None:
    from typer.testing import CliRunner

    from sim.cli import app

    real = store_mod._atomic_parquet

    def full(df, path, step="file"):
        if step == "batch:series":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(df, path, step)

    monkeypatch.setattr(store_mod, "_atomic_parquet", full)
    out = tmp_path / "s"
    res = CliRunner().invoke(app, ["sweep", str(TINY), "--set", "sweep.replications=1", "--out", str(out),
                                   "--no-figures", "--yes"])
    assert res.exit_code == 2, res.output
    text = res.output + (res.stderr if res.stderr_bytes is not None else "")
    errors = sorted({ln for ln in text.splitlines() if ln.startswith("error:")})  # output may hold stderr too
    assert len(errors) == 1 and "disk is full" in errors[0] and "--resume --out" in errors[0], text


def test_resume_refuses_a_finished_sweep_and_a_different_one(tmp_path: Path) -> None:
    out = tmp_path / "s"
    run_sweep(_plan(1), out)
    with pytest.raises(ScenarioError, match="already complete"):
        run_sweep(_plan(1), out, resume=True)
    man = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**man, "status": "interrupted"}))
    with pytest.raises(ScenarioError, match="different scenario or design"):
        run_sweep(_plan(1, "regions.Capital.legitimacy=0.7"), out, resume=True)
    # refused, and untouched
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"


def test_sweep_out_a_file_is_one_line(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("mine")
    res = _sweep_cli(f)
    assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr[-2000:]
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and str(f) in lines[0] and "not a folder" in lines[0]
    assert f.read_text() == "mine"


def test_a_swept_path_with_a_slash_gives_one_figure_the_report_finds(tmp_path: Path) -> None:
    text = TINY.read_text().replace(
        "  Border:", "  North/South: {population: 100000, grid: 15, pos: [1, 1]}\n  Border:").replace(
        "  - {a: Province, b: Border, km: 300}",
        "  - {a: Province, b: Border, km: 300}\n  - {a: Province, b: North/South, km: 100}").replace(
        "    ruler.regime_strength: {range: [0.3, 0.8]}",
        "    regions.North/South.legitimacy: {values: [0.5, 0.9]}")
    f = tmp_path / "slash.yaml"
    f.write_text(text)
    out = tmp_path / "s"
    run_sweep(build_plan(f, ["sweep.replications=1"]), out)
    from sim.plots.sweep import plot_sweep
    from sim.report.sweep_html import write_sweep_report

    plot_sweep(out)
    assert not [p for p in out.iterdir() if p.is_dir() and p.name not in ("series",)]
    assert (out / "sweep_outcomes_regions_North_South_legitimacy.png").exists()
    page = write_sweep_report(out).read_text()
    assert 'id="fig-sweep_outcomes_regions_North_South_legitimacy"' in page
