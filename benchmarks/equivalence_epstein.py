"""Does the Epstein mode behave like Mesa's own example? Distributions over seeds at Run 2.

Both models run Epstein's (2002) Run 2 (40 x 40 torus, citizen density 0.7, cop density
0.04, vision 7 von Neumann, L = 0.82, J_max = 30, T = 0.1, k = 2.3, round() on) from their
own random starts, ``ticks`` ticks each, over ``seeds`` seeds each (Mesa seeded with
``rng=seed``, ours with ``default_rng(seed)``: independent samples). Per run we measure, over
ticks 1..ticks:

* outbursts: maximal runs of ticks with more than 50 active citizens;
* the peak size of each outburst (pooled over runs) and the largest number of actives in each run;
* the share of ticks with more than 50 actives; mean actives; mean jailed.

Two-sample Kolmogorov-Smirnov and Mann-Whitney U tests (two-sided) compare the two
samples of each measure.

A second, sharper check starts both models from the *same* world: Mesa's world of one seed
(positions, hardship, risk aversion) is copied into a ``RegionGrid``; then each model runs a
few ticks many times with different activation orders and draws (Mesa: its ``random``
re-seeded after construction; ours: ``default_rng(k)``), and the distributions of actives
and jailed after each tick are compared the same way. With the world held fixed, a
difference in the rules of a tick would show up here long before it shows in outbursts. Mesa's data collector is switched off for speed (it only reads
agent attributes, so the dynamics are unchanged); the counts are read from the model's
``ACTIVE``/``ARRESTED`` attributes after each step.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim.epstein import RUN2, EpsteinModel, outbursts, run2_config  # noqa: E402
from sim.public.grid import RegionGrid, TickParams  # noqa: E402
from sim.public.kernel import COP_ON, EMPTY, offsets  # noqa: E402

LEVEL = 50  # actives above this make an outburst


def mesa_model(seed: int, ticks: int):
    """Mesa's example at Run 2 settings, its data collector off."""
    from mesa.examples.advanced.epstein_civil_violence.model import (
        EpsteinCivilViolence,
        EpsteinScenario,
    )

    scn = EpsteinScenario(rng=seed, legitimacy=RUN2["legitimacy"], max_jail_term=RUN2["max_jail_term"],
                          cop_density=RUN2["cop_density"], cop_vision=RUN2["vision"],
                          citizen_vision=RUN2["vision"], max_iters=ticks + 10)
    model = EpsteinCivilViolence(scenario=scn)
    model.datacollector.collect = lambda _model: None
    return model


def mesa_series(seed: int, ticks: int) -> tuple[np.ndarray, np.ndarray]:
    """(active, jailed) after each of ``ticks`` steps of Mesa's example at Run 2 settings."""
    model = mesa_model(seed, ticks)
    active = np.empty(ticks, dtype=np.int64)
    jailed = np.empty(ticks, dtype=np.int64)
    for t in range(ticks):
        model.step()
        active[t], jailed[t] = model.ACTIVE, model.ARRESTED
    return active, jailed


def ours_series(seed: int, ticks: int) -> tuple[np.ndarray, np.ndarray]:
    """(active, jailed) after each of ``ticks`` ticks of the Epstein mode at Run 2 settings."""
    series = EpsteinModel(run2_config(seed=seed, steps=ticks)).run()
    return series["active"].to_numpy()[1:], series["jailed"].to_numpy()[1:]


def _task(job: tuple[str, int, int]) -> tuple[str, int, np.ndarray, np.ndarray]:
    which, seed, ticks = job
    active, jailed = (mesa_series if which == "mesa" else ours_series)(seed, ticks)
    return which, seed, active, jailed


def run_measures(active: np.ndarray, jailed: np.ndarray) -> dict:
    """One run's measures (see the module docstring)."""
    runs = outbursts(active, LEVEL)
    peaks = [p for _, _, p in runs]
    return {
        "outbursts": len(runs),
        "peaks": peaks,
        "max actives": int(active.max()),
        "share of ticks > 50": float(np.mean(active > LEVEL)),
        "mean actives": float(np.mean(active)),
        "mean jailed": float(np.mean(jailed)),
    }


def compare(mesa: list[dict], ours: list[dict]) -> list[dict]:
    """One row per measure: sample sizes, means, medians, KS and Mann-Whitney statistics."""
    rows = []
    for key in ("outbursts", "peak of an outburst", "max actives", "share of ticks > 50",
                "mean actives", "mean jailed"):
        if key == "peak of an outburst":
            a = np.array([p for m in mesa for p in m["peaks"]], dtype=float)
            b = np.array([p for m in ours for p in m["peaks"]], dtype=float)
        else:
            a = np.array([m[key] for m in mesa], dtype=float)
            b = np.array([m[key] for m in ours], dtype=float)
        rows.append(_test_row(key, a, b))
    return rows


