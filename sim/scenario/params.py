"""Declaring a parameter: its default, its unit, and where the default comes from.

Every numeric field of the schema is declared with :func:`param` (or ``prob``/``share``/
``level``) and one *provenance*:

- :func:`sourced` - a source states the figure: an article of ``shared/sources`` by id
  (``"003"``; the figure must appear word for word in it, a test checks) or a publication,
  with where in it (a passage, a page, a table);
- :func:`assumed` - nobody measured it: a plausible range ``(low, high)`` that contains the
  default and lies within the field's bounds (checked here, when the schema is imported), and
  one line of reason. These ranges are the priors of a ``--design priors`` sweep and of
  calibration (``sim.scenario.schema.assumed_parameters``);
- :func:`data` - a fact of the world a scenario file describes (a census figure, a road's
  length, a unit's strength): the world file gives it, with its own comment;
- :func:`setting` - how a run is made, not a claim about the world: a seed, a design's size,
  how often to record.

A field declared without one of these is refused (``TypeError``), so the schema cannot hold a
number nobody decided.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

#: the articles of shared/sources by id (the ids the rules' evidence uses: sim/rules/registry.py)
ARTICLES = {
    "000": "000_f5c5f17171ba8404.txt",
    "001": "001_839f98b4d57bc0ff.txt",
    "002": "002_7514514b10aa0c6e.txt",
    "003": "003_b7335ba761d12d3a.txt",
    "004": "004_f45b4491d2ae47d5.txt",
}


@dataclass(frozen=True)
class Sourced:
    """The default is a figure a source states."""

    source: str  #: an article id of ARTICLES, or a publication ("Epstein (2002) PNAS 99(suppl 3)")
    figure: str  #: the figure as the source states it (for an article: its words, verbatim)
    where: str  #: where in the source: the passage, page, table or run
    kind: Literal["sourced"] = "sourced"

    @property
    def is_article(self) -> bool:
        return self.source in ARTICLES

    def text(self) -> str:
        src = f"article {self.source}" if self.is_article else self.source
        return f"sourced: {src}, {self.where}: \"{self.figure}\""


@dataclass(frozen=True)
class Assumed:
    """Nobody measured the default: a plausible range and the reason for it."""

    low: float
    high: float
    reason: str
    kind: Literal["assumed"] = "assumed"

    def text(self) -> str:
        return f"assumed, range {_num(self.low)}-{_num(self.high)}: {self.reason}"


@dataclass(frozen=True)
class Data:
    """A value of the world a scenario file describes (no model default to decide)."""

    reason: str
    kind: Literal["data"] = "data"

    def text(self) -> str:
        return f"data: {self.reason}"


@dataclass(frozen=True)
class Setting:
    """How a run or a sweep is made (a seed, a design's size, recording), not a claim about the world."""

    reason: str
    kind: Literal["setting"] = "setting"

    def text(self) -> str:
        return f"setting: {self.reason}"


Provenance = Sourced | Assumed | Data | Setting
PROVENANCE_KINDS = ("sourced", "assumed", "data", "setting")


def sourced(source: str, figure: str, where: str) -> Sourced:
    """A figure a source states: ``sourced("001", "officially announced 300,000", "on the call-up")``."""
    if not (source.strip() and figure.strip() and where.strip()):
        raise ValueError("sourced() needs a source, the figure as stated and where it is stated")
    return Sourced(source, figure, where)


def assumed(low: float, high: float, reason: str) -> Assumed:
    """An assumption with its plausible range ``[low, high]`` and one line of reason."""
    if not reason.strip():
        raise ValueError("assumed() needs a reason")
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"assumed() needs a finite range low < high, got ({low}, {high})")
    return Assumed(float(low), float(high), reason)


def data(reason: str) -> Data:
    return Data(reason)


def setting(reason: str) -> Setting:
    return Setting(reason)


def _num(x: float) -> str:
    return f"{x:g}"


