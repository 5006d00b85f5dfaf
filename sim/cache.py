"""Text that is a pure function of this package's code and data, kept between runs.

``regime-sim schema`` prints the JSON Schema pydantic generates from ``sim/scenario/schema.py``:
importing pydantic, building the models and generating the schema take about 0.5 s, on every
call, for the same text. Like Python's ``__pycache__``, the text is kept (in
``$XDG_CACHE_HOME/regime-sim``, else ``~/.cache/regime-sim``) under a fingerprint of what it is
made from - the size and modification time of every file of the ``sim`` package, Python's and
pydantic's versions - so any change to them makes it again. A cache that cannot be read or
written is only slower; ``REGIME_SIM_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from collections.abc import Callable
from pathlib import Path

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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(f"{kind}-*.txt"):  # made from files that have changed since
            old.unlink(missing_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except (OSError, NameError):
        pass
    return text
