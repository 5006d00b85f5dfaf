"""The public over time, region by region: who is in the streets, who is in jail, who has
left the country and who has been called up - and, when it happened, who answered a call to
rally and who was killed when troops fired on crowds.

Up to six panels share the time axis, one for each measure that happened in the run (a line
at the foot names those that did not). The regions where most happened get a colour and a line
style of their own (the same in every panel); the others are thin grey lines, so a dozen
regions never become a tangle.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from . import style
from .timeline import annotate_events, event_ticks, not_drawn_note, note_room, time_axis

#: (series prefix, panel title, y label, scale to the unit shown, what "nothing" reads as)
MEASURES = (
    ("protest", "In the streets", "protesting\n(% of the region's\npopulation)", 100.0,
     "no one protested in this run"),
    ("jailed", "Arrested: in jail at the time", "in jail\n(% of the region's\npopulation)", 100.0,
     "no one was in jail in this run"),
    ("emigrated", "Left the country", "emigrated\n(thousands of people,\ncumulative)", 1e-3,
     "no one emigrated in this run"),
    ("mobilized", "Called up", "mobilized\n(thousands of people,\ncumulative)", 1e-3,
     "no one was mobilized in this run"),
)
#: drawn only when something happened (most runs have no called crowds and no crowd deaths)
EXTRA_MEASURES = (
    ("rally", "Answering a call to rally (any side)", "in the streets\n(thousands of people)", 1e-3, ""),
    ("deaths", "Killed when troops fired on crowds", "killed\n(people, cumulative)", 1.0, ""),
)
#: the talk style's y labels: one short line (a panel is about 1.6 inches high on a slide, and a
#: three-line label at 21 pt ran into the next panel's); the unit goes into the panel's title
TALK_YLABELS = {"protest": "%", "jailed": "%", "emigrated": "thousands", "mobilized": "thousands",
                "rally": "thousands", "deaths": "people"}
HIGHLIGHT = ((style.BLUE, "-"), (style.VERMILION, "--"), (style.GREEN, "-."), (style.ORANGE, ":"),
             (style.SKY, "-"), (style.PURPLE, "--"))


def populated_regions(scenario: Mapping[str, Any]) -> list[str]:
    """Regions with people in them (the front has none)."""
    return [n for n, r in scenario["regions"].items() if int(r.get("population", 0)) > 0]


def happened(series: pd.DataFrame, prefix: str) -> bool:
    """Whether any region's ``prefix`` series is above zero in this run."""
    return any(c.startswith(f"{prefix}__") and series[c].max() > 0 for c in series.columns)


def shown_measures(series: pd.DataFrame) -> tuple[tuple[str, str, str, float, str], ...]:
    """The measures that happened in this run (a panel with nothing to show is left out)."""
    return tuple(m for m in MEASURES + EXTRA_MEASURES if happened(series, m[0]))


def ranked_regions(series: pd.DataFrame, regions: list[str]) -> list[str]:
    """Regions ordered by how much happened there: the sum over the measures of the region's
    peak as a share of the largest peak of that measure."""
    score = dict.fromkeys(regions, 0.0)
    for prefix, *_ in shown_measures(series):
        peaks = {r: float(series[f"{prefix}__{r}"].max()) for r in regions if f"{prefix}__{r}" in series}
        top = max(peaks.values(), default=0.0)
        if top > 0:
            for r, v in peaks.items():
                score[r] += v / top
    return sorted(regions, key=lambda r: -score[r])


def public_figure(scenario: Mapping[str, Any], series: pd.DataFrame, events: pd.DataFrame, title: str) -> Figure:
    """A panel for each measure that happened: protesting and in jail (% of population),
    emigrated and mobilized (thousands), people answering a call to rally (thousands) and
    crowd deaths, one line per region."""
    style.apply()
    t, xlabel, scale = time_axis(series)
    measures = shown_measures(series)
    missing = [m[4].removesuffix(" in this run") for m in MEASURES if m not in measures]
    if not measures:  # a mutiny can leave the public at home: one panel says so
        fig, ax = plt.subplots(figsize=style.figsize(14, 4))
        style.title(fig, f"{title}\nthe public, region by region")
        ax.axis("off")
        ax.text(0.5, 0.5, "Nothing happened among the public in this run:\n" + "; ".join(missing) + ".",
                transform=ax.transAxes, ha="center", va="center", fontsize=plt.rcParams["axes.titlesize"])
        fig.tight_layout()
        return fig
    regions = ranked_regions(series, populated_regions(scenario))
    active = [r for r in regions if any(series.get(f"{p}__{r}", pd.Series([0.0])).max() > 0 for p, *_ in measures)]
    colored = {r: HIGHLIGHT[i] for i, r in enumerate(active[: len(HIGHLIGHT)])}
    fig, axes = plt.subplots(len(measures), 1, figsize=style.figsize(14, 1.6 + 2.4 * len(measures)), sharex=True, squeeze=False)
    axes = axes[:, 0]
    style.title(fig, f"{title}\nthe public, region by region")
    for ax, (prefix, panel, ylabel, factor, _nothing) in zip(axes, measures, strict=True):
        peak = 0.0
        for r in reversed(regions):  # highlighted regions last, so on top
            col = f"{prefix}__{r}"
            if col not in series:
                continue
            y = series[col].to_numpy() * factor
            peak = max(peak, float(np.nanmax(y)) if y.size else 0.0)
            if r in colored:
                color, dash = colored[r]
                ax.plot(t, y, color=color, linestyle=dash, linewidth=2.4, zorder=3)
            else:
                ax.plot(t, y, color=style.GREY, linewidth=1.0, alpha=0.8, zorder=2)
        if style.active() == "talk":
            unit = ylabel.split("(", 1)[-1].rstrip(")").replace("\n", " ")
            ax.set_title(f"{panel} - {unit}", loc="left")
            ax.set_ylabel(TALK_YLABELS.get(prefix, unit))
        else:
            ax.set_title(panel, loc="left")
            ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
        annotate_events(ax, events, scale, top=False)
    axes[-1].set_xlabel(xlabel)
    handles = [Line2D([], [], color=c, linestyle=d, linewidth=2.4, label=r) for r, (c, d) in colored.items()]
    if len(regions) > len(colored):
        rest = "other regions" if colored else "every region"
        handles.append(Line2D([], [], color=style.GREY, linewidth=1.0, label=rest))
    # the legend of regions beside the panels: as wide as its longest name ('Siberia and Far East'
    # at 19 pt ran past a slide's right edge)
    legend = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.805, 0.93), title="region",
                        title_fontproperties={"weight": "bold"})
    wide = legend.get_window_extent(fig.canvas.get_renderer()).width / (fig.dpi * fig.get_figwidth())
    right = min(0.8, 0.985 - wide)
    fig.tight_layout(rect=(0, note_room(fig, missing), right, 1))
    # the events' names over the top panel, spaced by its width as laid out, then room made for them
    event_ticks(axes[0], events, scale, float(series["hour"].min()), float(series["hour"].max()))
    fig.tight_layout(rect=(0, note_room(fig, missing), right, 1))
    legend.set_bbox_to_anchor((right + 0.005, 0.93), transform=fig.transFigure)
    not_drawn_note(fig, missing)
    return fig


def plot_public(scenario: Mapping[str, Any], series: pd.DataFrame, events: pd.DataFrame, title: str,
                out_stem: Path | str) -> list[str]:
    """Save the figure as PNG and SVG; return the paths."""
    return style.save(public_figure(scenario, series, events, title), out_stem)
