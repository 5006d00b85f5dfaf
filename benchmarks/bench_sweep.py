"""Sweep throughput, worker start-up and memory.

* worker start-up: what a fresh process pays to import the model and load its compiled
  kernels (what every spawned worker pays), a process pool of 2 forked from the warm sweep
  process, a Dask LocalCluster(2), and 2 ``dask worker`` processes of a ``dask scheduler``
  started here on 127.0.0.1 (from launch until registered and warm);
* the bundled 200-run mutiny sweep on 1 and 2 workers, and the 1,500-run mutiny sweep on
  1 worker, a process pool of 2, a LocalCluster(2) and a real scheduler with 2 workers,
  measured back to back in ``rounds`` rounds: the ratios the goals name come from one round
  each (the median, and the spread over rounds), so the machine's load moves them less than
  it moves runs per second;
* peak memory (the sweep process and its workers) of a 1,000- and a 10,000-run sweep of the
  three-region test world, to show memory does not grow with the number of runs.

Every sweep runs in a fresh subprocess that first loads the model, as ``regime-sim sweep``
has done by its pilot run when the sweep starts; its wall time is then the sweep's own,
start-up of its workers included (a real scheduler's workers are up before it starts).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTINY = ROOT / "scenarios" / "wagner_mutiny_2023.yaml"
TINY = ROOT / "tests" / "data" / "tiny.yaml"
DASK = Path(sys.executable).parent / "dask"
# the same quiet settings the sweep gives a local cluster (sim.sweep.cluster.QUIET), as
# environment for the command-line scheduler and workers
QUIET_ENV = {"DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False",
             "DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL": "1s",
             "DASK_DISTRIBUTED__ADMIN__SYSTEM_MONITOR__INTERVAL": "5s",
             "DASK_DISTRIBUTED__WORKER__MEMORY__MONITOR_INTERVAL": "2s"}

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import sim.sweep.warm  # as the command line's pilot run has done before the sweep starts
from sim.sweep.plan import build_plan
from sim.sweep.execute import run_sweep
path, reps, workers, executor, out, scheduler = sys.argv[1:7]
plan = build_plan(path, [f"sweep.replications={reps}"])
t0 = time.perf_counter()
res = run_sweep(plan, Path(out), workers=int(workers), executor=executor, scheduler=scheduler or None)
wall = time.perf_counter() - t0
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"runs": res.runs, "failed": res.failed, "wall": wall, "rss_self_mb": own,
                  "rss_worker_max_mb": kids, "first": res.first_result_seconds,
                  "first_runs": res.first_batch_runs}))
"""

_STARTUP = r"""
import json, sys, time
what = sys.argv[1]
t0 = time.perf_counter()
if what == "import":
    import sim.sweep.warm
    print(json.dumps(time.perf_counter() - t0))
    raise SystemExit
import sim.sweep.warm
from sim.sweep import execute
if what == "pool":
    t0 = time.perf_counter()
    pool = execute.process_pool(2)
    print(json.dumps(time.perf_counter() - t0))
    pool.shutdown()
else:
    from sim.sweep.cluster import connect
    t0 = time.perf_counter()
    client, cluster = connect(2, None)
    print(json.dumps(time.perf_counter() - t0))
    client.close(); cluster.close()
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **QUIET_ENV}


def _json_of(args: list[str], timeout: float = 7200) -> object:
    res = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=_env(), timeout=timeout)
    if res.returncode != 0:
        raise RuntimeError(res.stderr[-2000:])
    return json.loads(res.stdout.strip().splitlines()[-1])


def measure(path: Path, reps: int, workers: int, executor: str = "process", scheduler: str = "") -> dict:
    """One sweep in a fresh subprocess: runs, wall time, start-up, peak memory."""
    with tempfile.TemporaryDirectory() as tmp:
        return _json_of([sys.executable, "-c", _CHILD, str(path), str(reps), str(workers), executor,
                         str(Path(tmp) / "sweep"), scheduler])


def _stop(proc: subprocess.Popen) -> None:
    """End a process started here, and its children (its own process group)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(15)


