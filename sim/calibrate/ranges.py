"""The parameters to fit and their prior ranges.

A range comes from, in order: ``--fit path=low:high`` on the command line, the targets file's
``fit:`` list, or the parameter's ``assumed`` range in the schema (``default_range``). A range
is checked against the parameter's valid domain by validating the scenario at both ends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..scenario.errors import ScenarioError


@dataclass(frozen=True)
class Prior:
    path: str
    low: float
    high: float
    origin: str  # where the range comes from: 'command line', 'FILE:LINE', 'assumed'

    @property
    def key(self) -> str:
        """A name pyabc's database accepts (letters, digits, underscores)."""
        return "p_" + "".join(c if c.isalnum() else "_" for c in self.path)


def _assumed_table() -> dict[str, tuple[float, float]] | None:
    """The schema's structured ``assumed`` ranges, when that API is present (issue 11)."""
    try:
        from ..scenario.params import assumed_parameters  # type: ignore[attr-defined]
    except ImportError:
        return None
    out = {}
    for row in assumed_parameters():
        path, low, high = (row["path"], row["low"], row["high"]) if isinstance(row, dict) else tuple(row)[:3]
        out[str(path)] = (float(low), float(high))
    return out


def default_range(path: str, table: Callable[[], dict | None] = _assumed_table) -> tuple[float, float]:
    """The prior range of ``path`` when the user gives none: its ``assumed`` range in the schema.

    The one place to wire ``sim.scenario.params.assumed_parameters()``; without it (or for a
    parameter it does not list) the user must give a range.
    """
    ranges = table()
    if ranges is not None:
        if path in ranges:
            return ranges[path]
        # a path into a dict of regions or units: try the generic form (regions.*.legitimacy)
        parts = path.split(".")
        for i in range(len(parts)):
            generic = ".".join(parts[:i] + ["*"] + parts[i + 1:])
            if generic in ranges:
                return ranges[generic]
    raise ScenarioError(f"no assumed range known for {path}; give one: --fit {path}=LOW:HIGH "
                        f"or 'range: [low, high]' in the targets file's fit: list", file="<command line>",
                        field="--fit")


def parse_fit_option(item: str) -> tuple[str, tuple[float, float] | None]:
    """'ruler.regime_strength=0.2:0.9' -> ('ruler.regime_strength', (0.2, 0.9)); 'path' -> (path, None)."""
    if "=" not in item:
        return item.strip(), None
    path, rng = item.split("=", 1)
    try:
        low, high = (float(x) for x in rng.split(":"))
    except ValueError:
        raise ScenarioError(f"expected PATH or PATH=LOW:HIGH, got '{item}'", file="<command line>",
                            field="--fit") from None
    if not low < high:
        raise ScenarioError(f"range of {path.strip()} has low {low:g} >= high {high:g}", file="<command line>",
                            field="--fit")
    return path.strip(), (low, high)
