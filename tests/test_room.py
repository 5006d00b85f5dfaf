"""Issue 13, "for a room": one clock across the log, the series, the track and the map; `--at`
as the log prints times; figures without empty panels, with counts as whole numbers, one
protest scale per run, and a talk style readable at the back of a hall."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from .conftest import cli, one_line
from .seeds import first_seed, logged, marches, result


def _the_story(r) -> bool:
    """What the room's checks are made on: the column marches and reaches a town on its way, units
    change stance, men die, and an event ends the crisis between hours 22 and 51 (the map is asked
    for hour 22, and for day 3 03:00 as a time past the end)."""
    end = r.series["hour"].max()
    return (marches(r) and logged(r, "column reaches") and len(r.stances) > 0 and r.measures["casualties"] > 0
            and r.measures["resolved_before_horizon"] and 22 < end < 51)


@pytest.fixture(scope="module")
def seed() -> int:
    """The first seed whose mutiny tells :func:`_the_story`."""
    return first_seed("wagner_mutiny_2023", _the_story, _the_story.__doc__)


@pytest.fixture(scope="module")
def mutiny(seed: int):
    """The bundled mutiny at that seed, in memory."""
    return result("wagner_mutiny_2023", seed)


@pytest.fixture(scope="module")
def mutiny_dir(tmp_path_factory: pytest.TempPathFactory, seed: int) -> Path:
    """The mutiny's results folder at that seed, tables only (the figures are drawn by the tests)."""
    out = tmp_path_factory.mktemp("room") / "mutiny"
    res = cli("run", "wagner_mutiny_2023", "--seed", str(seed), "--out", str(out), "--no-figures", "-q")
    assert res.returncode == 0, res.stderr
    return out


# ----------------------------------------------------------------------------- one clock
def test_the_log_and_the_series_agree_on_where_the_column_is(mutiny) -> None:
    """'reaches Voronezh (..., 485 km to Moscow)' is logged at the hour whose recorded row has
    the column 485 km out (it was logged an hour before, with the column still 530 km out)."""
    s = mutiny.series.set_index("hour")
    reached = mutiny.events[mutiny.events["text"].str.contains(r"column reaches .* km to", regex=True)]
    assert len(reached) > 0
    for row in reached.itertuples():
        km = float(re.search(r"([\d,]+) km to", row.text).group(1).replace(",", ""))
        assert s.at[row.hour, "column_km_to_capital"] == pytest.approx(km), row.text


def test_a_change_of_stance_shows_in_the_track_at_its_hour(mutiny) -> None:
    track = mutiny.track.set_index(["hour", "unit"])
    assert len(mutiny.stances) > 0
    for ch in mutiny.stances.itertuples():
        assert track.at[(ch.hour, ch.unit), "stance"] == ch.to, (ch.hour, ch.unit)
        before = ch.hour - mutiny.scenario.time.step_hours
        if (before, ch.unit) in track.index:
            assert track.at[(before, ch.unit), "stance"] != ch.to, (ch.hour, ch.unit)


def test_the_outcome_and_its_cause_share_an_hour(mutiny) -> None:
    ev = mutiny.events
    out = ev[ev["kind"] == "outcome"].iloc[0]
    assert out["hour"] == mutiny.measures["time_to_outcome_h"] == mutiny.series["hour"].max()
    reason = mutiny.measures["outcome_reason"]
    cause = ev[(ev["kind"] != "outcome") & (ev["text"] == reason)]
    assert len(cause) == 1 and cause.iloc[0]["hour"] == out["hour"]


def test_map_title_has_one_clock_and_the_status_the_calendar(mutiny_dir: Path) -> None:
    from sim.report import figures, load_run

    run = load_run(mutiny_dir)
    fig = figures(run, at=22.0)["map"]()  # within the run (the fixture's story ends after hour 22)
    title = fig._suptitle.get_text()
    assert title.endswith(": day 1 22:00"), title
    assert "2023 " not in title.split(":")[-1] and "hour" not in title
    texts = [t.get_text() for t in fig.texts]
    end = _end_hour(run)
    assert any(f"hour 22 of {end}" in t and "24 Jun 2023 16:00" in t for t in texts), texts


