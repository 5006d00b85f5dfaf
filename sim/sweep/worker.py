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
import yaml

_SCENARIOS: dict[str, tuple[dict, Any]] = {}
#: validated scenarios of the design points this process ran last: a point's replications run
#: one after another, and validating a scenario cost the mutiny's sweep 1.4 ms of a 9.4 ms run
#: (a run never changes its scenario: tests/test_sweep.py holds it)
_VALIDATED: dict[tuple, Any] = {}
_VALIDATED_MAX = 16


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
              series_vars: list[str]) -> tuple[list[dict], dict[str, np.ndarray], list[dict]]:
    """Run each task; return (run rows, long series as compact arrays, timings).

    The series travel as numpy arrays with each variable as its index in ``series_vars``
    (the store turns them back into a table): a batch is small to ship.
    """
    from ..model.model import RegimeModel
    from ..scenario.loader import apply_overrides, validate_raw

    raw, base = _base(key, text)
    rows: list[dict] = []
    frames: list[dict[str, np.ndarray]] = []
    timing: list[dict] = []
    code = {v: i for i, v in enumerate(series_vars)}
    for run_id, point, rep, seed, overrides in tasks:
        t0 = time.perf_counter()
        row: dict[str, Any] = {"run_id": run_id, "point": point, "replication": rep, "seed": seed}
        try:
            scn = _VALIDATED.get(which := (key, tuple(overrides.items()), series_every))
            if scn is None:
                sets = dict(overrides)
                sets["outputs.series_every_hours"] = series_every
                scn = validate_raw(apply_overrides(raw, base, sets, "<sweep>"), {}, "<sweep>")
                if len(_VALIDATED) >= _VALIDATED_MAX:
                    _VALIDATED.pop(next(iter(_VALIDATED)))  # the oldest point
                _VALIDATED[which] = scn
            model = RegimeModel(scn, seed=seed, record_track=False)
            model.run()
            row.update(status="ok", error="")
            row.update(model.measures())
            # only the measures and the thinned series are kept: no per-run tables to build
            rows_ = model.rows
            # variables in name order: a run's rows come out as compaction orders them (run,
            # hour, variable), so it need not sort them again
            cols = sorted(c for c in series_vars if c in rows_.columns)
            values = np.array(rows_.values(cols), dtype=float).reshape(len(rows_), len(cols))
            n, k = values.shape
            frames.append({
                "run_id": np.full(n * k, run_id, dtype=np.int64),
                "point": np.full(n * k, point, dtype=np.int64),
                "replication": np.full(n * k, rep, dtype=np.int64),
                "hour": np.repeat(np.array(rows_.values(["hour"]), dtype=float).reshape(-1), k),
                "variable": np.tile(np.array([code[c] for c in cols], dtype=np.int16), n),
                "value": values.reshape(-1),
            })
        except Exception as exc:  # a failing run is recorded and the sweep goes on
            row.update(status="failed", error=f"{type(exc).__name__}: {exc}")
            row["traceback"] = traceback.format_exc(limit=5)
        timing.append({"run_id": run_id, "wall_s": time.perf_counter() - t0})
        rows.append(row)
    names = ("run_id", "point", "replication", "hour", "variable", "value")
    types = (np.int64, np.int64, np.int64, float, np.int16, float)
    series = {c: (np.concatenate([f[c] for f in frames]) if frames else np.empty(0, dtype=t))
              for c, t in zip(names, types, strict=True)}
    return rows, series, timing

