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
import os
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import solara
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from mesa.visualization import Slider
from mesa.visualization.solara_viz import ModelController, ModelCreator
from mesa.visualization.utils import update_counter

from ..model.model import RegimeModel
from ..model.state import clock
from ..plots import style
from ..plots.map import MapCanvas
from ..plots.timeline import annotate_events, time_scale
from ..runner import event_log, track_frame
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

# The map tab: the map in a column of 3 of 4 parts (over half the page's width and height),
# the status and the log beside it; the other tab: the panels two by two. Images scale
# down to their cell, text is sized for a projector. Sliders always show their value
# (Vuetify shows it only while dragging), in a bubble wide enough for five digits: the label
# goes on its own line, the value in the room between it and the track.
CSS = """
.rs-tab-map { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 1fr);
              grid-template-rows: auto 1fr; gap: 8px; }
.rs-tab-map .rs-cell-map { grid-row: 1 / span 2; }
.rs-tab-map .rs-cell-map img { width: 100%; height: auto; max-height: calc(100vh - 120px); object-fit: contain;
                          display: block; }
.rs-tab-grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 8px; }
.rs-tab-grid img { width: 100%; height: auto; max-height: 460px; object-fit: contain; display: block; }
.v-tab { font-size: 18px !important; text-transform: none !important; }
.v-slider__thumb-label-container { display: block !important; }
.v-slider__thumb-label { width: 44px !important; height: 44px !important; }
.v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-input__slider .v-label { width: 100%; font-size: 17px; }
.v-input__slider .v-slider { margin-top: 54px; }
.rs-panel { font-size: 17px; line-height: 1.35; max-height: 460px; overflow-y: auto; padding: 4px 10px; }
.rs-panel h3 { font-size: 21px; margin: 0 0 6px 0; }
.rs-clock { font-size: 34px; font-weight: bold; }
.rs-sideclock { font-size: 19px; margin-bottom: 6px; }
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
    if built:
        lines.append(f"<div style='margin-top:6px'>Built with (seed {model.seed}):</div><ul>{built}</ul>")
    else:  # a scenario without controls: nothing to list
        lines.append(f"<div style='margin-top:6px'>Seed {model.seed}</div>")
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
    """The log on the clock of the recorded state, as ``events.csv`` (:func:`sim.runner.event_log`)."""
    return event_log(model)


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


MAP_INCHES = (16.0, 9.0)  # the static map's slide: the map tab gives it most of the page


def map_canvas(model: DashboardModel) -> MapCanvas:
    """The static map (:class:`sim.plots.map.MapCanvas`) of this model, made once and fed the
    rows recorded so far: labels placed clear of discs, units and roads, the same shapes,
    colours and legend as the run's map.png, and one protest colour scale for the whole run."""
    series = pd.DataFrame(model.rows)
    track = track_frame(model.track)
    canvas = getattr(model, "_map_canvas", None)
    peak = 100.0 * max((float(series[c].max()) for c in series.columns if c.startswith("protest__")), default=0.0)
    if canvas is None or peak > canvas.vmax:  # a scale that grows is drawn anew, never silently clipped
        units = pd.DataFrame([{"unit": u.key, "institution": u.institution,
                               "institution_label": model.spec.institutions[u.institution].label or u.institution
                               if u.institution in model.spec.institutions else u.institution}
                              for u in model.units])
        raw = model.spec.model_dump(mode="json")
        canvas = MapCanvas(raw, series, track, units, model.spec.title or model.spec.name,
                           figsize=MAP_INCHES, dpi=100)
        canvas.horizon = model.horizon
        model._map_canvas = canvas
    canvas.series = series.set_index("hour", drop=False)
    canvas.track = track
    canvas.hours = np.sort(track["hour"].unique()) if not track.empty else series["hour"].to_numpy()
    if model.outcome is not None:
        canvas.ending = f"{model.outcome.label} - {model.outcome_reason}"
    return canvas


