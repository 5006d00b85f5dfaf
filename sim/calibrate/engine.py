"""ABC-SMC calibration with pyabc: the simulator, the summary statistics, the run, resume.

Summary statistics, one per target (``CASE:i:measure``):

- a number: the mean over the particle's replications (``log10(1 + x)`` for ``scale: log``);
  a run with no value (NaN: no column marched) counts as the target's ``if_missing``;
- a label (outcome, a side's status): the share of replications that end with the observed label
  (observed: 1);
- yes/no: the share of replications that say yes (observed: 1 or 0).

An observed interval is compared through its midpoint. pyabc's adaptive p-norm distance
rescales each statistic by its root mean square deviation from the observed value in the
current population (``pyabc.distance.rmsd``: bias and spread), so statistics in kilometres,
deaths and shares weigh alike; thresholds adapt (the median distance, stepping below a tie:
``epsilon.py``). Not by its spread alone
(pyabc's default, the median absolute deviation): a statistic that more than half the
particles share (no settlement in any run, the same halt in every run) has no spread, and
pyabc then gives it no weight however far it is from what happened; on the mutiny every
target had none, every distance was 0 and the posterior was the prior.

Randomness: each simulation's seed is drawn from ``SeedSequence(seed, spawn_key=(case, bits of
the parameter values))``, so a particle's runs depend on the command's ``--seed`` and its
values only; pyabc's own sampling draws from numpy's global generator, seeded from ``--seed``
(with ``--workers`` > 1 pyabc reseeds each worker from the OS: reproducible only on one worker).
"""

from __future__ import annotations

import math
import struct
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..scenario.errors import ScenarioError
from .ranges import Prior, default_range, parse_fit_option, shared_by_default
from .targets import Case, check_measures, comparison, derived_measures, derived_names, read_case


@dataclass
class CaseModel:
    """One case's scenario, loaded once, and its targets: runs it at a particle's values."""

    case: Case
    index: int
    scn: Any
    raw: dict
    pos: dict
    int_paths: frozenset[str] = frozenset()
    replications: int = 1

    @property
    def name(self) -> str:
        return self.case.name

    def scenario(self, values: dict[str, float]) -> Any:
        from ..scenario.loader import apply_overrides, overridden_positions, validate_raw

        if not values:
            return self.scn
        over = {p: (int(round(v)) if p in self.int_paths else float(v)) for p, v in values.items()}
        # without its sweep: section, which a calibration does not use and whose check (every value a
        # sweep can take, validated) cost about two thirds of validating each particle's scenario
        base = {k: v for k, v in self.raw.items() if k != "sweep"}
        raw = apply_overrides(base, self.scn, over, self.case.file)
        return validate_raw(raw, overridden_positions(self.pos, over), self.case.file)

    def runs(self, values: dict[str, float], seed: int) -> list[dict]:
        """The measures of each replication at ``values``."""
        from ..model.model import RegimeModel

        scn = self.scenario(values)
        bits = [b for v in sorted(values.items()) for b in struct.unpack("<II", struct.pack("<d", float(v[1])))]
        ss = np.random.SeedSequence(seed, spawn_key=(self.index, *bits))
        out = []
        derived = derived_names([t.measure for t in self.case.spec.targets])
        for child in ss.spawn(self.replications):
            model = RegimeModel(scn, seed=int(child.generate_state(1, dtype=np.uint32)[0]), record_track=False)
            model.run()
            out.append({**model.measures(), **derived_measures(model, derived)})
        return out

    def stat_keys(self) -> list[str]:
        return [f"{self.name}:{i}:{t.measure}" for i, t in enumerate(self.case.spec.targets)]

    def statistics(self, runs: list[dict]) -> dict[str, float]:
        return {k: statistic(t, [value_of(t, r) for r in runs])
                for k, t in zip(self.stat_keys(), self.case.spec.targets, strict=True)}

    def observed(self) -> dict[str, float]:
        out = {}
        for k, t in zip(self.stat_keys(), self.case.spec.targets, strict=True):
            if t.share is not None:  # a share of runs, observed over an ensemble
                out[k] = (t.share[0] + t.share[1]) / 2 if t.kind == "categorical" or t.observed else \
                    1.0 - (t.share[0] + t.share[1]) / 2
            elif t.kind == "categorical":
                out[k] = 1.0
            elif t.kind == "share":
                out[k] = float(bool(t.observed))
            else:
                iv = t.interval
                value = (iv[0] + iv[1]) / 2 if iv else float(t.observed)
                out[k] = math.log10(1 + max(value, 0)) if t.scale == "log" else value
        return out


