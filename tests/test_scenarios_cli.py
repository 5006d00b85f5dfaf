"""Every bundled scenario validates and runs; the CLI and the Python API do what they say."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.model.outcomes import OUTCOMES

from .conftest import SCENARIOS, TINY, assert_outcome_matches_state


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_bundled_scenario_validates_runs_and_has_an_info_tab_and_a_sweep(path: Path) -> None:
    scn = sim.load_scenario(path)
    d = scn.description
    assert d.what_is_it and d.things_to_notice and d.things_to_try
    assert scn.sweep is not None and scn.sweep.question and scn.sweep.parameters
    res = sim.run(scn)
    assert_outcome_matches_state(res, scn)
    assert len(res.series) > 1 and not res.events.empty


def test_five_required_scenarios_ship() -> None:
    names = {p.stem for p in SCENARIOS}
    assert {"baseline", "mobilization_2022", "wagner_mutiny_2023", "elite_coup", "mass_protest"} <= names


def test_mutiny_story_and_history_the_most_common_outcome() -> None:
    scn = sim.load_scenario("wagner_mutiny_2023")
    outcomes = Counter()
    for seed in range(1, 21):
        res = sim.run(scn, seed=seed)
        assert_outcome_matches_state(res, scn)
        outcomes[res.outcome] += 1
        # the story every seed tells: the ultimatum; and whenever he marches, from Rostov-on-Don
        text = "\n".join(res.timeline())
        assert "issues an ultimatum" in text, seed
        marched = "marches on Moscow" in text
        assert marched == ("sets out from Rostov-on-Don" in text), seed
    # history: the mutiny ended in the deal Lukashenko brokered; at the bundled parameters it is
    # the outcome of most seeds (13 of these 20 and 131 of seeds 1-200 on the seeded kernel's
    # stream, 16 and 142 on numpy's draws before it; 55% over the bundled sweep)
    assert outcomes["negotiated_settlement"] > 10, outcomes


def test_baseline_is_quiet() -> None:
    res = sim.run(sim.load_scenario("baseline"), seed=5)
    assert res.outcome == "regime_survives" and res.measures["peak_protest_share"] == 0


def test_mobilization_exodus_outnumbers_the_draft() -> None:
    res = sim.run(sim.load_scenario("mobilization_2022"), seed=1)
    m = res.measures
    assert m["emigrants"] > m["mobilized"] > 50_000
    assert m["peak_protest__Dagestan"] > m["peak_protest__Moscow"]


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def test_cli_run_writes_tables_manifest_and_figure(tmp_path: Path) -> None:
    out = tmp_path / "run"
    res = _cli("run", str(TINY), "--seed", "4", "--set", "public.vision=2", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "OUTCOME" in res.stdout and "day 1" in res.stdout
    for f in ("series.parquet", "events.csv", "stances.csv", "units.csv", "manifest.json", "measures.json",
              "timeline.png", "timeline.svg", "scenario.yaml", "timeline.txt"):
        assert (out / f).exists(), f
    man = json.loads((out / "manifest.json").read_text())
    assert man["seed"] == 4 and man["scenario_sha256"] and man["versions"]["mesa"].startswith("3.5")
    assert man["overrides"] == ["public.vision=2"]
    series = pd.read_parquet(out / "series.parquet")
    assert {"hour", "regime_strength", "protest_share"} <= set(series.columns)


def test_cli_validate_schema_list_rules() -> None:
    res = _cli("validate", *map(str, SCENARIOS))
    assert res.returncode == 0 and res.stdout.count(": ok") == len(SCENARIOS)
    schema = json.loads(_cli("schema").stdout)
    assert "scenario" in schema["title"].lower()
    full = schema["$defs"]["Scenario"]["properties"]
    assert {"regions", "institutions", "units", "ruler", "challengers", "mediator", "events"} <= set(full)
    listing = _cli("list").stdout
    for p in SCENARIOS:
        assert p.stem in listing
    assert "units.stance_choice" in _cli("rules").stdout


def test_python_api_load_override_run_tables() -> None:
    scn = sim.load_scenario(TINY, {"ruler.regime_strength": 0.8})
    assert scn.ruler.regime_strength == 0.8
    res = sim.run(scn, seed=2)
    assert isinstance(res.series, pd.DataFrame) and isinstance(res.events, pd.DataFrame)
    assert res.measures["outcome"] == res.outcome
    # units are of an institution and back a side (the ruler, a challenger, or none)
    assert {"unit", "institution", "side", "stance", "plot"} <= set(res.units.columns)
    assert set(res.units["institution"]) <= set(scn.institutions)
    assert set(res.units["side"]) <= {*scn.sides, "aside"}
    assert {"from_side", "to_side", "institution"} <= set(res.stances.columns)
    assert {"ruler_status", "capital_holder", "crowd_deaths"} <= set(res.measures)
    assert {f"status__{c}" for c in scn.sides[1:]} <= set(res.measures)
    assert {"unresolved", "ruler_ousted", "negotiated_settlement", "coup_succeeds"} <= set(OUTCOMES)
    assert "wagner_mutiny_2023" in sim.list_scenarios()
