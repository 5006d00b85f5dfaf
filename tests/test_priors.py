"""`regime-sim sweep SCENARIO --design priors`: a Latin hypercube over the assumed range of every
default the scenario relies on, with seed replications, through the ordinary sweep machinery -
its runs get the drawn values (a replay matches), its answer carries the spread between draws,
its report folds the ~100 parameters, and bad options give one line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.model.outcomes import OUTCOMES

from .conftest import TINY, chromium_page, cli, one_line, require_chromium


def test_priors_draw_only_the_defaults_the_scenario_leaves_to_the_schema() -> None:
    from sim.scenario.loader import load_scenario_with_raw
    from sim.scenario.schema import assumed_parameters
    from sim.sweep.design import priors_factors

    scn, raw, _ = load_scenario_with_raw(TINY, ["sponsor.enabled=false", "elites.fact_bonus=0.3"])
    fs = {f.path: f for f in priors_factors(scn, raw)}
    # a unit that states its loyalty keeps it; the others share one drawn value
    loyalty = fs["units.*.loyalty"].targets
    assert "units.army_a.loyalty" not in loyalty and "units.guard.loyalty" not in loyalty
    assert "units.army_b.loyalty" in loyalty
    assert "elites.fact_bonus" not in fs  # stated on the command line: the scenario's premise
    assert "elites.switch_cost" in fs
    assert not any(p.startswith("sponsor.") for p in fs)  # switched off: nothing of it acts
    assert not any(p.startswith("events") for p in fs)  # the events are the scenario's question
    ranges = {p.path: (p.low, p.high) for p in assumed_parameters()}
    for f in fs.values():
        key = f.path.replace(".*.", ".<id>.")
        assert (f.low, f.high) == ranges[key], f.path


def test_a_priors_sweep_end_to_end_on_the_tiny_world(tmp_path: Path) -> None:
    out = tmp_path / "priors"
    res = cli("sweep", str(TINY), "--design", "priors", "--samples", "6", "--reps", "2", "--out", str(out),
              timeout=900)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    man = json.loads((out / "manifest.json").read_text())
    assert man["design"] == "priors" and man["points"] == 6 and man["replications"] == 2 and man["runs"] == 12
    params = man["parameters"]
    assert len(params) > 50 and any(p.get("targets") for p in params)
    design = pd.read_parquet(out / "design.parquet")
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 12 and (runs["status"] == "ok").all()
    for p in params:  # each draw within its range, the Latin hypercube: one draw per sixth of it
        x = design[p["path"]].to_numpy()
        assert ((x >= p["low"]) & (x <= p["high"])).all(), p["path"]
        if p["kind"] == "float":
            strata = ((x - p["low"]) / (p["high"] - p["low"]) * 6).astype(int).clip(0, 5)
            assert sorted(strata) == list(range(6)), p["path"]
    text = (out / "answer.txt").read_text()
    assert "with every assumed parameter drawn from its range" in text and "draws of 2 seeds" in text
    head = text.split("The other outcomes:")[0]
    assert len(head.splitlines()) < 15  # not one line per parameter
    assert len(text.splitlines()) < 15 + len(OUTCOMES)  # then at most a line per other outcome that occurred
    bands = list(out.glob("sweep_outcomes_*.png"))
    assert 1 <= len(bands) <= 6  # the strongest few, not a hundred

    # a run of the sweep replays exactly: the drawn values reached every entry they stand for
    replay = cli("run", "--from-sweep", str(out), "--run-id", "5", "--out", str(tmp_path / "r"), "--quiet",
                 timeout=600)
    assert replay.returncode == 0, replay.stdout[-2000:] + replay.stderr[-2000:]
    from sim.sweep.replay import load_sweep_run

    run = load_sweep_run(out, 5)
    fear = design.set_index("point").at[int(runs.loc[runs["run_id"] == 5, "point"].iloc[0]), "units.*.fear"]
    assert [u.fear for u in run.scenario.units.values()] == pytest.approx([fear] * len(run.scenario.units))

    rep = cli("report", str(out), timeout=600)
    assert rep.returncode == 0, rep.stderr[-2000:]
    page_html = (out / "report.html").read_text()
    assert "<details><summary>" in page_html and "assumed parameters, each drawn" in page_html
    require_chromium()
    with chromium_page() as (page, requests, errors):
        page.goto((out / "report.html").as_uri())
        assert page.title().endswith("regime-sim report")
        assert not errors, errors
        assert all(u.startswith(("file:", "data:")) for u in requests), requests


@pytest.mark.parametrize("args, fragments", [
    (["--design", "prior"], ["unknown design 'prior'"]),
    (["--design", "priors", "--samples", "0"], ["--samples must be at least 1"]),
    (["--design", "priors", "--reps", "0"], ["--reps must be at least 1"]),
])
def test_bad_priors_options_are_one_line(args: list[str], fragments: list[str], tmp_path: Path) -> None:
    one_line(cli("sweep", str(TINY), *args, "--out", str(tmp_path / "x")), *fragments)
