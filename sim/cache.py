"""Results that are a pure function of this package's code and data (and of their input), kept
between runs.

``regime-sim schema`` prints the JSON Schema pydantic generates from ``sim/scenario/schema.py``:
importing pydantic, building the models and generating the schema take about 0.5 s, on every
call, for the same text. Like Python's ``__pycache__``, the text is kept (in
``$XDG_CACHE_HOME/regime-sim``, else ``~/.cache/regime-sim``) under a fingerprint of what it is
made from - the size and modification time of every file of the ``sim`` package, Python's and
pydantic's versions - so any change to them makes it again. :func:`remember` and :func:`recall`
keep values by key the same way (``regime-sim validate``'s verdicts, ``sim/scenario/verdicts.py``).
A cache that cannot be read or written is only slower; ``REGIME_SIM_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent


def cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "regime-sim"


def _stamp(path: Path | str) -> str:
    st = os.stat(path)
    return f"{st.st_size}:{st.st_mtime_ns}"


def fingerprint(kind: str) -> str:
    """A hash of what ``kind``'s text is made from: every file of the package (code and data),
    Python's version, and the installed pydantic (its files' stamps)."""
    h = hashlib.sha256(f"{kind}\0{sys.version}\0".encode())
    for dirpath, dirnames, filenames in os.walk(PACKAGE):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".py", ".yaml", ".yml", ".json")):
                path = os.path.join(dirpath, name)
                h.update(f"{os.path.relpath(path, PACKAGE)}\0{_stamp(path)}\0".encode())
    for dist in ("pydantic", "pydantic_core"):
        spec = importlib.util.find_spec(dist)
        if spec is not None and spec.origin:
            h.update(f"{dist}\0{_stamp(spec.origin)}\0".encode())
    return h.hexdigest()[:24]


def cached_text(kind: str, make: Callable[[], str]) -> str:
    """``make()``, or the text it gave last time if nothing it depends on has changed since."""
    if os.environ.get("REGIME_SIM_NO_CACHE"):
        return make()
    try:
        path = cache_dir() / f"{kind}-{fingerprint(kind)}.txt"
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    text = make()
    with contextlib.suppress(OSError, NameError):  # NameError: no path, the cache's folder is unknown
        _replace(path, text, f"{kind}-*.txt")
    return text


def _replace(path: Path, text: str, stale: str) -> None:
    """Write ``path`` whole (a reader never sees half of it), first removing the files matching
    ``stale`` beside it: made from files that have changed since."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob(stale):
        if old != path:
            old.unlink(missing_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _table(kind: str) -> Path:
    return cache_dir() / f"{kind}-{fingerprint(kind)}.json"


def _read_table(path: Path) -> dict:
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return table if isinstance(table, dict) else {}


def table(kind: str) -> Path | None:
    """Where the values of ``kind`` are kept for the present code (None: the cache is off, or a
    file of the package went while it was fingerprinted): for a caller that recalls and then
    remembers, so that the package is fingerprinted once (``sim/scenario/verdicts.py``)."""
    if os.environ.get("REGIME_SIM_NO_CACHE"):
        return None
    try:
        return _table(kind)
    except OSError:
        return None


def recall(kind: str, key: str, table: Path | None = None) -> Any:
    """The value :func:`remember` kept under ``key`` for the present code, or None (``table``:
    :func:`table`'s answer, if the caller has it)."""
    if os.environ.get("REGIME_SIM_NO_CACHE"):
        return None
    try:
        return _read_table(table or _table(kind)).get(key)
    except OSError:  # a file of the package went while it was fingerprinted
        return None


def remember(kind: str, key: str, value: Any, keep: int = 256, table: Path | None = None) -> None:
    """Keep ``value`` (plain JSON data) under ``key`` for the present code, with the ``keep``
    keys of ``kind`` kept most recently (``table``: as for :func:`recall`). Two processes
    remembering at once may lose one key."""
    if os.environ.get("REGIME_SIM_NO_CACHE"):
        return
    try:
        path = table or _table(kind)
        table = _read_table(path)
        table.pop(key, None)
        table[key] = value
        _replace(path, json.dumps(dict(list(table.items())[-keep:])), f"{kind}-*.json")
    except OSError:
        pass