def _end_hour(run) -> int:
    """The hour this run ended (its length moves with the seed and the engine)."""
    return int(round(float(run.series["hour"].max())))


def test_at_takes_the_clock_as_the_log_prints_it(mutiny_dir: Path) -> None:
    from sim.report import load_run, map_hour

    run = load_run(mutiny_dir)
    assert map_hour(run, "day 1 22:00") == 22.0
    from sim.model.state import clock

    end = _end_hour(run)
    assert map_hour(run, clock(end)) == end  # the last hour of the run is still in it
    assert map_hour(run, "20") == 20.0
    assert map_hour(run, "1d") == 24.0
    assert map_hour(run, None) is None


@pytest.mark.parametrize(("at", "fragments"), [
    ("500", ("--at", "past the end of this run at hour {end}", "{clock}")),
    ("day 3 03:00", ("--at", "hour 51", "past the end")),
    ("noon", ("--at", "expected a time such as")),
])
def test_at_refuses_a_time_the_run_never_reached(mutiny_dir: Path, at: str, fragments: tuple[str, ...]) -> None:
    from sim.model.state import clock
    from sim.report import load_run

    end = _end_hour(load_run(mutiny_dir))
    fragments = tuple(f.format(end=end, clock=clock(end)) for f in fragments)
    one_line(cli("plot", str(mutiny_dir), "--at", at, "--no-gif"), *fragments)
    assert not (mutiny_dir / "map.png").exists()


# ----------------------------------------------------------------------------- panels and numbers
def _drawn(ax) -> bool:
    """Whether a panel shows data: a line or a filled area above zero."""
    lines = any(len(ln.get_ydata()) and max(abs(float(v)) for v in ln.get_ydata()) > 0 for ln in ax.get_lines()
                if ln.get_linestyle() != "None" and ln.get_xydata().shape[0] > 2)
    return lines or bool(ax.collections)


def test_panels_with_nothing_to_show_are_left_out(mutiny) -> None:
    from sim.plots.public import public_figure
    from sim.plots.timeline import timeline_figure
    from sim.report import RunFolder

    run = RunFolder.from_result(mutiny, mutiny.scenario.model_dump(mode="json"))
    fig = timeline_figure(run.series, run.events, run.title, "Moscow", None, 1e8)
    titles = [ax.get_title() for ax in fig.axes]
    # the mutiny: units stood aside and fought, no one protested, left or was called up
    assert "The public in the streets" not in titles and "Leaving the country and called up" not in titles
    assert "Casualties" in titles and "Armed units standing aside or defected" in titles
    assert all(_drawn(ax) for ax in fig.axes), titles
    # one y axis per panel: no twin axis sharing a panel's place
    boxes = [tuple(round(v, 3) for v in ax.get_position().bounds) for ax in fig.axes]
    assert len(boxes) == len(set(boxes))
    note = " ".join(t.get_text() for t in fig.texts)
    assert "no one protested" in note and "no one emigrated or was called up" in note
    # the public figure of a run where the public stayed home is one line, not four empty panels
    fig = public_figure(run.raw, run.series, run.events, run.title)
    assert len(fig.axes) == 1 and not fig.axes[0].axison
    assert "Nothing happened among the public" in fig.axes[0].texts[0].get_text()


def test_casualties_of_the_crisis_are_apart_from_scripted_front_losses(mutiny) -> None:
    from sim.plots.timeline import timeline_figure

    s = mutiny.series
    assert s["front_losses"].max() > 0 and s["casualties"].max() > 0
    fig = timeline_figure(s, mutiny.events, "t", "Moscow")
    ax = next(a for a in fig.axes if a.get_title() == "Casualties")
    lines = {ln.get_label(): ln for ln in ax.get_lines() if not ln.get_label().startswith("_")}
    crisis = lines["casualties of the crisis (fighting and crowds)"].get_ydata()
    front = lines["losses at the front (scripted, counted apart)"].get_ydata()
    assert max(crisis) == pytest.approx(s["casualties"].max())
    assert max(front) == pytest.approx(s["front_losses"].max())


