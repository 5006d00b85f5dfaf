"""Sweeps: designs, determinism across workers and executors, resume after SIGKILL, failures."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.scenario.errors import ScenarioError
from sim.sweep.design import Factor, expected_points, generate
from sim.sweep.execute import run_sweep
from sim.sweep.plan import build_plan, seed_for
from sim.sweep.store import read_series
from sim.sweep.summary import summarize, wilson

from .conftest import TINY


def _plan(reps: int = 3, *sets: str):
    return build_plan(TINY, [f"sweep.replications={reps}", *sets])


def _tables(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    runs = pd.read_parquet(folder / "runs.parquet")
    series = read_series(folder).sort_values(["run_id", "hour", "variable"]).reset_index(drop=True)
    summary = pd.read_parquet(folder / "summary.parquet")
    return runs, series, summary


def _assert_same(a: Path, b: Path) -> None:
    for x, y in zip(_tables(a), _tables(b), strict=True):
        pd.testing.assert_frame_equal(x, y)


def test_run_table_has_every_run_seed_value_outcome_and_measure(tmp_path: Path) -> None:
    plan = _plan(2)
    res = run_sweep(plan, tmp_path / "s")
    runs, series, summary = _tables(tmp_path / "s")
    assert res.runs == plan.n_runs == len(runs) == 6
    assert list(runs["run_id"]) == list(range(6))
    assert runs["seed"].tolist() == [seed_for(plan.master_seed, i) for i in range(6)]
    for col in ("point", "replication", "ruler.regime_strength", "outcome", "time_to_outcome_h",
                "peak_protest_share", "emigrants", "mobilized", "arrests", "defected_strength_peak",
                "casualties", "final_legitimacy", "capital_holder", "status", "error"):
        assert col in runs.columns, col
    assert set(series.columns) >= {"run_id", "point", "replication", "hour", "variable", "value"}
    assert set(summary.groupby("point")["n"].first()) == {2}
    man = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert man["status"] == "done" and man["master_seed"] == plan.master_seed and man["plan_hash"] == plan.hash
    assert man["versions"]["mesa"].startswith("3.5") and man["runs_done"] == 6
    csv = pd.read_csv(tmp_path / "s" / "summary.csv")
    assert {"p", "ci_low", "ci_high", "n"} <= set(csv.columns)


def test_same_tables_for_one_worker_two_workers_and_dask(tmp_path: Path) -> None:
    plan = _plan(4)
    run_sweep(plan, tmp_path / "one", workers=1)
    run_sweep(plan, tmp_path / "two", workers=2)
    _assert_same(tmp_path / "one", tmp_path / "two")
    pytest.importorskip("dask.distributed")
    run_sweep(plan, tmp_path / "dask", workers=2, executor="dask")
    _assert_same(tmp_path / "one", tmp_path / "dask")


def test_sigkill_then_resume_gives_the_uninterrupted_tables(tmp_path: Path) -> None:
    out = tmp_path / "killed"
    args = [sys.executable, "-m", "sim", "sweep", str(TINY), "--set", "sweep.replications=150",
            "--workers", "1", "--out", str(out), "--no-figures"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        parts = list((out / "runs").glob("part-*.parquet")) if (out / "runs").exists() else []
        if len(parts) >= 3:
            break
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "running"  # killed: no chance to say otherwise
    assert not (out / "runs.parquet").exists()
    res = subprocess.run(args + ["--resume"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    ref = tmp_path / "ref"
    run_sweep(_plan(150), ref)
    _assert_same(out, ref)
    assert json.loads((out / "manifest.json").read_text())["status"] == "done"


def test_resume_refuses_another_scenario_and_never_overwrites(tmp_path: Path) -> None:
    out = tmp_path / "s"
    run_sweep(_plan(1), out)
    with pytest.raises(ScenarioError, match="not empty"):
        run_sweep(_plan(1), out)
    (out / "manifest.json").write_text(json.dumps({**json.loads((out / "manifest.json").read_text()),
                                                   "status": "interrupted"}))
    with pytest.raises(ScenarioError, match="different scenario or design"):
        run_sweep(_plan(1, "regions.Capital.legitimacy=0.7"), out, resume=True)


def test_a_failing_run_is_recorded_counted_and_the_sweep_goes_on(tmp_path: Path, monkeypatch) -> None:
    from sim.model.model import RegimeModel

    plan = _plan(3)
    doomed = seed_for(plan.master_seed, 4)
    original = RegimeModel.step

    def step(self):  # fault injection: one run's model breaks mid-run
        if self.seed == doomed and self.hour >= 5:
            raise RuntimeError("injected failure")
        return original(self)

    monkeypatch.setattr(RegimeModel, "step", step)
    res = run_sweep(plan, tmp_path / "s", workers=1)
    runs = pd.read_parquet(tmp_path / "s" / "runs.parquet")
    assert res.failed == 1 and len(runs) == plan.n_runs
    bad = runs[runs["status"] != "ok"]
    assert bad["run_id"].tolist() == [4] and "injected failure" in bad["error"].iloc[0]
    summary = pd.read_parquet(tmp_path / "s" / "summary.parquet")
    point = int(bad["point"].iloc[0])
    assert summary[summary["point"] == point]["failed"].iloc[0] == 1
    assert summary[summary["point"] == point]["n"].iloc[0] == 2


@pytest.mark.parametrize("name", sim_scenarios := __import__("sim").list_scenarios())
def test_a_run_leaves_its_scenario_as_it_was(name: str) -> None:
    # a sweep's worker validates a design point's scenario once and runs every replication of
    # it on the same object: that is exact only while no run changes the scenario it was given
    import pickle

    import sim
    from sim.model.model import RegimeModel

    scn = sim.load_scenario(name)
    before = pickle.dumps(scn)
    RegimeModel(scn, seed=3, record_track=False).run()
    assert pickle.dumps(scn) == before


def test_a_worker_validates_a_design_point_once_and_its_runs_are_those_of_fresh_scenarios(monkeypatch) -> None:
    from sim.scenario import loader
    from sim.sweep import worker

    plan = _plan(3)  # three design points (levels of the regime's strength), three runs each
    tasks = [(r.run_id, r.point, r.replication, r.seed, plan.overrides(r.point)) for r in plan.runs()]
    assert len({t[1] for t in tasks}) == 3
    calls = []
    validate = loader.validate_raw
    monkeypatch.setattr(loader, "validate_raw", lambda *a, **k: calls.append(1) or validate(*a, **k))
    args = (plan.hash, plan.scenario_text, tasks, plan.series_every_hours, plan.series_vars)
    worker._VALIDATED.clear()
    cached = worker.run_batch(*args)
    assert len(calls) == 1 + 3  # the sweep's own scenario, then one a design point
    fresh = []
    for t in tasks:  # every run on a scenario validated for it alone
        worker._VALIDATED.clear()
        fresh.append(worker.run_batch(*args[:2], [t], *args[3:]))
    pd.testing.assert_frame_equal(pd.DataFrame(cached[0]), pd.DataFrame([r for rows, _, _ in fresh for r in rows]))
    for col, values in cached[1].items():
        np.testing.assert_array_equal(values, np.concatenate([f[1][col] for f in fresh]))


def test_cli_exit_status_says_some_failed(tmp_path: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from sim.cli import app
    from sim.model.model import RegimeModel

    original = RegimeModel.step

    def step(self):  # fault injection: every run of the last point breaks
        if self.spec.ruler.regime_strength == 0.8 and self.hour >= 3:
            raise ValueError("injected")
        return original(self)

    monkeypatch.setattr(RegimeModel, "step", step)
    res = CliRunner().invoke(app, ["sweep", str(TINY), "--set", "sweep.replications=2", "--out",
                                   str(tmp_path / "s"), "--no-figures"])
    assert res.exit_code == 1, res.output
    assert "2 runs failed" in res.output or "2 failed" in res.output


@pytest.mark.parametrize("bad, fragment", [
    (["--set", "sweep.design=sobel"], "expected one of"),
    (["--set", "sweep.parameters={regions.Capital.legitimacy: {range: [0.5, 1.5]}}"], "outside the parameter's domain"),
    (["--set", "sweep.parameters={public.visio: {range: [1, 3]}}"], "did you mean 'public.vision'"),
    (["--set", "sweep.replications=100000", "--set", "sweep.levels=1000"], "needs --yes"),
    (["--executor", "spark"], "unknown executor"),
])
def test_bad_sweeps_exit_2_and_write_nothing(tmp_path: Path, bad: list[str], fragment: str) -> None:
    out = tmp_path / "s"
    res = subprocess.run([sys.executable, "-m", "sim", "sweep", str(TINY), "--out", str(out), *bad],
                         capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert res.returncode == 2, res.stdout + res.stderr
    assert fragment in res.stderr and "Traceback" not in res.stderr
    assert not out.exists()


def test_wilson_interval_matches_the_formula() -> None:
    lo, hi = wilson(8, 20)
    z = 1.959963984540054
    p, n = 0.4, 20
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert lo == pytest.approx(centre - half) and hi == pytest.approx(centre + half)
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == pytest.approx(1.0)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_wilson_is_scipys_interval(kn: tuple[int, int], confidence: float) -> None:
    """The written-out interval is scipy's Wilson interval (two-sided, no continuity correction)
    to rounding, at any k, n and confidence."""
    from scipy import stats

    k, n = kn
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    lo, hi = wilson(k, n, confidence)
    assert lo == pytest.approx(float(ci.low), abs=1e-12) and hi == pytest.approx(float(ci.high), abs=1e-12)


def test_finishing_a_sweep_does_not_import_scipy_stats(tmp_path: Path) -> None:
    """Compaction and the summary's intervals stay off scipy.stats, whose import alone took
    0.66 s of the serial tail that caps a sweep's gain from workers (issue 15)."""
    code = ("import sys; from pathlib import Path; from sim.sweep.plan import build_plan; "
            "from sim.sweep.execute import run_sweep; "
            f"run_sweep(build_plan({str(TINY)!r}, ['sweep.replications=2']), Path({str(tmp_path / 's')!r})); "
            "print('scipy.stats' in sys.modules)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert (tmp_path / "s" / "summary.parquet").exists()
    assert res.stdout.strip().splitlines()[-1] == "False"


def test_summary_probabilities_sum_to_one_per_point(tmp_path: Path) -> None:
    plan = _plan(3)
    run_sweep(plan, tmp_path / "s")
    runs = pd.read_parquet(tmp_path / "s" / "runs.parquet")
    s = summarize(runs, plan)
    assert np.allclose(s.groupby("point")["p"].sum(), 1.0)
    assert ((s["ci_low"] <= s["p"] + 1e-12) & (s["p"] <= s["ci_high"] + 1e-12)).all()


factor = st.one_of(
    st.tuples(st.just("float"), st.floats(-5, 5), st.floats(0.1, 10)),
    st.tuples(st.just("int"), st.integers(-5, 5).map(float), st.integers(1, 10).map(float)),
    st.tuples(st.just("categorical"), st.lists(st.sampled_from(["a", "b", "c", True, 3]), min_size=1, max_size=4,
                                               unique=True), st.none()),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(factor, min_size=1, max_size=4), st.sampled_from(["grid", "lhs", "sobol", "morris"]),
       st.sampled_from([2, 4, 8]), st.integers(2, 4), st.integers(0, 1000), st.booleans())
def test_designs_have_the_right_size_and_stay_in_bounds(spec, design, samples, levels, seed, second) -> None:
    fs = []
    for i, (kind, a, b) in enumerate(spec):
        if kind == "categorical":
            fs.append(Factor(f"p{i}", kind, values=tuple(a)))
        else:
            fs.append(Factor(f"p{i}", kind, a, a + b))
    df = generate(design, fs, samples=samples, levels=levels, seed=seed, second_order=second)
    per = [len(f.grid(levels)) for f in fs]
    assert len(df) == expected_points(design, len(fs), samples, per, second)
    for f in fs:
        col = df[f.path]
        if f.kind == "categorical":
            assert set(col) <= set(f.values)
        else:
            assert col.min() >= f.low - 1e-9 and col.max() <= f.high + 1e-9
            if f.kind == "int":
                assert all(float(v).is_integer() for v in col)
    assert df["point"].tolist() == list(range(len(df)))