def value_of(target: Any, run: dict) -> Any:
    """A run's value of a target's measure; a comparison 'A > B' of two numbers is true or false."""
    parts = comparison(target.measure)
    if parts is None:
        return run.get(target.measure)
    a, op, b = parts
    x, y = run.get(a), run.get(b)
    if x is None or y is None or math.isnan(float(x)) or math.isnan(float(y)):
        return False
    return float(x) > float(y) if op == ">" else float(x) < float(y)


def number(target: Any, value: Any) -> float:
    """A run's value of a numeric target, as compared (NaN -> if_missing, log scale)."""
    x = float(value) if value is not None else float("nan")
    if math.isnan(x):
        x = target.if_missing if target.if_missing is not None else float("nan")
    if target.scale == "log" and not math.isnan(x):
        x = math.log10(1 + max(x, 0.0))
    return x


def statistic(target: Any, values: Sequence[Any]) -> float:
    if target.kind == "categorical":
        return float(np.mean([str(v) == target.observed for v in values]))
    if target.kind == "share":
        return float(np.mean([bool(v) for v in values]))
    xs = [number(target, v) for v in values]
    xs = [x for x in xs if not math.isnan(x)]
    # no value in any replication and no if_missing: a far-off value, so the particle is rejected
    return float(np.mean(xs)) if xs else 1e12


@dataclass
class Simulator:
    """The pyabc model: a particle's parameter dict -> the summary statistics of every case."""

    cases: list[CaseModel]
    priors: list[Prior]
    seed: int
    applies: dict[str, list[str]] = field(default_factory=dict)  # case -> paths it has

    def values(self, pars: Any, case: CaseModel) -> dict[str, float]:
        return {p.path: float(pars[p.key]) for p in self.priors if p.key in self.applies[case.name]}

    def __call__(self, pars: Any) -> dict[str, float]:
        out: dict[str, float] = {}
        for c in self.cases:
            out.update(c.statistics(c.runs(self.values(pars, c), self.seed)))
        return out


# ----------------------------------------------------------------------------- set-up
def load_cases(names: Sequence[str], replications: int | None = None) -> list[CaseModel]:
    from ..scenario.loader import field_kind, load_scenario_with_raw

    if not names:
        raise ScenarioError("name at least one case (a targets file or a bundled case)", file="<command line>")
    out = []
    for i, name in enumerate(names):
        case = read_case(name)
        scn, raw, pos = load_scenario_with_raw(case.scenario_path)
        check_measures(case, scn)
        reps = replications or case.spec.replications
        cm = CaseModel(case=case, index=i, scn=scn, raw=raw, pos=pos, replications=reps)
        cm.int_paths = frozenset(f.path for f in case.spec.fit if _has(scn, f.path) and field_kind(scn, f.path) == "int")
        out.append(cm)
    if len({c.name for c in out}) != len(out):
        raise ScenarioError("the same case is named twice", file="<command line>")
    return out


def _has(scn: Any, path: str) -> bool:
    from ..scenario.loader import value_at

    try:
        value_at(scn, path)
    except (KeyError, IndexError, TypeError, ScenarioError):
        return False
    return True


