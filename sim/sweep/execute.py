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
import time
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


def _batches(plan: SweepPlan, done: set[int], workers: int) -> Iterator[list[tuple]]:
    """Batches of contiguous run ids (compaction streams them in run order), sized by
    :func:`batch_size` from what is left, so they shrink as the sweep nears its end."""
    left = plan.n_runs - len(done)
    batch: list[tuple] = []
    size = batch_size(left, workers)
    for spec in plan.runs():
        if spec.run_id in done:
            if batch:
                yield batch
                left -= len(batch)
                batch, size = [], batch_size(left, workers)
            continue
        batch.append((spec.run_id, spec.point, spec.replication, spec.seed, plan.overrides(spec.point)))
        if len(batch) >= size:
            yield batch
            left -= len(batch)
            batch, size = [], batch_size(left, workers)
    if batch:
        yield batch


def batch_size(remaining: int, workers: int) -> int:
    """Guided scheduling: a quarter of each worker's share of what is left, between 1 and 32
    runs - big enough to amortise the overhead, small at the end so no worker idles long, and
    an interruption loses at most 2 x workers batches."""
    return max(1, min(32, math.ceil(remaining / (workers * 4))))


class _Inline:
    """An executor that runs each batch in this process (1 worker: simplest and exact)."""

    def submit(self, fn: Callable, *args) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller like a pool would
            fut.set_exception(exc)
        return fut

    def shutdown(self, cancel: bool = False) -> None:
        return None


def make_executor(kind: str, workers: int, scheduler: str | None):
    """(executor, cluster or None) for ``kind``; hand it to several :func:`run_sweep` calls
    (``pool=``) to run many small sweeps on one pool, then :func:`close_executor` it."""
    if kind == "process":
        if workers <= 1:
            return _Inline(), None
        # a fork server that has already imported the model and loaded the compiled kernel
        # (sim.sweep.warm) forks the workers: they start at once, and no thread is forked
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["sim.sweep.warm"])
        return ProcessPoolExecutor(max_workers=workers, mp_context=ctx), None
    if kind == "dask":
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise ScenarioError("--executor dask needs the cluster extra: pip install 'regime-sim[cluster]'") from None
        if scheduler:
            try:
                client = Client(scheduler, timeout="10s")
            except OSError as exc:
                raise ScenarioError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
            return client, None
        import dask

        # Dask's statistical profiler samples each worker's thread every few milliseconds and
        # its monitors tick many times a second: a sweep needs neither, and on a small machine
        # they cost a fifth to a third of the work
        quiet = {"distributed.worker.profile.enabled": False,
                 "distributed.admin.tick.interval": "1s",
                 "distributed.admin.system-monitor.interval": "5s",
                 "distributed.worker.memory.monitor-interval": "2s"}
        with dask.config.set(quiet):
            # each worker imports the model and loads the compiled kernel as it starts, in parallel
            cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                   dashboard_address=None, host="127.0.0.1", preload=["sim.sweep.warm"])
        return Client(cluster), cluster
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
    pool, cluster = shared if shared is not None else make_executor(executor, workers, scheduler)
    is_dask = executor == "dask"
    text_arg = pool.scatter(text, broadcast=True) if is_dask else text
    batches = _batches(plan, done, max(1, workers))
    in_flight: dict = {}
    finished = len(done)
    interrupted = False
    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("failed {task.fields[failed]}"), TextColumn("{task.fields[rate]:.2f} runs/s"),
        TimeRemainingColumn(), console=console, transient=False, disable=not console.is_terminal,
    )
    task = progress.add_task(f"sweep {terminal(plan.name)}", total=plan.n_runs, completed=finished, failed=failed, rate=0.0)
    last_note = time.perf_counter()
    first_at: float | None = None
    first_runs = 0

    def submit(batch: list[tuple]) -> None:
        args = (key, text_arg, batch, plan.series_every_hours, plan.series_vars)
        fut = pool.submit(run_batch, *args, pure=False) if is_dask else pool.submit(run_batch, *args)
        in_flight[fut] = len(batch)

    try:
        with progress:
            for _ in range(2 * max(1, workers)):
                batch = next(batches, None)
                if batch is None:
                    break
                submit(batch)
            while in_flight:
                if is_dask:
                    from dask.distributed import wait as dwait

                    res = dwait(list(in_flight), return_when="FIRST_COMPLETED")
                    ready = res.done
                else:
                    ready, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
                for fut in ready:
                    n = in_flight.pop(fut)
                    rows, series, timing = fut.result()
                    store.append(rows, series, timing)
                    if first_at is None:
                        first_at, first_runs = time.perf_counter() - t0, n
                    finished += n
                    failed += sum(1 for r in rows if r["status"] != "ok")
                    batch = next(batches, None)
                    if batch is not None:
                        submit(batch)
                rate = (finished - len(done)) / max(time.perf_counter() - t0, 1e-9)
                progress.update(task, completed=finished, failed=failed, rate=rate)
                if not console.is_terminal and time.perf_counter() - last_note > 10:
                    console.print(f"  {finished}/{plan.n_runs} runs, {failed} failed, {rate:.2f} runs/s")
                    last_note = time.perf_counter()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        for fut in in_flight:  # interrupted: nothing more of this sweep is wanted
            fut.cancel()
        if shared is None:
            close_executor(pool, cluster)
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
