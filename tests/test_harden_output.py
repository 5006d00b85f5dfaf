"""Issue 14, items 7, 8 and 10: where a run writes, and scenario text treated as data."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from .conftest import TINY, cli, one_line


def _tiny_with(tmp_path: Path, extra: str = "", **replace: str) -> Path:
    text = TINY.read_text()
    for old, new in replace.items():
        text = text.replace(old, new)
    f = tmp_path / "scn.yaml"
    f.write_text(text + extra)
    return f


@pytest.mark.parametrize("name", ["../../escaped", "/abs/escaped", "a/b/escaped"])
def test_the_scenario_name_never_decides_where_results_go(tmp_path: Path, name: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    res = cli("run", str(TINY), "--set", f"name={name}", "--no-figures", "-q", cwd=work)
    assert res.returncode == 0, res.stderr
    made = list((work / "results").iterdir())
    assert len(made) == 1 and made[0].is_dir(), made
    assert (made[0] / "manifest.json").exists()  # the run's own files, in one folder
    assert made[0].name.startswith("escaped-run-") or made[0].name.startswith(("abs-escaped", "a-b-escaped"))
    assert not (tmp_path / "escaped").exists() and not Path("/abs").exists()


def test_run_out_never_overwrites_without_force_and_force_replaces_only_a_run(tmp_path: Path) -> None:
    out = tmp_path / "o"
    out.mkdir()
    (out / "events.csv").write_text("mine\n")  # a user's file with a name a run writes
    one_line(cli("run", str(TINY), "--no-figures", "-q", "--out", str(out)), str(out), "--force")
    # --force replaces a previous run, not a folder of someone's files
    one_line(cli("run", str(TINY), "--no-figures", "-q", "--out", str(out), "--force"), "not a run's folder")
    assert (out / "events.csv").read_text() == "mine\n"
    # a previous run's folder: --force removes all it left, figures included
    run_dir = tmp_path / "r"
    assert cli("run", str(TINY), "-q", "--out", str(run_dir)).returncode == 0
    assert (run_dir / "map.png").exists()
    (run_dir / "notes.txt").write_text("mine")
    one_line(cli("run", str(TINY), "--no-figures", "-q", "--out", str(run_dir), "--force"), "notes.txt")
    assert (run_dir / "notes.txt").read_text() == "mine" and (run_dir / "map.png").exists()
    (run_dir / "notes.txt").unlink()
    res = cli("run", str(TINY), "--no-figures", "-q", "--out", str(run_dir), "--force", "--seed", "5")
    assert res.returncode == 0, res.stderr
    assert not (run_dir / "map.png").exists()
    assert json.loads((run_dir / "manifest.json").read_text())["seed"] == 5


def test_run_never_writes_into_a_sweep_folder_or_the_root(tmp_path: Path) -> None:
    sweep = tmp_path / "s"
    sweep.mkdir()
    manifest = json.dumps({"kind": "sweep", "parameters": [], "status": "done"})
    (sweep / "manifest.json").write_text(manifest)
    (sweep / "scenario.yaml").write_text("name: sweep\n")
    one_line(cli("run", str(TINY), "-q", "--out", str(sweep), "--force"), "sweep")
    assert (sweep / "manifest.json").read_text() == manifest
    assert (sweep / "scenario.yaml").read_text() == "name: sweep\n"
    one_line(cli("run", str(TINY), "-q", "--out", "/", "--force"), "root folder")
    assert not Path("/series.parquet").exists()


def test_markup_and_escapes_in_a_title_print_as_text(tmp_path: Path) -> None:
    f = _tiny_with(tmp_path, **{"name: tiny": 'name: "[bold]x[/bold] \\e[31mred"\ntitle: "[/bold] \\e]0;pwned\\a end"'})
    work = tmp_path / "work"
    work.mkdir()
    res = cli("run", str(f), "--no-figures", cwd=work)
    assert res.returncode == 0, res.stderr
    assert "\x1b" not in res.stdout + res.stderr
    assert "[/bold]" in res.stdout  # printed as written, not taken for markup
    (folder,) = (work / "results").iterdir()
    assert "\x1b" not in folder.name and "[" not in folder.name and "/" not in folder.name


def test_mathtext_in_a_title_and_a_region_without_pos_draw_their_figures(tmp_path: Path) -> None:
    f = _tiny_with(tmp_path, **{
        "name: tiny": 'name: tiny\ntitle: "Cost $\\\\foo{$ of {it}"',
        "  Border:": "  Extra:    {population: 100000, grid: 15}\n  Border:",
        "  - {a: Province, b: Border, km: 300}": "  - {a: Province, b: Border, km: 300}\n  - {a: Province, b: Extra, "
                                                 "km: 100}",
    })
    out = tmp_path / "o"
    res = cli("run", str(f), "-q", "--out", str(out))
    assert res.returncode == 0, res.stderr
    man = json.loads((out / "manifest.json").read_text())
    assert "map.png" in man["files"] and (out / "map.png").exists() and (out / "timeline.png").exists()


def test_a_region_without_pos_is_placed_beside_its_neighbours() -> None:
    from sim.plots.map import Geography

    raw = {"regions": {"A": {"pos": [30, 55], "capital": True}, "B": {"pos": [40, 50]}, "C": {}, "D": {}},
           "routes": [{"a": "A", "b": "C", "km": 1}]}
    geo = Geography.from_scenario(raw)
    cx, cy = geo.pos["C"]
    assert abs(cx - 30) < 3 and abs(cy - 55) < 3 and (cx, cy) != (30, 55)
    dx, _ = geo.pos["D"]
    assert dx > 40  # no route: beside the map, not at (0, 0)


def test_a_full_disk_is_one_line_not_a_traceback(tmp_path: Path, monkeypatch) -> None:
    import pandas as pd
    from typer.testing import CliRunner

    from sim.cli import app

    def full(self, path, *a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    res = CliRunner().invoke(app, ["run", str(TINY), "--no-figures", "-q", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    text = res.output + (res.stderr if res.stderr_bytes is not None else "")
    assert "disk is full" in text and "series.parquet" in text
    assert res.exception is None or isinstance(res.exception, SystemExit)