def test_counts_of_people_print_as_whole_numbers(mutiny_dir: Path) -> None:
    res = cli("run", "elite_coup", "--out", str(mutiny_dir.parent / "coup"), "--no-figures")
    assert res.returncode == 0, res.stderr
    table = res.stdout[res.stdout.index("Outcome and measures"):]
    rows = {m.group(1).strip(): m.group(2) for m in re.finditer(r"│ ([a-z][^│]*?)\s*│\s*([^│]*?)\s*│", table)}
    for key in ("arrests (cumulative)", "emigrated", "mobilized"):
        assert re.fullmatch(r"\d{1,3}(,\d{3})*", rows[key]), (key, rows[key])
    assert "casualties of the crisis" in table and "losses at the front" in table


# ----------------------------------------------------------------------------- sweeps: labels, answers
def _synthetic_sweep(outcomes_at_point):
    """The mutiny's sweep plan with runs whose outcomes are given per point (no model run)."""
    from sim.sweep.plan import build_plan
    from sim.sweep.summary import summarize

    plan = build_plan("wagner_mutiny_2023", [])
    rows = []
    for point in plan.design["point"]:
        for rep, outcome in enumerate(outcomes_at_point(plan.design.set_index("point").loc[point])):
            rows.append({"run_id": len(rows), "point": int(point), "replication": rep, "status": "ok",
                         "outcome": outcome})
    runs = pd.DataFrame(rows)
    return plan, runs, summarize(runs, plan)


def test_the_answer_bounds_an_outcome_that_never_happened_and_names_every_other() -> None:
    from sim.sweep.summary import answer

    # the mutiny's answer asks about 'mutiny crushed'; here it never happens, and a popular
    # revolution (rare: 1 run in 200) does
    def outcomes(row):
        out = ["negotiated_settlement" if row["mediator.enabled"] else "regime_survives"] * 20
        if row["ruler.regime_strength"] == 0.2 and not row["mediator.enabled"]:
            out[0] = "popular_revolution"
        return out

    plan, runs, summary = _synthetic_sweep(outcomes)
    text = answer(summary, plan, runs=runs)
    assert "Mutiny crushed never happened in 200 runs" in text
    assert "at most 1.9% overall" in text and "at most 16% at any one design point (20 runs each)" in text
    assert "ranges from 0%" not in text
    for name in ("negotiated settlement 50% (100 runs)", "regime survives 50% (99 runs)",
                 "popular revolution 0.5% (1 run)"):
        assert name in text, name
    assert "  popular revolution: from 0% at" in text
    # swept parameters by their labels, switches as yes/no, never a raw path
    assert "regime strength (elites' view) = 0.2, a mediator on hand = no" in text
    assert "ruler.regime_strength" not in text and "mediator.enabled" not in text


def test_swept_parameters_are_named_by_label_schema_or_words() -> None:
    import sim
    from sim.scenario.loader import param_label

    scn = sim.load_scenario("elite_coup")
    assert param_label(scn, "ruler.regime_strength") == "perceived regime strength"
    assert param_label(scn, "ruler.regime_strength", "strength") == "strength"
    assert param_label(scn, "units.fso_guard.loyalty").startswith("FSO Kremlin regiment: ")
    assert param_label(scn, "events[1].at") == "strike on capital at hour 51: at"
    assert param_label(scn, "no.such.path") == "no such path"


def test_no_heat_map_of_an_outcome_that_never_happened(tmp_path: Path) -> None:
    """A finished sweep folder whose asked-for outcome never happened: the heat map is drawn
    for one that did, and the figures name the parameters by their labels."""
    import json

    from sim.plots.sweep import plot_sweep

    plan, runs, summary = _synthetic_sweep(lambda row: ["negotiated_settlement"] * 15 + ["regime_survives"] * 5)
    summary.to_parquet(tmp_path / "summary.parquet")
    runs.assign(time_to_outcome_h=30.0).to_parquet(tmp_path / "runs.parquet")
    (tmp_path / "scenario.yaml").write_text(plan.scenario_text)
    (tmp_path / "manifest.json").write_text(json.dumps({"kind": "sweep", "parameters": [
        {"path": f.path, "label": plan.labels[f.path]} for f in plan.factors]}))
    written = [Path(p).name for p in plot_sweep(tmp_path)]
    assert "sweep_heatmap_negotiated_settlement.png" in written
    assert not any("mutiny_crushed" in w for w in written)


