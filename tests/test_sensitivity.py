"""Sensitivity analysis: Sobol recovers Ishigami, Morris ranks inputs, SALib's sizing rules, the
noise floor, bad input, and a short end-to-end run on the tiny world."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sim.analysis.sensitivity import (
    Response,
    classify,
    morris_indices,
    plan_sensitivity,
    resolve_response,
    sobol_indices,
)
from sim.scenario.errors import ScenarioError
from sim.sweep.design import Factor, expected_points, generate

from .conftest import TINY

# Ishigami & Homma (1990) with a = 7, b = 0.1: analytic indices
ISHIGAMI_S1 = np.array([0.314, 0.442, 0.0])
ISHIGAMI_ST = np.array([0.558, 0.442, 0.244])
ISHIGAMI_S13 = 0.244


def ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + 7.0 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def _unit_factors(d: int, dummy: bool = False) -> list[Factor]:
    fs = [Factor(f"x{i}", "float", 0.0, 1.0) for i in range(d)]
    return fs + [Factor("dummy", "float", 0.0, 1.0)] if dummy else fs


def test_sobol_recovers_ishigami_within_its_intervals() -> None:
    fs = [Factor(f"x{i}", "float", -np.pi, np.pi) for i in (1, 2, 3)]
    design = generate("sobol", fs, samples=1024, levels=2, seed=1, second_order=True)
    assert len(design) == 1024 * (2 * 3 + 2)
    y = ishigami(design[["x1", "x2", "x3"]].to_numpy())
    table, pairs = sobol_indices(["x1", "x2", "x3"], y, second_order=True, seed=1)
    assert (np.abs(table["S1"] - ISHIGAMI_S1) <= table["S1_conf"]).all(), table
    assert (np.abs(table["ST"] - ISHIGAMI_ST) <= table["ST_conf"]).all(), table
    assert (table["S1_low"] <= ISHIGAMI_S1).all() and (table["ST_high"] >= ISHIGAMI_ST).all()
    s13 = pairs[(pairs["parameter_1"] == "x1") & (pairs["parameter_2"] == "x3")].iloc[0]
    assert s13["S2_low"] <= ISHIGAMI_S13 <= s13["S2_high"]
    others = pairs[~((pairs["parameter_1"] == "x1") & (pairs["parameter_2"] == "x3"))]
    assert ((others["S2_low"] <= 0) & (others["S2_high"] >= 0)).all()


@settings(max_examples=12, deadline=None)
@given(coef=st.lists(st.floats(-5, 5, allow_nan=False), min_size=1, max_size=4),
       product=st.booleans(), seed=st.integers(0, 10_000))
def test_a_parameter_the_function_never_reads_gets_exactly_zero(coef: list[float], product: bool,
                                                                seed: int) -> None:
    fs = _unit_factors(len(coef), dummy=True)
    design = generate("sobol", fs, samples=32, levels=2, seed=seed)
    x = design[[f.path for f in fs[:-1]]].to_numpy()
    y = x @ np.array(coef) + (np.prod(x, axis=1) if product else 0.0) + 1.0
    if np.ptp(y) == 0:
        return
    table, _ = sobol_indices([f.path for f in fs], y, seed=seed, resamples=50)
    dummy = table[table["parameter"] == "dummy"].iloc[0]
    assert abs(dummy["S1"]) < 1e-9 and abs(dummy["ST"]) < 1e-9


def test_morris_ranks_inputs_in_their_known_order() -> None:
    fs = _unit_factors(4)
    design = generate("morris", fs, samples=20, levels=2, seed=3)
    x = design[[f.path for f in fs]].to_numpy()
    y = 10 * x[:, 0] + 12 * (x[:, 1] - 0.5) ** 2 + 1.0 * x[:, 2] + 0.0 * x[:, 3]
    table = morris_indices([f.path for f in fs], x, y, seed=3)
    assert table.sort_values("mu_star", ascending=False)["parameter"].tolist() == ["x0", "x1", "x2", "x3"]
    assert table.set_index("parameter").loc["x3", "mu_star"] == 0
    # the quadratic's effects change sign across its range: mu* >> |mu|, sigma > 0
    x1 = table.set_index("parameter").loc["x1"]
    assert abs(x1["mu"]) < 0.5 * x1["mu_star"] and x1["sigma"] > 0


@settings(max_examples=15, deadline=None)
@given(coef=st.lists(st.floats(-10, 10, allow_nan=False), min_size=2, max_size=5),
       width=st.floats(0.1, 50), seed=st.integers(0, 10_000))
def test_morris_on_a_linear_function_gives_its_slopes_and_no_spread(coef: list[float], width: float,
                                                                    seed: int) -> None:
    fs = [Factor(f"x{i}", "float", -1.0, -1.0 + width) for i in range(len(coef))]
    design = generate("morris", fs, samples=4, levels=2, seed=seed)
    x = design[[f.path for f in fs]].to_numpy()
    table = morris_indices([f.path for f in fs], x, x @ np.array(coef), seed=seed, resamples=20)
    # an elementary effect is the change across the whole range: the slope times the width
    np.testing.assert_allclose(table["mu"], np.array(coef) * width, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(table["mu_star"], np.abs(coef) * width, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(table["sigma"], 0, atol=1e-6 * (1 + max(map(abs, coef)) * width))


@settings(max_examples=30, deadline=None)
@given(d=st.integers(1, 6), power=st.integers(1, 5), second=st.booleans(), design=st.sampled_from(["sobol", "morris"]))
def test_design_sizes_follow_salib(d: int, power: int, second: bool, design: str) -> None:
    n = 2 ** power
    points = generate(design, _unit_factors(d), samples=n, levels=2, seed=0, second_order=second)
    if design == "sobol":
        assert len(points) == n * (2 * d + 2 if second else d + 2)
    else:
        assert len(points) == n * (d + 1)
    assert len(points) == expected_points(design, d, n, [], second_order=second)


def test_plan_adds_the_dummy_and_sizes_the_design() -> None:
    plan = plan_sensitivity(TINY, None, "sobol", samples=4, replications=2)
    assert [f.path for f in plan.factors] == ["ruler.regime_strength", "dummy"]
    assert plan.n_points == 4 * (2 + 2) and plan.n_runs == 32
    assert plan_sensitivity(TINY, None, "sobol", samples=4, second_order=True).n_points == 4 * (2 * 2 + 2)
    assert plan_sensitivity(TINY, None, "morris", samples=5).n_points == 5 * (2 + 1)
    # the dummy is sampled but never applied to the model
    assert "dummy" not in plan.overrides(0)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"method": "sobol", "samples": 12}, "power of two for Sobol (SALib's Sobol sequence), got 12: try 8 or 16"),
    ({"method": "sobl"}, "did you mean 'sobol'"),
    ({"method": "morris", "second_order": True}, "--second-order is for --method sobol"),
    ({"method": "morris", "samples": 1}, "at least 2"),
])
def test_bad_design_input_is_one_line(kwargs: dict, message: str) -> None:
    method = kwargs.pop("method")
    with pytest.raises(ScenarioError) as err:
        plan_sensitivity(TINY, None, method, **kwargs)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_sweep_of_value_lists_only_is_refused(tmp_path: Path) -> None:
    text = TINY.read_text().replace("{range: [0.3, 0.8]}", "{values: [0.3, 0.8]}")
    path = tmp_path / "lists.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError, match="no parameter with a range"):
        plan_sensitivity(path, None, "sobol", samples=4)


def test_response_names_are_checked(tiny) -> None:
    with pytest.raises(ScenarioError, match="did you mean 'peak_protest_share'"):
        resolve_response(tiny, "peak_protest_shar", None)
    with pytest.raises(ScenarioError, match="did you mean 'coup_succeeds'"):
        resolve_response(tiny, None, "coup_succeed")
    with pytest.raises(ScenarioError, match="not both"):
        resolve_response(tiny, "emigrants", "coup_succeeds")
    assert resolve_response(tiny, None, "coup succeeds") == Response("outcome", "coup_succeeds")
    assert resolve_response(tiny, "peak_protest__Capital", None) == Response("measure", "peak_protest__Capital")
    assert resolve_response(tiny, None, None) == Response("measure", "time_to_outcome_h")


def test_the_noise_floor_is_the_top_of_the_dummys_interval() -> None:
    table = pd.DataFrame({"parameter": ["a", "b", "c", "dummy"], "ST": [0.6, 0.12, 0.05, 0.06],
                          "ST_conf": [0.05, 0.06, 0.02, 0.04]})
    table["ST_low"], table["ST_high"] = table["ST"] - table["ST_conf"], table["ST"] + table["ST_conf"]
    out, floor = classify(table, "sobol")
    assert floor == pytest.approx(0.10)
    assert out["vs_noise"].tolist() == ["above", "uncertain", "below", "dummy"]


def test_sensitivity_end_to_end_on_the_tiny_world(tmp_path: Path) -> None:
    from sim.cli import app

    runner = CliRunner()
    out = tmp_path / "sobol"
    res = runner.invoke(app, ["sensitivity", str(TINY), "--samples", "4", "--replications", "2",
                              "--measure", "peak_protest_share", "--out", str(out)])
    assert res.exit_code == 0, res.output
    for name in ("runs.parquet", "manifest.json", "sensitivity_indices.parquet", "sensitivity_indices.csv",
                 "sensitivity_response.parquet", "sensitivity_response.csv", "sensitivity.txt",
                 "sensitivity.json", "sensitivity_sobol.png", "sensitivity_sobol.svg"):
        assert (out / name).exists(), name
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 32 and "dummy" in runs.columns and (runs["status"] == "ok").all()
    indices = pd.read_csv(out / "sensitivity_indices.csv")
    assert set(indices["parameter"]) == {"ruler.regime_strength", "dummy"}
    assert {"S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high", "vs_noise", "noise_floor"} <= set(indices)
    response = pd.read_parquet(out / "sensitivity_response.parquet")
    assert len(response) == 16 and (response["n_ok"] == 2).all()
    by_point = runs.groupby("point")["peak_protest_share"].mean()
    np.testing.assert_allclose(response["response"], by_point.to_numpy())
    text = (out / "sensitivity.txt").read_text()
    assert "noise floor" in text.lower() and text.strip() in res.output
    meta = json.loads((out / "sensitivity.json").read_text())
    assert meta["method"] == "sobol" and meta["runs"] == 32 and meta["base_samples"] == 4
    assert json.loads((out / "manifest.json").read_text())["sensitivity_method"] == "sobol"

    # the finished runs can be analysed again for another response without running anything
    again = [runner.invoke(app, ["sensitivity", str(TINY), "--samples", "4", "--replications", "2", *response,
                                 "--resume", "--out", str(out), "--no-figures"])
             for response in (["--measure", "time_to_outcome_h"], ["--outcome", "civil_war"])]
    assert again[0].exit_code == 0 and "analysing them again" in again[0].output, again[0].output
    assert json.loads((out / "sensitivity.json").read_text())["response"]["name"] == "time_to_outcome_h"
    assert len(pd.read_parquet(out / "runs.parquet")) == 32
    # a civil war is too rare in the tiny world's 32 runs for Sobol's estimators: a one-line error, not a
    # table of zeros
    assert again[1].exit_code == 2, again[1].output
    assert "varies at only" in again[1].output or "at every sample" in again[1].output
    assert len(again[1].output.strip().splitlines()[-1]) > 0 and "Traceback" not in again[1].output
    bad = runner.invoke(app, ["sensitivity", str(TINY), "--samples", "6", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "power of two" in bad.output and not (tmp_path / "x").exists()


def test_morris_end_to_end_on_the_tiny_world(tmp_path: Path) -> None:
    from sim.analysis.sensitivity import analyse, write
    from sim.plots.sensitivity import plot_sensitivity
    from sim.sweep.execute import run_sweep

    plan = plan_sensitivity(TINY, None, "morris", samples=4, replications=2)
    run_sweep(plan, tmp_path / "m")
    result = analyse(plan, pd.read_parquet(tmp_path / "m" / "runs.parquet"), Response("measure", "time_to_outcome_h"))
    write(result, tmp_path / "m")
    files = plot_sensitivity(tmp_path / "m")
    assert {Path(f).name for f in files} == {"sensitivity_morris.png", "sensitivity_morris.svg"}
    t = pd.read_csv(tmp_path / "m" / "sensitivity_indices.csv")
    assert {"mu_star", "mu_star_conf", "mu", "sigma", "vs_noise"} <= set(t) and len(t) == 2
    assert "mu*" in result.text
