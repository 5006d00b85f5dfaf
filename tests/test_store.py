"""The sweep store, fast: a kill between every pair of writes, the refusals, the answer's direction.

The batches come from a stand-in for the worker (no model runs: each run's row, series and
timing follow from its seed), so a whole sweep takes a few hundredths of a second and one can
be killed at every write it makes. A "write" is every call that changes the sweep's folder -
a file written (whole or torn half-way), renamed, removed, a folder made or removed - counted
on the file-system functions themselves, not on the store's own crash points, so a write
moved out of its temporary file or a step left unfenced is caught too.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.outcomes import OUTCOMES
from sim.scenario.errors import ScenarioError
from sim.sweep import execute as execute_mod
from sim.sweep import store as store_mod
from sim.sweep.execute import run_sweep
from sim.sweep.plan import SweepPlan, build_plan
from sim.sweep.store import read_series
from sim.sweep.summary import answer, measure_answer, summarize

from .conftest import TINY

FAILS = 1  # this run raises in the stand-in worker: a failed row, no measures, no series


def fake_batch(key, text, tasks, series_every, series_vars):
    """What run_batch returns, computed from each run's seed alone."""
    import numpy as np

    rows, timing, frames = [], [], []
    for run_id, point, rep, seed, _overrides in tasks:
        row = {"run_id": run_id, "point": point, "replication": rep, "seed": seed}
        if run_id == FAILS:
            row.update(status="failed", error="RuntimeError: injected", traceback="Traceback: injected")
        else:
            row.update(status="ok", error="", outcome=OUTCOMES[seed % 3], casualties=float(seed % 97))
            hours = np.array([0.0, 1.0, 2.0])
            frames.append({"run_id": np.full(6, run_id, dtype=np.int64), "point": np.full(6, point, dtype=np.int64),
                           "replication": np.full(6, rep, dtype=np.int64), "hour": np.repeat(hours, 2),
                           "variable": np.tile(np.array([0, 1], dtype=np.int16), 3),
                           "value": (seed % 1000) + np.arange(6, dtype=float)})
        rows.append(row)
        timing.append({"run_id": run_id, "wall_s": 0.0})
    names = ("run_id", "point", "replication", "hour", "variable", "value")
    types = (np.int64, np.int64, np.int64, float, np.int16, float)
    series = {c: (np.concatenate([f[c] for f in frames]) if frames else np.empty(0, dtype=t))
              for c, t in zip(names, types, strict=True)}
    return rows, series, timing


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(execute_mod, "run_batch", fake_batch)
    # two runs per compacted series file: compaction writes and removes several files
    monkeypatch.setattr(store_mod, "COMPACT_RUNS", 2)
    # provenance asks git once per store: not what is under test here
    monkeypatch.setattr(store_mod, "git_commit", lambda: "test")
    monkeypatch.setattr(store_mod, "versions", lambda: {"regime-sim": "test"})
    # what a kill can leave is what these tests look at, not what a power cut can: no fsync
    monkeypatch.setattr(os, "fsync", lambda fd: None)
    # the plan's YAML text and hash, if a property still dumps them anew on every manifest write:
    # once is enough here (the plan computes them once itself since the dask merge)
    for name in ("scenario_text", "hash"):
        if not isinstance(SweepPlan.__dict__.get(name), property):
            continue
        cached = functools.cached_property(getattr(SweepPlan, name).fget)
        cached.__set_name__(SweepPlan, name)
        monkeypatch.setattr(SweepPlan, name, cached)


def _plan(reps: int = 2, *sets: str):
    return build_plan(TINY, [f"sweep.replications={reps}", *sets])


def _tables(folder: Path) -> list[pd.DataFrame]:
    runs = pd.read_parquet(folder / "runs.parquet")
    series = read_series(folder).sort_values(["run_id", "hour", "variable"]).reset_index(drop=True)
    summary = pd.read_parquet(folder / "summary.parquet")
    csv = pd.read_csv(folder / "summary.csv")
    timing = pd.read_parquet(folder / "timing.parquet")
    return [runs, series, summary, csv, timing]


def _expected_runs(plan) -> pd.DataFrame:
    """The runs table the sweep must hold, made from the stand-in worker directly."""
    tasks = [(r.run_id, r.point, r.replication, r.seed, {}) for r in plan.runs()]
    rows, _series, _timing = fake_batch("", "", tasks, 1.0, [])
    return pd.DataFrame(rows)[["run_id", "point", "replication", "seed", "status", "outcome", "casualties"]]


