"""Kuran's (1991) ten-person example of preference falsification, in exact arithmetic.

Kuran (1991) "Now out of never: the element of surprise in the East European revolution of
1989", World Politics 44(1): 7-48. Each person has a revolutionary threshold: the share of
society (in percent) that must oppose the regime *publicly* before she will oppose it
publicly herself. Public opposition S (percent) moves to the share of people whose threshold
is at most S; from S = 0 the person with threshold 0 opposes whatever happens.

The sequence used here is Kuran's ten-person example as we reconstruct it (we could not
check the printed text here): A = (0, 20, 20, 30, 40, 50, 60, 70, 80, 100). Only the person
with threshold 0 speaks out, so public opposition stays at 10% although most people would
oppose at some level. Lower the second person's threshold from 20 to 10 (A') and each
opponent brings out the next: 10% -> 20% -> ... -> 90%. The person with threshold 100
never joins, since public opposition cannot reach 100% without her. The point is Kuran's:
a small, unobservable change in one private threshold flips public opposition from 10% to
90%, so the revolution is a surprise to everyone, its participants included.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

SEQUENCE_A = (0, 20, 20, 30, 40, 50, 60, 70, 80, 100)
SEQUENCE_A_PRIME = (0, 10, 20, 30, 40, 50, 60, 70, 80, 100)


def _check(thresholds: Sequence[int]) -> list[int]:
    values = [int(t) for t in thresholds]
    if not values or any(not 0 <= t <= 100 for t in values) or any(int(t) != t for t in thresholds):
        raise ValueError("thresholds must be whole percentages in 0..100")
    return values


def opposition_path(thresholds: Sequence[int]) -> list[Fraction]:
    """Public opposition (percent, exact) after each round, from 0 until it settles."""
    values = _check(thresholds)
    n = len(values)
    path = [Fraction(0)]
    while True:
        share = Fraction(100 * sum(1 for t in values if t <= path[-1]), n)
        if share == path[-1]:
            return path
        path.append(share)


def equilibrium_opposition(thresholds: Sequence[int]) -> Fraction:
    """Public opposition (percent) once nobody else changes her public stance."""
    return opposition_path(thresholds)[-1]
