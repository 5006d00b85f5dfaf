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

from ..scenario.errors import ScenarioError, did_you_mean, dotted
from ..scenario.yamlio import Positions, read_yaml_file

TARGETS_DIR = Path(__file__).resolve().parents[2] / "targets"

#: measures of ``RegimeModel.measures()`` a target can name, by kind
NUMERIC = {
    "time_to_outcome_h", "peak_protest_share", "emigrants", "mobilized", "arrests",
    "defected_strength_peak", "defected_share_peak", "casualties", "front_losses", "crowd_deaths",
    "final_legitimacy", "final_regime_strength", "budget_spent", "closest_approach_km",
    "aircraft_lost", "airmen_killed",
}
SHARE = {"resolved_before_horizon"}  # a yes/no per run: its share of runs is the statistic
CATEGORICAL = {"outcome", "capital_holder", "ruler_status"}
PER_REGION = ("peak_protest__", "deaths__")  # numeric, one per region
PER_SIDE = ("status__",)  # categorical, one per challenger


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

    @property
    def kind(self) -> str:
        if self.measure in CATEGORICAL or self.measure.startswith(PER_SIDE):
            return "categorical"
        if self.measure in SHARE:
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
    for i, t in enumerate(case.spec.targets):
        m = t.measure
        where = ("targets", i, "measure")
        if m.startswith(PER_REGION):
            region = m.split("__", 1)[1]
            if region not in regions:
                raise case.error(f"no region '{region}' in scenario {scn.name}{did_you_mean(region, regions)}", *where)
        elif m.startswith(PER_SIDE):
            side = m.split("__", 1)[1]
            if side not in sides:
                raise case.error(f"no challenger '{side}' in scenario {scn.name}{did_you_mean(side, sides)}", *where)
        elif m not in NUMERIC | SHARE | CATEGORICAL:
            known = sorted(NUMERIC | SHARE | CATEGORICAL) + [p + "REGION" for p in PER_REGION] + ["status__SIDE"]
            raise case.error(f"the model reports no measure '{m}'{did_you_mean(m, known)}; "
                             f"expected one of {', '.join(known)}", *where)
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
