"""Sweep figures on a small sweep: produced, titled, labelled, with legends where needed."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from sim.plots import sweep as S
from sim.sweep.execute import run_sweep
from sim.sweep.plan import build_plan
from sim.sweep.store import read_series

from .conftest import TINY, chromium_page, require_chromium


@pytest.fixture(scope="module")
def small_sweep(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "s"
    plan = build_plan(TINY, ["sweep.replications=4", "sweep.parameters={ruler.regime_strength: "
                             "{range: [0.3, 0.8]}, challengers.pmc.guarantee_value: {values: [0.2, 0.8]}}"])
    run_sweep(plan, out)
    return out


def _check(fig, legend: bool) -> None:
    titles = [fig._suptitle.get_text() if fig._suptitle else ""] + [a.get_title() for a in fig.axes]
    assert any(t for t in titles), "no title"
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            continue
        assert ax.get_xlabel() or ax.get_ylabel(), ax.get_title()
    if legend:
        assert any(ax.get_legend() is not None for ax in fig.axes)
    plt.close(fig)


def test_each_sweep_figure(small_sweep: Path) -> None:
    summary = pd.read_parquet(small_sweep / "summary.parquet")
    runs = pd.read_parquet(small_sweep / "runs.parquet")
    series = read_series(small_sweep)
    fig = S.outcome_bands(summary, "ruler.regime_strength", ["challengers.pmc.guarantee_value"])
    # parameters named in words: the ruler's, a challenger's by its id
    assert fig.axes[0].get_xlabel() == "ruler regime strength"
    assert "averaged over pmc guarantee value" in fig._suptitle.get_text()
    _check(fig, legend=True)
    fig = S.outcome_heatmap(summary, "ruler.regime_strength", "challengers.pmc.guarantee_value",
                            runs["outcome"].mode()[0])
    assert fig.axes[0].get_ylabel() == "pmc guarantee value"
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("n=4" in t for t in texts)  # runs per cell are shown
    _check(fig, legend=False)
    _check(S.fan_charts(series, runs), legend=True)
    _check(S.resolution_times(runs), legend=False)


def test_parameter_paths_read_as_words() -> None:
    from sim.plots.sensitivity import short_label

    for path, words in (("ruler.regime_strength", "ruler regime strength"),
                        ("challengers.wagner.guarantee_value", "wagner guarantee value"),
                        ("institutions.army.ties", "army ties"),
                        ("mediator.enabled", "mediator enabled"),
                        ("units.rosgvardia_moscow.strength", "rosgvardia moscow strength"),
                        ("events[3].severity", "events[3] severity")):
        assert S._label(path) == short_label(path) == words, path
    assert short_label("dummy") == "dummy (never read)"


def test_every_outcome_has_a_colour() -> None:
    from sim.model.outcomes import OUTCOMES
    from sim.plots.style import OUTCOME_COLORS

    assert set(OUTCOMES) <= set(OUTCOME_COLORS)


def test_plot_sweep_writes_png_and_svg(small_sweep: Path) -> None:
    files = S.plot_sweep(small_sweep)
    assert any(f.endswith("sweep_fans.png") for f in files)
    assert all(Path(f).stat().st_size > 1000 for f in files)
    assert sum(f.endswith(".svg") for f in files) == sum(f.endswith(".png") for f in files)


def test_sweep_report_is_self_contained_and_loads_in_chromium(small_sweep: Path) -> None:
    from typer.testing import CliRunner

    from sim.cli import app

    res = CliRunner().invoke(app, ["report", str(small_sweep)])
    assert res.exit_code == 0, res.output
    page_html = (small_sweep / "report.html").read_text()
    assert "Wilson" in page_html and "What to notice" in page_html and "http://" not in page_html
    require_chromium()
    with chromium_page() as (page, requests, problems):
        page.goto((small_sweep / "report.html").as_uri())
        page.wait_for_load_state("networkidle")
        widths = page.eval_on_selector_all("figure img", "imgs => imgs.map(i => i.naturalWidth)")
    assert not problems, problems
    assert all(u.startswith(("file:", "data:", "about:")) for u in requests), requests
    assert len(widths) >= 4 and min(widths) > 500
