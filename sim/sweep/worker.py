"""What a worker does: run a batch of a sweep's runs and return their rows.

A batch is a list of (run_id, point, replication, seed, overrides). The scenario travels as
YAML text and is parsed once per worker process (cached by the sweep's hash). A run that
raises is returned as a failed row with its error; the batch goes on.
"""

from __future__ import annotations

import time
import traceback
from typing import Any

import numpy as np
import pandas as pd
import yaml

_SCENARIOS: dict[str, tuple[dict, Any]] = {}


def _base(key: str, text: str) -> tuple[dict, Any]:
    """The sweep's scenario, parsed and validated once per process."""
    if key not in _SCENARIOS:
        from ..scenario.loader import validate_raw

        raw = yaml.safe_load(text)
        raw.pop("sweep", None)
        raw.pop("controls", None)
        _SCENARIOS.clear()
        _SCENARIOS[key] = (raw, validate_raw(raw, {}, "<sweep>"))
    return _SCENARIOS[key]


def run_batch(key: str, text: str, tasks: list[tuple], series_every: float,
              series_vars: list[str]) -> tuple[list[dict], pd.DataFrame, list[dict]]:
    """Run each task; return (run rows, long series, timings)."""
    from ..model.model import RegimeModel
    from ..scenario.loader import apply_overrides, validate_raw

    raw, base = _base(key, text)
    rows: list[dict] = []
    frames: list[pd.DataFrame] = []
    timing: list[dict] = []
    for run_id, point, rep, seed, overrides in tasks:
        t0 = time.perf_counter()
        row: dict[str, Any] = {"run_id": run_id, "point": point, "replication": rep, "seed": seed}
        try:
            sets = dict(overrides)
            sets["outputs.series_every_hours"] = series_every
            scn = validate_raw(apply_overrides(raw, base, sets, "<sweep>"), {}, "<sweep>")
            model = RegimeModel(scn, seed=seed, record_track=False)
            model.run()
            row.update(status="ok", error="")
            row.update(model.measures())
            # only the measures and the thinned series are kept: no per-run tables to build
            rows_ = model.rows
            cols = [c for c in series_vars if c in rows_[0]]
            values = np.array([[r[c] for c in cols] for r in rows_], dtype=float)
            n, k = values.shape
            frames.append(pd.DataFrame({
                "run_id": np.repeat(np.int64(run_id), n * k),
                "point": np.repeat(np.int64(point), n * k),
                "replication": np.repeat(np.int64(rep), n * k),
                "hour": np.repeat(np.array([r["hour"] for r in rows_], dtype=float), k),
                "variable": np.tile(np.array(cols, dtype=object), n),
                "value": values.reshape(-1),
            }))
        except Exception as exc:  # a failing run is recorded and the sweep goes on
            row.update(status="failed", error=f"{type(exc).__name__}: {exc}")
            row["traceback"] = traceback.format_exc(limit=5)
        timing.append({"run_id": run_id, "wall_s": time.perf_counter() - t0})
        rows.append(row)
    series = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        {"run_id": pd.Series([], dtype="int64"), "point": pd.Series([], dtype="int64"),
         "replication": pd.Series([], dtype="int64"), "hour": pd.Series([], dtype="float64"),
         "variable": pd.Series([], dtype="object"), "value": pd.Series([], dtype="float64")})
    return rows, series, timing
