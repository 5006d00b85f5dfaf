"""Each rule alone (pure functions), and what switching each one off does to a run."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.rules import RULES
from sim.rules import bargain as B
from sim.rules import challengers as Ch
from sim.rules import coup as C
from sim.rules import crowds as K
from sim.rules import legitimacy as L
from sim.rules import public as P
from sim.rules import ruler as R
from sim.rules import units as U
from sim.rules.combat import air_strike, lanchester_losses
from sim.runner import RunResult, run
from sim.scenario.loader import load_scenario

from .conftest import ROOT, TINY
from .seeds import marches, result, seeds_where

MUTINY = ROOT / "scenarios" / "wagner_mutiny_2023.yaml"
MOBIL = ROOT / "scenarios" / "mobilization_2022.yaml"
COUP = ROOT / "scenarios" / "elite_coup.yaml"
PROTEST = ROOT / "scenarios" / "mass_protest.yaml"


# ============================================================================ pure functions
def test_the_kernel_compiles_the_public_rules_as_written() -> None:
    """The rules are plain Python in sim/rules/public.py; the kernel calls numba's copies of
    them, which must agree everywhere, at the halves of round() included."""
    from sim.public import kernel as K

    for cops in (0.0, 1.0, 3.0, 5.0, 7.0):
        for actives in (1.0, 2.0, 4.0, 10.0):
            for use_round in (True, False):
                assert K.arrest_probability(cops, actives, 2.3, use_round) == P.arrest_probability(
                    cops, actives, 2.3, use_round), (cops, actives, use_round)
    for h, legit in ((0.5, 0.8), (0.9, 0.1), (0.0, 1.0)):
        assert K.grievance(h, legit) == P.grievance(h, legit)
    for args in ((0.3, 0.5, 0.2, 0.1, 0.0, 0.0), (0.2, 0.5, 0.2, 0.1, 0.0, 0.0), (0.2, 0.5, 0.2, 0.1, 0.1, 0.5)):
        assert K.is_active(*args) == P.is_active(*args)
    assert K.arrests(0.4, 0.5) == P.arrests(0.4, 0.5) and K.arrests(0.4, 0.3) == P.arrests(0.4, 0.3)
    assert hasattr(K.grievance, "py_func") and not hasattr(P.grievance, "py_func")


def test_public_rules_alone() -> None:
    assert P.grievance(0.5, 0.8) == pytest.approx(0.1)
    assert P.arrest_probability(0.0, 1.0, 2.3, True) == 0.0
    assert P.arrest_probability(1.0, 1.0, 2.3, True) == pytest.approx(1 - math.exp(-2.3))
    # round() is Python's: half to even, so C/A = 0.5 rounds to 0 and 2.5 to 2
    assert P.arrest_probability(1.0, 2.0, 2.3, True) == 0.0
    assert P.arrest_probability(5.0, 2.0, 2.3, True) == pytest.approx(1 - math.exp(-4.6))
    assert P.arrest_probability(1.0, 2.0, 2.3, False) == pytest.approx(1 - math.exp(-1.15))
    assert P.arrest_probability(7.0, 2.0, 1.0, True) == pytest.approx(1 - math.exp(-4.0))  # 3.5 -> 4
    assert P.is_active(0.3, 0.5, 0.2, 0.1, 0.0, 0.0)  # 0.3 - 0.1 > 0.1
    assert not P.is_active(0.2, 0.5, 0.2, 0.1, 0.0, 0.0)  # 0.1 is not > 0.1
    assert P.is_active(0.2, 0.5, 0.2, 0.1, 0.1, 0.5)  # social proof tips her
    assert P.social_weight(0.05, 0.15) == pytest.approx(0.2)
    assert P.arrests(0.4, 0.5) and not P.arrests(0.4, 0.3)
    assert P.exit_people(1e6, 0.001, 1.0, 0.5, 2.0) == pytest.approx(1000.0)
    w = P.exit_weights(np.array([0.1, 0.9]), np.array([0.9, 0.9]), 0.8)
    assert w.shape == (2,) and np.all(w > 0)
    assert P.draft_people(300_000, 0.1, 30.0, 0.5, 1.0) == pytest.approx(500.0)
    assert P.mobilization_hardship(2.0, 0.7) == 1.0
    assert P.crowd_strength(1000.0, 0.1) == pytest.approx(100.0)


def test_legitimacy_rules_alone() -> None:
    assert L.contract_break(0.9, 1.0, 0.06) == pytest.approx(0.84)
    assert L.contract_break(0.1, 2.0, 0.2) == 0.0
    assert L.security_contract(0.9, 0.7, 1.0, 0.1, 0.2) == pytest.approx((0.8, 0.5))
    s, legit = L.defeat_shock(0.7, 0.9, 1.0, 0.15)
    assert s == pytest.approx(0.55) and legit == pytest.approx(0.855)
    assert L.street_pressure(0.6, 0.01, 2.0, 24.0) == pytest.approx(0.58)
    assert L.challenge_erosion(0.6, 0.01, 2.0) == pytest.approx(0.58)
    assert L.recover(0.5, 0.7, 0.5, 24.0) == pytest.approx(0.6)
    legit, s = L.raid_shock(0.9, 0.6, 1.0, 0.05)  # a raid rallies the country round the flag
    assert legit == pytest.approx(0.95) and s == pytest.approx(0.65)
    assert L.raid_shock(0.98, 0.99, 1.0, 0.05) == (1.0, 1.0)
    assert L.raid_erosion(0.9, 0.5, 0.1) == pytest.approx(0.85)  # ... and erodes the raided region's baseline
    assert L.raid_erosion(0.02, 1.0, 0.1) == 0.0
    assert L.propaganda(0.99, 0.05) == 1.0


def test_unit_rules_alone() -> None:
    # local_cascade: the national shares blended with the local ones; local ignored when empty
    assert U.seen_shares([9.0, 1.0], [1.0, 1.0], 0.5) == pytest.approx([0.7, 0.3])
    assert U.seen_shares([9.0, 1.0], [], 0.5) == pytest.approx([0.9, 0.1])
    assert U.seen_shares([0.0, 0.0, 0.0], [], 0.5) == pytest.approx([1 / 3] * 3)
    assert U.fact_shift(True, True, 0.2) == 0.2 and U.fact_shift(False, True, 0.2) == 0.1
    assert U.fact_shift(False, False, 0.2) == 0.0
    # the ruler seen free and in command unmakes a share of the fact (ruler.move's link)
    assert U.fact_shift(True, True, 0.2, 0.5) == pytest.approx(0.1)
    assert U.fact_shift(False, True, 0.2, 0.5) == pytest.approx(0.05)
    assert U.fact_shift(False, False, 0.2, 0.5) == 0.0
    assert U.declared_weight(True, 0.3) == 1.0 and U.declared_weight(False, 0.3) == 0.3
    even = U.win_probabilities([0.5, 0.5], 2.0, 0.0, [0.9, 0.1], [0.0, 0.0])
    assert even == pytest.approx([0.5, 0.5])
    assert U.win_probabilities([0.8, 0.2], 2.0, 0.0, [0.5, 0.5], [0.0, 0.0])[0] > 0.9  # decisive majority
    # priors only (prior_weight 1): the shares do not matter
    assert U.win_probabilities([0.1, 0.9], 2.0, 1.0, [0.7, 0.3], [0.0, 0.0]) == pytest.approx([0.7, 0.3])
    assert U.cash_appeal(10.0, 10.0) == pytest.approx(0.5) and U.cash_appeal(0.0, 10.0) == 0.0
    assert U.cash_appeal(10.0, 10.0, 0.4) == pytest.approx(0.2)
    assert U.ruler_tie(0.3) == 0.3
    # one challenger: [ruler, challenger, aside]
    strong = U.option_utilities([0.9, 0.1], [0.6, 0.3], [0, 0], [0, 0], 0.0, 0.6, [0, 0], 1.0, 0.5, 0.15, 0.0, 0)
    assert strong[0] > strong[2] > strong[1]  # a strong ruler keeps his commanders
    weak = U.option_utilities([0.1, 0.9], [0.6, 0.6], [0, 0.3], [0, 0], 0.0, 0.6, [0, 0.5], 1.0, 0.5, 0.15, 0.0, 0)
    assert weak[1] > weak[0]  # a collapsing ruler, and cash on offer
    column = U.option_utilities([0.6, 0.4], [0.6, 0.2], [0, 0], [1.0, 0], 0.0, 0.6, [0, 0], 1.0, 0.5, 0.15, 0.0, 0)
    assert column[2] > column[0]  # a stronger column on the doorstep: standing aside beats fighting it
    assert U.logit_choice((1.0, 0.0, 0.0), 1, 0.0, 0.01, 0.5) == 0
    assert U.logit_choice((0.0, 0.0, 1.0, 0.0), 0, 0.0, 0.01, 0.99) == 2
    probs = U.choice_probabilities((0.0, 0.0, 0.0), 0, 0.0, 0.1)
    assert np.allclose(probs, 1 / 3)
    assert U.choice_probabilities((0.0, 0.0), 0, 0.2, 0.1)[0] > 0.5  # the switch cost favours the current
    assert U.loyalty_target(1.0, 1.0, 0.0, 0.25, 0.5, 0.5, 0.5) == 1.0
    assert U.loyalty_target(0.0, 0.0, 1.0, 0.25, 0.5, 0.5, 0.5) == 0.0
    assert U.loyalty_target(0.5, 0.5, 0.2, 0.25, 0.5, 0.5, 0.5) == pytest.approx(0.65)
    assert U.drift(0.5, 1.0, U.drift_rate(1.0, 12.0)) == pytest.approx(0.75)
    g, f = U.blame(0.1, 0.5, 1.0, "top")
    assert g == pytest.approx(0.35) and f == pytest.approx(0.65)


def test_challenger_coup_ruler_bargain_crowd_combat_rules_alone() -> None:
    s, lost, g = Ch.attrition(1000.0, 0.3, 0.24, 2.0, 24.0)
    assert s == pytest.approx(760.0) and lost == pytest.approx(240.0) and g == pytest.approx(0.78)
    assert Ch.issues_ultimatum(0.8, 0.75) and not Ch.issues_ultimatum(0.7, 0.75)
    assert Ch.march_probability(0.9, 0.6, 0.5, 0.8, 0.8, 0.1) > 0.99
    assert Ch.march_probability(0.05, 0.2, 0.1, 0.0, 0.9, 0.1) < 0.01
    assert Ch.give_up_probability(0.5, 0.1, 1.0) == 0.0
    assert Ch.give_up_probability(0.05, 0.1, 1.0) == pytest.approx(0.25)
    assert B.accept_probability(0.2, 0.6, 0.5, 0.6, 0.8, 0.0, 0.8, 0.1) > 0.99
    assert B.accept_probability(0.95, 0.9, 0.9, 0.1, 0.8, 0.0, 0.8, 0.1) < 0.01
    assert B.ruler_prefers_deal(0.3, 0.3, 1.0, 0.35) and not B.ruler_prefers_deal(0.95, 0.3, 0.0, 0.35)
    assert C.recruit_probability(0.2, 0.5, 0.0, 0.3, 0.2, 24.0, "mid", 4.0) > 0
    assert C.recruit_probability(0.2, 0.5, 0.0, 0.3, 0.2, 24.0, "unit", 4.0) == 0.0
    assert C.recruit_probability(0.2, 0.5, 0.0, 0.3, 0.2, 24.0, "mid", 0.0) == 0.0
    assert C.plotters_move(0.4, 0.45, 0.2, 0.15) and not C.plotters_move(0.5, 0.45, 0.2, 0.15)
    assert not C.plotters_move(0.4, 0.45, 0.1, 0.15)
    assert C.seize_progress(100.0, 50.0, 2.0, 1.0) == pytest.approx(0.25)
    assert C.seize_progress(50.0, 100.0, 2.0, 1.0) == 0.0
    assert R.should_repress(0.02, 0.01) and not R.should_repress(0.0, 0.01)
    assert R.should_pay(0.4, 0.5, 100.0, 10.0) and not R.should_pay(0.4, 0.5, 5.0, 10.0)
    assert R.should_purge(0.6, 0.5) and not R.should_purge(0.4, 0.5)
    assert R.concede_ultimatum_probability(0.0, 0.3) == pytest.approx(0.3)
    assert R.concede_ultimatum_probability(1.0, 0.3) == 0.0
    assert R.should_propagandize(0.6, 0.7, 100.0, 50.0) and not R.should_propagandize(0.6, 0.7, 10.0, 50.0)
    assert R.calls_crowds(True, True) and not R.calls_crowds(True, False) and not R.calls_crowds(False, True)
    assert R.leaves_office(0.1, 0.15, 50.0, 100.0, -1.0, 24.0)
    assert not R.leaves_office(0.1, 0.15, 200.0, 100.0, -1.0, 24.0)  # the seat's men still defend him
    assert not R.leaves_office(0.5, 0.15, 50.0, 100.0, -1.0, 24.0)  # he still expects to prevail
    assert not R.leaves_office(0.5, 0.15, 5.0, 100.0, 23.0, 24.0)  # nobody defends the seat, for 23 h
    assert R.leaves_office(0.5, 0.15, 5.0, 100.0, 24.0, 24.0)  # ... a whole day: he goes
    assert R.seat_abandoned(10.0, 100.0, 0.1) and not R.seat_abandoned(11.0, 100.0, 0.1)
    assert not R.seat_abandoned(0.0, 0.0, 0.1)  # no one against him at all
    opts = [("Big", 9e6, 10.0, 50.0), ("Small", 1e5, 30.0, 0.0), ("Mid", 2e6, 20.0, 5.0)]
    assert R.safe_haven(opts) == "Mid"  # the most populous region where his side is stronger
    assert R.safe_haven([("Big", 9e6, 10.0, 50.0)]) is None
    assert K.rally_step(0.0, 1000.0, 3.0, 3.0) == pytest.approx(1000.0 * (1 - math.exp(-1)))
    assert K.rally_step(1000.0, 0.0, 3.0, 3.0) == pytest.approx(1000.0 * math.exp(-1))
    assert K.fire_probability(0.5, 1000.0, 0.0, 10.0) == 0.0
    assert K.fire_probability(0.5, 1000.0, 10_000.0, 10.0) == pytest.approx(0.25)
    assert K.deaths(1000.0, 1e6, 0.002, 1.0) == pytest.approx(2.0)
    assert K.deaths(1000.0, 10.0, 0.002, 1.0) == pytest.approx(1.0)  # never more than a tenth of the crowd
    assert K.outrage(0.0, 0.05, 50.0) == 0.0
    assert K.outrage(50.0, 0.05, 50.0) == pytest.approx(0.05 * (1 - math.exp(-1)))
    # outrage that travels: the local amount x outrage_reach x nearness (exp(-km/reach_km))
    assert K.spread_outrage(0.05, 0.3, math.exp(-200 / 700)) == pytest.approx(0.015 * math.exp(-200 / 700))
    assert K.spread_outrage(0.05, 0.0, 1.0) == 0.0
    la, lb = lanchester_losses(1000.0, 500.0, 1.0, 1.0, 0.01, 1.0)
    assert la == pytest.approx(5.0) and lb == pytest.approx(10.0)
    # air strikes: each of 24 aircraft flies with chance 2 x 1/24 in an hour; each sortie kills 1.5
    # men and loses its aircraft with chance 0.1 (the draws are the model's: here fixed)
    draws = []
    fake = lambda n, p: (draws.append((n, p)), 4 if len(draws) == 1 else 1)[1]  # noqa: E731
    assert air_strike(24, 2.0, 1.5, 0.1, 1.0, fake) == (4, 6.0, 1)
    assert draws == [(24, pytest.approx(2.0 / 24)), (4, 0.1)]
    assert air_strike(0, 2.0, 1.5, 0.1, 1.0, fake) == (0, 0.0, 0)  # no aircraft left: no sortie
    assert air_strike(24, 2.0, 1.5, 0.0, 1.0, lambda n, p: n if p < 1e-9 else 3) == (3, 4.5, 0)
    assert air_strike(24, 2.0, 1.5, 0.1, 48.0, lambda n, p: n if p == 1.0 else 0)[0] == 24  # at most one a step


# ============================================================================ switching off
SHORT = ("time.horizon_days=6", "events=[{at: 9, type: mobilization, duration_days: 38}]")
MUT_SHORT = ("time.horizon_days=3",)


def _run(path, disable: tuple[str, ...] = (), sets: tuple[str, ...] = (), seed: int = 1) -> RunResult:
    overrides = list(sets) + ([f"rules.disable=[{', '.join(disable)}]"] if disable else [])
    return run(load_scenario(path, overrides), seed=seed)


def _pair(rule: str, path, sets=(), seed=1, also_off=()) -> tuple[RunResult, RunResult]:
    return _run(path, tuple(also_off), tuple(sets), seed), _run(path, (rule, *also_off), tuple(sets), seed)


def _overrides(disable: tuple[str, ...], sets: tuple[str, ...]) -> tuple[str, ...]:
    return (*sets, *([f"rules.disable=[{', '.join(disable)}]"] if disable else []))


def _arms(rule: str, path, sets=(), seed=1, also_off=()) -> tuple[RunResult, RunResult]:
    """:func:`_pair`'s two runs from the cache of tests/seeds.py (for cases that only read them)."""
    return (result(path, seed, _overrides(tuple(also_off), tuple(sets))),
            result(path, seed, _overrides((rule, *also_off), tuple(sets))))


