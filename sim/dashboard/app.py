"""The live classroom dashboard: Mesa's SolaraViz around the regime model.

``solara run sim.dashboard.app`` serves :func:`Page` (``regime-sim dashboard`` does it for
you). The scenario file comes from the ``REGIME_SIM_DASHBOARD_SCENARIO`` environment variable
(default: the bundled ``wagner_mutiny_2023``). Its ``controls:`` become the sliders and switches
of the sidebar; Reset rebuilds the model from the file with their values, through the same
loader and schema as ``regime-sim run --set``, so a classroom run is an ordinary run.

The panels redraw after every step and use the colours of the static figures
(:mod:`sim.plots.style`): one colour and shape per institution (from the run's sorted
institution ids, as in the static figures), one colour per stance.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import os
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import solara
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from mesa.visualization import Slider, SolaraViz

from ..model.model import RegimeModel
from ..model.state import clock
from ..plots import style
from ..plots.timeline import annotate_events, time_scale
from ..scenario.errors import ScenarioError
from ..scenario.loader import load_scenario, value_at
from ..scenario.schema import Control, Scenario
from . import DEFAULT_SCENARIO, PARAMS_ENV, SCENARIO_ENV

LOG_ENTRIES = 12
PANEL_INCHES = (8.0, 3.9)  # a half-width panel of the grid at about 100 px per inch
SEED_KEY = "seed"

# the static figures' sizes, one step up: the panels are read from the back of a classroom
PROJECTOR_RC = {"font.size": 14, "axes.titlesize": 16, "axes.labelsize": 14,
                "xtick.labelsize": 13, "ytick.labelsize": 13, "legend.fontsize": 12}

# The grid gives every panel the same cell; images scale down to fit it instead of spilling
# into the next panel, and text is sized for a projector. Sliders always show their value
# (Vuetify shows it only while dragging), in a bubble wide enough for five digits: the label
# goes on its own line, the value in the room between it and the track.
CSS = """
.vue-grid-item img { max-width: 100%; max-height: 380px; width: auto; height: auto; display: block;
                     margin: 0 auto; }
