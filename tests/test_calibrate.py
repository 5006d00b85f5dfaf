"""regime-sim calibrate: targets as data, bad input, the overlay, resume after kill -9, and
parameter recovery (the calibration is right, not only running)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.scenario.errors import ScenarioError

from .conftest import ROOT, cli, one_line

pytest.importorskip("pyabc")

DATA = ROOT / "tests" / "data"
SOURCE = '{publication: "synthetic"}'


def targets_file(tmp_path: Path, body: str, name: str = "case.yaml") -> Path:
    p = tmp_path / name
    p.write_text(f"case: t\nscenario: {DATA / 'tiny_recovery.yaml'}\n" + body)
    return p


# ----------------------------------------------------------------------------- targets as data
def test_bundled_targets_name_measures_their_scenarios_report() -> None:
    from sim.calibrate.engine import load_cases, resolve_priors

    cases = load_cases(["wagner_mutiny_2023", "turkey_2016", "egypt_2011", "mobilization_2022"])
    measures = {c.name: [t.measure for t in c.case.spec.targets] for c in cases}
    assert {"outcome", "closest_approach_km", "time_to_outcome_h", "casualties"} <= set(measures["wagner_mutiny_2023"])
    assert {"mobilized", "emigrants", "arrests"} <= set(measures["mobilization_2022"])
    for c in cases:
        for t in c.case.spec.targets:
            assert t.source.text()  # every target carries its source
    priors, applies = resolve_priors(cases, None)
    assert "ruler.regime_strength" in applies["turkey_2016"]  # shared across cases: fitted jointly


@pytest.mark.parametrize("body, fragments", [
    (f"targets:\n  - measure: aircraft_lost\n    observed: 7\n    source: {SOURCE}\n",
     ["case.yaml:4", "targets[0].measure", "no measure 'aircraft_lost'"]),
    (f"targets:\n  - measure: emigrants\n    observed: [500, 100]\n    source: {SOURCE}\n",
     ["case.yaml:4", "targets[0]", "low 500 > high 100"]),
    ("targets: []\n", ["case.yaml:3", "targets", "no targets"]),
    (f"targets:\n  - measure: outcome\n    observed: ruler_flees\n    source: {SOURCE}\n",
     ["case.yaml:5", "targets[0].observed", "unknown outcome 'ruler_flees'"]),
    ("targets:\n  - measure: emigrants\n    observed: 400\n    source: {article: '001'}\n",
     ["case.yaml:6", "targets[0].source", "give 'article' and 'quote'"]),
    (f"targets:\n  - measure: emigrants\n    observed: 400\n    source: {SOURCE}\n"
     "fit:\n  - path: public.backfire\n    range: [0.0, 3.0]\n",
     ["case.yaml:9", "fit[0].range", "leaves its valid domain"]),
])
def test_bad_targets_are_one_line_with_file_line_and_field(tmp_path: Path, body: str, fragments: list[str]) -> None:
    from sim.calibrate.engine import load_cases, resolve_priors

    path = targets_file(tmp_path, body)
    with pytest.raises(ScenarioError) as exc:
        resolve_priors(load_cases([str(path)]), None)
    message = str(exc.value)
    assert "\n" not in message
    for frag in fragments:
        assert frag in message, (frag, message)


def test_bad_targets_on_the_command_line_exit_2_without_traceback(tmp_path: Path) -> None:
    path = targets_file(tmp_path, f"targets:\n  - measure: emigrnts\n    observed: 7\n    source: {SOURCE}\n")
    one_line(cli("calibrate", str(path), "--fit", "public.exit_rate_per_day=0.0001:0.002", "--out",
                 str(tmp_path / "out")), "case.yaml:4", "did you mean 'emigrants'")
    one_line(cli("calibrate", "no_such_case"), "no targets file for case 'no_such_case'")


def test_default_range_uses_the_assumed_table_or_asks_for_a_range() -> None:
    from sim.calibrate.ranges import default_range

    table = {"ruler.regime_strength": (0.2, 0.9), "units.*.loyalty": (0.3, 0.95)}
    assert default_range("ruler.regime_strength", lambda: table) == (0.2, 0.9)
    assert default_range("units.guard.loyalty", lambda: table) == (0.3, 0.95)
    with pytest.raises(ScenarioError, match="no assumed range known for public.backfire; give one"):
        default_range("public.backfire", lambda: None)


# ----------------------------------------------------------------------------- the overlay
def test_overlay_is_applied_like_set_values_and_recorded(tmp_path: Path) -> None:
    overlay = tmp_path / "tiny.yaml"
    overlay.write_text("cases: [t]\nparams:\n  ruler.regime_strength: 0.77   # 90% interval ...\n")
    res = cli("run", str(DATA / "tiny_recovery.yaml"), "--params", str(overlay), "--set", "seed=4",
              "--out", str(tmp_path / "run"), "--no-figures", "-q")
    assert res.returncode == 0, res.stderr[-2000:]
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["overrides"][:2] == ["ruler.regime_strength=0.77", "seed=4"]
    overlay.write_text("params:\n  ruler.regime_strength: 7\n")
    one_line(cli("run", str(DATA / "tiny_recovery.yaml"), "--params", str(overlay), "-q"),
             "ruler.regime_strength", "1")


# ----------------------------------------------------------------------------- resume after kill -9
def _max_t(db: Path) -> int:
    try:
        with sqlite3.connect(db) as con:
            row = con.execute("select max(t) from populations").fetchone()
        return -2 if row[0] is None else int(row[0])
    except sqlite3.Error:
        return -2


@pytest.mark.slow
def test_kill_9_loses_at_most_the_generation_in_flight(tmp_path: Path) -> None:
    out = tmp_path / "cal"
    args = [sys.executable, "-m", "sim", "calibrate", str(DATA / "tiny_targets.yaml"), "--fit",
            "public.exit_rate_per_day=0.0001:0.002", "--particles", "12", "--generations", "4",
            "--replications", "1", "--draws", "4", "--no-figures", "--seed", "5",
            "--overlay", str(tmp_path / "overlay.yaml"), "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 240
    while _max_t(out / "abc.db") < 1 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
    assert proc.poll() is None, "finished before it could be killed; " + proc.stderr.read().decode()[-1000:]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    kept = _max_t(out / "abc.db")
    assert kept >= 1
    with sqlite3.connect(out / "abc.db") as con:
        eps_before = dict(con.execute("select t, epsilon from populations where t >= 0").fetchall())
    # a fresh start into the used folder is refused; --resume finishes it
    one_line(cli("calibrate", *args[4:]), "already exists", "--resume")
    res = subprocess.run(args + ["--resume"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    gens = pd.read_csv(out / "generations.csv")
    assert list(gens.generation) == [0, 1, 2, 3]
    for t, eps in eps_before.items():  # the generations saved before the kill are kept as they were
        assert gens.threshold[t] == pytest.approx(eps)
    assert json.loads((out / "manifest.json").read_text())["resumed"] is True
    assert (tmp_path / "overlay.yaml").read_text().count("public.exit_rate_per_day:") == 1


# ----------------------------------------------------------------------------- parameter recovery
def recover(tmp_path: Path, replicas: int, particles: int, generations: int, seed: int) -> list[dict]:
    """Synthetic data from known exit rates in the one-day tiny world; the 90% credible interval of
    each replica's posterior against the true value."""
    from sim.calibrate.engine import (
        Simulator,
        calibrate,
        load_cases,
        posterior,
        resolve_priors,
        summarise,
    )
    from sim.model.model import RegimeModel
    from sim.scenario.loader import load_scenario

    low, high = 0.0001, 0.002
    ss = np.random.SeedSequence(seed)
    rng = np.random.default_rng(ss)
    rows = []
    for i in range(replicas):
        true = float(rng.uniform(low + 0.1 * (high - low), high - 0.1 * (high - low)))
        scn = load_scenario(DATA / "tiny_recovery.yaml", {"public.exit_rate_per_day": true})
        model = RegimeModel(scn, seed=int(rng.integers(2**31)))
        model.run()
        observed = model.measures()["emigrants"]
        path = targets_file(tmp_path, f"targets:\n  - measure: emigrants\n    observed: {observed}\n"
                                      f"    source: {SOURCE}\nfit:\n  - path: public.exit_rate_per_day\n"
                                      f"    range: [{low}, {high}]\n", name=f"case{i}.yaml")
        cases = load_cases([str(path)])
        priors, applies = resolve_priors(cases, None)
        sim = Simulator(cases=cases, priors=priors, seed=seed + i, applies=applies)
        import pyabc

        history = calibrate(sim, tmp_path / f"abc{i}.db", particles=particles, generations=generations,
                            seed=seed + i, resume=False, sampler=pyabc.sampler.SingleCoreSampler())
        row = summarise(posterior(history, priors), priors)[0]
        rows.append({"true": true, **row, "covered": row["q05"] <= true <= row["q95"]})
    return rows