class Reference:
    """The uninterrupted sweep's tables, read once, and checked against the worker's rows."""

    def __init__(self, folder: Path, plan) -> None:
        self.plan, self.tables = plan, _tables(folder)
        runs, series, summary, csv, timing = self.tables
        expected = _expected_runs(plan)
        pd.testing.assert_frame_equal(runs[expected.columns], expected, check_dtype=False)
        assert timing["run_id"].tolist() == list(range(plan.n_runs))  # nothing lost, nothing doubled
        per_run = series.groupby("run_id").size()
        assert per_run.index.tolist() == [i for i in range(plan.n_runs) if i != FAILS] and (per_run == 6).all()
        pd.testing.assert_frame_equal(summary, summarize(runs, plan))
        # the CSV is the same table (no index column)
        assert list(csv.columns) == list(summary.columns) and len(csv) == len(summary)
        assert csv["p"].tolist() == pytest.approx(summary["p"].tolist(), nan_ok=True)
        # what the sweep was: its scenario and design, written when it began
        assert (folder / "scenario.yaml").read_text() == plan.scenario_text
        pd.testing.assert_frame_equal(pd.read_parquet(folder / "design.parquet"), plan.design)
        # the files hold the sweep's columns and nothing else, as any other reader (pyarrow, R,
        # DuckDB) sees them: no index stored as a column
        params = [f.path for f in plan.factors]
        assert set(pq.read_schema(folder / "runs.parquet").names) == {
            "run_id", "point", "replication", "seed", *params, "status", "error", "traceback", "outcome",
            "casualties"}
        assert pq.read_schema(folder / "timing.parquet").names == ["run_id", "wall_s"]
        assert pq.read_schema(folder / "design.parquet").names == list(plan.design.columns)
        assert pq.read_schema(folder / "summary.parquet").names == list(summary.columns)
        for f in (folder / "series").iterdir():
            assert pq.read_schema(f).names == ["run_id", "point", "replication", "hour", "variable", "value"], f

    def check(self, folder: Path, lock_left: bool = False) -> None:
        """The same tables as the uninterrupted sweep and no machinery left (``lock_left``: but
        the lock of a process killed after it wrote 'done')."""
        for x, y in zip(_tables(folder), self.tables, strict=True):
            pd.testing.assert_frame_equal(x, y)
        have = {p.name for p in folder.iterdir()}
        assert have == {"manifest.json", "scenario.yaml", "design.parquet", "runs.parquet", "timing.parquet",
                        "summary.parquet", "summary.csv", "series", *(["sweep.lock"] if lock_left else [])}, have
        assert (folder / "scenario.yaml").read_text() == self.plan.scenario_text
        pd.testing.assert_frame_equal(pd.read_parquet(folder / "design.parquet"), self.plan.design)
        assert not list(folder.rglob(".*.tmp"))
        man = json.loads((folder / "manifest.json").read_text())
        assert (man["status"], man["runs_done"], man["runs_failed"]) == ("done", self.plan.n_runs, 1), man
        assert man["finished"] == man["updated"] and man["plan_hash"] == self.plan.hash, man


class Kill(BaseException):
    """Stands for kill -9: not an Exception, so nothing in the sweep catches it."""