def resolve_priors(cases: list[CaseModel], fit_options: Sequence[str] | None,
                   range_of: Callable[[str], tuple[float, float]] = default_range) -> tuple[list[Prior], dict]:
    """The fitted parameters with their ranges, each checked against every case that has it.

    A parameter of behaviour (``elites.*``, ``public.*``; ``shared:`` in a targets file says
    otherwise) is one prior fitted jointly by every case that has it; any other parameter is a
    part of each case's world (a ruler's strength in 2016 Turkey is not his in 2023 Russia): each
    case that has it gets a prior of its own. Returns the priors and, per case, the keys of the
    priors that apply to it.
    """
    from ..scenario.loader import field_kind

    # (path, range, origin, shared) in the order given
    chosen: dict[str, tuple[float, float, str, bool]] = {}
    if fit_options:
        for item in fit_options:
            path, rng = parse_fit_option(item)
            shared = shared_by_default(path)
            if rng is None:
                # a range from a targets file that lists it, else the assumed range
                for c in cases:
                    for j, f in enumerate(c.case.spec.fit):
                        if f.path == path and f.range and rng is None:
                            rng = (f.range[0], f.range[1])
                            origin = f"{c.case.file}:{c.case.line('fit', j, 'range')}"
                if rng is None:
                    rng, origin = range_of(path), "assumed"
            else:
                origin = "command line"
            for c in cases:
                for f in c.case.spec.fit:
                    if f.path == path and f.shared is not None:
                        shared = f.shared
            chosen[path] = (float(rng[0]), float(rng[1]), origin, shared)
    listed: dict[str, set[str]] = {}  # path -> the cases whose targets file lists it
    if not fit_options:
        for c in cases:
            for j, f in enumerate(c.case.spec.fit):
                listed.setdefault(f.path, set()).add(c.name)
                if f.path in chosen:
                    continue
                shared = shared_by_default(f.path) if f.shared is None else f.shared
                if f.range:
                    chosen[f.path] = (f.range[0], f.range[1], f"{c.case.file}:{c.case.line('fit', j)}", shared)
                else:
                    try:
                        lo, hi = range_of(f.path)
                    except ScenarioError as err:
                        raise c.case.error(err.message, "fit", j, "path") from None
                    chosen[f.path] = (lo, hi, "assumed", shared)
    if not chosen:
        raise ScenarioError("nothing to fit: give --fit PATH[=LOW:HIGH] or a 'fit:' list in a targets file",
                            file="<command line>", field="--fit")
    applies: dict[str, list[str]] = {c.name: [] for c in cases}
    priors: list[Prior] = []
    for path, (low, high, origin, shared) in chosen.items():
        users = [c for c in cases if _has(c.scn, path)]
        if not users:
            raise ScenarioError(f"no case's scenario has a parameter {path}", file="<command line>",
                                field="--fit")
        if not shared and path in listed:  # a case's own parameter is fitted where its targets file asks
            users = [c for c in users if c.name in listed[path]] or users
        own = not shared and len(users) > 1
        common = Prior(path, low, high, origin)
        if not own:
            priors.append(common)
        for c in users:
            prior = Prior(path, low, high, origin, case=c.name) if own else common
            kind = field_kind(c.scn, path)
            if kind not in ("int", "float"):
                raise _range_error(c, prior, f"{path} is not a number ({kind}); only numbers can be fitted")
            if kind == "int":
                c.int_paths = c.int_paths | {path}
            for end in (low, high):
                try:
                    c.scenario({path: end})
                except ScenarioError as err:
                    raise _range_error(c, prior, f"prior range [{low:g}, {high:g}] of {path} "
                                                 f"leaves its valid domain: {err.message}") from None
            if own:
                priors.append(prior)
            applies[c.name].append(prior.key)
    return priors, applies


def _range_error(c: CaseModel, prior: Prior, message: str) -> ScenarioError:
    if prior.origin.startswith(c.case.file + ":"):
        for j, f in enumerate(c.case.spec.fit):
            if f.path == prior.path:
                return c.case.error(message, "fit", j, "range")
    return ScenarioError(message, file="<command line>" if prior.origin != "assumed" else c.case.file,
                         field="--fit")


# ----------------------------------------------------------------------------- the run
@dataclass
class Generation:
    t: int
    epsilon: float
    acceptance: float
    particles: int
    simulations: int
    seconds: float


def make_sampler(workers: int, executor: str, scheduler: str | None) -> tuple[Any, Callable[[], None]]:
    """pyabc's sampler for the options, and a function that releases what it started."""
    import pyabc

    if executor == "dask":
        from distributed import Client, LocalCluster

        if scheduler:
            client = Client(scheduler)
            return pyabc.sampler.DaskDistributedSampler(dask_client=client), client.close
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)

        def close() -> None:
            client.close()
            cluster.close()

        return pyabc.sampler.DaskDistributedSampler(dask_client=client), close
    if workers > 1:
        return pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers), lambda: None
    return pyabc.sampler.SingleCoreSampler(), lambda: None