.v-slider__thumb-label-container { display: block !important; }
.v-slider__thumb-label { width: 44px !important; height: 44px !important; }
.v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-input__slider .v-label { width: 100%; font-size: 17px; }
.v-input__slider .v-slider { margin-top: 54px; }
.rs-panel { font-size: 17px; line-height: 1.35; height: 380px; overflow-y: auto; padding: 4px 10px; }
.rs-panel h3 { font-size: 21px; margin: 0 0 6px 0; }
.rs-clock { font-size: 34px; font-weight: bold; }
.rs-problem { color: #B00020; font-weight: bold; }
.rs-log li { margin-bottom: 4px; }
.rs-log .rs-when { font-weight: bold; font-variant-numeric: tabular-nums; }
"""


def scenario_source() -> str:
    """The scenario the dashboard shows: a file path or the name of a bundled scenario."""
    return os.environ.get(SCENARIO_ENV, DEFAULT_SCENARIO)


def overlay() -> dict[str, Any]:
    """The calibrated overlay's values (``regime-sim dashboard --params FILE``), or none."""
    from ..scenario.overlay import overlay_values

    return overlay_values(os.environ.get(PARAMS_ENV) or None)


def control_input(scn: Scenario, control: Control) -> Slider | dict[str, Any]:
    """A switch for a true/false parameter, else a slider with the control's range."""
    value = value_at(scn, control.path)
    if isinstance(value, bool):
        return {"type": "Checkbox", "value": value, "label": control.label}
    step = control.step if control.step is not None else (control.max - control.min) / 100
    if isinstance(value, int):
        return Slider(control.label, value, int(control.min), int(control.max), max(1, int(step)),
                      dtype=int)
    return Slider(control.label, float(value), float(control.min), float(control.max), float(step),
                  dtype=float)


def model_params(scn: Scenario) -> dict[str, Any]:
    """SolaraViz's ``model_params``: one input per control, keyed by its path, and the seed."""
    params: dict[str, Any] = {c.path: control_input(scn, c) for c in scn.controls}
    params[SEED_KEY] = {"type": "InputText", "value": str(scn.seed), "label": "Random seed"}
    return params


def _parse_seed(text: int | str | None, default: int) -> int:
    if text is None or str(text).strip() == "":
        return default
    try:
        seed = int(str(text).strip())
    except ValueError:
        raise ScenarioError(f"expected a whole number >= 0, got {text!r}", field=SEED_KEY) from None
    if seed < 0:
        raise ScenarioError(f"expected a whole number >= 0, got {seed}", field=SEED_KEY)
    return seed


class DashboardModel(RegimeModel):
    """The regime model of the dashboard's scenario file, built with its controls' values.

    Values the schema refuses do not crash the page: the model is built from the file as
    written and ``problem`` says, in one line, what was refused and why.
    """

    def __init__(self, seed: int | str | None = None, scenario: object = None, **controls: Any) -> None:
        # SolaraViz's Reset passes Mesa's own experiment object as ``scenario`` to models
        # that take keyword arguments; this model's scenario is the YAML file instead.
        del scenario
        source = scenario_source()
        problems = []
        try:
            spec = load_scenario(source, {**overlay(), **controls})
        except ScenarioError as err:
            spec = load_scenario(source, overlay())
            problems.append(f"Refused {_where(err)}{err.message}; the scenario runs as written.")
        try:
            used_seed = _parse_seed(seed, spec.seed)
        except ScenarioError as err:
            used_seed = spec.seed
            problems.append(f"Refused {_where(err)}{err.message}; the scenario's seed {spec.seed} is used.")
        super().__init__(spec, seed=used_seed)
        self.problem = " ".join(problems)


def _where(err: ScenarioError) -> str:
    return f"{err.field}: " if err.field else ""


# ----------------------------------------------------------------------------- panels
def use_projector_style() -> None:
    """The project's figure style (:func:`sim.plots.style.apply`) with projector font sizes.

    Matplotlib's defaults are global; the server process draws nothing but these panels.
    """
    style.apply()
    matplotlib.rcParams.update(PROJECTOR_RC)


def _figure(title: str) -> tuple[Figure, Axes]:
    fig = Figure(figsize=PANEL_INCHES, layout="constrained")
    ax = fig.subplots()
    ax.set_title(title)
    return fig, ax


def _image(fig: Figure) -> solara.Element:
    # at 100 dpi a panel's pixels match its cell on a 1920-wide screen: sharp, and quick to draw
    return solara.FigureMatplotlib(fig, format="png", dpi=100)


def _calendar(model: RegimeModel) -> str:
    """The calendar time of the current hour, when the scenario names its start."""
    start = model.spec.time.start
    if not start:
        return ""
    try:
        t0 = dt.datetime.fromisoformat(start)
    except ValueError:
        return ""  # a free-text label: the clock alone is shown
    return (t0 + dt.timedelta(hours=model.hour)).strftime("%d %b %Y %H:%M")


def status_panel(model: DashboardModel) -> solara.Element:
    """Where the run stands: the clock, the outcome, and the control values it was built with."""
    row = model.rows[-1]
    when = html.escape(_calendar(model))
    lines = [f"<h3>{html.escape(model.spec.title or model.spec.name)}</h3>",
             f"<div class='rs-clock'>{clock(model.hour)}</div>",
             f"<div>{when + ' &middot; ' if when else ''}hour {model.hour:g} of {model.horizon:g}</div>"]
    if model.outcome is not None:
        color = style.OUTCOME_COLORS.get(model.outcome.value, style.BLACK)
        lines.append(f"<div style='color:{color};font-weight:bold'>Outcome: "
                     f"{html.escape(model.outcome.label)} &ndash; {html.escape(model.outcome_reason)}</div>")
    elif active := active_challengers(model):
        names = "; ".join(f"{s.name} ({MODE_WORDS.get(s.mode, s.mode)})" for s in active)
        lines.append(f"<div><b>Under way:</b> {html.escape(names)}</div>")
    else:
        lines.append("<div><b>Quiet:</b> no open challenge to the ruler</div>")
    ruler = model.ruler
    where = "" if ruler.status == "in_office" else f" ({html.escape(str(ruler.status).replace('_', ' '))})"
    lines.append(f"<div>Ruler: <b>{html.escape(ruler.name)}</b>{where}; capital held by "
                 f"<b>{html.escape(model.capital_holder)}</b>; regime strength "
                 f"{row['regime_strength']:.2f}, legitimacy {row['legitimacy']:.2f}</div>")
    dead = row.get("casualties", 0.0)
    if dead > 0:
        crowd = row.get("crowd_deaths", 0.0)
        lines.append(f"<div>Casualties of the crisis: <b>{dead:,.0f}</b>"
                     + (f" (of them {crowd:,.0f} killed in crowds fired on)" if crowd >= 0.5 else "") + "</div>")
    if model.problem:
        lines.append(f"<div class='rs-problem'>{html.escape(model.problem)}</div>")
    built = "".join(f"<li>{html.escape(c.label)}: <b>{_fmt(value_at(model.spec, c.path))}</b></li>"
                    for c in model.spec.controls)
    lines.append(f"<div style='margin-top:6px'>Built with (seed {model.seed}):</div><ul>{built}</ul>")
    return solara.HTML(tag="div", unsafe_innerHTML="".join(lines), classes=["rs-panel", "rs-status"])


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.3g}"


