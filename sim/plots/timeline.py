"""The timeline of one run: who backs the ruler, how loyal they are, what the street does."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

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
    # each label goes on the highest row where it does not run into the label before it; the
    # text is a little smaller than the legends' (the talk style enlarges both)
    size = style.points("small")
    box = ax.get_window_extent()
    width_pt = box.width * 72.0 / ax.figure.dpi
    row_h = min(0.2, 1.45 * size / max(box.height * 72.0 / ax.figure.dpi, 1.0))  # a row, in axes fraction
    rows_fit = max(1, int(0.9 / row_h))
    per_char = 0.6 * size / max(width_pt, 1.0) * span  # data units per character
    rows: list[float] = []  # where the last label on each row ends
    for x, labels in groups:
        text = " / ".join(labels[:2]) + (f" (+{len(labels) - 2})" if len(labels) > 2 else "")
        right = x > lo + 0.8 * span  # near the right edge: write leftwards, off the legend
        w = (len(text) + 2) * per_char
        a, b = (x - w, x) if right else (x, x + w)
        level = next((i for i, end in enumerate(rows) if a > end), len(rows))
        if level >= rows_fit:  # no free row left: a label over another is worse than none
            continue
        if level == len(rows):
            rows.append(b)
        rows[level] = b
        ax.text(x, 0.97 - row_h * level, (text + " ") if right else (" " + text),
                transform=ax.get_xaxis_transform(), fontsize=size, color="#333333",
                ha="right" if right else "left", va="top",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})


def event_ticks(ax: plt.Axes, events: pd.DataFrame, scale: float, x0: float, x1: float) -> None:
    """Name the labelled events on a top axis, where they cannot cover the data; call it on a
    laid-out figure (the names are spaced by the axis' width) and lay it out again after."""
    if events is None or events.empty or "label" not in events:
        return
    marked = events[(events["label"].astype(str) != "") & events["hour"].between(x0, x1)]
    if marked.empty:
        return
    # events closer than a label's slanted height (at least 4% of the axis) share one label, so names
    # never print over each other: two labels at 25 degrees need 1.3 lines / sin(25 deg) between them
    size = style.points("small")
    width_pt = max(ax.get_window_extent().width * 72.0 / ax.figure.dpi, 1.0)
    gap = max(0.04, 1.3 * size / np.sin(np.radians(25)) / width_pt) * max(x1 - x0, 1e-9)
    hours = marked["hour"].to_numpy(dtype=float)
    group = np.concatenate([[0], np.cumsum(np.diff(hours) > gap)])
    merged = marked.assign(group=group).groupby("group").agg(hour=("hour", "first"), label=("label", _merge))
    top = ax.secondary_xaxis("top")
    top.set_xticks(merged["hour"].to_numpy(dtype=float) / scale)
    top.set_xticklabels(list(merged["label"]), rotation=25, ha="left", fontsize="small", color="#333333")
    top.tick_params(length=0)
    # the names need room above the panel: the figure grows by it, rather than every panel
    # shrinking to make it (a slide's panels and legends are already as small as they can be)
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    names = [n for n in top.get_xticklabels() if n.get_text()]
    if names:
        above = max(n.get_window_extent(renderer).y1 for n in names) - ax.get_window_extent(renderer).y1
        width, height = fig.get_size_inches()
        fig.set_size_inches(width, height + max(0.0, above) / fig.dpi)


def _merge(labels: pd.Series) -> str:
    """Labels of events that share a tick: the first two, and how many more (a long list
    would run across the figure)."""
    names = list(dict.fromkeys(map(str, labels)))
    return " / ".join(names[:2]) + (f" (+{len(names) - 2} more)" if len(names) > 2 else "")


def _note_lines(fig, missing: list[str]) -> list[str]:
    """The foot note's text, wrapped to the figure's width (at the talk style's 19 pt a long
    list ran past a 1920-pixel slide, which then shrinks the whole figure to fit)."""
    import textwrap

    if not missing:
        return []
    text = "Not drawn, since nothing happened: " + "; ".join(missing) + "."
    size = style.points(plt.rcParams["legend.fontsize"])
    return textwrap.wrap(text, max(40, int(0.97 * fig.get_figwidth() * 72.0 / (0.6 * size))))


def note_room(fig, missing: list[str]) -> float:
    """The share of the figure's height to leave free at its foot for :func:`not_drawn_note`."""
    lines = len(_note_lines(fig, missing))
    if not lines:
        return 0.0
    size = style.points(plt.rcParams["legend.fontsize"])
    return max(0.03, (lines * 1.25 * size / 72.0 + 0.08) / fig.get_figheight())


def not_drawn_note(fig, missing: list[str]) -> None:
    """A line (or two) at the foot of a figure naming what was left out because nothing
    happened, so an absent panel reads as a finding and not as a failure; leave it room with
    :func:`note_room` when laying the figure out."""
    lines = _note_lines(fig, missing)
    if lines:
        fig.text(0.01, 0.002, "\n".join(lines), ha="left", va="bottom", fontsize=plt.rcParams["legend.fontsize"],
                 color="#444444", linespacing=1.15)


def timeline_figure(series: pd.DataFrame, events: pd.DataFrame, title: str, capital: str = "Moscow",
                    institutions: Mapping[str, str] | None = None, population: float | None = None):
    """Panels sharing the time axis: armed men not backing the ruler, loyalty, the public,
    people leaving or called up, and the casualties of the crisis - each only when it has
    something to show (loyalty always); a line at the foot names what was left out.

    ``institutions`` maps institution ids to labels (default: the ids); ``population`` (the
    scenario's people) turns the crowds answering a call (``rally__*``) into a share.
    """
    style.apply()
    t, xlabel, scale = time_axis(series)
    looks = style.institution_styles(style.series_institutions(series), institutions)
    if style.active() == "talk":  # a legend beside the panels holds about 34 characters a line on a slide
        import dataclasses
        import textwrap

        looks = {k: dataclasses.replace(v, label="\n".join(textwrap.wrap(v.label, 34)) or v.label)
                 for k, v in looks.items()}
    moved = [(inst, stance) for inst in looks for stance in ("defected", "aside")
             if f"{stance}__{inst}" in series and series[f"{stance}__{inst}"].max() > 0]
    rally = series.filter(like="rally__").sum(axis=1)
    cap = f"protest__{capital}"
    street = series["protest_share"].max() > 0 or (cap in series and series[cap].max() > 0) or \
        bool(population and rally.max() > 0)
    flows = [c for c in ("emigrated", "mobilized") if c in series and series[c].max() >= 0.5]
    deaths = [(c, lab, color, dash) for c, lab, color, dash in (
        ("casualties", "casualties of the crisis (fighting and crowds)", style.BLACK, "-"),
        ("crowd_deaths", "of them, killed in crowds fired on", style.VERMILION, "--"),
        ("front_losses", "losses at the front (scripted, counted apart)", style.GREY, ":"),
    ) if c in series and series[c].max() >= 0.5]
    panels = [name for name, shown in (("stack", bool(moved)), ("loyalty", True), ("street", street),
                                       ("flows", bool(flows)), ("deaths", bool(deaths))) if shown]
    missing = [what for what, shown in (("every armed unit stayed loyal", bool(moved)),
                                        ("no one protested", street),
                                        ("no one emigrated or was called up", bool(flows)),
                                        ("no casualties", bool(deaths))) if not shown]
    heights = {"stack": 1.1, "loyalty": 1.0, "street": 1.0, "flows": 0.8, "deaths": 0.75}
    fig, axes = plt.subplots(len(panels), 1, figsize=style.figsize(13, 0.6 + 2.9 * sum(heights[p] for p in panels)),
                             sharex=True, squeeze=False,
                             gridspec_kw={"height_ratios": [heights[p] for p in panels]})
    ax_of = dict(zip(panels, axes[:, 0], strict=True))
    style.title(fig, title)
    legend_size = plt.rcParams["legend.fontsize"]

    # strength not backing the ruler, by institution and stance
    if "stack" in ax_of:
        ax = ax_of["stack"]
        stacks, labels, colors, hatches, owners = [], [], [], [], []
        for inst, stance in moved:
            look = looks[inst]
            stacks.append(series[f"{stance}__{inst}"].to_numpy() / 1000.0)
            labels.append(f"{look.label}: {style.STANCE_LABELS[stance]}")
            colors.append(look.color)
            hatches.append("//" if stance == "aside" else None)
            owners.append(inst)
        polys = ax.stackplot(t, *stacks, labels=labels, colors=colors, alpha=0.85)
        for poly, hatch in zip(polys, hatches, strict=True):
            if hatch:
                poly.set_hatch(hatch)
                poly.set_edgecolor("white")
        # one entry per institution (its colour) and one per stance (solid or hatched): seven
        # institutions in two stances would make a legend taller than the panel
        handles = [Patch(facecolor=looks[inst].color, alpha=0.85, label=looks[inst].label)
                   for inst in dict.fromkeys(owners)]
        if any(h is None for h in hatches):
            handles += [Patch(facecolor=style.GREY, alpha=0.85, label="solid: defected\n(backs a challenger)")]
        if any(hatches):
            handles += [Patch(facecolor=style.GREY, alpha=0.85, hatch="//", edgecolor="white",
                              label="hatched: standing aside")]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=legend_size)
        ax.set_ylabel("men not backing\nthe ruler (thousands)")
        ax.set_title("Armed units standing aside or defected")
        ax.set_ylim(bottom=0)

    # loyalty by institution, regime strength, legitimacy (the ruler's lines in black and
    # grey, so that no institution's colour means two things)
    ax = ax_of["loyalty"]
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
    ax.set_title("Loyalty of commanders, regime strength, legitimacy")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=legend_size)

    # the street
    if "street" in ax_of:
        ax = ax_of["street"]
        ax.plot(t, 100 * series["protest_share"], color=style.PUBLIC_COLOR, label="protesting, national")
        if cap in series:
            ax.plot(t, 100 * series[cap], color=style.BLACK, linestyle="--", label=f"protesting, {capital}")
        if population and rally.max() > 0:
            ax.plot(t, 100 * rally / population, color=style.BLACK, linestyle=":", linewidth=2.6,
                    label="answering a call to rally, national")
        ax.set_ylabel("% of population\nin the streets")
        ax.set_ylim(bottom=0)
        ax.set_title("The public in the streets")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=legend_size)

    # people leaving and called up: counts of people, on an axis of their own (no twin axis)
    if "flows" in ax_of:
        ax = ax_of["flows"]
        for c, lab, color in (("emigrated", "emigrated (cumulative)", style.SKY),
                              ("mobilized", "mobilized (cumulative)", style.GREEN)):
            if c in flows:
                ax.plot(t, series[c] / 1000.0, color=color, label=lab)
        ax.set_ylabel("people\n(thousands)")
        ax.set_ylim(bottom=0)
        ax.set_title("Leaving the country and called up")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=legend_size)

    # casualties of the crisis (front losses are counted apart: they are the war's, not the crisis')
    if "deaths" in ax_of:
        ax = ax_of["deaths"]
        for c, lab, color, dash in deaths:
            ax.plot(t, series[c], color=color, linestyle=dash, label=lab)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=legend_size)
        ax.set_ylim(bottom=0)
        crisis = float(series["casualties"].max()) if "casualties" in series else 0.0
        front = float(series["front_losses"].max()) if "front_losses" in series else 0.0
        if crisis >= 0.5 and front > 3 * crisis:
            # scripted front losses (20,000) would flatten the crisis' own (hundreds) to the axis: the
            # scale is the crisis', and the front's line leaves it, its total written where it does
            ax.set_ylim(0, 1.3 * crisis)
            ax.text(0.99, 0.95, f"losses at the front: {front:,.0f} (above the scale)", transform=ax.transAxes,
                    ha="right", va="top", fontsize=legend_size, color="#444444",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.set_ylabel("people\n(cumulative)")
        ax.set_title("Casualties")
    axes[-1, 0].set_xlabel(xlabel)
    fig.tight_layout(rect=(0, note_room(fig, missing), 1, 1))
    # after the layout: the labels are spaced by the panels' final widths. On a slide their
    # 18 pt rows would cover the top panel's data: there they go above it, as in the other figures
    talk = style.active() == "talk"
    for i, ax in enumerate(axes[:, 0]):
        annotate_events(ax, events, scale, top=i == 0 and not talk)
    if talk:
        lo, hi = float(series["hour"].min()), float(series["hour"].max())
        event_ticks(axes[0, 0], events, scale, lo, hi)
        fig.tight_layout(rect=(0, note_room(fig, missing), 1, 1))
    not_drawn_note(fig, missing)
    return fig


def plot_timeline(series: pd.DataFrame, events: pd.DataFrame, title: str, out_stem: Path | str,
                  capital: str = "Moscow", institutions: Mapping[str, str] | None = None,
                  population: float | None = None) -> list[str]:
    fig = timeline_figure(series, events, title, capital, institutions, population)
    return style.save(fig, out_stem)
