"""PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999), for scenario discovery.

PRIM looks for a *box* - an interval on each numeric parameter, a set of values on each
categorical one - inside which the outcome of interest is common (high *density*) while the
box still holds many of the outcome's cases (high *coverage*). It starts from the box that
holds every run and *peels*: it removes a thin slice (``peel_alpha`` of the points in the box)
from one face at a time, always the face whose removal raises the density most per point
removed, until fewer than ``mass_min`` of the points are left. Then it *pastes* slices back
while that raises the density. Every box along the way is kept: this peeling trajectory is the
coverage-density trade-off from which an analyst picks a box (Bryant & Lempert 2010). Further
boxes come from *covering*: the runs in a chosen box are set aside and the search starts again
on the rest.

Peeling by "gain per point removed" rather than by the new box's mean (Friedman & Fisher's
first criterion) matters for sweep designs: on a grid, one slice removes a whole level of a
parameter, and the plain mean would favour removing as much as possible at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

#: a numeric box face is [low, high], inclusive; a categorical one the set of values kept
Limit = tuple[float, float] | frozenset


@dataclass
class _Columns:
    """The parameters as arrays: floats for numeric ones, integer codes for categorical ones."""

    names: list[str]
    numeric: dict[str, np.ndarray]
    codes: dict[str, np.ndarray]
    categories: dict[str, tuple]

    @classmethod
    def of(cls, x: pd.DataFrame) -> _Columns:
        numeric: dict[str, np.ndarray] = {}
        codes: dict[str, np.ndarray] = {}
        categories: dict[str, tuple] = {}
        for name in x.columns:
            col = x[name]
            if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
                cat = pd.Categorical(col)
                codes[name] = np.asarray(cat.codes, dtype=np.int64)
                categories[name] = tuple(cat.categories)
            else:
                numeric[name] = col.to_numpy(dtype=float)
        return cls(list(x.columns), numeric, codes, categories)

    def full_box(self, rows: np.ndarray) -> dict[str, Limit]:
        box: dict[str, Limit] = {}
        for name in self.names:
            if name in self.numeric:
                v = self.numeric[name][rows]
                box[name] = (float(v.min()), float(v.max()))
            else:
                box[name] = frozenset(np.unique(self.codes[name][rows]).tolist())
        return box

    def inside(self, box: dict[str, Limit], rows: np.ndarray, skip: str | None = None) -> np.ndarray:
        """Which of ``rows`` lie in ``box`` (ignoring the face of ``skip``)."""
        keep = np.ones(rows.size, dtype=bool)
        for name, lim in box.items():
            if name == skip:
                continue
            if name in self.numeric:
                v = self.numeric[name][rows]
                keep &= (v >= lim[0]) & (v <= lim[1])
            else:
                keep &= np.isin(self.codes[name][rows], list(lim))
        return keep


@dataclass
class PrimBox:
    """One box found by PRIM: its whole trajectory, and the step chosen from it."""

    number: int
    trajectory: pd.DataFrame  # one row per step: stage, n, k, mass, density, coverage, restricted
    boxes: list[dict[str, Limit]]  # the limits at each step (codes for categorical parameters)
    chosen: int
    meets_threshold: bool
    limits: pd.DataFrame  # the chosen box, one row per parameter


@dataclass
class PrimResult:
    """Every box found, with the data's totals."""

    boxes: list[PrimBox]
    n: int
    positives: int
    threshold: float
    names: list[str]
    settings: dict = field(default_factory=dict)

    @property
    def trajectory(self) -> pd.DataFrame:
        return pd.concat([b.trajectory for b in self.boxes], ignore_index=True)

    @property
    def limits(self) -> pd.DataFrame:
        return pd.concat([b.limits for b in self.boxes], ignore_index=True)