def _marching_seeds(rule: str, sets=MUT_SHORT, also_off=(), n: int = 1, where=None, what: str = "") -> list[int]:
    """The first ``n`` seeds at which the mutiny's column marches both with ``rule`` on and with it
    off (and ``where(on, off)`` holds, if given): what the rule does to a march is then seen in both arms."""
    def ok(seed: int) -> bool:
        on, off = _arms(rule, MUTINY, sets, seed, also_off)
        return marches(on) and marches(off) and (where is None or where(on, off))

    return seeds_where(ok, f"the mutiny marches with {rule} on and off {what}".rstrip(), n)


def _log(r: RunResult, fragment: str) -> bool:
    return r.events["text"].str.contains(fragment, regex=False).any()


def _s_at(r: RunResult, hour: float, col: str = "regime_strength") -> float:
    return float(r.series.loc[r.series["hour"] <= hour, col].iloc[-1])


def _mean(values) -> float:
    return float(np.mean(list(values)))


def _capture(monkeypatch, module, name: str) -> list:
    """Record the arguments every call of ``module.name`` receives."""
    calls: list = []
    orig = getattr(module, name)

    def spy(*a, **k):
        calls.append(a)
        return orig(*a, **k)

    monkeypatch.setattr(module, name, spy)
    return calls


