"""Global sensitivity analysis of a scenario: which swept parameters decide the outcome.

Two methods, both through SALib and the sweep machinery (every sample is an ordinary,
recorded, resumable sweep run):

* **Sobol** (variance-based; Saltelli et al. 2010): the first-order index S1 is the share of
  the response's variance that a parameter explains on its own, the total index ST its share
  including every interaction. N base samples give N (D + 2) points, N (2D + 2) with second
  order (pairwise S2), N a power of two.
* **Morris** (elementary effects; Morris 1991, Campolongo et al. 2007): N trajectories of
  D + 1 points. mu* is the mean absolute change of the response when one parameter moves across
  its whole range, mu the signed mean (mu much smaller than mu* means effects of both signs),
  sigma the spread of those changes (large: non-linear, or interacting with other parameters).

The model is stochastic: each sample is replicated and the response is the mean of a measure
over the replications, or the share of them that end in an outcome. What is left of the
replication noise shows up as spurious sensitivity. A *dummy* parameter that the model never
reads is therefore sampled with the others: its index is what noise alone produces, the noise
floor below which an index means nothing (Khorashadi Zadeh et al. 2017).

Parameters the sweep gives as a list of values (rather than a range) are sampled as discrete
parameters, each listed value equally likely; their indices measure the choice among those
values. At least one ranged parameter is required.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..model.outcomes import LABELS, OUTCOMES, Outcome
from ..scenario.errors import ScenarioError, did_you_mean
from ..sweep.design import Factor, salib_problem
from ..sweep.plan import SweepPlan, build_plan
from . import write_outputs

METHODS = ("sobol", "morris")
#: the grid of Morris trajectories; the same number sim.sweep.design.generate samples with
MORRIS_LEVELS = 4
CONF_LEVEL = 0.95
RESAMPLES = 1000
DUMMY = "dummy"
DUMMY_PARAMETER = {DUMMY: {"range": [0.0, 1.0]}}
#: the index whose interval is compared with the dummy's, per method
KEY = {"sobol": "ST", "morris": "mu_star"}
FILES = {
    "indices": "sensitivity_indices",
    "second_order": "sensitivity_second_order",
    "response": "sensitivity_response",
    "text": "sensitivity.txt",
    "meta": "sensitivity.json",
}


def _salib() -> str:
    """SALib's version; a clear error when it is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("SALib")
    except PackageNotFoundError:
        raise ScenarioError("sensitivity analysis needs SALib: pip install 'regime-sim[sweep]'") from None


# ============================================================================ the response
@dataclass(frozen=True)
class Response:
    """What is analysed: a numeric measure of a run, or whether it ends in an outcome."""

    kind: str  # "measure" | "outcome"
    name: str  # a measure, or one outcome or several joined by commas (any of them counts)

    @property
    def label(self) -> str:
        if self.kind == "outcome":
            return f"P({outcome_label(self.name)})"
        return self.name

    @property
    def unit(self) -> str:
        """Units of a measure (and of Morris' mu*, mu, sigma); '' for a probability, which says so itself."""
        if self.kind == "outcome":
            return ""
        if self.name.endswith("_h"):
            return "hours"
        if "share" in self.name or self.name.startswith("peak_protest__"):
            return "share of the population" if "protest" in self.name else "share"
        if self.name in ("emigrants", "mobilized", "arrests", "casualties"):
            return "people"
        return ""

    def per_run(self, runs: pd.DataFrame) -> pd.Series:
        if self.kind == "outcome":
            return runs["outcome"].isin(self.name.split(",")).astype(float)
        return pd.to_numeric(runs[self.name], errors="coerce").astype(float)


def parse_outcomes(text: str, source: str | None = None) -> str:
    """'coup succeeds, coup_fails' -> 'coup_succeeds,coup_fails', each checked (with a did-you-mean)."""
    keys = []
    for part in text.split(","):
        key = part.strip().replace(" ", "_").replace("-", "_")
        if key not in OUTCOMES:
            raise ScenarioError(f"unknown outcome '{part.strip()}'{did_you_mean(key, OUTCOMES)}; outcomes: "
                                f"{', '.join(OUTCOMES)}", file=source, field="outcome")
        keys.append(key)
    return ",".join(dict.fromkeys(keys))


