"""Paired statistics for two arms run on common random numbers (the same seed list).

Run ``i`` of arm A and run ``i`` of arm B share their seed, so each quantity is compared
pair by pair:

* an outcome's probability: the difference p_B - p_A with Newcombe's hybrid score interval
  for paired proportions (Newcombe 1998, "Improved confidence intervals for the difference
  between binomial proportions based on paired data", *Statistics in Medicine* 17:2635-2650,
  method 10, the "square-and-add" interval; recommended by Fagerland, Lydersen & Laake 2014,
  *Statistical Methods in Medical Research* 23(6); their book *Statistical Analysis of
  Contingency Tables* (2017), ch. 8, works it on Cavo et al. 2012: 0.0621 (0.0046 to 0.1186),
  which ``tests/test_paired.py`` reproduces). It combines the two arms' Wilson intervals (scipy) with the correlation
  of the pairs; no Python library implements it (statsmodels has only intervals for
  independent proportions).
* a measure: the mean of the paired differences with its 95% t interval (scipy).
* what pairing bought: the variance of a difference of independent runs, var(A) + var(B),
  against the variance of the paired difference, var(B - A). Their ratio is how many times
  as many runs independent seeds would need for an interval as narrow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..measures import NUMERIC
from ..model.outcomes import OUTCOMES
from ..sweep.summary import wilson

#: the ruler lost power, whoever took it (a derived outcome the audit can name)
CHALLENGE_WINS = ("mutiny_takes_power", "coup_succeeds", "popular_revolution", "ruler_ousted")

#: outcome indicators compared pair by pair (the labelled outcomes, and one union of them)
PAIRED_OUTCOMES: tuple[str, ...] = (*OUTCOMES, "challenge_wins")

#: the measures of a run compared pair by pair (``peak_protest_max_region`` is derived: the
#: highest of the regions' peaks)
PAIRED_MEASURES: tuple[str, ...] = (*NUMERIC[:2], "peak_protest_max_region", *NUMERIC[2:])

QUANTITIES: tuple[str, ...] = (*PAIRED_OUTCOMES, *PAIRED_MEASURES)

ACTS = "acts as stated"
NONE = "no detectable effect here"
CONTRARY = "contrary to its statement"
CLASSES = (ACTS, NONE, CONTRARY)


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float


def newcombe_paired(both: int, only_a: int, only_b: int, neither: int, confidence: float = 0.95) -> Interval:
    """p_B - p_A for paired binary data, with Newcombe's (1998) method-10 interval.

    ``both``: pairs where the event happened in both arms; ``only_a`` / ``only_b``: in one arm
    only (the discordant pairs); ``neither``. With p1 = p_B, p2 = p_A, (l_i, u_i) their Wilson
    intervals and phi Newcombe's estimate of the correlation of the pairs (from
    A = both * neither - only_a * only_b: (A - n/2)/sqrt(margins) if A > n/2, 0 if
    0 <= A <= n/2, A/sqrt(margins) if A < 0; 0 when a margin is empty):
    L = d - sqrt((p1-l1)^2 - 2 phi (p1-l1)(u2-p2) + (u2-p2)^2),
    U = d + sqrt((u1-p1)^2 - 2 phi (u1-p1)(p2-l2) + (p2-l2)^2).
    """
    counts = (both, only_a, only_b, neither)
    if any(c < 0 for c in counts):
        raise ValueError(f"counts must be >= 0, got {counts}")
    n = sum(counts)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan)
    p1, p2 = (both + only_b) / n, (both + only_a) / n
    l1, u1 = wilson(both + only_b, n, confidence)
    l2, u2 = wilson(both + only_a, n, confidence)
    margins = (both + only_b) * (only_a + neither) * (both + only_a) * (only_b + neither)
    cross = both * neither - only_a * only_b
    if margins == 0 or 0 <= cross <= n / 2:
        phi = 0.0
    else:
        phi = (cross - n / 2 if cross > 0 else cross) / math.sqrt(margins)
    d = p1 - p2
    delta = math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    eps = math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    return Interval(d, max(-1.0, d - delta), min(1.0, d + eps))


def paired_mean(a: np.ndarray, b: np.ndarray, confidence: float = 0.95) -> tuple[Interval, int]:
    """Mean of b - a over the pairs where both are numbers, with its t interval; and n pairs.

    Differences that are all equal give a zero-width interval (no noise left to estimate)."""
    from scipy import stats

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    keep = ~(np.isnan(a) | np.isnan(b))
    d = b[keep] - a[keep]
    n = int(d.size)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan), 0
    mean = float(d.mean())
    if n == 1:
        return Interval(mean, math.nan, math.nan), 1
    if np.all(d == d[0]):
        return Interval(mean, mean, mean), n
    ci = stats.ttest_1samp(d, 0.0).confidence_interval(confidence)
    return Interval(mean, float(ci.low), float(ci.high)), n


def variances(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """(var(A) + var(B), var(B - A), their ratio) over the complete pairs (ddof 1).

    The ratio is the variance reduction of common random numbers against independent seeds:
    > 1 when the pairing helps, inf when the paired difference has no variance left."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    if a.size < 2:
        return math.nan, math.nan, math.nan
    independent = float(a.var(ddof=1) + b.var(ddof=1))
    paired = float((b - a).var(ddof=1))
    ratio = (math.inf if independent > 0 else math.nan) if paired == 0 else independent / paired
    return independent, paired, ratio


