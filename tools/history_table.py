"""The README's table of the stand-alone worlds beside history, regenerated from runs.

    .venv/bin/python tools/history_table.py [--seeds 100] [--workers 2]

Runs each world over seeds 1..N with its bundled parameters and prints one Markdown row per
case: each outcome's share with its Wilson 95% interval, the median time to resolution and the
median deaths (crowd deaths, and those put out of action in the fighting), beside the record.
Nothing is tuned here: the rows are what the bundled files give.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASES = {
    "turkey_2016": {
        "case": "Turkey, 15-16 July 2016",
        "history": "coup fails within about 12 h; about 250 killed on the loyal side and among civilians, "
                   "about 35 plotters, over 2,000 wounded",
        "outcome": "coup_fails", "hours": 12.0, "deaths": 285.0,
    },
    "egypt_2011": {
        "case": "Egypt, 25 Jan - 11 Feb 2011",
        "history": "the ruler resigns after 18 days; the army's council holds Cairo (the model's "
                   "`ruler_ousted`); at least 846 killed",
        "outcome": "ruler_ousted", "hours": 18 * 24.0, "deaths": 846.0,
    },
    "zimbabwe_2017": {
        "case": "Zimbabwe, 14-21 Nov 2017",
        "history": "coup succeeds: the army holds Harare from the first night, the president is confined at "
                   "home and resigns after about 7 days (about 170 h from the afternoon the armour moved); "
                   "reports of a few killed (a soldier, an intelligence officer), no official count",
        "outcome": "coup_succeeds", "hours": 170.0, "deaths": 2.0,
    },
    "romania_1989": {
        "case": "Romania, 16-22 Dec 1989",
        "history": "the ruler flees Bucharest about 144 h after the first protest in Timisoara, the army "
                   "having joined the crowds (the model's `popular_revolution`); 162 killed before his flight "
                   "(1,104 in all, most of them after it, when the engine's run has ended)",
        "outcome": "popular_revolution", "hours": 144.0, "deaths": 162.0,
    },
}


def _one(args: tuple[str, int]) -> dict:
    import sim

    name, seed = args
    m = sim.run(sim.load_scenario(name), seed=seed).measures
    return {"outcome": m["outcome"], "hours": m["time_to_outcome_h"], "resolved": m["resolved_before_horizon"],
            "crowd_deaths": m["crowd_deaths"],
            "fighting": m["casualties"] - m["crowd_deaths"]}  # casualties: the crisis's combat losses and crowd deaths


def row(name: str, runs: list[dict]) -> str:
    from sim.model.outcomes import Outcome
    from sim.sweep.summary import wilson

    case = CASES[name]
    n = len(runs)
    counts: dict[str, int] = {}
    for r in runs:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    shares = []
    for outcome, k in sorted(counts.items(), key=lambda kv: -kv[1]):
        lo, hi = wilson(k, n)
        text = f"{Outcome(outcome).label} {k / n:.0%} [{lo:.0%}, {hi:.0%}]"
        shares.append(f"**{text}**" if outcome == case["outcome"] else text)
    hist = [r for r in runs if r["outcome"] == case["outcome"]]
    hours = np.median([r["hours"] for r in hist]) if hist else float("nan")
    timing = (f"{hours:,.1f} h in the {len(hist)} runs with the historical outcome (history about "
              f"{case['hours']:g} h: a factor {max(hours, case['hours']) / min(hours, case['hours']):.1f})"
              if hist else "the historical outcome never happens")
    open_ = sum(not r["resolved"] for r in runs)
    if open_:
        timing += f"; {open_} of {n} runs reach the horizon"
    crowd = np.median([r["crowd_deaths"] for r in runs])
    fight = np.median([r["fighting"] for r in runs])
    p10, p90 = np.percentile([r["crowd_deaths"] + r["fighting"] for r in runs], [10, 90])
    deaths = (f"{crowd:,.0f} crowd deaths and {fight:,.0f} put out of action in the fighting "
              f"(together p10-p90: {p10:,.0f}-{p90:,.0f}), against about {case['deaths']:,.0f} killed")
    return f"| {case['case']} | {case['history']} | {'; '.join(shares)} | {timing} | {deaths} |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    print(f"Over {args.seeds} seeds each with the bundled parameters (`seed` 1-{args.seeds}), beside history:\n")
    print("| case | history | the model: outcomes (share, Wilson 95%) | time to resolution (median) | deaths (median) |")
    print("|---|---|---|---|---|")
    with ProcessPoolExecutor(args.workers) as pool:
        for name in CASES:
            runs = list(pool.map(_one, [(name, s) for s in range(1, args.seeds + 1)], chunksize=5))
            print(row(name, runs), flush=True)


if __name__ == "__main__":
    main()
