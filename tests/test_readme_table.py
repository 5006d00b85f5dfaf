"""The README's performance table is written from make bench's results, between markers."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.readme_table import BEGIN, END, render, rewrite

ROOT = Path(__file__).resolve().parent.parent

RESULTS = {
    "machine": "AMD EPYC; 2 cores",
    "tables": {
        "sweep_startup": {"load_average": [1.5, 2.5], "measured": "2026-11-28T14:00+00:00", "rows": [
            {"worker start-up": "process pool of 2, forked", "median s": 0.125, "min s": 0.07, "max s": 0.13}]},
        "sweeps": {"load_average": [2.0, 3.0], "measured": "2026-11-28T14:10+00:00", "rows": [
            {"mutiny sweep": "1,500-run sweep", "on": "1 worker", "runs": 1500, "wall s (best)": 60.0,
             "wall s (worst)": 61.0, "runs/s": 25.0, "vs 1 worker": 1.0, "first batch back s": 0.2},
            {"mutiny sweep": "1,500-run sweep", "on": "process pool x2", "runs": 1500, "wall s (best)": 31.0,
             "wall s (worst)": 33.0, "runs/s": 48.4, "vs 1 worker": 1.935, "first batch back s": 0.3}]},
        "goals": {"load_average": [2.0, 3.0], "measured": "2026-11-28T14:10+00:00", "rows": [
            {"ratio": "1,500-run sweep: process pool x2 vs 1 worker", "median": 1.93, "min": 1.9, "max": 1.96,
             "rounds": 2, "goal": ">= 1.85", "met": "yes"}]},
    },
}


def test_the_table_says_what_was_measured_where_and_under_what_load() -> None:
    text = render(RESULTS)
    assert "AMD EPYC; 2 cores, 2026-11-28, load average 1.5-3.0" in text
    assert "| worker start-up: process pool of 2, forked | 0.12 s (median; 0.07-0.13) |" in text
    assert "process pool x2 31.0 s, 48.4 runs/s (1.94x one worker)" in text
    assert "**1.93** (median of 2 rounds; 1.90-1.96); met: yes" in text


def test_rewrite_replaces_only_what_lies_between_the_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n\n{BEGIN}\nold table\n{END}\n\nafter\n")
    rewrite(readme, RESULTS)
    rewrite(readme, RESULTS)  # twice: the same file
    text = readme.read_text()
    assert text.startswith(f"# title\n\n{BEGIN}\nMeasured by `make bench`")
    assert text.endswith(f"{END}\n\nafter\n") and "old table" not in text
    assert text.count(BEGIN) == 1


def test_a_readme_without_markers_is_a_one_line_error(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# no table here\n")
    with pytest.raises(SystemExit, match="no performance table markers"):
        rewrite(readme, RESULTS)
    assert readme.read_text() == "# no table here\n"


def test_the_readme_has_the_markers() -> None:
    text = (ROOT / "README.md").read_text()
    assert text.index(BEGIN) < text.index(END)


def test_the_engine_change_and_the_calibration_have_their_rows() -> None:
    tables = {
        "engine_change": {"rows": [{"scenario": "mobilization_2022", "seeds": 5, "before s/run": 1.274,
                                    "after s/run": 0.817, "run ratio": 0.6413, "before ms/sim-hour": 1.264,
                                    "after ms/sim-hour": 1.001, "hour ratio": 0.792}]},
        "calibration": {"rows": [{"case": "wagner_mutiny_2023", "particles": 500, "generations": 6, "workers": 2,
                                  "wall s": 1607.0, "model runs": 68154, "runs per second": 42.8,
                                  "peak MB (largest process)": 466.2}]},
    }
    text = render({"machine": "AMD EPYC; 2 cores", "tables": tables})
    assert "mobilization_2022 1.274 -> 0.817 s a run (0.64x); a simulated hour **0.79x**" in text
    assert ("| calibration of wagner_mutiny_2023: 500 particles x 6 generations, 2 workers (limit 30 min, 1 GB) | "
            "26.8 min, 68,154 model runs (42.8 runs/s), largest process 466 MB |") in text


def test_runs_show_the_kernels_floor_and_where_their_time_goes() -> None:
    results = {"machine": "AMD EPYC; 2 cores", "tables": {
        "runs": {"rows": [{"scenario": "mobilization_2022", "wall s (median)": 0.27, "kernel s (median)": 0.08},
                          {"scenario": "baseline", "wall s (median)": 0.073}]},
        "run_phases": {"rows": [{"scenario": "baseline", "ms a run": 84.5, "goal ms (issue / 5)": 45.2,
                                 "build": 2.0, "public: kernel": 4.7, "tables": 19.6}]}}}
    text = render(results)
    # the kernel's share where it was measured; nothing made up where it was not
    assert "mobilization_2022 0.270 s (0.080); baseline 0.073 s |" in text
    assert "baseline 84.5 (goal 45.2): build 2.0, kernel 4.7, tables 19.6, rest 58.2" in text