@contextlib.contextmanager
def dask_cluster(workers: int) -> Iterator[tuple[str, float]]:
    """A ``dask scheduler`` and ``dask worker --nworkers N`` on 127.0.0.1, started here as
    subprocesses (preloading ``sim.sweep.warm``, importing this checkout) and torn down after.
    Yields the scheduler's address and the seconds from launching the workers until all are
    registered and warm."""
    from dask.distributed import Client

    from sim.sweep.cluster import Warm

    with tempfile.TemporaryDirectory() as tmp:
        info = Path(tmp) / "scheduler.json"
        log = open(Path(tmp) / "dask.log", "w")  # noqa: SIM115 - closed below, after the processes
        procs: list[subprocess.Popen] = []
        try:
            procs.append(subprocess.Popen(
                [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                 "--dashboard-address", "127.0.0.1:0",
                 "--scheduler-file", str(info)], cwd=ROOT, env=_env(), stdout=log, stderr=log,
                start_new_session=True))
            deadline = time.monotonic() + 120
            while not info.exists() or not info.read_text().strip():
                if time.monotonic() > deadline or procs[0].poll() is not None:
                    raise RuntimeError(f"the dask scheduler did not start: {(Path(tmp) / 'dask.log').read_text()[-1500:]}")
                time.sleep(0.05)
            address = json.loads(info.read_text())["address"]
            t0 = time.perf_counter()
            procs.append(subprocess.Popen(
                [str(DASK), "worker", address, "--nworkers", str(workers), "--nthreads", "1",
                 "--host", "127.0.0.1", "--no-dashboard", "--dashboard-address", "127.0.0.1:0",
                 "--preload", "sim.sweep.warm"],
                cwd=ROOT, env=_env(), stdout=log, stderr=log, start_new_session=True))
            with Client(address, timeout="60s") as client:
                client.wait_for_workers(workers, timeout=300)
                client.register_plugin(Warm())
                ready = time.perf_counter() - t0
                where = set(client.run(lambda: __import__("sim").__file__).values())
            if where != {str(ROOT / "sim" / "__init__.py")}:
                raise RuntimeError(f"the dask workers import another regime-sim: {where}")
            yield address, ready
        finally:
            for proc in reversed(procs):
                _stop(proc)
            log.close()


def _median(xs: list[float]) -> float:
    return statistics.median(xs)


def worker_startup(repeats: int = 3) -> list[dict]:
    """Seconds until workers can run, median of ``repeats`` (each in a fresh process)."""
    rows = []
    cases = [("a fresh process imports the model and loads its kernels (what a spawned worker pays)", "import"),
             ("process pool of 2, forked from the warm sweep process", "pool"),
             ("Dask LocalCluster(2), workers forked from the warm sweep process", "local")]
    for what, case in cases:
        xs = [float(_json_of([sys.executable, "-c", _STARTUP, case])) for _ in range(repeats)]
        rows.append({"worker start-up": what, "median s": _median(xs), "min s": min(xs), "max s": max(xs)})
    xs = []
    for _ in range(repeats):
        with dask_cluster(2) as (_, ready):
            xs.append(ready)
    rows.append({"worker start-up": "dask scheduler + dask worker --nworkers 2 --preload sim.sweep.warm "
                 "(launch to registered and warm)", "median s": _median(xs), "min s": min(xs), "max s": max(xs)})
    return rows


CONFIGS = (("1 worker", 1, "process"), ("process pool x2", 2, "process"),
           ("Dask LocalCluster(2)", 2, "dask"), ("Dask scheduler, 2 workers", 2, "scheduler"))


def _one(path: Path, reps: int, workers: int, kind: str) -> dict:
    if kind != "scheduler":
        return measure(path, reps, workers, kind)
    with dask_cluster(workers) as (address, _):
        return measure(path, reps, workers, "dask", address)