class Writes:
    """Every change to the files under ``root``, counted as it is about to happen.

    With ``snapshots`` (a folder), the folder as it stands before each write is copied to
    ``snapshots/NNN`` - what a kill at that moment leaves, since nothing after it runs (no
    ``finally``, no clean-up) - and, for a file being written, the folder with that file cut
    half-way to ``snapshots/NNN-torn``. With ``at``, the ``at``-th write raises :class:`Kill`
    instead (a kill that lets ``finally`` blocks run: the lock is released)."""

    def __init__(self, root: Path, snapshots: Path | None = None, at: int | None = None) -> None:
        self.root, self.snapshots, self.at = root, snapshots, at
        self.names: list[str] = []
        self.torn: list[int] = []

    def _mine(self, path) -> bool:
        if not isinstance(path, str | os.PathLike):  # a stream pandas opened itself
            return False
        full = os.path.abspath(os.fspath(path))
        root = str(self.root)
        return full == root or full.startswith(root + os.sep)

    def _copy(self, name: str) -> None:
        if self.snapshots is not None:
            dst = self.snapshots / name
            if self.root.exists():
                shutil.copytree(self.root, dst)
            else:
                dst.with_suffix(".absent").touch()

    def hit(self, name: str, path) -> bool:
        """Record one write about to happen; True when it is the one to kill."""
        if not self._mine(path):
            return False
        self.names.append(f"{name} {Path(path).name}")
        self._copy(f"{len(self.names) - 1:03d}")
        return len(self.names) - 1 == self.at

    def install(self, mp: pytest.MonkeyPatch) -> None:
        def plain(owner, attr, name, path_of):
            real = getattr(owner, attr)

            def wrapper(*a, **k):
                if self.hit(name, path_of(a)):
                    raise Kill(self.names[-1])
                return real(*a, **k)
            mp.setattr(owner, attr, wrapper)

        def content(owner, attr, name, path_of):
            real = getattr(owner, attr)

            def wrapper(*a, **k):
                path = path_of(a)
                if self.hit(name, path):
                    raise Kill(self.names[-1])
                result = real(*a, **k)
                if self._mine(path) and self.snapshots is not None:  # the same write, cut half-way
                    data = Path(path).read_bytes()
                    Path(path).write_bytes(data[: len(data) // 2])
                    self._copy(f"{len(self.names) - 1:03d}-torn")
                    self.torn.append(len(self.names) - 1)
                    Path(path).write_bytes(data)
                return result
            mp.setattr(owner, attr, wrapper)

        plain(os, "replace", "rename", lambda a: a[0])
        plain(shutil, "rmtree", "rmtree", lambda a: a[0])
        plain(Path, "unlink", "unlink", lambda a: a[0])
        plain(Path, "rmdir", "rmdir", lambda a: a[0])
        plain(Path, "mkdir", "mkdir", lambda a: a[0])
        content(Path, "write_text", "write", lambda a: a[0])
        content(pq, "write_table", "parquet", lambda a: a[1])  # every table the store writes whole
        content(pd.DataFrame, "to_csv", "csv", lambda a: a[1])
        # compaction streams its tables through a ParquetWriter: a kill between two of its parts
        real_write = pq.ParquetWriter.write_table

        def write_table(writer, table, *a, **k):
            if self.hit("stream", getattr(writer, "where", None)):
                raise Kill(self.names[-1])
            return real_write(writer, table, *a, **k)
        mp.setattr(pq.ParquetWriter, "write_table", write_table)
        real_open = os.open

        def os_open(path, flags, *a, **k):  # the lock: made with O_CREAT | O_EXCL
            if flags & os.O_CREAT and self.hit("create", path):
                raise Kill(self.names[-1])
            return real_open(path, flags, *a, **k)
        mp.setattr(os, "open", os_open)


def _recorded(plan, out: Path, snapshots: Path, resume: bool = False) -> Writes:
    """Run (or resume) the sweep into ``out``, keeping the folder as it was before every write."""
    snapshots.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        writes = Writes(out, snapshots)
        writes.install(mp)
        run_sweep(plan, out, resume=resume)
    return writes


def _resume_from(plan, snapshot: Path, out: Path, ref: Reference, where: str, last: bool) -> None:
    """Resume what a kill left (``snapshot``) in ``out``; the tables must be the reference's."""
    if snapshot.with_suffix(".absent").exists():
        with pytest.raises(ScenarioError, match="nothing to resume"):
            run_sweep(plan, out, resume=True)
        return
    shutil.copytree(snapshot, out)
    manifest = out / "manifest.json"
    if not manifest.exists():
        # killed before the sweep said what it is: nothing ran, and resuming says so
        assert not list(out.glob("runs/part-*")), where
        with pytest.raises(ScenarioError, match="nothing to resume"):
            run_sweep(plan, out, resume=True)
        return
    done = json.loads(manifest.read_text())["status"] == "done"
    if done:
        # only the lock's removal comes after 'done' is on disk
        assert last, where
        with pytest.raises(ScenarioError, match="already complete"):
            run_sweep(plan, out, resume=True)
    else:
        res = run_sweep(plan, out, resume=True)
        assert res.runs == plan.n_runs and res.failed == 1 and not res.interrupted, where
    try:
        ref.check(out, lock_left=done)
    except AssertionError as err:
        raise AssertionError(f"{where}: {err}") from None


def test_a_part_file_appears_only_whole(tmp_path: Path, fake, monkeypatch) -> None:
    # every runs, series and timing part is renamed into place from a temporary file beside it
    renamed: list[tuple[str, str]] = []
    real = os.replace

    def spy(src, dst, *a, **k):
        renamed.append((Path(src).name, Path(dst).name))
        return real(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", spy)
    run_sweep(_plan(1), tmp_path / "s")
    parts = [(s, d) for s, d in renamed if d.startswith("part-")]
    assert len(parts) == 3 * 3 - 1  # one batch has only the failed run: no series part
    assert all(s == f".{d}.tmp" for s, d in parts), parts


# ---------------------------------------------------------------------------- refusals
def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_resume_refuses_a_finished_sweep_and_leaves_it_untouched(tmp_path: Path, fake) -> None:
    out = tmp_path / "s"
    run_sweep(_plan(1), out)
    before = _snapshot(out)
    with pytest.raises(ScenarioError, match="this sweep is already complete; nothing to resume"):
        run_sweep(_plan(1), out, resume=True)
    assert _snapshot(out) == before  # no lock left, no manifest rewritten


def test_resume_refuses_a_different_sweep_naming_both_hashes(tmp_path: Path, fake) -> None:
    out = tmp_path / "s"
    plan = _plan(1)
    with pytest.MonkeyPatch.context() as mp:  # an interrupted sweep: killed after its second batch
        hits = iter(range(100))

        def hook(name: str) -> None:
            if name == "batch:manifest" and next(hits) == 1:
                raise Kill(name)
        mp.setattr(store_mod, "CRASH_HOOK", hook)
        with pytest.raises(Kill):
            run_sweep(plan, out)
    man = json.loads((out / "manifest.json").read_text())
    assert (man["status"], man["runs_done"]) == ("running", 2) and "finished" not in man, man
    before = _snapshot(out)
    for other in (_plan(3), _plan(2, "regions.Capital.legitimacy=0.7"), _plan(2, "sweep.seed=7")):
        with pytest.raises(ScenarioError) as err:
            run_sweep(other, out, resume=True)
        msg = str(err.value)
        assert "refusing to resume: this folder was made from a different scenario or design" in msg
        assert f"hash {plan.hash[:12]} here, {other.hash[:12]} now" in msg
        assert _snapshot(out) == before
    res = run_sweep(plan, out, resume=True)  # the same sweep still resumes
    assert res.runs == plan.n_runs and res.skipped == 2


def test_a_fresh_sweep_refuses_a_folder_in_use_and_resume_refuses_what_is_not_a_sweep(tmp_path: Path,
                                                                                     fake) -> None:
    plan = _plan(1)
    out = tmp_path / "s"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ScenarioError, match="already exists and is not empty"):
        run_sweep(plan, out)
    with pytest.raises(ScenarioError, match="nothing to resume: no manifest.json"):
        run_sweep(plan, out, resume=True)
    (out / "manifest.json").write_text('{"kind": "run"}')
    with pytest.raises(ScenarioError, match="not a sweep's folder"):
        run_sweep(plan, out, resume=True)
    (out / "manifest.json").write_text('{"kind": "sweep", "status": "runn')
    with pytest.raises(ScenarioError, match="not readable JSON"):
        run_sweep(plan, out, resume=True)
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_sweep(plan, empty).runs == plan.n_runs  # an empty folder is a new sweep's


def test_resume_refuses_a_manifest_it_cannot_read_and_leaves_the_folder_untouched(tmp_path: Path, fake) -> None:
    out = tmp_path / "s"
    (out / "manifest.json").mkdir(parents=True)  # there, but not a file (as root, no permission bites)
    with pytest.raises(ScenarioError, match="manifest.json is not readable JSON; cannot resume"):
        run_sweep(_plan(1), out, resume=True)
    assert [p.name for p in out.rglob("*")] == ["manifest.json"]


def _parts(out: Path, d: str) -> set[str]:
    return {p.name for p in (out / d).glob("part-*")}


def test_an_orphaned_series_part_is_dropped_and_its_batch_runs_again(tmp_path: Path, fake) -> None:
    plan = _plan(1)
    run_sweep(plan, tmp_path / "ref")
    ref = Reference(tmp_path / "ref", plan)
    out = tmp_path / "s"
    with pytest.MonkeyPatch.context() as mp:
        def hook(name: str) -> None:  # a batch's series and timing parts are in, its runs part is not
            if name == "batch:timing:renamed" and _parts(out, "series") - _parts(out, "runs"):
                raise Kill(name)
        mp.setattr(store_mod, "CRASH_HOOK", hook)
        with pytest.raises(Kill):
            run_sweep(plan, out)
    committed = _parts(out, "runs")
    assert len(committed) <= 1  # the batch of the failed run (no series) may have come first
    orphan = _parts(out, "timing") - committed
    assert len(orphan) == 1 and orphan <= _parts(out, "series")
    (out / "runs" / ".part-x.tmp").write_bytes(b"torn")
    (out / ".manifest.json.tmp").write_bytes(b"{")
    (out / ".design.parquet.tmp").write_bytes(b"PAR1")  # not rewritten on resume: removed as a leftover
    store = store_mod.SweepStore(out, plan)
    done = store.open(resume=True)
    store.unlock()
    assert done == ({FAILS} if committed else set()) and store.done == len(done)
    assert store.failed == store.failed_count() == len(done)
    assert _parts(out, "runs") == _parts(out, "timing") == committed and not _parts(out, "series")
    assert not list(out.rglob(".*.tmp"))
    run_sweep(plan, out, resume=True)
    ref.check(out)


def test_the_crash_variable_ends_the_process_at_the_nth_time_a_step_is_reached(tmp_path: Path, fake,
                                                                             monkeypatch) -> None:
    # REGIME_SIM_CRASH_AT=name#n (read at import): os._exit(137) the n-th time the step is reached
    exits: list[int] = []

    def exit_(code: int) -> None:
        exits.append(code)
        raise Kill(code)

    monkeypatch.setattr(os, "_exit", exit_)
    monkeypatch.setattr(store_mod, "_crash_env", "batch:runs:renamed#2")
    monkeypatch.setattr(store_mod, "_crash_seen", {})
    out = tmp_path / "s"
    with pytest.raises(Kill):
        run_sweep(_plan(1), out)
    assert exits == [137] and len(_parts(out, "runs")) == 2  # the second batch's runs part is in
    monkeypatch.setattr(store_mod, "_crash_env", "compact:runs:written")  # no #n: the first time
    monkeypatch.setattr(store_mod, "_crash_seen", {})
    with pytest.raises(Kill):
        run_sweep(_plan(1), out, resume=True)
    assert exits == [137, 137] and (out / ".runs.parquet.tmp").exists() and not (out / "runs.parquet").exists()


def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # reaped: the pid is free
    return proc.pid


def test_the_lock_is_refused_to_a_live_owner_or_another_hosts_and_taken_from_a_dead_or_zombie_one(
        tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys
    import time

    plan = _plan(1)
    out = tmp_path / "s"
    out.mkdir()
    lock = out / "sweep.lock"
    here = socket.gethostname()

    def held_by(**held) -> store_mod.SweepStore:
        lock.write_text(json.dumps(held) if held else "not json")
        store = store_mod.SweepStore(out, plan)
        store.lock()
        return store

    dead = _dead_pid()
    assert not store_mod._pid_alive(dead) and store_mod._pid_state(dead) == ""
    assert store_mod._pid_alive(os.getpid()) and store_mod._pid_state(os.getpid()) in ("R", "S")
    for held in ({"pid": dead, "host": here}, {"pid": dead}, {"pid": os.getpid(), "host": here}, {}):
        store = held_by(**held)  # a dead owner, one that named no host, this process, a torn file
        assert json.loads(lock.read_text())["pid"] == os.getpid(), held
        store.unlock()
        assert not lock.exists()
    with pytest.raises(ScenarioError, match=f"another sweep \\(pid {dead} on elsewhere, since 09:00\\)"):
        held_by(pid=dead, host="elsewhere", since="09:00")  # another machine's: it cannot be checked from here
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])  # exits, and is not reaped until wait()
    try:
        for _ in range(200):
            if store_mod._pid_state(zombie.pid) == "Z":
                break
            time.sleep(0.02)
        assert store_mod._pid_alive(zombie.pid) and store_mod._pid_state(zombie.pid) == "Z"
        held_by(pid=zombie.pid, host=here).unlock()  # dead in all but name: taken over
    finally:
        zombie.wait()


def test_a_store_removes_only_the_lock_it_holds(tmp_path: Path) -> None:
    plan = _plan(1)
    out = tmp_path / "s"
    out.mkdir()
    lock = out / "sweep.lock"
    theirs = json.dumps({"pid": 1, "host": "elsewhere", "since": "09:00"})  # a sweep on another machine
    lock.write_text(theirs)
    refused = store_mod.SweepStore(out, plan)
    with pytest.raises(ScenarioError, match="another sweep \\(pid 1 on elsewhere"):
        refused.lock()
    refused.unlock()  # as a caller's `finally` would: the owner's lock stays
    assert lock.read_text() == theirs
    lock.unlink()
    first, second = store_mod.SweepStore(out, plan), store_mod.SweepStore(out, plan)
    first.lock()
    first.unlock()
    second.lock()  # the folder is the second store's now
    held = lock.read_text()
    first.unlock()  # a second unlock of the first store removes nothing
    assert lock.read_text() == held
    second.unlock()
    assert not lock.exists()


def test_a_live_owner_run_by_another_user_keeps_the_lock(tmp_path: Path, monkeypatch) -> None:
    # signalling another user's process is refused (EPERM): it is alive, and its lock holds.
    # The tests may run as root, who may signal anyone, so the refusal is made here
    import errno
    import socket

    other = _dead_pid()
    real_kill = os.kill

    def kill(pid: int, sig: int) -> None:
        if pid == other:
            raise PermissionError(errno.EPERM, "Operation not permitted")
        real_kill(pid, sig)

    monkeypatch.setattr(os, "kill", kill)
    out = tmp_path / "s"
    out.mkdir()
    lock = out / "sweep.lock"
    theirs = json.dumps({"pid": other, "host": socket.gethostname(), "since": "09:00"})
    lock.write_text(theirs)
    with pytest.raises(ScenarioError, match=f"another sweep \\(pid {other} on "):
        store_mod.SweepStore(out, _plan(1)).lock()
    assert lock.read_text() == theirs


def test_a_lock_released_while_it_is_being_read_is_taken(tmp_path: Path, monkeypatch) -> None:
    # the owner finishes between this store's refused create and its read of the lock
    out = tmp_path / "s"
    out.mkdir()
    lock = out / "sweep.lock"
    lock.write_text(json.dumps({"pid": 1, "host": "elsewhere", "since": "09:00"}))
    real_read = Path.read_text

    def read_text(path: Path, *a, **k) -> str:
        if path == lock and lock.exists():
            lock.unlink()  # the owner's unlock
        return real_read(path, *a, **k)

    monkeypatch.setattr(Path, "read_text", read_text)
    store = store_mod.SweepStore(out, _plan(1))
    store.lock()
    monkeypatch.setattr(Path, "read_text", real_read)
    assert json.loads(lock.read_text())["pid"] == os.getpid()
    store.unlock()
    assert not lock.exists()


def test_a_series_part_counts_its_runs_from_the_run_id_statistics(tmp_path: Path) -> None:
    # compaction groups parts into files of about COMPACT_RUNS runs by this count
    part = tmp_path / "part.parquet"
    pd.DataFrame({"run_id": [7, 7, 8, 9, 9], "value": [0.0] * 5}).to_parquet(part, row_group_size=2)
    assert pq.read_metadata(part).num_row_groups == 3
    assert store_mod._runs_in(part) == 3  # runs 7 to 9
    pd.DataFrame({"run_id": [12, 12], "value": [0.0, 1.0]}).to_parquet(part)
    assert store_mod._runs_in(part) == 1


def test_compaction_writes_the_series_in_files_of_about_compact_runs_runs(tmp_path: Path, fake) -> None:
    # six runs (run 1 fails: no series) in batches [0, 1], [2], [3], [4], [5]; two runs a file:
    # a file is closed once it holds at least two runs
    out = tmp_path / "s"
    run_sweep(_plan(2), out)
    files = sorted((out / "series").glob("*.parquet"))
    held = [sorted(set(pq.read_table(f, columns=["run_id"]).column("run_id").to_pylist())) for f in files]
    assert held == [[0, 2], [3, 4], [5]], held


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from([0.0, 0.5, 2.0]), st.sampled_from(["a", "b", "ab"])),
                max_size=12))
