"""The pattern suite's quick mode (few seeds, short runs) passes: a smoke test of
`regime-sim patterns`. The full suite (`make patterns`) is where the numbers are made."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_patterns_quick_passes_and_writes_its_results(tmp_path: Path) -> None:
    out = tmp_path / "patterns"
    res = subprocess.run([sys.executable, "-m", "sim", "patterns", "--quick", "--workers", "1", "--out", str(out)],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    data = json.loads((out / "patterns.json").read_text())
    rows = data["patterns"] if isinstance(data, dict) and "patterns" in data else data
    assert len(rows) >= 8
    assert list(out.glob("*.png"))