NO_COUNTERWEIGHTS = ("units.rosgvardia_moscow.strength=0", "units.odon_division.strength=0",
                     "units.fso_guard.strength=0")
THREE_WAY = ROOT / "tests" / "data" / "three_way.yaml"
# a tiny world where the capital's crowds face police who fire whenever ordered
FIRING = ("regions.Capital.legitimacy=0.5", "ruler.repress_trigger=0.001", "institutions.police.fire_propensity=1.0",
          "challengers.pmc.enabled=false", "challengers.plotters.enabled=false", "events=[]")


def _model(path, disable=(), sets=(), seed=None):
    from sim.model.model import RegimeModel

    extra = [f"rules.disable=[{', '.join(disable)}]"] if disable else []
    return RegimeModel(load_scenario(path, list(sets) + extra), seed=seed)


def _until_open(m, side: str):
    s = m.sides[m.side_index[side]]
    while m.running and not s.active:
        m.step()
    assert s.active, f"{side} never acted"
    m.tally()
    return s


def check_off(rule: str, monkeypatch) -> None:  # noqa: C901 - a table of cases
    if rule == "public.grievance" or rule == "public.activation":
        on, off = _pair(rule, MOBIL, SHORT)
        assert on.measures["peak_protest_share"] > 0 and off.measures["peak_protest_share"] == 0
    elif rule == "public.arrest_risk":
        on, off = _pair(rule, MOBIL, SHORT)
        assert off.measures["peak_protest_share"] > 2 * on.measures["peak_protest_share"]
    elif rule == "public.social_proof":
        ons = [_run(PROTEST, (), ("time.horizon_days=6",), s).measures["peak_protest__Moscow"] for s in (1, 2, 3)]
        offs = [_run(PROTEST, (rule,), ("time.horizon_days=6",), s).measures["peak_protest__Moscow"]
                for s in (1, 2, 3)]
        assert _mean(ons) > _mean(offs)
    elif rule == "public.police_hesitancy":
        ons = [_run(MOBIL, (), SHORT, s) for s in (1, 2)]
        offs = [_run(MOBIL, (rule,), SHORT, s) for s in (1, 2)]
        on_d = [r.measures["peak_protest__Dagestan"] for r in ons]
        off_d = [r.measures["peak_protest__Dagestan"] for r in offs]
        assert _mean(on_d) > _mean(off_d) or _mean(r.measures["arrests"] for r in ons) < _mean(
            r.measures["arrests"] for r in offs)
    elif rule == "public.exit":
        on, off = _pair(rule, MOBIL, SHORT)
        assert on.measures["emigrants"] > 10_000 and off.measures["emigrants"] == 0
    elif rule == "public.draft":
        on, off = _pair(rule, MOBIL, SHORT)
        d_on = _s_at(on, 1e9, "mobilized__Dagestan") / 3.2e6
        d_off = _s_at(off, 1e9, "mobilized__Dagestan") / 3.2e6
        assert d_on > 1.3 * d_off
    elif rule == "public.mobilization_hardship":
        from sim.public import grid as G

        calls = _capture(monkeypatch, G.RegionGrid, "step")
        _run(MOBIL, (), SHORT)
        assert max(c[2].extra_hardship for c in calls) > 0
        calls.clear()
        _run(MOBIL, (rule,), SHORT)
        assert max(c[2].extra_hardship for c in calls) == 0
    elif rule == "public.people_power":
        # a movement's crowd counts as power behind it in commanders' forecasts only when the rule is on
        from sim.model import actors as A
        from sim.model import stances as St

        for disable, positive in (((), True), ((rule,), False)):
            m = _model(PROTEST, disable)
            movement = m.sides[m.side_index["movement"]]
            A.open_challenge(m, movement, ("Moscow",))
            m.regions["Moscow"].protest_share = 0.0
            m.tally()
            before = St.forecast(m, "Moscow")[0]
            m.regions["Moscow"].protest_share = 0.03
            m.tally()
            assert (m.power_loc["Moscow"][movement.index] > 0) == positive
            assert (St.forecast(m, "Moscow")[0] < before - 0.01) == positive
    elif rule == "legitimacy.contract_break":
        on, off = _pair(rule, MOBIL, SHORT)
        assert _s_at(on, 12, "legitimacy__Dagestan") < _s_at(off, 12, "legitimacy__Dagestan")
    elif rule == "legitimacy.security_contract":
        on, off = _pair(rule, COUP, ("challengers.plotters.enabled=false",))
        assert _s_at(on, 52) < _s_at(off, 52)
    elif rule == "legitimacy.defeat_shock":
        on, off = _pair(rule, MOBIL, ("time.horizon_days=18",))
        assert _s_at(on, 11 * 24) < _s_at(off, 11 * 24) - 0.03
    elif rule == "legitimacy.street_pressure":
        p6 = ("time.horizon_days=6",)
        ons = [_run(PROTEST, ("legitimacy.recovery",), p6, s).measures["final_regime_strength"] for s in (1, 2)]
        offs = [_run(PROTEST, ("legitimacy.recovery", rule), p6, s).measures["final_regime_strength"]
                for s in (1, 2)]
        assert _mean(ons) < _mean(offs)
    elif rule == "legitimacy.challenge_erosion":
        # a seed where the challenge opens (the march, hour 9) in both arms
        on, off = _arms(rule, MUTINY, MUT_SHORT, _marching_seeds(rule)[0])
        assert _s_at(on, 11) < _s_at(off, 11)
    elif rule == "legitimacy.recovery":
        on, off = _pair(rule, MOBIL, ("time.horizon_days=18",))
        assert _s_at(on, 16 * 24) > _s_at(off, 16 * 24)
    elif rule == "legitimacy.raid_shock":
        # the raid on Belgorod (day 3 12:00) rallies opinion: strength and legitimacy elsewhere rise
        on, off = _pair(rule, COUP, ("challengers.plotters.enabled=false",))
        assert _s_at(on, 61) > _s_at(off, 61)
        assert _s_at(on, 61, "legitimacy__Moscow") > _s_at(off, 61, "legitimacy__Moscow")
    elif rule == "legitimacy.raid_erosion":
        # ... and lowers the raided region's baseline, to which its legitimacy returns
        on, off = _pair(rule, COUP, ("challengers.plotters.enabled=false",))
        assert _s_at(on, 1e9, "legitimacy__Belgorod") < _s_at(off, 1e9, "legitimacy__Belgorod")
        assert _s_at(on, 1e9, "legitimacy__Moscow") == pytest.approx(_s_at(off, 1e9, "legitimacy__Moscow"))
    elif rule == "legitimacy.propaganda_effect":
        sets = ("ruler.propaganda_trigger=0.95",)
        on, off = _pair(rule, TINY, sets)
        assert _log(on, "propaganda campaign")
        assert on.series["legitimacy"].max() > off.series["legitimacy"].max()
    elif rule in ("units.local_cascade", "units.expected_winner"):
        # off: every commander forecasts from national totals (or the priors alone): one value everywhere
        from sim.model import stances as St

        on, _ = _arms(rule, MUTINY, MUT_SHORT, _marching_seeds(rule)[0])
        assert len(on.stances) > 0
        for disable, differ in (((), True), ((rule,), False)):
            m = _model(MUTINY, (*disable, "bargain.offer"), ["events=[{at: 1, type: challenge, actor: wagner}]"])
            _until_open(m, "wagner")
            ps = {round(St.forecast(m, r)[0], 6) for r in ("Rostov-on-Don", "Moscow", "Siberia and Far East")}
            assert (len(ps) > 1) == differ, (rule, disable, ps)
    elif rule == "units.wait_and_see":
        # on: once a challenge is open, a unit that has not declared counts at undeclared_weight of its
        # power in the tally; off: at full power. Engaged units count fully either way.
        for disable in ((), (rule,)):
            m = _model(COUP, disable)
            w = m.spec.elites.undeclared_weight
            _until_open(m, "plotters")
            far = next(u for u in m.units if not u.engaged and u.side == 0 and u.strength > 0
                       and m.unit_region(u) != "Moscow")
            where = m.unit_region(far)
            before = m.power_loc[where][0]
            far.engaged = True
            m.tally()
            gained = m.power_loc[where][0] - before
            assert gained == pytest.approx((1 - w) * far.power if not disable else 0.0), (disable, gained)
    elif rule == "units.make_a_fact":
        from sim.model import stances as St

        out = {}
        for disable in ((), (rule,)):
            m = _model(COUP, disable)
            plotters = _until_open(m, "plotters")
            before = St.forecast(m, "Moscow")[0]
            plotters.holds_seat = True
            out[disable] = before - St.forecast(m, "Moscow")[0]
        assert out[()] > 0.05 and out[(rule,)] == 0
    elif rule in ("units.pay_and_immunity", "units.counterweight"):
        # option_utilities(p, attach, cash, fight, tie, fear, immunity, ...): cash is argument 2, tie 4
        from sim.model import stances as St

        idx, where = {"units.pay_and_immunity": (2, TINY), "units.counterweight": (4, COUP)}[rule]

        def biggest(calls) -> float:
            return max(max(c[idx]) if isinstance(c[idx], list | tuple) else c[idx] for c in calls)

        calls = _capture(monkeypatch, St.U, "option_utilities")
        _run(where, (), (), seed=3)
        assert calls and biggest(calls) > 0
        calls.clear()
        _run(where, (rule,), (), seed=3)
        assert calls and biggest(calls) == 0
    elif rule == "units.stance_choice":
        seed = _marching_seeds(rule)[0]
        on, off = _arms(rule, MUTINY, MUT_SHORT, seed)
        assert len(on.stances) > 0 and len(off.stances) == 0
        # off, the ruler's men stay his: the column meets units that still back the ruler
        m = _model(MUTINY, (rule,), MUT_SHORT, seed=seed)
        start = {u.key: u.side for u in m.units}
        _until_open(m, "wagner")
        wagner = m.side_index["wagner"]
        while m.running:
            m.step()
            if not m.sides[wagner].active:  # a challenge that has ended sends its men home
                break
            for u in m.units:
                assert u.side == (wagner if u.plot == wagner else start[u.key]), u.key
    elif rule == "units.loyalty_drift":
        on, off = _pair(rule, MOBIL, SHORT, also_off=("ruler.pay", "ruler.purge"))
        assert on.series["loyalty__army"].std() > 0
        assert off.series["loyalty__army"].max() - off.series["loyalty__army"].min() < 1e-12
        # the measure its direction names: how far loyalty ended from where it began
        assert on.measures["final_loyalty_shift"] > 0.01 and off.measures["final_loyalty_shift"] == 0.0
    elif rule == "units.blame":
        on, off = _pair(rule, MOBIL, ("time.horizon_days=18",), also_off=("ruler.purge",))
        g_on = on.units.set_index("unit").loc["mod_command", "grievance"]
        g_off = off.units.set_index("unit").loc["mod_command", "grievance"]
        assert g_on > g_off + 0.05
    elif rule == "challenger.attrition":
        on, off = _pair(rule, MUTINY, MUT_SHORT)
        s_on = on.units.set_index("unit").loc["wagner_camps", "strength"]
        s_off = off.units.set_index("unit").loc["wagner_camps", "strength"]
        assert s_on < s_off == 10_000
    elif rule == "challenger.ultimatum":
        on, off = _pair(rule, MUTINY, MUT_SHORT)
        assert _log(on, "issues an ultimatum") and not _log(off, "issues an ultimatum")
    elif rule == "challenger.march":
        on = [_run(MUTINY, ("ruler.concede",), MUT_SHORT, s) for s in (1, 2, 3)]
        off = [_run(MUTINY, ("ruler.concede", rule), MUT_SHORT, s) for s in (1, 2, 3)]
        assert any(_log(r, "marches on") for r in on) and not any(_log(r, "marches on") for r in off)
    elif rule == "challenger.give_up":
        # the plotters of the three-way world, with no deal on offer, surrender in some seeds
        ons = [_run(THREE_WAY, ("bargain.offer",), (), s) for s in (1, 2, 3, 4)]
        offs = [_run(THREE_WAY, ("bargain.offer", rule), (), s) for s in (1, 2, 3, 4)]
        # "the emergency committee" is singular in its world file (no `plural: true`)
        assert any(_log(r, "surrenders (he gave himself") for r in ons)
        assert not any(_log(r, "gave himself") or _log(r, "gave themselves") for r in offs)
        assert all(r.measures["status__plotters"] != "gave_up" for r in offs)
    elif rule == "bargain.offer":
        on, off = _arms(rule, MUTINY, MUT_SHORT, _marching_seeds(rule)[0])
        assert _log(on, "an offer to") and not _log(off, "an offer to")
        assert on.outcome == "negotiated_settlement" and off.outcome != "negotiated_settlement"
    elif rule == "bargain.accept":
        # two seeds where the column marches in both arms (offers come once it marches)
        ons, offs = zip(*(_arms(rule, MUTINY, MUT_SHORT, s) for s in _marching_seeds(rule, n=2)), strict=True)
        assert any(_log(r, "accepts the deal") for r in ons)
        assert all(_log(r, "an offer to") for r in offs)  # offers are still made ...
        assert not any(_log(r, "accepts the deal") for r in offs)  # ... and every one is refused
        assert all(r.outcome != "negotiated_settlement" for r in offs)
    elif rule == "coup.recruit":
        # a seed where the plot recruits with the rule on; off, no seed's plot recruits (that one and two more)
        seed = seeds_where(lambda s: _log(_arms(rule, COUP, (), s)[0], "joins the plot"),
                           "a commander joins the coup's plot with coup.recruit on")[0]
        offs = [_arms(rule, COUP, (), s)[1] for s in (seed, seed + 1, seed + 2)]
        assert not any(_log(r, "joins the plot") for r in offs)
    elif rule == "coup.move":
        on, off = _pair(rule, COUP)
        attempt = lambda r: bool((r.events["label"] == "coup attempt").any())  # noqa: E731
        assert attempt(on) and not attempt(off)
    elif rule == "coup.seize_sites":
        # a seed where the plotters take the broadcasters with the rule on; off, they take them at
        # none of that seed and the three after it
        seed = seeds_where(lambda s: _log(_arms(rule, COUP, NO_COUNTERWEIGHTS, s)[0], "take the broadcasters"),
                           "the plotters take the broadcasters with coup.seize_sites on")[0]
        offs = [_arms(rule, COUP, NO_COUNTERWEIGHTS, s)[1] for s in range(seed, seed + 4)]
        assert not any(_log(r, "take the broadcasters") for r in offs)
    elif rule == "crowds.rally":
        sets = ("challengers.pmc.enabled=false", "challengers.plotters.enabled=false",
                "events=[{at: 2, type: rally_call, actor: ruler, regions: [Capital]}]")
        on, off = _pair(rule, TINY, sets)
        assert on.series["rally__Capital"].max() > 1000 and off.series["rally__Capital"].max() == 0
    elif rule in ("crowds.fire", "crowds.lethality"):
        # the first seed where troops open fire on the tiny world's crowds with the rule on
        seed = seeds_where(lambda s: _log(_arms(rule, TINY, FIRING, s)[0], "open fire"),
                           f"troops open fire on the crowds with {rule} on")[0]
        on, off = _arms(rule, TINY, FIRING, seed)
        assert on.measures["crowd_deaths"] > 0 and off.measures["crowd_deaths"] == 0
        assert not _log(off, "open fire")
    elif rule == "crowds.backfire":
        from sim.model.model import RegimeModel

        # the first seed where the crowds are fired on and people die in both arms
        seed = seeds_where(lambda s: all(r.measures["crowd_deaths"] > 0 for r in _arms(rule, TINY, FIRING, s)),
                           "crowds are killed with crowds.backfire on and off")[0]
        out = {}
        for disable in ((), (rule,)):
            m = RegimeModel(load_scenario(TINY, list(FIRING) + ([f"rules.disable=[{rule}]"] if disable else [])),
                            seed=seed)
            m.run()
            out[disable] = (m.crowd_deaths, m.regions["Capital"].baseline, max(m.regions["Capital"].outrage))
        assert out[()][0] > 0 and out[(rule,)][0] > 0  # both arms kill
        assert out[()][1] < 0.5 and out[()][2] > 0  # legitimacy lost for good, outrage gained
        assert out[(rule,)][1] == 0.5 and out[(rule,)][2] == 0
    elif rule == "crowds.outrage_spreads":
        # the mechanism world, seed 1: troops fire on the City's crowds; only with the rule on does
        # the news cost the capital (150 km away, nobody killed there first) its legitimacy
        world = ROOT / "scenarios" / "mechanism_outrage_spreads.yaml"
        on, off = _pair(rule, world)
        first_city = lambda r: r.events[r.events["text"].str.contains("open fire on the crowds in City")]  # noqa: E731
        assert len(first_city(on)) and len(first_city(off))
        assert off.series["legitimacy__Capital"].max() == off.series["legitimacy__Capital"].min() == 0.87
        assert on.series["legitimacy__Capital"].iloc[-1] < 0.87 - 0.01
        assert K.spread_outrage(0.1, 0.6, 1.0) == pytest.approx(0.06)
    elif rule == "ruler.repress":
        on, off = _pair(rule, MOBIL, SHORT)
        assert _log(on, "Vladimir Putin sends") and not _log(off, "Vladimir Putin sends")
    elif rule == "ruler.pay":
        on, off = _pair(rule, TINY, ("ruler.pay_floor=0.8",))
        assert _log(on, "raises pay") and not _log(off, "raises pay")
    elif rule == "ruler.purge":
        sets = ("units.mod_command.grievance=0.45", "time.horizon_days=18")
        on, off = _pair(rule, MOBIL, sets)
        assert _log(on, "blamed for the defeats") and not _log(off, "blamed for the defeats")
    elif rule == "ruler.concede":
        on, off = _pair(rule, MOBIL, SHORT)
        assert _log(on, "halt the call-up") and not _log(off, "halt the call-up")
        # the direction it states: a halted call-up halves the draft's threat in the cities it
        # spares, so with no concession more of their people leave
        assert off.measures["emigrants"] > on.measures["emigrants"]
    elif rule == "ruler.propaganda":
        sets = ("ruler.propaganda_trigger=0.95",)
        on, off = _pair(rule, TINY, sets)
        assert _log(on, "propaganda campaign") and not _log(off, "propaganda campaign")
    elif rule == "ruler.call_crowds":
        sets = ("ruler.rally_reach=0.2", "time.horizon_days=4")
        on, off = _pair(rule, COUP, sets)
        assert _log(on, "calls the people into the streets") and not _log(off, "calls the people")
        assert on.series["rally__Moscow"].max() > 0 and off.series["rally__Moscow"].max() == 0
    elif rule == "ruler.leave_office":
        ons = [_run(PROTEST, (), (), s) for s in (1, 2, 3)]
        offs = [_run(PROTEST, (rule,), (), s) for s in (1, 2, 3)]
        assert any(r.measures["ruler_status"] in ("resigned", "fled") for r in ons)
        assert all(r.measures["ruler_status"] not in ("resigned", "fled") for r in offs)
    elif rule == "ruler.move":
        on, off = _pair(rule, THREE_WAY)
        assert _log(on, "sets out from") and not _log(off, "sets out from")
    elif rule == "combat.lanchester":
        # air strikes off too: with combat.air_strike off the air units fight by Lanchester's law
        sets, also_off = ("time.horizon_days=3", "mediator.enabled=false"), ("challenger.attrition", "combat.air_strike")
        on, off = _arms(rule, MUTINY, sets, _marching_seeds(rule, sets, also_off)[0], also_off)
        assert on.measures["casualties"] > 0 and off.measures["casualties"] == 0
    elif rule == "combat.air_strike":
        # on: the air units strike the column and risk aircraft, not their men on the ground;
        # off: they fight as ground units (Lanchester) and lose men by the hundred, no aircraft
        aviation = ("army_aviation", "lipetsk_airbase")
        # two seeds where the column marches in both arms, in one of them shooting aircraft down
        # (so that the crews' accounting below is seen with losses)
        first = _marching_seeds(rule)[0]
        lossy = _marching_seeds(rule, where=lambda on, off: on.measures["aircraft_lost"] > 0,
                                what="and aircraft are shot down")[0]
        for seed in (first, lossy) if lossy != first else _marching_seeds(rule, n=2):
            on, off = _arms(rule, MUTINY, MUT_SHORT, seed)
            assert _log(on, "strikes Yevgeny Prigozhin's column") and not _log(off, " strikes ")
            assert off.measures["aircraft_lost"] == 0 and off.measures["airmen_killed"] == 0
            ground = lambda r: r.units.set_index("unit").loc[list(aviation), "strength"]  # noqa: E731
            crews, lost = on.measures["airmen_killed"], on.measures["aircraft_lost"]
            assert 2 * lost <= crews <= 3 * lost  # crews of two (jets) and three (helicopters)
            assert ground(on).sum() == pytest.approx(1400 - crews)  # only the crews shot down
            assert ground(off).sum() < 1400 - 100  # the column's Lanchester fire destroys their men
            assert off.measures["casualties"] > on.measures["casualties"]
    else:
        raise AssertionError(f"no switch-off test for {rule}")