def test_the_order_check_is_a_lexicographic_comparison(rows: list[tuple]) -> None:
    # compaction skips the sort of a group of parts this check finds in order
    table = pa.table({"run": [r[0] for r in rows], "hour": [r[1] for r in rows], "var": [r[2] for r in rows]})
    assert store_mod._in_order(table, ["run", "hour", "var"]) == (rows == sorted(rows))


def _as_pandas_built(df: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)


NAN = float("nan")


@pytest.mark.parametrize("values", [[NAN, NAN], [None, NAN], [1.5, NAN], [1, None], [1, 2.5], [None, None],
                                    ["a", None], ["a", NAN], [True, None], [True, False], [np.float64(2.0), 3],
                                    [np.int64(3), 4], ["", "x"]])
def test_a_column_of_a_batch_is_typed_as_pandas_typed_it(values: list) -> None:
    want = pa.Table.from_pandas(pd.DataFrame({"a": values}), preserve_index=False).column("a").combine_chunks()
    got = store_mod._column(values)
    assert got.type == want.type and got.equals(want), (got, want)


@pytest.mark.parametrize("source", ["stand-in", "model"])
def test_a_batch_is_written_with_the_types_and_values_pandas_gave_it(tmp_path: Path, source: str) -> None:
    # the store builds a batch's tables in Arrow; they were data frames: the same columns, types
    # and values (the stand-in's batch has a failed run: no measures, a traceback)
    from sim.sweep.worker import run_batch

    plan = _plan(2)
    tasks = [(r.run_id, r.point, r.replication, r.seed, plan.overrides(r.point)) for r in plan.runs()]
    batch = fake_batch if source == "stand-in" else run_batch
    rows, series, timing = batch(plan.hash, plan.scenario_text, tasks, plan.series_every_hours, plan.series_vars)
    assert source == "model" or any(r["status"] != "ok" for r in rows)
    store = store_mod.SweepStore(tmp_path / "s", plan)

    df = pd.DataFrame(rows)  # the runs as a data frame: ids, the point's values, the rest
    params = plan.design.set_index("point").loc[df["point"].to_numpy()].reset_index(drop=True)
    front, rest = df[["run_id", "point", "replication", "seed"]], df.drop(columns=["run_id", "point", "replication", "seed"])
    if "traceback" not in rest:
        rest["traceback"] = ""
    rest["traceback"] = rest["traceback"].fillna("")
    want = _as_pandas_built(pd.concat([front, params, rest], axis=1))
    got = store._runs_table(rows)
    assert got.schema == want.schema and got.equals(want)

    frame = pd.DataFrame({c: v for c, v in series.items() if c != "variable"})
    frame.insert(4, "variable", np.array(plan.series_vars, dtype=object)[series["variable"]])
    got = store._series_table(series)
    assert got.schema == _as_pandas_built(frame).schema and got.equals(_as_pandas_built(frame))