def outcome_label(names: str) -> str:
    """'coup_succeeds,coup_fails' -> 'coup succeeds or coup fails'."""
    return " or ".join(LABELS[Outcome(n)] for n in names.split(","))


def numeric_measures(scn: Any) -> list[str]:
    """The numeric measures a run of ``scn`` records (from the model itself, so it never drifts)."""
    from ..model.model import RegimeModel

    model = RegimeModel(scn.model_copy(update={"sweep": None}), seed=0, record_track=False)
    return [k for k, v in model.measures().items() if isinstance(v, int | float) and not isinstance(v, str)]


def resolve_response(scn: Any, measure: str | None, outcome: str | None, source: str | None = None) -> Response:
    """Check ``--measure``/``--outcome``; by default, the sweep's answer outcome (or the time to outcome).
    ``source`` names the scenario file in error messages."""
    if measure and outcome:
        raise ScenarioError("give either --measure or --outcome, not both", file=source, field="measure")
    if outcome:
        return Response("outcome", parse_outcomes(outcome, source))
    if measure:
        names = numeric_measures(scn)
        if measure not in names:
            hint = did_you_mean(measure, names) or f"; numeric measures: {', '.join(names)}"
            raise ScenarioError(f"unknown measure '{measure}'{hint}", file=source, field="measure")
        return Response("measure", measure)
    if scn.sweep is not None and scn.sweep.answer_outcome:
        return Response("outcome", scn.sweep.answer_outcome)
    return Response("measure", "time_to_outcome_h")


# ============================================================================ the plan
def plan_sensitivity(file: str | Path, sets: list[str] | None, method: str, *, samples: int | None = None,
                     replications: int | None = None, second_order: bool = False) -> SweepPlan:
    """The sweep plan of a sensitivity analysis: the scenario's swept parameters plus the dummy,
    in a Sobol (Saltelli) or Morris design."""
    _salib()
    if method not in METHODS:
        raise ScenarioError(f"unknown method '{method}'{did_you_mean(method, METHODS)}: use sobol or morris",
                            file=str(file), field="method")
    if second_order and method != "sobol":
        raise ScenarioError("--second-order is for --method sobol", file=str(file), field="second_order")
    if samples is not None:
        if samples < 2:
            raise ScenarioError(f"--samples must be at least 2, got {samples}", file=str(file), field="samples")
        if method == "sobol" and samples & (samples - 1):
            lower = 1 << (samples.bit_length() - 1)
            raise ScenarioError(f"--samples must be a power of two for Sobol (SALib's Sobol sequence), got "
                                f"{samples}: try {lower} or {2 * lower}", file=str(file), field="samples")
    if replications is not None and replications < 1:
        raise ScenarioError(f"--replications must be at least 1, got {replications}", file=str(file), field="replications")
    plan = build_plan(file, sets, design=method, samples=samples, replications=replications,
                      extra_parameters=DUMMY_PARAMETER, second_order=second_order)
    ranged = [f for f in plan.factors if not f.is_dummy and f.kind != "categorical"]
    if not ranged:
        listed = ", ".join(f.path for f in plan.factors if not f.is_dummy)
        raise ScenarioError(f"the sweep has no parameter with a range (only value lists: {listed}); "
                            "give at least one 'range: [low, high]'", file=str(file), field="sweep.parameters")
    base = len(plan.design) // _points_per_sample(method, len(plan.factors), second_order)
    plan.extra.update({"sensitivity_method": method, "sensitivity_base_samples": base})
    return plan


def _points_per_sample(method: str, d: int, second_order: bool) -> int:
    if method == "morris":
        return d + 1
    return 2 * d + 2 if second_order else d + 2


def describe_design(plan: SweepPlan) -> str:
    """'Sobol: N = 16 base samples x (D + 2) = 16 x 5 = 80 points ...' - SALib's sizing rule, spelled out."""
    method = plan.design_name
    d = len(plan.factors)
    second = bool(plan.extra.get("second_order"))
    per = _points_per_sample(method, d, second)
    n = plan.n_points // per
    rule = {"sobol": "2D + 2" if second else "D + 2", "morris": "D + 1"}[method]
    what = "base samples" if method == "sobol" else "trajectories"
    return (f"{method.capitalize()}: N = {n} {what} x ({rule}) with D = {d} parameters (dummy included) = "
            f"{plan.n_points} points, x {plan.replications} replications = {plan.n_runs} runs")


