"""Parameter recovery: the calibration finds values it was given, not only runs.

Synthetic data from known parameter values: for each replica a true value is drawn inside the
prior range, one run at that value gives the "observed" measure, and the calibration is asked
for the value back. Its 90% credible interval should cover the truth in about nine replicas
of ten, be much narrower than the prior, and its median should follow the truth.

Used by ``tests/test_calibrate.py`` (small: the exit rate of the one-day tiny world read back
from its emigrants) and ``benchmarks/bench_calibrate.py`` (``make bench`` and ``make
recovery``: the same, bigger).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def recover(folder: Path, scenario: Path, path: str, measure: str, *, replicas: int, particles: int,
            generations: int, seed: int, truths: list[float] | None = None, low: float | None = None,
            high: float | None = None) -> list[dict]:
    """Calibrate ``path`` against one run's ``measure`` at known values; one row per replica.

    The prior is the parameter's assumed range (or ``low``-``high``); the true values are
    ``truths`` or drawn uniformly from the middle 80% of the prior. Each row: the true value,
    the posterior median and 90% interval (:func:`engine.summarise`) and whether it covers.
    """
    import pyabc

    from ..model.model import RegimeModel
    from ..scenario.loader import load_scenario
    from .engine import Simulator, calibrate, load_cases, posterior, resolve_priors, summarise
    from .ranges import default_range

    if low is None or high is None:
        low, high = default_range(path)
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    if truths is None:
        truths = [float(rng.uniform(low + 0.1 * (high - low), high - 0.1 * (high - low))) for _ in range(replicas)]
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, true in enumerate(truths[:replicas]):
        model = RegimeModel(load_scenario(scenario, {path: true}), seed=int(rng.integers(2**31)))
        model.run()
        observed = float(model.measures()[measure])
        targets = folder / f"case{i}.yaml"
        targets.write_text(
            f"case: recovery{i}\nscenario: {scenario}\ntargets:\n  - measure: {measure}\n    observed: {observed!r}\n"
            f"    source: {{publication: 'synthetic: one run at {path} = {true!r}'}}\n"
            f"fit:\n  - path: {path}\n    range: [{low!r}, {high!r}]\n")
        cases = load_cases([str(targets)])
        priors, applies = resolve_priors(cases, None)
        sim = Simulator(cases=cases, priors=priors, seed=seed + i, applies=applies)
        history = calibrate(sim, folder / f"abc{i}.db", particles=particles, generations=generations,
                            seed=seed + i, resume=False, sampler=pyabc.sampler.SingleCoreSampler())
        row = summarise(posterior(history, priors), priors)[0]
        simulations = int(history.get_all_populations()["samples"].sum())
        rows.append({"true": true, "observed": observed, **row, "covered": row["q05"] <= true <= row["q95"],
                     "simulations": simulations})
    return rows