@pytest.mark.parametrize("rule", sorted(RULES))
def test_switching_a_rule_off_changes_behaviour(rule: str, monkeypatch) -> None:
    check_off(rule, monkeypatch)


def test_every_rule_has_a_unit_test() -> None:
    """Every registered rule function is called by one of the pure-function tests above."""
    import inspect

    src = inspect.getsource(inspect.getmodule(test_every_rule_has_a_unit_test))
    for r in RULES.values():
        fn = getattr(r.func, "py_func", r.func)
        assert f"{fn.__name__}(" in src, f"{r.id} ({fn.__name__}) has no unit test"


def test_a_purged_commander_leaves_the_plot_his_predecessor_joined() -> None:
    """ruler.purge replaces the man: his successor is loyal, unaggrieved and in no plot (Sudduth
    2017: a purge removes those able to move against the ruler, known plotters or not)."""
    from sim.model import actors as A

    m = _model(ROOT / "scenarios" / "mechanism_purge.yaml")
    u = m.unit_by_key["army_prov"]
    colonels = m.side_index["colonels"]
    u.plot, u.committed = colonels, True  # recruited while the plot is dormant
    A.purge_unit(m, u, "blamed for the defeats")
    assert u.plot is None and not u.committed and u.grievance == 0.0 and u.loyalty == 0.85
    assert m.unit_by_key["armour"].plot == colonels  # the other plotters are not touched


