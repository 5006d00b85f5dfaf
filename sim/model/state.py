"""Small state objects the model keeps besides its agents, and the clock format."""

from __future__ import annotations

from dataclasses import dataclass, field

from .geography import Traveller


def clock(hour: float) -> str:
    """Hour 30.5 -> 'day 2 06:30' (day 1 starts at hour 0)."""
    day = int(hour // 24) + 1
    minutes = int(round((hour - (day - 1) * 24) * 60))
    if minutes >= 24 * 60:
        day, minutes = day + 1, minutes - 24 * 60
    return f"day {day} {minutes // 60:02d}:{minutes % 60:02d}"


@dataclass
class Challenge:
    """An open challenge to the ruler: a mutiny, a coup or a revolution."""

    kind: str  # "mutiny" | "coup" | "revolution"
    leader: str
    started: float
    faction: str | None = None  # the faction whose chain of command leads it (mutiny)
    offer: float = 0.0  # what it offers defectors
    column: Traveller | None = None
    column_start: float = 0.0  # column strength when it set out
    seize: float = 0.0  # coup: progress toward holding the capital's sites (0..1)
    holds_capital: bool = False
    broadcasts: bool = False
    hold_hours: float = 0.0
    split_hours: float = 0.0
    fight_hours: float = 0.0
    quiet_hours: float = 0.0
    plotters_start: float = 0.0

    @property
    def name(self) -> str:
        return {"mutiny": f"{self.leader}'s mutiny", "coup": "the coup",
                "revolution": "the protest movement"}[self.kind]


@dataclass
class MobilizationState:
    target: float
    duration_days: float
    evasion: float
    started: float
    drafted: float = 0.0
    ended: float | None = None

    @property
    def active(self) -> bool:
        return self.ended is None


@dataclass
class Incursion:
    """Armed raiders inside a region (the Belgorod raid)."""

    region: str
    strength: float
    until: float
    label: str = "armed opposition"


@dataclass
class LogEntry:
    hour: float
    kind: str
    actor: str
    region: str
    text: str
    label: str = ""  # a short label for figures; empty: not annotated


@dataclass
class EventLog:
    entries: list[LogEntry] = field(default_factory=list)

    def add(self, hour: float, kind: str, text: str, actor: str = "", region: str = "",
            label: str = "") -> None:
        self.entries.append(LogEntry(hour, kind, actor, region, text, label))
