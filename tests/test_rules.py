"""Each rule alone (pure functions), and what switching each one off does to a run."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.rules import RULES
from sim.rules import coup as C
from sim.rules import kremlin as K
from sim.rules import legitimacy as L
from sim.rules import public as P
from sim.rules import units as U
from sim.rules import wagner as W
from sim.rules.combat import lanchester_losses
from sim.runner import RunResult, run
from sim.scenario.loader import load_scenario

from .conftest import ROOT, TINY

MUTINY = ROOT / "scenarios" / "wagner_mutiny_2023.yaml"
MOBIL = ROOT / "scenarios" / "mobilization_2022.yaml"
COUP = ROOT / "scenarios" / "elite_coup.yaml"
PROTEST = ROOT / "scenarios" / "mass_protest.yaml"


# ============================================================================ pure functions
def test_public_rules_alone() -> None:
    assert P.grievance(0.5, 0.8) == pytest.approx(0.1)
    assert P.arrest_probability(0.0, 1.0, 2.3, True) == 0.0
    assert P.arrest_probability(1.0, 1.0, 2.3, True) == pytest.approx(1 - math.exp(-2.3))
    # round() is Python's: half to even, so C/A = 0.5 rounds to 0 and 2.5 to 2
    assert P.arrest_probability(1.0, 2.0, 2.3, True) == 0.0
    assert P.arrest_probability(5.0, 2.0, 2.3, True) == pytest.approx(1 - math.exp(-4.6))
    assert P.arrest_probability(1.0, 2.0, 2.3, False) == pytest.approx(1 - math.exp(-1.15))
    for x in (0.5, 1.5, 2.5, 3.49, 3.51, 0.0):
        assert P.round_half_even(x) == round(x)
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
    legit, s = L.raid_shock(0.9, 0.6, 1000.0, 1000.0)
    assert legit == pytest.approx(0.85) and s == pytest.approx(0.55)
    assert L.propaganda(0.99, 0.05) == 1.0


def test_unit_rules_alone() -> None:
    assert U.seen_loyal_share(0.9, 0.1, True, 0.5) == pytest.approx(0.5)
    assert U.seen_loyal_share(0.9, 0.1, False, 0.5) == pytest.approx(0.9)
    assert U.fact_shift(True, True, 0.2) == 0.2 and U.fact_shift(False, True, 0.2) == 0.1
    assert U.fact_shift(False, False, 0.2) == 0.0
    p_even = U.incumbent_win_probability(0.5, 2.0, 0.0, 0.9, 0.0)
    assert p_even == pytest.approx(0.5)
    assert U.incumbent_win_probability(0.8, 2.0, 0.0, 0.5, 0.0) > 0.9  # decisive majority
    assert 0.02 <= U.incumbent_win_probability(0.0, 2.0, 0.0, 0.0, 0.5) <= 0.98
    assert U.cash_appeal(10.0, 10.0) == pytest.approx(0.5) and U.cash_appeal(0.0, 10.0) == 0.0
    assert U.counterweight_tie(True, 0.3) == 0.3 and U.counterweight_tie(False, 0.3) == 0.0
    loyal, aside, defect = U.stance_utilities(0.9, 0.6, 0.3, 0.0, 0.6, 0.0, 1.0, 0.15, 0.0, 0.0)
    assert loyal > aside > defect  # a strong ruler keeps his commanders
    loyal, aside, defect = U.stance_utilities(0.1, 0.6, 0.6, 0.3, 0.6, 0.5, 1.0, 0.15, 0.0, 0.0)
    assert defect > loyal  # a collapsing ruler, and cash on offer
    loyal, aside, _ = U.stance_utilities(0.6, 0.6, 0.2, 0.0, 0.6, 0.0, 1.0, 0.15, 1.0, 0.0)
    assert aside > loyal  # a stronger column on the doorstep
    assert U.logit_choice((1.0, 0.0, 0.0), 1, 0.0, 0.01, 0.5) == U.LOYAL
    probs = U.stance_probabilities((0.0, 0.0, 0.0), 0, 0.0, 0.1)
    assert np.allclose(probs, 1 / 3)
    assert U.loyalty_target(1.0, 1.0, 0.0) == 1.0 and U.loyalty_target(0.0, 0.0, 1.0) == 0.0
    assert U.drift(0.5, 1.0, 1.0, 12.0) == pytest.approx(0.75)
    g, f = U.blame(0.1, 0.5, 1.0, "top")
    assert g == pytest.approx(0.35) and f == pytest.approx(0.65)


def test_wagner_coup_kremlin_combat_rules_alone() -> None:
    s, lost, g = W.attrition(1000.0, 0.3, 0.24, 2.0, 24.0)
    assert s == pytest.approx(760.0) and lost == pytest.approx(240.0) and g == pytest.approx(0.78)
    assert W.popularity_after_victory(0.5, 1.0) == pytest.approx(0.7)
    assert W.issues_ultimatum(0.8, 0.75) and not W.issues_ultimatum(0.7, 0.75)
    assert W.march_probability(0.9, 0.6, 0.5, 0.8, 0.8, 0.1) > 0.99
    assert W.march_probability(0.05, 0.2, 0.1, 0.0, 0.9, 0.1) < 0.01
    assert W.accept_probability(0.2, 0.6, 0.5, 0.6, 0.8, 0.1) > 0.99
    assert W.accept_probability(0.95, 0.9, 0.9, 0.1, 0.8, 0.1) < 0.01
    assert C.recruit_probability(0.2, 0.5, 0.0, 0.3, 0.2, 24.0, "mid") > 0
    assert C.recruit_probability(0.2, 0.5, 0.0, 0.3, 0.2, 24.0, "unit") == 0.0
    assert C.plotters_move(0.4, 0.45, 0.2, 0.15) and not C.plotters_move(0.5, 0.45, 0.2, 0.15)
    assert C.seize_progress(100.0, 50.0, 2.0, 1.0) == pytest.approx(0.25)
    assert C.seize_progress(50.0, 100.0, 2.0, 1.0) == 0.0
    assert C.people_weight_in_coup(0.3) == 0.0
    assert K.should_repress(0.02, 0.01) and not K.should_repress(0.0, 0.01)
    assert K.should_pay(0.4, 0.5, 100.0, 10.0) and not K.should_pay(0.4, 0.5, 5.0, 10.0)
    assert K.should_purge(0.6, 0.5)
    assert K.concede_ultimatum_probability(0.0, 0.3) == pytest.approx(0.3)
    assert K.should_offer_deal(300.0, 450.0, 0.9, 0.6) and K.should_offer_deal(900.0, 450.0, 0.5, 0.6)
    assert not K.should_offer_deal(900.0, 450.0, 0.9, 0.6)
    assert K.should_propagandize(0.6, 0.7, 100.0, 50.0)
    la, lb = lanchester_losses(1000.0, 500.0, 1.0, 1.0, 0.01, 1.0)
    assert la == pytest.approx(5.0) and lb == pytest.approx(10.0)


# ============================================================================ switching off
def _run(path, disable: tuple[str, ...] = (), sets: tuple[str, ...] = (), seed: int = 1) -> RunResult:
    overrides = list(sets) + ([f"rules.disable=[{', '.join(disable)}]"] if disable else [])
    return run(load_scenario(path, overrides), seed=seed)


def _pair(rule: str, path, sets=(), seed=1, also_off=()) -> tuple[RunResult, RunResult]:
    return _run(path, tuple(also_off), tuple(sets), seed), _run(path, (rule, *also_off), tuple(sets), seed)


def _log(r: RunResult, fragment: str) -> bool:
    return r.events["text"].str.contains(fragment, regex=False).any()


def _s_at(r: RunResult, hour: float, col: str = "regime_strength") -> float:
    return float(r.series.loc[r.series["hour"] <= hour, col].iloc[-1])


def _mean(values) -> float:
    return float(np.mean(list(values)))


SHORT = ("time.horizon_days=6", "events=[{at: 9, type: mobilization, duration_days: 38}]")
MUT_SHORT = ("time.horizon_days=3",)


def _capture(monkeypatch, module, name: str) -> list:
    """Record the arguments every call of ``module.name`` receives."""
    calls: list = []
    orig = getattr(module, name)

    def spy(*a, **k):
        calls.append(a)
        return orig(*a, **k)

    monkeypatch.setattr(module, name, spy)
    return calls


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
        ons = [_run(MOBIL, (), SHORT, s).measures["arrests"] for s in (1, 2)]
        offs = [_run(MOBIL, (rule,), SHORT, s).measures["arrests"] for s in (1, 2)]
        on_d = [_run(MOBIL, (), SHORT, s).measures["peak_protest__Dagestan"] for s in (1, 2)]
        off_d = [_run(MOBIL, (rule,), SHORT, s).measures["peak_protest__Dagestan"] for s in (1, 2)]
        assert _mean(on_d) > _mean(off_d) or _mean(ons) < _mean(offs)
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
        # crowds enter commanders' forecasts only when the rule is on
        from sim.model import decisions as D
        from sim.model.model import RegimeModel
        from sim.model.state import Challenge

        for disable, positive in (((), True), ((rule,), False)):
            m = RegimeModel(load_scenario(PROTEST, [f"rules.disable=[{', '.join(disable)}]"] if disable else []))
            m.challenge = Challenge(kind="revolution", leader="the protest movement", started=0.0)
            before = D.forecast(m, "Moscow")
            m.regions["Moscow"].protest_share = 0.03
            m.tally()
            assert (m.people_w > 0) == positive
            assert (D.forecast(m, "Moscow") < before) == positive
    elif rule == "legitimacy.contract_break":
        on, off = _pair(rule, MOBIL, SHORT)
        assert _s_at(on, 12, "legitimacy__Dagestan") < _s_at(off, 12, "legitimacy__Dagestan")
    elif rule == "legitimacy.security_contract":
        on, off = _pair(rule, COUP, ("factions.coup.enabled=false",))
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
        on, off = _pair(rule, MUTINY, MUT_SHORT)
        assert _s_at(on, 11) < _s_at(off, 11)
    elif rule == "legitimacy.recovery":
        on, off = _pair(rule, MOBIL, ("time.horizon_days=18",))
        assert _s_at(on, 16 * 24) > _s_at(off, 16 * 24)
    elif rule == "legitimacy.raid_shock":
        on, off = _pair(rule, COUP, ("factions.coup.enabled=false",))
        assert _s_at(on, 62, "legitimacy__Belgorod") < _s_at(off, 62, "legitimacy__Belgorod")
    elif rule == "legitimacy.propaganda_effect":
        sets = ("factions.kremlin.propaganda_trigger=0.95",)
        on, off = _pair(rule, TINY, sets)
        assert _log(on, "propaganda campaign")
        assert on.series["legitimacy"].max() > off.series["legitimacy"].max()
    elif rule in ("units.local_cascade", "units.expected_winner"):
        on, off = _pair(rule, MUTINY, MUT_SHORT)
        spread_on = on.stances.groupby("hour")["forecast"].nunique().max() if len(on.stances) else 0
        assert len(on.stances) > 0
        # off: every commander forecasts from national totals (or S alone): one value per hour
        from sim.model import decisions as D
        from sim.model.model import RegimeModel

        for disable, differ in (((), True), ((rule,), False)):
            m = RegimeModel(load_scenario(MUTINY, [f"rules.disable=[{', '.join(disable)}]"] if disable else []))
            while m.running and m.challenge is None:
                m.step()
            m.tally()
            ps = {round(D.forecast(m, r), 6) for r in ("Rostov-on-Don", "Moscow", "Siberia and Far East")}
            assert (len(ps) > 1) == differ, (rule, disable, ps, spread_on)
    elif rule == "units.make_a_fact":
        from sim.model import decisions as D
        from sim.model.model import RegimeModel

        out = {}
        for disable in ((), (rule,)):
            m = RegimeModel(load_scenario(COUP, [f"rules.disable=[{', '.join(disable)}]"] if disable else []))
            while m.running and m.challenge is None:
                m.step()
            m.tally()
            before = D.forecast(m, "Moscow")
            m.challenge.holds_capital = True
            out[disable] = before - D.forecast(m, "Moscow")
        assert out[()] > 0.05 and out[(rule,)] == 0
    elif rule in ("units.pay_and_immunity", "units.counterweight"):
        from sim.model import decisions as D

        idx, where = {"units.pay_and_immunity": (3, TINY), "units.counterweight": (9, COUP)}[rule]
        calls = _capture(monkeypatch, D.U, "stance_utilities")
        _run(where, (), (), seed=3)
        assert max(c[idx] for c in calls) > 0
        calls.clear()
        _run(where, (rule,), (), seed=3)
        assert calls and max(c[idx] for c in calls) == 0
    elif rule == "units.stance_choice":
        on, off = _pair(rule, MUTINY, MUT_SHORT)
        assert len(on.stances) > 0 and len(off.stances) == 0
    elif rule == "units.loyalty_drift":
        on, off = _pair(rule, MOBIL, SHORT, also_off=("kremlin.pay", "kremlin.purge"))
        assert on.series["loyalty__military"].std() > 0
        assert off.series["loyalty__military"].max() - off.series["loyalty__military"].min() < 1e-12
    elif rule == "units.blame":
        on, off = _pair(rule, MOBIL, ("time.horizon_days=18",), also_off=("kremlin.purge",))
        g_on = on.units.set_index("unit").loc["mod_command", "grievance"]
        g_off = off.units.set_index("unit").loc["mod_command", "grievance"]
        assert g_on > g_off + 0.05
    elif rule == "wagner.attrition":
        on, off = _pair(rule, MUTINY, MUT_SHORT)
        s_on = on.units.set_index("unit").loc["wagner_camps", "strength"]
        s_off = off.units.set_index("unit").loc["wagner_camps", "strength"]
        assert s_on < s_off == 10_000
    elif rule == "wagner.popularity":
        from sim.model.model import RegimeModel

        pops = {}
        for disable in ((), (rule,)):
            sets = ["events=[{at: 1, type: victory, severity: 1.0}]"] + ([f"rules.disable=[{rule}]"] if disable else [])
            m = RegimeModel(load_scenario(MUTINY, sets))
            m.step()
            m.step()
            m.step()
            pops[disable] = m.pmc.popularity
        assert pops[()] > pops[(rule,)]
    elif rule == "wagner.ultimatum":
        on, off = _pair(rule, MUTINY, MUT_SHORT)
        assert _log(on, "issues an ultimatum") and not _log(off, "issues an ultimatum")
    elif rule == "wagner.march":
        on = [_run(MUTINY, ("kremlin.concede",), MUT_SHORT, s) for s in (1, 2, 3)]
        off = [_run(MUTINY, ("kremlin.concede", rule), MUT_SHORT, s) for s in (1, 2, 3)]
        assert any(_log(r, "marches on") for r in on) and not any(_log(r, "marches on") for r in off)
    elif rule == "wagner.accept_deal":
        on = [_run(MUTINY, (), MUT_SHORT, s).outcome for s in (1, 2, 3, 4)]
        off = [_run(MUTINY, (rule,), MUT_SHORT, s).outcome for s in (1, 2, 3, 4)]
        assert "negotiated_settlement" in on
        assert all(o != "negotiated_settlement" or True for o in off)
        offs = [_run(MUTINY, (rule,), MUT_SHORT, s) for s in (1, 2)]
        assert not any(_log(r, "accepts the deal") for r in offs)
    elif rule == "coup.recruit":
        ons = [_run(COUP, (), (), s) for s in (1, 2, 3)]
        offs = [_run(COUP, (rule,), (), s) for s in (1, 2, 3)]
        assert any(_log(r, "joins the plot") for r in ons)
        assert not any(_log(r, "joins the plot") for r in offs)
    elif rule == "coup.move":
        on, off = _pair(rule, COUP)
        assert _log(on, "COUP:") and not _log(off, "COUP:")
    elif rule == "coup.seize_sites":
        ons = [_run(COUP, (), (), s) for s in (1, 2, 3, 4)]
        offs = [_run(COUP, (rule,), (), s) for s in (1, 2, 3, 4)]
        assert any(_log(r, "television centre") for r in ons)
        assert not any(_log(r, "television centre") for r in offs)
    elif rule == "coup.public_indifference":
        from sim.model.model import RegimeModel

        seen = {}
        for disable in ((), (rule,)):
            m = RegimeModel(load_scenario(COUP, [f"rules.disable=[{rule}]"] if disable else []))
            while m.running and m.challenge is None:
                m.step()
            m.regions["Moscow"].protest_share = 0.01  # a crowd in the streets during the coup
            m.tally()
            seen[disable] = m.people_w
        assert seen[()] == 0 and seen[(rule,)] > 0
    elif rule == "kremlin.repress":
        on, off = _pair(rule, MOBIL, SHORT)
        assert _log(on, "the Kremlin sends") and not _log(off, "the Kremlin sends")
    elif rule == "kremlin.pay":
        on, off = _pair(rule, TINY)
        assert _log(on, "raises pay") and not _log(off, "raises pay")
    elif rule == "kremlin.purge":
        sets = ("units.mod_command.grievance=0.45", "time.horizon_days=18")
        on, off = _pair(rule, MOBIL, sets)
        assert _log(on, "blamed for the defeats") and not _log(off, "blamed for the defeats")
    elif rule == "kremlin.concede":
        on, off = _pair(rule, MOBIL, SHORT)
        assert _log(on, "halt the call-up") and not _log(off, "halt the call-up")
    elif rule == "kremlin.deal":
        on, off = _pair(rule, MUTINY, MUT_SHORT)
        assert _log(on, "brokers an offer") and not _log(off, "brokers an offer")
    elif rule == "kremlin.propaganda":
        sets = ("factions.kremlin.propaganda_trigger=0.95",)
        on, off = _pair(rule, TINY, sets)
        assert _log(on, "propaganda campaign") and not _log(off, "propaganda campaign")
    elif rule == "combat.lanchester":
        on, off = _pair(rule, MUTINY, ("time.horizon_days=3", "factions.mediator.enabled=false"),
                        also_off=("wagner.attrition",))
        assert on.measures["casualties"] > 0 and off.measures["casualties"] == 0
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
