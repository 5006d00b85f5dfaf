"""``compare``: two variants of a scenario on common random numbers.

Arm ``a`` and arm ``b`` are one-point sweeps on the same seeds (``arms.py``); the paired table
gives, per outcome and measure, B - A with its 95% paired interval and the variance reduction
against independent seeds; the runs whose outcome flipped are listed with the commands that
replay them from each arm's folder.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pandas as pd

from ..scenario.errors import ScenarioError
from .arms import Arm, arm_from_file, read_runs
from .stats import paired_table


def build_arms(file_a: str, file_b: str | None, sets_a: list[str] | None, sets_b: list[str] | None) -> list[Arm]:
    """The two arms; a one-line error when they do not differ."""
    b_file = file_b or file_a
    a = arm_from_file("a", _label(file_a, sets_a), file_a, sets_a)
    b = arm_from_file("b", _label(b_file, sets_b), b_file, sets_b)
    if differences(a.raw, b.raw) == []:
        raise ScenarioError("the two variants do not differ: give a second file, or --a-set / --b-set that change "
                            "a parameter", file=file_a, field="--b-set")
    return [a, b]


def _label(file: str, sets: list[str] | None) -> str:
    return " ".join([Path(file).stem, *(sets or [])])


def figure_labels(file_a: str, file_b: str | None, diffs: list[tuple[str, object, object]]) -> tuple[str, str, str]:
    """(heading, A, B) for a figure, in words: one scenario with a few parameters changed reads
    'The Wagner mutiny, 23-24 June 2023' / 'a mediator on hand = yes' / '... = no' (labels as a
    sweep's, :func:`sim.scenario.loader.param_label`); two scenario files, by their titles."""
    from ..scenario.loader import load_scenario, param_label

    def words(v: object) -> str:
        if isinstance(v, bool):
            return "yes" if v else "no"
        return "(not given)" if v is None else f"{v:g}" if isinstance(v, float) else str(v)

    scn_a = load_scenario(file_a)
    if (file_b is None or file_b == file_a) and 0 < len(diffs) <= 3:
        swept = scn_a.sweep.parameters if scn_a.sweep is not None else {}

        def side(i: int) -> str:  # a parameter the scenario's sweep labels goes by that label
            return ", ".join(f"{param_label(scn_a, path, swept[path].label if path in swept else '')} = "
                             f"{words(d[i])}" for path, *d in diffs)

        return scn_a.title or scn_a.name, side(0), side(1)
    scn_b = load_scenario(file_b) if file_b else scn_a
    return "", scn_a.title or scn_a.name, scn_b.title or scn_b.name


def differences(a: dict, b: dict) -> list[tuple[str, object, object]]:
    """The parameters where the two resolved scenarios differ: (path, A's value, B's value)."""
    from ..sweep.replay import _leaves

    la, lb = _leaves(a), _leaves(b)
    # what a run does not read: labels, where the content came from, the scenario's own seed
    # (each arm's runs take the seeds of the comparison) and the output thinning
    skip = ("name", "title", "description", "base", "seed", "outputs")
    return [(k, la.get(k), lb.get(k)) for k in sorted(set(la) | set(lb))
            if la.get(k) != lb.get(k) and k.split(".")[0].split("[")[0] not in skip]


def flips(root: Path, a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """The runs whose outcome differs between the arms, with the commands that replay each."""
    m = a[["run_id", "replication", "seed", "status", "outcome"]].merge(
        b[["run_id", "replication", "status", "outcome"]], on="replication", suffixes=("_a", "_b"))
    m = m[(m["status_a"] == "ok") & (m["status_b"] == "ok") & (m["outcome_a"] != m["outcome_b"])]
    out = m[["replication", "seed", "outcome_a", "outcome_b"]].copy()
    out.insert(0, "run_id", m["run_id_a"].astype(int))
    out["replay_a"] = [f"regime-sim run --from-sweep {shlex.quote(str(root / 'a'))} --run-id {r}" for r in out["run_id"]]
    out["replay_b"] = [f"regime-sim run --from-sweep {shlex.quote(str(root / 'b'))} --run-id {r}"
                       for r in m["run_id_b"].astype(int)]
    return out.reset_index(drop=True)


def analyse(root: Path, arms: list[Arm]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the paired table B - A, the flipped runs)."""
    a, b = read_runs(root, arms[0]), read_runs(root, arms[1])
    return paired_table(a, b), flips(root, a, b)


def answer(table: pd.DataFrame, flipped: pd.DataFrame, arms: list[Arm], diffs: list[tuple]) -> str:
    """A few lines: what differs, which outcomes move (interval excluding 0), what pairing bought."""
    from ..measures import in_unit, measure_heading
    from ..model.outcomes import LABELS, Outcome

    def label(o: str) -> str:
        return LABELS[Outcome(o)] if o in LABELS else "the ruler loses power (any challenger wins)"

    n = int(table["n"].iloc[0]) if len(table) else 0
    what = "; ".join(f"{k}: {va!r} -> {vb!r}" for k, va, vb in diffs[:6]) + (" ..." if len(diffs) > 6 else "")
    lines = [f"A = {arms[0].label}; B = {arms[1].label} ({what}).",
             f"{n} pairs of runs on the same seeds; {len(flipped)} changed outcome."]
    occ = table[(table["kind"] == "outcome") & ((table["a"] > 0) | (table["b"] > 0))]
    for _, r in occ.iterrows():
        moved = "moves" if r["low"] > 0 or r["high"] < 0 else "no detectable change"
        lines.append(f"  P({label(r['quantity'])}): {r['a']:.0%} -> {r['b']:.0%}, B - A = {r['diff']:+.0%} "
                     f"[{r['low']:+.0%}, {r['high']:+.0%}] ({moved}; variance ratio {_ratio(r['variance_ratio'])})")
    meas = table[(table["kind"] == "measure") & ((table["low"] > 0) | (table["high"] < 0))]
    for _, r in meas.iterrows():
        q = r["quantity"]
        a, b, d, lo, hi = (in_unit(q, r[c]) for c in ("a", "b", "diff", "low", "high"))
        lines.append(f"  {measure_heading(q)}: {a:.4g} -> {b:.4g}, B - A = {d:+.4g} "
                     f"[{lo:+.4g}, {hi:+.4g}] (variance ratio {_ratio(r['variance_ratio'])})")
    ratios = table["variance_ratio"].replace([float("inf")], pd.NA).dropna()
    if len(ratios):
        lines.append(f"Common random numbers: the paired difference's variance is {_ratio(ratios.median())} times "
                     "smaller than with independent seeds (median over the quantities that vary).")
    return "\n".join(lines)


def _ratio(v: float) -> str:
    if pd.isna(v):
        return "n/a"
    return "inf" if v == float("inf") else f"{v:.2g}"

