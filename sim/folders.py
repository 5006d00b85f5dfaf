"""Checks on an output folder that every command shares (run, sweep): kept apart from
``sim/output.py`` (a run's folder) so that the sweep package need not import it."""

from __future__ import annotations

from pathlib import Path

from .scenario.errors import ScenarioError


def check_out_target(out: Path, option: str = "--out") -> None:
    """Refuse an output path that can never be right: the root folder, or a file."""
    resolved = out.resolve()
    if resolved == resolved.parent:
        raise ScenarioError("refusing to write results into the root folder; expected a folder of its own",
                            file=str(out), field=option)
    if out.exists() and not out.is_dir():
        raise ScenarioError("exists and is not a folder; expected a new or empty folder", file=str(out), field=option)