def calibrate(sim: Simulator, db: Path, *, particles: int, generations: int, seed: int, resume: bool,
              sampler: Any, min_acceptance: float = 0.0,
              report: Callable[[Generation, int, float], None] | None = None) -> Any:
    """Run (or continue) ABC-SMC, one generation per pyabc ``run`` call; returns pyabc's History.

    Each finished generation is in the SQLite database before the next starts, so a kill loses
    at most the generation in flight and ``resume`` continues from the last one stored.
    """
    import logging

    import pyabc

    from .epsilon import MedianBelowTies

    for name in ("ABC", "pyabc", "Sampler", "Distance", "Epsilon", "Acceptor", "History", "Transitions",
                 "ABC.Sampler", "ABC.History", "ABC.Distance", "ABC.Epsilon"):
        logging.getLogger(name).setLevel(logging.WARNING)
    prior = pyabc.Distribution(**{p.key: pyabc.RV("uniform", p.low, p.high - p.low) for p in sim.priors})
    url = f"sqlite:///{db}"
    observed = {k: v for c in sim.cases for k, v in c.observed().items()}

    def fresh() -> Any:
        return pyabc.ABCSMC(sim, prior, pyabc.AdaptivePNormDistance(p=2, scale_function=pyabc.distance.rmsd),
                            population_size=particles,
                            sampler=sampler, eps=MedianBelowTies())

    def reseed(t: int) -> None:
        # pyabc draws from numpy's global generator; its state is not in the database, so each
        # generation starts from SeedSequence([seed, t + 1]): a resumed run goes on as an unbroken one
        np.random.seed(int(np.random.SeedSequence([seed, t + 1]).generate_state(1, dtype=np.uint32)[0]))

    first = None
    if resume and db.exists() and _has_run(db):
        history = fresh().load(url, 1)
    else:
        if db.exists():
            db.unlink()  # killed before its first row: start again
        reseed(-1)
        first = fresh()
        history = first.new(url, observed)
    t_start = time.perf_counter()
    done_here = 0
    while history.max_t + 1 < generations:
        t0 = time.perf_counter()
        # a new ABCSMC per generation, loaded from the database: pyabc caches the population it
        # calibrates the next threshold on, so a second run() on one object keeps the first threshold
        if first is not None:
            abc, first = first, None
        else:
            abc = fresh()
            abc.load(url, 1)
        reseed(history.max_t + 1)
        history = abc.run(max_nr_populations=1, min_acceptance_rate=min_acceptance)
        done_here += 1
        pops = history.get_all_populations()
        row = pops[pops.t == history.max_t].iloc[0]
        elapsed = time.perf_counter() - t_start
        left = (generations - history.max_t - 1) * elapsed / done_here
        gen = Generation(t=int(row.t), epsilon=float(row.epsilon), acceptance=particles / max(int(row.samples), 1),
                         particles=particles, simulations=int(row.samples), seconds=time.perf_counter() - t0)
        if report is not None:
            report(gen, generations, left)
        if min_acceptance and gen.acceptance < min_acceptance:
            break
    return history


def _has_run(db: Path) -> bool:
    import sqlite3

    try:
        with sqlite3.connect(db) as con:
            return con.execute("select count(*) from abc_smc").fetchone()[0] > 0
    except sqlite3.Error:
        return False


def generations_table(history: Any, particles: int) -> Any:
    import pandas as pd

    pops = history.get_all_populations()
    pops = pops[pops.t >= 0].copy()
    end = pd.to_datetime(pops["population_end_time"])
    start = pd.Series([pd.to_datetime(history.get_abc().start_time)] + list(end.iloc[:-1]), index=pops.index)
    return pd.DataFrame({
        "generation": pops["t"].astype(int),
        "threshold": pops["epsilon"].astype(float),
        "simulations": pops["samples"].astype(int),
        "acceptance_rate": particles / pops["samples"].clip(lower=1),
        "seconds": (end - start).dt.total_seconds(),
    }).reset_index(drop=True)


def posterior(history: Any, priors: list[Prior]) -> Any:
    """The last generation's particles: one column per fitted path, and their weights."""
    df, w = history.get_distribution(m=0, t=history.max_t)
    out = df.rename(columns={p.key: p.name for p in priors})[[p.name for p in priors]].reset_index(drop=True)
    out["weight"] = np.asarray(w, dtype=float)
    out["generation"] = int(history.max_t)
    return out


def weighted_quantiles(x: np.ndarray, w: np.ndarray, qs: Sequence[float]) -> list[float]:
    order = np.argsort(x)
    x, w = np.asarray(x)[order], np.asarray(w)[order]
    cw = (np.cumsum(w) - 0.5 * w) / w.sum()
    return [float(np.interp(q, cw, x)) for q in qs]


