"""The threshold schedule: pyabc's median epsilon, stepping below a tie.

Targets with discrete outcomes make ties: in the mutiny most particles of the prior start no
mutiny at all, and every one of them has the same statistics (no settlement, the horizon, no
march, nobody killed), hence the same distance. The median of such a population is that tied
distance, ``d <= eps`` accepts all of them again, and the threshold never falls. When more
than ``TIE_SHARE`` of the population's weight sits at or under the median and some particles
are strictly closer, the threshold is the largest distance strictly under the median.
"""

from __future__ import annotations

import numpy as np
import pyabc

TIE_SHARE = 0.6  # "half the population" with room for the step of a small sample


class MedianBelowTies(pyabc.MedianEpsilon):
    def _update(self, t: int, weighted_distances) -> None:
        super()._update(t, weighted_distances)
        eps = self._look_up[t]
        d = weighted_distances.distance.to_numpy(dtype=float)
        w = weighted_distances.w.to_numpy(dtype=float)
        w = w / w.sum() if w.sum() > 0 else np.full(len(d), 1 / max(len(d), 1))
        tied = np.isclose(d, eps) | (d <= eps)
        closer = d[(d < eps) & ~np.isclose(d, eps)]
        if w[tied].sum() > TIE_SHARE and len(closer):
            self._look_up[t] = float(closer.max())
