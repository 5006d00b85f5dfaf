"""Golden results: for fixed scenarios and seeds, every table of a run is bit for bit what it
was when ``tests/data/golden.json`` was made (``tools/golden.py``). A speed-up must keep this
green; a change that means to alter results regenerates the file with ``--update`` and says why.
"""

from __future__ import annotations

import importlib.util
import json

import pytest

from .conftest import ROOT

_spec = importlib.util.spec_from_file_location("golden", ROOT / "tools" / "golden.py")
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)


@pytest.mark.parametrize(("scenario", "seed"), golden.QUICK, ids=[golden.key(s, n) for s, n in golden.QUICK])
def test_run_is_bit_for_bit_golden(scenario: str, seed: int) -> None:
    assert golden.compare([(scenario, seed)]) == []


def test_every_bundled_scenario_is_covered() -> None:
    import sim

    covered = {s for s, _ in golden.QUICK}
    assert set(sim.list_scenarios()) <= covered


def test_add_stores_only_the_missing_cases(tmp_path, monkeypatch) -> None:
    """--add (a new scenario's cases) computes what is missing and leaves every stored case as it is."""
    stored = golden.load()
    missing = golden.key("tests/data/tiny.yaml", 1)
    path = tmp_path / "golden.json"
    path.write_text(json.dumps({k: v for k, v in stored.items() if k != missing}))
    monkeypatch.setattr(golden, "GOLDEN", path)
    assert golden.main(["--add"]) == 0
    assert json.loads(path.read_text()) == stored