class _Search:
    """Peeling, pasting and the bookkeeping of one box search over a subset of the runs."""

    def __init__(self, cols: _Columns, y: np.ndarray, rows: np.ndarray, total_n: int, total_pos: float,
                 full: dict[str, Limit], peel_alpha: float, paste_alpha: float, mass_min: float) -> None:
        self.cols, self.y, self.rows = cols, y, rows
        self.total_n, self.total_pos, self.full = total_n, total_pos, full
        self.peel_alpha, self.paste_alpha, self.mass_min = peel_alpha, paste_alpha, mass_min

    def _stats(self, box: dict[str, Limit], stage: str) -> dict:
        members = self.rows[self.cols.inside(box, self.rows)]
        n = members.size
        k = float(self.y[members].sum())
        restricted = sum(1 for name in box if is_restricted(box[name], self.full[name]))
        return {"stage": stage, "n": n, "k": k, "mass": n / self.total_n,
                "density": k / n if n else float("nan"),
                "coverage": k / self.total_pos if self.total_pos else float("nan"),
                "restricted": restricted}

    def _peels(self, box: dict[str, Limit]) -> list[tuple[dict[str, Limit], int, float]]:
        """Each candidate box one peel smaller: (box, points left, positives left)."""
        members = self.rows[self.cols.inside(box, self.rows)]
        n = members.size
        k_cut = max(1, math.ceil(self.peel_alpha * n))
        y = self.y[members]
        out = []
        for name, lim in box.items():
            if name in self.cols.numeric:
                v = self.cols.numeric[name][members]
                ordered = np.sort(v)
                # ties go together: a slice removes every point at its cut value
                keep = v > ordered[k_cut - 1]
                if keep.any():
                    out.append(({**box, name: (float(v[keep].min()), lim[1])}, int(keep.sum()),
                                float(y[keep].sum())))
                keep = v < ordered[n - k_cut]
                if keep.any():
                    out.append(({**box, name: (lim[0], float(v[keep].max()))}, int(keep.sum()),
                                float(y[keep].sum())))
            else:
                codes = self.cols.codes[name][members]
                if len(lim) < 2:
                    continue
                for c in sorted(lim):
                    keep = codes != c
                    out.append(({**box, name: lim - {c}}, int(keep.sum()), float(y[keep].sum())))
        return out

    def _pastes(self, box: dict[str, Limit]) -> list[tuple[dict[str, Limit], int, float]]:
        """Each candidate box one slice larger on one face."""
        n_box = int(self.cols.inside(box, self.rows).sum())
        k_add = max(1, math.ceil(self.paste_alpha * n_box))
        out = []
        for name, lim in box.items():
            beside = self.rows[self.cols.inside(box, self.rows, skip=name)]
            if name in self.cols.numeric:
                v = self.cols.numeric[name][beside]
                below, above = np.sort(v[v < lim[0]])[::-1], np.sort(v[v > lim[1]])
                if below.size:
                    new_box = {**box, name: (float(below[min(k_add, below.size) - 1]), lim[1])}
                    out.append(new_box)
                if above.size:
                    new_box = {**box, name: (lim[0], float(above[min(k_add, above.size) - 1]))}
                    out.append(new_box)
            else:
                for c in sorted(self.full[name] - lim):
                    out.append({**box, name: lim | {c}})
        scored = []
        for new_box in out:
            members = self.rows[self.cols.inside(new_box, self.rows)]
            scored.append((new_box, members.size, float(self.y[members].sum())))
        return scored

    def run(self) -> tuple[list[dict[str, Limit]], list[dict]]:
        """Peel down to ``mass_min`` (or to a pure box), then paste while density rises: every box
        along the way, and its statistics."""
        box = dict(self.full)
        boxes, steps = [box], [self._stats(box, "start")]
        min_n = self.mass_min * self.total_n
        while steps[-1]["density"] < 1.0:
            n, k = steps[-1]["n"], steps[-1]["k"]
            best, best_gain = None, -math.inf
            for cand, n_new, k_new in self._peels(box):
                if n_new < min_n or n_new == n:
                    continue
                gain = (k_new / n_new - k / n) / (n - n_new)
                if gain > best_gain:
                    best, best_gain = cand, gain
            if best is None:
                break
            box = best
            boxes.append(box)
            steps.append(self._stats(box, "peel"))
        while True:
            n, k = steps[-1]["n"], steps[-1]["k"]
            best, best_density = None, k / n
            for cand, n_new, k_new in self._pastes(box):
                if n_new > n and k_new / n_new > best_density:
                    best, best_density = cand, k_new / n_new
            if best is None:
                break
            box = best
            boxes.append(box)
            steps.append(self._stats(box, "paste"))
        return boxes, steps


def is_restricted(lim: Limit, full: Limit) -> bool:
    """Whether a face is narrower than the parameter's whole range."""
    if isinstance(lim, frozenset):
        return lim != full
    return lim[0] > full[0] or lim[1] < full[1]


def choose(trajectory: pd.DataFrame, threshold: float) -> tuple[int, bool]:
    """The step to report: the most coverage among boxes at least ``threshold`` dense;
    if none is, the densest box (and ``False``)."""
    ok = trajectory.index[trajectory["density"] >= threshold]
    if len(ok):
        sub = trajectory.loc[ok]
        # among equal coverage, the denser and then the smaller box
        best = sub.sort_values(["coverage", "density", "mass"], ascending=[False, False, True]).index[0]
        return int(trajectory.index.get_loc(best)), True
    best = trajectory.sort_values(["density", "coverage"], ascending=[False, False]).index[0]
    return int(trajectory.index.get_loc(best)), False


