"""Where a result came from: the code's commit and the versions of the stack.

Shared by every writer of a results folder (a run's in ``sim/output.py``, a sweep's in
``sim/sweep/store.py``, the pattern suite's), so that none of them imports another's.
Standard library only: it is imported by lightweight modules.
"""

from __future__ import annotations

import contextlib
import hashlib
import platform
import subprocess
from importlib import metadata
from pathlib import Path

#: the distributions whose versions a result records
PACKAGES = ("regime-sim", "mesa", "numpy", "numba", "pandas", "pyarrow", "pydantic", "matplotlib", "SALib",
            "dask", "distributed")


def git_commit() -> str:
    """The checkout's commit, with '+dirty' if tracked files changed; 'unknown' outside git."""
    here = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=5, check=False)
        dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5, check=False)
        sha = out.stdout.strip()
        return (sha + ("+dirty" if dirty.stdout.strip() else "")) if sha else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def versions() -> dict[str, str]:
    """Python, the platform and the installed versions of :data:`PACKAGES`."""
    out = {"python": platform.python_version(), "platform": platform.platform()}
    for pkg in PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[pkg] = metadata.version(pkg)
    return out


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