@pytest.mark.parametrize("order", [[0, 1], [1, 0]])
def test_compaction_orders_the_series_rows_whatever_order_a_part_holds(tmp_path: Path, fake, monkeypatch,
                                                                        order: list[int]) -> None:
    # the worker writes a run's variables in name order; parts in another order (written by
    # another version, or a stand-in) are sorted on the way
    def batch(*args):
        rows, series, timing = fake_batch(*args)
        series["variable"] = np.array(order, dtype=np.int16)[series["variable"]]
        return rows, series, timing

    monkeypatch.setattr(execute_mod, "run_batch", batch)
    out = tmp_path / "s"
    run_sweep(_plan(2), out)
    files = sorted((out / "series").glob("*.parquet"))
    got = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    want = got.sort_values(["run_id", "hour", "variable"]).reset_index(drop=True)
    assert len(got) == 5 * 6 and got["variable"].nunique() == 2
    pd.testing.assert_frame_equal(got, want)


def test_a_sweep_makes_its_folder_with_its_parents_and_says_in_one_line_why_it_cannot(tmp_path: Path,
                                                                                    fake) -> None:
    plan = _plan(1)
    assert run_sweep(plan, tmp_path / "new" / "deeper" / "s").runs == plan.n_runs
    blocker = tmp_path / "notes.txt"  # a file where the path needs a folder
    blocker.write_text("mine")
    with pytest.raises(ScenarioError) as err:
        run_sweep(plan, blocker / "s")
    assert err.value.message == "cannot write the output folder: Not a directory"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "notes.txt"] and blocker.read_text() == "mine"


