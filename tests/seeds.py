"""Seeds chosen by what a test needs, not by the story one random stream happened to tell.

A test that needs a run in which something happens (the mutiny marches, a plot recruits, a
challenge is still open at the horizon) states that precondition and takes the first seed whose
run meets it; it then asserts what it really checks on that seed. A change of the random stream
(a kernel that draws differently) then moves the seed, not the test. A precondition no seed in
the range meets fails the test, saying which.

Runs are cached per (scenario, overrides, seed) in each test process, so tests that ask for the
same precondition, or one test's arms, run each seed once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

import pytest

from sim.runner import RunResult

#: where a precondition is looked for unless a test says otherwise
SEEDS = range(1, 60)


@lru_cache(maxsize=512)
def _result(scenario: str, sets: tuple[str, ...], seed: int) -> RunResult:
    from sim.runner import run
    from sim.scenario.loader import load_scenario

    return run(load_scenario(scenario, list(sets)), seed=seed)


def result(scenario: str | Path, seed: int, sets: Iterable[str] = ()) -> RunResult:
    """The run of ``scenario`` (a bundled name or a path) with ``sets`` at ``seed``, cached:
    read it, do not change it (other tests get the same object)."""
    return _result(str(scenario), tuple(sets), int(seed))


def seeds_where(where: Callable[[int], bool], what: str, n: int = 1, seeds: Iterable[int] = SEEDS) -> list[int]:
    """The first ``n`` seeds for which ``where(seed)`` holds (``what`` says what it is, for the
    failure message when fewer than ``n`` do)."""
    seeds = list(seeds)
    found = []
    for seed in seeds:
        if where(seed):
            found.append(seed)
            if len(found) == n:
                return found
    pytest.fail(f"precondition met by {len(found)} of seeds {seeds[0]}-{seeds[-1]}, {n} needed: {what}")


def first_seed(scenario: str | Path, where: Callable[[RunResult], bool], what: str, sets: Iterable[str] = (),
               seeds: Iterable[int] = SEEDS) -> int:
    """The first seed whose run of ``scenario`` (with ``sets``) meets ``where``."""
    sets = tuple(sets)
    return seeds_where(lambda seed: where(result(scenario, seed, sets)), what, 1, seeds)[0]


def logged(r: RunResult, fragment: str) -> bool:
    """Whether any line of the run's event log holds ``fragment`` (plain text)."""
    return bool(r.events["text"].str.contains(fragment, regex=False).any())


def marches(r: RunResult) -> bool:
    """A challenger's column set out (the mutiny: Prigozhin marches on Moscow rather than backing down)."""
    return logged(r, "marches on")