def throughput(rounds: int = 3, small_reps: int = 20, big_reps: int = 150) -> dict[str, list[dict]]:
    """The sweeps, ``rounds`` times back to back. Returns the table of sweeps (best wall time of
    each, and its start-up: until the first batch came back) and the table of goals (ratios
    of each round: median and spread)."""
    if small_reps >= big_reps:
        raise ValueError("the small sweep must have fewer replications than the big one")
    walls: dict[tuple[str, str], list[float]] = {}
    seen: dict[tuple[str, str], dict] = {}
    # the mutiny's sweep has 10 design points: 20 replications make its bundled 200 runs
    small, big = f"{10 * small_reps:,}-run sweep", f"{10 * big_reps:,}-run sweep"
    plan = [(small, small_reps, CONFIGS[:2]), (big, big_reps, CONFIGS)]
    for _ in range(rounds):
        for sweep, reps, configs in plan:
            for name, workers, kind in configs:
                m = _one(MUTINY, reps, workers, kind)
                if m["failed"]:
                    raise RuntimeError(f"{sweep}, {name}: {m['failed']} runs failed")
                walls.setdefault((sweep, name), []).append(m["wall"])
                best = seen.get((sweep, name))
                if best is None or m["wall"] < best["wall"]:
                    seen[(sweep, name)] = m
    sweeps = []
    for (sweep, name), m in seen.items():
        base = seen[(sweep, "1 worker")]
        ws = walls[(sweep, name)]
        sweeps.append({"mutiny sweep": sweep, "on": name, "runs": m["runs"], "wall s (best)": m["wall"],
                       "wall s (worst)": max(ws), "runs/s": m["runs"] / m["wall"],
                       "vs 1 worker": base["wall"] / m["wall"], "first batch back s": m["first"]})

    def ratio(sweep: str, num: str, den: str) -> list[float]:
        # the same round's wall times: a faster configuration has the higher ratio
        return [d / n for n, d in zip(walls[(sweep, num)], walls[(sweep, den)], strict=True)]

    goals = []
    for what, xs, goal in (
            (f"{small}: 2 workers vs 1", ratio(small, "process pool x2", "1 worker"), 1.0),
            (f"{big}: process pool x2 vs 1 worker", ratio(big, "process pool x2", "1 worker"), 1.85),
            (f"{big}: Dask LocalCluster(2) vs process pool x2",
             ratio(big, "Dask LocalCluster(2)", "process pool x2"), 0.85),
            (f"{big}: Dask scheduler with 2 workers vs process pool x2",
             ratio(big, "Dask scheduler, 2 workers", "process pool x2"), 0.85)):
        med = _median(xs)
        goals.append({"ratio": what, "median": med, "min": min(xs), "max": max(xs), "rounds": len(xs),
                      "goal": f">= {goal:g}" if goal != 1.0 else "> 1", "met": "yes" if med >= goal and
                      (goal != 1.0 or med > 1.0) else "NO"})
    return {"sweeps": sweeps, "goals": goals}


def memory(sizes: tuple[int, ...] = (1_000, 10_000)) -> list[dict]:
    rows = []
    for n in sizes:
        reps = n // 3  # the test world's sweep has 3 design points
        t0 = time.perf_counter()
        m = measure(TINY, reps, 2)
        rows.append({"runs": m["runs"], "peak MB (sweep process)": m["rss_self_mb"],
                     "peak MB (largest worker)": m["rss_worker_max_mb"], "wall s": time.perf_counter() - t0})
    return rows


if __name__ == "__main__":
    import argparse

    sys.path.insert(0, str(ROOT))
    from benchmarks.common import machine, print_table

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reps", type=int, default=150, help="replications of the big sweep (150: 1,500 runs)")
    parser.add_argument("--small-reps", type=int, default=20, help="replications of the small sweep (20: 200 runs)")
    parser.add_argument("--no-memory", action="store_true")
    opts = parser.parse_args()
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f}")
    print_table("Worker start-up (seconds until workers can run)", worker_startup())
    out = throughput(opts.rounds, opts.small_reps, opts.reps)
    print_table("Sweep throughput (wagner_mutiny_2023's sweep)", out["sweeps"])
    print_table("Sweep goals (ratios of wall times measured back to back)", out["goals"])
    if not opts.no_memory:
        print_table("Sweep memory (three-region test world, 2 workers)", memory())
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")