def with_derived(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs with the derived quantities: ``challenge_wins`` and ``peak_protest_max_region``."""
    out = runs.copy()
    peaks = [c for c in out.columns if c.startswith("peak_protest__")]
    out["peak_protest_max_region"] = out[peaks].max(axis=1) if peaks else np.nan
    return out


def indicator(runs: pd.DataFrame, outcome: str) -> np.ndarray:
    """1 where the run ended in ``outcome`` (``challenge_wins``: in any of CHALLENGE_WINS)."""
    names = CHALLENGE_WINS if outcome == "challenge_wins" else (outcome,)
    return runs["outcome"].isin(names).to_numpy(dtype=int)


def pair_up(a: pd.DataFrame, b: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """The runs of both arms matched by replication (the same seed), failed runs dropped from
    both arms; and how many pairs were dropped. Refuses arms whose seeds differ."""
    cols = ["replication", "seed"]
    m = a[cols].merge(b[cols], on="replication", suffixes=("_a", "_b"))
    if len(m) != len(a) or len(m) != len(b) or (m["seed_a"] != m["seed_b"]).any():
        raise ValueError("the two arms were not run on the same seeds: they cannot be paired")
    ok = set(a.loc[a["status"] == "ok", "replication"]) & set(b.loc[b["status"] == "ok", "replication"])
    reps = sorted(ok)
    a2 = with_derived(a.set_index("replication").loc[reps].reset_index())
    b2 = with_derived(b.set_index("replication").loc[reps].reset_index())
    return a2, b2, len(a) - len(reps)


def paired_table(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """One row per outcome and measure: n pairs, A's and B's value (a share or a mean), the
    paired difference B - A with its 95% interval, the discordant pairs (outcomes), and the
    variances of the difference with independent and with common seeds."""
    a, b, dropped = pair_up(a, b)
    rows = []
    for o in PAIRED_OUTCOMES:
        xa, xb = indicator(a, o), indicator(b, o)
        both, only_a = int(((xa == 1) & (xb == 1)).sum()), int(((xa == 1) & (xb == 0)).sum())
        only_b, neither = int(((xa == 0) & (xb == 1)).sum()), int(((xa == 0) & (xb == 0)).sum())
        ci = newcombe_paired(both, only_a, only_b, neither)
        ind, par, ratio = variances(xa, xb)
        n = len(xa)
        rows.append({"kind": "outcome", "quantity": o, "n": n, "a": xa.mean() if n else math.nan,
                     "b": xb.mean() if n else math.nan, "diff": ci.estimate, "low": ci.low, "high": ci.high,
                     "only_a": only_a, "only_b": only_b, "var_independent": ind, "var_paired": par,
                     "variance_ratio": ratio, "dropped_pairs": dropped})
    for m in PAIRED_MEASURES:
        if m not in a.columns or m not in b.columns:
            continue
        xa = pd.to_numeric(a[m], errors="coerce").to_numpy(dtype=float)
        xb = pd.to_numeric(b[m], errors="coerce").to_numpy(dtype=float)
        ci, n = paired_mean(xa, xb)
        ind, par, ratio = variances(xa, xb)
        keep = ~(np.isnan(xa) | np.isnan(xb))
        rows.append({"kind": "measure", "quantity": m, "n": n,
                     "a": float(xa[keep].mean()) if n else math.nan, "b": float(xb[keep].mean()) if n else math.nan,
                     "diff": ci.estimate, "low": ci.low, "high": ci.high, "only_a": pd.NA, "only_b": pd.NA,
                     "var_independent": ind, "var_paired": par, "variance_ratio": ratio, "dropped_pairs": dropped})
    out = pd.DataFrame(rows)
    out["only_a"] = out["only_a"].astype("Int64")
    out["only_b"] = out["only_b"].astype("Int64")
    return out


def detected(low: float, high: float) -> int:
    """+1 if the interval lies above 0, -1 if below, 0 if it holds 0 (or is undefined)."""
    if math.isnan(low) or math.isnan(high):
        return 0
    if low > 0:
        return 1
    if high < 0:
        return -1
    return 0


def classify(low: float, high: float, stated: str) -> str:
    """A rule's class in one scenario from the interval of (rule off - rule on) on its stated
    quantity and its stated direction ('higher' or 'lower' when off)."""
    if stated not in ("higher", "lower"):
        raise ValueError(f"stated direction must be 'higher' or 'lower', got {stated!r}")
    sign = detected(low, high)
    if sign == 0:
        return NONE
    return ACTS if (sign > 0) == (stated == "higher") else CONTRARY
