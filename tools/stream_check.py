"""Did a change of the random stream change what the model gives? Outcome and measure
distributions over many seeds, before and after.

A change that draws differently (a faster generator, draws in another order) cannot keep the
golden tables; what it must keep is the distribution of every outcome and main measure. This
checks out REV (default: the parent of HEAD) into a temporary git worktree, runs every bundled
scenario at seeds 1..N in both trees (2 processes each, one tree after the other), and compares:

* each scenario's outcome counts: a chi-square statistic on the 2 x outcomes table, its
  p-value by permutation (exact enough with small counts);
* each main measure (``sim.paired.stats.PAIRED_MEASURES``): two-sided Mann-Whitney U and
  Kolmogorov-Smirnov, the smaller p-value kept;

and prints how many tests fall below 0.05 and 0.01 against the number expected by chance,
how many survive Holm's correction, and the smallest p-values. Usage::

    python tools/stream_check.py [--before REV] [--seeds 200] [--workers 2] [SCENARIO ...]

Used for the kernel's seeded draws (see docs/TESTING.md): at 200 seeds each tree is about 650
CPU-seconds of runs, most of them the mobilization's (the first check took 40 minutes on the
2-core machine shared with other work at a load of 4-7).
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

RUNNER = r"""
import json, sys
from concurrent.futures import ProcessPoolExecutor
sys.path.insert(0, sys.argv[1])
import sim
from sim.paired.stats import PAIRED_MEASURES

def job(args):
    name, seed = args
    m = sim.run(sim.load_scenario(name), seed=seed).measures
    peaks = [v for k, v in m.items() if k.startswith("peak_protest__")]
    row = {"scenario": name, "seed": seed, "outcome": m["outcome"]}
    for k in PAIRED_MEASURES:
        row[k] = max(peaks, default=0.0) if k == "peak_protest_max_region" else m.get(k)
    return row

if __name__ == "__main__":
    names, seeds, workers = sys.argv[2].split(","), int(sys.argv[3]), int(sys.argv[4])
    with ProcessPoolExecutor(workers) as ex:
        for row in ex.map(job, [(n, s) for n in names for s in range(1, seeds + 1)], chunksize=4):
            print(json.dumps(row, default=float), flush=True)
"""


def start(tree: Path, names: list[str], seeds: int, workers: int) -> subprocess.Popen:
    """The runs of ``tree``, in a process of their own that prints one JSON line per run."""
    return subprocess.Popen([sys.executable, "-c", RUNNER, str(tree), ",".join(names), str(seeds), str(workers)],
                            cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"})


def rows(proc: subprocess.Popen) -> list[dict]:
    out, err = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"stream_check: the runs failed: {err.strip().splitlines()[-1:]}")
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def permutation_chi2(a: list[str], b: list[str], reps: int = 4000, seed: int = 0) -> float:
    """p-value of the chi-square statistic of the 2 x labels table, by permuting the labels."""
    labels = sorted(set(a) | set(b))
    if len(labels) < 2:
        return 1.0
    x = np.array([labels.index(v) for v in a + b])
    n = len(a)

    def stat(x: np.ndarray) -> float:
        t = np.zeros((2, len(labels)))
        np.add.at(t[0], x[:n], 1)
        np.add.at(t[1], x[n:], 1)
        e = t.sum(0) / 2
        return float((((t - e) ** 2) / e).sum())

    s0, rng = stat(x), np.random.default_rng(seed)
    hits = 0
    for _ in range(reps):
        rng.shuffle(x)
        hits += stat(x) >= s0 - 1e-12
    return (hits + 1) / (reps + 1)


def compare(before: list[dict], after: list[dict]) -> list[tuple[float, str, str, str]]:
    """(p, scenario, quantity, what was compared), smallest p first."""
    from scipy import stats

    by: dict[str, tuple[list, list]] = collections.defaultdict(lambda: ([], []))
    for r in before:
        by[r["scenario"]][0].append(r)
    for r in after:
        by[r["scenario"]][1].append(r)
    tests = []
    for scen, (a, b) in sorted(by.items()):
        oa, ob = [r["outcome"] for r in a], [r["outcome"] for r in b]
        ca, cb = collections.Counter(oa), collections.Counter(ob)
        counts = ", ".join(f"{k} {ca[k]} -> {cb[k]}" for k in sorted(set(oa) | set(ob)))
        tests.append((permutation_chi2(oa, ob), scen, "outcome", counts))
        for k in a[0]:
            if k in ("scenario", "seed", "outcome"):
                continue
            xa = np.array([r[k] for r in a if r[k] is not None], float)
            xb = np.array([r[k] for r in b if r[k] is not None], float)
            xa, xb = xa[~np.isnan(xa)], xb[~np.isnan(xb)]
            if min(len(xa), len(xb)) < 5 or np.ptp(np.r_[xa, xb]) == 0:
                continue  # nothing varies: nothing to compare
            p = min(stats.mannwhitneyu(xa, xb).pvalue, stats.ks_2samp(xa, xb, method="asymp").pvalue)
            tests.append((float(p), scen, k, f"mean {xa.mean():.4g} -> {xb.mean():.4g}"))
    return sorted(tests)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenarios", nargs="*")
    ap.add_argument("--before", default="HEAD~1")
    ap.add_argument("--seeds", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    import sim

    names = args.scenarios or sim.list_scenarios()
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "before"
        subprocess.run(["git", "worktree", "add", "--detach", str(old), args.before], cwd=ROOT, check=True,
                       capture_output=True)
        try:  # both trees at once, half the workers each
            procs = [start(tree, names, args.seeds, max(1, args.workers // 2)) for tree in (old, ROOT)]
            before, after = (rows(p) for p in procs)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, capture_output=True)
    tests = compare(before, after)
    m = len(tests)
    holm = np.maximum.accumulate([min(1.0, (m - i) * t[0]) for i, t in enumerate(tests)])
    print(f"{len(names)} scenarios x {args.seeds} seeds, {args.before} vs the work tree: {m} tests; "
          f"p < 0.05: {sum(t[0] < 0.05 for t in tests)} (chance: {0.05 * m:.1f}); "
          f"p < 0.01: {sum(t[0] < 0.01 for t in tests)} (chance: {0.01 * m:.1f}); "
          f"significant after Holm at 0.05: {int((holm < 0.05).sum())}")
    for p, scen, k, what in tests[:10]:
        print(f"  p = {p:.4f}  {scen}  {k}: {what}")


if __name__ == "__main__":
    main()
