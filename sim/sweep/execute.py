"""Running a sweep: in this process, on a process pool, or on a Dask cluster.

Batches of runs go out with at most ``2 x workers`` in flight; each finished batch is
written to disk at once, so memory stays flat however many runs there are and an
interruption (Ctrl-C, or even ``kill -9``) loses at most the runs in flight.
"""

from __future__ import annotations

import contextlib
import errno
import math
import multiprocessing
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ..scenario.errors import ScenarioError
from ..textsafe import terminal
from .plan import SweepPlan
from .store import SweepStore
from .worker import run_batch


@dataclass
class SweepResult:
    out: Path
    runs: int
    failed: int
    skipped: int
    wall_seconds: float
    interrupted: bool = False
    error: str = ""  # why it stopped, when a write failed (a full disk): resume finishes it
    first_result_seconds: float = float("nan")  # start-up: until the first batch came back
    first_batch_runs: int = 0


# A batch is sized by measured run time: about TASK_SECONDS of work, so the cost of shipping
# it (a pickle through a pipe, or a Dask task's trip through the scheduler) is a few per cent
# of it whatever the scenario. This process also writes each batch to disk (a few parquet
# files and the manifest, each synced): a batch is made long enough that these writes, for
# every worker's batches, take at most STORE_SHARE of this process's time - else it, not the
# workers, sets the pace (seen on a loaded machine: 2 workers no faster than 1). Until a
# batch has come back, batches have FIRST_BATCH runs.
TASK_SECONDS = 1.0
STORE_SHARE = 0.1
FIRST_BATCH = 2
MAX_BATCH = 1_000


def batch_size(remaining: int, workers: int, run_seconds: float | None = None, store_seconds: float = 0.0) -> int:
    """Runs in the next batch: enough work for ``TASK_SECONDS``, and for this process to write
    ``workers`` batches (``store_seconds`` each, as measured) in ``STORE_SHARE`` of that time,
    at the measured ``run_seconds`` (``FIRST_BATCH`` before any is measured); at most a quarter
    of each worker's share of what is left (guided scheduling), so batches shrink near the
    end and no worker idles long."""
    if run_seconds is None:
        by_time = FIRST_BATCH
    else:
        seconds = max(TASK_SECONDS, max(1, workers) * store_seconds / STORE_SHARE)
        by_time = max(1, int(seconds / max(run_seconds, 1e-6)))
    guided = math.ceil(remaining / (max(1, workers) * 4))
    return max(1, min(MAX_BATCH, by_time, guided))