def active_challengers(model: RegimeModel) -> list[Any]:
    """The challengers whose challenge is under way."""
    return [s for s in model.sides[1:] if s.active]


MODE_WORDS = {"march": "a march", "seize": "a seizure", "street": "a street movement", "rally": "a rally"}


def institution_looks(model: RegimeModel) -> dict[str, style.InstitutionStyle]:
    """Colour, shape and label of each institution, as in the static figures of the same run."""
    labels = {i: model.spec.institutions[i].label if i in model.spec.institutions else i
              for i in model.institutions}
    return style.institution_styles(model.institutions, labels)


def stances_panel(model: RegimeModel) -> solara.Element:
    """Armed men loyal, standing aside and defected, by institution (stance colours)."""
    row = model.rows[-1]
    looks = institution_looks(model)
    insts = list(looks)
    fig, ax = _figure("")
    # over the whole panel: the institutions' names take much of the width
    fig.suptitle("Who backs the ruler: armed men by stance", fontsize=matplotlib.rcParams["axes.titlesize"],
                 fontweight="bold")
    y = np.arange(len(insts))[::-1]
    left = np.zeros(len(insts))
    for key, stance in (("loyal", "loyal"), ("aside", "standing aside"), ("defected", "defected")):
        men = np.array([row[f"{key}__{i}"] for i in insts]) / 1000.0
        ax.barh(y, men, left=left, color=style.STANCE_COLORS[stance], edgecolor="white",
                label=style.STANCE_LABELS[key], height=0.7)
        left += men
    full = max((sum(u.initial_strength for u in model.units if u.institution == i) for i in insts),
               default=1.0) / 1000.0
    ax.set_xlim(0, full * 1.45)  # room for the note at the end of the longest bar
    for yi, i, total in zip(y, insts, left, strict=True):
        moved = [f"{key} {row[f'{key}__{i}'] / 1000:,.1f}k" for key in ("aside", "defected")
                 if row[f"{key}__{i}"] > 0]
        note = f"loyalty {row[f'loyalty__{i}']:.2f}" + ("\n" + ", ".join(moved) if moved else "")
        ax.text(total + full * 0.015, yi, note, va="center", fontsize=12, linespacing=1.1)
    ax.set_yticks(y, [looks[i].label for i in insts])
    for tick, i in zip(ax.get_yticklabels(), insts, strict=True):
        # the institution's colour as a swatch behind its name (yellow text would not read)
        tick.set_bbox({"boxstyle": "round,pad=0.15", "fc": mcolors.to_rgba(looks[i].color, 0.35),
                       "ec": "none"})
        tick.set_fontweight("bold")
    ax.set_xlabel("men (thousands)")
    ax.grid(axis="y", visible=False)
    fig.legend(loc="outside lower center", ncols=3, fontsize=12)
    return _image(fig)


