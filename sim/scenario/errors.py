"""Errors a user can fix: one line naming the file, the line, the field and what was expected."""

from __future__ import annotations

from collections.abc import Iterable


class ScenarioError(Exception):
    """Bad input. The CLI prints ``str(err)`` and exits with status 2."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.field = field

    def __str__(self) -> str:
        where = self.file or "<scenario>"
        if self.line is not None:
            where += f":{self.line}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' when a close match exists, else ''."""
    import difflib  # only a bad file needs it: not imported by every valid one (issue 13)

    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def dotted(path: Iterable[object]) -> str:
    """('regions', 'Moscow', 'legitimacy') -> 'regions.Moscow.legitimacy'; list items as [i]."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
