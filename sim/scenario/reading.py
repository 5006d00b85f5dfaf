"""Reading a scenario file and the bases it extends: the first step of loading (``loader.py``).

Kept apart from the loader, which imports the schema (pydantic): reading needs only YAML, so
``regime-sim validate`` can read a file and recognise one it has already found valid
(``verdicts.py``) without building the schema.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from .bundled import DATA_DIR, SCENARIO_DIR
from .errors import ScenarioError, did_you_mean
from .yamlio import Positions, read_yaml_file

#: Data files beside the bundled worlds that are not worlds.
NOT_WORLDS = frozenset({"evidence"})
#: a bundled base is named by a plain word; anything else is a file path ending in .yaml
_BUNDLED_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _resolve_base(name: str, relative_to: Path) -> Path:
    """The file a ``base:`` names: a ``.yaml`` path relative to the scenario's real location
    (a symlinked scenario's base sits beside its target), or a bundled base by plain name."""
    if name.endswith((".yaml", ".yml")):
        cand = (relative_to.resolve().parent / name).resolve()
        if cand.exists():
            return cand
    if _BUNDLED_NAME.match(name) and ".." not in name and name not in NOT_WORLDS:
        bundled = DATA_DIR / f"{name}.yaml"
        # a plain name can only mean a file in the bundled folder, never one reached by a path
        if bundled.exists() and bundled.resolve().parent == DATA_DIR.resolve():
            return bundled
    options = [p.stem for p in DATA_DIR.glob("*.yaml") if p.stem not in NOT_WORLDS]
    raise ScenarioError(f"unknown base '{name}'{did_you_mean(name, options)}; expected the name of a bundled "
                        f"base ({', '.join(sorted(options))}) or a path ending in .yaml")


def _deep_merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            if v is None and k in out and isinstance(out[k], dict):
                out.pop(k)  # `key: null` removes an inherited region or unit
            else:
                out[k] = _deep_merge(out.get(k), v) if k in out else v
        return out
    return over


def read_raw(path: str | Path, _seen: tuple[Path, ...] = ()) -> tuple[dict, Positions]:
    """Read a scenario file and everything it extends; return merged data and positions."""
    p = Path(path)
    data, pos = read_yaml_file(p)
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        raise ScenarioError(f"the top level must be a mapping of keys, got {kind}", file=str(path), line=1)
    base = data.get("base")
    if base is None:
        return data, pos
    if not isinstance(base, str):
        raise ScenarioError(
            "expected the name of a bundled base or a file path",
            file=str(path), line=pos.get(("base",), (None, None))[1], field="base",
        )
    try:
        base_path = _resolve_base(base, p)
    except ScenarioError as err:
        raise ScenarioError(err.message, file=str(path), line=pos[("base",)][1], field="base") from None
    if base_path.resolve() in _seen:
        raise ScenarioError("base files extend each other in a circle", file=str(path), field="base")
    bdata, bpos = read_raw(base_path, _seen + (p.resolve(),))
    bdata.pop("base", None)
    merged = _deep_merge(bdata, data)
    merged_pos = dict(bpos)
    merged_pos.update(pos)
    return merged, merged_pos


def resolve_path(path: str | Path) -> Path:
    """A scenario by path, or a bundled one by name ('wagner_mutiny_2023')."""
    p = Path(path)
    if p.exists() or p.suffix in (".yaml", ".yml") or os.sep in str(path):
        return p
    cand = SCENARIO_DIR / f"{path}.yaml"
    return cand if cand.exists() else p
