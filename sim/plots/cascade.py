"""The cascade: which unit changed stance when, and whose move it followed.

One row per unit that moved, grouped by institution; a band shows the stance the unit held, a
dot each change (coloured by the new stance), and an arrow runs from the move a unit
followed (``stances.csv: followed``) to its own move - Granovetter's cascade made visible.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import colors as mcolors
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch

from . import style
from .timeline import annotate_events, event_ticks, time_scale

ROW_INCHES = 0.24  # up to about 26 rows fit a 16 x 9 slide
ARROW_COLOR = "#444444"


def _stance(name: str) -> str:
    """'aside' and 'standing aside' are one stance."""
    return "standing aside" if name in ("aside", "standing aside") else name


def cascade_rows(stances: pd.DataFrame) -> tuple[list[str], dict[str, float], list[tuple[str, float]]]:
    """Row order (units grouped by institution, the institution that moved first on top,
    earliest mover first within it), each unit's y, and the y of each institution's heading."""
    first = stances.groupby("unit", sort=False).agg(hour=("hour", "min"), institution=("institution", "first"))
    first["institution"] = first["institution"].astype(str)
    opened = first.groupby("institution")["hour"].min()
    order = sorted(opened.index, key=lambda i: (opened[i], i))
    rank = {inst: k for k, inst in enumerate(order)}
    first = first.assign(io=first["institution"].map(rank)).sort_values(["io", "hour"], kind="stable")
    ys: dict[str, float] = {}
    heads: list[tuple[str, float]] = []
    y = 0.0
    for _, group in first.groupby("io", sort=True):
        heads.append((str(group["institution"].iloc[0]), y))
        y += 1.0
        for unit in group.index:
            ys[unit] = y
            y += 1.0
        y += 0.4
    return list(first.index), ys, heads


def cascade_figure(stances: pd.DataFrame, series: pd.DataFrame, events: pd.DataFrame, title: str,
                   institutions: Mapping[str, str] | None = None) -> Figure:
    """Who moved when, grouped by institution, with arrows from each move to the one it followed.

    ``institutions`` maps institution ids to labels (default: the ids); the heading of each
    institution carries its colour, as in the other figures of the run.
    """
    style.apply()
    end = float(series["hour"].max()) if not series.empty else 0.0
    if stances.empty:
        scale = time_scale(end)
        fig, ax = plt.subplots(figsize=style.figsize(16, 5))
        style.title(fig, f"{title}\nthe cascade: who changed stance when")
        ax.set_xlim(0, max(end, 1.0) / scale)
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        ax.text(0.5, 0.5, "no unit changed stance in this run:\nevery armed unit kept the stance it started with",
                transform=ax.transAxes, ha="center", va="center", fontsize="large", color="#444444")
        ax.set_xlabel(f"time ({'hours' if scale == 1 else 'days'} from the start)")
        ax.set_ylabel("armed units")
        fig.tight_layout()
        return fig

    s = stances.sort_values("hour", kind="stable").reset_index(drop=True)
    s["to"] = s["to"].map(_stance)
    s["from"] = s["from"].map(_stance)
    units, ys, heads = cascade_rows(s)
    lo, hi = float(s["hour"].min()), float(s["hour"].max())
    pad = max(2.0, 0.12 * (hi - lo))
    x0, x1 = max(0.0, lo - pad), min(max(end, hi), hi + pad)
    scale = time_scale(x1 - x0)
    n_rows = max(ys.values()) + 1
    fig, ax = plt.subplots(figsize=style.figsize(16, max(5.0, 2.6 + ROW_INCHES * n_rows)))
    ax.set_xlim(x0 / scale, x1 / scale)

    # the stance each unit held: a band from one change to the next
    for unit in units:
        moves = s[s["unit"] == unit]
        starts = [x0] + moves["hour"].tolist()
        stops = moves["hour"].tolist() + [x1]
        held = [moves["from"].iloc[0]] + moves["to"].tolist()
        for a, b, st in zip(starts, stops, held, strict=True):
            ax.broken_barh([(a / scale, (b - a) / scale)], (ys[unit] - 0.18, 0.36),
                           facecolors=style.STANCE_COLORS.get(st, style.GREY), alpha=0.55, zorder=1)

    # arrows: from the move a unit followed to its own move
    n_arrows = 0
    for row in s.itertuples(index=False):
        leader = row.followed if isinstance(row.followed, str) and row.followed else None
        if leader is None or leader not in ys:
            continue
        before = s[(s["unit"] == leader) & (s["hour"] <= row.hour)]
        if before.empty:
            continue
        src = (float(before["hour"].iloc[-1]) / scale, ys[leader])
        dst = (float(row.hour) / scale, ys[row.unit])
        ax.add_patch(FancyArrowPatch(src, dst, arrowstyle="-|>", mutation_scale=14, color=ARROW_COLOR,
                                     linewidth=1.3, shrinkA=7, shrinkB=7, zorder=2,
                                     connectionstyle="arc3,rad=-0.35" if src[0] == dst[0] else "arc3,rad=0.15"))
        n_arrows += 1

    ax.scatter(s["hour"] / scale, s["unit"].map(ys), s=140, zorder=3, edgecolors="black", linewidths=1.1,
               c=[style.STANCE_COLORS.get(st, style.GREY) for st in s["to"]])

    labels = s.drop_duplicates("unit").set_index("unit")
    # with more than one challenger, say whom each defector came to back
    backed = _backed(s)
    ax.set_yticks([ys[u] for u in units])
    ax.set_yticklabels([f"{labels.at[u, 'label']} ({labels.at[u, 'region']})"
                        + (f" \u2192 {backed[u]}" if u in backed else "") for u in units], fontsize="small")
    looks = style.institution_styles(list(institutions or {}) + list(s["institution"].astype(str)), institutions)
    headings = []
    for inst, y in heads:
        look = looks[inst]
        headings.append(ax.text(0.0, y, f"{look.label} ", transform=ax.get_yaxis_transform(),
                ha="right", va="center", fontsize="medium", fontweight="bold", color="black",
                bbox={"boxstyle": "round,pad=0.2", "fc": mcolors.to_rgba(look.color, 0.35), "ec": look.color}))
        ax.axhline(y - 0.5, color="#cccccc", linewidth=1.0, zorder=0)
    ax.set_ylim(n_rows - 0.3, -0.8)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(f"time ({'hours' if scale == 1 else 'days'} from the start)")
    ax.set_ylabel("unit (region at its first move)")
    annotate_events(ax, events, scale, top=False)

    present = [st for st in ("loyal", "standing aside", "defected") if st in set(s["to"])]
    handles = [Line2D([], [], marker="o", linestyle="", markersize=12, markerfacecolor=style.STANCE_COLORS[st],
                      markeredgecolor="black", label=f"moves to: {st}") for st in present]
    handles += [Patch(facecolor=style.STANCE_COLORS[st], alpha=0.55, label=f"holds: {st}")
                for st in ("loyal", "standing aside", "defected") if st in set(s["to"]) | set(s["from"])]
    if n_arrows:
        handles.append(Line2D([], [], color=ARROW_COLOR, marker=">", markersize=8, linewidth=1.3,
                              label="followed the move of\n(arrow from the earlier move)"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    when = f"{len(s)} moves by {len(units)} units, hours {lo:g}-{hi:g}" if hi > lo else \
        f"{len(s)} moves by {len(units)} units at hour {lo:g}"
    style.title(fig, f"{title}\nthe cascade: {when}")
    fig.tight_layout()
    event_ticks(ax, events, scale, x0, x1)  # spaced by the axis' width as laid out
    fig.tight_layout()
    for _ in range(2):  # an institution's heading can be wider than its units' names: the label goes beyond it
        _ylabel_clear_of(fig, ax, headings)
        fig.tight_layout()
    return fig


def _ylabel_clear_of(fig: Figure, ax: plt.Axes, texts: list) -> None:
    """Put the y label left of ``texts`` (drawn at the axis, right-aligned) and the tick labels:
    matplotlib places it by the tick labels alone, so a long heading ran over it."""
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in [*texts, *ax.get_yticklabels()] if t.get_text()]
    if not boxes:
        return
    left_px = min(b.x0 for b in boxes) - 0.25 * style.points("medium") * fig.dpi / 72.0
    ax.yaxis.set_label_coords(ax.transAxes.inverted().transform((left_px, 0.0))[0], 0.5)


def _backed(s: pd.DataFrame) -> dict[str, str]:
    """unit -> the challengers it defected to (comma-separated), when the run's defectors
    backed more than one challenger; empty otherwise."""
    if "to_side" not in s:
        return {}
    moves = s[(s["to"] == "defected") & (s["to_side"].astype(str) != "")]
    if moves["to_side"].nunique() < 2:
        return {}
    return {u: ", ".join(dict.fromkeys(map(str, g["to_side"]))) for u, g in moves.groupby("unit", sort=False)}


def plot_cascade(stances: pd.DataFrame, series: pd.DataFrame, events: pd.DataFrame, title: str,
                 out_stem: Path | str) -> list[str]:
    """Save the figure as PNG and SVG; return the paths."""
    return style.save(cascade_figure(stances, series, events, title), out_stem)
