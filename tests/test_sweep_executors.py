"""Sweep executors: batch sizes from measured run time, warm workers, and the same tables from
every executor (in this process, a forked pool, a fork server's pool, a local Dask cluster
that starts while this process runs the first batches, its workers forked from this process
or from a fork server, a running Dask scheduler)."""

from __future__ import annotations

import functools
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.sweep.execute import (
    FIRST_BATCH,
    MAX_BATCH,
    STORE_SHARE,
    TASK_SECONDS,
    _batches,
    _RunTimer,
    batch_size,
    process_pool,
    run_sweep,
)
from sim.sweep.plan import build_plan
from sim.sweep.store import read_series

from .conftest import TINY


def _tables(folder: Path) -> list[pd.DataFrame]:
    runs = pd.read_parquet(folder / "runs.parquet")
    series = read_series(folder).sort_values(["run_id", "hour", "variable"]).reset_index(drop=True)
    return [runs, series, pd.read_parquet(folder / "summary.parquet")]


def _assert_same(a: Path, b: Path) -> None:
    for x, y in zip(_tables(a), _tables(b), strict=True):
        pd.testing.assert_frame_equal(x, y)


def test_a_batch_is_about_a_second_of_runs_and_shrinks_near_the_end() -> None:
    assert batch_size(10_000, 2) == FIRST_BATCH  # nothing measured yet
    assert batch_size(10_000, 2, 0.01) == int(TASK_SECONDS / 0.01)
    assert batch_size(10_000, 2, 0.5) == max(1, int(TASK_SECONDS / 0.5))
    assert batch_size(10_000, 2, 5.0) == 1  # a slow run is a batch of its own
    assert batch_size(10**9, 2, 1e-9) == MAX_BATCH
    assert batch_size(40, 2, 0.001) == 5  # a quarter of each worker's share of what is left
    assert batch_size(1, 8, 0.001) == 1


def test_a_batch_is_long_enough_that_writing_it_does_not_set_the_pace() -> None:
    # writing a batch takes 0.2 s here: 2 workers' batches must take 10x that, 4 s of runs
    assert batch_size(10_000, 2, 0.01, store_seconds=0.2) == round(2 * 0.2 / STORE_SHARE / 0.01)
    assert batch_size(10_000, 2, 0.01, store_seconds=0.001) == int(TASK_SECONDS / 0.01)  # cheap writes
    assert batch_size(10_000, 2, None, store_seconds=5.0) == FIRST_BATCH


@functools.cache
def _plan(reps: int):
    return build_plan(TINY, [f"sweep.replications={reps}"])


@settings(deadline=None, max_examples=60)  # building a plan is slow on a loaded machine
@given(st.lists(st.floats(1e-4, 3.0), min_size=1, max_size=40), st.integers(1, 8), st.integers(1, 30))
def test_batches_cover_every_run_once_in_order_whatever_the_run_times(times, workers, reps) -> None:
    plan = _plan(reps)
    timer = _RunTimer()
    seen: list[int] = []
    for i, batch in enumerate(_batches(plan, set(), workers, timer)):
        ids = [t[0] for t in batch]
        assert ids == list(range(ids[0], ids[0] + len(ids)))  # contiguous: compaction needs it
        seen += ids
        timer.add([{"wall_s": times[i % len(times)]} for _ in batch])
    assert seen == list(range(plan.n_runs))


def _loaded() -> bool:
    return "sim.model.model" in sys.modules and "numba" in sys.modules


def test_pool_workers_start_with_the_model_loaded() -> None:
    pool = process_pool(2)
    try:
        assert all(pool.submit(_loaded).result() for _ in range(4))
    finally:
        pool.shutdown()


def test_same_tables_in_process_on_a_forked_pool_and_on_a_fork_servers_pool(tmp_path: Path) -> None:
    plan = build_plan(TINY, ["sweep.replications=4"])
    run_sweep(plan, tmp_path / "one", workers=1)
    run_sweep(plan, tmp_path / "fork", workers=2)
    _assert_same(tmp_path / "one", tmp_path / "fork")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # another thread: forking is not safe, a fork server is used
    other.start()
    try:
        run_sweep(plan, tmp_path / "server", workers=2)
    finally:
        stop.set()
        other.join()
    _assert_same(tmp_path / "one", tmp_path / "server")


_FORKED_CLUSTER = """
import sys
from sim.sweep.cluster import ForkedCluster, connect

def loaded():
    return "sim.model.model" in sys.modules and "numba" in sys.modules

client, cluster = connect(2, None)
try:
    assert isinstance(cluster, ForkedCluster), type(cluster)
    found = client.run(loaded)
    assert len(found) == 2 and all(found.values()), found
finally:
    client.close()
    cluster.close()
assert not any(proc.is_alive() for proc in cluster.workers.procs)
print("ok")
"""


def test_a_local_cluster_forks_its_workers_warm_and_they_exit_with_it() -> None:
    # in a fresh process: the cluster forks its workers only from a process with one thread, and a
    # test worker that ran other tests may have threads left over (a client's, a server's)
    pytest.importorskip("dask.distributed")
    import subprocess

    res = subprocess.run([sys.executable, "-c", _FORKED_CLUSTER], capture_output=True, text=True, timeout=300,
                         cwd=Path(__file__).resolve().parent.parent)
    assert res.returncode == 0 and res.stdout.strip().endswith("ok"), res.stderr[-2000:]


def test_same_tables_on_a_local_cluster_and_a_running_scheduler(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    from dask.distributed import LocalCluster

    plan = build_plan(TINY, ["sweep.replications=6"])
    run_sweep(plan, tmp_path / "one", workers=1)
    local = run_sweep(plan, tmp_path / "local", workers=2, executor="dask")
    assert local.runs == plan.n_runs and local.failed == 0
    _assert_same(tmp_path / "one", tmp_path / "local")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # another thread: a LocalCluster's fork server is used
    other.start()
    try:
        run_sweep(plan, tmp_path / "server", workers=2, executor="dask")
    finally:
        stop.set()
        other.join()
    _assert_same(tmp_path / "one", tmp_path / "server")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1", scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as cluster:
        run_sweep(plan, tmp_path / "remote", workers=2, executor="dask", scheduler=cluster.scheduler_address)
    _assert_same(tmp_path / "one", tmp_path / "remote")


@pytest.mark.parametrize("executor", ["process", "dask"])
def test_the_audits_arms_on_one_shared_pool_give_the_same_tables(executor: str, tmp_path: Path) -> None:
    """``run_arms`` makes one pool (``make_executor``) and runs every arm's sweep on it: the warm
    workers and the streamed Dask results must give what each arm gives in this process."""
    if executor == "dask":
        pytest.importorskip("dask.distributed")
    from sim.paired.arms import arm_from_file, open_root, run_arms

    arms = [arm_from_file("a", "as given", str(TINY), []),
            arm_from_file("b", "a weaker regime", str(TINY), ["ruler.regime_strength=0.4"])]
    for name, workers, kind in (("one", 1, "process"), ("shared", 2, executor)):
        open_root(tmp_path / name, "compare", arms, 5, 7, resume=False)
        res = run_arms(tmp_path / name, arms, seeds=5, master_seed=7, workers=workers, executor=kind)
        assert res.runs == 10 and not res.interrupted
    for arm in ("a", "b"):
        _assert_same(tmp_path / "one" / arm, tmp_path / "shared" / arm)
