"""Observed targets for a case, as data: ``targets/CASE.yaml`` beside the scenarios.

A targets file names its scenario, lists what happened (each target: a measure the model
reports, the observed value or interval, and its source) and, optionally, the parameters to fit
and their ranges::

    case: wagner_mutiny_2023
    scenario: wagner_mutiny_2023        # a bundled name, or a path relative to this file
    replications: 4                      # runs per particle (outcomes are discrete)
    targets:
      - measure: outcome
        observed: negotiated_settlement
        source: {article: "003", quote: "in exchange for a dubious deal of security guarantees"}
      - measure: closest_approach_km
        observed: [150, 250]
        source: {article: "003", quote: "on the way to Moscow with 200 km remaining"}
    fit:
      - path: ruler.regime_strength
        range: [0.3, 0.9]

Bad input (an unknown measure, low > high, no targets, a range outside a parameter's domain)
raises :class:`ScenarioError` naming the file, the line and the field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..measures import NUMERIC as MEASURE_NUMBERS
from ..measures import PER_REGION as REGION_MEASURES
from ..scenario.errors import ScenarioError, did_you_mean, dotted
from ..scenario.yamlio import Positions, read_yaml_file

TARGETS_DIR = Path(__file__).resolve().parents[2] / "targets"

#: measures of ``RegimeModel.measures()`` a target can name, by kind
NUMERIC = set(MEASURE_NUMBERS)  # sim/measures.py: the one list
SHARE = {"resolved_before_horizon"}  # a yes/no per run: its share of runs is the statistic
CATEGORICAL = {"outcome", "capital_holder", "ruler_status"}
#: numeric, one per region: the run's per-region measures (``sim/measures.py``, ``deaths__Moscow``)
PER_REGION = tuple(f"{base}__" for base in REGION_MEASURES)
PER_SIDE = ("status__",)  # categorical, one per challenger
#: measures read from a finished run's series (see :func:`derived_measures`), not its end:
#: ``NAME@HOURS``, a running total at that hour of the run (``arrests@24``: detentions in the
#: first day), and ``peak_protesters__REGION``, the most people in a region's streets at once
AT_HOUR = {"arrests": "arrests", "emigrants": "emigrated", "mobilized": "mobilized", "casualties": "casualties",
           "crowd_deaths": "crowd_deaths"}
DERIVED_PER_REGION = ("peak_protesters__",)
#: a comparison of two numeric measures ("peak_protesters__Moscow > peak_protesters__Dagestan"):
#: true or false in each run, and its share of runs is the statistic
COMPARISONS = (" > ", " < ")


def comparison(measure: str) -> tuple[str, str, str] | None:
    """'A > B' -> (A, '>', B); None for a plain measure."""
    for op in COMPARISONS:
        if op in measure:
            a, b = measure.split(op, 1)
            return a.strip(), op.strip(), b.strip()
    return None


def at_hour(measure: str) -> tuple[str, float] | None:
    """'arrests@24' -> ('arrests', 24.0); None for a measure without an hour."""
    if "@" not in measure:
        return None
    name, _, hour = measure.partition("@")
    try:
        return name.strip(), float(hour)
    except ValueError:
        return None


def derived_names(measures: list[str]) -> set[str]:
    """The measures among ``measures`` (comparisons split) that are read from a run's series."""
    out = set()
    for m in measures:
        parts = comparison(m)
        for name in (parts[0], parts[2]) if parts else (m,):
            if at_hour(name) is not None or name.startswith(DERIVED_PER_REGION):
                out.add(name)
    return out


def derived_measures(model: Any, names: set[str]) -> dict[str, float]:
    """The values of ``names`` (see :data:`AT_HOUR`, :data:`DERIVED_PER_REGION`) from a finished run."""
    if not names:
        return {}
    frame = model.rows.frame()
    out: dict[str, float] = {}
    for name in names:
        hour = at_hour(name)
        if hour is not None:
            col = AT_HOUR[hour[0]]
            upto = frame[frame["hour"] <= hour[1] + 1e-9]
            out[name] = float(upto[col].iloc[-1]) if len(upto) else 0.0
        else:
            region = name.split("__", 1)[1]
            pop = model.regions[region].population
            stayers = pop - frame[f"emigrated__{region}"] - frame[f"mobilized__{region}"]
            out[name] = float((frame[f"protest__{region}"] * stayers.clip(lower=0.0)).max())
    return out


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Strict):
    """Where the observed value comes from: an article of shared/sources with a quote, or a publication."""

    article: str | None = None
    quote: str | None = None
    publication: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Source:
        if self.publication is None and not (self.article and self.quote):
            raise ValueError("give 'article' and 'quote', or 'publication'")
        return self

    def text(self) -> str:
        if self.article:
            return f'article {self.article}: "{self.quote}"' + (f" ({self.publication})" if self.publication else "")
        return str(self.publication)


