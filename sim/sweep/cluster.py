"""Dask for sweeps: a local cluster whose workers start warm, or a running scheduler.

Either way every worker has imported the model and loaded its compiled kernels before the
first batch reaches it (:class:`Warm`, and ``sim.sweep.warm`` as the workers' preload), so a
task's time is the runs' time. Only :mod:`sim.sweep.execute` imports this module, and only
for ``--executor dask``: a sweep on the process pool never imports Dask.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
import sys
import threading
import warnings
from multiprocessing.connection import Connection

from ..scenario.errors import ScenarioError

try:
    import dask
    from dask.distributed import Client, LocalCluster, Worker
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
    import both itself: seconds of start-up per worker on a small machine). Used where this
    process cannot fork its workers itself (:class:`ForkedWorkers`)."""
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


def _serve(reader: Connection, writer: Connection) -> None:
    """A forked worker process: wait for the scheduler's address, then serve it until the
    scheduler closes or goes away (its connection breaks: the worker closes itself)."""
    writer.close()  # the sweep's end: once only the sweep holds it, its exit reads as EOF here
    # Ctrl-C reaches the whole process group: the sweep handles it and closes the cluster
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        address = reader.recv()
    except EOFError:  # the sweep stopped before its scheduler was up
        return
    dask.config.set(QUIET)
    # what a LocalCluster does to its workers' logs: no line for every worker that starts
    logging.getLogger("distributed").setLevel(logging.WARNING)

    async def work() -> None:
        async with Worker(address, nthreads=1, host="127.0.0.1", death_timeout="60s") as worker:
            await worker.finished()

    asyncio.run(work())


class ForkedWorkers:
    """``n`` Dask worker processes forked from this one, each waiting for its scheduler's
    address (:meth:`join`).

    This process has loaded the model and its kernels (``sim.sweep.warm``) and imported
    Dask: a forked worker starts with both, in well under a second, where a LocalCluster's
    worker comes from a fork server that imports them afresh (about 4 s of CPU on a 2-core
    machine, taken from the sweep's first runs) and is watched by a nanny in this process.
    A nanny restarts a worker that dies or outgrows its memory; a sweep's workers do
    neither (their memory stays flat): should one die, the scheduler gives its batches to
    the others, and should all die, the sweep fails (:class:`ForkedCluster`) as it would on
    the process pool. Forking is safe only while this process has one thread: :meth:`possible`.
    """

    def __init__(self, n: int) -> None:
        from . import warm  # noqa: F401 - the model and the kernels, loaded before the fork

        ctx = multiprocessing.get_context("fork")
        self.procs = []
        self.pipes = []
        with warnings.catch_warnings():
            # as for the process pool: the other threads are native ones of libraries that
            # make themselves fork-safe (OpenBLAS, jemalloc and Arrow's pools)
            warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
            for _ in range(max(1, n)):
                reader, writer = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_serve, args=(reader, writer), daemon=True,
                                   name="regime-sim: Dask worker")
                proc.start()
                reader.close()
                self.procs.append(proc)
                self.pipes.append(writer)

    @staticmethod
    def possible() -> bool:
        """Whether this process may fork its workers now (Linux, no other Python thread)."""
        return dask is not None and sys.platform == "linux" and threading.active_count() == 1

    def join(self, address: str) -> None:
        """Tell every worker the scheduler's address: each connects and registers."""
        for pipe in self.pipes:
            pipe.send(address)
            pipe.close()
        self.pipes = []

    def close(self, timeout: float = 10.0) -> None:
        """Wait for the workers to exit (a closing scheduler closes them); end any that do not.
        Workers that never heard of a scheduler read EOF and exit."""
        for pipe in self.pipes:
            pipe.close()
        self.pipes = []
        for proc in self.procs:
            proc.join(timeout)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout)


class ForkedCluster:
    """A LocalCluster's scheduler, in this process, and :class:`ForkedWorkers` as its workers."""

    def __init__(self, workers: ForkedWorkers) -> None:
        self.workers = workers
        try:
            # no worker left (no nanny restarts one): its batches fail after a minute, and
            # the sweep with them, rather than wait for ever
            with dask.config.set({**QUIET, "distributed.scheduler.no-workers-timeout": "60s"}):
                self.cluster = LocalCluster(n_workers=0, processes=True, dashboard_address=None,
                                            host="127.0.0.1",
                                            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
        except BaseException:
            workers.close()
            raise
        workers.join(self.cluster.scheduler_address)

    def close(self) -> None:
        self.cluster.close()
        self.workers.close()


def connect(workers: int, scheduler: str | None,
            forked: ForkedWorkers | None = None) -> tuple[Client, LocalCluster | ForkedCluster | None]:
    """A client of the scheduler at ``scheduler``, or of a new local cluster of ``workers``
    (``forked``, those forked earlier by the caller, or forked here if this process may fork,
    else a LocalCluster's); every worker warm (:class:`Warm`) before it returns."""
    _need_dask()
    if scheduler:
        try:
            with dask.config.set(QUIET):
                client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise ScenarioError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        cluster = None
    elif forked is not None or ForkedWorkers.possible():
        cluster = ForkedCluster(forked or ForkedWorkers(workers))
        try:
            client = Client(cluster.cluster)
            client.wait_for_workers(len(cluster.workers.procs), timeout=120)
        except BaseException:  # a worker that could not start: stop the others
            cluster.close()
            raise
    else:
        cluster = local_cluster(workers)  # its workers are up when it returns
        client = Client(cluster)
    client.register_plugin(Warm())
    return client, cluster
