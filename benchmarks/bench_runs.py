"""Wall time of one default run of each bundled scenario, and model steps per second.

Each scenario is run once to load compiled code, then timed over a few seeds on one core.
Before each timed run the garbage of the runs before it is collected (outside the timing):
a full collection it would otherwise trigger costs 0.1-0.16 s in this process, holding
every scenario loaded so far, whatever run it falls in - a pause the run itself did not cause
(a run in its own process, as ``regime-sim run`` makes, does not pay it).

Each scenario's runs are then repeated with the compiled population tick timed apart (the
same seeds, a clock around each call): what a run spends in the public's kernel, a floor
under its time for as long as the public is computed as it is now (Epstein's Model I with
Mesa's sequential activation, every agent at every tick). Those timings are not in the
wall times above.
"""

from __future__ import annotations

import gc
import statistics
import time

import sim
from sim.public import grid as _grid
from sim.scenario.loader import estimate_seconds


def _clocked(spent: dict[str, float], name: str, fn):  # noqa: ANN001, ANN202 - any callable
    """``fn`` with a clock around each call, adding its seconds to ``spent[name]``."""
    def call(*args):  # noqa: ANN002, ANN202 - fn's own arguments and result
        t0 = time.perf_counter()
        out = fn(*args)
        spent[name] = spent.get(name, 0.0) + time.perf_counter() - t0
        return out
    return call


def kernel_seconds(scn, seeds: range) -> list[float]:
    """Seconds each run of ``scn`` spends in the compiled population tick (one per seed)."""
    tick = _grid.tick_seeded
    spent: dict[str, float] = {}
    out = []
    _grid.tick_seeded = _clocked(spent, "kernel", tick)
    try:
        for seed in seeds:
            spent.clear()
            sim.run(scn, seed=seed)
            out.append(spent.get("kernel", 0.0))
    finally:
        _grid.tick_seeded = tick
    return out


def main(repeats: int = 3) -> list[dict]:
    rows = []
    for name in sim.list_scenarios():
        scn = sim.load_scenario(name)
        sim.run(scn, seed=10_000)  # warm-up: numba's cached code, imports
        walls, steps = [], []
        for seed in range(1, repeats + 1):
            gc.collect()
            t0 = time.perf_counter()
            res = sim.run(scn, seed=seed)
            walls.append(time.perf_counter() - t0)
            steps.append(res.steps)
        agents = sum(r.grid * r.grid for r in scn.regions.values()) * scn.public.density
        kernel = kernel_seconds(scn, range(1, repeats + 1))
        rows.append({
            "scenario": name,
            "steps (mean)": round(statistics.mean(steps), 1),
            "wall s (median)": statistics.median(walls),
            "wall s (max)": max(walls),
            "steps/s": sum(steps) / sum(walls),
            # the compiled population tick's share: the floor under a run while the public is as it is
            "kernel s (median)": statistics.median(kernel),
            "kernel share": sum(kernel) / sum(walls),
            # what `regime-sim run` announces before a run (an upper estimate), against the max
            "estimate / max": estimate_seconds(scn) / max(walls),
            "citizen agents": int(agents),
            "units": len(scn.units),
        })
    return rows


#: the issue's figures (issue 15, "Fast enough to calibrate": one default run, median s) and
#: its goal, 5x faster
ISSUE_FIGURES = {"mobilization_2022": 0.376, "baseline": 0.226, "mass_protest": 0.146, "elite_coup": 0.045,
                 "wagner_mutiny_2023": 0.014}
PHASES = ("_events_due", "_act", "_move", "_stances", "_fight", "_public", "_drift", "_settle", "record",
          "_note_grievance")


def phases(seeds: range = range(1, 6)) -> list[dict]:
    """Where a default run's time goes, in ms a run (mean over ``seeds``), for the scenarios the
    issue names, beside its 5x goal: building the model, each phase of the hour (the public's
    with its compiled tick apart), and building the result tables. A clock around each part
    adds a little to each (about 0.3 us a call)."""
    from sim.model.model import RegimeModel
    from sim.runner import collect

    spent: dict[str, float] = {}
    originals = {name: getattr(RegimeModel, name) for name in PHASES}
    tick = _grid.tick_seeded
    rows = []
    try:
        for name in PHASES:
            setattr(RegimeModel, name, _clocked(spent, name, originals[name]))
        _grid.tick_seeded = _clocked(spent, "kernel", tick)
        for name, before in ISSUE_FIGURES.items():
            scn = sim.load_scenario(name)
            sim.run(scn, seed=10_000)
            spent.clear()
            steps = 0
            total = 0.0
            for seed in seeds:
                gc.collect()  # earlier runs' garbage, outside the timing (see the module's docstring)
                t0 = time.perf_counter()
                model = RegimeModel(scn, seed=seed)
                t1 = time.perf_counter()
                model.run()
                t2 = time.perf_counter()
                collect(model, 0.0)
                t3 = time.perf_counter()
                spent["build"] = spent.get("build", 0.0) + t1 - t0
                spent["tables"] = spent.get("tables", 0.0) + t3 - t2
                total += t3 - t0
                steps += model.steps
            n = len(seeds)
            ms = {k: v / n * 1e3 for k, v in spent.items()}
            row = {"scenario": name, "steps": steps / n, "ms a run": total / n * 1e3,
                   "goal ms (issue / 5)": before / 5 * 1e3, "build": ms.get("build", 0.0)}
            for phase in PHASES:
                row[phase.strip("_").replace("_", " ")] = ms.get(phase, 0.0)
            row["public: kernel"] = ms.get("kernel", 0.0)
            row["tables"] = ms.get("tables", 0.0)
            rows.append(row)
    finally:
        for name, fn in originals.items():
            setattr(RegimeModel, name, fn)
        _grid.tick_seeded = tick
    return rows


if __name__ == "__main__":
    from benchmarks.common import print_table

    print_table("One default run of each bundled scenario (1 core)", main())
    print_table("Where a default run's time goes (ms a run, 1 core)", phases())
