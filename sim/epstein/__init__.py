"""Epstein mode: Epstein's (2002) civil-violence Model I on the project's compiled kernel.

::

    from sim.epstein import run, run2_config, sudden_drop
    series = run(run2_config(seed=1, steps=3000))          # quiet / active / jailed per tick
    series = run(run2_config(seed=1, steps=500), legitimacy=sudden_drop(0.9, 0.7, at=100))
"""

from __future__ import annotations

from .model import (
    RUN2,
    SERIES_COLUMNS,
    EpsteinConfig,
    EpsteinModel,
    Schedule,
    linear_ramp,
    outbursts,
    run,
    run2_config,
    schedule_values,
    sudden_drop,
)

__all__ = ["RUN2", "SERIES_COLUMNS", "EpsteinConfig", "EpsteinModel", "Schedule", "linear_ramp",
           "outbursts", "run", "run2_config", "schedule_values", "sudden_drop"]