def _check_range(default: Any, prov: Assumed, constraints: dict[str, Any]) -> None:
    """The range contains the default and lies within the field's bounds."""
    if not isinstance(default, int | float) or isinstance(default, bool):
        raise ValueError(f"an assumed range needs a numeric default, got {default!r}")
    if not prov.low <= default <= prov.high:
        raise ValueError(f"default {default} lies outside its assumed range [{prov.low}, {prov.high}]")
    for key, ok in (("ge", lambda b: prov.low >= b), ("gt", lambda b: prov.low > b),
                    ("le", lambda b: prov.high <= b), ("lt", lambda b: prov.high < b)):
        if key in constraints and not ok(constraints[key]):
            raise ValueError(f"assumed range [{prov.low}, {prov.high}] breaks the field's bound {key} {constraints[key]}")


def param(
    default: Any,
    unit: str,
    provenance: Provenance,
    description: str = "",
    **constraints: Any,
) -> Any:
    """A pydantic field with a unit and the provenance of its default, exported to JSON Schema
    (``unit``, ``source``, ``provenance``, ``range``) and to ``docs/parameters.md``."""
    if not isinstance(provenance, Sourced | Assumed | Data | Setting):
        raise TypeError(f"a parameter's provenance must be sourced(), assumed(), data() or setting(), "
                        f"got {provenance!r}")
    if default is ... and not isinstance(provenance, Data):
        raise TypeError("a required field (no default) is world data: declare it with data()")
    if isinstance(provenance, Assumed):
        _check_range(default, provenance, constraints)
    extra: dict[str, Any] = {"unit": unit, "source": provenance.text(), "provenance": provenance.kind}
    if isinstance(provenance, Assumed):
        extra["range"] = [provenance.low, provenance.high]
        extra["reason"] = provenance.reason
    elif isinstance(provenance, Sourced):
        extra["cite"] = {"source": provenance.source, "figure": provenance.figure, "where": provenance.where}
    else:
        extra["reason"] = provenance.reason
    return Field(default, description=description, json_schema_extra=extra, **constraints)


def prob(default: float, provenance: Provenance, description: str = "") -> Any:
    """A probability in [0, 1]."""
    return param(default, "probability", provenance, description, ge=0.0, le=1.0)


def share(default: float, provenance: Provenance, description: str = "") -> Any:
    """A share of a whole in [0, 1]."""
    return param(default, "share", provenance, description, ge=0.0, le=1.0)


def level(default: float, provenance: Provenance, description: str = "") -> Any:
    """A dimensionless level on the model's 0-1 utility scale."""
    return param(default, "level 0-1", provenance, description, ge=0.0, le=1.0)


# ----------------------------------------------------------------------------- reading it back
def provenance_of(field: Any) -> Provenance | None:
    """The provenance a schema field was declared with (None: not declared with ``param``)."""
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    kind = extra.get("provenance")
    if kind == "assumed":
        return Assumed(*extra["range"], extra["reason"])
    if kind == "sourced":
        c = extra["cite"]
        return Sourced(c["source"], c["figure"], c["where"])
    if kind == "data":
        return Data(extra["reason"])
    if kind == "setting":
        return Setting(extra["reason"])
    return None


def provenance_label(extra: dict) -> tuple[str, str]:
    """(short label, full text) of a field's provenance from its schema extras, for tables."""
    kind = extra.get("provenance")
    if kind is None:
        return "-", ""
    if kind == "assumed":
        lo, hi = extra["range"]
        return f"assumed ({_num(lo)}-{_num(hi)})", extra["reason"]
    if kind == "sourced":
        c = extra["cite"]
        src = f"article {c['source']}" if c["source"] in ARTICLES else c["source"].split(")")[0] + (
            ")" if "(" in c["source"] else "")
        return f"sourced: {src}", extra["source"]
    return kind, extra.get("reason", "")
