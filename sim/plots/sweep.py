"""Figures of a sweep: outcome probabilities along one or two parameters, fan charts of key
series split by outcome, and the time to resolution per outcome."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..model.outcomes import LABELS, OUTCOMES, Outcome
from ..textsafe import param_stem
from . import style

FAN_VARS = {
    "regime_strength": ("Regime strength (elites' view)", "level (0-1)", 1.0),
    "protest_share": ("Protest, national", "% of population", 100.0),
    "defected_strength": ("Armed strength defected", "thousand men", 1e-3),
    "legitimacy": ("Legitimacy (public, national)", "level (0-1)", 1.0),
}


def _label(path: str, labels: dict[str, str] | None = None) -> str:
    """The swept parameter's name in words: its label (the sweep's ``label:`` or the schema's
    description, :func:`sim.sweep.summary.manifest_labels`), else its path in words
    ('challengers.wagner.offer' -> 'wagner offer'; a priors factor 'units.*.fear' -> 'fear (all units)')."""
    given = (labels or {}).get(path)
    if given:
        return given
    if ".*." in path:  # a priors factor: one value for every entry that leaves the default
        section, field = path.split(".*.", 1)
        return f"{field.replace('_', ' ')} (all {section})"
    return style.param_label(path)


def _tick(v: object) -> str:
    """A swept value on an axis: yes/no for a switch, three figures for a number."""
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    return f"{v:.3g}" if isinstance(v, float | np.floating) else str(v)


#: past this many distinct values of a numeric parameter (a Latin hypercube gives one per point),
#: the bands are drawn over BINS quantile bins so that each has runs enough to read
MAX_LEVELS = 8
BINS = 5


def _present(summary: pd.DataFrame) -> list[str]:
    seen = summary.groupby("outcome")["k"].sum()
    return [o for o in OUTCOMES if seen.get(o, 0) > 0]


def outcome_bands(summary: pd.DataFrame, param: str, others: list[str] | None = None,
                  labels: dict[str, str] | None = None):
    """Stacked outcome probabilities along one parameter (averaged over the others), with
    Wilson 95% whiskers on each outcome's own probability."""
    style.apply()
    outcomes = _present(summary)
    binned = False
    values = pd.to_numeric(summary[param], errors="coerce")
    if values.notna().all() and values.nunique() > MAX_LEVELS:
        # each bin is drawn at the mean of its values: P(outcome) over the runs whose draw fell in it
        bins = pd.qcut(values, BINS, duplicates="drop")
        summary = summary.assign(**{param: values.groupby(bins, observed=True).transform("mean")})
        binned = True
    g = summary.groupby([param, "outcome"])[["k", "n"]].sum().reset_index()
    xs = sorted(g[param].unique(), key=lambda v: (isinstance(v, str), v))
    numeric = all(isinstance(x, int | float | np.integer | np.floating) for x in xs)
    pos = np.array(xs, dtype=float) if numeric else np.arange(len(xs), dtype=float)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=style.figsize(15, 6.5), gridspec_kw={"width_ratios": [1.25, 1]})
    bottom = np.zeros(len(xs))
    from ..sweep.summary import wilson_yerr

    # every outcome row of a point carries the point's run count: any one gives the total
    n_total = np.array([g[g[param] == x]["n"].iloc[0] for x in xs], dtype=float)
    for o in outcomes:
        rows = g[g["outcome"] == o].set_index(param)
        k = np.array([rows["k"].get(x, 0) for x in xs], dtype=float)
        p = np.divide(k, n_total, out=np.zeros_like(k), where=n_total > 0)
        color = style.OUTCOME_COLORS[o]
        ax.fill_between(pos, bottom, bottom + p, step=None, color=color, alpha=0.85, label=LABELS[Outcome(o)])
        bottom = bottom + p
        ax2.errorbar(pos, p, yerr=wilson_yerr(k, n_total), color=color, marker="o", capsize=4,
                     label=LABELS[Outcome(o)])
    for a in (ax, ax2):
        a.set_xlabel(_label(param, labels) + (f" ({len(xs)} bins by quantile)" if binned else ""))
        a.set_ylim(0, 1.02)
        if not numeric or any(isinstance(x, bool | np.bool_) for x in xs):
            a.set_xticks(pos, [_tick(x) for x in xs])
    ax.set_ylabel("share of runs")
    ax.set_title("Outcomes, stacked")
    ax2.set_ylabel("probability (Wilson 95% interval)")
    ax2.set_title("Each outcome with its interval")
    if ax2.get_legend_handles_labels()[0]:
        ax2.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    else:  # a sweep whose every run failed has no outcome to show: say so where one would be
        for a in (ax, ax2):
            a.text(0.5, 0.5, "no run finished:\nsee the sweep's failures", transform=a.transAxes,
                   ha="center", va="center", color="0.35")
    n_runs = int(summary.drop_duplicates("point")["n"].sum())
    extra = (f";\naveraged over the other {len(others)} parameters" if others and len(others) > 3 else
             f";\naveraged over {', '.join(_label(o, labels) for o in others)}" if others else "")
    style.title(fig, f"How the outcome depends on {_label(param, labels)} ({n_runs} runs{extra})", "large")
    fig.tight_layout()
    return fig


