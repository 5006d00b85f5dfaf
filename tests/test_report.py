"""``regime-sim report``: one self-contained HTML page per run, checked as text and, when a
Chromium is there, in a headless browser (no console error, no request outside the file)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sim
from sim.report import RunFolder, load_run
from sim.report.html import OutcomeShare, changed_parameters, outcome_table, write_report

from .conftest import ROOT, chromium_page, require_chromium
from .seeds import first_seed, marches
from .test_plots import write_run_folder

# screenshots go to results/ (not tracked); REGIME_SIM_UPDATE_DOCS=1 refreshes the README's copy
SCREENSHOT = ROOT / ("docs/img" if os.environ.get("REGIME_SIM_UPDATE_DOCS") else "results/screenshots") / \
    "report_screenshot.png"


def _march_and_deal(r) -> bool:
    """The mutiny's page the docs show: a march, units changing stance, a deal."""
    return marches(r) and len(r.stances) > 0 and r.outcome == "negotiated_settlement"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunFolder, Path]:
    """The mutiny at the first seed whose run is :func:`_march_and_deal`."""
    seed = first_seed("wagner_mutiny_2023", _march_and_deal, _march_and_deal.__doc__)
    run = load_run(write_run_folder(tmp_path_factory.mktemp("report"), seed, "wagner_mutiny_2023"))
    return run, write_report(run, run.path / "report.html")


def test_outcome_table_shows_shares_with_intervals_for_a_sweep() -> None:
    rows = [OutcomeShare("negotiated_settlement", "negotiated settlement", 14, 20),
            OutcomeShare("mutiny_crushed", "mutiny crushed", 6, 20),
            OutcomeShare("coup_succeeds", "coup succeeds", 0, 20)]
    text = outcome_table(rows, "20 runs")
    assert text.count("<tr>") == 4 and "14 of 20" in text and "70%" in text
    assert "48-85%" in text  # Wilson 95% for 14 of 20
    assert "0-16%" in text  # never seen is not impossible
    assert "21-100%" in outcome_table([OutcomeShare("coup_fails", "coup fails", 1, 1)], "one run")


def test_parameters_that_differ_carry_units_and_sources() -> None:
    rows = {r.path: r for r in changed_parameters(sim.load_scenario("wagner_mutiny_2023"))}
    assert rows["mediator.enabled"].value is True and rows["mediator.enabled"].default is False
    strength = rows["ruler.regime_strength"]
    assert strength.value != strength.default and strength.unit == "level 0-1" and strength.source
    # each challenger is compared with the schema's defaults, like the ruler
    offer = rows["challengers.wagner.march_speed_kmh"]
    assert offer.value != offer.default and offer.unit == "km/h"
    assert "challengers.wagner.enabled" not in rows  # switched on, as the schema's default is
    # units (and institutions, and regions) against the base map the scenario extends
    assert rows["units.smd_command.grievance"].value == 0.35
    assert not any(p.startswith("regions.Moscow.") for p in rows)  # the base map's own values are no change
    assert not any(p.startswith("institutions.") for p in rows)  # the scenario keeps the base's institutions


def test_report_is_one_self_contained_page(report: tuple[RunFolder, Path]) -> None:
    run, path = report
    text = path.read_text()
    for section in ("What is it?", "Outcome", "95% interval (Wilson)", "Measures", "Figures",
                    "What to notice:", "Parameters that differ from the defaults", "Scripted events",
                    "Rules in effect", "@media print", "@page"):
        assert section in text, section
    assert text.count("data:image/png;base64,") == 4
    assert not re.search(r"<(script|link|iframe)\b", text, re.IGNORECASE)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text, re.IGNORECASE)
    assert "url(" not in text and "@import" not in text
    assert run.scenario.description.what_is_it.split()[0] in text


def test_what_to_notice_is_written_from_the_run(report: tuple[RunFolder, Path]) -> None:
    run, path = report
    text = path.read_text()
    first = run.stances.sort_values("hour").iloc[0]
    assert f"The first move: {first['label']}" in text
    assert "The column has" in text  # the map is drawn at the column's closest approach
    # the measures of the new engine: how close the column came, the ruler, the challengers
    m = run.measures
    assert f"closest a column came to its target: <b>{m['closest_approach_km']:,.0f}</b>" in text
    assert "the ruler at the end: <b>" + m["ruler_status"].replace("_", " ") in text
    assert f"wagner {m['status__wagner'].replace('_', ' ')}" in text
    if m["casualties"] > 0:
        assert f"The crisis cost {m['casualties']:,.0f} casualties" in text


def test_report_command_refuses_bad_folders(tmp_path: Path) -> None:
    from sim.cli import app

    runner = CliRunner()
    missing = runner.invoke(app, ["report", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and missing.output.startswith("error:") and "no such folder" in missing.output
    (tmp_path / "notes.txt").write_text("hello")
    notes = runner.invoke(app, ["report", str(tmp_path)])
    assert notes.exit_code == 2 and "not a results folder" in notes.output
    (tmp_path / "sweep").mkdir()
    (tmp_path / "sweep" / "runs.parquet").write_bytes(b"")
    sweep = runner.invoke(app, ["report", str(tmp_path / "sweep")])
    assert sweep.exit_code == 2 and "not finished" in sweep.output and len(sweep.output.strip().splitlines()) == 1
    assert "Traceback" not in missing.output + notes.output + sweep.output


@pytest.mark.browser
def test_report_loads_in_headless_chromium_without_errors_or_outside_requests(
        report: tuple[RunFolder, Path]) -> None:
    require_chromium()
    _, path = report
    with chromium_page() as (page, requests, problems):
        page.goto(path.as_uri())
        page.wait_for_load_state("networkidle")
        assert page.title().endswith("regime-sim report")
        widths = page.eval_on_selector_all("figure img", "imgs => imgs.map(i => i.naturalWidth)")
        assert len(widths) == 4 and min(widths) > 500  # every figure decoded
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=False)
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", print_background=True)
    assert not problems, problems
    outside = [u for u in requests if not u.startswith(("file:", "data:", "about:"))]
    assert not outside, outside
    assert SCREENSHOT.stat().st_size > 10_000
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) <= 2  # prints on one or two A4 pages
