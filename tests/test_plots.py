"""The figures of one run (map, animated map, public by region, cascade) and ``regime-sim plot``:
each figure is drawn, has a title, labelled axes and a legend where it shows several series."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from PIL import Image
from typer.testing import CliRunner

import sim
from sim.model.state import clock
from sim.output import write_run
from sim.plots import style
from sim.plots.animate import SLIDE_DPI, SLIDE_INCHES, frame_hours, write_gif
from sim.plots.cascade import cascade_figure
from sim.plots.map import key_hour, map_figure, plot_map
from sim.plots.public import public_figure
from sim.plots.timeline import annotate_events, timeline_figure
from sim.report import RunFolder, figures, load_run

from .conftest import TINY

#: tiny.yaml seeds: 5 marches on the capital and takes it (a column, stance changes, protest,
#: crowd deaths); 2 stays quiet (no unit moves)
EVENTFUL, QUIET = 5, 2


def write_run_folder(folder: Path, seed: int, scenario: str | Path = TINY) -> Path:
    """Run ``scenario`` (tests/data/tiny.yaml) with ``seed`` and write its results folder (tables only)."""
    from sim.scenario.loader import load_scenario_with_raw

    scn, raw, _ = load_scenario_with_raw(scenario)
    result = sim.run(scn, seed=seed)
    folder.mkdir(parents=True, exist_ok=True)
    write_run(result, folder, str(scenario), raw, [], dt.datetime.now().isoformat(timespec="seconds"),
              figures=False)
    return folder


@pytest.fixture(scope="module")
def eventful(tmp_path_factory: pytest.TempPathFactory) -> RunFolder:
    return load_run(write_run_folder(tmp_path_factory.mktemp("eventful"), EVENTFUL))


@pytest.fixture(scope="module")
def quiet(tmp_path_factory: pytest.TempPathFactory) -> RunFolder:
    return load_run(write_run_folder(tmp_path_factory.mktemp("quiet"), QUIET))


def _title(fig: Figure) -> str:
    return fig._suptitle.get_text() if fig._suptitle is not None else ""


def _legend_labels(fig: Figure) -> list[str]:
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    return [t.get_text() for leg in legends for t in leg.get_texts()]


def test_the_eventful_run_has_what_the_figures_show(eventful: RunFolder) -> None:
    assert eventful.series["column_lon"].notna().any()
    assert len(eventful.stances) >= 3 and (eventful.stances["followed"] != "").any()
    assert eventful.series.filter(like="protest__").to_numpy().max() > 0


def test_map_has_title_axes_colour_bar_with_units_and_legend(eventful: RunFolder) -> None:
    hour = key_hour(eventful.series, eventful.track)
    # the map shows the column at its closest approach to the capital
    assert hour == eventful.series.loc[eventful.series["column_km_to_capital"].idxmin(), "hour"]
    fig = map_figure(eventful.raw, eventful.series, eventful.track, eventful.units, "tiny", hour)
    ax = fig.axes[0]
    # the clock as the log prints it; the hour number in the status box
    assert "tiny" in _title(fig) and _title(fig).endswith(clock(hour))
    assert any(f"hour {hour:g} of" in t.get_text() for t in fig.texts)
    assert "longitude" in ax.get_xlabel() and "latitude" in ax.get_ylabel()
    colorbar = next(a for a in fig.axes if "% of the region's population" in a.get_xlabel())
    assert colorbar is not None
    labels = _legend_labels(fig)
    institutions = sorted(set(eventful.units["institution"]))
    assert institutions == ["army", "guard", "pmc", "police"]  # tiny.yaml: no labels, so the ids name them
    for want in ("loyal", "standing aside", "defected", "institution (shape)", *institutions,
                 "marching column and its path", "region without civilians"):
        assert want in labels, want
    # the capital is named on the map itself, not in the legend
    assert any("(capital)" in t.get_text() for t in ax.texts)
    # every unit is drawn once: one marker per unit across the institutions' scatters
    units = [c for c in ax.collections if c.get_zorder() == 8]
    assert sum(len(c.get_offsets()) for c in units) == eventful.track["unit"].nunique()
    # one shape per institution, and the legend shows the same shape as the map
    assert len(units) == len(institutions)
    shapes = {style.institution_styles(institutions)[i].marker for i in institutions}
    assert len(shapes) == len(institutions)
    paths = plot_map(eventful.raw, eventful.series, eventful.track, eventful.units, "tiny", eventful.path / "map",
                     hour)
    assert [Path(p).suffix for p in paths] == [".png", ".svg"] and all(Path(p).exists() for p in paths)


def test_map_units_in_one_region_do_not_sit_on_each_other(eventful: RunFolder) -> None:
    hour = float(eventful.track["hour"].min())
    fig = map_figure(eventful.raw, eventful.series, eventful.track, eventful.units, "tiny", hour)
    fig.canvas.draw()
    ax = fig.axes[0]
    points = np.vstack([ax.transData.transform(c.get_offsets()) for c in ax.collections if c.get_zorder() == 8])
    gaps = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1)[np.triu_indices(len(points), 1)]
    assert gaps.min() > 4.0  # pixels: no marker hides another


def test_animated_map_is_a_gif_of_several_frames(eventful: RunFolder, tmp_path: Path) -> None:
    assert (SLIDE_INCHES[0] * SLIDE_DPI, SLIDE_INCHES[1] * SLIDE_DPI) == (1920, 1080)
    hours = frame_hours(eventful.track["hour"].unique(), every=4)
    assert hours[-1] == eventful.track["hour"].max() and np.all(np.diff(hours) > 0)
    seen = []
    path = write_gif(eventful.raw, eventful.series, eventful.track, eventful.units, "tiny", tmp_path / "m.gif",
                     every=8, dpi=20, on_frame=lambda i, n: seen.append((i, n)))
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames >= 3
        assert gif.size == (int(SLIDE_INCHES[0] * 20), int(SLIDE_INCHES[1] * 20))
    assert seen and seen[-1][0] == seen[-1][1] - 1


def test_public_by_region_has_units_and_one_legend_outside_the_panels(eventful: RunFolder) -> None:
    fig = public_figure(eventful.raw, eventful.series, eventful.events, eventful.title)
    assert "the public, region by region" in _title(fig)
    ylabels = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
    # the four measures, and - since crowds rallied and were fired on in this run - the two extra ones
    assert eventful.series.filter(like="rally__").to_numpy().max() > 0
    assert eventful.series.filter(like="deaths__").to_numpy().max() > 0
    assert len(ylabels) == 6
    assert sum("% of the region's" in y for y in ylabels) == 2 and sum("thousands of people" in y for y in ylabels) == 3
    assert "killed" in ylabels[-1]
    assert "time" in fig.axes[-1].get_xlabel()
    labels = _legend_labels(fig)
    assert "Capital" in labels and "Province" in labels
    assert "Border" not in labels  # no civilians, no line


def test_public_by_region_leaves_out_what_did_not_happen(quiet: RunFolder) -> None:
    fig = public_figure(quiet.raw, quiet.series, quiet.events, quiet.title)
    assert quiet.series.filter(like="deaths__").to_numpy().max() == 0
    assert not any("killed" in ax.get_ylabel() for ax in fig.axes)
    assert len([ax for ax in fig.axes if ax.get_ylabel()]) >= 4


def test_cascade_has_a_row_per_unit_arrows_and_a_legend(eventful: RunFolder) -> None:
    fig = cascade_figure(eventful.stances, eventful.series, eventful.events, eventful.title)
    ax = fig.axes[0]
    assert "the cascade" in _title(fig)
    assert "time" in ax.get_xlabel() and "unit" in ax.get_ylabel()
    assert len(ax.get_yticks()) == eventful.stances["unit"].nunique()
    arrows = [p for p in ax.patches if type(p).__name__ == "FancyArrowPatch"]
    assert len(arrows) == (eventful.stances["followed"] != "").sum()
    assert any(label.startswith("moves to:") for label in _legend_labels(fig))
    assert any(label.startswith("followed the move of") for label in _legend_labels(fig))


def test_institutions_look_the_same_in_every_figure_of_a_run(eventful: RunFolder) -> None:
    labels = style.institution_labels(eventful.units)
    looks = style.institution_styles(labels, labels)
    # by sorted id, whatever the order they come in, and each its own colour
    assert looks == style.institution_styles(reversed(list(labels)), labels)
    assert [look.color for look in looks.values()] == list(style.INSTITUTION_COLORS[: len(looks)])
    # a label falls back to the id; a given label is used
    named = style.institution_styles(["b", "a"], {"a": "Army", "b": ""})
    assert (named["a"].label, named["b"].label) == ("Army", "b")
    # past the palette, colours repeat with another line style and marker: never twice the same look
    many = style.institution_styles([f"i{k:02d}" for k in range(12)])
    assert len({(v.color, v.linestyle) for v in many.values()}) == 12
    assert len({v.marker for v in many.values()}) == 12

    # the timeline's loyalty lines and the cascade's headings use those colours and labels
    fig = timeline_figure(eventful.series, eventful.events, eventful.title, "Capital", labels, 1.5e6)
    lines = {ln.get_label(): ln.get_color() for ln in fig.axes[1].get_lines()}
    for inst, look in looks.items():
        assert lines[look.label] == look.color, inst
    fig = cascade_figure(eventful.stances, eventful.series, eventful.events, eventful.title, labels)
    heads = {t.get_text().strip(): t.get_bbox_patch().get_edgecolor() for t in fig.axes[0].texts
             if t.get_bbox_patch() is not None}
    for inst in set(eventful.stances["institution"]):
        assert heads[looks[inst].label] == pytest.approx(to_rgba(looks[inst].color))


def test_timeline_shows_institutions_the_street_and_the_dead(eventful: RunFolder, quiet: RunFolder) -> None:
    labels = {"army": "the army", "guard": "the guard", "police": "the police", "pmc": "the company"}
    fig = timeline_figure(eventful.series, eventful.events, eventful.title, "Capital", labels, 1.5e6)
    assert len(fig.axes) >= 4 and _title(fig) == eventful.title
    # who did not back the ruler: one colour per institution that moved, solid or hatched by stance
    moved = {labels[i] for i in eventful.stances["institution"]} | {"the company"}  # the company defects at once
    stack = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert moved <= set(stack) and "solid: defected\n(backs a challenger)" in stack
    assert ("hatched: standing aside" in stack) == (eventful.series.filter(like="aside__").to_numpy().max() > 0)
    legend = _legend_labels(fig)
    assert {"the army", "the guard", "the police", "the company"} <= set(t.get_text() for t in
                                                                        fig.axes[1].get_legend().get_texts())
    assert "regime strength (elites' view)" in legend and "protesting, Capital" in legend
    assert "answering a call to rally, national" in legend
    assert eventful.series["crowd_deaths"].max() > 0
    assert "of them, killed in crowds fired on" in legend
    assert "time" in fig.axes[-1].get_xlabel()
    # a quiet run says so (at the foot) instead of drawing empty stacks
    fig = timeline_figure(quiet.series, quiet.events, quiet.title, "Capital")
    assert any("every armed unit stayed loyal" in t.get_text() for t in fig.texts)


def test_event_labels_are_capped_and_do_not_pile_up() -> None:
    import matplotlib.pyplot as plt
    import pandas as pd

    events = pd.DataFrame({"hour": [float(h) for h in range(0, 48, 4)], "label": [f"event {h}" for h in range(12)]})
    fig, ax = plt.subplots()
    ax.set_xlim(0, 48)
    annotate_events(ax, events, 1.0, max_labels=10)  # pandas 3 has no DataFrame._append
    texts = [t.get_text().strip() for t in ax.texts]
    assert len(texts) == 10 and texts[-1] == "event 11"  # the first ones and the last
    assert len(ax.get_lines()) == 12  # every event keeps its line
    # events at the same hour share one label
    fig, ax = plt.subplots()
    ax.set_xlim(0, 48)
    annotate_events(ax, pd.DataFrame({"hour": [10.0, 10.0, 10.0], "label": ["a", "b", "c"]}), 1.0)
    assert [t.get_text().strip() for t in ax.texts] == ["a / b (+1)"]
    plt.close("all")


def test_cascade_says_whom_defectors_backed_when_there_are_several_challengers(eventful: RunFolder) -> None:
    stances = eventful.stances.copy()
    defected = stances.index[stances["to"] == "defected"]
    assert len(defected) >= 2 and stances.loc[defected, "to_side"].nunique() == 1  # one challenger: no names
    ticks = [t.get_text() for t in cascade_figure(stances, eventful.series, eventful.events, "t").axes[0].get_yticklabels()]
    assert not any("\u2192" in t for t in ticks)
    stances.loc[defected[0], "to_side"] = "plotters"
    ticks = [t.get_text() for t in cascade_figure(stances, eventful.series, eventful.events, "t").axes[0].get_yticklabels()]
    assert any(t.endswith("\u2192 plotters") for t in ticks)


def test_cascade_says_so_when_no_unit_moved(quiet: RunFolder) -> None:
    assert quiet.stances.empty
    fig = cascade_figure(quiet.stances, quiet.series, quiet.events, quiet.title)
    ax = fig.axes[0]
    assert _title(fig) and ax.get_xlabel() and ax.get_ylabel()
    assert any("no unit changed stance" in t.get_text() for t in ax.texts)


def test_plot_command_draws_every_figure_into_the_folder(quiet: RunFolder) -> None:
    from sim.cli import app

    folder = quiet.path
    assert not (folder / "timeline.png").exists()
    res = CliRunner().invoke(app, ["plot", str(folder), "--no-gif", "--at", "10"])
    assert res.exit_code == 0, res.output
    for name in ("map", "public", "cascade", "timeline"):
        assert (folder / f"{name}.png").exists() and (folder / f"{name}.svg").exists(), name
    assert not (folder / "map.gif").exists()
    with Image.open(folder / "map.png") as png:
        assert png.info["dpi"][0] >= 149


def test_plot_command_rejects_what_it_cannot_draw(tmp_path: Path) -> None:
    from sim.cli import app

    runner = CliRunner()
    missing = runner.invoke(app, ["plot", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "no such folder" in missing.output
    (tmp_path / "junk").mkdir()
    junk = runner.invoke(app, ["plot", str(tmp_path / "junk")])
    assert junk.exit_code == 2 and "not a results folder" in junk.output
    sweep = tmp_path / "sweep"  # an unfinished sweep: one clear line, no traceback
    sweep.mkdir()
    (sweep / "summary.csv").write_text("outcome,count\n")
    res = runner.invoke(app, ["plot", str(sweep)])
    assert res.exit_code == 2 and "not finished" in res.output and len(res.output.strip().splitlines()) == 1


def test_a_run_in_memory_gives_the_same_figures_as_its_folder(eventful: RunFolder) -> None:
    from sim.scenario.loader import load_scenario_with_raw

    scn, raw, _ = load_scenario_with_raw(TINY)
    mem = RunFolder.from_result(sim.run(scn, seed=EVENTFUL), raw)
    assert mem.title == eventful.title and mem.ending == eventful.ending
    assert list(figures(mem)) == list(figures(eventful)) == ["timeline", "map", "cascade", "public"]
    assert len(figures(mem)["cascade"]().axes[0].get_yticks()) == len(figures(eventful)["cascade"]().axes[0].get_yticks())