def outcome_heatmap(summary: pd.DataFrame, x: str, y: str, outcome: str, labels: dict[str, str] | None = None):
    """Probability of one outcome over two parameters, with the runs per cell written in."""
    style.apply()
    t = summary[summary["outcome"] == outcome].groupby([y, x])[["k", "n"]].sum().reset_index()
    xs = sorted(t[x].unique(), key=lambda v: (isinstance(v, str), v))
    ys = sorted(t[y].unique(), key=lambda v: (isinstance(v, str), v))
    grid = np.full((len(ys), len(xs)), np.nan)
    runs = np.zeros((len(ys), len(xs)), dtype=int)
    for yv, xv, k, n in t[[y, x, "k", "n"]].itertuples(index=False):
        i, j = ys.index(yv), xs.index(xv)
        grid[i, j] = k / n if n else np.nan
        runs[i, j] = n
    fig, ax = plt.subplots(figsize=style.figsize(11, 7.5))
    im = ax.imshow(grid, origin="lower", cmap="cividis", vmin=0, vmax=1, aspect="auto")
    for i in range(len(ys)):
        for j in range(len(xs)):
            v = grid[i, j]
            txt = "-" if np.isnan(v) else f"{v:.0%}\nn={runs[i, j]}"
            ax.text(j, i, txt, ha="center", va="center", fontsize=plt.rcParams["legend.fontsize"],
                    color="black" if (not np.isnan(v) and v > 0.55) else "white")
    ax.set_xticks(range(len(xs)), [_tick(v) for v in xs])
    ax.set_yticks(range(len(ys)), [_tick(v) for v in ys])
    ax.set_xlabel(_label(x, labels))
    ax.set_ylabel(_label(y, labels))
    ax.grid(False)
    cb = fig.colorbar(im, ax=ax)
    cb.set_label(f"P({LABELS[Outcome(outcome)]})")
    ax.set_title(f"Probability of {LABELS[Outcome(outcome)]} (n = runs per cell)")
    fig.tight_layout()
    return fig


def fan_charts(series: pd.DataFrame, runs: pd.DataFrame, variables: list[str] | None = None):
    """Median and 10-90% band of key series over time, one colour per outcome."""
    style.apply()
    present = series.groupby("variable")["value"].agg(lambda v: v.abs().max())
    # a series that is zero in every run (protest in a mutiny) says nothing: leave it out
    variables = [v for v in (variables or list(FAN_VARS)) if v in present.index and present[v] > 0
                 and series[series["variable"] == v]["value"].nunique() > 1]
    if not variables:
        variables = [v for v in FAN_VARS if v in present.index][:1]
    outcome_of = runs.set_index("run_id")["outcome"]
    s = series[series["variable"].isin(variables)].copy()
    s["outcome"] = s["run_id"].map(outcome_of)
    horizon = s["hour"].max() if len(s) else 0.0
    scale, unit = (1.0, "hours") if horizon <= 72 else (24.0, "days")
    fig, axes = plt.subplots(len(variables), 1, figsize=style.figsize(13, 3.4 * len(variables)), sharex=True, squeeze=False)
    for ax, var in zip(axes[:, 0], variables, strict=True):
        title, yunit, mult = FAN_VARS.get(var, (var, "value", 1.0))
        d = s[s["variable"] == var]
        for o in [o for o in OUTCOMES if o in set(d["outcome"])]:
            do = d[d["outcome"] == o]
            n = do["run_id"].nunique()
            # runs end when they are decided: show an hour only while a fifth of them still run
            alive = do.groupby("hour")["run_id"].nunique()
            keep = alive[alive >= max(1, 0.2 * n)].index
            q = do[do["hour"].isin(keep)].groupby("hour")["value"].quantile([0.1, 0.5, 0.9]).unstack()
            t = q.index.to_numpy() / scale
            c = style.OUTCOME_COLORS[o]
            ax.fill_between(t, q[0.1] * mult, q[0.9] * mult, color=c, alpha=0.2)
            runs_word = "run" if n == 1 else "runs"
            ax.plot(t, q[0.5] * mult, color=c, label=f"{LABELS[Outcome(o)]}: median of {n} {runs_word}, 10-90% band")
        ax.set_title(title)
        ax.set_ylabel(yunit)
    axes[0, 0].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    axes[-1, 0].set_xlabel(f"time ({unit} from the start)")
    style.title(fig, "Key series over time, split by outcome")
    fig.tight_layout()
    return fig