@pytest.mark.slow
def test_parameter_recovery_covers_the_true_value(tmp_path: Path) -> None:
    rows = recover(tmp_path, replicas=10, particles=20, generations=3, seed=11)
    covered = sum(r["covered"] for r in rows)
    widths = [r["width_ratio"] for r in rows]
    detail = [(round(r["true"], 6), round(r["q05"], 6), round(r["q95"], 6)) for r in rows]
    assert covered >= 7, detail
    # and the intervals say something: much narrower than the prior (a flat posterior covers always)
    assert float(np.median(widths)) < 0.6, (widths, detail)
    # the posterior medians follow the true values
    assert np.corrcoef([r["true"] for r in rows], [r["median"] for r in rows])[0, 1] > 0.8, detail


# ----------------------------------------------------------------------------- out of case, and the report
@pytest.fixture(scope="module")
def left_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small calibration on the tiny world that leaves a second case out."""
    tmp = tmp_path_factory.mktemp("leave_out")
    other = targets_file(tmp, f"targets:\n  - measure: emigrants\n    observed: [150, 400]\n    source: {SOURCE}\n",
                         name="one_day.yaml")
    out = tmp / "cal"
    res = cli("calibrate", str(DATA / "tiny_targets.yaml"), "--leave-out", str(other), "--particles", "8",
              "--generations", "2", "--replications", "1", "--draws", "4", "--out", str(out), "--overlay",
              str(tmp / "overlay.yaml"), timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "left-out case t" in res.stdout
    return out


@pytest.mark.slow
def test_leave_out_reports_only_the_left_out_case(left_out: Path) -> None:
    ppc = pd.read_csv(left_out / "predictive.csv")
    assert set(ppc.case) == {"t"} and not ppc.in_sample.any()
    manifest = json.loads((left_out / "manifest.json").read_text())
    assert manifest["cases"] == ["tiny"] and manifest["leave_out"] == ["t"]
    post = pd.read_parquet(left_out / "posterior.parquet")
    assert len(post) == 8 and post.weight.sum() == pytest.approx(1.0)
    assert (post["public.exit_rate_per_day"] >= 0.0001).all() and (post["public.exit_rate_per_day"] <= 0.002).all()


@pytest.mark.slow
def test_calibration_report_is_one_self_contained_page(left_out: Path) -> None:
    import re

    text = (left_out / "report.html").read_text()
    for section in ("What moved, and what the data could not constrain", "Predictive check", "out of sample",
                    "public.exit_rate_per_day", "prior (uniform)", "Generations"):
        assert section in text, section
    assert text.count("data:image/png;base64,") == 3
    assert not re.search(r"<(script|link|iframe)\b", text, re.IGNORECASE)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text, re.IGNORECASE)


@pytest.mark.slow
@pytest.mark.browser
def test_calibration_report_loads_in_headless_chromium(left_out: Path) -> None:
    from .conftest import chromium_page, require_chromium

    require_chromium()
    with chromium_page() as (page, requests, problems):
        page.goto((left_out / "report.html").as_uri())
        page.wait_for_load_state("networkidle")
        assert page.title().endswith("regime-sim report")
        widths = page.eval_on_selector_all("figure img", "imgs => imgs.map(i => i.naturalWidth)")
        assert len(widths) == 3 and min(widths) > 500
        page.screenshot(path=str(left_out / "screenshot.png"), full_page=True)
    assert not problems, problems
    assert not [u for u in requests if not u.startswith(("file:", "data:", "about:"))]
