"""Wall time of one default run of each bundled scenario, and model steps per second.

Each scenario is run once to load compiled code, then timed over a few seeds on one core.
Before each timed run the garbage of the runs before it is collected (outside the timing):
a full collection it would otherwise trigger costs 0.1-0.16 s in this process, holding
every scenario loaded so far, whatever run it falls in - a pause the run itself did not cause
(a run in its own process, as ``regime-sim run`` makes, does not pay it).
"""

from __future__ import annotations

import gc
import statistics
import time

import sim
from sim.scenario.loader import estimate_seconds


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
        rows.append({
            "scenario": name,
            "steps (mean)": round(statistics.mean(steps), 1),
            "wall s (median)": statistics.median(walls),
            "wall s (max)": max(walls),
            "steps/s": sum(steps) / sum(walls),
            # what `regime-sim run` announces before a run (an upper estimate), against the max
            "estimate / max": estimate_seconds(scn) / max(walls),
            "citizen agents": int(agents),
            "units": len(scn.units),
        })
    return rows


if __name__ == "__main__":
    from benchmarks.common import print_table

    print_table("One default run of each bundled scenario (1 core)", main())
