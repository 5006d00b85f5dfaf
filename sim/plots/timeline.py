"""The timeline of one run: who backs the ruler, how loyal they are, what the street does."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from . import style


def time_scale(last_hour: float) -> float:
    """Hours per axis unit: hours for runs of up to three days, days beyond."""
    return 1.0 if last_hour <= 72 else 24.0


def time_axis(series: pd.DataFrame) -> tuple[np.ndarray, str, float]:
    scale = time_scale(float(series["hour"].max()))
    unit = "hours" if scale == 1.0 else "days"
    return series["hour"].to_numpy() / scale, f"time ({unit} from the start)", scale


def annotate_events(ax, events: pd.DataFrame, scale: float, top: bool = True, max_labels: int = 10) -> None:
    """Dotted lines at labelled events; with ``top``, their labels, staggered so they do not
    overlap: events within 2% of the axis of each other share one label."""
    if events is None or events.empty or "label" not in events:
        return
    marked = events[events["label"].astype(str) != ""]
    if marked.empty:
        return
    lo, hi = ax.get_xlim()
    span = hi - lo
    groups: list[tuple[float, list[str]]] = []
    for row in marked.itertuples(index=False):
        x = row.hour / scale
        ax.axvline(x, color=style.GREY, linestyle=":", linewidth=1.2, zorder=0)
        label = str(row.label)
        if groups and x - groups[-1][0] <= 0.02 * span:
            if label not in groups[-1][1]:
                groups[-1][1].append(label)
        else:
            groups.append((x, [label]))
    if not top:
        return
    if len(groups) > max_labels:
        groups = groups[: max_labels - 1] + groups[-1:]  # the first ones and the ending
    # each label goes on the highest row where it does not run into the label before it
    width_pt = ax.get_window_extent().width * 72.0 / ax.figure.dpi
    per_char = 0.6 * 10.0 / max(width_pt, 1.0) * span  # data units per character at fontsize 10
    rows: list[float] = []  # where the last label on each row ends
    for x, labels in groups:
        text = " / ".join(labels[:2]) + (f" (+{len(labels) - 2})" if len(labels) > 2 else "")
        right = x > lo + 0.8 * span  # near the right edge: write leftwards, off the legend
        w = (len(text) + 2) * per_char
        a, b = (x - w, x) if right else (x, x + w)
        level = next((i for i, end in enumerate(rows) if a > end), len(rows))
        if level == len(rows):
            rows.append(b)
        rows[level] = b
        ax.text(x, 0.97 - 0.11 * (level % 6), (text + " ") if right else (" " + text),
                transform=ax.get_xaxis_transform(), fontsize=10, color="#333333",
                ha="right" if right else "left", va="top",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})


def timeline_figure(series: pd.DataFrame, events: pd.DataFrame, title: str, capital: str = "Moscow",
                    institutions: Mapping[str, str] | None = None, population: float | None = None):
    """Four panels sharing the time axis: armed men not backing the ruler, loyalty, the
    public, and the casualties of the crisis.

    ``institutions`` maps institution ids to labels (default: the ids); ``population`` (the
    scenario's people) turns the crowds answering a call (``rally__*``) into a share.
    """
    style.apply()
    t, xlabel, scale = time_axis(series)
    fig, axes = plt.subplots(4, 1, figsize=(13, 12.5), sharex=True,
                             gridspec_kw={"height_ratios": [1.1, 1.0, 1.0, 0.75]})
    fig.suptitle(title, fontsize=17, fontweight="bold")
    looks = style.institution_styles(style.series_institutions(series), institutions)

    # 1. strength not backing the ruler, by institution and stance
    ax = axes[0]
    stacks, labels, colors, hatches, owners = [], [], [], [], []
    for inst, look in looks.items():
        for stance, hatch in (("defected", None), ("aside", "//")):
            col = f"{stance}__{inst}"
            if col in series and series[col].max() > 0:
                stacks.append(series[col].to_numpy() / 1000.0)
                labels.append(f"{look.label}: {style.STANCE_LABELS[stance]}")
                colors.append(look.color)
                hatches.append(hatch)
                owners.append(inst)
    if stacks:
        polys = ax.stackplot(t, *stacks, labels=labels, colors=colors, alpha=0.85)
        for poly, hatch in zip(polys, hatches, strict=True):
            if hatch:
                poly.set_hatch(hatch)
                poly.set_edgecolor("white")
        # one entry per institution (its colour) and one per stance (solid or hatched): seven
        # institutions in two stances would make a legend taller than the panel
        handles = [Patch(facecolor=looks[inst].color, alpha=0.85, label=looks[inst].label)
                   for inst in dict.fromkeys(owners)]
        handles += [Patch(facecolor=style.GREY, alpha=0.85, label="solid: defected\n(backs a challenger)")]
        if any(hatches):
            handles += [Patch(facecolor=style.GREY, alpha=0.85, hatch="//", edgecolor="white",
                              label="hatched: standing aside")]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=10)
    else:
        ax.text(0.5, 0.5, "every armed unit stays loyal", transform=ax.transAxes, ha="center",
                va="center", fontsize=13, color=style.GREY)
    ax.set_ylabel("men not backing\nthe ruler (thousands)")
    ax.set_title("Armed units standing aside or defected")
    ax.set_ylim(bottom=0)
    if ax.get_ylim()[1] < 1:
        ax.set_ylim(0, 1)
    annotate_events(ax, events, scale)

    # 2. loyalty by institution, regime strength, legitimacy (the ruler's lines in black and
    # grey, so that no institution's colour means two things)
    ax = axes[1]
    for inst, look in looks.items():
        col = f"loyalty__{inst}"
        if col in series:
            ax.plot(t, series[col], label=look.label, **look.line())
    ax.plot(t, series["regime_strength"], color=style.RULER_COLOR, linestyle="--",
            label="regime strength (elites' view)")
    ax.plot(t, series["legitimacy"], color=style.GREY, linestyle="-.", linewidth=2.6,
            label="legitimacy (public, national)")
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("level (0-1)")
    ax.set_title("Loyalty of commanders (to their chain of command), regime strength, legitimacy")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=10)
    annotate_events(ax, events, scale, top=False)

    # 3. the street
    ax = axes[2]
    ax.plot(t, 100 * series["protest_share"], color=style.PUBLIC_COLOR, label="protesting, national")
    cap = f"protest__{capital}"
    if cap in series:
        ax.plot(t, 100 * series[cap], color=style.BLACK, linestyle="--", label=f"protesting, {capital}")
    rally = series.filter(like="rally__").sum(axis=1)
    if population and rally.max() > 0:
        ax.plot(t, 100 * rally / population, color=style.BLACK, linestyle=":", linewidth=2.6,
                label="answering a call to rally, national")
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
    annotate_events(ax, events, scale, top=False)

    # 4. casualties of the crisis (front losses are counted apart: they are the war's, not the crisis')
    ax = axes[3]
    deaths = [(c, lab, color, dash) for c, lab, color, dash in (
        ("casualties", "casualties of the crisis (fighting and crowds)", style.BLACK, "-"),
        ("crowd_deaths", "of them, killed in crowds fired on", style.VERMILION, "--"),
        ("front_losses", "losses at the front (counted apart)", style.GREY, ":"),
    ) if c in series and series[c].max() > 0]
    for c, lab, color, dash in deaths:
        ax.plot(t, series[c], color=color, linestyle=dash, label=lab)
    if deaths:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=10)
        ax.set_ylim(bottom=0)
    else:
        ax.set_ylim(0, 1)
        ax.text(0.5, 0.5, "no casualties in this run", transform=ax.transAxes, ha="center", va="center",
                fontsize=13, color=style.GREY)
    ax.set_ylabel("people\n(cumulative)")
    ax.set_title("Casualties")
    ax.set_xlabel(xlabel)
    annotate_events(ax, events, scale, top=False)
    fig.tight_layout()
    return fig


def plot_timeline(series: pd.DataFrame, events: pd.DataFrame, title: str, out_stem: Path | str,
                  capital: str = "Moscow", institutions: Mapping[str, str] | None = None,
                  population: float | None = None) -> list[str]:
    fig = timeline_figure(series, events, title, capital, institutions, population)
    return style.save(fig, out_stem)