def test_the_manifest_follows_the_sweep_batch_by_batch_and_through_a_resumed_compaction(tmp_path: Path,
                                                                                     fake) -> None:
    # what someone watching manifest.json sees: the status, and the runs done and failed as the
    # committed runs parts hold them (batches may come back in any order)
    plan = _plan(1)  # three runs, one a batch; run 1 fails
    out = tmp_path / "s"
    seen: list[tuple] = []

    def look(stop: bool):
        def hook(name: str) -> None:
            if name in ("batch:start", "batch:manifest", "compact:runs:written"):
                man = json.loads((out / "manifest.json").read_text())
                parts = sorted((out / "runs").glob("part-*.parquet"))
                status = pd.read_parquet(parts)["status"] if parts else pd.Series([], dtype=object)
                seen.append((name, man["status"], man["runs_done"], man["runs_failed"],
                             len(status), int((status != "ok").sum())))
                if stop and name == "compact:runs:written":
                    raise Kill(name)
        return hook

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(store_mod, "CRASH_HOOK", look(stop=True))
        with pytest.raises(Kill):
            run_sweep(plan, out)
    assert [s[0] for s in seen] == ["batch:start", "batch:manifest"] * 3 + ["compact:runs:written"], seen
    assert all(s[1] == "running" and s[2:4] == s[4:6] for s in seen[:-1]), seen
    assert seen[-1] == ("compact:runs:written", "compacting", 3, 1, 3, 1)
    seen.clear()
    with pytest.MonkeyPatch.context() as mp:  # the resume only finishes the compaction, and says so
        mp.setattr(store_mod, "CRASH_HOOK", look(stop=False))
        run_sweep(plan, out, resume=True)
    assert seen == [("compact:runs:written", "compacting", 3, 1, 3, 1)], seen
    man = json.loads((out / "manifest.json").read_text())
    assert (man["status"], man["runs_done"], man["runs_failed"]) == ("done", 3, 1)


