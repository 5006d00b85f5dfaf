"""The map of one run at one hour: regions and routes at their map positions, each region
shaded by how many of its people are in the streets, every armed unit where it stands
(coloured by stance, shaped by institution, sized by strength) and the marching column.

:class:`MapCanvas` draws the fixed layer (routes, regions, labels, legend) once and redraws
only what changes from hour to hour, so the animation (``animate.py``) reuses it frame by
frame. Units in one region sit in a small block beside its disc, on the side with most free
room, so neither the units nor the neighbouring regions hide each other.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import colors as mcolors
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..model.state import clock
from . import style

STANCES = ("loyal", "standing aside", "defected")
PROTEST_CMAP = "Purples"  # a single-hue ramp keeps the discs apart from the three stance colours
DISC_PT = 24.0  # diameter of a region's disc (points)
GAP_PT = 2.0
BLOCK_CLEAR_PT = DISC_PT / 2 + 6.0  # room between a disc and its units for the column's ring
SIZE_KEYS = (1_000, 10_000, 100_000)
# compass directions in order of preference when several are equally free
DIRECTIONS = {"E": (1, 0), "W": (-1, 0), "NE": (1, 1), "NW": (-1, 1), "SE": (1, -1), "SW": (-1, -1),
              "N": (0, 1), "S": (0, -1)}
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in points


def unit_diameter(strength: float | np.ndarray) -> float | np.ndarray:
    """Marker diameter in points: logarithmic, since units range from 200 to 370,000 men."""
    return np.clip(5.0 + 4.0 * np.log10(np.maximum(strength, 1.0) / 300.0), 5.0, 18.0)


def calendar_label(hour: float, start: str | None) -> str:
    """The calendar time of ``hour`` ('24 Jun 2023 15:00') when the scenario names a start that
    is a date, else ''."""
    if not start:
        return ""
    try:
        when = dt.datetime.fromisoformat(str(start)) + dt.timedelta(hours=float(hour))
    except ValueError:
        return ""
    return f"{when:%d %b %Y %H:%M}"


@dataclass(frozen=True)
class Geography:
    """Regions (lon, lat, population) and routes of a resolved scenario, for drawing."""

    pos: dict[str, tuple[float, float]]
    population: dict[str, int]
    aggregates: frozenset[str]
    capital: str
    routes: list[tuple[str, str, float]]
    start: str | None

    @classmethod
    def from_scenario(cls, scenario: Mapping[str, Any]) -> Geography:
        """Build from the resolved scenario mapping (``scenario.yaml`` of a results folder)."""
        regions = scenario["regions"]
        capital = next((n for n, r in regions.items() if r.get("capital")), next(iter(regions)))
        return cls(
            pos=place_regions(regions, scenario.get("routes", [])),
            population={n: int(r.get("population", 0)) for n, r in regions.items()},
            aggregates=frozenset(n for n, r in regions.items() if r.get("aggregate")),
            capital=capital,
            routes=[(r["a"], r["b"], float(r["km"])) for r in scenario.get("routes", [])],
            start=(scenario.get("time") or {}).get("start"),
        )


def place_regions(regions: Mapping[str, Any], routes: list[Mapping[str, Any]]) -> dict[str, tuple[float, float]]:
    """Map positions of the regions; a region given without ``pos`` (a scenario may add one)
    is placed near the regions its routes reach, or beside the map if it has none, instead of
    at (0, 0) - the Gulf of Guinea - or failing the figure."""
    pos = {n: (float(r["pos"][0]), float(r["pos"][1])) for n, r in regions.items()
           if isinstance(r, Mapping) and r.get("pos") is not None}
    missing = [n for n in regions if n not in pos]
    if not missing:
        return pos
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    spread = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    for k, name in enumerate(missing):
        near = [pos[other] for r in routes for end, other in (("a", r.get("b")), ("b", r.get("a")))
                if r.get(end) == name and other in pos]
        if near:
            cx = sum(p[0] for p in near) / len(near)
            cy = sum(p[1] for p in near) / len(near)
            # off the neighbours' centre by a tenth of the map, so it does not cover them
            angle = 2.0 * math.pi * (k + 1) / (len(missing) + 1)
            pos[name] = (cx + 0.1 * spread * math.cos(angle), cy + 0.1 * spread * math.sin(angle))
        else:  # no route: a column to the right of the map
            pos[name] = (max(xs) + 0.15 * spread, max(ys) - 0.12 * spread * k)
    return {n: pos[n] for n in regions}


def protest_scale(series: pd.DataFrame, regions: list[str]) -> float:
    """Top of the colour bar (% of population): the run's highest regional protest, rounded up.

    One scale for the whole run so that the frames of the animation compare.
    """
    cols = [f"protest__{r}" for r in regions if f"protest__{r}" in series]
    peak = 100.0 * float(series[cols].max().max()) if cols else 0.0
    if peak <= 0.5:
        return 0.5
    step = 10 ** math.floor(math.log10(peak))
    return math.ceil(peak / step) * step


def key_hour(series: pd.DataFrame, track: pd.DataFrame) -> float:
    """The hour a single map should show: where the story is.

    The column's closest approach to the capital if there was a march; otherwise the hour
    the most armed strength stood aside or defected; otherwise peak national protest;
    otherwise the last hour.
    """
    if "column_km_to_capital" in series and series["column_km_to_capital"].notna().any():
        return float(series.loc[series["column_km_to_capital"].idxmin(), "hour"])
    if not track.empty:
        away = track[track["stance"] != "loyal"].groupby("hour")["strength"].sum()
        if not away.empty and away.max() > 0:
            return float(away.idxmax())
    if series["protest_share"].max() > 0:
        return float(series.loc[series["protest_share"].idxmax(), "hour"])
    return float(series["hour"].iloc[-1])


def nearest_hour(hours: np.ndarray, hour: float) -> float:
    """The recorded hour closest to ``hour`` (what a map asked for ``hour`` shows)."""
    hours = np.asarray(hours, dtype=float)
    return float(hours[np.abs(hours - hour).argmin()]) if hours.size else float(hour)


def _overlap(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _block(n: int, step: float, upward: bool = False) -> tuple[list[tuple[float, float]], float, float]:
    """Offsets (points) of ``n`` markers in a block centred on (0, 0), and its half sizes.

    Rows fill from the top, or from the bottom when ``upward`` (a block above its disc), so
    a short last row is the one farthest from the disc.
    """
    cols = max(1, math.ceil(math.sqrt(n * 1.5)))
    rows = math.ceil(n / cols)
    sign = -1.0 if upward else 1.0
    out = []
    for i in range(n):
        r, c = divmod(i, cols)
        in_row = min(cols, n - r * cols)
        out.append(((c - (in_row - 1) / 2) * step, sign * ((rows - 1) / 2 - r) * step))
    return out, cols * step / 2, rows * step / 2


def _ring(n: int, step: float, inner: float) -> list[tuple[float, float]]:
    """Offsets (points) for ``n`` markers on rings around a marker of radius ``inner``."""
    out: list[tuple[float, float]] = []
    radius = inner + step / 2
    while len(out) < n:
        k = min(max(6, int(2 * math.pi * radius / step)), n - len(out))
        out += [(radius * math.cos(math.radians(90) - 2 * math.pi * i / k),
                 radius * math.sin(math.radians(90) - 2 * math.pi * i / k)) for i in range(k)]
        radius += step
    return out


def _beside(center: tuple[float, float], d: tuple[int, int], hw: float, hh: float, clear: float) -> Box:
    """The box of half sizes (hw, hh) placed in direction ``d`` from ``center``, ``clear`` away."""
    dx, dy = d
    cx = center[0] + dx * (clear + hw)
    cy = center[1] + dy * (clear + hh)
    return (cx - hw, cy - hh, cx + hw, cy + hh)


def _best(candidates: dict[str, Box], taken: list[tuple[Box, float]], frame: Box) -> str:
    """The candidate that overlaps least with what is taken (each overlap weighted), stays
    inside the frame, and sits straight beside the disc rather than at a corner when it can."""
    def cost(side: str) -> float:
        box = candidates[side]
        area = (box[2] - box[0]) * (box[3] - box[1])
        corner = 0.3 * area if len(side) == 2 else 0.0
        return sum(w * _overlap(box, t) for t, w in taken) + 3.0 * (area - _overlap(box, frame)) + corner
    return min(candidates, key=cost)


class MapCanvas:
    """A figure with the fixed map drawn once; :meth:`show` draws the state at an hour.

    ``ending`` (the outcome, in words) is shown with the last recorded hour.
    """

    def __init__(self, scenario: Mapping[str, Any], series: pd.DataFrame, track: pd.DataFrame,
                 units: pd.DataFrame, title: str, figsize: tuple[float, float] = (16, 9),
                 dpi: float = 100, ending: str = "") -> None:
        style.apply()
        self.geo = Geography.from_scenario(scenario)
        self.series = series.set_index("hour", drop=False)
        self.track = track
        self.hours = np.sort(track["hour"].unique()) if not track.empty else series["hour"].to_numpy()
        self.institution = dict(zip(units["unit"], units["institution"].astype(str), strict=True))
        # shapes from the run's sorted institution ids: the same as the dashboard's
        self.looks = style.institution_styles(self.institution.values(), style.institution_labels(units))
        self.title = title
        self.ending = ending
        self.horizon: float | None = None  # a live run (the dashboard) counts hours to its horizon
        self.fig = plt.figure(figsize=figsize, dpi=dpi)
        # the talk style's larger text needs a wider side column for the legend
        self.talk = style.active() == "talk"
        self.ax = self.fig.add_axes((0.03, 0.17, 0.61, 0.69) if self.talk else (0.045, 0.07, 0.655, 0.85))
        self.vmax = protest_scale(series, list(self.geo.pos))
        self.norm = mcolors.Normalize(0.0, self.vmax)
        self.cmap = plt.get_cmap(PROTEST_CMAP)
        self._dynamic: list[Artist] = []
        self._frame_axes()
        self._place()
        self._draw_base()
        self._draw_legend()

    # ------------------------------------------------------------------ layout
    def _frame_axes(self) -> None:
        ax, geo = self.ax, self.geo
        lons = np.array([p[0] for p in geo.pos.values()])
        lats = np.array([p[1] for p in geo.pos.values()])
        padx = max(1.0, 0.07 * np.ptp(lons))
        pady = max(0.5, 0.05 * np.ptp(lats))
        ax.set_xlim(lons.min() - padx, lons.max() + padx)
        ax.set_ylim(lats.min() - pady, lats.max() + pady)
        # a schematic map: as wide as the slide allows, not a true projection
        ax.set_aspect("auto")

    def _pt(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = self.ax.transData.transform((lon, lat))
        return x * 72.0 / self.fig.dpi, y * 72.0 / self.fig.dpi

    def _degrees_per_point(self) -> tuple[float, float]:
        """How far one point on the page is in lon and lat (the axes never rescale)."""
        (x0, y0), (x1, y1) = self._pt(0.0, 0.0), self._pt(1.0, 1.0)
        return 1.0 / (x1 - x0), 1.0 / (y1 - y0)

    def _place(self) -> None:
        """Choose, once for the run, the side of each disc for its units and for its label."""
        geo = self.geo
        centers = {n: self._pt(*p) for n, p in geo.pos.items()}
        r = DISC_PT / 2
        taken: list[tuple[Box, float]] = [((x - r, y - r, x + r, y + r), 1.0) for x, y in centers.values()]
        # keep off the distance labels, and a little off the roads where the column will march
        for a, b, km in geo.routes:
            (xa, ya), (xb, yb) = centers[a], centers[b]
            small = style.points("small")
            hw = 0.3 * small * len(f"{km:,.0f} km") + 2
            hh = 0.62 * small
            taken.append((((xa + xb) / 2 - hw, (ya + yb) / 2 - hh, (xa + xb) / 2 + hw, (ya + yb) / 2 + hh), 1.0))
            for f in np.linspace(0.15, 0.85, 8):
                x, y = xa + f * (xb - xa), ya + f * (yb - ya)
                taken.append(((x - 4, y - 4, x + 4, y + 4), 0.5))
        x0, y0 = self._pt(*(self.ax.get_xlim()[0], self.ax.get_ylim()[0]))
        x1, y1 = self._pt(*(self.ax.get_xlim()[1], self.ax.get_ylim()[1]))
        frame = (x0, y0, x1, y1)
        at = {(round(p[0], 4), round(p[1], 4)): n for n, p in geo.pos.items()}
        t = self.track[~self.track["in_column"]] if not self.track.empty else self.track
        most = {n: 1 for n in geo.pos}
        biggest = {n: float(unit_diameter(1000.0)) for n in geo.pos}
        if not t.empty:
            region = [at.get((round(a, 4), round(b, 4))) for a, b in zip(t["lon"], t["lat"], strict=True)]
            t = t.assign(at=region).dropna(subset=["at"])
            for name, g in t.groupby("at"):
                most[name] = int(g.groupby("hour").size().max())
                biggest[name] = float(unit_diameter(g["strength"].max()))
        self.block_side: dict[str, tuple[int, int]] = {}
        for name in sorted(geo.pos, key=lambda n: -most[n]):
            _, hw, hh = _block(most[name], biggest[name] + GAP_PT)
            cands = {k: _beside(centers[name], d, hw, hh, BLOCK_CLEAR_PT) for k, d in DIRECTIONS.items()}
            side = _best(cands, taken, frame)
            self.block_side[name] = DIRECTIONS[side]
            taken.append((cands[side], 1.0))
        self.label_at: dict[str, tuple[str, tuple[float, float]]] = {}
        for name in sorted(geo.pos, key=lambda n: -most[n]):
            hw, hh = self._label_size(name)
            cands = {k: _beside(centers[name], d, hw, hh, r + GAP_PT) for k, d in DIRECTIONS.items()
                     if d != self.block_side[name]}
            side = _best(cands, taken, frame)
            box = cands[side]
            taken.append((box, 1.0))
            self.label_at[name] = (side, ((box[0] + box[2]) / 2 - centers[name][0],
                                          (box[1] + box[3]) / 2 - centers[name][1]))

    def _label_text(self, name: str) -> str:
        text = f"\u2605 {name} (capital)" if name == self.geo.capital else name
        if name in self.geo.aggregates:
            text += "\n(aggregate, placed\nschematically)"
        elif not self.geo.population[name]:
            text += "\n(no civilians)"
        return text

    def _label_size(self, name: str) -> tuple[float, float]:
        lines = self._label_text(name).split("\n")
        size = style.points("medium" if name == self.geo.capital else "small")
        return 0.3 * size * max(len(s) for s in lines) + 2, 0.62 * size * len(lines) + 2

    # ------------------------------------------------------------------ fixed layer
    def _draw_base(self) -> None:
        ax, geo = self.ax, self.geo
        ax.grid(False)
        for side in ("top", "right", "left", "bottom"):
            ax.spines[side].set_visible(False)
        if self.talk:  # a slide has no room for degrees: the map is schematic anyway
            ax.set_xticks([])
            ax.set_yticks([])
        else:
            ax.set_xlabel("longitude (degrees east; a schematic map, not to scale)", color="#555555")
            ax.set_ylabel("latitude (degrees north)", color="#555555")
            ax.tick_params(colors="#777777", labelsize="small")
        for a, b, km in geo.routes:
            (x0, y0), (x1, y1) = geo.pos[a], geo.pos[b]
            ax.plot([x0, x1], [y0, y1], color="#c4c4c4", linewidth=3, zorder=1, solid_capstyle="round")
            ax.text((x0 + x1) / 2, (y0 + y1) / 2, f"{km:,.0f} km", fontsize="small", color="#555555",
                    ha="center", va="center", zorder=2, rotation=0,
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7})
        self.discs = {}
        for name, (x, y) in geo.pos.items():
            capital = name == geo.capital
            self.discs[name] = ax.scatter([x], [y], s=DISC_PT ** 2, c=["white"], zorder=3,
                                          edgecolors="black" if capital else "#555555",
                                          linewidths=3.0 if capital else 1.2,
                                          hatch=None if geo.population[name] else "////")
            side, (dx, dy) = self.label_at[name]
            ha = "left" if "E" in side else "right" if "W" in side else "center"
            dx += {"left": -1, "right": 1, "center": 0}[ha] * self._label_size(name)[0]
            ax.annotate(self._label_text(name), (x, y), xytext=(dx, dy), textcoords="offset points",
                        ha=ha, va="center", fontsize="medium" if capital else "small",
                        fontweight="bold" if capital else "normal",
                        fontstyle="italic" if name in self.geo.aggregates else "normal", zorder=6, linespacing=1.0)

    def _draw_legend(self) -> None:
        fig = self.fig
        talk = self.talk
        # on a slide the colour bar goes under the map, the right column is the legend's
        cax = fig.add_axes((0.1, 0.085, 0.45, 0.022) if talk else (0.74, 0.655, 0.22, 0.022))
        bar = fig.colorbar(plt.cm.ScalarMappable(norm=self.norm, cmap=self.cmap), cax=cax,
                           orientation="horizontal")
        bar.set_label("disc colour: protesting (% of the region's population)", fontsize="small")
        cax.tick_params(labelsize="small")
        lax = fig.add_axes((0.665, 0.0, 0.335, 0.62) if talk else (0.72, 0.0, 0.27, 0.56))
        lax.axis("off")

        heads: set[str] = set()

        def head(text: str) -> tuple[Line2D, str]:
            heads.add(text)
            return Line2D([], [], linestyle=""), text

        def dot(label: str, **kw: Any) -> tuple[Line2D, str]:
            kw = {"marker": "o", "linestyle": "", "markersize": 11, "markeredgecolor": "black", **kw}
            return Line2D([], [], **kw), label

        present = set(self.institution.values())
        rows = [head("unit's stance (colour)")]
        rows += [dot(s, markerfacecolor=style.STANCE_COLORS[s]) for s in STANCES]
        rows += [head("institution (shape)")]
        rows += [dot(look.label, marker=look.marker, markerfacecolor="white")
                 for inst, look in self.looks.items() if inst in present]
        rows += [head("strength (size)")]
        rows += [dot(f"{n:,} men", markersize=float(unit_diameter(n)), markerfacecolor="#dddddd")
                 for n in SIZE_KEYS]
        # the capital's own label says which it is ("\u2605 Moscow (capital)")
        if "column_lon" in self.series and self.series["column_lon"].notna().any():
            rows.append((Line2D([], [], color=style.BLACK, linestyle="--", linewidth=2.5, marker="o", markersize=15,
                                markerfacecolor="white", markeredgewidth=2.5), "marching column and its path"))
        if any(not p for p in self.geo.population.values()):
            rows.append((Patch(facecolor="#eeeeee", edgecolor="#555555", hatch="////"), "region without civilians"))
        handles, labels = zip(*rows, strict=True)
        leg = lax.legend(handles, labels, loc="upper left", frameon=False, fontsize="small" if talk else "medium",
                         ncols=1, handletextpad=0.6, labelspacing=0.08 if talk else 0.45, borderaxespad=0.2)
        for text in leg.get_texts():
            if text.get_text() in heads:
                text.set_fontweight("bold")
        self.status = fig.text(0.67 if talk else 0.735, 0.915 if talk else 0.905, "", ha="left", va="top",
                               fontsize="small" if talk else "medium", linespacing=1.3,
                               bbox={"boxstyle": "round,pad=0.4", "fc": "#f4f4f4", "ec": "none"})

    # ------------------------------------------------------------------ state at an hour
    def show(self, hour: float) -> Figure:
        """Draw the state at the recorded hour nearest ``hour``; remove the previous state."""
        for artist in self._dynamic:
            artist.remove()
        self._dynamic = []
        hour = nearest_hour(self.hours, hour)
        row = self.series.loc[hour] if hour in self.series.index else self.series.iloc[-1]
        for name, disc in self.discs.items():
            share = row.get(f"protest__{name}", 0.0) if self.geo.population[name] else None
            disc.set_facecolor("#eeeeee" if share is None else self.cmap(self.norm(100.0 * share)))
        now = self.track[self.track["hour"] == hour]
        self._draw_column(hour, row, self._draw_units(now))
        self._status(hour, row, now, last=hour == self.hours[-1])
        # one clock in the title, as the log and the timeline print it; the calendar goes in the box
        title = f"{self.title}: {clock(hour)}"
        if self.talk:  # over the map only, clear of the status box: wrapped to the map's width
            width_pt = self.ax.get_position().width * self.fig.get_figwidth() * 72.0
            # the clock stays on one line (no-break spaces)
            title = f"{self.title}: {clock(hour).replace(' ', chr(0xA0))}"
            title = "\n".join(textwrap.wrap(title, max(20, int(width_pt / (0.55 * style.points("large"))))))
        self._dynamic.append(self.fig.suptitle(title, fontsize="large" if self.talk else "x-large",
                                               fontweight="bold", x=0.045, ha="left", y=0.985 if self.talk else 0.975))
        return self.fig

    def _status(self, hour: float, row: pd.Series, now: pd.DataFrame, last: bool) -> None:
        when = calendar_label(hour, self.geo.start)
        lines = [f"hour {hour:g} of {self.horizon or self.hours[-1]:g}" + (f"  ({when})" if when else "")]
        lines += [f"OUTCOME: {self.ending}"] if last and self.ending else []
        for stance in ("standing aside", "defected"):
            sub = now[now["stance"] == stance]
            if len(sub):
                lines.append(f"{stance}: {len(sub)} unit{'s' if len(sub) > 1 else ''}, {sub['strength'].sum():,.0f} men")
        lines.append(f"protesting: {100 * row.get('protest_share', 0.0):.2f}% of all people")
        if np.isfinite(row.get("column_lon", np.nan)):
            lines.append(f"the column: {row.get('column_strength', 0):,.0f} men, "
                         f"{row.get('column_km_to_capital', 0):,.0f} km to {self.geo.capital}")
        # the side column of a slide is about 38 characters of 18-pt text wide
        width = 38 if self.talk else 48
        self.status.set_text("\n".join(w for line in lines for w in textwrap.wrap(line, width)))

    def _draw_column(self, hour: float, row: pd.Series, size: float) -> None:
        """The column's path so far (dashed) and a ring of diameter ``size`` points round it."""
        s = self.series
        if "column_lon" not in s or not np.isfinite(row.get("column_lon", np.nan)):
            return
        path = s[(s["hour"] <= hour) & s["column_lon"].notna()]
        ax = self.ax
        self._dynamic += ax.plot(path["column_lon"], path["column_lat"], color=style.BLACK, linestyle="--",
                                 linewidth=2.5, zorder=4)
        self._dynamic.append(ax.scatter([row["column_lon"]], [row["column_lat"]], s=size ** 2,
                                        facecolors="white", edgecolors=style.BLACK, linewidths=2.5, zorder=5,
                                        alpha=0.9))


    def _draw_units(self, now: pd.DataFrame) -> float:
        """Draw every unit; return the diameter (points) of the ring the column needs."""
        ring = DISC_PT + 8
        if now.empty:
            return ring
        at = {(round(x, 4), round(y, 4)): n for n, (x, y) in self.geo.pos.items()}
        now = now.assign(institution=now["unit"].map(self.institution)).sort_values(
            ["institution", "strength"], ascending=[True, False])
        keys = [now["in_column"], now["lon"].round(4), now["lat"].round(4)]
        placed = []
        for (in_column, lon, lat), group in now.groupby(keys, sort=False):
            sizes = unit_diameter(group["strength"].to_numpy())
            step = float(sizes.max()) + GAP_PT
            region = None if in_column else at.get((lon, lat))
            if in_column:  # inside the column's ring
                offsets, hw, hh = _block(len(group), step)
                ring = max(ring, 2 * math.hypot(hw, hh) + 4)
            elif region is None:  # units on the road: a ring round the spot
                offsets = _ring(len(group), step, 0.0)
            else:
                side = self.block_side[region]
                offsets, hw, hh = _block(len(group), step, upward=side[1] > 0)
                box = _beside((0.0, 0.0), side, hw, hh, BLOCK_CLEAR_PT)
                cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
                offsets = [(cx + ox, cy + oy) for ox, oy in offsets]
            placed += [(lon, lat, dx, dy, d, u.institution, u.stance)
                       for (dx, dy), d, u in zip(offsets, sizes, group.itertuples(index=False), strict=True)]
        # one scatter per institution's shape: drawing 35 separate markers per frame is slow
        kx, ky = self._degrees_per_point()
        marks = pd.DataFrame(placed, columns=["lon", "lat", "dx", "dy", "d", "institution", "stance"])
        for inst, m in marks.groupby("institution"):
            self._dynamic.append(self.ax.scatter(
                m["lon"] + m["dx"] * kx, m["lat"] + m["dy"] * ky, s=m["d"] ** 2,
                marker=self.looks[inst].marker if inst in self.looks else "o", edgecolors="black", linewidths=1.0, zorder=8,
                c=[style.STANCE_COLORS.get(st, style.GREY) for st in m["stance"]]))
        return ring


def map_figure(scenario: Mapping[str, Any], series: pd.DataFrame, track: pd.DataFrame, units: pd.DataFrame,
               title: str, hour: float | None = None, ending: str = "") -> Figure:
    """The map at ``hour`` (default: :func:`key_hour`, where the story is); ``ending`` (the
    outcome in words) is shown if that is the last hour."""
    canvas = MapCanvas(scenario, series, track, units, title, ending=ending)
    return canvas.show(key_hour(series, track) if hour is None else hour)


def plot_map(scenario: Mapping[str, Any], series: pd.DataFrame, track: pd.DataFrame, units: pd.DataFrame,
             title: str, out_stem: Path | str, hour: float | None = None, ending: str = "") -> list[str]:
    """Save the map as PNG and SVG; return the paths."""
    return style.save(map_figure(scenario, series, track, units, title, hour, ending), out_stem)
