"""Exact replay (issue 13): a run depends on the scenario's content, its seed and the
overrides only - never on the order of keys in a file or on how it was loaded - and any run of
a sweep can be re-run from the sweep's folder or from the original file with --seed/--set.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.scenario.loader import load_scenario, parse_value
from sim.sweep.execute import run_sweep
from sim.sweep.plan import build_plan
from sim.sweep.replay import load_sweep_run, set_value
from sim.sweep.store import read_series

from .conftest import ROOT, TINY

TABLES = ("series", "events", "stances", "units", "track")

#: small sweeps of the bundled scenarios: one run per point, two levels per range, and a
#: horizon just past the last scripted event where the scenario's own is long
SMALL_SWEEPS: dict[str, list[str]] = {
    "wagner_mutiny_2023": [],
    "elite_coup": ["time.horizon_days=4"],
    "mass_protest": ["time.horizon_days=3"],
    "mobilization_2022": ["time.horizon_days=18"],
    "baseline": ["time.horizon_days=2"],
}
SMALL = ["sweep.replications=1", "sweep.levels=2"]


def assert_same_run(a: sim.RunResult, b: sim.RunResult) -> None:
    """Identical outcome, time, measures and tables (NaN equals NaN)."""
    assert a.outcome == b.outcome
    assert a.measures.keys() == b.measures.keys()
    for key, va in a.measures.items():
        vb = b.measures[key]
        assert va == vb or (isinstance(va, float) and math.isnan(va) and math.isnan(vb)), (key, va, vb)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True, obj=name)


# ---------------------------------------------------------------------------- key order
def _reordered(raw: dict, order: dict[str, list[int]]) -> dict:
    out = dict(raw)
    for key, perm in order.items():
        items = list(raw[key].items())
        out[key] = dict(items[i] for i in perm)
    return out


@settings(max_examples=6, deadline=None)
@given(data=st.data(), seed=st.integers(0, 2**32))
def test_the_order_of_regions_and_units_in_a_file_does_not_change_a_run(tmp_path_factory, data, seed) -> None:
    raw = yaml.safe_load(TINY.read_text())
    raw["time"]["horizon_days"] = 1  # short: the stream diverges within hours when order matters
    order = {key: data.draw(st.permutations(range(len(raw[key]))), label=key) for key in ("regions", "units")}
    folder = tmp_path_factory.mktemp("order")
    (folder / "a.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    (folder / "b.yaml").write_text(yaml.safe_dump(_reordered(raw, order), sort_keys=False))
    a, b = load_scenario(folder / "a.yaml"), load_scenario(folder / "b.yaml")
    assert_same_run(sim.run(a, seed=seed), sim.run(b, seed=seed))


def test_the_loader_puts_regions_and_units_in_order_of_id() -> None:
    scn = load_scenario("wagner_mutiny_2023")  # the base world lists Moscow first
    assert list(scn.regions) == sorted(scn.regions) and list(scn.units) == sorted(scn.units)


# ---------------------------------------------------------------------------- sweeps
@pytest.fixture(scope="module")
def small_sweeps(tmp_path_factory):
    """name -> folder of a small finished sweep of that bundled scenario, made on first use."""
    made: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in made:
            folder = tmp_path_factory.mktemp(f"sweep-{name}") / "sweep"
            run_sweep(build_plan(name, [*SMALL, *SMALL_SWEEPS[name]]), folder, workers=1)
            made[name] = folder
        return made[name]

    return get


def _as_dict(sets: list[str] | None) -> dict:
    assert sets is not None
    return {k: parse_value(v) for k, v in (s.split("=", 1) for s in sets)}


def _recorded_series(folder: Path, run_id: int) -> pd.DataFrame:
    long = read_series(folder)
    one = long[long["run_id"] == run_id]
    return one.pivot_table(index="hour", columns="variable", values="value", aggfunc="last", dropna=False)


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(SMALL_SWEEPS)), pick=st.integers(0, 10_000))
def test_a_run_of_a_sweep_replays_exactly_from_its_folder_and_from_the_file(small_sweeps, name, pick) -> None:
    folder = small_sweeps(name)
    runs = pd.read_parquet(folder / "runs.parquet")
    run_id = int(runs["run_id"].iloc[pick % len(runs)])
    rec = runs.set_index("run_id").loc[run_id]

    # from the sweep's folder
    replay = load_sweep_run(folder, run_id)
    from_folder = sim.run(replay.scenario, seed=replay.seed)
    # from the original file with the --set the replay prints: the sweep's own, then the run's
    assert _as_dict(replay.base_sets) == _as_dict(SMALL_SWEEPS[name])
    scn = load_scenario(name, [*replay.base_sets, *replay.sets])
    from_file = sim.run(scn, seed=replay.seed)
    assert_same_run(from_folder, from_file)

    # and both are the run the sweep recorded: outcome, time, measures, thinned series
    assert replay.differences(from_folder.measures) == []
    assert from_folder.outcome == rec["outcome"]
    assert from_folder.measures["time_to_outcome_h"] == rec["time_to_outcome_h"]
    recorded = _recorded_series(folder, run_id)
    mine = from_folder.series.groupby("hour").last()[list(recorded.columns)].loc[recorded.index]
    np.testing.assert_array_equal(mine.to_numpy(), recorded.to_numpy())


@settings(max_examples=60, deadline=None)
@given(value=st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-10**12, 10**12),
                       st.booleans(), st.sampled_from(["true", "no", "1e-05", "a b", "x: y", "[1]", "~"])))
def test_a_set_value_reads_back_as_the_same_value(value) -> None:
    back = parse_value(set_value(value))
    assert back == value and type(back) is type(value)


# ---------------------------------------------------------------------------- the command
def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, timeout=600,
                          cwd=cwd or ROOT, check=False)


@pytest.fixture(scope="module")
def tiny_sweep(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny") / "sweep"
    run_sweep(build_plan(TINY, ["sweep.replications=2"]), folder, workers=1)
    return folder


@pytest.mark.slow
def test_run_from_sweep_writes_the_run_with_figures_and_report(tiny_sweep: Path, tmp_path: Path) -> None:
    out = tmp_path / "replay"
    res = _cli("run", "--from-sweep", str(tiny_sweep), "--run-id", "3", "--out", str(out), "--quiet")
    assert res.returncode == 0, res.stderr
    assert "as the sweep recorded them" in res.stdout
    for name in ("series.parquet", "events.csv", "timeline.png", "map.png", "report.html", "scenario.yaml"):
        assert (out / name).exists(), name
    manifest = json.loads((out / "manifest.json").read_text())
    rec = pd.read_parquet(tiny_sweep / "runs.parquet").set_index("run_id").loc[3]
    assert manifest["seed"] == int(rec["seed"]) and manifest["replay_of"]["run_id"] == 3
    assert json.loads((out / "measures.json").read_text())["outcome"] == rec["outcome"]
    # the command it prints is the same run from the original file
    line = next(ln for ln in res.stdout.splitlines() if ln.startswith("the same run from the scenario file: "))
    assert f"--seed {int(rec['seed'])}" in line and str(TINY) in line


def test_a_replay_that_differs_from_the_sweep_exits_1(tiny_sweep: Path, tmp_path: Path) -> None:
    """If the sweep's record and the replay disagree (here: a doctored record), it is said."""
    doctored = tmp_path / "sweep"
    shutil.copytree(tiny_sweep, doctored)
    runs = pd.read_parquet(doctored / "runs.parquet")
    runs.loc[runs["run_id"] == 1, "time_to_outcome_h"] += 1.0
    runs.to_parquet(doctored / "runs.parquet", index=False)
    res = _cli("run", "--from-sweep", str(doctored), "--run-id", "1", "--out", str(tmp_path / "r"), "--quiet",
               "--no-figures")
    assert res.returncode == 1
    assert "differs from run 1 as the sweep recorded it" in res.stderr and "time_to_outcome_h" in res.stderr


