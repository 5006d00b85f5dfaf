"""Imported by the sweep's process (or its fork server) before it forks workers: load the model
and the compiled kernel once, so every worker forked from it starts with them."""

import numpy as np

from ..model import model  # noqa: F401
from ..public.grid import RegionGrid, TickParams

_rng = np.random.default_rng(0)
RegionGrid.populate(_rng, 5, 5, 0.5, 0.1, 1).step(_rng, TickParams())