def prim(x: pd.DataFrame, y: np.ndarray | pd.Series, *, threshold: float = 0.8, peel_alpha: float = 0.05,
         paste_alpha: float = 0.05, mass_min: float = 0.05, max_boxes: int = 3) -> PrimResult:
    """Find up to ``max_boxes`` boxes of ``x`` where ``y`` (true/false per row) is likely.

    ``x`` holds one column per parameter (numeric, or anything else as categorical). Each box is
    chosen from its trajectory by :func:`choose`. Covering stops when a box fails the density
    threshold (the first box is always reported) or no case of interest is left outside.
    """
    if not 0 < peel_alpha < 1 or not 0 < paste_alpha < 1:
        raise ValueError("peel_alpha and paste_alpha must lie between 0 and 1")
    if not 0 < mass_min < 1:
        raise ValueError("mass_min must lie between 0 and 1")
    yv = np.asarray(y)
    if yv.dtype != bool and not np.isin(yv, (0, 1)).all():
        raise ValueError("y must be true/false (or 0/1) per row")
    yv = yv.astype(float)
    if len(x) != yv.size or yv.size == 0:
        raise ValueError("x and y need the same, non-zero number of rows")
    cols = _Columns.of(x.reset_index(drop=True))
    all_rows = np.arange(yv.size)
    full = cols.full_box(all_rows)
    total_pos = float(yv.sum())
    found: list[PrimBox] = []
    remaining = all_rows
    while len(found) < max_boxes and remaining.size and yv[remaining].sum() > 0:
        search = _Search(cols, yv, remaining, yv.size, total_pos, full, peel_alpha, paste_alpha, mass_min)
        boxes, steps = search.run()
        traj = pd.DataFrame(steps)
        traj.insert(0, "step", np.arange(len(traj)))
        traj.insert(0, "box", len(found) + 1)
        chosen, meets = choose(traj, threshold)
        if found and not meets:
            break
        traj["chosen"] = traj["step"] == chosen
        traj["limits"] = [describe(b, cols, full) for b in boxes]
        limits = _limits_table(len(found) + 1, boxes[chosen], cols, full, search)
        found.append(PrimBox(len(found) + 1, traj, boxes, chosen, meets, limits))
        remaining = remaining[~cols.inside(boxes[chosen], remaining)]
    return PrimResult(found, yv.size, int(total_pos), threshold, cols.names,
                      {"peel_alpha": peel_alpha, "paste_alpha": paste_alpha, "mass_min": mass_min,
                       "max_boxes": max_boxes})


def _values(lim: frozenset, cats: tuple) -> list:
    return [cats[c] for c in sorted(lim)]


def fmt(v: float) -> str:
    """A limit as people read it: 40,000 rather than 4e+04; 0.6055 rather than 0.605512."""
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def describe(box: dict[str, Limit], cols: _Columns, full: dict[str, Limit]) -> str:
    """The restricted faces of a box in words: 'a in [0.2, 0.6]; b in {x, y}' ('' for no restriction)."""
    parts = []
    for name, lim in box.items():
        if not is_restricted(lim, full[name]):
            continue
        if isinstance(lim, frozenset):
            parts.append(f"{name} in {{{', '.join(map(str, _values(lim, cols.categories[name])))}}}")
        elif lim[0] == lim[1]:
            parts.append(f"{name} = {fmt(lim[0])}")
        else:
            parts.append(f"{name} in [{fmt(lim[0])}, {fmt(lim[1])}]")
    return "; ".join(parts)


def _limits_table(number: int, box: dict[str, Limit], cols: _Columns, full: dict[str, Limit],
                  search: _Search) -> pd.DataFrame:
    """The chosen box, one row per parameter, with a quasi-p-value for each restriction.

    The quasi-p-value (Bryant & Lempert 2010) asks whether a restriction earns its place: it is
    the one-sided binomial probability of seeing the box's density if the restriction were
    dropped and the density stayed at that of the larger box.
    """
    rows = search.rows
    members = rows[cols.inside(box, rows)]
    n, k = members.size, int(search.y[members].sum())
    out = []
    for name, lim in box.items():
        restricted = is_restricted(lim, full[name])
        qp = float("nan")
        if restricted:
            wider = rows[cols.inside(box, rows, skip=name)]
            p0 = float(search.y[wider].mean())
            qp = float(stats.binomtest(k, n, p0, alternative="greater").pvalue) if 0 < p0 < 1 else float("nan")
        if isinstance(lim, frozenset):
            cats = cols.categories[name]
            out.append({"box": number, "parameter": name, "kind": "categorical", "low": float("nan"),
                        "high": float("nan"), "values": ", ".join(map(str, _values(lim, cats))),
                        "full_low": float("nan"), "full_high": float("nan"),
                        "full_values": ", ".join(map(str, cats)), "restricted": restricted, "qp": qp})
        else:
            out.append({"box": number, "parameter": name, "kind": "numeric", "low": lim[0], "high": lim[1],
                        "values": "", "full_low": full[name][0], "full_high": full[name][1],
                        "full_values": "", "restricted": restricted, "qp": qp})
    return pd.DataFrame(out)
