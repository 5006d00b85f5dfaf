"""The parameters to fit and their prior ranges.

Which parameters are assumed, and over what range, is said once: in the schema, read through
``sim.scenario.schema.assumed_parameters()`` (the ranges a ``sweep --design priors`` draws
from). A prior is a parameter's assumed range unless the user narrows or widens it:
``--fit path=low:high`` on the command line, or ``range:`` in a targets file's ``fit:`` list.
A parameter that is not assumed (sourced, data, a setting) has no prior of its own: fitting it
needs a range. Every range is checked against the parameter's valid domain by validating the
scenario at both ends.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ..scenario.errors import ScenarioError

#: the scenario sections whose parameters describe behaviour that holds across cases (how
#: commanders weigh a contest, how a public acts): fitted jointly by every case that has them.
#: Every other parameter (a ruler's strength, a challenger's grievance, an institution's or a
#: region's traits) belongs to its case's world, and each case fits its own.
SHARED_SECTIONS = ("elites", "public")


def shared_by_default(path: str) -> bool:
    return path.split(".", 1)[0].split("[", 1)[0] in SHARED_SECTIONS


@dataclass(frozen=True)
class Prior:
    path: str
    low: float
    high: float
    origin: str  # where the range comes from: 'command line', 'FILE:LINE', 'assumed'
    case: str | None = None  # the case whose own parameter this is; None: shared by every case that has it

    @property
    def name(self) -> str:
        """How tables, figures and the report name it: the path, with its case if it is the case's own."""
        return f"{self.case}: {self.path}" if self.case else self.path

    @property
    def key(self) -> str:
        """A name pyabc's database accepts (letters, digits, underscores)."""
        text = f"{self.case}__{self.path}" if self.case else self.path
        return "p_" + "".join(c if c.isalnum() else "_" for c in text)


@functools.cache
def _fields() -> tuple[tuple[tuple[str, ...], str, object], ...]:
    """Every field of the schema as (its path's parts, its path, its provenance)."""
    from ..scenario.params import provenance_of
    from ..scenario.schema import walk_fields

    return tuple((tuple(path.split(".")), path, provenance_of(f)) for path, _cls, _name, f in walk_fields())


def schema_path(path: str) -> str | None:
    """The schema's path of a parameter: 'units.guard.loyalty' -> 'units.<id>.loyalty' (None: no such field)."""
    parts = tuple(path.split("."))
    for pattern, generic, _prov in _fields():
        if len(pattern) == len(parts) and all(p == q or p == "<id>" for p, q in zip(pattern, parts, strict=True)):
            return generic
    return None


def default_range(path: str) -> tuple[float, float]:
    """The prior range of ``path`` when the user gives none: its ``assumed`` range in the schema
    (``assumed_parameters()``, the one source of the ranges)."""
    from ..scenario.schema import assumed_parameters

    generic = schema_path(path)
    for p in assumed_parameters():
        if p.path == generic:
            return float(p.low), float(p.high)
    if generic is None:
        raise ScenarioError(f"{path} is not a parameter of the schema", file="<command line>", field="--fit")
    kind = next((getattr(prov, "kind", None) for _parts, g, prov in _fields() if g == generic), None)
    raise ScenarioError(f"{path} is not an assumed parameter (its default is {kind or 'not declared'}), so it has "
                        f"no prior range; give one: --fit {path}=LOW:HIGH or 'range: [low, high]' in the targets "
                        f"file's fit: list", file="<command line>", field="--fit")


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
