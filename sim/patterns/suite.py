"""Pattern-oriented validation (Grimm et al. 2005): can the model reproduce what was observed?

Each pattern names its source and the published value, runs our model over fixed seeds,
states a pass criterion in advance (a tolerance around the published figure, or a test of
significance), and draws a figure. Two kinds:

- checks of the *regime model* (``kind = "regime model"``): the full model through
  ``sim.load_scenario`` and ``sim.run`` - counterweights at equal headcount (De Bruin 2018),
  security-force defection and protest success measured apart from that defection (Chenoweth
  & Stephan 2011), coup success over an ensemble drawn from the assumed ranges (Powell & Thyne
  2011), insiders' share of irregular exits (Svolik 2012);
- checks of the *code* (``kind = "code"``): the standalone Epstein mode (:mod:`sim.epstein`),
  whose compiled kernel the regime model's public shares, and the exact Granovetter and Kuran
  cascades. They show the building blocks compute what their papers say, not that the regime
  model reproduces anything.

Seeds are fixed lists (``1, 2, ..., n``; an ensemble's seeds come from its SeedSequence), and
runs are farmed out to worker processes in a fixed order, so results do not depend on the
number of workers. ``quick`` mode uses fewer seeds and shorter runs (a smoke test for CI), with
the same criteria: a difference passes only if it is significant (one-sided Fisher exact or
sign test, p < 0.05), never on any strict difference.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from ..epstein import EpsteinConfig, EpsteinModel, linear_ramp, outbursts, run2_config, sudden_drop
from ..sweep import summary
from . import granovetter, kuran

LEVEL = 50  # actives above this make an outburst (Run 2 world: 1,120 citizens)
#: the capital's police and counterweights whose loyalty the protest pattern sets (the same four units
#: as before the engine took sides as data: the police and every counterweight unit in the capital)
CAPITAL_SECURITY = ("moscow_police", "rosgvardia_moscow", "odon_division", "fso_guard")
#: a movement forced the ruler out: its side, or the armed men who stood aside, hold the seat
RULER_REMOVED_BY_PROTEST = ("popular_revolution", "ruler_ousted")


#: Patterns known not to hold on the current engine, with the reason (measured; see docs/patterns.md).
#: A known failure that passes again is reported as unexpected, so that this list is kept honest.
KNOWN_FAILURES: dict[str, str] = {
    # (i) insider_exits was here on 2026-11-29 at 55 of 112 (49%); with calm regions' ticks (a new
    # random stream, the same distributions) it is 57 of 111 (51%): at the edge either way (docs/patterns.md)
}


def capital_counterweights(scenario: str) -> tuple[str, ...]:
    """The units in the capital whose institution is a counterweight (``institutions.<id>.counterweight``)
    and that back the ruler when the crisis opens (``side: ruler``)."""
    import sim

    scn = sim.load_scenario(scenario)
    return tuple(sorted(k for k, u in scn.units.items()
                        if u.region == scn.capital and u.side == "ruler" and scn.institutions[u.institution].counterweight))


@dataclass
class PatternResult:
    """One pattern's verdict: what was published, what we got, and whether it passes."""

    key: str
    name: str
    source: str  # short citation for the table; ``reference`` has the full one
    published: str
    ours: str
    n_seeds: int | str
    passed: bool
    criterion: str
    reference: str = ""
    detail: str = ""  # ours, in full
    figure: str = ""
    numbers: dict[str, Any] = field(default_factory=dict)
    kind: str = "regime model"  # or "code": a check of a building block (Epstein mode, exact cascades)
    expected: bool = True  # False: known not to hold on this engine (KNOWN_FAILURES; docs/patterns.md)
    known_failure: str = ""  # why it is expected to fail

    @property
    def as_expected(self) -> bool:
        """The verdict is the one expected: a pass, or a documented known failure that still fails."""
        return self.passed == self.expected

    def row(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Plan:
    """How much to run: seeds per condition and run lengths."""

    quick: bool
    run2_seeds: int
    run2_ticks: int
    salami_seeds: int
    salami_ticks: int
    cops_seeds: int
    cops_ticks: int
    coup_seeds: int
    protest_seeds: int
    ensemble_draws: int  # Latin-hypercube draws per scenario in the ensembles (one seed each)

    @classmethod
    def make(cls, quick: bool, seeds: int | None = None) -> Plan:
        """The quick or the full plan; ``seeds`` (if given) replaces every seed count."""
        if seeds is not None and seeds < 1:
            raise ValueError(f"seeds must be >= 1, got {seeds}")
        # The comparisons keep, in quick mode too, the seeds that give them power: (f)'s coups succeed
        # in 13-18% of seeds with the capital's men as regular troops and in none with them as
        # counterweights (seeds 61-300 of two random streams), so a one-sided Fisher test at 0.05 has
        # power 0.36-0.64 at 32 seeds, 0.82-0.97 at 60, and 0.98 or more at 100; (g)'s mean peak of
        # defected men, a heavy-tailed measure, came out reversed at 10 seeds and in order at 40.
        if quick:
            # the ensembles are a smoke test here (3 draws cannot reach the 10 attempts or exits their
            # criteria need)
            counts = dict(run2_seeds=3, salami_seeds=6, cops_seeds=3, coup_seeds=100, protest_seeds=40,
                          ensemble_draws=3)
            ticks = dict(run2_ticks=1000, salami_ticks=400, cops_ticks=600)
        else:
            counts = dict(run2_seeds=20, salami_seeds=30, cops_seeds=20, coup_seeds=100, protest_seeds=40,
                          ensemble_draws=60)
            ticks = dict(run2_ticks=3000, salami_ticks=700, cops_ticks=1200)
        if seeds is not None:
            counts = dict.fromkeys(counts, seeds)
        return cls(quick=quick, **counts, **ticks)


# ============================================================================ worker jobs
def _epstein_job(config: dict, legitimacy: np.ndarray | None, cops_to: tuple[float, int, int] | None) -> dict:
    """Run the Epstein mode; ``cops_to`` = (share of the starting cops left at the end, first
    and last tick of a linear cut)."""
    cfg = EpsteinConfig(**config)
    schedule = None
    if cops_to is not None:
        start = EpsteinModel(cfg).n_cops()  # same seed, same world: the initial number of cops
        share, t0, t1 = cops_to
        schedule = linear_ramp(start, share * start, t0, t1)
    model = EpsteinModel(cfg, legitimacy=legitimacy, cops=schedule)
    series = model.run()
    return {
        "active": series["active"].to_numpy(),
        "jailed": series["jailed"].to_numpy(),
        "cops": series["cops"].to_numpy(),
        "legitimacy": series["legitimacy"].to_numpy(),
        "citizens": model.grid.n_citizens,
    }


def _regime_job(scenario: str, overrides: dict, seed: int) -> dict:
    """One run of the regime model: its outcome and whether a coup was attempted."""
    import sim

    result = sim.run(sim.load_scenario(scenario, overrides), seed=seed)
    labels = np.asarray(result.events.get("label", []))
    return {
        "outcome": result.measures["outcome"],
        "coup_attempt": bool(np.any(labels == "coup attempt")),
        "street_challenge": bool(np.any(labels == "street challenge")),
        "ruler_status": result.measures["ruler_status"],
        "defected_peak": float(result.measures["defected_strength_peak"]),
        "hours": float(result.measures["time_to_outcome_h"]),
    }


class _Runner:
    """Runs jobs in order, in ``workers`` processes (or inline with one worker)."""

    def __init__(self, workers: int) -> None:
        self.pool = ProcessPoolExecutor(max_workers=workers) if workers > 1 else None

    def map(self, fn: Callable[..., dict], jobs: list[tuple]) -> list[dict]:
        if self.pool is None:
            return [fn(*job) for job in jobs]
        return list(self.pool.map(fn, *zip(*jobs, strict=True)))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


def _seeds(n: int) -> list[int]:
    return list(range(1, n + 1))


def wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson 95% interval for a proportion k / n (the sweeps' :func:`sim.sweep.summary.wilson`);
    with no trials, everything is possible: (0, 1)."""
    return (0.0, 1.0) if n == 0 else summary.wilson(k, n)


# ============================================================================ the patterns
def run2_pattern(plan: Plan, runner: _Runner, out: Path) -> PatternResult:
    """(a) Run 2 gives punctuated equilibrium with round(C/A), and no outburst without it."""
    seeds = _seeds(plan.run2_seeds)
    jobs = [(asdict(run2_config(seed=s, steps=plan.run2_ticks, use_round=r)), None, None)
            for r in (True, False) for s in seeds]
    res = runner.map(_epstein_job, jobs)
    on, off = res[: len(seeds)], res[len(seeds):]
    n_on = [len(outbursts(r["active"][1:], LEVEL)) for r in on]
    n_off = [len(outbursts(r["active"][1:], LEVEL)) for r in off]
    per_k = 1000 / plan.run2_ticks
    need = 3  # outbursts per 1,000 ticks, in every seed
    passed = min(n_on) * per_k >= need and max(n_off) == 0
    fig = _fig_run2(on[0], off[0], out)
    return PatternResult(
        key="epstein_run2", kind="code", name="[code] (a) Epstein Run 2: punctuated equilibrium",
        source="Epstein 2002, Run 2",
        published="repeated outbursts with round(C/A); none without",
        ours=(f"outbursts per {plan.run2_ticks:,} ticks: {np.mean(n_on):.1f} with round "
              f"(min {min(n_on)}), {np.mean(n_off):.1f} without (max {max(n_off)})"),
        n_seeds=len(seeds), passed=bool(passed),
        criterion=f"every seed: >= {need} outbursts (> {LEVEL} actives) per 1,000 ticks with round(), none without",
        reference="Epstein (2002) Modeling civil violence, PNAS 99(suppl 3): 7243-7250, Run 2, Figs. 3-4; "
                  "the note on round() in Mesa's epstein_civil_violence example",
        detail=(f"outbursts (maximal runs of ticks with > {LEVEL} actives) in {plan.run2_ticks:,} ticks: with "
                f"round() mean {np.mean(n_on):.1f}, min {min(n_on)}, max {max(n_on)}; without round() mean "
                f"{np.mean(n_off):.1f}, max {max(n_off)}; largest actives without round() "
                f"{max(int(r['active'].max()) for r in off)}"),
        figure=fig, numbers={"outbursts_round": n_on, "outbursts_no_round": n_off, "ticks": plan.run2_ticks},
    )


def salami_pattern(plan: Plan, runner: _Runner, out: Path) -> PatternResult:
    """(b) A sudden legitimacy drop 0.9 -> 0.7 beats a gradual fall to 0.6 in peak actives."""
    seeds = _seeds(plan.salami_seeds)
    steps = plan.salami_ticks
    t0 = 50
    sudden = np.array([sudden_drop(0.9, 0.7, t0)(t) for t in range(steps)])
    gradual = np.array([linear_ramp(0.9, 0.6, t0, steps - 50)(t) for t in range(steps)])
    jobs = [(asdict(run2_config(seed=s, steps=steps, legitimacy=0.9)), sched, None)
            for sched in (sudden, gradual) for s in seeds]
    res = runner.map(_epstein_job, jobs)
    peak_s = np.array([r["active"][t0 + 1:].max() for r in res[: len(seeds)]])
    peak_g = np.array([r["active"][t0 + 1:].max() for r in res[len(seeds):]])
    wins = float(np.mean(peak_s > peak_g))
    # a one-sided sign test over the paired seeds (ties dropped): not any strict majority
    n_pairs = int(np.sum(peak_s != peak_g))
    p_sign = float(stats.binomtest(int(np.sum(peak_s > peak_g)), n_pairs, 0.5, alternative="greater").pvalue) \
        if n_pairs else 1.0
    passed = wins >= 0.75 and p_sign < 0.05
    fig = _fig_salami(res[0], res[len(seeds)], peak_s, peak_g, t0, out)
    return PatternResult(
        key="epstein_salami", kind="code", name="[code] (b) Epstein: sudden vs gradual fall of legitimacy",
        source="Epstein 2002, Figs. 9-10",
        published="a small sudden drop brings a larger outburst than a larger gradual one",
        ours=(f"peak actives {peak_s.mean():.0f} (0.9 -> 0.7 at once) vs {peak_g.mean():.0f} (0.9 -> 0.6 "
              f"gradually); sudden larger in {wins:.0%} of pairs"),
        n_seeds=len(seeds), passed=bool(passed),
        criterion="peak after the sudden drop larger than after the gradual fall in >= 75% of paired seeds, "
                  f"one-sided sign test p < 0.05 (here p = {p_sign:.2g})",
        reference="Epstein (2002), Fig. 9 (large legitimacy reduction in small increments) and Fig. 10 "
                  "(small legitimacy reduction in one jump)",
        detail=(f"Run 2 world from L = 0.9; at tick {t0} L drops to 0.7 at once, or falls linearly to 0.6 "
                f"over {steps - 50 - t0} ticks; peak actives after tick {t0}: sudden mean {peak_s.mean():.0f} "
                f"(median {np.median(peak_s):.0f}), gradual mean {peak_g.mean():.0f} (median "
                f"{np.median(peak_g):.0f}); sudden larger in {wins:.0%} of paired seeds"),
        figure=fig, numbers={"peak_sudden": peak_s.tolist(), "peak_gradual": peak_g.tolist(), "p_sign": p_sign},
    )


def cops_pattern(plan: Plan, runner: _Runner, out: Path) -> PatternResult:
    """(c) Cutting cops gradually: quiet for a long time, then the society tips."""
    seeds = _seeds(plan.cops_seeds)
    steps = plan.cops_ticks
    t0, t1 = 100, steps - 100
    jobs = [(asdict(run2_config(seed=s, steps=steps, cop_density=0.074)), None, (0.0, t0, t1))
            for s in seeds]
    res = runner.map(_epstein_job, jobs)
    quiet_share, tipped_share, tip_cops = [], [], []
    for r in res:
        a, c, n0, cit = r["active"], r["cops"], r["cops"][0], r["citizens"]
        quiet_share.append(float(a[1:][c[1:] >= 0.6 * n0].mean() / cit))
        tipped_share.append(float(a[1:][c[1:] <= 0.1 * n0].mean() / cit))
        tip_cops.append(_tipping_cops(a, c, cit))
    ok = [q < 0.02 and t >= 0.25 for q, t in zip(quiet_share, tipped_share, strict=True)]
    passed = float(np.mean(ok)) >= 0.8
    fig = _fig_cops(res, tip_cops, out)
    n0 = int(res[0]["cops"][0])
    return PatternResult(
        key="epstein_cops", kind="code", name="[code] (c) Epstein: removing cops gradually",
        source="Epstein 2002, Fig. 11",
        published="quiet at first, then rebellion past a critical number of cops",
        ours=(f"{np.mean(quiet_share):.1%} active while cops >= 60% of start, {np.mean(tipped_share):.0%} "
              f"once <= 10%; 10% active at ~{np.nanmedian(tip_cops):.0f} of {n0} cops"),
        n_seeds=len(seeds), passed=bool(passed),
        criterion=">= 80% of seeds: < 2% of citizens active while cops >= 60% of start, >= 25% once cops <= 10%",
        reference="Epstein (2002), Fig. 11 (cop reductions)",
        detail=(f"Run 2 world (L 0.82, J 30) from cop density 0.074 (about {n0} cops), cops removed linearly "
                f"from tick {t0} to tick {t1}; mean active share while cops >= 60% of the start "
                f"{np.mean(quiet_share):.2%}, once cops <= 10% {np.mean(tipped_share):.1%}; a 20-tick mean of "
                f"10% active first reached at median {np.nanmedian(tip_cops):.0f} cops"),
        figure=fig, numbers={"quiet_share": quiet_share, "tipped_share": tipped_share, "tip_cops": tip_cops},
    )


def _tipping_cops(active: np.ndarray, cops: np.ndarray, citizens: int, window: int = 20) -> float:
    """Cops on the grid when the ``window``-tick mean of actives first reaches 10% of citizens."""
    mean = np.convolve(active, np.ones(window) / window, mode="valid")
    hit = np.flatnonzero(mean >= 0.1 * citizens)
    return float(cops[hit[0] + window - 1]) if hit.size else float("nan")


def granovetter_pattern(out: Path) -> PatternResult:
    """(d) Granovetter's 100-person crowd: full cascade, or one person."""
    full = granovetter.cascade(granovetter.uniform_crowd())
    stop = granovetter.cascade(granovetter.perturbed_crowd())
    passed = full[-1] == 100 and stop[-1] == 1
    fig = _fig_thresholds(full, stop, "Granovetter (1978): one threshold decides the riot",
                          "people acting (of 100)", ("thresholds 0, 1, ..., 99", "threshold 1 moved to 2"),
                          out / "patterns_granovetter.png")
    return PatternResult(
        key="granovetter", kind="code", name="[code] (d) Granovetter: thresholds 0..99, then 1 -> 2",
        source="Granovetter 1978",
        published="100 of 100 act; then 1",
        ours=f"{full[-1]} of 100 act; then {stop[-1]}",
        n_seeds="exact", passed=bool(passed), criterion="exactly 100, then exactly 1",
        reference="Granovetter (1978) Threshold models of collective behavior, AJS 83(6): 1420-1443",
        detail=f"{full[-1]} of 100 act after {len(full) - 1} rounds; with threshold 1 moved to 2, {stop[-1]} acts",
        figure=fig, numbers={"full": full, "perturbed": stop},
    )


def kuran_pattern(out: Path) -> PatternResult:
    """(e) Kuran's ten-person society: 10% public opposition, or 90%."""
    low = kuran.opposition_path(kuran.SEQUENCE_A)
    high = kuran.opposition_path(kuran.SEQUENCE_A_PRIME)
    passed = low[-1] == 10 and high[-1] == 90
    fig = _fig_thresholds([float(v) for v in low], [float(v) for v in high],
                          "Kuran (1991): one lower threshold, 10% to 90%", "public opposition (% of society)",
                          (f"A = {kuran.SEQUENCE_A}", "A' = A with the second person's 20 -> 10"),
                          out / "patterns_kuran.png")
    return PatternResult(
        key="kuran", kind="code", name="[code] (e) Kuran: one threshold 20 -> 10",
        source="Kuran 1991",
        published="public opposition 10% -> 90%",
        ours=f"{float(low[-1]):.0f}% -> {float(high[-1]):.0f}%",
        n_seeds="exact", passed=bool(passed), criterion="exactly 10%, then exactly 90%",
        reference="Kuran (1991) Now out of never, World Politics 44(1): 7-48; ten-person example as "
                  f"reconstructed in sim/patterns/kuran.py: A = {kuran.SEQUENCE_A}",
        detail=f"public opposition {float(low[-1]):.0f}% under A, {float(high[-1]):.0f}% under A'",
        figure=fig, numbers={"A": [float(v) for v in low], "A_prime": [float(v) for v in high]},
    )


def _outcome_share(results: list[dict], outcome: str | tuple[str, ...]) -> tuple[int, int]:
    wanted = (outcome,) if isinstance(outcome, str) else outcome
    return sum(r["outcome"] in wanted for r in results), len(results)


ALPHA = 0.05  #: one-sided significance level of every comparison, quick mode included
#: non-inferiority margin for "does not lower attempts": the 95% interval of the difference in
#: attempt rates (with minus without counterweights) must lie above minus this
ATTEMPT_MARGIN = 0.15


def newcombe(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """95% interval of p1 - p2 from two Wilson intervals (Newcombe 1998, method 10)."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1)
    l2, u2 = wilson(k2, n2)
    d = p1 - p2
    return d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def _compare(high: list[dict], low: list[dict], event: Callable[[dict], bool]) -> dict:
    """Is ``event`` more frequent under ``high`` than under ``low``? One-sided Fisher exact test;
    passes only at p < ALPHA, in quick mode as in full."""
    kh, nh = sum(map(event, high)), len(high)
    kl, nl = sum(map(event, low)), len(low)
    p = float(stats.fisher_exact([[kh, nh - kh], [kl, nl - kl]], alternative="greater").pvalue)
    return {"k_high": kh, "n_high": nh, "k_low": kl, "n_low": nl, "p_one_sided": p,
            "passed": bool(kh / nh > kl / nl and p < ALPHA)}


def _left_office(r: dict) -> bool:
    return r["ruler_status"] != "in_office"


def coup_patterns(plan: Plan, runner: _Runner, out: Path) -> list[PatternResult]:
    """(f) Counterweights lower coup success at equal headcount and do not lower attempts (De Bruin 2018).

    The same men in the capital serve either in counterweight forces (as bundled: their
    institutions are ``counterweight: true`` with personal ties to the ruler) or as regular
    troops (``counterweight: false``, ``ties: 0``): strengths, places and every other trait are
    the same, so headcount cannot explain a difference."""
    seeds = _seeds(plan.coup_seeds)
    scn = _load("elite_coup")
    units = capital_counterweights("elite_coup")
    institutions = sorted({scn.units[u].institution for u in units})
    regular = {k: v for i in institutions for k, v in ((f"institutions.{i}.counterweight", False),
                                                       (f"institutions.{i}.ties", 0.0))}
    conditions = {"as counterweights (bundled)": {}, "the same men as regular troops": regular}
    jobs = [("elite_coup", ov, s) for ov in conditions.values() for s in seeds]
    res = runner.map(_regime_job, jobs)
    cw, reg = res[: len(seeds)], res[len(seeds):]
    success = _compare(reg, cw, lambda r: r["outcome"] == "coup_succeeds")
    a_cw, a_reg = sum(r["coup_attempt"] for r in cw), sum(r["coup_attempt"] for r in reg)
    lo, hi = newcombe(a_cw, len(cw), a_reg, len(reg))
    attempts_ok = lo > -ATTEMPT_MARGIN
    passed = success["passed"] and attempts_ok
    by = dict(zip(conditions, (cw, reg), strict=True))
    fig = _fig_outcomes(by, "coup_succeeds", "Counterweights at equal headcount (elite_coup)",
                        "P(coup succeeds)", out / "patterns_coup.png",
                        labels=["capital forces as\ncounterweights", "the same men as\nregular troops"], attempts=True)
    men = sum(scn.units[u].strength for u in units)
    return [PatternResult(
        key="coup_counterweights", name="(f) Coups: counterweights vs the same men as regular troops",
        source="De Bruin 2018",
        published="counterbalancing lowers coup success, not coup attempts",
        ours=(f"success {success['k_low']}/{success['n_low']} with counterweights vs {success['k_high']}/"
              f"{success['n_high']} as regular troops (p = {success['p_one_sided']:.2g}); attempts {a_cw} vs {a_reg}"),
        n_seeds=len(seeds), passed=bool(passed),
        criterion=(f"P(coup succeeds) lower with counterweights (one-sided Fisher exact p < {ALPHA}) and attempts "
                   f"not lower: the 95% interval of the difference in attempt rates above -{ATTEMPT_MARGIN:.0%}"),
        reference="De Bruin (2018) Preventing coups d'etat: how counterbalancing works, J. Conflict Resolution "
                  "62(7): 1433-1458",
        detail=(f"elite_coup; {men:,} men in {', '.join(units)} ({', '.join(institutions)}), as counterweights or with "
                f"counterweight false and ties 0; coup succeeds {success['k_low']}/{success['n_low']} vs "
                f"{success['k_high']}/{success['n_high']} (one-sided Fisher p = {success['p_one_sided']:.3g}); coups "
                f"attempted {a_cw} vs {a_reg} (difference {a_cw / len(cw) - a_reg / len(reg):+.0%}, 95% interval "
                f"[{lo:+.0%}, {hi:+.0%}]); outcomes {_counts(cw)} vs {_counts(reg)}"),
        figure=fig, numbers={**success, "attempts_counterweights": a_cw, "attempts_regular": a_reg,
                             "attempt_diff_ci": [lo, hi], "outcomes": {k: _counts(v) for k, v in by.items()}},
    )]


def protest_pattern(plan: Plan, runner: _Runner, out: Path) -> PatternResult:
    """(g) Security-force defection raises the chance that protest wins (Chenoweth & Stephan 2011).

    Success is the ruler leaving office (his status, whatever the outcome's label), which no
    rule defines by the security forces' stance; the capital security's readiness to defect is
    what differs (their commanders' loyalty and pay), and the defection it brings is reported."""
    seeds = _seeds(plan.protest_seeds)

    def capital(loyalty: float, pay: float) -> dict:
        return {f"units.{u}.{k}": v for u in CAPITAL_SECURITY for k, v in (("loyalty", loyalty), ("pay", pay))}

    conditions = {"capital security disloyal (loyalty 0.2, pay 0.1)": capital(0.2, 0.1),
                  "capital security loyal (loyalty 0.95, pay 0.9)": capital(0.95, 0.9)}
    jobs = [("mass_protest", ov, s) for ov in conditions.values() for s in seeds]
    res = runner.map(_regime_job, jobs)
    names = list(conditions)
    by = {name: res[i * len(seeds):(i + 1) * len(seeds)] for i, name in enumerate(names)}
    c = _compare(by[names[0]], by[names[1]], _left_office)
    defected = [float(np.mean([r["defected_peak"] for r in by[n]])) for n in names]
    fig = _fig_outcomes(by, RULER_REMOVED_BY_PROTEST, "Security-force loyalty and protest (mass_protest)",
                        "P(the ruler leaves office)", out / "patterns_protest.png",
                        labels=["capital security disloyal\n(loyalty 0.2, pay 0.1)",
                                "capital security loyal\n(loyalty 0.95, pay 0.9)"], attempts=False,
                        event=_left_office)
    return PatternResult(
        key="protest_defection", name="(g) Protest: capital security disloyal vs loyal",
        source="Chenoweth & Stephan 2011",
        published="security-force defection is the main path from protest to success",
        ours=(f"ruler left office {c['k_high']}/{c['n_high']} (disloyal) vs {c['k_low']}/{c['n_low']} (loyal), "
              f"p = {c['p_one_sided']:.2g}; defected at peak {defected[0]:,.0f} vs {defected[1]:,.0f} men"),
        n_seeds=len(seeds), passed=c["passed"] and defected[0] > defected[1],
        criterion=(f"the ruler leaves office (any outcome) more often when the capital's security is disloyal "
                   f"(one-sided Fisher exact p < {ALPHA}), and more men defect there"),
        reference="Chenoweth & Stephan (2011) Why Civil Resistance Works: security-force defections are "
                  "the main path from mass participation to success",
        detail=(f"mass_protest; loyalty and pay of {', '.join(CAPITAL_SECURITY)} set to 0.2/0.1 or 0.95/0.9; "
                f"success = the ruler's status is not in office at the end (not an outcome label): disloyal "
                f"{c['k_high']}/{c['n_high']}, loyal {c['k_low']}/{c['n_low']} (one-sided Fisher exact p = "
                f"{c['p_one_sided']:.3g}); mean peak defected strength {defected[0]:,.0f} vs {defected[1]:,.0f}; "
                f"outcomes {_counts(by[names[0]])} vs {_counts(by[names[1]])}"),
        figure=fig, numbers={**c, "defected_peak_mean": defected, "outcomes": {k: _counts(v) for k, v in by.items()}},
    )


#: the bundled scenarios of each challenge type (a coup, a mutiny, a street movement), for the ensembles
COUP_SCENARIOS = ("elite_coup", "turkey_2016", "zimbabwe_2017")
ALL_CHALLENGES = ("elite_coup", "turkey_2016", "zimbabwe_2017", "wagner_mutiny_2023", "mass_protest", "egypt_2011")
#: outcomes in which insiders (plotters, mutineers: armed men of the regime) remove the ruler
INSIDER_EXITS = ("coup_succeeds", "mutiny_takes_power")
ENSEMBLE_SEED = 20111  # the master seed of the ensembles' draws and runs


def _ensemble(scenarios: tuple[str, ...], draws: int, runner: _Runner) -> dict[str, list[dict]]:
    """Each scenario run at ``draws`` Latin-hypercube draws over the assumed ranges of the
    defaults it relies on (the ``--design priors`` sweep's plan), one seed per draw."""
    from ..sweep.plan import build_plan

    jobs, sizes = [], []
    for name in scenarios:
        plan = build_plan(name, design="priors", samples=draws, replications=1, seed=ENSEMBLE_SEED)
        jobs += [(name, plan.overrides(r.point), r.seed) for r in plan.runs()]
        sizes.append(plan.n_runs)
    res = runner.map(_regime_job, jobs)
    out, i = {}, 0
    for name, n in zip(scenarios, sizes, strict=True):
        out[name], i = res[i:i + n], i + n
    return out


def coup_rate_pattern(plan: Plan, runner: _Runner, out: Path) -> PatternResult:
    """(h) About half of coup attempts succeed (Powell & Thyne 2011: 48%, 1950-2010)."""
    by = _ensemble(COUP_SCENARIOS, plan.ensemble_draws, runner)
    attempts = [r for rs in by.values() for r in rs if r["coup_attempt"]]
    k = sum(r["outcome"] == "coup_succeeds" for r in attempts)
    n = len(attempts)
    rate = k / n if n else float("nan")
    lo, hi = wilson(k, n)
    low, high, need = 0.30, 0.65, 10
    passed = n >= need and low <= rate <= high
    per = {name: (sum(r["outcome"] == "coup_succeeds" for r in rs if r["coup_attempt"]),
                  sum(r["coup_attempt"] for r in rs)) for name, rs in by.items()}
    fig = _fig_rate(per, (low, high), 0.48, "Coup success over an ensemble drawn from the assumed ranges",
                    "P(coup succeeds | attempted)", out / "patterns_coup_rate.png")
    return PatternResult(
        key="coup_success_rate", name="(h) Coups: success rate over an ensemble of coup scenarios",
        source="Powell & Thyne 2011", published="48% of coup attempts succeed (1950-2010)",
        ours=f"{k}/{n} attempts succeed ({rate:.0%})" if n else "no coup attempted",
        n_seeds=f"{plan.ensemble_draws} draws x {len(COUP_SCENARIOS)} scenarios", passed=bool(passed),
        criterion=f"success rate among attempts within {low:.0%}-{high:.0%}, over at least {need} attempts",
        reference="Powell & Thyne (2011) Global instances of coups from 1950 to 2010, J. Peace Research 48(2): "
                  "249-259",
        detail=(f"{', '.join(COUP_SCENARIOS)}, each at {plan.ensemble_draws} Latin-hypercube draws over the assumed "
                f"ranges (sweep --design priors), one seed each; attempts {n}, successes {k} ({rate:.0%}, Wilson "
                f"95% [{lo:.0%}, {hi:.0%}]); by scenario (successes/attempts): "
                + ", ".join(f"{s} {a}/{b}" for s, (a, b) in per.items())
                + "; outcomes " + "; ".join(f"{s} {_counts(rs)}" for s, rs in by.items())),
        figure=fig, numbers={"successes": k, "attempts": n, "need": need, "by_scenario": per,
                             "outcomes": {s: _counts(rs) for s, rs in by.items()}},
    )


def insider_pattern(plan: Plan, runner: _Runner, out: Path) -> PatternResult:
    """(i) Most irregular exits of autocrats are by insiders (Svolik 2012)."""
    by = _ensemble(ALL_CHALLENGES, plan.ensemble_draws, runner)
    exits = [r for rs in by.values() for r in rs if _left_office(r)]
    k = sum(r["outcome"] in INSIDER_EXITS for r in exits)
    n = len(exits)
    share = k / n if n else float("nan")
    lo, hi = wilson(k, n)
    need = 10
    passed = n >= need and share >= 0.5
    per = {s: (sum(r["outcome"] in INSIDER_EXITS for r in rs if _left_office(r)), sum(map(_left_office, rs)))
           for s, rs in by.items()}
    fig = _fig_rate(per, (0.5, 1.0), 2 / 3, "Who removes the ruler, over an ensemble of all challenge types",
                    "insiders' share of irregular exits", out / "patterns_insiders.png")
    return PatternResult(
        key="insider_exits", name="(i) Exits: insiders' share over an ensemble of all challenge types",
        source="Svolik 2012", published="more than two thirds of irregular exits of dictators are by insiders",
        ours=f"{k}/{n} irregular exits by insiders ({share:.0%})" if n else "no irregular exit",
        n_seeds=f"{plan.ensemble_draws} draws x {len(ALL_CHALLENGES)} scenarios", passed=bool(passed),
        criterion=f"insiders (coup succeeds, mutiny takes power) account for >= 50% of the runs in which the ruler "
                  f"leaves office, over at least {need} such runs",
        reference="Svolik (2012) The Politics of Authoritarian Rule, Cambridge UP, ch. 1-2 (removals of "
                  "dictators 1946-2008)",
        detail=(f"{', '.join(ALL_CHALLENGES)}, each at {plan.ensemble_draws} Latin-hypercube draws over the assumed "
                f"ranges, one seed each; the ruler left office in {n} runs, by insiders in {k} ({share:.0%}, Wilson "
                f"95% [{lo:.0%}, {hi:.0%}]); by scenario (insider exits/exits): "
                + ", ".join(f"{s} {a}/{b}" for s, (a, b) in per.items())
                + "; outcomes " + "; ".join(f"{s} {_counts(rs)}" for s, rs in by.items())),
        figure=fig, numbers={"insider_exits": k, "exits": n, "need": need, "by_scenario": per,
                             "outcomes": {s: _counts(rs) for s, rs in by.items()}},
    )


def _load(name: str):
    import sim

    return sim.load_scenario(name)


def _counts(results: list[dict]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in results:
        out[r["outcome"]] = out.get(r["outcome"], 0) + 1
    return out


def run_suite(quick: bool, out: Path, seeds: int | None = None, workers: int = 2,
              progress: Callable[[str], None] | None = None) -> list[PatternResult]:
    """Run every pattern, write its figure into ``out``, return the verdicts."""
    plan = Plan.make(quick, seeds)
    out.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda _msg: None)
    runner = _Runner(workers)
    try:
        results = []
        for label, fn in (("Epstein Run 2", run2_pattern), ("salami tactics", salami_pattern),
                          ("cop reduction", cops_pattern)):
            say(label)
            results.append(fn(plan, runner, out))
        say("Granovetter and Kuran")
        results += [granovetter_pattern(out), kuran_pattern(out)]
        say("coups")
        results += coup_patterns(plan, runner, out)
        say("protest")
        results.append(protest_pattern(plan, runner, out))
        say("coup ensemble")
        results.append(coup_rate_pattern(plan, runner, out))
        say("ensemble of all challenges")
        results.append(insider_pattern(plan, runner, out))
    finally:
        runner.close()
    for r in results:
        if r.key in KNOWN_FAILURES:
            r.expected = False
            r.known_failure = KNOWN_FAILURES[r.key]
        elif too_few(r):
            r.expected = False
            r.known_failure = (f"too few to judge: {_judged(r)} of the {r.numbers['need']} its criterion needs "
                               "(quick mode's ensembles are a smoke test; `make patterns` judges it)")
    return results


def _judged(r: PatternResult) -> int:
    return int(r.numbers.get("attempts", r.numbers.get("exits", 0)))


def too_few(r: PatternResult) -> bool:
    """An ensemble pattern that reached fewer attempts or exits than its criterion needs: it
    fails by its criterion, but says nothing about the engine (quick mode's 3 draws)."""
    return "need" in r.numbers and _judged(r) < r.numbers["need"]


# ============================================================================ figures
def _new_figure(nrows: int = 1, ncols: int = 1, **kw: Any):
    import matplotlib.pyplot as plt

    from ..plots import style

    style.apply()
    return plt.subplots(nrows, ncols, **kw)


def _save(fig, path: Path) -> str:
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=150, bbox_inches="tight")
    plt.close(fig)
    return path.name


def _fig_run2(on: dict, off: dict, out: Path) -> str:
    from ..plots.style import BLUE, GREY, VERMILION

    fig, axes = _new_figure(2, 1, figsize=(11, 6), sharex=True, sharey=True)
    for ax, r, label, colour in ((axes[0], on, "with round(C/A) (Mesa, NetLogo)", VERMILION),
                                 (axes[1], off, "without rounding (the paper's formula)", BLUE)):
        ticks = np.arange(r["active"].size)
        ax.plot(ticks, r["active"], color=colour, lw=1.0)
        ax.axhline(LEVEL, color=GREY, ls="--", lw=1.2, label=f"outburst level ({LEVEL} actives)")
        ax.set_title(label, fontsize=13, loc="left")
        ax.set_ylabel("active citizens (agents)")
        ax.legend(loc="upper right")
    axes[1].set_xlabel("tick (every agent acts once)")
    fig.suptitle("Epstein Run 2 (L 0.82, J 30, cop density 0.04, vision 7): seed 1", fontweight="bold")
    return _save(fig, out / "patterns_epstein_run2.png")


def _fig_salami(sudden: dict, gradual: dict, peak_s: np.ndarray, peak_g: np.ndarray, t0: int,
                out: Path) -> str:
    from ..plots.style import BLUE, GREY, VERMILION

    fig, (ax, bx) = _new_figure(1, 2, figsize=(13, 5.2), gridspec_kw={"width_ratios": [1.8, 1]})
    ticks = np.arange(sudden["active"].size)
    ax.plot(ticks, sudden["active"], color=VERMILION, lw=1.3, label="L 0.9 -> 0.7 in one step")
    ax.plot(ticks, gradual["active"], color=BLUE, lw=1.3, label="L 0.9 -> 0.6 in small steps")
    ax.set_xlabel("tick")
    ax.set_ylabel("active citizens (agents)")
    ax.set_title("seed 1: actives (solid), legitimacy (dotted)", fontsize=13, loc="left")
    lx = ax.twinx()
    lx.plot(ticks[1:], sudden["legitimacy"][1:], color=VERMILION, ls=":", lw=1.8)
    lx.plot(ticks[1:], gradual["legitimacy"][1:], color=BLUE, ls=":", lw=1.8)
    lx.set_ylabel("legitimacy L (0-1)")
    lx.set_ylim(0.5, 1.0)
    lx.grid(False)
    lx.spines["right"].set_visible(True)
    ax.legend(loc="upper right")
    top = max(peak_s.max(), peak_g.max()) * 1.08
    bx.scatter(peak_g, peak_s, color=VERMILION, s=40, alpha=0.8, zorder=3)
    bx.plot([0, top], [0, top], color=GREY, ls="--", lw=1.2, label="equal peaks")
    bx.set_xlim(0, top)
    bx.set_ylim(0, top)
    bx.set_xlabel("peak actives, gradual fall (agents)")
    bx.set_ylabel("peak actives, sudden drop (agents)")
    bx.set_title(f"{peak_s.size} paired seeds", fontsize=13, loc="left")
    bx.legend(loc="lower right")
    fig.suptitle(f"Salami tactics (Run 2 world, change starts at tick {t0})", fontweight="bold")
    fig.tight_layout()
    return _save(fig, out / "patterns_epstein_salami.png")


def _fig_cops(res: list[dict], tip_cops: list[float], out: Path) -> str:
    from ..plots.style import BLUE, GREY, VERMILION

    fig, (ax, bx) = _new_figure(1, 2, figsize=(13, 5.2))
    r = res[0]
    ticks = np.arange(r["active"].size)
    ax.plot(ticks, r["active"], color=VERMILION, lw=1.2, label="active citizens")
    ax.set_xlabel("tick")
    ax.set_ylabel("active citizens (agents)")
    cx = ax.twinx()
    cx.plot(ticks, r["cops"], color=BLUE, lw=2.0, label="cops on the grid")
    cx.set_ylabel("cops on the grid (agents)", color=BLUE)
    cx.grid(False)
    cx.spines["right"].set_visible(True)
    ax.set_title("seed 1 over time", fontsize=13, loc="left")
    lines = ax.get_lines() + cx.get_lines()
    ax.legend(lines, [ln.get_label() for ln in lines], loc="center left")
    for r in res:
        bx.plot(r["cops"][1:], r["active"][1:] / r["citizens"] * 100, color=VERMILION, lw=0.7, alpha=0.5)
    finite = [t for t in tip_cops if np.isfinite(t)]
    if finite:
        bx.axvline(float(np.median(finite)), color=GREY, ls="--", lw=1.4,
                   label=f"10% active first reached (median {np.median(finite):.0f} cops)")
        bx.legend(loc="upper right")
    bx.invert_xaxis()
    bx.set_xlabel("cops on the grid (agents; time runs left to right)")
    bx.set_ylabel("active citizens (% of citizens)")
    bx.set_title(f"{len(res)} seeds", fontsize=13, loc="left")
    fig.suptitle("Removing cops gradually (L 0.82, J 30, from cop density 0.074 to 0)", fontweight="bold")
    fig.tight_layout()
    return _save(fig, out / "patterns_epstein_cops.png")


def _fig_thresholds(first: list, second: list, title: str, ylabel: str, labels: tuple[str, str],
                    path: Path) -> str:
    from ..plots.style import BLUE, VERMILION

    fig, ax = _new_figure(figsize=(9, 5))
    rounds = max(len(first), len(second))
    for values, colour, marker, label in ((first, BLUE, "o", labels[0]), (second, VERMILION, "s", labels[1])):
        ax.step(range(len(values)), values, where="post", color=colour, marker=marker,
                ms=3 if len(values) > 30 else 6, label=f"{label}: ends at {values[-1]:g}")
        if len(values) < rounds:  # the cascade has stopped: nobody else joins in later rounds
            ax.plot([len(values) - 1, rounds - 1], [values[-1]] * 2, color=colour, ls="--", lw=1.6)
    ax.set_xlabel("round of the cascade")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="upper left")
    return _save(fig, path)


def _wrap_id(name: str, width: int = 14) -> str:
    """A scenario id on two lines after its last underscore when it is long, so that the labels
    of neighbouring bars do not run into each other ('wagner_mutiny_' / '2023')."""
    if len(name) <= width or "_" not in name:
        return name
    head, tail = name.rsplit("_", 1)
    return f"{head}_\n{tail}"


def _fig_rate(per: dict[str, tuple[int, int]], band: tuple[float, float], published: float, title: str,
              ylabel: str, path: Path) -> str:
    """A rate per scenario and pooled (bars with Wilson intervals), the published figure and the
    accepted band."""
    from ..plots.style import BLUE, GREY, VERMILION
    from ..sweep.summary import wilson_yerr

    fig, ax = _new_figure(figsize=(max(7.0, 1.8 * (len(per) + 1)), 5.6))
    names = [*per, "pooled"]
    ks = [a for a, _ in per.values()] + [sum(a for a, _ in per.values())]
    ns = [b for _, b in per.values()] + [sum(b for _, b in per.values())]
    x = np.arange(len(names))
    share = np.array([k / n if n else 0.0 for k, n in zip(ks, ns, strict=True)])
    ax.axhspan(*band, color=GREY, alpha=0.18, label=f"accepted: {band[0]:.0%}-{band[1]:.0%}")
    ax.axhline(published, color=VERMILION, ls="--", lw=1.6, label=f"published: {published:.0%}")
    ax.bar(x, share, color=BLUE, width=0.6, label="ours (none where n = 0)")
    ax.errorbar(x, share, yerr=wilson_yerr(ks, ns, wilson), fmt="none", ecolor="black", capsize=5,  # n = 0: no bar
                lw=1.5, label="95% interval (Wilson)")
    ax.set_xticks(x, [f"{_wrap_id(nm)}\n(n = {n})" for nm, n in zip(names, ns, strict=True)], fontsize=10.5)
    ax.set_ylim(0, 1.25)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="upper center", ncol=2, fontsize=10)
    return _save(fig, path)


def _fig_outcomes(by: dict[str, list[dict]], outcome: str | tuple[str, ...], title: str, ylabel: str, path: Path,
                  labels: list[str], attempts: bool, event: Callable[[dict], bool] | None = None) -> str:
    """Bars of P(outcome) with Wilson intervals, one per condition; conditions come in pairs.
    ``outcome`` may be a tuple of outcome ids counted together (coloured as the first)."""
    from ..plots.style import GREY, OUTCOME_COLORS
    from ..sweep.summary import wilson_yerr

    fig, ax = _new_figure(figsize=(max(7.0, 1.9 * len(by)), 5.8))
    names = list(by)
    x = np.arange(len(names))
    ks, ns = zip(*((sum(map(event, by[name])), len(by[name])) if event else _outcome_share(by[name], outcome)
                   for name in names), strict=True)
    share = [k / n for k, n in zip(ks, ns, strict=True)]
    first = outcome if isinstance(outcome, str) else outcome[0]
    ax.bar(x, share, color=OUTCOME_COLORS[first], width=0.6, label=ylabel)
    ax.errorbar(x, share, yerr=wilson_yerr(ks, ns, wilson), fmt="none", ecolor="black", capsize=5, lw=1.5,
                label="95% interval (Wilson)")
    if attempts:
        att = [np.mean([r["coup_attempt"] for r in by[name]]) for name in names]
        ax.scatter(x, att, color=GREY, marker="D", s=50, zorder=3, label="P(coup attempted)")
    for i in range(2, len(names), 2):
        ax.axvline(i - 0.5, color=GREY, lw=1.0)
    ax.set_xticks(x, labels, fontsize=10.5)
    ax.set_ylim(0, 1.25)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_ylabel(f"{ylabel} (share of {len(by[names[0]])} runs)")
    ax.set_title(title)
    ax.legend(loc="upper center", ncol=3, fontsize=10.5)
    return _save(fig, path)
