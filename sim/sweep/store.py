"""A sweep's results folder, written as runs finish so that an interruption loses at most the
runs in flight.

Layout while running::

    manifest.json          what, with which seeds and versions; status running/interrupted/done
    design.parquet         the design points
    runs/part-*.parquet    finished runs, one file per finished batch (written atomically)
    series/part-*.parquet  their thinned series, long format
    timing/part-*.parquet  wall time per run (kept apart: it is the one thing that differs between machines)

When the sweep is complete the parts are compacted: ``runs.parquet`` (sorted by run), the
``series/`` dataset rewritten in run order, ``timing.parquet``, and the summary
(``summary.parquet`` and ``summary.csv``). ``--resume`` reads the run ids already in
``runs/`` and runs only the rest; the final tables are the same as an uninterrupted sweep's.

Crash safety (a ``kill -9`` at any line): every file is written new, fsynced and renamed into
place. A batch writes its series and timing parts first and its runs part last, under the
same name: the runs part is the commit, and on resume a series or timing part without its
runs part is an orphan of a batch that never finished and is removed (else its rows would be
duplicated when the batch runs again). Compaction is a sequence of phases recorded in
``compaction.json`` (build the new tables beside the parts; swap ``series/`` for the new copy
by two renames; remove the old copy, the parts and write the summary): resume continues from
the recorded phase, and nothing is removed until what replaces it is complete on disk.
``sweep.lock`` holds the pid of the one process writing the folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import socket
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..provenance import git_commit, versions
from ..scenario.errors import ScenarioError
from .plan import SweepPlan

COMPACT_RUNS = 500  # runs per compacted series file
STREAM_BYTES = 64 << 20  # parts gathered into one row group while compacting (memory stays below this)
LOCK = "sweep.lock"
JOURNAL = "compaction.json"

#: Fault injection for the crash-safety tests: called with the name of every step of a batch
#: commit and of compaction. ``REGIME_SIM_CRASH_AT=name`` (or ``name#n``: its n-th time) ends
#: the process there with ``os._exit`` - no clean-up runs, as with kill -9.
CRASH_HOOK: Callable[[str], None] | None = None
_crash_env = os.environ.get("REGIME_SIM_CRASH_AT")
_crash_seen: dict[str, int] = {}


def crash_point(name: str) -> None:
    if CRASH_HOOK is not None:
        CRASH_HOOK(name)
    if _crash_env:
        want, _, nth = _crash_env.partition("#")
        if name == want:
            _crash_seen[name] = _crash_seen.get(name, 0) + 1
            if _crash_seen[name] == int(nth or 1):
                os._exit(137)


def _fsync(path: Path) -> None:
    """Flush a file, or a folder's entries, to disk (a folder opens read-only like a file)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(tmp: Path, path: Path, step: str) -> None:
    """fsync the new file, rename it into place, fsync the folder (so the rename survives)."""
    _fsync(tmp)
    crash_point(f"{step}:written")
    os.replace(tmp, path)
    _fsync(path.parent)
    crash_point(f"{step}:renamed")


def _atomic_parquet(data: pd.DataFrame | pa.Table, path: Path, step: str = "file") -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    # a data frame as DataFrame.to_parquet(index=False) writes it; every table through one call
    table = data if isinstance(data, pa.Table) else pa.Table.from_pandas(data, preserve_index=False)
    pq.write_table(table, tmp)
    _publish(tmp, path, step)


def _column(values: list) -> pa.Array:
    """A column of a batch's runs as pandas typed it: NaN is null, text is large_string, and
    whole numbers with a gap are double."""
    try:
        arr = pa.array(values)  # NaN kept as a number: a column of NaN stays double, as in pandas
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # text with a NaN in it
        arr = pa.array(values, from_pandas=True)
    if pa.types.is_floating(arr.type):
        arr = pc.if_else(pc.is_nan(arr), pa.scalar(None, arr.type), arr)
    if pa.types.is_string(arr.type):
        return arr.cast(pa.large_string())
    if pa.types.is_integer(arr.type) and arr.null_count:
        return arr.cast(pa.float64())
    return arr


