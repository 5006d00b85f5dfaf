"""The dashboard's server process: solara's own ``run`` command with two guards.

``regime-sim dashboard`` starts this module (``python -m sim.dashboard.serve run ...``):

- it dies with the command that started it: a parent-death signal (Linux ``prctl``), so a
  ``kill -9`` of the command, or its crash, never leaves a server running with parent 1;
- its asset proxy never goes to the network: solara fetches a front-end file it does not find
  in its cache from a CDN (a DNS lookup, then a download); here a missing file is a 404 at
  once. The cache is filled once, beforehand, by ``python -m sim.dashboard.assets``.
"""

from __future__ import annotations

import os
import signal
import sys

#: the command's pid, passed by ``sim/dashboard/cli.py``: if it is already gone when the guard is
#: set up, the parent-death signal would never come, so the server must not start at all
PARENT_ENV = "REGIME_SIM_DASHBOARD_PARENT"
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies (Linux only; a no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # here, not at the top: every command imports this module for PARENT_ENV

    libc = ctypes.CDLL(None, use_errno=True)
    # SIGKILL, not SIGTERM: with no command left to stop it, a graceful stop that waits for an
    # open browser session would keep the server alive
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return
    expected = os.environ.get(PARENT_ENV)
    if expected and os.getppid() != int(expected):  # the parent died before the guard was set
        os._exit(1)


class AssetNotCached(FileNotFoundError):
    """A front-end file the proxy was asked for is not in the cache."""


def offline_asset_proxy() -> None:
    """Make solara's asset proxy serve only its cache: an uncached file is a 404, no request."""
    from solara.server import cdn_helper

    def fetch_from_cdn(url: str) -> bytes:
        raise AssetNotCached(f"{url} is not in the asset cache, and the dashboard never fetches at run time "
                             "(fill the cache with: python -m sim.dashboard.assets)")

    cdn_helper.fetch_from_cdn = fetch_from_cdn


def main() -> None:
    die_with_parent()
    offline_asset_proxy()
    from solara.__main__ import main as solara_main

    sys.argv = ["solara", *sys.argv[1:]]
    solara_main()


if __name__ == "__main__":
    main()
