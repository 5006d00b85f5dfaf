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
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..provenance import git_commit, versions
from ..scenario.errors import ScenarioError
from .plan import SweepPlan

COMPACT_RUNS = 500  # runs per compacted series file


def _atomic_parquet(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def _atomic_json(obj: dict, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(obj, indent=2, default=str) + "\n")
    os.replace(tmp, path)


class SweepStore:
    def __init__(self, out: Path, plan: SweepPlan) -> None:
        self.out = Path(out)
        self.plan = plan
        self.runs_dir = self.out / "runs"
        self.series_dir = self.out / "series"
        self.timing_dir = self.out / "timing"
        self._part = 0

    # ------------------------------------------------------------------ opening
    def open(self, resume: bool) -> set[int]:
        """Create or reopen the folder; return the run ids already done."""
        out = self.out
        manifest = out / "manifest.json"
        if resume:
            if not manifest.exists():
                raise ScenarioError("nothing to resume: no manifest.json in this folder", file=str(out))
            old = json.loads(manifest.read_text())
            if old.get("plan_hash") != self.plan.hash:
                raise ScenarioError(
                    "refusing to resume: this folder was made from a different scenario or design "
                    f"(hash {old.get('plan_hash', '?')[:12]} here, {self.plan.hash[:12]} now)", file=str(out))
            if old.get("status") == "done":
                raise ScenarioError("this sweep is already complete; nothing to resume", file=str(out))
        elif out.exists() and any(out.iterdir()):
            raise ScenarioError("already exists and is not empty; choose another --out, or --resume",
                                file=str(out))
        try:
            for d in (self.runs_dir, self.series_dir, self.timing_dir):
                d.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ScenarioError(f"cannot write the output folder: {exc.strerror or exc}", file=str(out)) from None
        done = self.done_ids()
        self._part = len(list(self.runs_dir.glob("part-*.parquet")))
        if not resume:
            (out / "scenario.yaml").write_text(self.plan.scenario_text)
            _atomic_parquet(self.plan.design, out / "design.parquet")
        self.write_manifest("running", done=len(done), failed=self.failed_count())
        return done

    def done_ids(self) -> set[int]:
        parts = sorted(self.runs_dir.glob("part-*.parquet"))
        if not parts:
            return set()
        ids = pq.ParquetDataset(parts).read(columns=["run_id"]).column("run_id").to_pylist()
        return set(ids)

    def failed_count(self) -> int:
        parts = sorted(self.runs_dir.glob("part-*.parquet"))
        if not parts:
            return 0
        status = pq.ParquetDataset(parts).read(columns=["status"]).column("status").to_pylist()
        return sum(1 for s in status if s != "ok")

    # ------------------------------------------------------------------ writing
    def append(self, rows: list[dict], series: dict, timing: list[dict]) -> None:
        """Write one finished batch. The runs part is written last: it is what marks the batch done."""
        from .worker import series_frame

        self._part += 1
        name = f"part-{self._part:06d}-{rows[0]['run_id']:09d}.parquet"
        if len(series["run_id"]):
            _atomic_parquet(series_frame(series, self.plan.series_vars), self.series_dir / name)
        _atomic_parquet(pd.DataFrame(timing), self.timing_dir / name)
        _atomic_parquet(self._runs_frame(rows), self.runs_dir / name)

    def _runs_frame(self, rows: list[dict]) -> pd.DataFrame:
        df = pd.DataFrame(rows)
        design = self.plan.design.set_index("point")
        params = design.loc[df["point"].to_numpy()].reset_index(drop=True)
        front = df[["run_id", "point", "replication", "seed"]]
        rest = df.drop(columns=["run_id", "point", "replication", "seed"])
        if "traceback" not in rest:
            rest["traceback"] = ""
        rest["traceback"] = rest["traceback"].fillna("")
        return pd.concat([front, params, rest], axis=1)

    def write_manifest(self, status: str, **counts: int) -> None:
        path = self.out / "manifest.json"
        old = json.loads(path.read_text()) if path.exists() else {}
        p = self.plan
        man = {
            "kind": "sweep",
            "status": status,
            "scenario_file": p.source,
            "scenario_name": p.name,
            "scenario_sha256": __import__("hashlib").sha256(p.scenario_text.encode()).hexdigest(),
            "plan_hash": p.hash,
            "design": p.design_name,
            "parameters": [{"path": f.path, "kind": f.kind, "low": f.low, "high": f.high,
                            "values": list(f.values)} for f in p.factors],
            "points": p.n_points,
            "replications": p.replications,
            "runs": p.n_runs,
            "master_seed": p.master_seed,
            "seeding": "run i uses numpy.random.SeedSequence(master_seed, spawn_key=(i,)); "
                       "seeds are in runs.parquet",
            "series_every_hours": p.series_every_hours,
            "series_variables": p.series_vars,
            "package_version": versions().get("regime-sim", "unknown"),
            "git_commit": git_commit(),
            "versions": versions(),
            "started": old.get("started", dt.datetime.now().isoformat(timespec="seconds")),
            "updated": dt.datetime.now().isoformat(timespec="seconds"),
            **p.extra,
            **{f"runs_{k}": v for k, v in counts.items()},
        }
        if status == "done":
            man["finished"] = man["updated"]
        _atomic_json(man, path)

    # ------------------------------------------------------------------ finishing
    def _parts(self, folder: Path) -> list[Path]:
        """Part files in run order: each holds one batch, a contiguous range of run ids, and
        batches never overlap, so ordering by the first run id orders every run."""
        return sorted(folder.glob("part-*.parquet"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))

    def _stream(self, parts: list[Path], out: Path, sort_by: list[str]) -> None:
        """Concatenate parts (each sorted) into one file without holding them all in memory.

        Parts may differ in columns (a batch whose runs all failed has no measures): every
        part is conformed to the union of their schemas, read from the files' metadata.
        """
        if not parts:
            return
        schema = pa.unify_schemas([pq.read_schema(p) for p in parts], promote_options="permissive")
        schema = schema.remove_metadata()
        tmp = out.with_name(f".{out.name}.tmp")
        with pq.ParquetWriter(tmp, schema) as writer:
            for part in parts:
                table = pq.read_table(part).sort_by([(c, "ascending") for c in sort_by])
                columns = [table.column(f.name).cast(f.type) if f.name in table.column_names
                           else pa.nulls(table.num_rows, f.type) for f in schema]
                writer.write_table(pa.Table.from_arrays(columns, schema=schema))
        os.replace(tmp, out)

    def finalize(self) -> pd.DataFrame:
        """Compact the parts into the final tables, streaming them in run order (memory stays
        flat however many runs there are); return the columns the summary needs."""
        from .summary import summarize

        self._stream(self._parts(self.runs_dir), self.out / "runs.parquet", ["run_id"])
        self._stream(self._parts(self.timing_dir), self.out / "timing.parquet", ["run_id"])
        self._compact_series()
        runs = pd.read_parquet(self.out / "runs.parquet", columns=["run_id", "point", "status", "outcome"])
        summary = summarize(runs, self.plan)
        _atomic_parquet(summary, self.out / "summary.parquet")
        summary.to_csv(self.out / "summary.csv", index=False)
        shutil.rmtree(self.runs_dir)
        shutil.rmtree(self.timing_dir)
        return runs

    def _compact_series(self) -> None:
        """Rewrite the series parts as chunks of about COMPACT_RUNS runs each, in run order."""
        parts = self._parts(self.series_dir)
        if not parts:
            return
        tmp = self.out / ".series-compact"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir()
        chunk: list[Path] = []
        runs_in_chunk = 0
        index = 0
        for part in parts:
            chunk.append(part)
            runs_in_chunk += _runs_in(part)
            if runs_in_chunk >= COMPACT_RUNS:
                self._stream(chunk, tmp / f"chunk-{index:05d}.parquet", ["run_id", "hour", "variable"])
                chunk, runs_in_chunk, index = [], 0, index + 1
        if chunk:
            self._stream(chunk, tmp / f"chunk-{index:05d}.parquet", ["run_id", "hour", "variable"])
        shutil.rmtree(self.series_dir)
        os.replace(tmp, self.series_dir)


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
