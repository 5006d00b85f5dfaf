"""The labelled outcomes a run can end in."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    REGIME_SURVIVES = "regime_survives"
    NEGOTIATED_SETTLEMENT = "negotiated_settlement"
    MUTINY_CRUSHED = "mutiny_crushed"
    MUTINY_TAKES_POWER = "mutiny_takes_power"
    COUP_SUCCEEDS = "coup_succeeds"
    COUP_FAILS = "coup_fails"
    POPULAR_REVOLUTION = "popular_revolution"
    CIVIL_WAR = "civil_war"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    Outcome.REGIME_SURVIVES: "regime survives",
    Outcome.NEGOTIATED_SETTLEMENT: "negotiated settlement",
    Outcome.MUTINY_CRUSHED: "mutiny crushed",
    Outcome.MUTINY_TAKES_POWER: "mutiny takes power",
    Outcome.COUP_SUCCEEDS: "coup succeeds",
    Outcome.COUP_FAILS: "coup fails",
    Outcome.POPULAR_REVOLUTION: "popular revolution",
    Outcome.CIVIL_WAR: "civil war / fragmentation",
}

OUTCOMES: tuple[str, ...] = tuple(o.value for o in Outcome)

#: Who holds the capital after each outcome.
CAPITAL_HOLDER = {
    Outcome.REGIME_SURVIVES: "incumbent",
    Outcome.NEGOTIATED_SETTLEMENT: "incumbent",
    Outcome.MUTINY_CRUSHED: "incumbent",
    Outcome.MUTINY_TAKES_POWER: "mutineers",
    Outcome.COUP_SUCCEEDS: "plotters",
    Outcome.COUP_FAILS: "incumbent",
    Outcome.POPULAR_REVOLUTION: "protesters",
    Outcome.CIVIL_WAR: "contested",
}