def grid_from_mesa(model) -> RegionGrid:
    """Mesa's world (all citizens quiet, as built) as a ``RegionGrid`` for our kernel."""
    from mesa.examples.advanced.epstein_civil_violence.agents import Citizen, Cop

    width, height = model.grid.dimensions
    cell = np.full(width * height, EMPTY, dtype=np.int64)
    cit_pos, cit_h, cit_r, cop_pos = [], [], [], []
    for c in model.grid.all_cells:
        x, y = c.coordinate
        for agent in c.agents:
            if isinstance(agent, Citizen):
                cell[y * width + x] = len(cit_pos)
                cit_pos.append(y * width + x)
                cit_h.append(agent.hardship)
                cit_r.append(agent.risk_aversion)
            elif isinstance(agent, Cop):
                cell[y * width + x] = -2 - len(cop_pos)
                cop_pos.append(y * width + x)
    n = len(cit_pos)
    dx, dy = offsets(RUN2["vision"], "von_neumann")
    grid = RegionGrid(width, height, cell, np.zeros(cell.size, dtype=np.int8), np.array(cit_pos, dtype=np.int64),
                      np.array(cit_h), np.array(cit_r), np.zeros(n, dtype=np.int8), np.zeros(n, dtype=np.int64),
                      np.array(cop_pos, dtype=np.int64), np.full(len(cop_pos), COP_ON, dtype=np.int8), dx, dy)
    grid.rebuild_kind()
    return grid


def _same_world_task(job: tuple[str, int, int, int]) -> tuple[str, np.ndarray]:
    """(which, [[active, jailed] after each tick]) from world ``world_seed``, draws ``rep``."""
    which, world_seed, rep, ticks = job
    model = mesa_model(world_seed, ticks)
    out = np.empty((ticks, 2), dtype=np.int64)
    if which == "mesa":
        model.random.seed(10_000 + rep)  # same world, other activation orders and draws
        for t in range(ticks):
            model.step()
            out[t] = model.ACTIVE, model.ARRESTED
    else:
        grid = grid_from_mesa(model)
        rng = np.random.default_rng(10_000 + rep)
        params = TickParams(legitimacy=RUN2["legitimacy"], max_jail=RUN2["max_jail_term"])
        for t in range(ticks):
            grid.step(rng, params)
            _, active, jailed, _ = grid.counts()
            out[t] = active, jailed
    return which, out


def same_world(world_seed: int = 1, reps: int = 150, ticks: int = 3, workers: int = 2) -> list[dict]:
    """Compare actives and jailed after each of ``ticks`` ticks from one shared world."""
    jobs = [(which, world_seed, rep, ticks) for rep in range(reps) for which in ("mesa", "ours")]
    got: dict[str, list[np.ndarray]] = {"mesa": [], "ours": []}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for which, out in pool.map(_same_world_task, jobs):
            got[which].append(out)
    mesa, ours = np.array(got["mesa"]), np.array(got["ours"])
    rows = []
    for t in range(ticks):
        for col, name in ((0, "actives"), (1, "jailed")):
            rows.append(_test_row(f"{name} after tick {t + 1}", mesa[:, t, col].astype(float),
                                  ours[:, t, col].astype(float)))
    return rows


def _test_row(key: str, a: np.ndarray, b: np.ndarray) -> dict:
    ks = stats.ks_2samp(a, b)
    mw = stats.mannwhitneyu(a, b, alternative="two-sided")
    return {
        "measure": key,
        "n mesa": int(a.size), "n ours": int(b.size),
        "mean mesa": float(a.mean()), "mean ours": float(b.mean()),
        "median mesa": float(np.median(a)), "median ours": float(np.median(b)),
        "KS D": float(ks.statistic), "KS p": float(ks.pvalue),
        "MW U": float(mw.statistic), "MW p": float(mw.pvalue),
    }


def main(seeds: int = 40, ticks: int = 300, workers: int = 2, same_world_reps: int = 150,
         same_world_ticks: int = 3) -> list[dict]:
    """Both checks (see the module docstring); each row says which check it belongs to."""
    jobs = [(which, seed, ticks) for seed in range(1, seeds + 1) for which in ("mesa", "ours")]
    results: dict[str, list[dict]] = {"mesa": [], "ours": []}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for which, _seed, active, jailed in pool.map(_task, jobs):
            results[which].append(run_measures(active, jailed))
    rows = [{"check": f"{seeds} seeds x {ticks} ticks", **r} for r in compare(results["mesa"], results["ours"])]
    if same_world_reps > 0:
        rows += [{"check": f"one world, {same_world_reps} draws", **r}
                 for r in same_world(1, same_world_reps, same_world_ticks, workers)]
    return rows


if __name__ == "__main__":
    from benchmarks.common import machine, print_table

    n_seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    n_ticks = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    t0 = time.perf_counter()
    table = main(n_seeds, n_ticks)
    print(f"machine: {machine()}")
    print_table(f"Epstein Run 2: Mesa's example vs the Epstein mode ({time.perf_counter() - t0:.0f} s)", table)