def summarise(post: Any, priors: list[Prior]) -> list[dict]:
    """Per parameter: the prior range, the posterior median and 90% interval, how much it narrowed."""
    rows = []
    w = post["weight"].to_numpy()
    for p in priors:
        lo, med, hi = weighted_quantiles(post[p.name].to_numpy(), w, (0.05, 0.5, 0.95))
        width = (hi - lo) / (0.9 * (p.high - p.low))
        rows.append({"path": p.name, "param": p.path, "case": p.case or "", "prior_low": p.low, "prior_high": p.high, "origin": p.origin,
                     "median": med, "q05": lo, "q95": hi, "width_ratio": width,
                     "constrained": bool(width < 0.6)})
    return rows


def in_prediction_set(shares: dict[str, float], observed: str, level: float = 0.9) -> bool:
    """Whether ``observed`` is in the ``level`` prediction set of a label: the most likely labels,
    most likely first, until together they hold ``level`` of the runs (the categorical
    counterpart of a 90% predictive interval; a label predicted in 5% of runs beside one in 95%
    is outside it)."""
    held = 0.0
    for label, p in sorted(shares.items(), key=lambda kv: (-kv[1], kv[0])):
        if held >= level - 1e-12:
            return False
        if label == observed:
            return True
        held += p
    return False


def predictive(cases: list[CaseModel], sim: Simulator, post: Any, draws: int, seed: int) -> Any:
    """Posterior predictive check: ``draws`` particles by weight, each run with the case's
    replications; per target the 5-95% predictive interval (numbers) or the predicted share of
    the observed label, against the observed value."""
    import pandas as pd

    rng = np.random.default_rng(np.random.SeedSequence([seed, 7]))
    w = post["weight"].to_numpy()
    idx = rng.choice(len(post), size=draws, p=w / w.sum())
    rows = []
    for c in cases:
        per_target: list[list[Any]] = [[] for _ in c.case.spec.targets]
        for k, i in enumerate(idx):
            pars = {p.key: float(post.iloc[i][p.name]) for p in sim.priors}
            for run in c.runs(sim.values(pars, c), seed + 1 + k):
                for j, t in enumerate(c.case.spec.targets):
                    per_target[j].append(value_of(t, run))
        for j, t in enumerate(c.case.spec.targets):
            vals = per_target[j]
            row = {"case": c.name, "target": j, "measure": t.measure, "source": t.source.text(), "kind": t.kind,
                   "scale": t.scale}
            if t.kind in ("categorical", "share"):
                seen = [str(v) if t.kind == "categorical" else str(bool(v)) for v in vals]
                want = str(t.observed) if t.kind == "categorical" else str(bool(t.observed))
                labels = pd.Series(seen).value_counts(normalize=True)
                share = float(labels.get(want, 0.0))
                if t.share is None:
                    row.update(observed=str(t.observed), observed_low=np.nan, observed_high=np.nan,
                               predicted=share, low=np.nan, high=np.nan,
                               covered=in_prediction_set(labels.to_dict(), want))
                else:
                    # an ensemble's share: each draw's share of its runs, against the observed interval
                    n = c.replications
                    per_draw = [np.mean([s == want for s in seen[k * n:(k + 1) * n]]) for k in range(len(idx))]
                    lo, hi = np.quantile(per_draw, [0.05, 0.95])
                    obs_lo, obs_hi = t.share if t.kind == "categorical" or t.observed else \
                        (1.0 - t.share[1], 1.0 - t.share[0])
                    row.update(observed=f"{want} in {obs_lo:.0%}-{obs_hi:.0%} of runs", observed_low=obs_lo,
                               observed_high=obs_hi, predicted=share, low=float(lo), high=float(hi),
                               covered=bool(hi >= obs_lo and lo <= obs_hi))
                row["predicted_text"] = ", ".join(f"{k} {v:.0%}" for k, v in labels.head(4).items())
            else:
                xs = np.array([float(v) if v is not None else np.nan for v in vals])
                if t.if_missing is not None:
                    xs = np.where(np.isnan(xs), t.if_missing, xs)
                xs = xs[~np.isnan(xs)]
                lo, med, hi = (np.quantile(xs, [0.05, 0.5, 0.95]) if len(xs) else (np.nan,) * 3)
                iv = t.interval or (float(t.observed), float(t.observed))
                row.update(observed=(f"{iv[0]:g}-{iv[1]:g}" if t.interval else f"{float(t.observed):g}"),
                           observed_low=iv[0], observed_high=iv[1], predicted=float(med), low=float(lo),
                           high=float(hi), covered=bool(len(xs) and hi >= iv[0] and lo <= iv[1]),
                           predicted_text=f"{med:,.4g} (90%: {lo:,.4g} to {hi:,.4g})")
            rows.append(row)
    return pd.DataFrame(rows)