def test_the_manifest_says_where_each_drawn_value_went(tmp_path: Path, fake) -> None:
    # a priors factor (units.*.fear) is set at every unit that leaves it to its default; the
    # replay of a run reads those targets back from the manifest (the path itself when none)
    plan = build_plan(TINY, [], design="priors", samples=2, replications=1)
    assert any(f.targets for f in plan.factors) and not all(f.targets for f in plan.factors)
    run_sweep(plan, tmp_path / "s")
    man = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert [(p["path"], p.get("targets") or [p["path"]]) for p in man["parameters"]] == [
        (f.path, list(f.paths)) for f in plan.factors]


def _every_run_fails(key, text, tasks, series_every, series_vars):
    _rows, series, _timing = fake_batch(key, text, [], series_every, series_vars)  # no series
    rows = [{"run_id": run_id, "point": point, "replication": rep, "seed": seed, "status": "failed",
             "error": "RuntimeError: injected", "traceback": "Traceback: injected"}
            for run_id, point, rep, seed, _ in tasks]
    return rows, series, [{"run_id": t[0], "wall_s": 0.0} for t in tasks]


def test_a_sweep_whose_every_run_failed_is_compacted_and_summarized(tmp_path: Path, fake, monkeypatch) -> None:
    monkeypatch.setattr(execute_mod, "run_batch", _every_run_fails)
    plan = _plan(2)
    out = tmp_path / "s"
    res = run_sweep(plan, out)
    assert (res.runs, res.failed) == (plan.n_runs, plan.n_runs)
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs["run_id"].tolist() == list(range(plan.n_runs)) and set(runs["status"]) == {"failed"}
    summary = pd.read_parquet(out / "summary.parquet")
    assert len(summary) == plan.n_points * len(OUTCOMES)
    assert (summary["n"] == 0).all() and (summary["k"] == 0).all() and (summary["failed"] == 2).all()
    assert read_series(out).empty
    man = json.loads((out / "manifest.json").read_text())
    assert (man["status"], man["runs_done"], man["runs_failed"]) == ("done", plan.n_runs, plan.n_runs)


# ---------------------------------------------------------------------------- the answer
LABELLED = ("sweep.parameters={ruler.regime_strength: {range: [0.2, 0.8], label: strength}, "
            "regions.Capital.legitimacy: {range: [0.2, 0.8], label: legitimacy}}")


def _answer_plan():
    plan = build_plan(TINY, ["sweep.replications=10", "sweep.levels=3", "sweep.answer_outcome=mutiny_crushed",
                             LABELLED])
    assert plan.labels == {"ruler.regime_strength": "strength", "regions.Capital.legitimacy": "legitimacy"}
    assert len(plan.design) == 9
    return plan


def _runs_where(plan, crushed) -> pd.DataFrame:
    """Ten runs per point; ``crushed(strength, legitimacy)`` of them end in 'mutiny crushed',
    the rest in 'regime survives'."""
    rows = []
    for _, d in plan.design.iterrows():
        k = crushed(d["ruler.regime_strength"], d["regions.Capital.legitimacy"])
        for r in range(10):
            rows.append({"run_id": len(rows), "point": int(d["point"]), "status": "ok",
                         "outcome": "mutiny_crushed" if r < k else "regime_survives",
                         "casualties": 100.0 * d["regions.Capital.legitimacy"] - 10 * d["ruler.regime_strength"]})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("sign", [1, -1])
def test_the_answer_names_the_direction_and_the_strongest_parameter(sign: int) -> None:
    plan = _answer_plan()
    # crushed in 1 to 9 of 10 runs: legitimacy moves it strongly (+/- 3 per level), strength weakly the
    # other way (-/+ 1 per level)
    runs = _runs_where(plan, lambda s, leg: 5 + sign * (round((leg - 0.5) / 0.3) * 3 - round((s - 0.5) / 0.3)))
    summary = summarize(runs, plan)
    text = answer(summary, plan)
    first, second = ("rises", "falls") if sign > 0 else ("falls", "rises")
    line = next(ln for ln in text.splitlines() if ln.startswith("Answer:"))
    assert line.startswith(f"Answer: the chance of mutiny crushed {first} with legitimacy (Spearman rho = "
                           f"{'+' if sign > 0 else '-'}0."), text
    assert "its mean moves by 60% across the range" in line  # 0.2 -> 0.8 at its three levels
    weaker = next(ln for ln in text.splitlines() if ln.startswith("  strength: rho = "))
    assert weaker.startswith(f"  strength: rho = {'-' if sign > 0 else '+'}0.") and "mean moves by 20%" in weaker
    # the other outcome moves the opposite way, with the same parameter
    assert "regime survives: from 10% at " in text and f"; {second} most with legitimacy (rho = " in text
    lo, hi = ("10%", "90%")
    assert f"P(mutiny crushed) ranges from {lo} " in text and f" to {hi} " in text
    lo_at = "strength = 0.8, legitimacy = 0.2" if sign > 0 else "strength = 0.2, legitimacy = 0.8"
    assert f"P(mutiny crushed) ranges from {lo} [" in text and f"] at {lo_at} to" in text


@pytest.mark.parametrize("sign", [1, -1])
def test_the_measure_answer_names_the_direction_and_the_strongest_parameter(sign: int) -> None:
    plan = _answer_plan()
    runs = _runs_where(plan, lambda s, leg: 5)
    runs["casualties"] *= sign
    lines = measure_answer(runs, plan, "casualties")
    assert lines[1].startswith(f"Answer: casualties {'rises' if sign > 0 else 'falls'} with legitimacy "
                               f"(Spearman rho = {'+' if sign > 0 else '-'}0."), lines
    assert lines[1].endswith("the strongest of the swept parameters.")
    assert lines[2].startswith(f"  strength: rho = {'-' if sign > 0 else '+'}0."), lines
    lo_at = "strength = 0.8, legitimacy = 0.2" if sign > 0 else "strength = 0.2, legitimacy = 0.8"
    assert f"at {lo_at} to" in lines[0], lines[0]