def loyalty_panel(model: RegimeModel) -> solara.Element:
    """Loyalty by institution, regime strength and legitimacy over the run so far."""
    series = pd.DataFrame(model.rows)
    scale = time_scale(model.horizon)
    t = series["hour"].to_numpy() / scale
    fig, ax = _figure("Loyalty, regime strength and legitimacy")
    for i, look in institution_looks(model).items():
        ax.plot(t, series[f"loyalty__{i}"], label=look.label, **look.line())
    ax.plot(t, series["regime_strength"], color=style.RULER_COLOR, linestyle="--",
            label="regime strength")
    ax.plot(t, series["legitimacy"], color=style.GREY, linestyle="-.", linewidth=2.6,
            label="legitimacy")
    ax.set_xlim(0, model.horizon / scale)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(f"time ({'hours' if scale == 1.0 else 'days'} from the start)")
    ax.set_ylabel("level (0-1)")
    annotate_events(ax, _events(model), scale, top=False)
    # a white box: a line running under the legend (regime strength falling) stays readable
    ax.legend(loc="lower left", ncols=2, fontsize=11, frameon=True, framealpha=0.85, edgecolor="none")
    return _image(fig)


def _events(model: RegimeModel) -> pd.DataFrame:
    return pd.DataFrame([vars(e) for e in model.log.entries], columns=["hour", "kind", "actor", "region",
                                                                       "text", "label"])


def public_panel(model: RegimeModel) -> solara.Element:
    """The share of each region's people in the streets now; the scale grows with the peak."""
    regions = [n for n, r in model.spec.regions.items() if r.population > 0]
    row = model.rows[-1]
    share = np.array([100 * row[f"protest__{n}"] for n in regions])
    peak = max((100 * r[f"protest__{n}"] for r in model.rows for n in regions), default=0.0)
    fig, ax = _figure("The public: protesting, by region")
    y = np.arange(len(regions))[::-1]
    ax.barh(y, share, color=style.PUBLIC_COLOR, height=0.7)
    for yi, v in zip(y, share, strict=True):
        ax.text(v, yi, f" {v:.2f}%", va="center", fontsize=11)
    ax.set_yticks(y, regions)
    ax.tick_params(axis="y", labelsize=12)
    ax.set_xlim(0, max(0.5, 1.15 * peak))
    ax.set_xlabel("% of the population in the streets")
    ax.grid(axis="y", visible=False)
    return _image(fig)


def _spread(n: int, radius: float) -> np.ndarray:
    """Offsets for ``n`` markers around one point (a sunflower spiral), so none hides another."""
    k = np.arange(n)
    r = radius * np.sqrt((k + 0.5) / max(n, 1)) if n > 1 else np.zeros(n)
    angle = k * math.pi * (3 - math.sqrt(5))
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)])


