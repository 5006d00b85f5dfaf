"""PRIM finds planted boxes; its trajectory keeps its invariants; discovery on a sweep folder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sim.analysis.discovery import feature_scores
from sim.analysis.prim import choose, prim


def _planted(n: int = 2000, noise: float = 0.0, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(n, 4)), columns=["a", "b", "c", "d"])
    y = ((x["a"] > 0.2) & (x["a"] < 0.6) & (x["b"] > 0.5)).to_numpy()
    flip = rng.uniform(size=n) < noise
    return x, np.where(flip, ~y, y)


def test_prim_finds_a_planted_box() -> None:
    x, y = _planted()
    res = prim(x, y, threshold=0.95)
    box = res.boxes[0]
    assert box.meets_threshold
    chosen = box.trajectory.iloc[box.chosen]
    assert chosen["density"] >= 0.95 and chosen["coverage"] >= 0.85
    lim = box.limits.set_index("parameter")
    assert set(lim.index[lim["restricted"]]) == {"a", "b"}
    assert lim.loc["a", "low"] == pytest.approx(0.2, abs=0.03)
    assert lim.loc["a", "high"] == pytest.approx(0.6, abs=0.03)
    assert lim.loc["b", "low"] == pytest.approx(0.5, abs=0.03)
    assert (lim.loc[["a", "b"], "qp"] < 1e-6).all()


def test_prim_finds_a_planted_categorical_box_through_noise() -> None:
    x, _ = _planted(seed=2)
    rng = np.random.default_rng(2)
    x["colour"] = rng.choice(["red", "green", "blue"], size=len(x))
    truth = ((x["a"] > 0.5) & x["colour"].isin(["red", "green"])).to_numpy()
    y = np.where(rng.uniform(size=len(x)) < 0.05, ~truth, truth)
    res = prim(x, y, threshold=0.9)
    lim = res.boxes[0].limits.set_index("parameter")
    assert lim.loc["colour", "restricted"] and set(lim.loc["colour", "values"].split(", ")) == {"green", "red"}
    assert lim.loc["a", "low"] == pytest.approx(0.5, abs=0.05)
    assert not lim.loc[["c", "d"], "restricted"].any()


def test_covering_finds_two_separate_boxes() -> None:
    rng = np.random.default_rng(4)
    x = pd.DataFrame(rng.uniform(size=(3000, 3)), columns=["a", "b", "c"])
    y = ((x["a"] < 0.25) | (x["b"] > 0.8)).to_numpy()
    res = prim(x, y, threshold=0.95, max_boxes=3)
    assert len(res.boxes) >= 2
    found = [set(b.limits.loc[b.limits["restricted"], "parameter"]) for b in res.boxes[:2]]
    assert {"a"} in found and {"b"} in found
    assert res.trajectory.groupby("box")["coverage"].first().iloc[1] < 1  # the rest, after box 1


def test_peels_take_whole_grid_levels() -> None:
    levels = np.repeat(np.linspace(0.4, 0.8, 5), 40)
    x = pd.DataFrame({"s": levels, "g": np.tile([0.3, 0.55, 0.8], 200 // 3 + 1)[:200]})
    y = (x["s"] < 0.65).to_numpy() & (x["g"] > 0.5).to_numpy()
    res = prim(x, y, threshold=0.99)
    lim = res.boxes[0].limits.set_index("parameter")
    assert set(lim[["low", "high"]].to_numpy().ravel()) <= set(np.linspace(0.4, 0.8, 5)) | {0.3, 0.55, 0.8}
    assert lim.loc["s", "high"] == pytest.approx(0.6) and lim.loc["g", "low"] == pytest.approx(0.55)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(20, 200), levels=st.integers(2, 12), alpha=st.sampled_from([0.05, 0.1, 0.2]),
       mass_min=st.sampled_from([0.05, 0.1, 0.3]), p=st.floats(0.05, 0.95), seed=st.integers(0, 10_000),
       threshold=st.floats(0.3, 1.0))
def test_trajectory_invariants(n: int, levels: int, alpha: float, mass_min: float, p: float, seed: int,
                               threshold: float) -> None:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"u": rng.uniform(size=n), "grid": rng.integers(0, levels, size=n).astype(float),
                      "cat": rng.choice(["a", "b", "c"], size=n)})
    y = rng.uniform(size=n) < p
    if not y.any():
        return
    res = prim(x, y, threshold=threshold, peel_alpha=alpha, paste_alpha=alpha, mass_min=mass_min, max_boxes=1)
    traj = res.trajectory
    first = traj.iloc[0]
    assert first["n"] == n and first["density"] == pytest.approx(y.mean()) and first["coverage"] == 1
    peel = traj[traj["stage"] != "paste"]
    assert (np.diff(peel["n"]) < 0).all() and (np.diff(peel["coverage"]) <= 1e-12).all()
    assert (peel["mass"].iloc[1:] >= mass_min - 1e-12).all()
    paste = traj[traj["stage"] != "peel"].iloc[1:] if (traj["stage"] == "paste").any() else traj.iloc[0:0]
    if len(paste):
        dens = np.r_[peel["density"].iloc[-1], paste["density"]]
        assert (np.diff(dens) > 0).all()
    np.testing.assert_allclose(traj["coverage"], traj["k"] / y.sum())
    np.testing.assert_allclose(traj["density"], traj["k"] / traj["n"])
    box = res.boxes[0]
    chosen, meets = choose(traj, threshold)
    assert chosen == box.chosen and traj["chosen"].sum() == 1
    if meets:
        assert traj["density"].iloc[chosen] >= threshold
        assert traj["coverage"].iloc[chosen] == traj.loc[traj["density"] >= threshold, "coverage"].max()
    else:
        assert traj["density"].iloc[chosen] == traj["density"].max()
    # the box's limits hold exactly the runs it counts
    lim = box.limits.set_index("parameter")
    inside = np.ones(n, dtype=bool)
    for name in ("u", "grid"):
        inside &= (x[name] >= lim.loc[name, "low"]).to_numpy() & (x[name] <= lim.loc[name, "high"]).to_numpy()
    inside &= x["cat"].isin(lim.loc["cat", "values"].split(", ")).to_numpy()
    assert inside.sum() == traj["n"].iloc[chosen] and y[inside].sum() == traj["k"].iloc[chosen]


def test_feature_scores_put_the_planted_parameter_first_and_beat_the_dummy() -> None:
    x, y = _planted(n=1500, noise=0.05)
    x["dummy"] = np.random.default_rng(9).uniform(size=len(x))
    scores = feature_scores(x, y, seed=0, trees=200)
    assert scores["parameter"].iloc[:2].tolist() in (["a", "b"], ["b", "a"])
    assert scores.set_index("parameter").loc[["a", "b"], "above_dummy"].all()


def _fake_sweep(folder: Path) -> None:
    """A grid 'sweep' whose deal probability is known: high when guarantee >= 0.55 and strength <= 0.6."""
    rng = np.random.default_rng(0)
    s_levels, g_levels, reps = np.linspace(0.4, 0.8, 5), [0.3, 0.55, 0.8], 20
    rows = []
    for point, (s, g) in enumerate((s, g) for s in s_levels for g in g_levels):
        p = 0.9 if (g > 0.5 and s < 0.65) else 0.15
        for r in range(reps):
            deal = rng.uniform() < p
            rows.append({"run_id": point * reps + r, "point": point, "replication": r, "seed": r,
                         "ruler.regime_strength": s, "challengers.wagner.guarantee_value": g,
                         "status": "ok", "error": "",
                         "outcome": "negotiated_settlement" if deal else "regime_survives",
                         "time_to_outcome_h": 30.0 if deal else 96.0})
    folder.mkdir()
    pd.DataFrame(rows).to_parquet(folder / "runs.parquet", index=False)
    (folder / "manifest.json").write_text(json.dumps({
        "status": "done", "scenario_name": "fake", "design": "grid", "points": 15, "replications": reps,
        "parameters": [{"path": "ruler.regime_strength", "kind": "float", "low": 0.4, "high": 0.8,
                        "values": []},
                       {"path": "challengers.wagner.guarantee_value", "kind": "categorical", "low": None,
                        "high": None, "values": g_levels}]}))


def test_discover_end_to_end_on_a_sweep_folder(tmp_path: Path) -> None:
    from sim.cli import app

    folder = tmp_path / "sweep"
    _fake_sweep(folder)
    res = CliRunner().invoke(app, ["discover", str(folder), "--outcome", "negotiated_settlement"])
    assert res.exit_code == 0, res.output
    out = folder / "discovery"
    for name in ("prim_boxes.csv", "prim_boxes.parquet", "prim_trajectory.csv", "prim_trajectory.parquet",
                 "feature_scores.csv", "feature_scores.parquet", "discovery.txt", "discovery.json",
                 "prim_tradeoff.png", "prim_tradeoff.svg", "prim_box.png", "prim_box.svg"):
        assert (out / name).exists(), name
    lim = pd.read_csv(out / "prim_boxes.csv")
    box1 = lim[lim["box"] == 1].set_index("parameter")
    assert box1.loc["ruler.regime_strength", "high"] == pytest.approx(0.6)
    assert box1.loc["challengers.wagner.guarantee_value", "low"] == pytest.approx(0.55)
    assert "PRIM box 1" in res.output and "dummy" in (out / "discovery.txt").read_text()

    by_measure = CliRunner().invoke(app, ["discover", str(folder), "--measure", "time_to_outcome_h", "--below",
                                          "48", "--out", str(tmp_path / "m"), "--no-figures"])
    assert by_measure.exit_code == 0, by_measure.output
    bad = CliRunner().invoke(app, ["discover", str(folder), "--outcome", "negotiated_setlement"])
    assert bad.exit_code == 2 and "did you mean 'negotiated_settlement'" in bad.output
    none = CliRunner().invoke(app, ["discover", str(folder), "--outcome", "coup_succeeds"])
    assert none.exit_code == 2 and "no run has coup succeeds" in none.output
    missing = CliRunner().invoke(app, ["discover", str(tmp_path), "--outcome", "coup_succeeds"])
    assert missing.exit_code == 2 and "not a finished sweep" in missing.output
