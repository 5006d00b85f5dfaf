"""Scenario files found valid, remembered so that ``regime-sim validate`` of an unchanged file
does not build the schema again.

Validating imports PyYAML's and pydantic's Python modules and creates and builds the schema's
models: most of the command's time, now that it starts without the command line's framework
(``sim/quick.py``; issue 13 asks for 0.5 s). Measured with ``benchmarks/bench_startup.py`` on a
shared 2-core machine at load 3-4, the mutiny (its base world, controls and sweep values
included) takes 0.35-0.5 s of CPU to validate and 0.13-0.18 s to recall (importing PyYAML and
pydantic alone: 0.26-0.36 s). The verdict on a file is a function of the data it reads as (merged
with the bases it extends, ``reading.py``) and of this package's code, but for one check: the
memory a run would need, against the memory this machine has available now. So a valid file's
verdict is kept (``sim/cache.py``, in a table that any change to the package's files replaces)
under a hash of that data, with the largest memory estimate its checks made (its sweep's values
included); recalled, the memory is checked again, and a file that would not pass is validated
afresh. An invalid file is never kept: it is validated every time, and its error is the
loader's own. ``REGIME_SIM_NO_CACHE=1`` turns this off.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import cache
from .machine import MEMORY_SHARE, available_bytes
from .reading import read_raw, resolve_path

KIND = "validated"


@dataclass(frozen=True)
class Verdict:
    """What ``regime-sim validate`` reports of a valid scenario."""

    name: str
    regions: int
    units: int
    events: int
    steps: int
    #: the largest memory estimate (bytes) of its checks: the scenario's and its sweep's values'
    memory_bytes: float


def ok_line(path: str | Path, verdict: Verdict, text: Callable[[object], str]) -> str:
    """The line ``regime-sim validate`` prints for a valid file; ``text`` makes the file's path
    and the scenario's name safe to print (``sim/textsafe.py``)."""
    return (f"{text(path)}: ok ({text(verdict.name)}: {verdict.regions} regions, {verdict.units} units, "
            f"{verdict.events} events, {verdict.steps} steps)")


def _recall(key: str, table: Path | None) -> Verdict | None:
    kept = cache.recall(KIND, key, table)
    try:
        return Verdict(**kept) if isinstance(kept, dict) else None
    except TypeError:  # kept by other code: not a verdict of this shape
        return None


def validate_file(path: str | Path) -> Verdict:
    """The verdict on a scenario file (a path, or a bundled scenario's name), or the
    :class:`~sim.scenario.errors.ScenarioError` that :func:`~sim.scenario.loader.load_scenario`
    raises for it."""
    raw, pos = read_raw(resolve_path(path))
    # repr tells apart every value YAML's core schema reads (1, 1.0, True, '1'): the same text,
    # the same data
    key = hashlib.sha256(repr(raw).encode("utf-8", "surrogatepass")).hexdigest()
    table = cache.table(KIND)  # the package fingerprinted once, for recalling and remembering
    kept = _recall(key, table)
    if kept is not None and kept.memory_bytes <= MEMORY_SHARE * available_bytes():
        return kept
    from .loader import validate_measuring_memory

    scn, need = validate_measuring_memory(raw, pos, str(path))
    verdict = Verdict(scn.name, len(scn.regions), len(scn.units), len(scn.events), scn.steps, need)
    cache.remember(KIND, key, asdict(verdict), table=table)
    return verdict
