"""Granovetter's (1978) threshold model of collective behaviour, in exact integer arithmetic.

Each person has a threshold: the number of *others* who must already act before she acts.
Starting from nobody, the number acting next round is the number of people whose threshold
is at most the number acting now; the cascade stops when that number no longer changes
(it can only grow, so it stops after at most n rounds). Because people already acting have
thresholds no higher than the current count, "others" and "everybody" give the same count.

Granovetter's example ("Threshold models of collective behavior", AJS 83(6): 1420-1443):
a hundred people with thresholds 0, 1, 2, ..., 99 riot to the last person - the instigator
acts, which moves the person with threshold 1, which moves the person with threshold 2, and
so on. Replace the person with threshold 1 by one with threshold 2 and the riot stops at the
instigator: nearly identical crowds, entirely different outcomes.
"""

from __future__ import annotations

from collections.abc import Sequence


def _check(thresholds: Sequence[int]) -> list[int]:
    values = [int(t) for t in thresholds]
    if any(t < 0 for t in values) or any(int(t) != t for t in thresholds):
        raise ValueError("thresholds must be whole numbers >= 0")
    return values


def cascade(thresholds: Sequence[int]) -> list[int]:
    """The number of people acting after each round, from 0 until the cascade stops."""
    values = _check(thresholds)
    path = [0]
    while True:
        acting = sum(1 for t in values if t <= path[-1])
        if acting == path[-1]:
            return path
        path.append(acting)


def equilibrium(thresholds: Sequence[int]) -> int:
    """How many people end up acting."""
    return cascade(thresholds)[-1]


def uniform_crowd(n: int = 100) -> list[int]:
    """Granovetter's crowd: thresholds 0, 1, ..., n - 1."""
    return list(range(n))


def perturbed_crowd(n: int = 100) -> list[int]:
    """The same crowd with the person of threshold 1 replaced by one of threshold 2."""
    crowd = uniform_crowd(n)
    crowd[1] = 2
    return crowd
