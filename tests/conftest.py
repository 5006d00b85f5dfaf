from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
TINY = DATA / "tiny.yaml"

# shared/sources sits beside the work tree on the developers' machines
SOURCES = Path(os.environ.get("REGIME_SIM_SOURCES", ROOT.parent / "shared" / "sources"))


@pytest.fixture(scope="session")
def tiny():
    from sim.scenario.loader import load_scenario

    return load_scenario(TINY)


def load(path, *sets):
    from sim.scenario.loader import load_scenario

    return load_scenario(path, list(sets))
