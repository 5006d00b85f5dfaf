"""Text from a scenario is data: made safe for the terminal and for file names.

A scenario's name, title, region names and event texts come from a file anyone can write.
Printed with rich, ``[/bold]`` in a title is markup (a MarkupError, or styling the user did
not ask for) and an ANSI escape reaches the terminal raw; used as a folder name, ``/`` and
``..`` leave ``results/``. Figures get the same treatment through ``text.parse_math: False``
(``sim/plots/style.py``).
"""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 control characters (ESC starts ANSI sequences), DEL, and the bidi overrides that
# can make a terminal line read differently from what it holds
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?")


def plain(text: object) -> str:
    """``text`` without ANSI escape sequences or control characters (tabs and newlines kept)."""
    return _CONTROL.sub("", _ANSI.sub("", str(text)))


def terminal(text: object) -> str:
    """``text`` ready to print with rich markup on: no escapes, no control characters, and
    square brackets that print as themselves."""
    from rich.markup import escape  # here: `validate` prints without rich (sim/quick.py)

    return escape(plain(text))


def slug(text: object, default: str = "scenario", max_len: int = 80) -> str:
    """A safe file or folder name: letters, digits, '.', '_' and '-' only, never '.' or '..'.

    'Wagner / mutiny [test]' -> 'Wagner-mutiny-test'; '../../x' -> 'x'.
    """
    norm = unicodedata.normalize("NFKD", plain(text)).encode("ascii", "ignore").decode()
    out = re.sub(r"[^A-Za-z0-9._-]+", "-", norm)
    out = re.sub(r"-{2,}", "-", out).strip("-.")[:max_len].strip("-.")
    return out or default


def param_stem(path: str) -> str:
    """A parameter path as part of a file name: 'regions.Moscow.legitimacy' ->
    'regions_Moscow_legitimacy'. Anything but letters, digits, '_' and '-' (a '/' in a region's
    name, which made a subfolder the report then missed) becomes '_'."""
    flat = path.replace("[", "").replace("]", "").replace(".", "_")
    return re.sub(r"[^A-Za-z0-9_-]+", "_", flat)