def resolution_times(runs: pd.DataFrame):
    """Distribution of the time to each outcome (box and points)."""
    style.apply()
    ok = runs[runs["status"] == "ok"]
    outcomes = [o for o in OUTCOMES if o in set(ok["outcome"])]
    fig, ax = plt.subplots(figsize=style.figsize(12, 6))
    data = [ok[ok["outcome"] == o]["time_to_outcome_h"].to_numpy() for o in outcomes]
    scale, unit = (1.0, "hours") if max((d.max() for d in data if len(d)), default=0) <= 96 else (24.0, "days")
    bp = ax.boxplot([d / scale for d in data], orientation="horizontal", patch_artist=True, widths=0.5, showfliers=False,
                    medianprops={"color": "black", "linewidth": 2})
    for patch, o in zip(bp["boxes"], outcomes, strict=True):
        patch.set_facecolor(style.OUTCOME_COLORS[o])
        patch.set_alpha(0.6)
    rng = np.random.default_rng(0)  # jitter only, for display
    for i, (d, o) in enumerate(zip(data, outcomes, strict=True), start=1):
        ax.scatter(d / scale, i + rng.uniform(-0.15, 0.15, len(d)), s=12, color=style.OUTCOME_COLORS[o],
                   alpha=0.6, zorder=3)
    ax.set_yticks(range(1, len(outcomes) + 1),
                  [f"{LABELS[Outcome(o)]}\n(n = {len(d)})" for o, d in zip(outcomes, data, strict=True)])
    ax.set_xlabel(f"time to the outcome ({unit})")
    ax.set_title("How long until it is decided, by outcome")
    fig.tight_layout()
    return fig


def plot_sweep(folder: Path | str, outcome: str | None = None) -> list[str]:
    """Draw every sweep figure into ``folder``; return the files written."""
    import json

    from ..scenario.errors import ScenarioError
    from ..sweep.store import read_series

    folder = Path(folder)
    if not (folder / "summary.parquet").exists():
        raise ScenarioError("this sweep is not finished (no summary.parquet); finish it with --resume",
                            file=str(folder))
    summary = pd.read_parquet(folder / "summary.parquet")
    runs = pd.read_parquet(folder / "runs.parquet")
    if "outcome" not in runs:  # every run failed: no run has an outcome
        runs["outcome"] = pd.Series([None] * len(runs), dtype=object)
    man = json.loads((folder / "manifest.json").read_text())
    params = [p["path"] for p in man["parameters"] if not p["path"].startswith("dummy")]
    labels = folder_labels(folder, man)
    written: list[str] = []
    totals = summary.groupby("outcome")["k"].sum()
    target = outcome or _answer_outcome(folder) or totals.idxmax()
    if totals.get(target, 0) == 0:  # a map of zeros says nothing: the answer bounds it instead
        target = totals.idxmax()
    from ..sweep.summary import MANY_PARAMETERS

    if len(params) > MANY_PARAMETERS:  # a priors design: bands for the strongest few, not for a hundred
        params = strongest(summary, params, target)[:MANY_PARAMETERS]
    for p in params:
        others = [q for q in params if q != p]
        written += style.save(outcome_bands(summary, p, others, labels), folder / f"sweep_outcomes_{param_stem(p)}")
    if len(params) >= 2 and totals.get(target, 0) > 0:
        written += style.save(outcome_heatmap(summary, params[0], params[1], target, labels),
                              folder / f"sweep_heatmap_{target}")
    ok = runs["status"] == "ok"
    if (folder / "series").exists() and ok.any():
        series = read_series(folder)
        if not series.empty:
            written += style.save(fan_charts(series, runs), folder / "sweep_fans")
    if ok.any():  # a sweep whose runs all failed has no times to show
        written += style.save(resolution_times(runs), folder / "sweep_times")
    return written


def strongest(summary: pd.DataFrame, params: list[str], target: str) -> list[str]:
    """The numeric parameters ordered by how strongly P(target) follows them over the design
    points (|Spearman rho|), strongest first."""
    from scipy import stats

    t = summary[summary["outcome"] == target]
    scored = []
    for p in params:
        x = pd.to_numeric(t[p], errors="coerce")
        if x.notna().all() and x.nunique() > 1 and t["p"].nunique() > 1:
            scored.append((abs(float(stats.spearmanr(x, t["p"]).statistic)), p))
    return [p for _, p in sorted(scored, key=lambda s: (-s[0], s[1]))]


def folder_labels(folder: Path, man: dict) -> dict[str, str]:
    """The swept parameters' names in words for a sweep's folder (its manifest, else its
    scenario through the schema)."""
    from ..sweep.summary import manifest_labels

    if all(p.get("label") for p in man.get("parameters", [])):
        return manifest_labels(man)
    from ..scenario.loader import validate_raw
    from ..scenario.yamlio import read_yaml_file

    raw, pos = read_yaml_file(folder / "scenario.yaml")
    return manifest_labels(man, validate_raw(raw, pos, str(folder / "scenario.yaml")))


def _answer_outcome(folder: Path) -> str | None:
    import yaml

    raw = yaml.safe_load((folder / "scenario.yaml").read_text())
    return (raw.get("sweep") or {}).get("answer_outcome")

