"""Outcome probabilities per design point with Wilson 95% intervals, and the sweep's answer."""

from __future__ import annotations

import math
from collections.abc import Callable
from statistics import NormalDist

import numpy as np
import pandas as pd

from ..model.outcomes import LABELS, OUTCOMES, Outcome
from .design import DUMMY_PREFIX
from .plan import SweepPlan

#: past this many swept parameters, the answer names design points instead of listing every
#: value, and lists only the strongest TOP_EFFECTS associations (a priors design draws ~100)
MANY_PARAMETERS = 6
TOP_EFFECTS = 5
#: an answer names a direction only if the strongest association is this unlikely to be the seeds'
#: noise (two-sided, over the runs, Bonferroni over the swept parameters)
ALPHA = 0.05


def _where(params: list[str], value: Callable[[str], object], point: object,
           labels: dict[str, str] | None = None) -> str:
    """Where in the design: every parameter's value (named by its label), or the design point
    when there are many."""
    if len(params) > MANY_PARAMETERS:
        return f"design point {point} (its {len(params)} values are in design.parquet)"
    labels = labels or {}
    return ", ".join(f"{labels.get(p, p)} = {_fmt(value(p))}" for p in params)


def _more(n: int) -> list[str]:
    return [f"  ... and {n} more parameters: see summary.csv and design.parquet."] if n > 0 else []


def manifest_labels(manifest: dict, scenario: object = None) -> dict[str, str]:
    """Each swept path's name in words, for a finished sweep's folder: the label its manifest
    recorded; for a sweep written before labels were, the sweep's ``label:`` or the schema's
    description (``scenario``, the folder's validated scenario) or the path in words."""
    from ..scenario.loader import param_label

    sw = getattr(scenario, "sweep", None)
    given = sw.parameters if sw is not None else {}
    return {p["path"]: p.get("label") or param_label(scenario, p["path"],  # type: ignore[arg-type]
                                                       given[p["path"]].label if p["path"] in given else "")
            for p in manifest.get("parameters", [])}


