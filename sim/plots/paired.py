"""Figures of paired comparisons: the rule audit's heat map and a comparison of two variants.

Both take plain tables (``sim/paired``'s results), so this module does not import the runner.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from . import style
from .style import BLUE, GREEN, VERMILION, plt

#: the audit's classes: colour and a mark, so they read without colour too
AUDIT_STYLE = {
    "acts as stated": (GREEN, "+"),
    "no detectable effect here": ("#DDDDDD", ""),
    "contrary to its statement": (VERMILION, "x"),
    "never asked (cannot act here)": ("#FFFFFF", "–"),
}


def plot_audit(audit: pd.DataFrame, out: Path, title: str = "") -> Path:
    """Rules (rows) x scenarios (columns), each cell coloured by its class and marked
    (+ acts as stated, x contrary, blank no detectable effect, - never asked: the scenario's runs
    never ask whether the rule is on, so it cannot act there); hatched: not audited there."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    classes = list(AUDIT_STYLE)
    rules = list(dict.fromkeys(audit["rule"]))
    scenarios = list(dict.fromkeys(audit["scenario"]))
    grid = np.full((len(rules), len(scenarios)), np.nan)
    asked = audit["asked"].astype(bool) if "asked" in audit.columns else pd.Series(True, index=audit.index)
    cls = audit["class"].where(asked, classes[-1])
    index = {(r, s): classes.index(c) for r, s, c in zip(audit["rule"], audit["scenario"], cls, strict=True)}
    for (r, s), k in index.items():
        grid[rules.index(r), scenarios.index(s)] = k
    height = max(4.0, 0.26 * len(rules) + 2.2)
    fig, ax = plt.subplots(figsize=style.figsize(max(7.0, 1.1 * len(scenarios) + 4.5), height), layout="constrained")
    cmap = ListedColormap([AUDIT_STYLE[c][0] for c in classes])
    ax.set_facecolor("white")
    ax.pcolormesh(np.ma.masked_invalid(grid), cmap=cmap, vmin=-0.5, vmax=len(classes) - 0.5,
                  edgecolors="white", linewidth=1.5)
    for i in range(len(rules)):
        for j in range(len(scenarios)):
            if math.isnan(grid[i, j]):
                ax.add_patch(plt.Rectangle((j, i), 1, 1, fill=False, hatch="///", edgecolor="#BBBBBB", lw=0))
            else:
                mark = AUDIT_STYLE[classes[int(grid[i, j])]][1]
                ax.text(j + 0.5, i + 0.5, mark, ha="center", va="center", fontsize="medium", color="black",
                        fontweight="bold")
    ax.set_xticks(np.arange(len(scenarios)) + 0.5, scenarios, rotation=30, ha="right")
    ax.set_yticks(np.arange(len(rules)) + 0.5, rules, fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel("scenario")
    ax.set_ylabel("rule switched off")
    ax.set_title(title or "Rule audit: does switching each rule off\ndo what its statement says?")
    handles = [Patch(facecolor=AUDIT_STYLE[c][0], edgecolor="#888888", label=f"{c} ({AUDIT_STYLE[c][1] or 'blank'})")
               for c in classes]
    handles.append(Patch(facecolor="white", edgecolor="#BBBBBB", hatch="///", label="not audited (off in the scenario)"))
    fig.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False, fontsize="small")
    fig.savefig(out)  # at the style's dpi
    plt.close(fig)
    return out


def quantity_label(quantity: str) -> str:
    """A compared quantity in words: an outcome by its label, a measure by the label the run's
    report gives it (``sim/measures.py``)."""
    from ..measures import measure_label
    from ..model.outcomes import LABELS, Outcome

    if quantity in LABELS:
        return LABELS[Outcome(quantity)]
    if quantity == "challenge_wins":
        return "ruler loses power (any)"
    return measure_label(quantity)


def plot_compare(table: pd.DataFrame, out: Path, label_a: str, label_b: str, heading: str = "") -> Path:
    """Left: each outcome that occurred, B - A with its 95% paired interval. Right: for each
    quantity that varies, how many times smaller the variance of the difference is with common
    seeds than with independent seeds. ``heading``: a first line for the title (the scenario)."""
    from matplotlib.ticker import FuncFormatter

    occ = table[(table["kind"] == "outcome") & ((table["a"] > 0) | (table["b"] > 0))]
    names = [quantity_label(q) for q in occ["quantity"]]
    ratios = table[np.isfinite(table["variance_ratio"].astype(float)) & (table["var_independent"] > 0)]
    rows = max(len(occ), len(ratios))
    if style.active() == "talk":  # a slide is too narrow for both panels' labels side by side at 18 pt
        fig, (ax1, ax2) = plt.subplots(2, 1, figsize=style.figsize(12, max(6.0, 0.3 * (len(occ) + len(ratios)) + 4)),
                                       layout="constrained", height_ratios=[max(len(occ), 1) + 2, max(len(ratios), 1) + 2])
    else:
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, max(3.5, 0.45 * rows + 2)), layout="constrained")
    y = np.arange(len(occ))
    ax1.axvline(0, color="black", lw=1)
    d, lo, hi = (occ[c].to_numpy(dtype=float) * 100 for c in ("diff", "low", "high"))
    ax1.errorbar(d, y, xerr=[d - lo, hi - d], fmt="o", color=BLUE, ecolor=BLUE, capsize=4)
    ax1.set_yticks(y, names)
    ax1.invert_yaxis()
    ax1.set_xlabel("B - A, percentage points (95% paired interval)")
    ax1.set_title("Change in each outcome's probability")
    ax1.grid(axis="x", alpha=0.3)
    y2 = np.arange(len(ratios))
    r = ratios["variance_ratio"].astype(float).to_numpy()
    colors = [GREEN if v >= 1 else VERMILION for v in r]
    ax2.barh(y2, r - 1, left=1, color=colors)
    ax2.scatter(r, y2, color=colors, zorder=3, s=style.points("medium") * 2.5)  # a ratio of 1 has no bar
    ax2.axvline(1, color="black", lw=1, ls="--")
    ax2.set_xscale("log")
    if len(r):  # a ratio of 1 (or below) is a dot on the line, not hidden in the frame
        ax2.set_xlim(left=min(0.8, float(r.min()) * 0.8))
    plain = FuncFormatter(lambda v, _: f"{v:g}")
    ax2.xaxis.set_major_formatter(plain)
    ax2.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:g}" if str(v)[0] in "25" else ""))
    ax2.set_yticks(y2, [quantity_label(q) for q in ratios["quantity"]])
    ax2.invert_yaxis()
    ax2.set_xlabel("var(independent seeds) / var(common seeds)\n(log scale; 1 = no gain, green: a gain)")
    ax2.set_title("What the common seeds bought")
    ax2.grid(axis="x", alpha=0.3)
    pairs = f"{int(table['n'].iloc[0])} pairs of runs on the same seeds"
    style.title(fig, f"{heading} ({pairs})\nA: {label_a}   vs   B: {label_b}" if heading
                else f"A: {label_a}   vs   B: {label_b}  ({pairs})", size="large")
    fig.savefig(out)  # at the style's dpi
    plt.close(fig)
    return out
