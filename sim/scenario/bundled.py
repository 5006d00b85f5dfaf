"""Where the bundled scenarios and worlds live, and their one-line titles.

Kept apart from the loader so that ``regime-sim list`` names the scenarios without importing
the schema (pydantic) or merging each one with its base world: listing is not validating
(``regime-sim validate`` does that).
"""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"


def bundled_scenarios() -> list[Path]:
    """The bundled scenario files, by name."""
    return sorted(SCENARIO_DIR.glob("*.yaml"))


def title_line(path: Path) -> str:
    """A scenario file's title, or the first sentence of its ``description.what_is_it``.

    Read from the file itself (safely, as the loader reads it); raises
    :class:`~sim.scenario.errors.ScenarioError` for a file that cannot be read as a mapping.
    """
    from .errors import ScenarioError
    from .yamlio import read_yaml_file

    data, _ = read_yaml_file(path)
    if not isinstance(data, dict):
        raise ScenarioError("the top level must be a mapping of keys", file=str(path), line=1)
    if data.get("title"):
        return str(data["title"])
    description = data.get("description")
    what = description.get("what_is_it") if isinstance(description, dict) else None
    return str(what).split(".")[0] if what else "(no title or description.what_is_it)"