# ----------------------------------------------------------------------------- the talk style
def _texts(fig):
    return [t for t in fig.findobj(lambda a: hasattr(a, "get_fontsize") and hasattr(a, "get_text"))
            if t.get_visible() and t.get_text().strip()]


def test_talk_style_figures_have_no_text_under_18_pt_and_fit_a_slide_wide(mutiny, tmp_path: Path) -> None:
    from PIL import Image

    from sim.plots import style
    from sim.report import RunFolder, figures

    run = RunFolder.from_result(mutiny, mutiny.scenario.model_dump(mode="json"))
    with style.use("talk"):
        for name, draw in figures(run).items():
            fig = draw()
            small = [(t.get_text()[:30], t.get_fontsize()) for t in _texts(fig) if t.get_fontsize() < 18]
            assert not small, (name, small[:5])
            png = style.save(fig, tmp_path / name)[0]
            width, height = Image.open(png).size
            assert width <= 1920 * 1.03, (name, width)
            if name == "map":  # one slide
                assert height <= 1080 * 1.03, (name, height)
    # outside the context the paper style is back (and its small text with it)
    fig = figures(run)["timeline"]()
    assert min(t.get_fontsize() for t in _texts(fig)) < 18


def test_style_option_is_checked_before_anything_runs(tmp_path: Path) -> None:
    one_line(cli("run", "wagner_mutiny_2023", "--style", "poster", "--out", str(tmp_path / "x")),
             "--style", "unknown style 'poster'", "paper or talk")
    assert not (tmp_path / "x").exists()