def map_panel(model: RegimeModel) -> solara.Element:
    """Regions and roads, units coloured by stance and shaped by institution, and the column."""
    spec = model.spec
    fig, ax = _figure("The map: units by stance")
    pos = {n: r.pos for n, r in spec.regions.items()}
    for route in spec.routes:
        (x0, y0), (x1, y1) = pos[route.a], pos[route.b]
        ax.plot([x0, x1], [y0, y1], color=style.GREY, linewidth=1.5, alpha=0.6, zorder=1)
    for name, (x, y) in pos.items():
        capital = name == model.capital
        ax.plot(x, y, marker="*" if capital else "o", color=style.BLACK, markersize=13 if capital else 5,
                zorder=2)
        # a neighbour just to the right would sit under the label: put it on the left
        crowded = any(0 < ox - x < 3 and abs(oy - y) < 1 for ox, oy in pos.values())
        ax.annotate(name, (x, y), xytext=(-8 if crowded else 8, -4), textcoords="offset points",
                    ha="right" if crowded else "left", fontsize=11, color="#222222", zorder=5,
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6})
    row = model.rows[-1]
    marching = not math.isnan(row["column_lon"])
    if marching:  # the column's road so far, and a ring round the men marching in it
        ax.plot([r["column_lon"] for r in model.rows], [r["column_lat"] for r in model.rows],
                color=style.BLACK, linestyle="--", linewidth=2.2, zorder=3)
        ax.scatter([row["column_lon"]], [row["column_lat"]], s=900, facecolors="white",
                   edgecolors=style.BLACK, linewidths=2.2, zorder=4)
    # each unit where the latest recorded row saw it; units sharing a place are spread around it
    at: dict[tuple[float, float], list[tuple[str, str, float]]] = {}
    for _, key, _, stance, strength, lon, lat, _ in model.track[-len(model.units):]:
        if strength > 0:
            at.setdefault((round(lon, 2), round(lat, 2)), []).append((key, stance, strength))
    placed: dict[str, list[tuple[float, float, float, str]]] = {}
    for (x, y), group in at.items():
        offsets = _spread(len(group), 0.45 * math.sqrt(len(group)))
        for (dx, dy), (key, stance, strength) in zip(offsets, group, strict=True):
            placed.setdefault(model.unit_by_key[key].institution, []).append(
                (x + dx, y + dy, 14 * math.sqrt(strength / 1000.0) + 20, style.STANCE_COLORS[stance]))
    looks = institution_looks(model)
    for inst, marks in placed.items():
        xs, ys, sizes, colors = zip(*marks, strict=True)
        ax.scatter(xs, ys, s=sizes, c=colors, marker=looks[inst].marker, edgecolors=style.BLACK,
                   linewidths=0.8, zorder=6)
    handles = [Line2D([], [], marker="o", linestyle="", markersize=10, color=style.STANCE_COLORS[s],
                      markeredgecolor=style.BLACK, label=style.STANCE_LABELS[k])
               for k, s in (("loyal", "loyal"), ("aside", "standing aside"), ("defected", "defected"))]
    handles += [Line2D([], [], marker=look.marker, linestyle="", markersize=10, color="white",
                       markeredgecolor=style.BLACK, label=look.label)
                for look in looks.values()]
    if marching:
        handles.append(Line2D([], [], marker="o", linestyle="--", markersize=14, color=style.BLACK,
                              markerfacecolor="white",
                              label=f"column: {row['column_strength']:,.0f} men,\n"
                                    f"{row['column_km_to_capital']:,.0f} km to {model.capital}"))
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 2.5, max(xs) + 5.5)
    ax.set_ylim(min(ys) - 1.2, max(ys) + 1.2)
    # equirectangular: wider than the true shape at these latitudes, which gives the crowded
    # west of the country room on a wide panel
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    fig.legend(handles=handles, loc="outside right upper", fontsize=12,
               title="colour: stance, shape: institution", title_fontsize=12)
    return _image(fig)


def log_panel(model: RegimeModel) -> solara.Element:
    """The latest entries of the event log, newest first, with the model's clock."""
    entries = sorted(model.log.entries, key=lambda e: e.hour)[-LOG_ENTRIES:][::-1]
    if entries:
        items = "".join(
            f"<li><span class='rs-when'>{clock(e.hour)}</span> &ndash; "
            + (f"<b>{html.escape(e.text)}</b>" if e.kind == "outcome" else html.escape(e.text))
            + "</li>"
            for e in entries)
        body = f"<ul class='rs-log'>{items}</ul>"
    else:
        body = "<p>Nothing has happened yet. Press Step or &#9654;.</p>"
    return solara.HTML(tag="div", unsafe_innerHTML=f"<h3>Event log (newest first)</h3>{body}",
                       classes=["rs-panel", "rs-events"])


PANELS = [status_panel, stances_panel, loyalty_panel, public_panel, map_panel, log_panel]


@solara.component
def Page() -> None:
    """One dashboard per browser session: each gets its own model."""
    source = scenario_source()
    scn = solara.use_memo(lambda: load_scenario(source, overlay()), [source])
    model = solara.use_memo(DashboardModel, [source])
    params = solara.use_memo(lambda: model_params(scn), [scn])
    use_projector_style()
    solara.Style(CSS)
    SolaraViz(model, components=[(p, 0) for p in PANELS], model_params=params,
              name=f"regime-sim: {scn.title or scn.name}", play_interval=200)