def _unfinished(tiny_sweep: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "unfinished"
    shutil.copytree(tiny_sweep, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["status"] = "interrupted"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


BAD = {
    # case: (arguments, with {sweep}, {unfinished}, {tmp}; fragments of the one-line error)
    "no folder": (["--from-sweep", "{tmp}/nope", "--run-id", "1"], ["no such folder"]),
    "not a sweep": (["--from-sweep", "{tmp}", "--run-id", "1"], ["not a finished sweep", "no manifest.json"]),
    "unfinished": (["--from-sweep", "{unfinished}", "--run-id", "1"], ["not a finished sweep", "'interrupted'",
                                                                       "--resume"]),
    "run id": (["--from-sweep", "{sweep}", "--run-id", "99"], ["run id 99 does not exist", "runs 0-5"]),
    "negative run id": (["--from-sweep", "{sweep}", "--run-id", "-1"], ["run id -1 does not exist"]),
    "no run id": (["--from-sweep", "{sweep}"], ["--from-sweep needs --run-id"]),
    "no sweep": (["--run-id", "2"], ["--run-id needs --from-sweep"]),
    "file and sweep": ([str(TINY), "--from-sweep", "{sweep}", "--run-id", "2"], ["not both"]),
    "seed": (["--from-sweep", "{sweep}", "--run-id", "2", "--seed", "4"], ["do not go with --from-sweep"]),
    "nothing": ([], ["give a scenario file"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_replays_give_one_line_and_exit_2(case: str, tiny_sweep: Path, tmp_path: Path) -> None:
    args, fragments = BAD[case]
    fill = {"sweep": str(tiny_sweep), "unfinished": str(_unfinished(tiny_sweep, tmp_path)), "tmp": str(tmp_path)}
    res = _cli("run", *[a.format(**fill) for a in args], "--out", str(tmp_path / "out"))
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert res.returncode == 2, res.stderr
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert not (tmp_path / "out").exists()
