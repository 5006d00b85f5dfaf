"""Issue 14, item 10: ``report`` on a damaged results folder is one line, exit 2."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sim.sweep.execute import run_sweep
from sim.sweep.plan import build_plan

from .conftest import ROOT, TINY


def _report(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", "report", str(folder)], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("report")
    run_sweep(build_plan(TINY, ["sweep.replications=1"]), root / "sweep")
    res = subprocess.run([sys.executable, "-m", "sim", "run", str(TINY), "-q", "--no-figures", "--out",
                          str(root / "run")], capture_output=True, text=True, timeout=300, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert res.returncode == 0, res.stderr
    return {"sweep": root / "sweep", "run": root / "run"}


@pytest.mark.parametrize("kind,damage,file,fragment", [
    ("sweep", lambda f: (f / "runs.parquet").write_text("not parquet"), "runs.parquet", "cannot read"),
    ("sweep", lambda f: (f / "manifest.json").unlink(), "manifest.json", "missing"),
    ("sweep", lambda f: (f / "manifest.json").write_text('{"kind": "sweep"}'), "manifest.json", "parameters"),
    ("run", lambda f: (f / "events.csv").write_text('hour,kind\n1,"unterminated\n'), "events.csv", "cannot read"),
    ("run", lambda f: (f / "events.csv").write_text("a,b\n1,2\n"), "events.csv", "expected the columns"),
    ("run", lambda f: (f / "events.csv").write_text("hour,kind,actor,region,text,label\nsoon,x,,,t,\n"),
     "events.csv", "expected numbers"),
])
def test_report_on_a_damaged_folder_is_one_line(tmp_path: Path, folders: dict[str, Path], kind: str, damage,
                                                 file: str, fragment: str) -> None:
    folder = tmp_path / kind
    shutil.copytree(folders[kind], folder)
    damage(folder)
    res = _report(folder)
    assert res.returncode == 2, (res.returncode, res.stderr[-2000:])
    assert "Traceback" not in res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr[-2000:]
    assert str(folder / file) in lines[0] and fragment in lines[0], lines[0]