def map_panel(model: DashboardModel) -> solara.Element:
    """The map at the model's hour, as ``regime-sim plot`` draws it (:func:`map_canvas`)."""
    fig = map_canvas(model).show(model.hour)
    # the canvas keeps one figure for the run: the image depends on the hour, not on the figure
    return solara.FigureMatplotlib(fig, dependencies=[id(model), model.hour, model.outcome], format="png", dpi=90)


def log_panel(model: RegimeModel) -> solara.Element:
    """The latest entries of the event log, newest first, with the model's clock."""
    entries = list(_events(model).sort_values("hour", kind="stable").itertuples(index=False))[-LOG_ENTRIES:][::-1]
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
#: the page's tabs: a title each, and its panels. The first gives the map most of the page
#: (a column of 3 of 4 parts) with the status and the log beside it.
TABS = (
    ("The map: who stands where, and the streets", "rs-tab-map", (map_panel, status_panel, log_panel)),
    ("Who backs the ruler, and the public", "rs-tab-grid", (stances_panel, loyalty_panel, public_panel)),
)


def speed_labels(scn: Scenario) -> tuple[str, str]:
    """The run controls in the scenario's words: how far one click of Step goes, and how long
    Play waits between steps."""
    h = scn.time.step_hours
    per_click = "Hours per click of Step" if h == 1 else f"Steps per click of Step (a step is {h:g} h)"
    return per_click, "Pause between steps while playing (ms)"


def clock_line(model: RegimeModel) -> solara.Element:
    """The model's clock for the sidebar (every tab shows it): 'day 1 05:00 - hour 5 of 96'."""
    return solara.HTML(tag="div", unsafe_innerHTML=f"<b>{clock(model.hour)}</b> &middot; hour {model.hour:g} of "
                                                   f"{model.horizon:g}", classes=["rs-sideclock"])


def _live(panel: Any) -> Any:
    """A panel that is drawn again whenever the model steps or is reset."""

    @solara.component
    def Live(model: Any) -> solara.Element:
        update_counter.get()
        return panel(model)

    return Live


LIVE = {p: _live(p) for p in [*PANELS, clock_line]}


@solara.component
def Page() -> None:
    """One dashboard per browser session: each gets its own model.

    Mesa's pieces do the work (``ModelController``: Reset, Play, Step; ``ModelCreator``: the
    controls); the page around them is ours, so that its words are the scenario's and the map
    has the room a classroom needs.
    """
    source = scenario_source()
    scn = solara.use_memo(lambda: load_scenario(source, overlay()), [source])
    first = solara.use_memo(DashboardModel, [source])
    model = solara.use_reactive(first)
    params = solara.use_memo(lambda: model_params(scn), [scn])
    chosen = solara.use_reactive({})
    pause_ms = solara.use_reactive(200)
    per_click = solara.use_reactive(1)
    threads = solara.use_reactive(False)
    tab = solara.use_reactive(0)
    use_projector_style()
    solara.Style(CSS)
    per_click_label, pause_label = speed_labels(scn)
    with solara.AppBar():
        solara.AppBarTitle(f"regime-sim: {scn.title or scn.name}")
    with solara.Sidebar(), solara.Column():
        with solara.Card("Run the crisis"):
            LIVE[clock_line](model.value)
            ModelController(model, model_parameters=chosen, play_interval=pause_ms, render_interval=per_click,
                            use_threads=threads)
            solara.SliderInt(label=per_click_label, value=per_click, min=1, max=max(100, scn.steps // 10), step=1)
            solara.SliderInt(label=pause_label, value=pause_ms, min=50, max=1000, step=50)
        with solara.Card("Settings (Reset applies them)"):
            ModelCreator(model, params, model_parameters=chosen)
    with solara.lab.Tabs(value=tab, on_value=tab.set):
        for i, (title, classes, panels) in enumerate(TABS):
            with solara.lab.Tab(title), solara.Div(classes=[classes]):
                if i != tab.value:  # a hidden tab is not drawn at every step
                    continue
                for panel in panels:
                    with solara.Div(classes=["rs-cell", f"rs-cell-{panel.__name__.removesuffix('_panel')}"]):
                        LIVE[panel](model.value)