class Target(_Strict):
    measure: str
    observed: float | bool | str | list[float] = Field(
        description="a number, [low, high], true/false, or a label (outcome, status)")
    source: Source
    scale: Literal["linear", "log"] = Field("linear", description="log: compare log10(1 + value)")
    if_missing: float | None = Field(None, description="the value to use when a run has no value (NaN)")
    note: str = ""

    @model_validator(mode="after")
    def _interval(self) -> Target:
        if isinstance(self.observed, list):
            if len(self.observed) != 2:
                raise ValueError("an observed interval is [low, high]")
            low, high = self.observed
            if not (math.isfinite(low) and math.isfinite(high)):
                raise ValueError("an observed interval must be finite")
            if low > high:
                raise ValueError(f"observed interval has low {low:g} > high {high:g}")
        return self

    share: list[float] | None = Field(
        None, description="for a label or a yes/no: the observed share of runs, [low, high] (a stylized "
        "fact about an ensemble, e.g. the share of coup attempts that succeed), instead of every run")

    @model_validator(mode="after")
    def _share(self) -> Target:
        if self.share is not None and (len(self.share) != 2 or not 0.0 <= self.share[0] <= self.share[1] <= 1.0):
            raise ValueError("a share is [low, high] with 0 <= low <= high <= 1")
        return self

    @property
    def kind(self) -> str:
        if self.measure in CATEGORICAL or self.measure.startswith(PER_SIDE):
            return "categorical"
        if self.measure in SHARE or comparison(self.measure) is not None:
            return "share"
        return "numeric"

    @property
    def interval(self) -> tuple[float, float] | None:
        if isinstance(self.observed, list):
            return float(self.observed[0]), float(self.observed[1])
        return None


class FitParam(_Strict):
    path: str
    range: list[float] | None = None
    shared: bool | None = Field(None, description="fitted jointly with every other case that has it (default: "
                                "yes for elites.* and public.*, behaviour; no for the parts of the case's world)")

    @model_validator(mode="after")
    def _range(self) -> FitParam:
        if self.range is not None:
            if len(self.range) != 2:
                raise ValueError("a range is [low, high]")
            if not self.range[0] < self.range[1]:
                raise ValueError(f"range has low {self.range[0]:g} >= high {self.range[1]:g}")
        return self


class TargetsFile(_Strict):
    case: str
    scenario: str
    replications: int = Field(1, ge=1, le=100, description="runs per particle")
    targets: list[Target]
    fit: list[FitParam] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some(self) -> TargetsFile:
        if not self.targets:
            raise ValueError("the case has no targets; expected at least one")
        return self


@dataclass
class Case:
    """A targets file, read and checked against its scenario."""

    name: str
    file: str
    spec: TargetsFile
    scenario_path: Path
    pos: Positions

    def line(self, *path: Any) -> int | None:
        p = tuple(path)
        while p:
            if p in self.pos:
                return self.pos[p][1]
            p = p[:-1]
        return None

    def error(self, message: str, *path: Any) -> ScenarioError:
        return ScenarioError(message, file=self.file, line=self.line(*path), field=dotted(path))


def resolve_case(name: str) -> Path:
    """A case by path, or a bundled one by name ('wagner_mutiny_2023' -> targets/wagner_mutiny_2023.yaml)."""
    p = Path(name)
    if p.exists() or p.suffix in (".yaml", ".yml"):
        return p
    cand = TARGETS_DIR / f"{name}.yaml"
    if cand.exists():
        return cand
    known = [q.stem for q in TARGETS_DIR.glob("*.yaml")]
    raise ScenarioError(f"no targets file for case '{name}'{did_you_mean(name, known)}; "
                        f"expected a file or one of: {', '.join(sorted(known))}", file="<command line>")


