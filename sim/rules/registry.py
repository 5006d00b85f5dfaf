"""The rule registry: every behavioural rule with its evidence.

A rule is a small pure function decorated with :func:`rule`. The decorator records an id,
a one-line statement, the mechanism of ``DESIGN.md`` it belongs to, the passages of the
source articles that motivate it (file name and an exact quote, checked by a test), the
literature it takes its form from, and what switching it off does. ``docs/rules.md`` is
generated from this registry (``regime-sim rules --markdown``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SOURCES = {
    "000": "000_f5c5f17171ba8404.txt",
    "001": "001_839f98b4d57bc0ff.txt",
    "002": "002_7514514b10aa0c6e.txt",
    "003": "003_b7335ba761d12d3a.txt",
    "004": "004_f45b4491d2ae47d5.txt",
}

MECHANISMS = (
    "social contract",
    "exit versus voice",
    "regional asymmetry",
    "blame and purge",
    "rivalry and attrition",
    "mutiny",
    "defection for pay and immunity",
    "inside coup",
    "protest",
    "coordination",
    "regime response",
    "combat",
    "repression",
    "bargaining",
    "multiple sovereignty",
)


#: how a rule's ``direction`` says what switching it off does to a quantity the audit measures
DIRECTIONS = ("higher", "lower")

GRADES = ("states", "context")  # the source says the behaviour happens | it only sets the scene


@dataclass(frozen=True)
class Evidence:
    source: str  # key of SOURCES, e.g. "003"
    quote: str  # exact words from the article (a test checks they are there)
    grade: str = ""  # one of GRADES ("" when the YAML gives none: a test fails on it)

    @property
    def file(self) -> str:
        return SOURCES[self.source]


@functools.cache
def _evidence_table() -> dict[str, tuple[Evidence, ...]]:
    """The cited passages, kept as data in ``sim/data/evidence.yaml`` (rule id -> passages)."""
    import yaml

    text = (Path(__file__).resolve().parent.parent / "data" / "evidence.yaml").read_text(encoding="utf-8")
    # libyaml's loader when PyYAML has it: the same data, 20 times faster (`regime-sim rules` reads
    # the whole file to print its table)
    raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    return {rid: tuple(Evidence(str(e["source"]), str(e["quote"]), str(e.get("grade") or ""))
                      for e in (items or ()))
            for rid, items in raw.items()}


@dataclass(frozen=True)
class Rule:
    id: str
    statement: str
    mechanism: str
    literature: tuple[str, ...]
    when_off: str
    func: Callable[..., Any] = field(compare=False, repr=False)
    #: what the ``when_off`` text implies, as ``"<outcome or measure>: higher|lower"`` (the
    #: rule off against on, on the same seeds); ``regime-sim audit`` tests it
    direction: str = ""

    @property
    def stated_effect(self) -> tuple[str, str]:
        """(quantity, 'higher' or 'lower') from ``direction``; ValueError if it is missing or malformed."""
        target, sep, sign = self.direction.partition(":")
        target, sign = target.strip(), sign.strip()
        if not sep or not target or sign not in DIRECTIONS:
            raise ValueError(f"rule {self.id} states no direction for when it is off (expected "
                             f"direction='<outcome or measure>: higher|lower', got {self.direction!r})")
        return target, sign

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """The passages of the sources this rule cites (empty: literature only)."""
        return _evidence_table().get(self.id, ())

    @property
    def literature_only(self) -> bool:
        """No cited passage states the rule's behaviour (only `context` passages, or none)."""
        return not any(e.grade == "states" for e in self.evidence)

    @property
    def where(self) -> str:
        fn = getattr(self.func, "py_func", self.func)
        return f"{fn.__module__}.{fn.__name__}"


RULES: dict[str, Rule] = {}


def rule(
    id: str,
    *,
    statement: str,
    mechanism: str,
    literature: list[str] | None = None,
    when_off: str,
    direction: str = "",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a rule function. Its passages of the sources live in ``sim/data/evidence.yaml``."""
    if mechanism not in MECHANISMS:
        raise ValueError(f"unknown mechanism {mechanism!r}")

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        if id in RULES:
            raise ValueError(f"rule {id!r} registered twice")
        RULES[id] = Rule(
            id=id,
            statement=statement,
            mechanism=mechanism,
            literature=tuple(literature or ()),
            when_off=when_off,
            func=fn,
            direction=direction,
        )
        return fn

    return deco


class _Answers(dict):
    """rule id -> whether it is on, filled by asking :meth:`RuleSwitch.on` the first time a rule
    is looked up (so whoever traces ``on`` still sees every rule a run asks about)."""

    def __init__(self, switch: RuleSwitch) -> None:
        super().__init__()
        self._switch = switch

    def __missing__(self, rule_id: str) -> bool:
        self[rule_id] = answer = self._switch.on(rule_id)
        return answer


class RuleSwitch:
    """Which rules are on in a run: ``switch.on('units.stance_choice')``; in hot loops
    ``switch.is_on['units.stance_choice']`` (the same answer, remembered: a dict lookup)."""

    def __init__(self, disabled: list[str] | tuple[str, ...] = ()) -> None:
        unknown = [r for r in disabled if r not in RULES]
        if unknown:
            raise KeyError(f"unknown rules: {unknown}")
        self.disabled = frozenset(disabled)
        self.is_on: dict[str, bool] = _Answers(self)

    def on(self, rule_id: str) -> bool:
        if rule_id not in RULES:  # a typo in the model must not silently switch a rule off
            raise KeyError(rule_id)
        return rule_id not in self.disabled
