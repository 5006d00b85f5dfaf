"""Paired statistics on common random numbers, the rule audit's classification and stated
directions, and the ``audit`` and ``compare`` commands end to end on the tiny world."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.paired import stats
from sim.paired.stats import ACTS, CONTRARY, NONE

from .conftest import ROOT, TINY, chromium_page, cli, one_line, require_chromium


# ------------------------------------------------------------------ statistics with known answers
def test_newcombe_reproduces_the_textbook_example() -> None:
    """Fagerland, Lydersen & Laake (2017), ch. 8: Cavo et al. (2012), complete response before
    (rows) and after (columns) consolidation therapy, [[59, 6], [16, 80]]: the Newcombe
    square-and-add interval of p1+ - p+1 is -0.0621 (-0.1186 to -0.0046)."""
    ci = stats.newcombe_paired(both=59, only_a=16, only_b=6, neither=80)  # B = rows, A = columns
    assert (round(ci.estimate, 4), round(ci.low, 4), round(ci.high, 4)) == (-0.0621, -0.1186, -0.0046)
    flipped = stats.newcombe_paired(both=59, only_a=6, only_b=16, neither=80)
    assert (round(flipped.low, 4), round(flipped.high, 4)) == (0.0046, 0.1186)


def test_newcombe_edges() -> None:
    same = stats.newcombe_paired(10, 0, 0, 30)  # no discordant pair: no difference, but not certainty
    assert same.estimate == 0 and same.low < 0 < same.high
    assert math.isclose(-same.low, same.high)
    assert all(math.isnan(v) for v in (stats.newcombe_paired(0, 0, 0, 0).low,))
    everything = stats.newcombe_paired(0, 0, 40, 0)  # B always, A never
    assert everything.estimate == 1 and 0.8 < everything.low < 1 and everything.high == 1
    with pytest.raises(ValueError):
        stats.newcombe_paired(1, -1, 0, 0)


def test_paired_mean_is_the_t_interval_of_the_differences() -> None:
    a = np.array([10.0, 20.0, 30.0, 40.0, 50.0, np.nan])
    b = a + np.array([1.0, 2.0, 3.0, 4.0, 5.0, 9.0])
    ci, n = stats.paired_mean(a, b)
    half = 2.7764451051977987 * math.sqrt(2.5) / math.sqrt(5)  # t(0.975, 4) sd / sqrt(n)
    assert n == 5 and ci.estimate == 3.0
    assert math.isclose(ci.low, 3 - half) and math.isclose(ci.high, 3 + half)
    constant, _ = stats.paired_mean(np.array([1.0, 5.0, 9.0]), np.array([3.0, 7.0, 11.0]))
    assert (constant.estimate, constant.low, constant.high) == (2.0, 2.0, 2.0)


def test_variance_reduction_against_independent_seeds() -> None:
    a = np.array([1.0, 2.0, 3.0, 4.0])
    ind, par, ratio = stats.variances(a, a + 1)  # perfectly correlated: the pairing removes all noise
    assert par == 0 and ratio == math.inf and math.isclose(ind, 2 * np.var(a, ddof=1))
    _, par, ratio = stats.variances(a, a[::-1].copy())  # anti-correlated: pairing hurts
    assert math.isclose(par, np.var(a[::-1] - a, ddof=1)) and math.isclose(ratio, 0.5)


@pytest.mark.parametrize(("low", "high", "stated", "expected"), [
    (0.1, 0.3, "higher", ACTS), (0.1, 0.3, "lower", CONTRARY), (-0.3, -0.1, "lower", ACTS),
    (-0.3, -0.1, "higher", CONTRARY), (-0.1, 0.2, "higher", NONE), (0.0, 0.0, "lower", NONE),
    (math.nan, math.nan, "lower", NONE)])
def test_classification(low: float, high: float, stated: str, expected: str) -> None:
    assert stats.classify(low, high, stated) == expected


def test_classify_refuses_a_direction_it_does_not_know() -> None:
    with pytest.raises(ValueError):
        stats.classify(0.1, 0.2, "up")


def _runs(outcomes: list[str], values: list[float], status: list[str] | None = None, seed0: int = 100) -> pd.DataFrame:
    n = len(outcomes)
    return pd.DataFrame({"run_id": range(n), "replication": range(n), "seed": [seed0 + i for i in range(n)],
                         "status": status or ["ok"] * n, "outcome": outcomes, "casualties": values,
                         "peak_protest__X": values, "peak_protest__Y": [0.0] * n})


def test_paired_table_on_constructed_runs() -> None:
    a = _runs(["regime_survives"] * 8 + ["coup_succeeds"] * 2, [1.0] * 10)
    b = _runs(["regime_survives"] * 4 + ["coup_succeeds"] * 6, [3.0] * 9 + [5.0],
              status=["ok"] * 9 + ["failed"])
    t = stats.paired_table(a, b).set_index("quantity")
    # run 9 failed in B: dropped from both arms; 4 runs flip survives -> coup, none the other way
    assert t.at["coup_succeeds", "n"] == 9 and t.at["coup_succeeds", "only_b"] == 4
    assert t.at["coup_succeeds", "only_a"] == 0 and math.isclose(t.at["coup_succeeds", "diff"], 4 / 9)
    assert t.at["challenge_wins", "diff"] == t.at["coup_succeeds", "diff"]
    assert t.at["coup_succeeds", "low"] > 0
    assert (t.at["casualties", "diff"], t.at["casualties", "low"]) == (2.0, 2.0)
    assert t.at["peak_protest_max_region", "b"] == 3.0  # the highest region's peak
    assert int(t.at["casualties", "dropped_pairs"]) == 1


def test_the_comparison_answer_names_measures_in_words_and_their_units() -> None:
    # not 'defected_share_peak: 0.02 -> 0.05' but its label, its unit, and the value in that unit
    from sim.paired.arms import Arm
    from sim.paired.compare import answer

    row = {"kind": "measure", "n": 10, "variance_ratio": 2.0, "only_a": 0, "only_b": 0}
    table = pd.DataFrame([
        {**row, "quantity": "defected_share_peak", "a": 0.02, "b": 0.05, "diff": 0.03, "low": 0.01, "high": 0.05},
        {**row, "quantity": "casualties", "a": 10.0, "b": 30.0, "diff": 20.0, "low": 5.0, "high": 35.0},
    ])
    arms = [Arm("a", "A", {}, ""), Arm("b", "B", {}, "")]
    text = answer(table, pd.DataFrame(), arms, [("ruler.regime_strength", 0.6, 0.4)])
    assert "share of armed strength that defected, peak, % of armed men: 2 -> 5, B - A = +3 [+1, +5]" in text
    assert "casualties of the crisis (fighting and crowds), people: 10 -> 30" in text
    assert "defected_share_peak" not in text and "  casualties:" not in text


def test_arms_on_other_seeds_are_refused() -> None:
    with pytest.raises(ValueError, match="same seeds"):
        stats.paired_table(_runs(["civil_war"] * 3, [1.0] * 3), _runs(["civil_war"] * 3, [1.0] * 3, seed0=7))


# ------------------------------------------------------------------ stated directions
def test_every_rule_states_a_direction_the_audit_measures() -> None:
    from sim.paired.audit import stated_effects
    from sim.rules import RULES

    effects = stated_effects(list(RULES))
    assert set(effects) == set(RULES)
    assert {sign for _, sign in effects.values()} <= {"higher", "lower"}


def test_a_rule_without_a_direction_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from sim.paired.audit import stated_effects
    from sim.rules import RULES
    from sim.scenario.errors import ScenarioError

    monkeypatch.setitem(RULES, "public.exit", dataclasses.replace(RULES["public.exit"], direction=""))
    with pytest.raises(ScenarioError, match="public.exit states no direction"):
        stated_effects(["public.exit"])
    monkeypatch.setitem(RULES, "public.exit", dataclasses.replace(RULES["public.exit"], direction="happiness: lower"))
    with pytest.raises(ScenarioError, match="does not measure"):
        stated_effects(["public.exit"])


def test_docs_audit_covers_every_rule() -> None:
    from sim.rules import RULES

    text = (ROOT / "docs" / "audit.md").read_text()
    missing = [r for r in RULES if f"`{r}`" not in text]
    assert not missing, f"docs/audit.md misses {missing}: regenerate it (make docs)"


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(("args", "fragment"), [
    (["audit", "no_such_scenario", "--seeds", "2"], "no_such_scenario"),
    (["audit", str(TINY), "--rule", "units.nothing"], "unknown rule id units.nothing"),
    (["audit", str(TINY), "--seeds", "0"], "--seeds must be at least 1"),
    (["compare", str(TINY), "--seeds", "0", "--b-set", "ruler.regime_strength=0.4"], "--seeds must be at least 1"),
    (["compare", str(TINY)], "do not differ"),
    (["compare", str(TINY), "--a-set", "ruler.regime_strength=0.4", "--b-set", "ruler.regime_strength=0.4"],
     "do not differ"),
    (["compare", str(TINY), "no_such_file.yaml"], "no_such_file.yaml"),
])
def test_bad_input_is_one_line(args: list[str], fragment: str, tmp_path: Path) -> None:
    one_line(cli(*args, "--out", str(tmp_path / "out")), fragment)


# ------------------------------------------------------------------ end to end on the tiny world
@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("compare") / "cmp"
    res = cli("compare", str(TINY), "--b-set", "ruler.regime_strength=0.4", "--seeds", "6", "--out", str(out))
    assert res.returncode == 0, res.stderr[-3000:]
    return out


def test_compare_writes_the_paired_table_flips_figure_and_page(compared: Path) -> None:
    table = pd.read_parquet(compared / "compare.parquet")
    assert set(stats.PAIRED_OUTCOMES) <= set(table["quantity"])
    a = pd.read_parquet(compared / "a" / "runs.parquet")
    b = pd.read_parquet(compared / "b" / "runs.parquet")
    assert list(a["seed"]) == list(b["seed"])  # common random numbers
    flips = pd.read_csv(compared / "flips.csv")
    expected = int((a["outcome"] != b["outcome"]).sum())
    assert len(flips) == expected
    assert (compared / "compare.png").stat().st_size > 20_000
    assert "ruler.regime_strength" in (compared / "answer.txt").read_text()


def test_a_flipped_run_replays_from_its_arm(compared: Path, tmp_path: Path) -> None:
    flips = pd.read_csv(compared / "flips.csv")
    if flips.empty:
        pytest.skip("no run flipped in this comparison")
    f = flips.iloc[0]
    res = cli("run", "--from-sweep", str(compared / "b"), "--run-id", str(int(f["run_id"])), "--no-figures",
              "--out", str(tmp_path / "replay"))
    assert res.returncode == 0, res.stderr[-2000:]
    assert "as the sweep recorded them" in res.stdout
    label = f["outcome_b"].replace("_", " ")
    assert label.split()[0] in res.stdout


def test_replay_refuses_the_comparison_folder_and_unknown_runs(compared: Path) -> None:
    one_line(cli("run", "--from-sweep", str(compared), "--run-id", "0"), "not a finished sweep", "give one of its arms")
    one_line(cli("run", "--from-sweep", str(compared / "a"), "--run-id", "99"), "run id 99 does not exist")


def test_compare_resumes_after_a_kill_to_the_same_tables(compared: Path, tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    args = [sys.executable, "-m", "sim", "compare", str(TINY), "--b-set", "ruler.regime_strength=0.4", "--seeds", "6",
            "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REGIME_SIM_CRASH_AT": "batch:runs:renamed#4"}
    killed = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert killed.returncode == 137, killed.stderr[-2000:]  # killed in arm b, as by kill -9
    assert not (out / "compare.parquet").exists()
    res = cli(*args[3:], "--resume")
    assert res.returncode == 0, res.stderr[-2000:]
    left = pd.read_parquet(out / "compare.parquet")
    right = pd.read_parquet(compared / "compare.parquet")
    pd.testing.assert_frame_equal(left, right)
    one_line(cli(*args[3:-2], "--seeds", "5", "--out", str(out), "--resume"), "refusing to resume")


@pytest.mark.browser
def test_compare_page_loads_in_headless_chromium(compared: Path) -> None:
    require_chromium()
    with chromium_page() as (page, requests, problems):
        page.goto((compared / "report.html").as_uri())
        page.wait_for_load_state("networkidle")
        assert page.title().startswith("Comparison:")
        widths = page.eval_on_selector_all("figure img", "imgs => imgs.map(i => i.naturalWidth)")
        assert len(widths) == 1 and widths[0] > 800
        assert page.locator("#outcomes table tbody tr").count() >= 1
        assert "ruler.regime_strength" in page.locator("#differences").inner_text()
    assert not problems, problems
    outside = [u for u in requests if not u.startswith(("file:", "data:", "about:"))]
    assert not outside, outside


def test_audit_end_to_end_on_the_tiny_world(tmp_path: Path) -> None:
    out = tmp_path / "audit"
    md = tmp_path / "audit.md"
    res = cli("audit", str(TINY), "--seeds", "4", "--rule", "public.exit", "--rule", "crowds.fire", "--out", str(out),
              "--markdown", str(md))
    assert res.returncode == 0, res.stderr[-3000:]
    audit = pd.read_csv(out / "audit.csv")
    assert sorted(audit["rule"]) == ["crowds.fire", "public.exit"]
    assert set(audit["class"]) <= {ACTS, NONE, CONTRARY}
    # the 'on' arm is shared: one per scenario, not one per rule
    assert sorted(p.name for p in (out / "tiny").iterdir()) == ["off-crowds.fire", "off-public.exit", "on"]
    exit_row = audit.set_index("rule").loc["public.exit"]
    assert exit_row["stated_quantity"] == "emigrants" and exit_row["off"] == 0  # nobody emigrates when off
    on = pd.read_parquet(out / "tiny" / "on" / "runs.parquet")
    off = pd.read_parquet(out / "tiny" / "off-public.exit" / "runs.parquet")
    assert list(on["seed"]) == list(off["seed"])
    assert math.isclose(exit_row["diff"], (off["emigrants"] - on["emigrants"]).mean())
    effects = pd.read_parquet(out / "effects.parquet")
    assert len(effects) == 2 * len(stats.QUANTITIES) - 2 * sum(
        q not in on.columns for q in stats.PAIRED_MEASURES if q != "peak_protest_max_region")
    text = md.read_text()
    assert "`public.exit`" in text and "4 seeds" in text and (tmp_path / "audit_heatmap.png").exists()
    one_line(cli("audit", str(TINY), "--seeds", "4", "--rule", "public.exit", "--out", str(out), "--resume"),
             "refusing to resume")


def test_a_rule_the_runs_never_ask_about_gets_no_arm_and_no_effect(tmp_path: Path) -> None:
    # the tiny world has no raid: nothing ever asks whether legitimacy.raid_shock is on, so switched
    # off every run would be the same run; its arm is not run and the pair reads "no effect", marked
    from sim.paired.arms import arm_from_file
    from sim.paired.audit import rules_asked

    asked = rules_asked(arm_from_file("x", "x", str(TINY), []), 3, 12345)
    assert "legitimacy.raid_shock" not in asked and "public.exit" in asked and "units.stance_choice" in asked
    out = tmp_path / "audit"
    md = tmp_path / "audit.md"
    res = cli("audit", str(TINY), "--seeds", "3", "--rule", "public.exit", "--rule", "legitimacy.raid_shock",
              "--out", str(out), "--markdown", str(md))
    assert res.returncode == 0, res.stderr[-3000:]
    assert sorted(p.name for p in (out / "tiny").iterdir()) == ["off-public.exit", "on"]
    audit = pd.read_csv(out / "audit.csv").set_index("rule")
    assert not audit.at["legitimacy.raid_shock", "asked"] and audit.at["legitimacy.raid_shock", "class"] == NONE
    assert audit.at["public.exit", "asked"]
    assert "| `legitimacy.raid_shock` |" in md.read_text() and "never ask" in md.read_text()


@pytest.mark.parametrize("name", ["wagner_mutiny_2023", "mass_protest"])
def test_the_numeric_measures_are_those_a_run_reports_as_numbers(name: str) -> None:
    # one list (sim/measures.py) names them for calibration targets and paired comparisons
    import sim
    from sim.measures import NUMERIC

    m = sim.run(sim.load_scenario(name), seed=1).measures
    numbers = {k for k, v in m.items() if "__" not in k and isinstance(v, int | float) and not isinstance(v, bool)}
    assert numbers == set(NUMERIC) and len(NUMERIC) == len(set(NUMERIC))