def read_case(name: str) -> Case:
    """Read and check a targets file (schema, then the measures against its scenario)."""
    path = resolve_case(name)
    file = str(path)
    data, pos = read_yaml_file(path)
    if not isinstance(data, dict):
        raise ScenarioError("the top level must be a mapping with case, scenario and targets", file=file, line=1)
    if not data.get("targets"):
        line = pos.get(("targets",), pos.get((), (None, 1)))[1]
        raise ScenarioError("the case has no targets; expected a 'targets:' list of at least one",
                            file=file, line=line, field="targets")
    try:
        spec = TargetsFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p[0].isupper() or p in (
            "float", "bool", "str", "list[float]", "function-after")))
        line = None
        p = loc
        while p:
            if p in pos:
                line = pos[p][1]
                break
            p = p[:-1]
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif err["type"] == "missing":
            msg = "required, missing"
        raise ScenarioError(msg, file=file, line=line, field=dotted(loc)) from None
    scn_path = Path(spec.scenario)
    if not scn_path.exists():
        rel = path.parent / spec.scenario
        from ..scenario.loader import resolve_path

        scn_path = rel if rel.exists() else resolve_path(spec.scenario)
    if not scn_path.exists():
        raise ScenarioError(f"no scenario '{spec.scenario}' (a bundled name or a path relative to this file)",
                            file=file, line=pos.get(("scenario",), (None, None))[1], field="scenario")
    case = Case(name=spec.case, file=file, spec=spec, scenario_path=scn_path, pos=pos)
    return case


def check_measures(case: Case, scn: Any) -> None:
    """Every target names a measure this scenario's model reports, with an observed value of its kind."""
    from ..model.outcomes import Outcome

    regions = set(scn.regions)
    sides = set(scn.challengers)
    known = (sorted(NUMERIC | SHARE | CATEGORICAL) + [p + "REGION" for p in PER_REGION + DERIVED_PER_REGION]
             + ["status__SIDE"] + [f"{n}@HOURS" for n in AT_HOUR] + ["A > B (two numbers)"])

    def check(m: str, where: tuple, numeric: bool = False) -> None:
        hour = at_hour(m)
        if m.startswith(PER_REGION + DERIVED_PER_REGION):
            region = m.split("__", 1)[1]
            if region not in regions:
                raise case.error(f"no region '{region}' in scenario {scn.name}{did_you_mean(region, regions)}", *where)
        elif m.startswith(PER_SIDE) and not numeric:
            side = m.split("__", 1)[1]
            if side not in sides:
                raise case.error(f"no challenger '{side}' in scenario {scn.name}{did_you_mean(side, sides)}", *where)
        elif hour is not None:
            if hour[0] not in AT_HOUR:
                raise case.error(f"the model keeps no running total '{hour[0]}' by the hour; expected one of "
                                 f"{', '.join(AT_HOUR)}", *where)
            if hour[1] < 0:
                raise case.error(f"the hour of {m} is before the run starts; expected 0 or later", *where)
        elif m not in (NUMERIC if numeric else NUMERIC | SHARE | CATEGORICAL):
            raise case.error(f"the model reports no {'number ' if numeric else ''}measure '{m}'"
                             f"{did_you_mean(m, known)}; expected one of {', '.join(known)}", *where)

    for i, t in enumerate(case.spec.targets):
        m = t.measure
        where = ("targets", i, "measure")
        parts = comparison(m)
        if parts is not None:
            check(parts[0], where, numeric=True)
            check(parts[2], where, numeric=True)
        else:
            check(m, where)
        if t.share is not None and t.kind == "numeric":
            raise case.error(f"{m} is a number; 'share' is for a label or a yes/no", "targets", i, "share")
        ow = ("targets", i, "observed")
        if t.kind == "categorical":
            if not isinstance(t.observed, str):
                raise case.error(f"{m} is a label; expected its observed label, got {t.observed!r}", *ow)
            if m == "outcome" and t.observed not in {o.value for o in Outcome}:
                labels = [o.value for o in Outcome]
                raise case.error(f"unknown outcome '{t.observed}'{did_you_mean(t.observed, labels)}", *ow)
        elif t.kind == "share":
            if not isinstance(t.observed, bool):
                raise case.error(f"{m} is yes or no; expected true or false, got {t.observed!r}", *ow)
        elif isinstance(t.observed, bool | str):
            raise case.error(f"{m} is a number; expected a number or [low, high], got {t.observed!r}", *ow)
