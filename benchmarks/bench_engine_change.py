"""Before and after the engine of issue 10, measured in one run on the same machine.

The engine before it (commit ``BEFORE``) is checked out into a temporary git worktree and each
bundled Russian scenario is timed there in a subprocess, then here, on the same seeds (``SEEDS``:
the mean over seeds 1..n), one core.
Runs may now last longer or shorter (outcomes moved), so the cost of a simulated hour is given
beside the time of a run. Times are CPU seconds of the timing process (``time.process_time``),
which a shared machine disturbs less than wall time, and the two trees are timed in alternation,
scenario by scenario, so that a change in the machine's load falls on both.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "7f28810"  # the last commit of the five-faction engine
SCENARIOS = ("baseline", "mobilization_2022", "wagner_mutiny_2023", "elite_coup", "mass_protest")

#: seeds 1..n per scenario: the two engines tell different stories at the same seed (a march in one,
#: a leader backing down in the other), so a run's cost is its mean over seeds; more seeds where
#: runs are short, so that each mean rests on a few seconds of runs
SEEDS = {"baseline": 5, "mobilization_2022": 5, "wagner_mutiny_2023": 40, "elite_coup": 20, "mass_protest": 20}

TIMER = r"""
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
import sim
out = {}
n = int(sys.argv[3])
for name in sys.argv[2].split(","):
    scn = sim.load_scenario(name)
    sim.run(scn, seed=10_000)
    walls, hours = [], []
    for seed in range(1, n + 1):
        t0 = time.process_time()
        res = sim.run(scn, seed=seed)
        walls.append(time.process_time() - t0)
        hours.append(res.measures["time_to_outcome_h"])
    out[name] = {"wall": statistics.fmean(walls), "per_hour_ms": 1000 * sum(walls) / max(sum(hours), 1)}
print(json.dumps(out))
"""


def _time(tree: Path, names: tuple[str, ...] = SCENARIOS) -> dict:
    res = subprocess.run([sys.executable, "-c", TIMER, str(tree), ",".join(names), str(SEEDS.get(names[0], 3))],
                         capture_output=True,
                         text=True, check=True, cwd=tree, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"})
    return json.loads(res.stdout.strip().splitlines()[-1])


#: rounds of the two trees' timings, alternated scenario by scenario: on this shared machine one
#: round's ratio moved by a third between two runs of make bench, so each figure is a median
ROUNDS = 3


def main() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "before"
        subprocess.run(["git", "worktree", "add", "--detach", "-f", str(old), BEFORE], cwd=ROOT, check=True,
                       capture_output=True)
        before: dict[str, list[dict]] = {n: [] for n in SCENARIOS}
        after: dict[str, list[dict]] = {n: [] for n in SCENARIOS}
        try:
            for _ in range(ROUNDS):
                for name in SCENARIOS:  # alternate the trees, one scenario at a time
                    before[name].append(_time(old, (name,))[name])
                    after[name].append(_time(ROOT, (name,))[name])
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, capture_output=True)
    rows = []
    for name in SCENARIOS:
        b_run, a_run = (statistics.median(r["wall"] for r in x[name]) for x in (before, after))
        b_hour, a_hour = (statistics.median(r["per_hour_ms"] for r in x[name]) for x in (before, after))
        ratios = [a["per_hour_ms"] / b["per_hour_ms"] for a, b in zip(after[name], before[name], strict=True)]
        rows.append({"scenario": name, "seeds": SEEDS.get(name, 3), "rounds": ROUNDS, "before s/run": b_run,
                     "after s/run": a_run, "run ratio": a_run / b_run, "before ms/sim-hour": b_hour,
                     "after ms/sim-hour": a_hour, "hour ratio": a_hour / b_hour,
                     "hour ratio min": min(ratios), "hour ratio max": max(ratios)})
    return rows


if __name__ == "__main__":
    from benchmarks.common import print_table

    print_table("Engine of issue 10: before and after (CPU s on 1 core, same seeds)", main())
