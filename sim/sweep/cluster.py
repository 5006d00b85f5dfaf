"""Dask for sweeps: a local cluster whose workers start warm, or a running scheduler.

Either way every worker has imported the model and loaded its compiled kernels before the
first batch reaches it (:class:`Warm`, and ``sim.sweep.warm`` as the workers' preload), so a
task's time is the runs' time. Only :mod:`sim.sweep.execute` imports this module, and only
for ``--executor dask``: a sweep on the process pool never imports Dask.
"""

from __future__ import annotations

import multiprocessing

from ..scenario.errors import ScenarioError

try:
    import dask
    from dask.distributed import Client, LocalCluster
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # the cluster extra is not installed: say so when Dask is asked for
    WorkerPlugin = object  # type: ignore[assignment,misc]
    dask = None  # type: ignore[assignment]

# Dask's statistical profiler samples each worker's thread every few milliseconds and its
# monitors tick many times a second: a sweep needs neither, and on a small machine they cost
# a fifth to a third of the work
QUIET = {"distributed.worker.profile.enabled": False,
         "distributed.admin.tick.interval": "1s",
         "distributed.admin.system-monitor.interval": "5s",
         "distributed.worker.memory.monitor-interval": "2s"}

# what a local worker's fork server imports once for every worker it forks
FORKSERVER_PRELOAD = ["distributed", "sim.sweep.warm"]


class Warm(WorkerPlugin):
    """Loads the model and its compiled kernels on each worker as it joins (a no-op on one
    started with ``--preload sim.sweep.warm``): the first batch a worker gets is not slowed."""

    name = "regime-sim-warm"

    def setup(self, worker) -> None:  # noqa: ANN001 - a distributed.Worker
        from . import warm  # noqa: F401


def _need_dask() -> None:
    if dask is None:
        raise ScenarioError("--executor dask needs the cluster extra: pip install 'regime-sim[cluster]'")


def local_cluster(workers: int) -> LocalCluster:
    """A LocalCluster of ``workers`` single-threaded processes on 127.0.0.1, forked from a fork
    server that has imported Dask and the model once (Dask's default, spawn, makes each worker
    import both itself: seconds of start-up per worker on a small machine)."""
    _need_dask()
    from distributed.utils import get_mp_context

    with dask.config.set({**QUIET, "distributed.worker.multiprocessing-method": "forkserver"}):
        # Dask names its fork server's preload on first use; ours replaces it before the server
        # starts (a server already running, started by this process earlier, keeps its own)
        get_mp_context()
        multiprocessing.get_context("forkserver").set_forkserver_preload(FORKSERVER_PRELOAD)
        return LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                            dashboard_address=None, host="127.0.0.1", preload=["sim.sweep.warm"],
                            # its HTTP server (health checks) on a free port of 127.0.0.1, not 8787
                            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})


def connect(workers: int, scheduler: str | None) -> tuple[Client, LocalCluster | None]:
    """A client of the scheduler at ``scheduler``, or of a new local cluster of ``workers``;
    every worker warm (:class:`Warm`) before it returns."""
    _need_dask()
    if scheduler:
        try:
            with dask.config.set(QUIET):
                client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise ScenarioError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        cluster = None
    else:
        cluster = local_cluster(workers)
        client = Client(cluster)
    client.register_plugin(Warm())
    return client, cluster
