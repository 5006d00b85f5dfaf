"""Speed of the Epstein mode against Mesa's own example, and a one-million-citizen region.

People-steps: one agent (citizen or cop) acting once; a tick of a world with N agents is N
people-steps. Both models run Mesa's defaults (40 x 40 torus, citizen density 0.7, cop
density 0.074, vision 7 von Neumann, L = 0.8, J = 1000) over the same window of ticks (after
the same warm-up ticks, which also fill Mesa's neighbourhood caches), in this process, on
one core. Mesa is timed as shipped (its data collector records every agent every tick) and
with the data collector switched off; the ratio is taken against each.

The million-citizen region (1200 x 1200 at citizen density 0.7, the other settings the same)
runs in a fresh subprocess so that its peak resident memory (``ru_maxrss``, the whole
interpreter included) is its own.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim.epstein import EpsteinConfig, EpsteinModel  # noqa: E402

WARMUP = 5  # ticks before timing starts, in both models


def ours_rate(ticks: int, repeats: int) -> tuple[float, int]:
    """(people-steps per second, people) of the Epstein mode at Mesa's defaults."""
    done, wall, people = 0, 0.0, 0
    for seed in range(repeats):
        model = EpsteinModel(EpsteinConfig(seed=seed, steps=WARMUP + ticks))
        for _ in range(WARMUP):
            model.step()
        people = model.grid.n_citizens + model.n_cops()
        t0 = time.perf_counter()
        for _ in range(ticks):
            model.step()
        wall += time.perf_counter() - t0
        done += people * ticks
    return done / wall, people


def mesa_rate(ticks: int, collect: bool, seed: int = 1) -> tuple[float, int]:
    """(people-steps per second, people) of Mesa's example at its defaults."""
    from mesa.examples.advanced.epstein_civil_violence.model import (
        EpsteinCivilViolence,
        EpsteinScenario,
    )

    model = EpsteinCivilViolence(scenario=EpsteinScenario(rng=seed, max_iters=WARMUP + ticks + 10))
    if not collect:
        model.datacollector.collect = lambda _model: None
    for _ in range(WARMUP):
        model.step()
    people = len(model.agents)
    t0 = time.perf_counter()
    for _ in range(ticks):
        model.step()
    return people * ticks / (time.perf_counter() - t0), people


def million(side: int = 1200, ticks: int = 8) -> dict:
    """Build and step a ``side`` x ``side`` region; runs in its own process (see ``main``)."""
    t0 = time.perf_counter()
    model = EpsteinModel(EpsteinConfig(width=side, height=side, seed=1, steps=ticks))
    build = time.perf_counter() - t0
    people = model.grid.n_citizens + model.n_cops()
    model.step()  # the first tick also loads compiled code from numba's cache
    t0 = time.perf_counter()
    for _ in range(ticks):
        model.step()
    wall = time.perf_counter() - t0
    return {
        "citizens": model.grid.n_citizens,
        "people": people,
        "build_s": build,
        "rate": people * ticks / wall,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _million_in_subprocess(side: int, ticks: int) -> dict:
    code = f"import json; from benchmarks.bench_epstein import million; print(json.dumps(million({side}, {ticks})))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(mesa_ticks: int = 40, ours_repeats: int = 40, side: int = 1200, big_ticks: int = 8) -> list[dict]:
    """Rows: Mesa as shipped, Mesa without data collector, the Epstein mode, the 1M region."""
    ours, people = ours_rate(mesa_ticks, ours_repeats)
    shipped, mesa_people = mesa_rate(mesa_ticks, collect=True)
    bare, _ = mesa_rate(mesa_ticks, collect=False)
    big = _million_in_subprocess(side, big_ticks)
    world = f"40x40, {people:,} people (Mesa: {mesa_people:,})"
    return [
        {"model": "Mesa example, as shipped", "world": world, "ticks": mesa_ticks,
         "people-steps/s": shipped, "ours / this": f"{ours / shipped:,.0f}x", "peak memory MB": "-"},
        {"model": "Mesa example, no data collector", "world": world, "ticks": mesa_ticks,
         "people-steps/s": bare, "ours / this": f"{ours / bare:,.0f}x", "peak memory MB": "-"},
        {"model": "Epstein mode (sim.epstein)", "world": world, "ticks": mesa_ticks * ours_repeats,
         "people-steps/s": ours, "ours / this": "1x", "peak memory MB": "-"},
        {"model": "Epstein mode, 1M citizens", "world": f"{side}x{side}, {big['people']:,} people "
         f"({big['citizens']:,} citizens; built in {big['build_s']:.1f} s)", "ticks": big_ticks,
         "people-steps/s": big["rate"], "ours / this": "-", "peak memory MB": f"{big['peak_rss_mb']:,.0f}"},
    ]


if __name__ == "__main__":
    from benchmarks.common import machine, print_table

    print(f"machine: {machine()}")
    print_table("Epstein Model I: the Epstein mode vs Mesa's example (1 core)", main())
