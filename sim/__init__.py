"""regime-sim: an agent-based scenario model of regime transition.

The Python API for notebooks::

    import sim
    scn = sim.load_scenario("wagner_mutiny_2023", {"ruler.regime_strength": 0.5})
    result = sim.run(scn, seed=1)
    result.series, result.events, result.stances, result.measures
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model.model import RegimeModel
    from .model.outcomes import OUTCOMES, Outcome
    from .runner import RunResult, run
    from .scenario.errors import ScenarioError
    from .scenario.loader import load_scenario
    from .scenario.schema import Scenario

# Every ``sim.*`` import (the command line's too) runs this file first, so the API is loaded on
# first use: importing the model here would put mesa, pandas and numba in every command's
# start-up (about 2.5 s of a 3 s 'regime-sim --help').
_API = {
    "RegimeModel": "sim.model.model",
    "OUTCOMES": "sim.model.outcomes",
    "Outcome": "sim.model.outcomes",
    "RunResult": "sim.runner",
    "run": "sim.runner",
    "ScenarioError": "sim.scenario.errors",
    "load_scenario": "sim.scenario.loader",
    "Scenario": "sim.scenario.schema",
}


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute '{name}'")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once loaded, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])


def list_scenarios() -> list[str]:
    """Names of the bundled scenarios."""
    from .scenario.bundled import bundled_scenarios

    return [p.stem for p in bundled_scenarios()]


__all__ = ["RegimeModel", "RunResult", "Scenario", "ScenarioError", "Outcome", "OUTCOMES",
           "load_scenario", "run", "list_scenarios"]
