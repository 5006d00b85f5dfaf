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


#: A challenger's status. ``dormant``: not (or no longer) challenging; ``active``: a challenge
#: under way; the rest are endings.
CHALLENGER_STATUSES = ("dormant", "active", "won", "settled", "crushed", "gave_up")
#: The ruler's status.
RULER_STATUSES = ("in_office", "isolated", "resigned", "fled", "captured", "deposed", "dead")


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
    """Armed raiders inside a region."""

    region: str
    strength: float
    until: float
    side: int | None = None  # the side the raiders fight for (None: their own)
    label: str = "armed raiders"


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


@dataclass
class Ending:
    """How a challenge ended: its side, its status, and when."""

    side: int
    status: str
    hour: float
    reason: str


__all__ = ["clock", "MobilizationState", "Incursion", "LogEntry", "EventLog", "Ending", "Traveller",
           "CHALLENGER_STATUSES", "RULER_STATUSES"]
