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
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

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
# a region's name sits beside its disc, or up to this many steps farther out with a leader line
LABEL_RINGS = 4
# where along its road a distance may sit (fractions of the road), nearest the middle first
KM_AT = (0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78)
# what a square point of overlap costs, by what is overlapped: text on a disc, a unit or other
# text (or off the free part of the page) is unreadable, worth a long leader line to avoid; text
# across a road or the column's path stays readable (it has a white halo)
HARD, SOFT = 200.0, 0.3
HALO = [patheffects.withStroke(linewidth=4, foreground="white")]


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


def _distance(box: Box, point: tuple[float, float]) -> float:
    """From ``point`` to the nearest point of ``box`` (0 inside it)."""
    dx = max(box[0] - point[0], 0.0, point[0] - box[2])
    dy = max(box[1] - point[1], 0.0, point[1] - box[3])
    return math.hypot(dx, dy)


def _to_segment(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    """From ``p`` to the nearest point of the segment ``a``-``b``."""
    vx, vy = b[0] - a[0], b[1] - a[1]
    t = ((p[0] - a[0]) * vx + (p[1] - a[1]) * vy) / max(vx * vx + vy * vy, 1e-9)
    t = min(1.0, max(0.0, t))
    return math.hypot(p[0] - a[0] - t * vx, p[1] - a[1] - t * vy)


def _overlaps(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Overlap areas of each of ``boxes`` (n x 4) with each of ``others`` (m x 4): n x m."""
    if len(others) == 0:
        return np.zeros((len(boxes), 0))
    w = np.minimum(boxes[:, None, 2], others[None, :, 2]) - np.maximum(boxes[:, None, 0], others[None, :, 0])
    h = np.minimum(boxes[:, None, 3], others[None, :, 3]) - np.maximum(boxes[:, None, 1], others[None, :, 1])
    return np.clip(w, 0, None) * np.clip(h, 0, None)


@dataclass
class _Label:
    """A piece of text to place: its candidate boxes (points), what each costs by itself (a
    longer leader, a spot farther from the middle of the road), and the obstacles it may
    cover without cost (its own road)."""

    candidates: np.ndarray  # c x 4
    preference: np.ndarray  # c
    own: frozenset[int] = frozenset()
    #: obstacles (by index) that weigh differently for this label: a distance on another road misleads
    reweigh: dict[int, float] | None = None
    #: for each candidate, points along its leader line (c x k x 2; NaN where it has none)
    leader: np.ndarray | None = None
    chosen: int = 0
    meta: list[Any] | None = None

    @property
    def box(self) -> np.ndarray:
        return self.candidates[self.chosen]

    @property
    def line(self) -> np.ndarray:
        return np.zeros((0, 2)) if self.leader is None else self.leader[self.chosen]


LEADER_SAMPLES = 10
CROSSING = 300.0  # what a point of a leader line inside another label costs


def _leader_points(start: tuple[float, float], box: Box) -> np.ndarray:
    """Points along a leader from ``start`` to the middle of ``box``, short of the box itself."""
    mid = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    t = np.linspace(0.0, 1.0, LEADER_SAMPLES)[:, None]
    pts = np.array(start) + t * (np.array(mid) - np.array(start))
    inside = (pts[:, 0] >= box[0]) & (pts[:, 0] <= box[2]) & (pts[:, 1] >= box[1]) & (pts[:, 1] <= box[3])
    pts[inside] = np.nan
    return pts


def _inside(points: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """How many of ``points`` (p x 2) fall in each of ``boxes`` (n x 4): n."""
    if len(points) == 0 or len(boxes) == 0:
        return np.zeros(len(boxes))
    x, y = points[None, :, 0], points[None, :, 1]
    hit = (x >= boxes[:, None, 0]) & (x <= boxes[:, None, 2]) & (y >= boxes[:, None, 1]) & (y <= boxes[:, None, 3])
    return hit.sum(axis=1)


def place_labels(labels: dict[str, _Label], obstacles: list[tuple[Box, float]], frame: Box,
                 passes: int = 4) -> None:
    """Choose a candidate for every label so that labels cover neither each other nor the
    obstacles (weighted overlaps) and stay in the frame: greedy in the given order, then a few
    passes that move each label to its best spot given all the others."""
    fixed = np.array([b for b, _ in obstacles], dtype=float).reshape(-1, 4)
    weight = np.array([w for _, w in obstacles], dtype=float)
    frame_box = np.array([frame], dtype=float)
    names = list(labels)
    fixed_cost = {}
    for name in names:
        lab = labels[name]
        area = (lab.candidates[:, 2] - lab.candidates[:, 0]) * (lab.candidates[:, 3] - lab.candidates[:, 1])
        w = weight.copy()
        for i, value in (lab.reweigh or {}).items():
            w[i] = value
        w[list(lab.own)] = 0.0
        outside = area - _overlaps(lab.candidates, frame_box)[:, 0]
        fixed_cost[name] = _overlaps(lab.candidates, fixed) @ w + HARD * outside + lab.preference

    def best(name: str, placed: list[str]) -> int:
        lab = labels[name]
        cost = fixed_cost[name].copy()
        if placed:
            others = np.array([labels[o].box for o in placed])
            cost += HARD * _overlaps(lab.candidates, others).sum(axis=1)
            # no leader line through another label, nor a label over another's leader
            lines = np.concatenate([labels[o].line for o in placed])
            cost += CROSSING * _inside(lines[~np.isnan(lines[:, 0])], lab.candidates)
            if lab.leader is not None:  # (NaN points compare False: no leader, no cost)
                x, y = lab.leader[:, :, 0, None], lab.leader[:, :, 1, None]
                hit = ((x >= others[:, 0]) & (x <= others[:, 2]) & (y >= others[:, 1]) & (y <= others[:, 3]))
                cost += CROSSING * hit.sum(axis=(1, 2))
        return int(np.argmin(cost))

    def arrange(order: list[str]) -> tuple[float, dict[str, int]]:
        done: list[str] = []
        for name in order:
            labels[name].chosen = best(name, done)
            done.append(name)
        for _ in range(passes):
            moved = False
            for name in order:
                choice = best(name, [o for o in order if o != name])
                moved |= choice != labels[name].chosen
                labels[name].chosen = choice
            if not moved:
                break
        boxes = np.array([labels[n].box for n in names])
        between = _overlaps(boxes, boxes)
        total = sum(fixed_cost[n][labels[n].chosen] for n in names) + HARD * (between.sum() - np.trace(between)) / 2
        return float(total), {n: labels[n].chosen for n in names}

    # a label placed early can keep a later one from its only good spot: try a few orders
    orders = [names, sorted(names, key=lambda n: not n.startswith("km:")), names[::-1]]
    _, chosen = min((arrange(order) for order in orders), key=lambda tc: tc[0])
    for name, choice in chosen.items():
        labels[name].chosen = choice


class MapCanvas:
    """A figure with the fixed map drawn once; :meth:`show` draws the state at an hour.

    ``ending`` (the outcome, in words) is shown with the last recorded hour.
    """

    def __init__(self, scenario: Mapping[str, Any], series: pd.DataFrame, track: pd.DataFrame,
                 units: pd.DataFrame, title: str, figsize: tuple[float, float] = (16, 9),
                 dpi: float = 100, ending: str = "", focus: float | None = None) -> None:
        """``focus``: the hour a single map shows (its labels keep off the units on the road
        then; without it, as for the animation, they are placed for the whole run)."""
        style.apply()
        self.focus = None if focus is None else nearest_hour(
            np.sort(track["hour"].unique()) if not track.empty else series["hour"].to_numpy(), focus)
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
        """Choose, once for the run, the side of each disc for its units, then where each
        region's name and each road's distance go: clear of the discs, the units, each other,
        and as far as they can of the roads and the column's path (farther out with a leader
        line where the map is crowded)."""
        geo = self.geo
        centers = {n: self._pt(*p) for n, p in geo.pos.items()}
        r = DISC_PT / 2
        discs: list[tuple[Box, float]] = [((x - r, y - r, x + r, y + r), HARD) for x, y in centers.values()]
        roads: list[tuple[Box, float]] = []
        road_of: list[int] = []  # which route each piece of road belongs to
        for i, (a, b, _km) in enumerate(geo.routes):
            (xa, ya), (xb, yb) = centers[a], centers[b]
            n = max(2, int(math.hypot(xb - xa, yb - ya) / 8))
            for f in np.linspace(0.0, 1.0, n + 1)[1:-1]:
                x, y = xa + f * (xb - xa), ya + f * (yb - ya)
                roads.append(((x - 3, y - 3, x + 3, y + 3), SOFT))
                road_of.append(i)
        path: list[tuple[Box, float]] = []
        if "column_lon" in self.series:
            col = self.series[["column_lon", "column_lat"]].dropna().to_numpy()
            for lon, lat in col[:: max(1, len(col) // 60)]:
                x, y = self._pt(lon, lat)
                path.append(((x - 5, y - 5, x + 5, y + 5), SOFT))
            if self.focus is not None and self.focus in self.series.index:  # the column's ring on the map shown
                lon, lat = self.series.loc[self.focus, ["column_lon", "column_lat"]]
                if np.isfinite(lon) and np.isfinite(lat):
                    x, y = self._pt(lon, lat)
                    ring = DISC_PT / 2 + 8.0
                    path.append(((x - ring, y - ring, x + ring, y + ring), HARD))
        taken = [(b, 1.0) for b, _ in discs] + [(b, 0.5) for b, _ in roads]
        x0, y0 = self._pt(*(self.ax.get_xlim()[0], self.ax.get_ylim()[0]))
        x1, y1 = self._pt(*(self.ax.get_xlim()[1], self.ax.get_ylim()[1]))
        frame = (x0, y0, x1, y1)  # units stay in the axes (they are clipped there), labels may leave them
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
        blocks: list[tuple[Box, float]] = []
        for name in sorted(geo.pos, key=lambda n: -most[n]):
            _, hw, hh = _block(most[name], biggest[name] + GAP_PT)
            cands = {k: _beside(centers[name], d, hw, hh, BLOCK_CLEAR_PT) for k, d in DIRECTIONS.items()}
            side = _best(cands, taken + blocks, frame)
            self.block_side[name] = DIRECTIONS[side]
            blocks.append((cands[side], 1.0))
        # units on the road (not in a region's block, not in the column) at any hour of the run
        moving: list[tuple[Box, float]] = []
        if not self.track.empty:
            road = self.track[~self.track["in_column"]]
            spots: dict[tuple[float, float], float] = {}
            for a, b, hour in zip(road["lon"], road["lat"], road["hour"], strict=True):
                spot = (round(a, 4), round(b, 4))
                if spot not in at:  # on the map shown, hard; at other hours (frames), there for an hour or two
                    spots[spot] = max(spots.get(spot, 0.0), HARD if hour == self.focus else 0.05)
            for (lon, lat), w in sorted(spots.items()):
                x, y = self._pt(lon, lat)
                moving.append(((x - 10, y - 10, x + 10, y + 10), w))
        obstacles = discs + [(b, HARD) for b, _ in blocks] + roads + path + moving
        first_road = len(discs) + len(blocks)
        labels: dict[str, _Label] = {}
        # the most crowded names first: the capital, then by how near the nearest other disc is
        def crowding(name: str) -> float:
            cx, cy = centers[name]
            return min((math.hypot(cx - x, cy - y) for o, (x, y) in centers.items() if o != name), default=1e9)
        self.label_text: dict[str, str] = {}
        for name in sorted(geo.pos, key=lambda n: (n != geo.capital, crowding(n))):
            boxes, pref, meta, lines = [], [], [], []
            for text in self._label_variants(name):
                hw, hh = self._label_size(name, text)
                self._name_candidates(name, text, hw, hh, centers, boxes, pref, meta, lines)
            labels[f"name:{name}"] = _Label(np.array(boxes), np.array(pref), meta=meta, leader=np.array(lines))
        self._place_rest(labels, centers, obstacles, first_road, road_of)

    def _name_candidates(self, name: str, text: str, hw: float, hh: float, centers: dict[str, tuple[float, float]],
                         boxes: list, pref: list, meta: list, lines: list) -> None:
        """Spots for a region's name (as ``text``) round its disc, nearest first."""
        r = DISC_PT / 2
        step = max(2 * hh, 16.0)
        area = 4 * hw * hh
        wrapped = 0.4 * area * (text != self._label_text(name))
        others = [c for o, c in centers.items() if o != name]
        for ring in range(LABEL_RINGS):
            for side, d in DIRECTIONS.items():
                box = _beside(centers[name], d, hw, hh, r + GAP_PT + ring * step)
                # a name nearer another disc than its own reads as that region's (unless a line ties it)
                own = _distance(box, centers[name])
                mistaken = any(_distance(box, c) < own + 6.0 for c in others)
                # a leader line must not run over another disc
                mid = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
                crossing = ring > 0 and any(_to_segment(c, centers[name], mid) < r + 3.0 for c in others)
                boxes.append(box)
                pref.append(wrapped + area * (0.3 * (len(side) == 2) + 0.6 * ring + 4.0 * crossing
                                              + mistaken * (3.0 if ring == 0 else 1.0)))
                meta.append((ring, text))
                lines.append(_leader_points(centers[name], box) if ring else np.full((LEADER_SAMPLES, 2), np.nan))

    def _place_rest(self, labels: dict[str, _Label], centers: dict[str, tuple[float, float]],
                    obstacles: list[tuple[Box, float]], first_road: int, road_of: list[int]) -> None:
        """Add the roads' distances to ``labels``, place them all, and keep where each went."""
        geo = self.geo
        for i, (a, b, km) in enumerate(geo.routes):
            (xa, ya), (xb, yb) = centers[a], centers[b]
            hw, hh = self._text_half_size(f"{km:,.0f} km", style.points("small"))
            length = max(math.hypot(xb - xa, yb - ya), 1e-6)
            nx, ny = -(yb - ya) / length, (xb - xa) / length
            clear = abs(nx) * hw + abs(ny) * hh + 3.0
            boxes, pref, meta, lines = [], [], [], []
            area = 4 * hw * hh
            for f in KM_AT:  # on its road or just beside it
                for side in (0, 1, -1):
                    cx = xa + f * (xb - xa) + side * nx * clear
                    cy = ya + f * (yb - ya) + side * ny * clear
                    boxes.append((cx - hw, cy - hh, cx + hw, cy + hh))
                    pref.append(area * (0.8 * abs(f - 0.5) + 0.1 * abs(side)))
                    meta.append(((cx - xa, cy - ya), None))
                    lines.append(np.full((LEADER_SAMPLES, 2), np.nan))
            mid = ((xa + xb) / 2, (ya + yb) / 2)
            for ring in range(1, LABEL_RINGS):  # where the map is crowded: farther, tied to the road's middle
                for d in DIRECTIONS.values():
                    box = _beside(mid, d, hw, hh, 6.0 + ring * max(2 * hh, 16.0))
                    boxes.append(box)
                    pref.append(area * (1.0 + 0.6 * ring))
                    meta.append((((box[0] + box[2]) / 2 - xa, (box[1] + box[3]) / 2 - ya), (mid[0] - xa, mid[1] - ya)))
                    lines.append(_leader_points(mid, box))
            own = frozenset(first_road + j for j, route in enumerate(road_of) if route == i)
            other_roads = {first_road + j: 10.0 for j, route in enumerate(road_of) if route != i}
            labels[f"km:{i}"] = _Label(np.array(boxes), np.array(pref), own=own, reweigh=other_roads, meta=meta,
                                       leader=np.array(lines))
        place_labels(labels, obstacles, self._label_frame())
        self.label_at: dict[str, tuple[tuple[float, float], str, bool]] = {}
        for name in geo.pos:
            lab = labels[f"name:{name}"]
            box = lab.box
            x, y = centers[name]
            self.label_text[name] = lab.meta[lab.chosen][1]
            # lines of a name beside its disc line up on the disc's side
            ha = "left" if box[0] >= x else "right" if box[2] <= x else "center"
            anchor = {"left": box[0] + 2.0, "right": box[2] - 2.0, "center": (box[0] + box[2]) / 2}[ha]
            self.label_at[name] = ((anchor - x, (box[1] + box[3]) / 2 - y), ha, lab.meta[lab.chosen][0] > 0)
        self.km_at = [labels[f"km:{i}"].meta[labels[f"km:{i}"].chosen] for i in range(len(geo.routes))]

    def _label_frame(self) -> Box:
        """Where labels may go (points): the map's axes and the free margin round them, short
        of the legend's column, the title and the colour bar."""
        if not self.talk:  # on paper the margin holds the axes' degrees
            x0, y0 = self._pt(self.ax.get_xlim()[0], self.ax.get_ylim()[0])
            x1, y1 = self._pt(self.ax.get_xlim()[1], self.ax.get_ylim()[1])
            return (x0, y0, x1, y1)
        left, bottom, right, top = 0.005, 0.125, 0.645, 0.865
        w, h = self.fig.get_figwidth() * 72.0, self.fig.get_figheight() * 72.0
        return (left * w, bottom * h, right * w, top * h)

    def _text_half_size(self, text: str, size: float, **kw: Any) -> tuple[float, float]:
        """Half the width and height (points) of ``text`` as drawn, with a little room."""
        renderer = _renderer(self.fig)
        t = Text(0, 0, text, fontsize=size, linespacing=1.0, **kw)
        t.set_figure(self.fig)
        bb = t.get_window_extent(renderer)
        k = 72.0 / self.fig.dpi
        return bb.width * k / 2 + 2.0, bb.height * k / 2 + 1.5

    def _label_text(self, name: str) -> str:
        text = f"\u2605 {name} (capital)" if name == self.geo.capital else name
        if name in self.geo.aggregates:
            # a slide has no room for more (the whole map is schematic: see the paper style's axis)
            text += "\n(aggregate)" if self.talk else "\n(aggregate, placed\nschematically)"
        elif not self.geo.population[name]:
            text += "\n(no civilians)"
        return text

    def _label_variants(self, name: str) -> list[str]:
        """A region's label as it is and, for a long name, on two lines (for a crowded corner)."""
        text = self._label_text(name)
        first, _, rest = text.partition("\n")
        words = first.split(" ")
        if len(words) < 2 or name == self.geo.capital:
            return [text]
        cut = min(range(1, len(words)), key=lambda k: abs(len(" ".join(words[:k])) - len(" ".join(words[k:]))))
        two = " ".join(words[:cut]) + "\n" + " ".join(words[cut:])
        return [text, two + ("\n" + rest if rest else "")]

    def _label_size(self, name: str, text: str | None = None) -> tuple[float, float]:
        capital = name == self.geo.capital
        text = self._label_text(name) if text is None else text
        return self._text_half_size(text, style.points("medium" if capital else "small"),
                                    fontweight="bold" if capital else "normal",
                                    fontstyle="italic" if name in self.geo.aggregates else "normal")

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
        kx, ky = self._degrees_per_point()
        for (a, b, km), ((dx, dy), tie) in zip(geo.routes, self.km_at, strict=True):
            (x0, y0), (x1, y1) = geo.pos[a], geo.pos[b]
            ax.plot([x0, x1], [y0, y1], color="#c4c4c4", linewidth=3, zorder=1, solid_capstyle="round")
            # a distance set away from a crowded road is tied to the road's middle by a thin line
            xy, offset = ((x0 + tie[0] * kx, y0 + tie[1] * ky), (dx - tie[0], dy - tie[1])) if tie else ((x0, y0), (dx, dy))
            ax.annotate(f"{km:,.0f} km", xy, xytext=offset, textcoords="offset points", fontsize="small",
                        color="#555555", ha="center", va="center", zorder=2, path_effects=HALO,
                        arrowprops={"arrowstyle": "-", "color": "#999999", "linewidth": 1.0, "linestyle": ":",
                                    "shrinkA": 1.0, "shrinkB": 0.0} if tie else None)
        self.discs = {}
        for name, (x, y) in geo.pos.items():
            capital = name == geo.capital
            self.discs[name] = ax.scatter([x], [y], s=DISC_PT ** 2, c=["white"], zorder=3,
                                          edgecolors="black" if capital else "#555555",
                                          linewidths=3.0 if capital else 1.2,
                                          hatch=None if geo.population[name] else "////")
            (dx, dy), ha, leader = self.label_at[name]
            # a name set away from its crowded disc is tied to it by a thin line
            arrow = {"arrowstyle": "-", "color": "#666666", "linewidth": 1.2, "shrinkA": 1.0,
                     "shrinkB": DISC_PT / 2 + 1.0} if leader else None
            ax.annotate(self.label_text[name], (x, y), xytext=(dx, dy), textcoords="offset points",
                        ha=ha, va="center", fontsize="medium" if capital else "small",
                        fontweight="bold" if capital else "normal", arrowprops=arrow, path_effects=HALO,
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
        if talk:  # the slide's legend column holds about 32 characters at its size
            import textwrap

            labels = tuple(label if label in heads else "\n".join(textwrap.wrap(label, 32)) or label
                           for label in labels)
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


def _renderer(fig: Figure) -> Any:
    """Something that measures text for ``fig`` (its own canvas's renderer when it has one)."""
    get = getattr(fig.canvas, "get_renderer", None)
    if get is not None:
        return get()
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(int(fig.bbox.width), int(fig.bbox.height), fig.dpi)


def map_figure(scenario: Mapping[str, Any], series: pd.DataFrame, track: pd.DataFrame, units: pd.DataFrame,
               title: str, hour: float | None = None, ending: str = "") -> Figure:
    """The map at ``hour`` (default: :func:`key_hour`, where the story is); ``ending`` (the
    outcome in words) is shown if that is the last hour."""
    hour = key_hour(series, track) if hour is None else hour
    canvas = MapCanvas(scenario, series, track, units, title, ending=ending, focus=hour)
    return canvas.show(hour)


def plot_map(scenario: Mapping[str, Any], series: pd.DataFrame, track: pd.DataFrame, units: pd.DataFrame,
             title: str, out_stem: Path | str, hour: float | None = None, ending: str = "") -> list[str]:
    """Save the map as PNG and SVG; return the paths."""
    return style.save(map_figure(scenario, series, track, units, title, hour, ending), out_stem)
