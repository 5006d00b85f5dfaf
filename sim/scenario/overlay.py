"""A calibrated overlay (``--params FILE``): parameter values applied like ``--set`` values.

``regime-sim calibrate`` writes ``calibrated/CASE.yaml``::

    scenario: wagner_mutiny_2023
    params:
      ruler.regime_strength: 0.57   # 90% credible interval 0.41-0.66

``run``, ``sweep`` and ``dashboard`` read it with ``--params FILE``: its values come before
any ``--set`` (so a ``--set`` wins) and land in the manifest with them.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ScenarioError
from .yamlio import read_yaml_file


def overlay_sets(path: str | Path | None) -> list[str]:
    """The overlay's values as ``path=value`` strings (``[]`` for no file)."""
    if path is None:
        return []
    name = str(path)
    data, pos = read_yaml_file(path)
    if not isinstance(data, dict) or not isinstance(data.get("params"), dict):
        raise ScenarioError("expected a mapping with a 'params:' mapping of dotted parameter paths to values",
                            file=name, line=1, field="params")
    out = []
    for key, value in data["params"].items():
        line = pos.get(("params", key), (None, None))[1]
        if not isinstance(key, str) or not key:
            raise ScenarioError("expected a dotted parameter path", file=name, line=line, field="params")
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ScenarioError(f"expected a number, got {value!r}", file=name, line=line, field=f"params.{key}")
        out.append(f"{key}={str(value).lower() if isinstance(value, bool) else value}")
    return out


def overlay_values(path: str | Path | None) -> dict:
    """The overlay's values as a mapping path -> value (for ``load_scenario(path, overrides)``)."""
    from .loader import parse_value

    return {k: parse_value(v) for k, v in (s.split("=", 1) for s in overlay_sets(path))}