# ============================================================================ analysis
def sobol_indices(names: list[str], y: np.ndarray, *, second_order: bool = False, seed: int = 0,
                  conf_level: float = CONF_LEVEL, resamples: int = RESAMPLES
                  ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """First-order and total Sobol indices (and pairwise second order) of a Saltelli sample's
    outputs ``y``, in the sample's row order, with bootstrap confidence intervals.

    Returns the table (parameter, S1, S1_conf, S1_low, S1_high, ST, ...) and, with
    ``second_order``, the pairs (parameter_1, parameter_2, S2, S2_conf, S2_low, S2_high).
    ``*_conf`` is SALib's half-width of the ``conf_level`` interval.
    """
    from SALib.analyze import sobol

    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    with warnings.catch_warnings():
        # SALib warns when a bootstrap resample happens to be constant (common for a probability
        # from few replications); the interval already says how uncertain the index is
        warnings.filterwarnings("ignore", message="Constant values encountered")
        # a Generator: SALib treats an integer seed of 0 as "no seed"
        si = sobol.analyze(problem, np.asarray(y, dtype=float), calc_second_order=second_order,
                           num_resamples=resamples, conf_level=conf_level, seed=np.random.default_rng(seed))
    table = pd.DataFrame({"parameter": list(names)})
    for key in ("S1", "ST"):
        table[key] = np.asarray(si[key], dtype=float)
        table[f"{key}_conf"] = np.asarray(si[f"{key}_conf"], dtype=float)
        table[f"{key}_low"] = table[key] - table[f"{key}_conf"]
        table[f"{key}_high"] = table[key] + table[f"{key}_conf"]
    pairs = None
    if second_order:
        rows = []
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                s2, conf = float(si["S2"][i, j]), float(si["S2_conf"][i, j])
                rows.append({"parameter_1": names[i], "parameter_2": names[j], "S2": s2, "S2_conf": conf,
                             "S2_low": s2 - conf, "S2_high": s2 + conf})
        pairs = pd.DataFrame(rows)
    return table, pairs


def morris_indices(names: list[str], x_unit: np.ndarray, y: np.ndarray, *, num_levels: int = MORRIS_LEVELS,
                   seed: int = 0, conf_level: float = CONF_LEVEL, resamples: int = RESAMPLES) -> pd.DataFrame:
    """Morris screening of trajectories ``x_unit`` (SALib's sample, one column per parameter,
    in any units: only which parameter moves, and which way, is read) and outputs ``y``.

    The elementary effects are per unit of the normalised range, so mu*, mu and sigma are
    changes of the response when a parameter moves across its whole range.
    """
    from SALib.analyze import morris

    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    si = morris.analyze(problem, np.asarray(x_unit, dtype=float), np.asarray(y, dtype=float),
                        num_resamples=resamples, conf_level=conf_level, num_levels=num_levels,
                        seed=np.random.default_rng(seed))
    table = pd.DataFrame({"parameter": list(names)})
    for key in ("mu_star", "mu_star_conf", "mu", "sigma"):
        table[key] = np.ma.filled(np.ma.asarray(si[key], dtype=float), np.nan)
    table["mu_star_low"] = table["mu_star"] - table["mu_star_conf"]
    table["mu_star_high"] = table["mu_star"] + table["mu_star_conf"]
    return table[["parameter", "mu_star", "mu_star_conf", "mu_star_low", "mu_star_high", "mu", "sigma"]]


def morris_sample(plan: SweepPlan) -> np.ndarray:
    """The SALib trajectories behind a Morris plan's design, before rounding and mapping.

    Integer and list-valued parameters are rounded or mapped in the design, so two points of a
    trajectory can look alike there; SALib needs the raw steps to tell which parameter moved.
    """
    from SALib.sample import morris

    n = plan.n_points // (len(plan.factors) + 1)
    x = morris.sample(salib_problem(plan.factors), n, num_levels=MORRIS_LEVELS, seed=plan.master_seed)
    for j, f in enumerate(plan.factors):
        u = x[:, j] if f.kind == "categorical" else (x[:, j] - f.low) / (f.high - f.low)
        if list(f.from_unit(u)) != list(plan.design[f.path]):
            raise RuntimeError(f"the Morris design of '{f.path}' does not match SALib's sample: "
                               "MORRIS_LEVELS must equal the levels sim.sweep.design.generate uses")
    return x


def response_table(plan: SweepPlan, runs: pd.DataFrame, response: Response) -> pd.DataFrame:
    """The response at each design point: the mean over its successful replications."""
    ok = runs[runs["status"] == "ok"].copy()
    ok["_y"] = response.per_run(ok)
    per = ok.groupby("point")["_y"].agg(["mean", "std", "count"])
    failed = runs[runs["status"] != "ok"].groupby("point").size()
    table = plan.design.copy()
    table["response"] = per["mean"].reindex(table["point"]).to_numpy()
    table["response_sd"] = per["std"].reindex(table["point"]).to_numpy()
    table["n_ok"] = per["count"].reindex(table["point"]).fillna(0).astype(int).to_numpy()
    table["n_failed"] = failed.reindex(table["point"]).fillna(0).astype(int).to_numpy()
    return table


def classify(table: pd.DataFrame, method: str) -> tuple[pd.DataFrame, float]:
    """Compare each parameter with the noise floor: the upper end of the dummy's interval.

    ``above``: the parameter's whole interval lies above the floor; ``below``: its estimate does
    not exceed it (indistinguishable from noise); ``uncertain``: in between.
    """
    key = KEY[method]
    is_dummy = table["parameter"].str.startswith(DUMMY)
    floor = float((table.loc[is_dummy, key] + table.loc[is_dummy, f"{key}_conf"]).max())
    status = np.where(table[f"{key}_low"] > floor, "above", np.where(table[key] <= floor, "below", "uncertain"))
    out = table.copy()
    out["is_dummy"] = is_dummy.to_numpy()
    out["vs_noise"] = np.where(is_dummy, "dummy", status)
    out["noise_floor"] = floor
    return out, floor


@dataclass
class Sensitivity:
    """The result of a sensitivity analysis: tables, the plain-language answer and its context."""

    method: str
    response: Response
    indices: pd.DataFrame
    second_order: pd.DataFrame | None
    responses: pd.DataFrame
    floor: float
    text: str
    meta: dict = field(default_factory=dict)


def analyse(plan: SweepPlan, runs: pd.DataFrame, response: Response) -> Sensitivity:
    """Indices of ``response`` over a finished sensitivity sweep (its plan and run table)."""
    method = plan.design_name
    if method not in METHODS:
        raise ScenarioError(f"a sensitivity analysis needs a sobol or morris design, not '{method}'")
    responses = response_table(plan, runs, response)
    missing = responses.loc[responses["response"].isna(), "point"].tolist()
    if missing:
        raise ScenarioError(f"{len(missing)} of {len(responses)} samples have no successful run with a value "
                            f"of {response.label} (e.g. point {missing[0]}); see the 'error' column of "
                            "runs.parquet", file=plan.source, field="measure")
    y = responses["response"].to_numpy(dtype=float)
    if np.ptp(y) == 0:
        raise ScenarioError(f"{response.label} is {y[0]:g} at every sample: no parameter moves it; choose "
                            "another --measure or --outcome (add --resume --out DIR to reuse these runs)",
                            file=plan.source, field="measure")
    names = [f.path for f in plan.factors]
    pairs = None
    if method == "sobol":
        # Saltelli's estimators divide by the variance over the base matrices A and B: the first
        # and last row of each block of a base sample
        block = _points_per_sample(method, len(names), bool(plan.extra.get("second_order")))
        base = y.reshape(-1, block)[:, [0, -1]]
        if np.ptp(base) == 0:
            varied = int((y != base.flat[0]).sum())
            raise ScenarioError(f"{response.label} varies at only {varied} of {len(y)} samples and at none of the "
                                "base samples Sobol's estimators divide by; take more --samples, or another "
                                "--measure or --outcome (add --resume --out DIR to reuse these runs)",
                                file=plan.source, field="measure")
        indices, pairs = sobol_indices(names, y, second_order=bool(plan.extra.get("second_order")),
                                       seed=plan.master_seed)
    else:
        indices = morris_indices(names, morris_sample(plan), y, seed=plan.master_seed)
    indices.insert(1, "kind", [_kind(f) for f in plan.factors])
    indices, floor = classify(indices, method)
    order = KEY[method]
    indices = indices.sort_values([order], ascending=False, kind="stable").reset_index(drop=True)
    meta = {
        "scenario": plan.name,
        "method": method,
        "response": {"kind": response.kind, "name": response.name, "label": response.label,
                     "unit": response.unit},
        "base_samples": plan.n_points // _points_per_sample(method, len(names), bool(plan.extra.get("second_order"))),
        "parameters": len(names),
        "points": plan.n_points,
        "replications": plan.replications,
        "runs": int(len(runs)),
        "failed": int((runs["status"] != "ok").sum()),
        "second_order": bool(plan.extra.get("second_order")),
        "conf_level": CONF_LEVEL,
        "bootstrap_resamples": RESAMPLES,
        "noise_floor": floor,
        "noise_floor_index": order,
        "morris_levels": MORRIS_LEVELS if method == "morris" else None,
        "salib": _salib(),
        "question": (plan.scenario.sweep.sensitivity_question if plan.scenario.sweep else "") or "",
    }
    result = Sensitivity(method, response, indices, pairs, responses, floor, "", meta)
    result.text = answer(result, plan)
    return result


def _kind(f: Factor) -> str:
    if f.is_dummy:
        return "dummy"
    if f.kind == "categorical":
        return f"list of {len(f.values)} values"
    return f"{f.kind} range [{f.low:g}, {f.high:g}]"


# ============================================================================ the answer
def _fmt(v: float) -> str:
    return f"{v:.2f}" if abs(v) >= 0.005 or v == 0 else f"{v:.1e}"


def _g(v: float) -> str:
    return f"{v:.3g}"


def answer(result: Sensitivity, plan: SweepPlan) -> str:
    """A plain-language answer to the scenario's sensitivity question, with the numbers behind it."""
    meta, t, method, resp = result.meta, result.indices, result.method, result.response
    lines = []
    if meta["question"]:
        lines.append(f"Question: {meta['question']}")
    unit = f" ({resp.unit})" if resp.unit else ""
    y = result.responses["response"]
    lines.append(f"Response: {resp.label}{unit}, {'estimated' if resp.kind == 'outcome' else 'averaged'} "
                 f"over the {plan.replications} replications of each sample (across samples: mean {_g(y.mean())}, "
                 f"range {_g(y.min())} to {_g(y.max())}).")
    lines.append(f"Design: {describe_design(plan)}; {meta['failed']} runs failed.")
    real = t[~t["is_dummy"]]
    dummy = t[t["is_dummy"]].iloc[0]
    factor = {f.path: f for f in plan.factors}

    def quote(row: pd.Series) -> str:
        if method == "sobol":
            return (f"ST = {_fmt(row.ST)} [{_fmt(row.ST_low)}, {_fmt(row.ST_high)}], "
                    f"S1 = {_fmt(row.S1)} [{_fmt(row.S1_low)}, {_fmt(row.S1_high)}]")
        # mu close to +-mu* means the effects share one sign: a direction can be stated
        direction = ""
        if abs(row.mu) >= 0.8 * row.mu_star > 0:
            f = factor[row.parameter]
            # a list is sampled in its written order, which need not be increasing
            move = (f"moving it along its list ({f.values[0]} to {f.values[-1]})" if f.kind == "categorical"
                    else "raising it")
            direction = f"; {move} {'raises' if row.mu > 0 else 'lowers'} {resp.label}"
        return (f"mu* = {_g(row.mu_star)} [{_g(row.mu_star_low)}, {_g(row.mu_star_high)}], "
                f"mu = {_g(row.mu)}, sigma = {_g(row.sigma)}{direction}")

    above = real[real["vs_noise"] == "above"]
    unsure = real[real["vs_noise"] == "uncertain"]
    below = real[real["vs_noise"] == "below"]
    sym = "ST" if method == "sobol" else "mu*"
    if len(above):
        drivers = "; ".join(f"{r.parameter} ({quote(r)})" for r in above.itertuples())
        lines.append(f"Answer: {resp.label} is driven by {drivers}.")
    else:
        lines.append(f"Answer: no parameter stands clearly above the noise floor for {resp.label}.")
    if len(unsure):
        maybe = "; ".join(f"{r.parameter} ({quote(r)})" for r in unsure.itertuples())
        lines.append(f"Possibly{' also' if len(above) else ''}: {maybe} - above the noise floor, but its "
                     "interval reaches it.")
    if len(below):
        names = ", ".join(below["parameter"])
        verb = "is" if len(below) == 1 else "are"
        lines.append(f"{names} {verb} below the dummy's noise floor ({sym} <= {_g(result.floor)}): "
                     "indistinguishable from replication noise.")
    if method == "sobol":
        lines.append(f"Noise floor: the dummy parameter, which the model never reads, gets ST = {_fmt(dummy.ST)} "
                     f"[{_fmt(dummy.ST_low)}, {_fmt(dummy.ST_high)}]: the share of the variance that the "
                     f"randomness left after averaging {plan.replications} replications produces.")
        if len(real) > 1:
            # every ST carries the noise share too (about the dummy's ST); what ST exceeds S1 by
            # beyond that is the room left for interactions
            s1, st = real["S1"].clip(lower=0).sum(), real["ST"].sum()
            noise = len(real) * max(float(dummy.ST), 0.0)
            verdict = ("interactions matter: ST exceeds S1 by more than the noise explains" if st - noise - s1 > 0.1
                       else "no sign of interactions beyond the noise")
            lines.append(f"Interactions: the real parameters' S1 add up to {_fmt(s1)} and their ST to {_fmt(st)}, "
                         f"of which about {_fmt(noise)} is noise (the dummy's ST each); {verdict}.")
        if result.second_order is not None and len(result.second_order):
            real_pairs = result.second_order[~result.second_order["parameter_1"].str.startswith(DUMMY)
                                             & ~result.second_order["parameter_2"].str.startswith(DUMMY)]
            if len(real_pairs):
                top = real_pairs.sort_values("S2", ascending=False).iloc[0]
                lines.append(f"Strongest pair: {top.parameter_1} x {top.parameter_2}: S2 = {_fmt(top.S2)} "
                             f"[{_fmt(top.S2_low)}, {_fmt(top.S2_high)}].")
    else:
        lines.append(f"Noise floor: the dummy parameter, which the model never reads, gets mu* = "
                     f"{_g(dummy.mu_star)} [{_g(dummy.mu_star_low)}, {_g(dummy.mu_star_high)}]. mu* is the mean "
                     f"absolute change of {resp.label} when a parameter moves across its whole range; sigma "
                     "near or above mu* means the effect depends on the other parameters or is not monotone.")
    width = (dummy.ST_conf if method == "sobol" else dummy.mu_star_conf / max(float(np.ptp(y)), 1e-12))
    if width > 0.25:
        lines.append(f"Caution: the intervals are wide (N = {meta['base_samples']} "
                     f"{'base samples' if method == 'sobol' else 'trajectories'}); more --samples narrow them, "
                     "more --replications lower the noise floor.")
    lists = [f for f in plan.factors if f.kind == "categorical" and not f.is_dummy]
    for f in lists:
        lines.append(f"Note: {f.path} is a list of values ({', '.join(map(str, f.values))}); it is sampled as a "
                     "discrete parameter, each value equally likely, so its indices measure the choice among them.")
    ci = f"{CONF_LEVEL:.0%} intervals from {RESAMPLES} bootstrap resamples (SALib {meta['salib']})"
    lines.append(f"Ranking by {sym}; {ci}. Tables: {FILES['indices']}.csv, {FILES['response']}.csv.")
    return "\n".join(lines)


# ============================================================================ writing
def write(result: Sensitivity, folder: Path) -> list[str]:
    """Write the tables (parquet + csv), the answer and the metadata into the results folder."""
    tables = {FILES["indices"]: result.indices, FILES["response"]: result.responses}
    if result.second_order is not None:
        tables[FILES["second_order"]] = result.second_order
    return write_outputs(folder, tables, (FILES["text"], result.text), (FILES["meta"], result.meta))
