"""Figures of a calibration folder (``regime-sim calibrate``): the posterior (marginals and pairs)
against the prior, the posterior predictive check, and the thresholds by generation.

Reads only the folder's files (parameters.csv, posterior.parquet, predictive.csv,
generations.csv), so it needs nothing from ``sim/calibrate``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .style import BLUE, GREY, ORANGE, VERMILION, plt


def _short(path: str) -> str:
    """A parameter for an axis label: a case's own one on two lines (case, then path), a long
    path cut from the left."""
    case, sep, rest = path.rpartition(": ")
    rest = rest if len(rest) <= 28 else "..." + rest[-25:]
    return f"{case}\n{rest}" if sep else rest


def plot_posterior(folder: Path) -> Path:
    params = pd.read_csv(folder / "parameters.csv")
    post = pd.read_parquet(folder / "posterior.parquet")
    w = post["weight"].to_numpy()
    k = len(params)
    fig, axes = plt.subplots(k, k, figsize=(max(3.2 * k + 1, 7.5), 3.0 * k + 0.8), squeeze=False)
    for i, pi in params.iterrows():
        for j, pj in params.iterrows():
            ax = axes[i][j]
            if i == j:
                bins = np.linspace(pi.prior_low, pi.prior_high, 21)
                ax.hist(post[pi.path], bins=bins, weights=w, density=True, color=BLUE, zorder=2,
                        label="posterior")
                ax.axhline(1 / (pi.prior_high - pi.prior_low), color=GREY, ls="--", lw=2, zorder=3, label="prior")
                ax.axvspan(pi.q05, pi.q95, color=ORANGE, alpha=0.25, zorder=0, label="90% interval")
                ax.axvline(pi["median"], color=VERMILION, lw=2, zorder=4, label="median")
                ax.set_xlim(pi.prior_low, pi.prior_high)
                ax.set_ylabel("density")
                if i == 0:
                    ax.legend(fontsize=8, loc="upper right")
            elif i > j:
                ax.scatter(post[pj.path], post[pi.path], s=8 + 400 * w / w.max() / max(len(w), 1) ** 0.5,
                           color=BLUE, alpha=0.5, edgecolor="none")
                ax.set_xlim(pj.prior_low, pj.prior_high)
                ax.set_ylim(pi.prior_low, pi.prior_high)
                ax.set_ylabel(_short(pi.path))
            else:
                ax.axis("off")
                continue
            ax.set_xlabel(_short(pj.path))
    fig.suptitle("Posterior vs prior of the fitted parameters\n(axes span the prior ranges)", fontsize=12)
    fig.tight_layout()
    out = folder / "posterior.png"
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def _target_text(measure: str) -> str:
    """A target's measure in words: a run measure by its label; 'X@H' as X at hour H; a
    comparison side by side."""
    from ..measures import measure_label

    for op in (" > ", " < "):
        if op in measure:
            a, b = measure.split(op, 1)
            return f"{_target_text(a.strip())}{op}{_target_text(b.strip())}"
    if "@" in measure:
        name, _, hour = measure.partition("@")
        return f"{measure_label(name.strip())} by hour {hour.strip()}"
    if measure.startswith("peak_protesters__"):
        return f"most protesters at once in {measure.split('__', 1)[1]}"
    return measure_label(measure)


def plot_predictive(folder: Path) -> Path:
    ppc = pd.read_csv(folder / "predictive.csv")
    n = len(ppc)
    fig, axes = plt.subplots(n, 1, figsize=(8, 1.3 * n + 1.2), squeeze=False)
    for ax, r in zip(axes[:, 0], ppc.itertuples(), strict=True):
        label = f"{r.case}: {_target_text(r.measure)}"
        if r.kind in ("categorical", "share"):
            ax.barh([0], [r.predicted], color=BLUE, height=0.5, label="model: share of runs with the observed value")
            ax.barh([0], [1 - r.predicted], left=[r.predicted], color=GREY, alpha=0.35, height=0.5)
            ax.set_xlim(0, 1)
            ax.set_xlabel(f"share of predictive runs ending '{r.observed}'")
        else:
            lo, hi = r.observed_low, r.observed_high
            vals = [v for v in (r.low, r.high, lo, hi, r.predicted) if np.isfinite(v)]
            log = getattr(r, "scale", "linear") == "log" or (
                all(v > 0 for v in vals) and max(vals) / max(min(vals), 1e-12) > 50)
            ax.plot([r.low, r.high], [0, 0], color=BLUE, lw=6, solid_capstyle="butt", label="model 90% interval")
            ax.plot([r.predicted], [0], "o", color="white", mec=BLUE, ms=8, mew=2, label="model median")
            if hi > lo:
                ax.axvspan(lo, hi, color=ORANGE, alpha=0.35, label="observed interval")
            else:
                ax.axvline(lo, color=ORANGE, lw=3, label="observed")
            if log:
                ax.set_xscale("symlog", linthresh=1)  # zero deaths is a value too
            from ..measures import measure_unit

            unit = measure_unit(r.measure)
            if unit.startswith("%"):  # a share: ticks in percent, as the unit says
                from matplotlib.ticker import PercentFormatter

                ax.xaxis.set_major_formatter(PercentFormatter(1.0))
            ax.set_xlabel(_target_text(r.measure) + (f", {unit}" if unit else "") + (" (log scale)" if log else ""))
        ax.set_yticks([])
        ax.set_title(label + ("" if r.covered else "  - missed"), fontsize=10, loc="left",
                     color="black" if r.covered else VERMILION)
    handles = {}
    for ax in axes[:, 0]:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(lab, h)
    fig.legend(list(handles.values()), list(handles), fontsize=8, loc="upper center", ncol=2,
               bbox_to_anchor=(0.5, 0.955))
    sample = "in-sample" if bool(ppc["in_sample"].iloc[0]) else "left-out case (out of sample)"
    fig.suptitle(f"Posterior predictive check, {sample}: model vs what happened", fontsize=12)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.9 / (1.3 * n + 1.2)))
    out = folder / "predictive.png"
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def plot_generations(folder: Path) -> Path:
    gens = pd.read_csv(folder / "generations.csv")
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.4))
    a1.plot(gens.generation + 1, gens.threshold, "o-", color=BLUE)
    a1.set_xlabel("generation")
    a1.set_ylabel("threshold (distance)")
    a1.set_title("Threshold by generation\n(each in its generation's rescaled distance)", fontsize=10)
    a2.plot(gens.generation + 1, 100 * gens.acceptance_rate, "s-", color=VERMILION)
    a2.set_xlabel("generation")
    a2.set_ylabel("acceptance rate (%)")
    a2.set_ylim(0, 105)
    a2.set_title("Acceptance by generation")
    for ax in (a1, a2):
        ax.set_xticks(gens.generation + 1)
    fig.tight_layout()
    out = folder / "generations.png"
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def plot_calibration(folder: Path) -> list[Path]:
    folder = Path(folder)
    json.loads((folder / "manifest.json").read_text())  # a finished calibration
    return [plot_posterior(folder), plot_predictive(folder), plot_generations(folder)]