# ----------------------------------------------------------------------------- a closed pipe
def test_run_into_a_closed_pipe_still_writes_its_results(tmp_path: Path) -> None:
    """`regime-sim run ... | head -1`: the printout stops, the results folder is complete and
    the command exits 0 (it used to leave an empty folder and exit 1 without a word)."""
    import os
    import subprocess
    import sys

    from .conftest import ROOT

    out = tmp_path / "piped"
    proc = subprocess.Popen([sys.executable, "-m", "sim", "run", "wagner_mutiny_2023", "--out", str(out),
                             "--no-figures"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does after its line
    err = proc.stderr.read().decode()
    proc.wait(timeout=300)
    assert first.strip()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert {"series.parquet", "events.csv", "measures.json", "manifest.json"} <= {p.name for p in out.iterdir()}


def test_one_protest_colour_scale_for_every_map_of_a_run() -> None:
    """The coup's protest peaks at 6% in one region and is near zero elsewhere and at other
    hours: every map of the run (any --at, every frame of the GIF) uses the run's scale."""
    import sim
    from sim.plots.map import MapCanvas
    from sim.report import RunFolder

    res = sim.run(sim.load_scenario("elite_coup"))
    run = RunFolder.from_result(res, res.scenario.model_dump(mode="json"))
    tops = set()
    for hour in (0.0, 30.0, 60.0, float(run.series["hour"].max())):
        canvas = MapCanvas(run.raw, run.series, run.track, run.units, "t")
        canvas.show(hour)
        tops.add(canvas.norm.vmax)
    peak = 100 * run.series.filter(like="protest__").to_numpy().max()
    assert len(tops) == 1 and tops.pop() >= peak > 1.0


# ----------------------------------------------------------------------------- progress while drawing
def test_run_gif_shows_its_progress_frame_by_frame(tmp_path: Path) -> None:
    """`regime-sim run --gif` draws a GIF for tens of seconds: like `plot`, it shows how far it
    is (here stderr is a pipe, so plain lines) and names the GIF with its time at the end."""
    from .conftest import ROOT

    out = tmp_path / "tiny"
    res = cli("run", str(ROOT / "tests" / "data" / "tiny.yaml"), "--gif", "--out", str(out), timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    assert (out / "map.gif").stat().st_size > 0
    frames = re.findall(r"map\.gif: frame (\d+)/(\d+)", res.stderr)
    assert frames, res.stderr[-2000:]
    assert frames[0][0] == "1"  # the first frame already shows
    assert re.search(r"map\.gif +\d+ frames +\(\d+\.\d s\)", res.stderr), res.stderr[-2000:]
    # the figures are named as they are drawn, each with its time
    for name in ("timeline", "map", "cascade", "public"):
        assert re.search(rf"^  {name} +{name}\.png, {name}\.svg +\(\d+\.\d s\)$", res.stderr, re.M), name


def test_draw_progress_is_a_bar_on_a_terminal() -> None:
    """On a terminal the GIF's frames show as a bar with a count (the same helper as `plot`)."""
    import io
    import time

    from rich.console import Console

    from sim.progress import DrawProgress

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=100)
    with DrawProgress(console) as drawing:
        drawing.frame(0, 40)
        drawing.frame(11, 40)
        time.sleep(0.5)  # the bar redraws itself a few times a second
        text = buf.getvalue()
        assert "map.gif" in text and "12/40" in text, text[-500:]
        for i in range(12, 40):
            drawing.frame(i, 40)
    assert re.search(r"map\.gif +40 frames", buf.getvalue())


# ----------------------------------------------------------------------------- labels on the map
def _map_collisions(fig, tolerance_px: float = 1.0) -> list[tuple[str, str, float]]:
    """Every name or distance on the map's axes that covers another one, a region's disc or a
    unit (measured as drawn: text extents from the renderer, markers as their circles)."""
    import itertools

    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    # Text's own extent: an annotation's would include its leader line
    boxes = [(t.get_text().split("\n")[0], Text.get_window_extent(t, renderer)) for t in ax.texts
             if t.get_visible() and t.get_text().strip()]
    found = []
    for (a, ba), (b, bb) in itertools.combinations(boxes, 2):
        w = min(ba.x1, bb.x1) - max(ba.x0, bb.x0)
        h = min(ba.y1, bb.y1) - max(ba.y0, bb.y0)
        if w > tolerance_px and h > tolerance_px:
            found.append((a, b, round(min(w, h), 1)))
    for coll in ax.collections:
        points = coll.get_offset_transform().transform(coll.get_offsets())
        sizes = coll.get_sizes()
        for i, (x, y) in enumerate(points):
            radius = np.sqrt(sizes[i % len(sizes)]) / 2 * fig.dpi / 72
            for name, bb in boxes:
                nx, ny = min(max(x, bb.x0), bb.x1), min(max(y, bb.y0), bb.y1)
                depth = radius - np.hypot(nx - x, ny - y)
                if depth > tolerance_px:
                    found.append((name, f"a marker at ({x:.0f}, {y:.0f})", round(float(depth), 1)))
    return found


def test_talk_map_labels_collide_with_nothing(mutiny) -> None:
    """On a slide the crowded south of the Russian map (Tula, Lipetsk, Voronezh, Belgorod, the
    front; Chechnya beside Dagestan) keeps every name and distance clear of the others, of the
    discs and of the units: farther out, with a leader line, where there is no room beside."""
    from sim.plots import style
    from sim.report import RunFolder, figures

    run = RunFolder.from_result(mutiny, mutiny.scenario.model_dump(mode="json"))
    with style.use("talk"):
        for at in (None, 0.0, float(run.series["hour"].max())):
            fig = figures(run, at)["map"]()
            texts = [t.get_text() for t in fig.axes[0].texts]
            assert any("Lipetsk" in t for t in texts) and any("Dagestan" in t for t in texts)
            assert sum(t.endswith(" km") for t in texts) == len(run.raw["routes"])  # every distance kept
            assert not _map_collisions(fig), (at, _map_collisions(fig))
    with style.use("paper"):
        assert not _map_collisions(figures(run)["map"]())


def test_talk_map_labels_in_another_world() -> None:
    """The placement is no fit to Russia: Turkey's map (few regions, units on the road) too."""
    import sim
    from sim.plots import style
    from sim.report import RunFolder, figures

    res = sim.run(sim.load_scenario("turkey_2016"))
    run = RunFolder.from_result(res, res.scenario.model_dump(mode="json"))
    with style.use("talk"):
        fig = figures(run)["map"]()
        assert not _map_collisions(fig), _map_collisions(fig)


# ----------------------------------------------------------------------------- every figure has a talk style
def _drawn_texts(monkeypatch, draw) -> list:
    """The texts of the figure ``draw()`` makes (kept open: its close is skipped)."""
    import matplotlib.pyplot as plt

    figs = []
    monkeypatch.setattr(plt, "close", lambda fig=None: figs.append(fig))
    draw()
    fig = figs[-1]
    fig.canvas.draw()
    return _texts(fig)


def test_compare_and_audit_draw_in_the_talk_style(tmp_path: Path, monkeypatch) -> None:
    """`compare` and `audit` take --style like every command that draws: slides a projector
    shows, no text under 18 pt."""
    from PIL import Image

    from sim.plots import style
    from sim.plots.paired import plot_audit, plot_compare

    from .conftest import ROOT

    out = tmp_path / "cmp"
    res = cli("compare", str(ROOT / "tests" / "data" / "tiny.yaml"), "--b-set", "ruler.regime_strength=0.8",
              "--seeds", "4", "--style", "talk", "--out", str(out), timeout=900)
    assert res.returncode == 0, res.stderr[-2000:]
    width, _ = Image.open(out / "compare.png").size
    assert 1800 <= width <= 1920 * 1.03, width
    table = pd.read_parquet(out / "compare.parquet")
    audit = pd.DataFrame({"rule": ["public.grievance", "public.grievance", "units.expected_winner"],
                          "scenario": ["tiny", "other", "tiny"],
                          "class": ["acts as stated", "contrary to its statement", "no detectable effect here"]})
    for draw in (lambda: plot_compare(table, tmp_path / "c.png", "A", "B"),
                 lambda: plot_audit(audit, tmp_path / "a.png")):
        with style.use("talk"):
            small = [(t.get_text()[:30], t.get_fontsize()) for t in _drawn_texts(monkeypatch, draw)
                     if t.get_fontsize() < 18]
        assert not small, small
    one_line(cli("compare", "tiny", "--style", "poster"), "--style", "unknown style 'poster'")


def test_the_compare_figure_names_measures_and_the_changed_parameter_in_words(tmp_path: Path, monkeypatch) -> None:
    """Its panels read 'share of armed strength that defected, peak' (the run report's label), not
    'defected_share_peak'; its title the scenario and the swept parameter's label, not a --set."""
    from sim.paired.compare import figure_labels
    from sim.plots import style
    from sim.plots.paired import plot_compare

    rows = [{"kind": "outcome", "quantity": "mutiny_crushed", "a": 0.1, "b": 0.3},
            {"kind": "outcome", "quantity": "challenge_wins", "a": 0.0, "b": 0.1},
            *({"kind": "measure", "quantity": q, "a": 1.0, "b": 2.0}
              for q in ("defected_share_peak", "time_to_outcome_h", "peak_protest_max_region", "casualties"))]
    table = pd.DataFrame([{**r, "n": 10, "diff": r["b"] - r["a"], "low": -0.1, "high": 0.4, "var_independent": 0.5,
                           "variance_ratio": 3.0} for r in rows])
    heading, a, b = figure_labels("wagner_mutiny_2023", None, [("mediator.enabled", True, False)])
    assert (heading, a, b) == ("The Wagner mutiny, 23-24 June 2023", "a mediator on hand = yes",
                               "a mediator on hand = no")
    with style.use("talk"):
        texts = [t.get_text() for t in _drawn_texts(
            monkeypatch, lambda: plot_compare(table, tmp_path / "c.png", a, b, heading))]
    for label in ("share of armed strength that defected, peak", "time to resolution", "mutiny crushed",
                  "casualties of the crisis (fighting and crowds)", "peak protest, highest of the regions",
                  "ruler loses power (any)"):
        assert label in texts, (label, texts)
    assert not [t for t in texts if re.search(r"[a-z]_[a-z]", t) or "mediator.enabled" in t], texts
    assert any(t.startswith("The Wagner mutiny, 23-24 June 2023 (10 pairs of runs") for t in texts), texts
