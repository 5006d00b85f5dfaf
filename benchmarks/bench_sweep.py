"""Sweep throughput and memory.

* runs per second for the mutiny scenario's own sweep at 1 worker, 2 process workers and a
  Dask LocalCluster(2), measured in one run (the best of two timings each), with the ratios
  the goals name; "steady" counts only what comes after the first batch (workers started);
* peak memory (the sweep process and its workers) of a 1,000- and a 10,000-run sweep of the
  three-region test world, to show memory does not grow with the number of runs.

Each measurement runs in a fresh subprocess so peak RSS is its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from sim.sweep.plan import build_plan
from sim.sweep.execute import run_sweep
path, reps, workers, executor, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
extra = sys.argv[6:]
plan = build_plan(path, [f"sweep.replications={reps}", *extra])
t0 = time.perf_counter()
res = run_sweep(plan, Path(out), workers=workers, executor=executor)
wall = time.perf_counter() - t0
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"runs": res.runs, "failed": res.failed, "wall": wall, "rss_self_mb": own,
                  "rss_worker_max_mb": kids, "first": res.first_result_seconds,
                  "first_runs": res.first_batch_runs, "sweep_wall": res.wall_seconds}))
"""


def _measure(path: str, reps: int, workers: int, executor: str, *extra: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sweep"
        res = subprocess.run([sys.executable, "-c", _CHILD, path, str(reps), str(workers), executor, str(out),
                              *extra], capture_output=True, text=True, cwd=ROOT, timeout=7200)
        if res.returncode != 0:
            raise RuntimeError(res.stderr[-2000:])
        return json.loads(res.stdout.strip().splitlines()[-1])


def _best(path: str, reps: int, workers: int, executor: str, tries: int = 2) -> dict:
    """The fastest of ``tries`` timings: the machine's other work only ever slows a run down."""
    return min((_measure(path, reps, workers, executor) for _ in range(tries)), key=lambda m: m["wall"])


def throughput(reps: int = 150) -> list[dict]:
    scenario = str(ROOT / "scenarios" / "wagner_mutiny_2023.yaml")
    rows = []
    base = None
    steady_base = None
    for workers, executor in ((1, "process"), (2, "process"), (2, "dask")):
        m = _best(scenario, reps, workers, executor)
        rate = m["runs"] / m["wall"]
        # steady state: after the first batch came back (workers started, code loaded)
        steady = (m["runs"] - m["first_runs"]) / (m["sweep_wall"] - m["first"])
        base = base or rate
        steady_base = steady_base or steady
        rows.append({"mutiny sweep": f"{executor} x{workers}", "runs": m["runs"], "wall s": m["wall"],
                     "start-up s": m["first"], "runs/s": rate, "vs 1 worker": rate / base,
                     "steady runs/s": steady, "steady vs 1 worker": steady / steady_base})
    pool, dask = rows[1], rows[2]
    rows.append({"mutiny sweep": "dask vs pool", "runs": 0, "wall s": 0.0, "start-up s": 0.0,
                 "runs/s": 0.0, "vs 1 worker": dask["runs/s"] / pool["runs/s"], "steady runs/s": 0.0,
                 "steady vs 1 worker": dask["steady runs/s"] / pool["steady runs/s"]})
    return rows


def memory(sizes: tuple[int, ...] = (1_000, 10_000)) -> list[dict]:
    tiny = str(ROOT / "tests" / "data" / "tiny.yaml")
    rows = []
    for n in sizes:
        reps = n // 3  # the test world's sweep has 3 design points
        t0 = time.perf_counter()
        m = _measure(tiny, reps, 2, "process")
        rows.append({"runs": m["runs"], "peak MB (sweep process)": m["rss_self_mb"],
                     "peak MB (largest worker)": m["rss_worker_max_mb"], "wall s": time.perf_counter() - t0})
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from benchmarks.common import machine, print_table

    print(f"machine: {machine()}")
    print_table("Sweep throughput (wagner_mutiny_2023's sweep)", throughput())
    print_table("Sweep memory (three-region test world, 2 workers)", memory())
