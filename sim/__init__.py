"""regime-sim: an agent-based scenario model of regime transition.

The Python API for notebooks::

    import sim
    scn = sim.load_scenario("wagner_mutiny_2023", {"factions.kremlin.regime_strength": 0.5})
    result = sim.run(scn, seed=1)
    result.series, result.events, result.stances, result.measures
"""

from __future__ import annotations

from .model.model import RegimeModel
from .model.outcomes import OUTCOMES, Outcome
from .runner import RunResult, run
from .scenario.errors import ScenarioError
from .scenario.loader import SCENARIO_DIR, load_scenario
from .scenario.schema import Scenario


def list_scenarios() -> list[str]:
    """Names of the bundled scenarios."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


__all__ = ["RegimeModel", "RunResult", "Scenario", "ScenarioError", "Outcome", "OUTCOMES",
           "load_scenario", "run", "list_scenarios"]