def test_the_ruler_seen_in_command_at_his_haven_unmakes_part_of_the_fact() -> None:
    """ruler.move: away from his seat, the ruler counts as seen in command only at the haven the
    rule takes him to (the most populous region his side holds), and there every commander's
    forecast moves reappearance_cut less toward the side that holds the seat."""
    from sim.model import stances as S

    world = ROOT / "scenarios" / "mechanism_reappearance.yaml"
    m = _model(world)
    _until_open(m, "colonels")
    colonels = m.sides[m.side_index["colonels"]]
    m.ruler.travel, m.ruler.location = None, "Resort"
    assert S.ruler_haven(m) == "Province" and not S.ruler_seen_in_command(m)
    colonels.holds_seat = True
    away = S.forecast(m, "Capital")[1]
    m.ruler.location = "Province"
    assert S.ruler_seen_in_command(m)
    seen = S.forecast(m, "Capital")[1]
    assert seen < away
    cut = _model(world, sets=("elites.reappearance_cut=0",))
    _until_open(cut, "colonels")
    cut.sides[cut.side_index["colonels"]].holds_seat = True
    cut.ruler.travel, cut.ruler.location = None, "Province"
    assert S.forecast(cut, "Capital")[1] == pytest.approx(away)  # nothing unmade at cut 0
    m.ruler.location = m.seat  # at his seat: no reappearance to make
    assert not S.ruler_seen_in_command(m)
