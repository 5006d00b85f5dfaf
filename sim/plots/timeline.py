"""The timeline of one run: who backs the ruler, how loyal they are, what the street does."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import style

ARMED = ("military", "security", "wagner", "chechen", "opposition")


def time_scale(last_hour: float) -> float:
    """Hours per axis unit: hours for runs of up to three days, days beyond."""
    return 1.0 if last_hour <= 72 else 24.0


def time_axis(series: pd.DataFrame) -> tuple[np.ndarray, str, float]:
    scale = time_scale(float(series["hour"].max()))
    unit = "hours" if scale == 1.0 else "days"
    return series["hour"].to_numpy() / scale, f"time ({unit} from the start)", scale


def annotate_events(ax, events: pd.DataFrame, scale: float, top: bool = True, max_labels: int = 10) -> None:
    """Dotted lines at labelled events; labels staggered so they do not overlap."""
    if events is None or events.empty or "label" not in events:
        return
    marked = events[events["label"].astype(str) != ""]
    if len(marked) > max_labels:
        # pd.concat: DataFrame._append is gone in pandas 3
        marked = pd.concat([marked.iloc[: max_labels - 1], marked.iloc[[-1]]])
    last_x = -math.inf
    level = 0
    lo, hi = ax.get_xlim()
    span = hi - lo
    for row in marked.itertuples(index=False):
        x = row.hour / scale
        ax.axvline(x, color=style.GREY, linestyle=":", linewidth=1.2, zorder=0)
        if top:
            level = level + 1 if x - last_x < 0.15 * span else 0
            last_x = x
            right = x > lo + 0.8 * span  # near the right edge: write leftwards, off the legend
            ax.text(x, 0.97 - 0.11 * (level % 5), (row.label + " ") if right else (" " + row.label),
                    transform=ax.get_xaxis_transform(), fontsize=10, color="#333333",
                    ha="right" if right else "left", va="top",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})


def timeline_figure(series: pd.DataFrame, events: pd.DataFrame, title: str, capital: str = "Moscow"):
    """Three panels sharing the time axis (days)."""
    style.apply()
    t, xlabel, scale = time_axis(series)
    fig, axes = plt.subplots(3, 1, figsize=(13, 10), sharex=True,
                             gridspec_kw={"height_ratios": [1.1, 1.0, 1.0]})
    fig.suptitle(title, fontsize=17, fontweight="bold")

    # 1. strength not backing the ruler, by faction and stance
    ax = axes[0]
    present = [f for f in ARMED if f"loyal__{f}" in series]
    stacks, labels, colors, hatches = [], [], [], []
    for f in present:
        for stance, hatch in (("defected", None), ("aside", "//")):
            col = f"{stance}__{f}"
            if col in series and series[col].max() > 0:
                stacks.append(series[col].to_numpy() / 1000.0)
                labels.append(f"{style.FACTION_LABELS[f]}: {style.STANCE_LABELS[stance]}")
                colors.append(style.FACTION_COLORS[f])
                hatches.append(hatch)
    if stacks:
        polys = ax.stackplot(t, *stacks, labels=labels, colors=colors, alpha=0.85)
        for poly, hatch in zip(polys, hatches, strict=True):
            if hatch:
                poly.set_hatch(hatch)
                poly.set_edgecolor("white")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=10)
    else:
        ax.text(0.5, 0.5, "every armed unit stays loyal", transform=ax.transAxes, ha="center",
                va="center", fontsize=13, color=style.GREY)
    ax.set_ylabel("men not backing\nthe ruler (thousands)")
    ax.set_title("Armed units standing aside or defected")
    ax.set_ylim(bottom=0)
    if ax.get_ylim()[1] < 1:
        ax.set_ylim(0, 1)
    annotate_events(ax, events, scale)

    # 2. loyalty by faction, regime strength, legitimacy
    ax = axes[1]
    for f in present:
        col = f"loyalty__{f}"
        who = f"{style.FACTION_LABELS[f]} (to its own leader)" if f == "wagner" else style.FACTION_LABELS[f]
        ax.plot(t, series[col], color=style.FACTION_COLORS[f], label=f"{who} loyalty")
    ax.plot(t, series["regime_strength"], color=style.FACTION_COLORS["kremlin"], linestyle="--",
            label="regime strength (elites' view)")
    ax.plot(t, series["legitimacy"], color=style.FACTION_COLORS["public"], linestyle="-.",
            label="legitimacy (public, national)")
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("level (0-1)")
    ax.set_title("Loyalty of commanders, regime strength and legitimacy")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=10)
    annotate_events(ax, events, scale, top=False)

    # 3. the street
    ax = axes[2]
    ax.plot(t, 100 * series["protest_share"], color=style.FACTION_COLORS["public"], label="protesting, national")
    cap = f"protest__{capital}"
    if cap in series:
        ax.plot(t, 100 * series[cap], color=style.BLACK, linestyle="--", label=f"protesting, {capital}")
    ax.set_ylabel("% of population\nin the streets")
    ax.set_ylim(bottom=0)
    if ax.get_ylim()[1] < 0.5:
        ax.set_ylim(0, 0.5)
    ax.set_title("The public")
    handles, labs = ax.get_legend_handles_labels()
    flows = series[["emigrated", "mobilized"]].max()
    if flows.max() > 0:
        ax2 = ax.twinx()
        ax2.plot(t, series["emigrated"] / 1000.0, color=style.SKY, label="emigrated (cumulative)")
        ax2.plot(t, series["mobilized"] / 1000.0, color=style.GREEN, label="mobilized (cumulative)")
        ax2.set_ylabel("people (thousands)")
        ax2.grid(False)
        ax2.spines["right"].set_visible(True)
        h2, l2 = ax2.get_legend_handles_labels()
        handles += h2
        labs += l2
    ax.legend(handles, labs, loc="upper left", bbox_to_anchor=(1.08, 1.0), fontsize=10)
    ax.set_xlabel(xlabel)
    annotate_events(ax, events, scale, top=False)
    fig.tight_layout()
    return fig


def plot_timeline(series: pd.DataFrame, events: pd.DataFrame, title: str, out_stem: Path | str,
                  capital: str = "Moscow") -> list[str]:
    fig = timeline_figure(series, events, title, capital)
    return style.save(fig, out_stem)