@pytest.mark.parametrize("case", ["flat", "noise"])
def test_an_answer_names_no_direction_where_none_is_detectable(case: str) -> None:
    """'falls most with legitimacy (rho = +0.00)': a correlation of zero, or one the seeds alone
    could give, has no direction to name - for the outcome asked about and for the others."""
    plan = _answer_plan()
    if case == "flat":  # 4 of 10 at both ends of legitimacy, 6 in the middle: rho = 0 for both parameters
        crushed = lambda s, leg: 6 if abs(leg - 0.5) < 0.01 else 4  # noqa: E731
    else:  # one run more at one corner: rho over the points is not 0, over the 90 runs it is noise
        crushed = lambda s, leg: 6 if leg > 0.7 and s < 0.3 else 5  # noqa: E731
    text = answer(summarize(_runs_where(plan, crushed), plan), plan)
    line = next(ln for ln in text.splitlines() if ln.startswith("Answer:"))
    assert line.startswith("Answer: no swept parameter has a detectable monotone effect on the chance of mutiny "
                           "crushed: the strongest association, with "), text
    assert "within what the seeds' noise gives (p = " in line and "over 90 runs, Bonferroni for 2 parameters" in line
    if case == "flat":
        assert "(Spearman rho = +0.00)" in line
    else:
        assert "(Spearman rho = +0.43)" in line or "(Spearman rho = -0.43)" in line
    assert " rises " not in text and " falls " not in text and "most with" not in text, text
    assert "regime survives: from " in text and "; no detectable monotone effect of the swept parameters" in text


def test_a_measure_the_seeds_alone_move_gets_no_direction() -> None:
    plan = _answer_plan()
    runs = _runs_where(plan, lambda s, leg: 5)
    runs["casualties"] = np.random.default_rng(3).normal(100.0, 10.0, len(runs))  # no effect of either
    lines = measure_answer(runs, plan, "casualties")
    assert lines[1].startswith("Answer: no swept parameter has a detectable monotone effect on casualties: the "
                               "strongest association, with "), lines
    assert not any(" rises " in ln or " falls " in ln for ln in lines), lines


def test_an_outcome_that_never_happened_is_bounded_not_answered() -> None:
    plan = _answer_plan()
    text = answer(summarize(_runs_where(plan, lambda s, leg: 0), plan), plan)
    assert "Mutiny crushed never happened in 90 runs: its chance is at most 4.1% overall" in text
    assert "and at most 28% at any one design point (10 runs each)" in text
    assert "Answer:" not in text


# ---------------------------------------------------------------------------- a kill at every write
# (last in the file: the mutation run tests each mutant with the quick tests above first)
def test_a_kill_between_any_two_writes_resumes_to_the_uninterrupted_tables(tmp_path: Path, fake) -> None:
    plan = _plan(1)  # three points x one run, in three batches
    writes = _recorded(plan, tmp_path / "ref", tmp_path / "snap")
    names = writes.names
    ref = Reference(tmp_path / "ref", plan)
    kinds = {n.split()[0] for n in names}
    assert {"rename", "unlink", "rmdir", "mkdir", "write", "parquet", "csv", "stream", "create"} <= kinds
    assert sum(n.startswith("parquet .part-") for n in names) == 3 * 3 - 1  # each batch: series, timing, runs
    assert names[-1] == "unlink sweep.lock"
    for k, name in enumerate(names):
        _resume_from(plan, tmp_path / "snap" / f"{k:03d}", tmp_path / f"k{k:03d}", ref,
                     f"killed before write {k} ({name})", k == len(names) - 1)


def test_a_kill_half_way_through_writing_any_file_resumes_to_the_uninterrupted_tables(tmp_path: Path,
                                                                                     fake) -> None:
    plan = _plan(1)
    writes = _recorded(plan, tmp_path / "ref", tmp_path / "snap")
    ref = Reference(tmp_path / "ref", plan)
    assert len(writes.torn) > 12
    for k in writes.torn:
        _resume_from(plan, tmp_path / "snap" / f"{k:03d}-torn", tmp_path / f"t{k:03d}", ref,
                     f"killed half-way through write {k} ({writes.names[k]})", False)


def test_a_resume_killed_in_turn_resumes_again(tmp_path: Path, fake) -> None:
    plan = _plan(1)
    first = _recorded(plan, tmp_path / "ref", tmp_path / "snap")
    ref = Reference(tmp_path / "ref", plan)
    k = first.names.index("stream .runs.parquet.tmp") - 12  # in the last batch's commit
    shutil.copytree(tmp_path / "snap" / f"{k:03d}", tmp_path / "killed")
    again = _recorded(plan, tmp_path / "killed", tmp_path / "again", resume=True)
    assert len(again.names) > 40
    for j, name in enumerate(again.names):
        _resume_from(plan, tmp_path / "again" / f"{j:03d}", tmp_path / f"r{j:03d}", ref,
                     f"killed at write {k} ({first.names[k]}), then the resume before its write {j} ({name})",
                     j == len(again.names) - 1)