def _atomic_json(obj: dict, path: Path, step: str = "json") -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(obj, indent=2, default=str) + "\n")
    _publish(tmp, path, step)


def _atomic_csv(df: pd.DataFrame, path: Path, step: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    df.to_csv(tmp, index=False)
    _publish(tmp, path, step)


def _remove_tree(folder: Path, step: str) -> None:
    """Remove a folder file by file (a crash may stop it anywhere: resume finishes it)."""
    if not folder.exists():
        return
    for f in sorted(folder.iterdir()):
        f.unlink()
        crash_point(f"{step}:file")
    folder.rmdir()
    crash_point(f"{step}:done")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def _pid_state(pid: int) -> str:
    """'Z' for a zombie (dead, not yet reaped), else the state letter or '' if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


class SweepStore:
    def __init__(self, out: Path, plan: SweepPlan) -> None:
        self.out = Path(out)
        self.plan = plan
        self.runs_dir = self.out / "runs"
        self.series_dir = self.out / "series"
        self.timing_dir = self.out / "timing"
        self._part = 0
        self._locked = False
        self._provenance: dict | None = None
        self._design: pa.Table | None = None
        self._design_index: dict[int, int] = {}
        self.done = 0
        self.failed = 0

    # ------------------------------------------------------------------ the lock
    def lock(self) -> None:
        """Take ``sweep.lock``: one process writes a sweep folder at a time. A lock left by a
        process that is gone (killed) is taken over; one held by a live process is refused."""
        path = self.out / LOCK
        me = {"pid": os.getpid(), "host": socket.gethostname(),
              "since": dt.datetime.now().isoformat(timespec="seconds")}
        for _ in range(3):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                try:
                    held = json.loads(path.read_text() or "{}")
                except (OSError, ValueError):
                    held = {}
                pid = int(held.get("pid", 0) or 0)
                same_host = held.get("host") in (None, me["host"])
                if pid and pid != os.getpid() and (not same_host or (_pid_alive(pid) and _pid_state(pid) != "Z")):
                    raise ScenarioError(
                        f"another sweep (pid {pid} on {held.get('host', '?')}, since {held.get('since', '?')}) "
                        f"is writing this folder; wait for it to finish, or stop it and --resume",
                        file=str(self.out)) from None
                # stale: its process is gone. Remove and retry the exclusive create, so that of two
                # processes taking over at once only one wins
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                continue
            with os.fdopen(fd, "w") as fh:
                fh.write(json.dumps(me) + "\n")
            self._locked = True
            return
        raise ScenarioError("cannot take the sweep's lock (sweep.lock keeps changing)", file=str(self.out))

    def unlock(self) -> None:
        if self._locked:
            with contextlib.suppress(OSError):
                (self.out / LOCK).unlink()
            self._locked = False

    # ------------------------------------------------------------------ opening
    def open(self, resume: bool) -> set[int]:
        """Create or reopen the folder; return the run ids already done."""
        out = self.out
        manifest = out / "manifest.json"
        if out.exists() and not out.is_dir():
            raise ScenarioError("exists and is not a folder; expected a new folder for the sweep", file=str(out),
                                field="--out")
        if resume:
            if not manifest.exists():
                raise ScenarioError("nothing to resume: no manifest.json in this folder", file=str(out))
            try:
                old = json.loads(manifest.read_text())
            except (OSError, ValueError):
                raise ScenarioError("manifest.json is not readable JSON; cannot resume", file=str(manifest)) from None
            if old.get("kind") != "sweep":
                raise ScenarioError("not a sweep's folder (its manifest is not a sweep's); cannot resume",
                                    file=str(out))
            if old.get("plan_hash") != self.plan.hash:
                raise ScenarioError(
                    "refusing to resume: this folder was made from a different scenario or design "
                    f"(hash {str(old.get('plan_hash', '?'))[:12]} here, {self.plan.hash[:12]} now)", file=str(out))
            if old.get("status") == "done":
                raise ScenarioError("this sweep is already complete; nothing to resume", file=str(out))
        elif out.exists() and any(out.iterdir()):
            raise ScenarioError("already exists and is not empty; choose another --out, or --resume",
                                file=str(out))
        try:
            out.mkdir(parents=True, exist_ok=True)
            self.lock()
            for d in (self.runs_dir, self.series_dir, self.timing_dir):
                if not self.compacting:  # compaction may already have removed them
                    d.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ScenarioError(f"cannot write the output folder: {exc.strerror or exc}", file=str(out)) from None
        if resume:
            self._drop_orphans()
        done = self.done_ids()
        self._part = len(list(self.runs_dir.glob("part-*.parquet"))) if self.runs_dir.exists() else 0
        if not resume:
            (out / "scenario.yaml").write_text(self.plan.scenario_text)
            _atomic_parquet(self.plan.design, out / "design.parquet")
        self.done, self.failed = len(done), self.failed_count()
        self.write_manifest("compacting" if self.compacting else "running", done=self.done, failed=self.failed)
        return done

    @property
    def compacting(self) -> bool:
        """Compaction has begun (its journal exists) or ended without the manifest saying so:
        every run is done and the parts may be partly or wholly removed - resume only finishes."""
        return (self.out / JOURNAL).exists() or self.compacted

    @property
    def compacted(self) -> bool:
        """Compaction finished (journal removed) but the process died before writing 'done'."""
        return (not (self.out / JOURNAL).exists() and not self.runs_dir.exists()
                and (self.out / "summary.parquet").exists())

    def _drop_orphans(self) -> None:
        """Remove what a killed batch left: temporary files, and series or timing parts whose
        batch never wrote its runs part (its runs will run again and write them anew)."""
        if self.compacting:
            return
        committed = {p.name for p in self.runs_dir.glob("part-*.parquet")}
        for d in (self.runs_dir, self.series_dir, self.timing_dir):
            for f in d.glob(".*.tmp"):
                f.unlink()
            if d is not self.runs_dir:
                for f in d.glob("part-*.parquet"):
                    if f.name not in committed:
                        f.unlink()
        for f in self.out.glob(".*.tmp"):
            f.unlink()

    def done_ids(self) -> set[int]:
        if self.compacting:
            return set(range(self.plan.n_runs))
        parts = sorted(self.runs_dir.glob("part-*.parquet"))
        if not parts:
            return set()
        ids = pq.ParquetDataset(parts).read(columns=["run_id"]).column("run_id").to_pylist()
        return set(ids)

    def failed_count(self) -> int:
        if self.compacting and (self.out / "runs.parquet").exists() and self._journal().get("phase") != "build":
            status = pq.read_table(self.out / "runs.parquet", columns=["status"]).column("status").to_pylist()
            return sum(1 for s in status if s != "ok")
        parts = sorted(self.runs_dir.glob("part-*.parquet")) if self.runs_dir.exists() else []
        if not parts:
            return 0
        status = pq.ParquetDataset(parts).read(columns=["status"]).column("status").to_pylist()
        return sum(1 for s in status if s != "ok")

    # ------------------------------------------------------------------ writing
    def append(self, rows: list[dict], series: dict, timing: list[dict]) -> None:
        """Write one finished batch. The runs part is written last: it is what marks the batch done."""
        self._part += 1
        name = f"part-{self._part:06d}-{rows[0]['run_id']:09d}.parquet"
        crash_point("batch:start")
        if len(series["run_id"]):
            _atomic_parquet(self._series_table(series), self.series_dir / name, "batch:series")
        _atomic_parquet(pa.table({"run_id": pa.array([t["run_id"] for t in timing], pa.int64()),
                                "wall_s": pa.array([t["wall_s"] for t in timing], pa.float64())}),
                      self.timing_dir / name, "batch:timing")
        _atomic_parquet(self._runs_table(rows), self.runs_dir / name, "batch:runs")
        self.done += len(rows)
        self.failed += sum(1 for r in rows if r.get("status") != "ok")
        # runs_done follows the sweep as it goes, not only at its end
        self.write_manifest("running", done=self.done, failed=self.failed)
        crash_point("batch:manifest")

    # A batch's tables are built in Arrow directly, with the types pandas gave them when they were
    # built as data frames (text as large_string, a whole-number column with a gap as double, NaN
    # as null): this process writes every batch of every worker, and a data frame's conversion
    # cost more than the write (tests/test_store.py holds the two equal).
    def _series_table(self, series: dict[str, np.ndarray]) -> pa.Table:
        """The long series table of a batch: variable codes back to names."""
        names = pa.array(self.plan.series_vars, pa.large_string())
        return pa.table({c: names.take(pa.array(v)) if c == "variable" else pa.array(v, from_pandas=True)
                         for c, v in series.items()})

    def _runs_table(self, rows: list[dict]) -> pa.Table:
        """The batch's runs: ids and seed, the design point's values, then what each run gave
        (every key any row has, in the order they first appear; a traceback, "" if none)."""
        front = ["run_id", "point", "replication", "seed"]
        keys = [k for k in dict.fromkeys(k for r in rows for k in r) if k not in front]
        if "traceback" not in keys:
            keys.append("traceback")
        params = self._design_rows().take(pa.array([self._design_index[r["point"]] for r in rows]))
        columns = {k: _column([r[k] for r in rows]) for k in front}
        columns.update({c: params.column(c) for c in params.column_names})
        for k in keys:
            values = [r.get(k) for r in rows]
            columns[k] = _column(["" if v is None else v for v in values] if k == "traceback" else values)
        return pa.table(columns)

    def _design_rows(self) -> pa.Table:
        """The design's parameter columns as an Arrow table (row i: the point _design_index maps to i)."""
        if self._design is None:
            design = self.plan.design
            self._design_index = {int(p): i for i, p in enumerate(design["point"])}
            self._design = pa.Table.from_pandas(design.drop(columns=["point"]), preserve_index=False)
        return self._design

    def write_manifest(self, status: str, **counts: int) -> None:
        path = self.out / "manifest.json"
        try:
            old = json.loads(path.read_text()) if path.exists() else {}
        except ValueError:  # a manifest cut short: rewritten whole below
            old = {}
        p = self.plan
        if self._provenance is None:  # git and package versions once per sweep, not per batch
            self._provenance = {"package_version": versions().get("regime-sim", "unknown"),
                                "git_commit": git_commit(), "versions": versions()}
        man = {
            "kind": "sweep",
            "status": status,
            "scenario_file": p.source,
            "scenario_name": p.name,
            "scenario_sha256": __import__("hashlib").sha256(p.scenario_text.encode()).hexdigest(),
            "plan_hash": p.hash,
            "design": p.design_name,
            "parameters": [{"path": f.path, "label": p.labels[f.path], "kind": f.kind, "low": f.low,
                            "high": f.high, "values": list(f.values), **({"targets": list(f.targets)} if f.targets else {})}
                           for f in p.factors],
            "points": p.n_points,
            "replications": p.replications,
            "runs": p.n_runs,
            "master_seed": p.master_seed,
            "seeding": "run i uses numpy.random.SeedSequence(master_seed, spawn_key=(i,)); "
                       "seeds are in runs.parquet",
            "series_every_hours": p.series_every_hours,
            "series_variables": p.series_vars,
            **self._provenance,
            "started": old.get("started", dt.datetime.now().isoformat(timespec="seconds")),
            "updated": dt.datetime.now().isoformat(timespec="seconds"),
            **p.extra,
            **{f"runs_{k}": v for k, v in counts.items()},
        }
        if status == "done":
            man["finished"] = man["updated"]
        _atomic_json(man, path, "manifest")

    # ------------------------------------------------------------------ finishing
    def _parts(self, folder: Path) -> list[Path]:
        """Part files in run order: each holds one batch, a contiguous range of run ids, and
        batches never overlap, so ordering by the first run id orders every run."""
        return sorted(folder.glob("part-*.parquet"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))

    def _stream(self, parts: list[Path], out: Path, sort_by: list[str], step: str) -> None:
        """Concatenate parts (each sorted) into one file without holding them all in memory.

        Parts may differ in columns (a batch whose runs all failed has no measures): every
        part is conformed to the union of their schemas, read from the files' metadata.
        Parts are gathered into row groups of up to STREAM_BYTES in memory, each sorted and
        written at once: parts hold disjoint run ranges in run order, so sorting a group is
        sorting each part, and one write of a group costs far less than one per part (a
        1,500-run sweep's compaction is a serial tail that caps its gain from workers).
        """
        if not parts:
            return
        schema = pa.unify_schemas([pq.read_schema(p) for p in parts], promote_options="permissive")
        schema = schema.remove_metadata()
        keys = [(c, "ascending") for c in sort_by]
        tmp = out.with_name(f".{out.name}.tmp")
        with pq.ParquetWriter(tmp, schema) as writer:
            group: list[pa.Table] = []
            size = 0

            def flush() -> None:
                table = pa.concat_tables(group, promote_options="permissive")
                columns = [table.column(f.name).cast(f.type) if f.name in table.column_names
                           else pa.nulls(table.num_rows, f.type) for f in schema]
                table = pa.Table.from_arrays(columns, schema=schema)
                writer.write_table(table if _in_order(table, sort_by) else table.sort_by(keys))

            for table in _read_ahead(parts):
                group.append(table)
                size += table.nbytes
                if size >= STREAM_BYTES:
                    flush()
                    group, size = [], 0
            if group:
                flush()
        _publish(tmp, out, step)

    def _journal(self) -> dict:
        path = self.out / JOURNAL
        if not path.exists():
            return {}
        try:
            return json.loads(path.read_text())
        except ValueError:  # cut short while written: never, it is renamed into place; but be safe
            return {"phase": "build"}

    def _set_phase(self, phase: str) -> None:
        _atomic_json({"phase": phase, "updated": dt.datetime.now().isoformat(timespec="seconds")},
                     self.out / JOURNAL, f"journal:{phase}")

    def finalize(self) -> pd.DataFrame:
        """Compact the parts into the final tables, streaming them in run order (memory stays
        flat however many runs there are); return the columns the summary needs.

        Phases (``compaction.json``): ``build`` writes runs.parquet, timing.parquet and the new
        series beside the parts, which stay untouched; ``swap`` moves the old ``series/`` aside
        and the new copy in, by renames; ``clean`` writes the summary and removes the old copy
        and the parts. A kill anywhere resumes in the phase it was in.
        """
        if self.compacted:
            return self._runs_for_summary()
        phase = self._journal().get("phase")
        if phase is None:
            self._set_phase("build")
            phase = "build"
        if phase == "build":
            self._stream(self._parts(self.runs_dir), self.out / "runs.parquet", ["run_id"], "compact:runs")
            self._stream(self._parts(self.timing_dir), self.out / "timing.parquet", ["run_id"], "compact:timing")
            self._build_series()
            self._set_phase("swap")
            phase = "swap"
        if phase == "swap":
            self._swap_series()
            self._set_phase("clean")
            phase = "clean"
        runs = self._runs_for_summary()
        from .summary import summarize

        summary = summarize(runs, self.plan)
        _atomic_parquet(summary, self.out / "summary.parquet", "compact:summary")
        _atomic_csv(summary, self.out / "summary.csv", "compact:summary-csv")
        _remove_tree(self.out / ".series-old", "compact:remove-old-series")
        _remove_tree(self.runs_dir, "compact:remove-runs-parts")
        _remove_tree(self.timing_dir, "compact:remove-timing-parts")
        (self.out / JOURNAL).unlink()
        _fsync(self.out)
        crash_point("compact:journal-removed")
        return runs

    def _runs_for_summary(self) -> pd.DataFrame:
        """run_id, point, status and outcome; a sweep whose runs all failed has no outcome column."""
        path = self.out / "runs.parquet"
        if not path.exists():  # no runs at all
            return pd.DataFrame({"run_id": [], "point": [], "status": [], "outcome": []})
        have = set(pq.read_schema(path).names)
        runs = pd.read_parquet(path, columns=[c for c in ("run_id", "point", "status", "outcome") if c in have])
        if "outcome" not in runs:
            runs["outcome"] = pd.Series([None] * len(runs), dtype=object)
        return runs

    def _build_series(self) -> None:
        """Write the series as chunks of about COMPACT_RUNS runs each, in run order, into
        ``.series-compact/`` - always made, empty when no run left a series."""
        tmp = self.out / ".series-compact"
        if tmp.exists():  # a build cut short: the parts are all still there, start it again
            shutil.rmtree(tmp)
        tmp.mkdir()
        chunk: list[Path] = []
        runs_in_chunk = 0
        index = 0
        for part in self._parts(self.series_dir):
            chunk.append(part)
            runs_in_chunk += _runs_in(part)
            if runs_in_chunk >= COMPACT_RUNS:
                self._stream(chunk, tmp / f"chunk-{index:05d}.parquet", ["run_id", "hour", "variable"],
                             "compact:series-chunk")
                chunk, runs_in_chunk, index = [], 0, index + 1
        if chunk:
            self._stream(chunk, tmp / f"chunk-{index:05d}.parquet", ["run_id", "hour", "variable"],
                         "compact:series-chunk")
        _fsync(tmp)

    def _swap_series(self) -> None:
        """series/ -> .series-old/, then .series-compact/ -> series/: two renames, each of
        which resume can tell apart from the other by which folders exist."""
        new, old, cur = self.out / ".series-compact", self.out / ".series-old", self.series_dir
        if new.exists() and cur.exists():
            if old.exists():  # only possible if a previous swap finished: then new would not exist
                shutil.rmtree(old)
            os.replace(cur, old)
            _fsync(self.out)
            crash_point("compact:series-moved-aside")
        if new.exists() and not cur.exists():
            os.replace(new, cur)
            _fsync(self.out)
            crash_point("compact:series-moved-in")


def _read_ahead(parts: list[Path], window: int = 4) -> Iterator[pa.Table]:
    """The parts' tables in order, the next few read meanwhile in threads (parquet decoding
    releases the GIL): compaction runs alone after the workers, and reads are most of it."""
    with ThreadPoolExecutor(2, thread_name_prefix="regime-sim: compaction read") as pool:
        ahead: deque[Future] = deque()
        for part in parts:
            ahead.append(pool.submit(pq.read_table, part))
            if len(ahead) >= window:
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()


def _in_order(table: pa.Table, keys: list[str]) -> bool:
    """Whether the rows are already in ascending order of ``keys`` (lexicographic): each row's
    first key that differs from the next row's is smaller. A check in a few vectorised passes,
    against a sort that costs far more."""
    if table.num_rows < 2:
        return True
    ordered = pa.array(np.zeros(table.num_rows - 1, dtype=bool))
    tied = pa.array(np.ones(table.num_rows - 1, dtype=bool))
    for key in keys:
        col = table.column(key)
        a, b = col.slice(0, table.num_rows - 1), col.slice(1)
        ordered = pc.or_(ordered, pc.and_(tied, pc.less(a, b)))
        tied = pc.and_(tied, pc.equal(a, b))
    return bool(pc.all(pc.or_(ordered, tied)).as_py())


def _runs_in(part: Path) -> int:
    """How many runs a series part holds (from the run-id column's statistics)."""
    meta = pq.read_metadata(part)
    col = meta.schema.names.index("run_id")
    lo = min(meta.row_group(i).column(col).statistics.min for i in range(meta.num_row_groups))
    hi = max(meta.row_group(i).column(col).statistics.max for i in range(meta.num_row_groups))
    return int(hi - lo + 1)


def read_series(folder: Path | str) -> pd.DataFrame:
    """A sweep's long series in one line: point, replication, run_id, hour, variable, value."""
    import pyarrow.dataset as pads

    return pads.dataset(str(Path(folder) / "series"), format="parquet").to_table().to_pandas()
