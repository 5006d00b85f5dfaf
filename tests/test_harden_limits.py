"""Issue 14, item 1: memory and time estimated from measured costs; a long run shows progress."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, TINY

# Runs a scenario in a fresh process and reports its peak RSS next to the loader's estimate.
PROBE = """
import json, resource, sys
from sim.scenario.loader import estimate_bytes, load_scenario
from sim.runner import run
scn = load_scenario(sys.argv[1], sys.argv[2:])
result = run(scn)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"peak": peak, "estimate": estimate_bytes(scn), "steps": result.steps}))
"""


def _measure(path: str | Path, *sets: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-c", PROBE, str(path), *sets], capture_output=True, text=True,
                         timeout=300, cwd=ROOT, env=env)
    assert res.returncode == 0, res.stderr[-2000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("path,sets", [
    # steps drive it: 6,000 one-hour steps of the twelve-region base (the series and the track)
    ("scenarios/baseline.yaml", ("time.horizon_days=250",)),
    # the grids drive it: two 900 x 900 grids for twelve hours
    (str(TINY), ("regions.Capital.grid=900", "regions.Province.grid=900", "time.horizon_days=0.5")),
])
def test_memory_estimate_is_within_a_factor_of_two_of_the_measured_peak(path: str, sets: tuple[str, ...]) -> None:
    m = _measure(path, *sets)
    ratio = m["estimate"] / m["peak"]
    assert 0.5 <= ratio <= 2.0, (m, ratio)


def test_a_long_run_says_how_long_and_shows_its_progress(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # every region ticks in full (a calm world skips its moves), and 800 days: long enough to pass the
    # 3 s after which progress shows on the faster kernel
    res = subprocess.run([sys.executable, "-m", "sim", "run", "baseline", "--set", "time.horizon_days=800",
                          "--set", "public.still_when_calm=false", "--no-figures", "-q", "--out", str(tmp_path / "o")],
                         capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "(estimated)" in res.stderr
    assert "step " in res.stderr and "left" in res.stderr, res.stderr

