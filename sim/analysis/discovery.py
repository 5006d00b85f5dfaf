"""Scenario discovery on a finished sweep: where in parameter space an outcome is likely.

Each run of the sweep is a case: its swept parameter values, and whether it ended in the outcome
of interest (or whether a measure crossed a threshold). PRIM (``prim.py``) finds boxes of
parameter space where such runs are dense; a feature ranking (extra-trees impurity importance
and mutual information, both from scikit-learn) says which parameters separate them at all.
The ranking works on design points (the share of each point's runs with the outcome). A random
dummy column, drawn once per point like a real parameter, is ranked alongside: a parameter
scoring no better than it is indistinguishable from noise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..scenario.errors import ScenarioError, did_you_mean
from ..sweep.design import DUMMY_PREFIX
from . import write_outputs
from .prim import PrimResult, fmt, prim
from .sensitivity import outcome_label, parse_outcomes

DUMMY = "dummy"
FILES = {
    "limits": "prim_boxes",
    "trajectory": "prim_trajectory",
    "features": "feature_scores",
    "text": "discovery.txt",
    "meta": "discovery.json",
}


@dataclass(frozen=True)
class Target:
    """The case of interest: a run ends in ``outcome``, or ``measure`` is above/below ``value``."""

    kind: str  # "outcome" | "above" | "below"
    name: str  # a measure, or one outcome or several joined by commas (any of them counts)
    value: float | None = None

    @property
    def label(self) -> str:
        if self.kind == "outcome":
            return outcome_label(self.name)
        return f"{self.name} {'>' if self.kind == 'above' else '<'} {self.value:g}"

    def of(self, runs: pd.DataFrame) -> np.ndarray:
        if self.kind == "outcome":
            return runs["outcome"].isin(self.name.split(",")).to_numpy()
        v = pd.to_numeric(runs[self.name], errors="coerce").to_numpy(dtype=float)
        return v > self.value if self.kind == "above" else v < self.value


def load_sweep(folder: Path) -> tuple[pd.DataFrame, dict]:
    """The run table and manifest of a finished sweep folder."""
    folder = Path(folder)
    runs_path, manifest_path = folder / "runs.parquet", folder / "manifest.json"
    if not folder.is_dir():
        raise ScenarioError("no such results folder", file=str(folder))
    if not manifest_path.exists() or not runs_path.exists():
        state = ""
        if manifest_path.exists():
            state = f" (its status is '{json.loads(manifest_path.read_text()).get('status', '?')}'; finish it "
            state += "with 'regime-sim sweep FILE --resume --out DIR')"
        raise ScenarioError(f"not a finished sweep: runs.parquet or manifest.json is missing{state}",
                            file=str(folder))
    return pd.read_parquet(runs_path), json.loads(manifest_path.read_text())


def resolve_target(runs: pd.DataFrame, outcome: str | None, measure: str | None, above: float | None,
                   below: float | None, source: str | None = None) -> Target:
    """Check the command line's choice of case of interest against the run table (``source``
    names the results folder in error messages)."""
    if (outcome is None) == (measure is None):
        raise ScenarioError("give --outcome NAME, or --measure NAME with --above or --below", file=source,
                            field="outcome")
    if outcome is not None:
        if above is not None or below is not None:
            raise ScenarioError("--above/--below go with --measure, not --outcome", file=source, field="outcome")
        return Target("outcome", parse_outcomes(outcome, source))
    numeric = [c for c in runs.columns if pd.api.types.is_numeric_dtype(runs[c]) and c not in
               ("run_id", "point", "replication", "seed")]
    if measure not in numeric:
        hint = did_you_mean(measure, numeric) or f"; numeric columns: {', '.join(numeric)}"
        raise ScenarioError(f"unknown measure '{measure}'{hint}", file=source, field="measure")
    if (above is None) == (below is None):
        raise ScenarioError("with --measure, give one of --above VALUE or --below VALUE", file=source,
                            field="measure")
    return Target("above", measure, above) if above is not None else Target("below", measure, below)


def feature_scores(x: pd.DataFrame, y: np.ndarray, *, weights: np.ndarray | None = None, seed: int = 0,
                   trees: int = 500) -> pd.DataFrame:
    """Extra-trees impurity importance and mutual information of each column of ``x`` for ``y``.

    ``y`` is a number per row (a share of runs with the outcome, or 0/1); ``weights`` the runs
    behind each row. Categorical columns are coded as integers and flagged as discrete for mutual
    information. Scores are relative: they rank, they do not test.
    """
    try:
        from sklearn.ensemble import ExtraTreesRegressor
        from sklearn.feature_selection import mutual_info_regression
    except ImportError:
        raise ScenarioError("scenario discovery needs scikit-learn: pip install 'regime-sim[sweep]'") from None
    coded = pd.DataFrame(index=x.index)
    discrete = []
    for name in x.columns:
        col = x[name]
        numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
        coded[name] = col.to_numpy(dtype=float) if numeric else pd.Categorical(col).codes.astype(float)
        discrete.append(not numeric)
    X = coded.to_numpy(dtype=float)
    yv = np.asarray(y, dtype=float)
    forest = ExtraTreesRegressor(n_estimators=trees, min_samples_leaf=max(1, len(yv) // 100),
                                 random_state=seed, n_jobs=1).fit(X, yv, sample_weight=weights)
    mi = mutual_info_regression(X, yv, discrete_features=np.array(discrete),
                                n_neighbors=min(3, max(1, len(yv) - 1)), random_state=seed)
    out = pd.DataFrame({"parameter": list(x.columns), "extra_trees": forest.feature_importances_,
                        "mutual_info": mi})
    out["is_dummy"] = out["parameter"].str.startswith(DUMMY_PREFIX)
    floor_et = out.loc[out["is_dummy"], "extra_trees"].max() if out["is_dummy"].any() else 0.0
    floor_mi = out.loc[out["is_dummy"], "mutual_info"].max() if out["is_dummy"].any() else 0.0
    out["above_dummy"] = (out["extra_trees"] > floor_et) & (out["mutual_info"] > floor_mi) & ~out["is_dummy"]
    out = out.sort_values("extra_trees", ascending=False, kind="stable").reset_index(drop=True)
    out.insert(1, "rank", np.arange(1, len(out) + 1))
    return out


@dataclass
class Discovery:
    target: Target
    prim: PrimResult
    features: pd.DataFrame
    ranges: dict[str, tuple[float, float]]  # the swept range of each numeric parameter
    text: str = ""
    meta: dict = field(default_factory=dict)


def discover(runs: pd.DataFrame, manifest: dict, target: Target, *, threshold: float = 0.8,
             peel_alpha: float = 0.05, paste_alpha: float = 0.05, mass_min: float = 0.05, max_boxes: int = 3,
             seed: int = 0) -> Discovery:
    """PRIM boxes and a feature ranking for ``target`` over the successful runs of a sweep."""
    if not 0 < threshold <= 1:
        raise ScenarioError(f"--threshold is a density between 0 and 1, got {threshold}", field="threshold")
    for name, v in (("--peel-alpha", peel_alpha), ("--mass-min", mass_min)):
        if not 0 < v < 0.5:
            raise ScenarioError(f"{name} must lie between 0 and 0.5, got {v}", field=name.lstrip("-"))
    if max_boxes < 1:
        raise ScenarioError(f"--boxes must be at least 1, got {max_boxes}", field="boxes")
    params = [p["path"] for p in manifest.get("parameters", [])]
    missing = [p for p in params if p not in runs.columns]
    if not params or missing:
        raise ScenarioError(f"the run table lacks the swept parameters {missing or params}", field="parameters")
    ok = runs[runs["status"] == "ok"].reset_index(drop=True)
    y = target.of(ok)
    if target.kind != "outcome":
        y &= ok[target.name].notna().to_numpy()
    if not y.any():
        seen = ", ".join(f"{o} ({n})" for o, n in ok["outcome"].value_counts().items())
        raise ScenarioError(f"no run has {target.label}: nothing to discover (outcomes seen: {seen})",
                            field="outcome")
    if y.all():
        raise ScenarioError(f"every run has {target.label}: nothing separates it", field="outcome")
    real = [p for p in params if not p.startswith(DUMMY_PREFIX)]
    result = prim(ok[real], y, threshold=threshold, peel_alpha=peel_alpha, paste_alpha=paste_alpha,
                  mass_min=mass_min, max_boxes=max_boxes)
    # the ranking works on design points (the share of their runs with the outcome): on runs,
    # any column that labels the point - a dummy included - would look informative, since
    # replications of one point share their chances
    per_point = ok.assign(_y=y).groupby("point", sort=True)
    scored = per_point[real].first()
    dummies = [p for p in params if p.startswith(DUMMY_PREFIX)]
    if dummies:
        scored[dummies[0]] = per_point[dummies[0]].first()
    else:
        scored[DUMMY] = np.random.default_rng(seed).uniform(size=len(scored))
    features = feature_scores(scored, per_point["_y"].mean().to_numpy(), weights=per_point.size().to_numpy(),
                              seed=seed)
    ranges: dict[str, tuple[float, float]] = {}
    for p in manifest.get("parameters", []):
        vals = p.get("values") or []
        if p["path"] not in real:
            continue
        if p.get("low") is not None:
            ranges[p["path"]] = (float(p["low"]), float(p["high"]))
        elif vals and all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals):
            ranges[p["path"]] = (float(min(vals)), float(max(vals)))
    d = Discovery(target, result, features, ranges)
    d.meta = {
        "target": {"kind": target.kind, "name": target.name, "value": target.value, "label": target.label},
        "runs": int(len(ok)), "failed": int(len(runs) - len(ok)), "positives": int(y.sum()),
        "points": int(len(scored)),
        "base_rate": float(y.mean()), "threshold": threshold, **result.settings,
        "boxes": len(result.boxes), "scenario": manifest.get("scenario_name"), "design": manifest.get("design"),
        "feature_seed": seed, "ranges": {k: list(v) for k, v in ranges.items()},
    }
    d.text = summary_text(d, manifest)
    return d


def _pct(v: float) -> str:
    return f"{v:.0%}"


def summary_text(d: Discovery, manifest: dict) -> str:
    """The discovery in plain words: the base rate, each box, the trade-off and the ranking."""
    m, lab = d.meta, d.target.label
    lines = [f"Scenario discovery: where does '{lab}' happen? {m['runs']} runs of the {m['scenario']} sweep "
             f"({manifest.get('points', '?')} points x {manifest.get('replications', '?')} replications, "
             f"{m['design']} design); {m['positives']} have it (base rate {_pct(m['base_rate'])})."]
    for box in d.prim.boxes:
        row = box.trajectory.iloc[box.chosen]
        lim = box.limits[box.limits["restricted"]]
        rule = f"density at least {_pct(d.prim.threshold)}, the most coverage" if box.meets_threshold else \
            f"no box reaches density {_pct(d.prim.threshold)}; this is the densest"
        lines.append(f"PRIM box {box.number} ({rule}): {row['limits'] or 'the whole space'}.")
        lines.append(f"  density {_pct(row['density'])} ({int(row['k'])} of {int(row['n'])} runs in the box have it), "
                     f"coverage {_pct(row['coverage'])} of all '{lab}' runs, mass {_pct(row['mass'])} of the runs.")
        for r in lim.itertuples():
            qp = f"qp = {r.qp:.2g}" if np.isfinite(r.qp) else "qp n/a"
            if r.kind == "categorical":
                where = f"in {{{r.values}}} of {{{r.full_values}}}"
            elif r.low == r.high:
                where = f"= {fmt(r.low)} (swept {fmt(r.full_low)} to {fmt(r.full_high)})"
            else:
                where = f"in [{fmt(r.low)}, {fmt(r.high)}] of [{fmt(r.full_low)}, {fmt(r.full_high)}]"
            weak = " (weak: the restriction may be noise)" if np.isfinite(r.qp) and r.qp > 0.05 else ""
            lines.append(f"  {r.parameter} {where} ({qp}){weak}")
        traj = box.trajectory
        lines.append(f"  Trade-off: along box {box.number}'s trajectory density goes from {_pct(traj['density'].iloc[0])} "
                     f"to {_pct(traj['density'].max())} while coverage falls from {_pct(traj['coverage'].iloc[0])} "
                     f"to {_pct(traj['coverage'].iloc[-1])} ({len(traj)} boxes).")
    f = d.features
    dummy = f[f["is_dummy"]]
    ranked = "; ".join(f"{r.rank}. {r.parameter}{' (random, never read)' if r.is_dummy else ''} "
                       f"({r.extra_trees:.2f}, MI {r.mutual_info:.3f})" for r in f.itertuples())
    lines.append(f"Feature ranking over the {m['points']} design points (extra-trees importance, mutual "
                 f"information): {ranked}.")
    if len(dummy):
        dr = dummy.iloc[0]
        weak = f[~f["is_dummy"] & ~f["above_dummy"]]["parameter"].tolist()
        tail = (f" {', '.join(weak)} {'does' if len(weak) == 1 else 'do'} not beat it on both scores."
                if weak else " Every parameter beats it on both scores.")
        lines.append(f"Noise floor: a random dummy column scores {dr.extra_trees:.2f} (MI {dr.mutual_info:.3f}).{tail}")
    lines.append(f"Tables: {FILES['limits']}.csv (box limits), {FILES['trajectory']}.csv (peeling trajectory), "
                 f"{FILES['features']}.csv.")
    return "\n".join(lines)


def write(d: Discovery, folder: Path) -> list[str]:
    """Write the tables (parquet + csv), the summary and the settings."""
    tables = {FILES["limits"]: d.prim.limits, FILES["trajectory"]: d.prim.trajectory,
              FILES["features"]: d.features}
    return write_outputs(folder, tables, (FILES["text"], d.text), (FILES["meta"], d.meta))