def wilson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials, two-sided, without continuity
    correction: scipy's ``binomtest(k, n).proportion_ci(method="wilson")`` term for term
    (Newcombe 1998), written out so that finishing a sweep does not import scipy.stats
    (0.66 s, a third of a 1,500-run sweep's serial tail); a test holds them equal."""
    if n == 0:
        return (float("nan"), float("nan"))
    k, n = int(k), int(n)
    z = NormalDist().inv_cdf(0.5 + 0.5 * confidence)
    p = k / n
    denom = 2 * (n + z**2)
    center = (2 * n * p + z**2) / denom
    delta = z / denom * math.sqrt(4 * n * p * (1 - p) + z**2)
    return (0.0 if k == 0 else center - delta, 1.0 if k == n else center + delta)


def _stats():
    """scipy.stats, imported when an answer needs a t quantile or a rank correlation (not when
    a sweep only compacts its tables)."""
    from scipy import stats

    return stats


def wilson_yerr(ks, ns, interval=None) -> np.ndarray:
    """Error bars (below, above) of k/n for each pair: the distances to the bounds of ``interval``
    (default: :func:`wilson`), never negative (a bound can sit a rounding error past k/n, which
    matplotlib refuses); NaN where n = 0."""
    interval = wilson if interval is None else interval
    out = np.full((2, len(ks)), np.nan)
    for i, (k, n) in enumerate(zip(ks, ns, strict=True)):
        if n:
            lo, hi = interval(int(k), int(n))
            out[0, i], out[1, i] = max(0.0, k / n - lo), max(0.0, hi - k / n)
    return out


def summarize(runs: pd.DataFrame, plan: SweepPlan) -> pd.DataFrame:
    """One row per (design point, outcome): n runs, k with that outcome, p, Wilson 95% CI."""
    params = [f.path for f in plan.factors]
    rows = []
    ok = runs[runs["status"] == "ok"]
    failed = runs.groupby("point")["status"].apply(lambda s: int((s != "ok").sum()))
    design = plan.design.set_index("point")
    counts = ok.groupby(["point", "outcome"]).size()
    n_by_point = ok.groupby("point").size()
    for point in design.index:
        n = int(n_by_point.get(point, 0))
        for outcome in OUTCOMES:
            k = int(counts.get((point, outcome), 0))
            lo, hi = wilson(k, n)
            rows.append({"point": int(point), **{p: design.at[point, p] for p in params},
                         "outcome": outcome, "n": n, "k": k, "p": k / n if n else float("nan"),
                         "ci_low": lo, "ci_high": hi, "failed": int(failed.get(point, 0))})
    return pd.DataFrame(rows)


def measure_answer(runs: pd.DataFrame, plan: SweepPlan, measure: str) -> list[str]:
    """Mean of a measure per design point (with a 95% t interval) and what drives it."""
    ok = runs[runs["status"] == "ok"]
    labels = plan.labels
    params = [f.path for f in plan.factors if not f.path.startswith(DUMMY_PREFIX)]
    g = ok.groupby("point")[measure].agg(["mean", "sem", "count"])
    design = plan.design.set_index("point")
    g = g.join(design[params])
    half = g["sem"].fillna(0) * _stats().t.ppf(0.975, np.maximum(g["count"] - 1, 1))
    lo_i, hi_i = g["mean"].idxmin(), g["mean"].idxmax()

    def where(i: int) -> str:
        return _where(params, lambda p: g.at[i, p], i, labels)

    lines = [f"Mean {measure} ranges from {_fmt(g.at[lo_i, 'mean'])} (+/- {_fmt(half[lo_i])}) at {where(lo_i)} "
             f"to {_fmt(g.at[hi_i, 'mean'])} (+/- {_fmt(half[hi_i])}) at {where(hi_i)}."]
    effects = []
    for p in params:
        x = pd.to_numeric(g[p], errors="coerce")
        if x.notna().all() and x.nunique() > 1 and g["mean"].nunique() > 1:
            rho = _stats().spearmanr(x, g["mean"]).statistic
            effects.append((abs(rho), p, rho))
    if effects:
        effects.sort(reverse=True)
        _, p, rho = effects[0]
        per_run = ok[["point", measure]].join(design[[p]], on="point")
        run_rho, p_value = run_level_trend(pd.to_numeric(per_run[p], errors="coerce"), per_run[measure])
        if detected(rho, run_rho, p_value, len(effects)):
            lines.append(f"Answer: {measure} {'rises' if rho > 0 else 'falls'} with {labels[p]} (Spearman rho = "
                         f"{rho:+.2f}), the strongest of the swept parameters.")
        else:
            lines.append(no_effect_text(measure, labels[p], rho, p_value, len(effects), len(per_run)))
        lines += [f"  {labels[p2]}: rho = {r2:+.2f}." for _, p2, r2 in effects[1:TOP_EFFECTS]]
        lines += _more(len(effects) - TOP_EFFECTS)
    return lines


def run_level_trend(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Spearman's rho and its two-sided p-value over the runs themselves (``x`` a swept value, ``y``
    the run's measure, or 1/0 for an outcome): unlike a correlation over the design points' means,
    it knows how many runs each mean rests on, so a difference the seeds alone could make is not
    taken for an effect. (nan, 1.0) when either side does not vary."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if x.size < 3 or np.unique(x).size < 2 or np.unique(y).size < 2:
        return float("nan"), 1.0
    res = _stats().spearmanr(x, y)
    p = float(res.pvalue)
    return float(res.statistic), p if np.isfinite(p) else 1.0


def detected(rho: float, run_rho: float, p_value: float, tested: int) -> bool:
    """Whether the strongest of ``tested`` associations has a direction to name: its rho over the
    design points is not zero (to the two decimals the answer prints), and over the runs it has
    the same sign and a p-value below :data:`ALPHA` after Bonferroni's correction."""
    return (round(float(rho), 2) != 0 and np.isfinite(run_rho) and np.sign(run_rho) == np.sign(rho)
            and p_value * max(tested, 1) < ALPHA)


def no_effect_text(what: str, name: str, rho: float, p_value: float, tested: int, runs: int) -> str:
    """The answer when the strongest association could be the seeds' noise: no direction claimed."""
    p_adj = min(1.0, p_value * max(tested, 1))
    return (f"Answer: no swept parameter has a detectable monotone effect on {what}: the strongest association, "
            f"with {name} (Spearman rho = {rho:+.2f}), is within what the seeds' noise gives (p = {p_adj:.2f} "
            f"over {runs} runs{', Bonferroni for ' + str(tested) + ' parameters' if tested > 1 else ''}).")


def share_text(k: int, n: int) -> str:
    """'55% (110 runs)'; a rare outcome keeps a decimal ('0.5% (1 run)') instead of reading 0%."""
    p = k / n if n else float("nan")
    pct = f"{100 * p:.0f}%" if p >= 0.095 or p == 0 else f"{100 * p:.1f}%"
    return f"{pct} ({k} run{'s' if k != 1 else ''})"


def never_text(label: str, n_all: int, n_point: int) -> str:
    """What 'never happened' bounds: with no case in n runs, the chance is below the Wilson 95%
    upper bound (close to the rule of three, 3/n)."""
    text = f"{label} never happened in {n_all} runs: its chance is at most {wilson(0, n_all)[1]:.1%} overall"
    if 0 < n_point < n_all:
        text += f" and at most {wilson(0, n_point)[1]:.0%} at any one design point ({n_point} runs each)"
    return text + " (95% upper bounds, Wilson)."


def answer(summary: pd.DataFrame, plan: SweepPlan, outcome: str | None = None,
           runs: pd.DataFrame | None = None) -> str:
    """A few sentences that answer the sweep's question from its summary: every outcome that
    occurred with its share; for the outcome asked about, where its chance is lowest and
    highest and which parameter moves it most - or, if it never occurred, a bound on its
    chance; then the same, shortly, for each other outcome that occurred."""
    sw = plan.scenario.sweep
    labels = plan.labels
    if sw.answer_measure and runs is not None and outcome is None:
        n_all = int((runs["status"] == "ok").sum())
        common = runs["outcome"].value_counts()
        spread = ", ".join(f"{LABELS[Outcome(o)]} {share_text(int(k), n_all)}" for o, k in common.items())
        return "\n".join([f"Question: {sw.question}", f"Over all {n_all} runs: {spread}.",
                          *measure_answer(runs, plan, sw.answer_measure)])
    target = outcome or sw.answer_outcome
    question = sw.question or "What do the swept parameters change?"
    lines = [f"Question: {question}"]
    total = summary.groupby("outcome")[["k", "n"]].sum()
    points = summary.drop_duplicates("point")
    n_all = int(points["n"].sum())
    n_point = int(points["n"].max()) if len(points) else 0
    common = total["k"].sort_values(ascending=False)
    occurred = [o for o, k in common.items() if k > 0]
    spread = ", ".join(f"{LABELS[Outcome(o)]} {share_text(int(common[o]), n_all)}" for o in occurred)
    lines.append(f"Over all {n_all} runs: {spread}.")
    if target is None:
        target = common.index[0]
    params = [f.path for f in plan.factors if not f.path.startswith(DUMMY_PREFIX)]

    def where(row: pd.Series) -> str:
        return _where(params, lambda p: row[p], row["point"], labels)

    def effects_of(t: pd.DataFrame) -> list[tuple[float, str, float, float]]:
        out = []
        for p in params:
            x = pd.to_numeric(t[p], errors="coerce")
            if x.notna().all() and x.nunique() > 1 and t["p"].nunique() > 1:
                rho = _stats().spearmanr(x, t["p"]).statistic
                means = t.groupby(p)["p"].mean()
                out.append((abs(rho), p, rho, means.max() - means.min()))
        return sorted(out, reverse=True)

    def is_detected(t: pd.DataFrame, effects: list[tuple[float, str, float, float]]) -> tuple[bool, float, int]:
        """Whether the strongest effect on an outcome has a direction (tested over the runs: each
        design point's k runs with the outcome and n - k without); its p-value; the runs."""
        _, p, rho, _span = effects[0]
        rows = t[t["n"] > 0]
        n = rows["n"].to_numpy(dtype=int)
        k = rows["k"].to_numpy(dtype=int)
        x = np.repeat(pd.to_numeric(rows[p], errors="coerce").to_numpy(dtype=float), n)
        y = np.concatenate([np.r_[np.ones(ki), np.zeros(ni - ki)] for ki, ni in zip(k, n, strict=True)]
                           or [np.zeros(0)])
        run_rho, p_value = run_level_trend(x, y)
        return detected(rho, run_rho, p_value, len(effects)), p_value, int(n.sum())

    label = LABELS[Outcome(target)]
    t = summary[summary["outcome"] == target].copy()
    if plan.design_name == "priors" and n_all and t["p"].notna().any():
        # runs of one draw share its parameters: the interval is over draws (a t interval of the
        # draws' shares), not over runs, so parameter uncertainty is not mistaken for seed noise
        per_draw = t["p"].dropna().to_numpy()
        mean = float(per_draw.mean())
        half = (float(_stats().t.ppf(0.975, per_draw.size - 1) * per_draw.std(ddof=1) / np.sqrt(per_draw.size))
                if per_draw.size > 1 else float("nan"))
        lines.append(f"P({label}) with every assumed parameter drawn from its range: {mean:.0%} "
                     f"[{max(0.0, mean - half):.0%}, {min(1.0, mean + half):.0%}] (95% t interval over "
                     f"{per_draw.size} draws of {plan.replications} seeds each); between draws it spans "
                     f"{per_draw.min():.0%} to {per_draw.max():.0%}.")
    if int(common.get(target, 0)) == 0:
        lines.append(never_text(label[0].upper() + label[1:], n_all, n_point))
    elif t["p"].notna().any():
        lo_row = t.loc[t["p"].idxmin()]
        hi_row = t.loc[t["p"].idxmax()]
        lines.append(
            f"P({label}) ranges from {lo_row['p']:.0%} [{lo_row['ci_low']:.0%}, {lo_row['ci_high']:.0%}] "
            f"at {where(lo_row)} to {hi_row['p']:.0%} [{hi_row['ci_low']:.0%}, {hi_row['ci_high']:.0%}] "
            f"at {where(hi_row)}.")
        effects = effects_of(t)
        if effects and plan.design_name == "priors":
            n = int(t["p"].notna().sum())
            tc = _stats().t.ppf(0.975, max(n - 2, 1))
            crit = tc / np.sqrt(max(n - 2, 1) + tc * tc)
            chance = sum(r > crit for r, *_ in effects)
            lines.append(f"Assumed parameters most associated with P({label}) over the draws (Spearman rho; one "
                         f"parameter would pass |rho| > {crit:.2f} by chance 5% of the time, so about "
                         f"{0.05 * len(effects):.0f} of these {len(effects)} would by chance alone; {chance} do):")
            lines += [f"  {labels[p2]}: rho = {rho2:+.2f}." for _, p2, rho2, _span in effects[:TOP_EFFECTS]]
            lines += _more(len(effects) - TOP_EFFECTS)
        elif effects:
            _, p, rho, span = effects[0]
            found, p_value, n_runs = is_detected(t, effects)
            if found:
                direction = "rises" if rho > 0 else "falls"
                lines.append(f"Answer: the chance of {label} {direction} with {labels[p]} (Spearman rho = "
                             f"{rho:+.2f}; its mean moves by {span:.0%} across the range), the strongest of the "
                             "swept parameters.")
            else:
                lines.append(no_effect_text(f"the chance of {label}", labels[p], rho, p_value, len(effects),
                                            n_runs))
            for _, p2, rho2, span2 in effects[1:TOP_EFFECTS]:
                lines.append(f"  {labels[p2]}: rho = {rho2:+.2f}, mean moves by {span2:.0%}.")
            lines += _more(len(effects) - TOP_EFFECTS)
    others = [o for o in occurred if o != target]
    if others:
        lines.append("The other outcomes:")
    for o in others:
        t = summary[summary["outcome"] == o]
        lo_row, hi_row = t.loc[t["p"].idxmin()], t.loc[t["p"].idxmax()]
        text = (f"  {LABELS[Outcome(o)]}: from {lo_row['p']:.0%} at {where(lo_row)} "
                f"to {hi_row['p']:.0%} at {where(hi_row)}")
        effects = effects_of(t)
        if effects:
            _, p, rho, _span = effects[0]
            if is_detected(t, effects)[0]:
                text += f"; {'rises' if rho > 0 else 'falls'} most with {labels[p]} (rho = {rho:+.2f})"
            else:
                text += (f"; no detectable monotone effect of the swept parameters (the strongest, {labels[p]}: "
                         f"rho = {rho:+.2f})")
        lines.append(text + ".")
    failed = int(points["failed"].sum())
    if failed:
        lines.append(f"{failed} runs failed and are not counted.")
    return "\n".join(lines)


def _fmt(v: object) -> str:
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, float | np.floating):
        return f"{v:.3g}"
    return str(v)