class _RunTimer:
    """The mean run time over every run that has come back (as the workers timed them), and
    the mean time this process took to write a batch."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.runs = 0
        self.store_total = 0.0
        self.batches = 0

    def add(self, timing: list[dict], store_seconds: float = 0.0) -> None:
        self.seconds += sum(t["wall_s"] for t in timing)
        self.runs += len(timing)
        self.store_total += store_seconds
        self.batches += 1

    @property
    def mean(self) -> float | None:
        return self.seconds / self.runs if self.runs else None

    @property
    def store(self) -> float:
        return self.store_total / self.batches if self.batches else 0.0


def _batches(plan: SweepPlan, done: set[int], workers: int, timer: _RunTimer) -> Iterator[list[tuple]]:
    """Batches of contiguous run ids (compaction streams them in run order), each sized by
    :func:`batch_size` when it is cut, from what is left and the run time measured so far."""
    left = plan.n_runs - len(done)
    batch: list[tuple] = []
    size = batch_size(left, workers, timer.mean, timer.store)
    for spec in plan.runs():
        if spec.run_id in done:
            if batch:
                yield batch
                left -= len(batch)
                batch, size = [], batch_size(left, workers, timer.mean, timer.store)
            continue
        batch.append((spec.run_id, spec.point, spec.replication, spec.seed, plan.overrides(spec.point)))
        if len(batch) >= size:
            yield batch
            left -= len(batch)
            batch, size = [], batch_size(left, workers, timer.mean, timer.store)
    if batch:
        yield batch


class _Inline:
    """An executor that runs each batch in this process (1 worker: simplest and exact)."""

    def submit(self, fn: Callable, *args) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller like a pool would
            fut.set_exception(exc)
        return fut

    def shutdown(self, cancel_futures: bool = False) -> None:
        return None


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers start with the model and its compiled kernels loaded.

    Where this process may fork (Linux, no other Python thread), it loads them itself
    (``sim.sweep.warm``: a no-op when the command line's pilot run already did) and forks the
    workers from itself: each starts in milliseconds, and a sweep on N workers costs the same
    start-up as one on one worker. Otherwise (a process with threads, a notebook's kernel, or
    a system without fork) a fork server that has imported ``sim.sweep.warm`` forks them.
    The workers are started here, before any progress bar's thread exists.
    """
    fork = sys.platform == "linux" and threading.active_count() == 1
    if fork:
        from . import warm  # noqa: F401 - the model and the kernels, loaded before the fork

        ctx = multiprocessing.get_context("fork")
    else:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["sim.sweep.warm"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    with warnings.catch_warnings():
        # Python warns of any thread at a fork; the only other threads here are native ones of
        # libraries that make themselves fork-safe (OpenBLAS, jemalloc and Arrow's pools, with
        # at-fork handlers) - the very threads a fork server forks with after its preload
        if fork:
            warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
        # a fork context starts every worker at the first submission: wait until they are up
        for fut in [pool.submit(os.getpid) for _ in range(workers)]:
            fut.result()
    return pool


def make_executor(kind: str, workers: int, scheduler: str | None):
    """(executor, cluster or None) for ``kind``; hand it to several :func:`run_sweep` calls
    (``pool=``) to run many small sweeps on one pool, then :func:`close_executor` it."""
    if kind == "process":
        if workers <= 1:
            return _Inline(), None
        return process_pool(workers), None
    if kind == "dask":
        from .cluster import connect

        return connect(workers, scheduler)
    raise ScenarioError(f"unknown executor '{kind}' (process or dask)")


def close_executor(pool, cluster) -> None:
    """Shut down what :func:`make_executor` started (runs in flight are cancelled)."""
    if hasattr(pool, "scatter"):  # a Dask client
        pool.close()
        if cluster is not None:
            cluster.close()
    elif isinstance(pool, ProcessPoolExecutor):
        pool.shutdown(cancel_futures=True)


def run_sweep(plan: SweepPlan, out: Path, *, workers: int = 1, executor: str = "process",
              scheduler: str | None = None, resume: bool = False, console: Console | None = None,
              pool: tuple | None = None) -> SweepResult:
    """Run (or resume) ``plan`` into ``out``. ``pool``: an executor from :func:`make_executor`
    that the caller owns and closes (else one is made for this sweep and closed after it)."""
    console = console or Console(stderr=True)
    store = SweepStore(out, plan)
    done = store.open(resume)
    try:
        return _run_and_compact(plan, store, done, workers, executor, scheduler, console, pool)
    except OSError as exc:
        # a full disk (or a lost mount) mid-sweep: what is committed stays, and says so
        with contextlib.suppress(OSError):
            store.write_manifest("interrupted", done=store.done, failed=store.failed)
        what = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        where = f" writing {exc.filename}" if exc.filename else ""
        return SweepResult(Path(out), store.done, store.failed, len(done), 0.0, interrupted=True,
                           error=f"{what}{where}")
    finally:
        store.unlock()


class _ClusterStart(threading.Thread):
    """Starts a local Dask cluster in the background, so this process can run the sweep's
    first batches itself meanwhile: the seconds the workers take to start are not lost."""

    def __init__(self, workers: int) -> None:
        from .cluster import ForkedWorkers

        super().__init__(name="regime-sim: starting a Dask cluster", daemon=True)
        self.workers = workers
        # the workers fork now, while this process has one thread (this one is not started)
        self.forked = ForkedWorkers(workers) if ForkedWorkers.possible() else None
        self.value: tuple | None = None
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        from .cluster import connect

        try:
            self.value = connect(self.workers, None, self.forked)
        except BaseException as exc:  # noqa: BLE001 - raised in the sweep's thread by result()
            self.error = exc

    def ready(self) -> bool:
        return not self.is_alive()

    def result(self) -> tuple:
        self.join()
        if self.error is not None:
            raise self.error
        assert self.value is not None
        return self.value


def _run_and_compact(plan: SweepPlan, store: SweepStore, done: set[int], workers: int, executor: str,
                     scheduler: str | None, console: Console, shared: tuple | None = None) -> SweepResult:
    out = store.out
    failed = store.failed_count()
    if store.compacting:  # killed while compacting: every run is on disk, finish the compaction
        store.finalize()
        store.write_manifest("done", done=plan.n_runs, failed=failed)
        return SweepResult(Path(out), plan.n_runs, failed, len(done), 0.0)
    t0 = time.perf_counter()
    key = plan.hash
    text = plan.scenario_text
    is_dask = executor == "dask"
    # a pool the caller shares across sweeps (the audit's arms) is used as it is; else a local
    # Dask cluster starts in the background while this process runs the first batches itself
    pool, cluster = shared if shared is not None else (None, None)
    starting = _ClusterStart(workers) if is_dask and not scheduler and shared is None else None
    timer = _RunTimer()
    batches = _batches(plan, done, max(1, workers), timer)
    in_flight: dict = {}
    state = {"finished": len(done), "failed": failed, "first_at": None, "first_runs": 0}
    interrupted = False
    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("failed {task.fields[failed]}"), TextColumn("{task.fields[rate]:.2f} runs/s"),
        TimeRemainingColumn(), console=console, transient=False, disable=not console.is_terminal,
    )
    task = progress.add_task(f"sweep {terminal(plan.name)}", total=plan.n_runs, completed=state["finished"],
                             failed=failed, rate=0.0)
    last_note = time.perf_counter()

    def record(n: int, rows: list[dict], series: dict, timing: list[dict]) -> None:
        nonlocal last_note
        t_store = time.perf_counter()
        store.append(rows, series, timing)
        timer.add(timing, time.perf_counter() - t_store)
        if state["first_at"] is None:
            state["first_at"], state["first_runs"] = time.perf_counter() - t0, n
        state["finished"] += n
        state["failed"] += sum(1 for r in rows if r["status"] != "ok")
        rate = (state["finished"] - len(done)) / max(time.perf_counter() - t0, 1e-9)
        progress.update(task, completed=state["finished"], failed=state["failed"], rate=rate)
        if not console.is_terminal and time.perf_counter() - last_note > 10:
            console.print(f"  {state['finished']}/{plan.n_runs} runs, {state['failed']} failed, {rate:.2f} runs/s")
            last_note = time.perf_counter()

    def submit(batch: list[tuple]) -> None:
        args = (key, text_arg, batch, plan.series_every_hours, plan.series_vars)
        if is_dask:
            fut = pool.submit(run_batch, *args, pure=False)
            stream.add(fut)
        else:
            fut = pool.submit(run_batch, *args)
        in_flight[fut] = len(batch)

    def finished_batches() -> Iterator[tuple[int, tuple]]:
        """(runs, the batch's result) for each batch as it finishes."""
        while in_flight:
            if is_dask:
                fut, result = next(stream)
                yield in_flight.pop(fut), result
            else:
                ready, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
                for fut in ready:
                    yield in_flight.pop(fut), fut.result()

    if pool is None and starting is None:  # a pool's workers fork before the progress bar starts its thread
        pool, cluster = make_executor(executor, workers, scheduler)
    try:
        with progress:
            if starting is not None:
                # while the local cluster starts, this process runs batches itself (a second
                # or so each, as sized): the sweep gains from the first second
                while not starting.ready():
                    batch = next(batches, None)
                    if batch is None:
                        break
                    record(len(batch), *run_batch(key, text, batch, plan.series_every_hours, plan.series_vars))
                pool, cluster = starting.result()
            if is_dask:
                from dask.distributed import as_completed

                text_arg = pool.scatter(text, broadcast=True)
                # results stream back as they finish (fetched in the client's background loop),
                # and each finished batch makes room for the next: no round trip per run
                stream = as_completed(with_results=True)
            else:
                text_arg = text
            for _ in range(2 * max(1, workers)):
                batch = next(batches, None)
                if batch is None:
                    break
                submit(batch)
            for n, result in finished_batches():
                record(n, *result)
                batch = next(batches, None)
                if batch is not None:
                    submit(batch)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if starting is not None and pool is None:  # interrupted while it started: stop it once up
            with contextlib.suppress(BaseException):
                pool, cluster = starting.result()
        for fut in in_flight:  # interrupted: nothing more of this sweep is wanted
            fut.cancel()
        if shared is None and pool is not None:
            close_executor(pool, cluster)
    finished, failed = state["finished"], state["failed"]
    first_at, first_runs = state["first_at"], state["first_runs"]
    wall = time.perf_counter() - t0
    if interrupted:
        store.write_manifest("interrupted", done=finished, failed=failed)
        return SweepResult(Path(out), finished, failed, len(done), wall, interrupted=True)
    store.write_manifest("compacting", done=finished, failed=failed)
    store.finalize()
    store.write_manifest("done", done=finished, failed=failed)
    return SweepResult(Path(out), finished, failed, len(done), wall,
                       first_result_seconds=first_at if first_at is not None else float("nan"),
                       first_batch_runs=first_runs)
