"""The stance choice through the model (sim/model/stances.py), by value.

`test_engine.py` checks the rule functions of sim/rules/units.py; these check what the model
hands them: the forecast's shares, priors and facts, the fight costs where a commander stands,
each option's attachment, cash, immunity, tie and exposure, the option he holds now and his
switch cost, who reconsiders in an hour, and how the moves are recorded and told. Each value
is worked out by hand from the formulas, on the three-region test world with the powers set
by hand, so a swapped operator or a lost term changes a number.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model import stances as St
from sim.model.agents import NOBODY
from sim.model.model import RegimeModel
from sim.rules import units as U
from sim.scenario.loader import load_scenario

from .conftest import TINY

RULER, MOVEMENT, PLOTTERS, PMC = 0, 1, 2, 3  # the test world's sides, by index


def _world(*sets: str, seed: int = 1) -> RegimeModel:
    return RegimeModel(load_scenario(TINY, ["events=[]", *sets]), seed=seed)


def _open(m: RegimeModel, *sides: int) -> list:
    """Make these challengers active (and no other); return the active sides, the ruler first."""
    for s in m.sides[1:]:
        s.status = "active" if s.index in sides else "dormant"
    return m.active_sides()


def _powers(m: RegimeModel, national: dict[int, float], local: dict[str, dict[int, float]] | None = None) -> None:
    """Set the power seen behind each side, nationally and by region (the rest 0)."""
    n = len(m.sides)
    m.power_w = [national.get(i, 0.0) for i in range(n)]
    m.power_loc = {r: [(local or {}).get(r, {}).get(i, 0.0) for i in range(n)] for r in m.regions}
    m.forecasts.clear()  # the cache is keyed by the tally, which this does not move


class Spy:
    """Stand-in for a rule function of sim/rules/units.py: records its arguments, returns ``value``
    (or calls the real function)."""

    def __init__(self, real, value=None) -> None:
        self.real, self.value, self.calls = real, value, []

    def __call__(self, *args):
        self.calls.append(args)
        return self.real(*args) if self.value is None else self.value


# ============================================================================ the forecast
def test_the_forecast_blends_national_and_local_shares_with_the_priors_and_the_facts() -> None:
    m = _world("elites.decisiveness=1", "elites.prior_weight=0.4", "elites.local_weight=0.5", "elites.fact_bonus=0.2")
    m.ruler.strength = 0.6
    sides = _open(m, PLOTTERS, PMC)
    m.sides[PMC].holds_seat = True  # a fact: 0.2
    m.sides[PLOTTERS].broadcasts = True  # half a fact: 0.1
    m.ruler.holds_seat = True  # the ruler makes no fact by holding his own seat
    _powers(m, {RULER: 6.0, PLOTTERS: 1.0, PMC: 3.0}, {"Capital": {RULER: 2.0, PLOTTERS: 2.0}})
    # national shares [0.6, 0.1, 0.3] (ruler, plotters, pmc); in the capital [0.5, 0.5, 0]; blended
    # half and half: [0.55, 0.3, 0.15]. Priors: the ruler 0.6, the two challengers 0.2 each.
    # raw = 0.6 x blended + 0.4 x priors = [0.57, 0.26, 0.17]; facts [0, 0.1, 0.2] (0.3 in all):
    # raw x 0.7 + facts = [0.399, 0.282, 0.319]
    assert St.forecast(m, "Capital", sides) == pytest.approx([0.399, 0.282, 0.319], abs=1e-12)
    # where nobody stands (the border) and nationally: the national shares alone
    # raw = 0.6 x [0.6, 0.1, 0.3] + 0.4 x [0.6, 0.2, 0.2] = [0.6, 0.14, 0.26] -> [0.42, 0.198, 0.382]
    assert St.forecast(m, "Border", sides) == pytest.approx([0.42, 0.198, 0.382], abs=1e-12)
    assert St.forecast(m, None, sides) == pytest.approx([0.42, 0.198, 0.382], abs=1e-12)
    assert St.ruler_forecast(m, None) == pytest.approx(0.42, abs=1e-12)
    # one challenger: it has the whole rest of the prior, 0.4; shares [2/3, 1/3] nationally
    two = [m.ruler, m.sides[PMC]]
    raw = [0.6 * 6 / 9 + 0.4 * 0.6, 0.6 * 3 / 9 + 0.4 * 0.4]
    assert St.forecast(m, None, two) == pytest.approx([raw[0] * 0.8, raw[1] * 0.8 + 0.2], abs=1e-12)


@pytest.mark.parametrize("rule, expected", [
    ("units.local_cascade", [0.42, 0.198, 0.382]),  # the capital's picture ignored: the national one
    ("units.make_a_fact", [0.57, 0.26, 0.17]),  # no facts
    ("units.expected_winner", [0.42, 0.24, 0.34]),  # the priors alone, moved by the facts
])
def test_each_forecast_rule_switched_off_drops_its_term(rule: str, expected: list[float]) -> None:
    m = _world("elites.decisiveness=1", "elites.prior_weight=0.4", "elites.local_weight=0.5", "elites.fact_bonus=0.2",
               f"rules.disable=[{rule}]")
    m.ruler.strength = 0.6
    sides = _open(m, PLOTTERS, PMC)
    m.sides[PMC].holds_seat = True
    m.sides[PLOTTERS].broadcasts = True
    _powers(m, {RULER: 6.0, PLOTTERS: 1.0, PMC: 3.0}, {"Capital": {RULER: 2.0, PLOTTERS: 2.0}})
    assert St.forecast(m, "Capital", sides) == pytest.approx(expected, abs=1e-12)


def test_a_forecast_is_made_anew_after_a_new_tally_and_kept_until_then() -> None:
    m = _world("elites.decisiveness=1", "elites.prior_weight=0", "elites.fact_bonus=0")
    sides = _open(m, PMC)
    _powers(m, {RULER: 3.0, PMC: 1.0})
    assert St.forecast(m, None, sides) == pytest.approx([0.75, 0.25])
    m.power_w[PMC] = 3.0  # the same tally: the commander still sees the forecast he made
    assert St.forecast(m, None, sides) == pytest.approx([0.75, 0.25])
    m.tallies += 1  # a new tally: a new forecast
    assert St.forecast(m, None, sides) == pytest.approx([0.5, 0.5])
    m.sides[PMC].holds_seat = True  # holding the seat is part of the picture, within a tally too
    m.power_w[PMC] = 1.0
    assert St.forecast(m, None, sides) == pytest.approx([0.75, 0.25])
    m.ruler.strength = 0.9  # so is the ruler's perceived strength (it moves the priors)
    m.spec.elites.prior_weight = 1.0
    assert St.forecast(m, None, sides) == pytest.approx([0.9, 0.1])


def test_a_new_tally_drops_the_forecasts_made_from_the_older_ones() -> None:
    """The cache holds the current tally's forecasts only: a forecast of an older tally is never
    read again (a run tallies after every change of side: 59 times in the mutiny's 25 hours)."""
    m = _world("elites.decisiveness=1", "elites.prior_weight=0", "elites.fact_bonus=0")
    sides = _open(m, PMC)
    _powers(m, {RULER: 3.0, PMC: 1.0}, {"Capital": {RULER: 1.0, PMC: 1.0}})
    St.forecast(m, None, sides)
    St.forecast(m, "Capital", sides)
    kept = [k for k in m.forecasts if k != "key"]
    assert len(kept) == 2 and {k[0] for k in kept} == {m.tallies}
    m.tallies += 1
    assert St.forecast(m, "Capital", sides) == pytest.approx([0.5 * 0.75 + 0.5 * 0.5, 0.5 * 0.25 + 0.5 * 0.5])
    kept = [k for k in m.forecasts if k != "key"]
    assert len(kept) == 1 and kept[0][:2] == (m.tallies, "Capital")


@settings(max_examples=60, deadline=None)
@given(power=st.lists(st.floats(0.0, 10.0), min_size=3, max_size=3), local=st.lists(st.floats(0.0, 10.0), min_size=3,
       max_size=3), strength=st.floats(0.05, 0.95), w=st.floats(0.0, 1.0), lw=st.floats(0.0, 1.0),
       seat=st.booleans())
def test_the_forecast_is_the_rule_of_what_the_commander_sees(power, local, strength, w, lw, seat) -> None:
    m = _FORECAST_WORLD
    m.ruler.strength = strength
    m.spec.elites.prior_weight, m.spec.elites.local_weight = w, lw
    sides = _open(m, MOVEMENT, PMC)
    m.sides[PMC].holds_seat = seat
    _powers(m, dict(zip((RULER, MOVEMENT, PMC), power, strict=True)),
            {"Province": dict(zip((RULER, MOVEMENT, PMC), local, strict=True))})
    national = U.seen_shares(power, [], 0.0)
    shares = U.seen_shares(power, local, lw)
    priors = [strength, (1 - strength) / 2, (1 - strength) / 2]
    facts = [0.0, 0.0, 0.25 if seat else 0.0]
    d = m.spec.elites.decisiveness
    assert St.forecast(m, "Province", sides) == pytest.approx(U.win_probabilities(shares, d, w, priors, facts))
    assert St.forecast(m, None, sides) == pytest.approx(U.win_probabilities(national, d, w, priors, facts))
    # more power behind the pmc in the province never lowers its forecast there
    more = [local[0], local[1], local[2] + 1.0]
    _powers(m, dict(zip((RULER, MOVEMENT, PMC), power, strict=True)),
            {"Province": dict(zip((RULER, MOVEMENT, PMC), more, strict=True))})
    assert St.forecast(m, "Province", sides)[2] >= U.win_probabilities(shares, d, w, priors, facts)[2] - 1e-12


_FORECAST_WORLD = _world()


# ============================================================================ the cost of fighting
def test_the_fight_cost_is_the_enemys_share_of_the_power_where_he_stands() -> None:
    m = _world("elites.fight_cost=0.5")
    sides = _open(m, PLOTTERS, PMC)
    _powers(m, {}, {"Capital": {RULER: 3.0, PLOTTERS: 1.0}, "Province": {PMC: 2.0}})
    # in the capital (4 in all): the ruler's men face 1 (0.5 x 1/4), the plotters' 3 (0.5 x 3/4),
    # the pmc's, who have nobody there, all 4 (0.5 x 4/4)
    assert St._fight_costs(m, sides, "Capital") == pytest.approx([0.125, 0.375, 0.5], abs=1e-12)
    # in the province only the pmc stands: backing it costs nothing there, backing the others all
    assert St._fight_costs(m, sides, "Province") == pytest.approx([0.5, 0.5, 0.0], abs=1e-12)
    assert St._fight_costs(m, sides, "Border") == [0.0, 0.0, 0.0]  # nobody: no fight


# ============================================================================ what the model hands the rule
def _utilities(m: RegimeModel, u, sides, monkeypatch) -> dict:
    spy = Spy(U.option_utilities)
    monkeypatch.setattr(U, "option_utilities", spy)
    out = St.utilities(m, u, sides)
    monkeypatch.undo()
    (p, attach, cash, fight, tie, fear, immunity, punishment, cp, aside, exposure, own), = spy.calls
    assert out == U.option_utilities(*spy.calls[0])
    return dict(p=p, attach=attach, cash=cash, fight=fight, tie=tie, fear=fear, immunity=immunity, exposure=exposure,
                own=own, punishment=punishment, cp=cp, aside=aside)


def test_an_unattached_commander_values_the_ruler_by_loyalty_and_pay_and_a_challenger_by_offer_and_grievance(
        monkeypatch) -> None:
    m = _world("sponsor.cash_kusd_per_man=30", "sponsor.immunity=0.6", "elites.cash_half_kusd=10",
               "elites.cash_weight=0.4", "elites.own_side_weight=0.5", "elites.fight_cost=0.5",
               "challengers.pmc.offer=0.3", "challengers.plotters.offer=0.2")
    sides = _open(m, PLOTTERS, PMC)
    _powers(m, {RULER: 3.0, PLOTTERS: 1.0, PMC: 1.0}, {"Capital": {RULER: 3.0, PLOTTERS: 1.0}})
    guard = m.unit_by_key["guard"]  # the counterweight: tied to the ruler (ties 0.4); in the capital
    guard.loyalty, guard.pay, guard.grievance, guard.fear = 0.8, 0.6, 0.25, 0.7
    v = _utilities(m, guard, sides, monkeypatch)
    assert v["attach"] == pytest.approx([0.5 * (0.8 + 0.6), 0.2 + 0.25, 0.3 + 0.25])
    # a sponsor's cash, 0.4 x 30 / (30 + 10) = 0.3, and immunity for every challenger, not the ruler
    assert v["cash"] == pytest.approx([0.0, 0.3, 0.3]) and v["immunity"] == [0.0, 0.6, 0.6]
    assert v["fight"] == pytest.approx([0.5 * 1 / 4, 0.5 * 3 / 4, 0.5])
    assert (v["tie"], v["fear"], v["exposure"], v["own"]) == (0.4, 0.7, 0.0, 0)
    assert v["p"] == St.forecast(m, "Capital", sides) and guard.last_p == v["p"][0]
    el = m.spec.elites
    assert (v["punishment"], v["cp"], v["aside"]) == (el.punishment, el.challenger_punishment, el.aside_penalty)


def test_a_sponsor_backing_one_challenger_pays_only_its_recruits(monkeypatch) -> None:
    m = _world("sponsor.cash_kusd_per_man=10", "sponsor.immunity=0.5", "sponsor.backs=pmc", "elites.cash_half_kusd=10",
               "elites.cash_weight=0.4")
    sides = _open(m, PLOTTERS, PMC)
    _powers(m, {RULER: 1.0, PLOTTERS: 1.0, PMC: 1.0})
    v = _utilities(m, m.unit_by_key["hq"], sides, monkeypatch)
    assert v["cash"] == pytest.approx([0.0, 0.0, 0.2]) and v["immunity"] == [0.0, 0.0, 0.5]
    off = _world("sponsor.cash_kusd_per_man=10", "rules.disable=[units.pay_and_immunity]")
    sides = _open(off, PLOTTERS, PMC)
    _powers(off, {RULER: 1.0, PLOTTERS: 1.0, PMC: 1.0})
    v = _utilities(off, off.unit_by_key["hq"], sides, monkeypatch)
    assert v["cash"] == [0.0, 0.0, 0.0] and v["immunity"] == [0.0, 0.0, 0.0]
    assert _utilities(off, off.unit_by_key["guard"], sides, monkeypatch)["tie"] == 0.4
    untied = _world("rules.disable=[units.counterweight]")
    sides = _open(untied, PMC)
    _powers(untied, {RULER: 1.0, PMC: 1.0})
    assert _utilities(untied, untied.unit_by_key["guard"], sides, monkeypatch)["tie"] == 0.0
    none = _world("sponsor.enabled=false")
    sides = _open(none, PMC)
    _powers(none, {RULER: 1.0, PMC: 1.0})
    assert _utilities(none, none.unit_by_key["hq"], sides, monkeypatch)["cash"] == [0.0, 0.0]


def test_a_committed_plotter_is_offered_amnesty_is_in_his_sides_fight_and_is_exposed(monkeypatch) -> None:
    m = _world("elites.amnesty_base=0.1", "elites.amnesty_per_disloyalty=0.3", "elites.own_side_weight=0.5",
               "elites.plot_exposure=0.4", "elites.fight_cost=1", "sponsor.cash_kusd_per_man=10",
               "elites.cash_half_kusd=10", "elites.cash_weight=0.4", "challengers.pmc.offer=0.3")
    sides = _open(m, PLOTTERS, PMC)
    _powers(m, {RULER: 2.0, PLOTTERS: 1.0, PMC: 1.0}, {"Capital": {RULER: 3.0, PLOTTERS: 1.0}})
    a = m.unit_by_key["army_a"]  # in the colonels' plot, committed, in the capital
    a.loyalty, a.pay, a.grievance = 0.4, 0.3, 0.2
    v = _utilities(m, a, sides, monkeypatch)
    assert v["own"] == 1
    # the ruler: amnesty 0.1 + 0.3 x (1 - 0.4); his plot: 0.5 x (0.4 + 0.3); the pmc: its offer + grievance
    assert v["attach"] == pytest.approx([0.1 + 0.3 * 0.6, 0.5 * 0.7, 0.3 + 0.2])
    assert v["cash"] == pytest.approx([0.0, 0.0, 0.2])  # no cash to join the plot he is in already
    assert v["fight"] == pytest.approx([0.25, 0.0, 1.0])  # in his side's fight wherever he stands
    assert v["exposure"] == 0.4
    a.acted = True
    assert _utilities(m, a, sides, monkeypatch)["exposure"] == 1.0
    # not committed: an ordinary commander (his plot's side valued by loyalty and pay, no exposure)
    a.committed, a.acted = False, False
    v = _utilities(m, a, sides, monkeypatch)
    assert v["attach"] == pytest.approx([0.5 * 0.7, 0.5 * 0.7, 0.5]) and v["exposure"] == 0.0
    assert v["fight"] == pytest.approx([0.25, 0.75, 1.0]) and v["own"] == 1
    # his plot not under way: the plot counts for nothing, he is an ordinary commander of the ruler
    a.committed = True
    sides = _open(m, PMC)
    v = _utilities(m, a, sides, monkeypatch)
    assert (v["own"], v["exposure"]) == (0, 0.0) and v["attach"] == pytest.approx([0.35, 0.5])


unit_level = st.floats(0.0, 1.0)


@settings(max_examples=60, deadline=None)
@given(loyalty=unit_level, pay=unit_level, grievance=unit_level, fear=unit_level, ties=unit_level, offer=unit_level,
       bump=st.floats(0.01, 0.5))
def test_each_term_moves_the_model_choice_its_stated_way_by_its_weight(loyalty, pay, grievance, fear, ties, offer,
                                                                        bump) -> None:
    """Through stances.utilities: loyalty and pay raise backing the ruler by p_ruler x own_side_weight
    each; grievance and a challenger's offer raise backing it by p_challenger; fear lowers backing
    the challenger and standing aside; a tie to the ruler raises backing him by the tie."""
    m = _UTIL_WORLD
    sides = _open(m, PMC)
    u = m.unit_by_key["guard"]
    el = m.spec.elites
    pmc = m.sides[PMC]

    def util(**change) -> list[float]:
        base = dict(loyalty=loyalty, pay=pay, grievance=grievance, fear=fear, ties=ties)
        base.update(change)
        for k, val in base.items():
            setattr(u, k, val)
        pmc.spec.offer = change.get("offer", offer)
        return St.utilities(m, u, sides)

    base = util()
    p = St.forecast(m, "Capital", sides)
    w = el.own_side_weight
    for term, option, slope in (("loyalty", 0, p[0] * w), ("pay", 0, p[0] * w), ("grievance", 1, p[1]),
                                ("offer", 1, p[1]), ("ties", 0, 1.0)):
        after = util(**{term: {"loyalty": loyalty, "pay": pay, "grievance": grievance, "offer": offer,
                               "ties": ties}[term] + bump})
        assert after[option] == pytest.approx(base[option] + slope * bump, abs=1e-9), term
        assert all(after[j] == pytest.approx(base[j], abs=1e-9) for j in range(3) if j != option), term
    # fear of the ruler: backing the pmc loses p_ruler x punishment x (1 - immunity); standing aside
    # p_ruler x aside_penalty; backing the ruler nothing
    after = util(fear=fear + bump)
    imm = m.sponsor[1]
    assert after[0] == pytest.approx(base[0], abs=1e-9)
    assert after[1] == pytest.approx(base[1] - p[0] * el.punishment * (1 - imm) * bump, abs=1e-9)
    assert after[2] == pytest.approx(base[2] - p[0] * el.aside_penalty * bump, abs=1e-9)


_UTIL_WORLD = _world("sponsor.immunity=0.3")
_powers(_UTIL_WORLD, {RULER: 3.0, PMC: 2.0}, {"Capital": {RULER: 1.0, PMC: 1.0}})


# ============================================================================ the choice
@pytest.mark.parametrize("side, moved, current, inertia", [
    (RULER, False, 0, 0.25 * 0.2),  # the habit of obedience: a quarter of the switch cost
    (PMC, True, 1, 0.2),  # a stance once changed: the whole switch cost
    (NOBODY, True, 2, 0.2),  # standing aside: the last option
    (PLOTTERS, False, 2, 0.25 * 0.2),  # backing a side no longer in the field: as if standing aside
])
def test_the_choice_starts_from_the_option_he_holds_with_its_switch_cost(monkeypatch, side, moved, current,
                                                                        inertia) -> None:
    m = _world("elites.switch_cost=0.2", "elites.unmoved_inertia=0.25", "elites.temperature=0.3")
    _open(m, PMC)
    _powers(m, {RULER: 1.0, PMC: 1.0})
    u = m.unit_by_key["hq"]
    u.side, u.moved = side, moved
    for pick, expected in ((0, RULER), (1, PMC), (2, NOBODY)):
        spy = Spy(U.logit_choice, pick)
        monkeypatch.setattr(U, "logit_choice", spy)
        state = m.rng.bit_generator.state
        draw = float(m.rng.random())
        m.rng.bit_generator.state = state
        assert St.choose(m, u) == expected
        (util, cur, inert, temp, x), = spy.calls
        assert (cur, temp, x) == (current, 0.3, draw) and inert == pytest.approx(inertia)
        assert util == St.utilities(m, u, m.active_sides())


# ============================================================================ who reconsiders
def test_fronts_and_nearness() -> None:
    m = _world()
    _open(m, MOVEMENT, PLOTTERS, PMC)
    m.sides[MOVEMENT].regions = {"Province"}
    m.sides[PLOTTERS].target = "Border"  # a seizure is fought at its target
    assert St.fronts(m) == {"Province", "Border", "Capital"}  # the movement's seat is the capital
    m.sides[PLOTTERS].status = "crushed"
    m.sides[MOVEMENT].status = "crushed"
    assert St.fronts(m) == {"Province"}  # the pmc's seat
    from sim.model.geography import Traveller

    m.sides[PMC].column = Traveller(("Border", "Capital"), 20.0)
    assert St.fronts(m) == {"Province", "Border"}
    # the nearness of a region: its distance weight to the nearest front
    assert St.near_weight(m, "Capital") == pytest.approx(math.exp(-200 / 700))
    assert St.near_weight(m, "Capital", {"Border"}) == pytest.approx(math.exp(-500 / 700))
    assert St.near_weight(m, "Border") == 1.0
    assert St.near_weight(m, "Capital", set()) == 0.0


class _Draws:
    def __init__(self, x: float) -> None:
        self.x = x

    def random(self, size: int | None = None) -> float | np.ndarray:
        return self.x if size is None else np.full(size, self.x)


def _reconsidering(m: RegimeModel, x: float, monkeypatch, forced: set[str] = frozenset()) -> list[str]:
    """The units that reconsider in one hour when every draw is ``x``."""
    chosen: list[str] = []
    monkeypatch.setattr(m, "rng", _Draws(x))
    monkeypatch.setattr(St, "choose", lambda model, u, sides=None, draw=None: chosen.append(u.key) or u.side)
    m.forced_decisions = set(forced)
    St.units_reconsider(m)
    monkeypatch.undo()
    return chosen


def test_commanders_near_the_fighting_reconsider_more_often_than_far_ones(monkeypatch) -> None:
    m = _world("elites.reconsider_per_hour=0.5", "elites.far_reconsider_share=0.2")
    _open(m, PMC)  # fought at the pmc's seat, the province
    cap = math.exp(-200 / 700)  # the capital's nearness; the border's is exp(-300 / 700)
    bor = math.exp(-300 / 700)
    # a unit reconsiders when the draw is below rate x (far + (1 - far) x nearness)
    near = {"Province": 0.5, "Capital": 0.5 * (0.2 + 0.8 * cap), "Border": 0.5 * (0.2 + 0.8 * bor)}
    by_region = {r: sorted(u.key for u in m.units if u.region == r) for r in near}
    for region, threshold in near.items():
        below = _reconsidering(m, threshold - 1e-9, monkeypatch)
        above = _reconsidering(m, threshold + 1e-9, monkeypatch)
        assert set(by_region[region]) <= set(below), region
        assert not set(by_region[region]) & set(above), region
    assert all(m.unit_by_key[k].engaged for k in by_region["Province"])
    # a commander the challenge reaches must choose now, whatever the draw; a unit destroyed never does
    m.unit_by_key["hq"].strength = 0.0
    assert _reconsidering(m, 0.99, monkeypatch, {"guard", "hq"}) == ["guard"]
    assert m.forced_decisions == set()


def test_nobody_reconsiders_without_a_challenge_or_with_the_stance_choice_off(monkeypatch) -> None:
    m = _world()
    _open(m)
    assert _reconsidering(m, 0.0, monkeypatch, {"guard"}) == [] and m.forced_decisions == set()
    off = _world("rules.disable=[units.stance_choice]")
    _open(off, PMC)
    assert _reconsidering(off, 0.0, monkeypatch, {"guard"}) == [] and off.forced_decisions == set()
    # two-hour steps at 0.75 an hour: the chance of a step is capped at 1, not 1.5
    rate = _world("time.step_hours=2", "elites.reconsider_per_hour=0.75", "elites.far_reconsider_share=0.2")
    _open(rate, PMC)
    capital = 0.2 + 0.8 * math.exp(-200 / 700)
    chosen = set(_reconsidering(rate, capital + 1e-9, monkeypatch))
    assert {"army_b", "pmc", "prov_pol"} <= chosen and "guard" not in chosen


def test_a_destroyed_unit_is_passed_over_and_the_ones_after_it_still_reconsider(monkeypatch) -> None:
    m = _world()
    _open(m, PMC)
    first, last = m.units[0], m.units[-1]
    first.strength = 0.0
    assert _reconsidering(m, 0.99, monkeypatch, {first.key, last.key}) == [last.key]
    assert _reconsidering(m, 0.0, monkeypatch) == [u.key for u in m.units[1:] if u.strength > 0]


def test_a_chance_of_zero_is_never_even_on_a_draw_of_zero(monkeypatch) -> None:
    """A unit reconsiders when its draw in [0, 1) is below rate x nearness: at a rate of 0 only the
    forced choose, even on a draw of exactly 0; a draw of exactly the chance does not count."""
    m = _world("elites.reconsider_per_hour=0")
    _open(m, PMC)
    assert _reconsidering(m, 0.0, monkeypatch) == []
    assert _reconsidering(m, 0.0, monkeypatch, {"guard"}) == ["guard"]
    half = _world("elites.reconsider_per_hour=0.5", "elites.far_reconsider_share=0.5")
    _open(half, PMC)  # at the front (the province) the chance is 0.5 x (0.5 + 0.5 x 1) = 0.5 exactly
    province = {u.key for u in half.units if u.region == "Province"}
    assert not province & set(_reconsidering(half, 0.5, monkeypatch))
    assert province <= set(_reconsidering(half, 0.5 - 1e-12, monkeypatch))


def test_a_change_of_stance_is_recorded_with_the_unit_it_followed() -> None:
    # a move "follows" the last move to the same side made in the same region, or anywhere
    # within the 6 hours before
    m = _world()
    _open(m, PMC)
    moves = [(10.0, "army_b", PMC),  # the province: the first
             (30.0, "prov_pol", PMC),  # the province, 20 hours on: follows army_b (the same region)
             (33.0, "hq", PMC),  # the capital, 3 hours on: follows prov_pol (within 6 hours)
             (39.0, "guard", PMC),  # the capital, 6 hours on: follows hq (the latest that qualifies)
             (100.0, "police", NOBODY),  # nobody stood aside before
             (200.0, "pmc_camp", PMC),  # the border, days on: follows nobody
             (206.0, "jets", PMC)]  # the capital, exactly 6 hours on: follows pmc_camp, not guard
    for hour, key, side in moves:
        m.hour = hour
        St.apply_side(m, m.unit_by_key[key], side)
    rec = {c["unit"]: c for c in m.stance_changes}
    assert [rec[k]["followed"] for _, k, _ in moves] == ["", "army_b", "prov_pol", "hq", "", "", "pmc_camp"]
    assert [c["unit"] for c in m.stance_changes] == [k for _, k, _ in moves]
    police, guard = rec["police"], rec["guard"]
    assert (police["from"], police["to"], police["from_side"], police["to_side"]) == (
        "loyal", "standing aside", "ruler", "aside")
    assert (guard["hour"], guard["region"], guard["strength"], guard["challenge"]) == (39.0, "Capital", 6000.0, "pmc")
    assert m.unit_by_key["guard"].moved and m.unit_by_key["guard"].side == PMC


def test_a_mobile_unit_joins_the_column_passing_where_it_stands_and_falls_out_when_it_leaves() -> None:
    from sim.model.geography import Traveller

    m = _world()
    _open(m, PMC)
    pmc = m.sides[PMC]
    pmc.column = Traveller(("Province", "Capital"), 20.0)
    b = m.unit_by_key["army_b"]  # mobile, in the province
    St.apply_side(m, b, PMC)
    assert b.in_column and b.region == "Province"
    St.apply_side(m, b, RULER)
    assert not b.in_column
    fixed = m.unit_by_key["prov_pol"]  # not mobile: stays where it is
    St.apply_side(m, fixed, PMC)
    assert not fixed.in_column
    elsewhere = m.unit_by_key["hq"]  # in the capital, the column is not there
    St.apply_side(m, elsewhere, PMC)
    assert not elsewhere.in_column and elsewhere.region == "Capital"
    St.apply_side(m, elsewhere, RULER)  # never in the column: stays where it is
    assert not elsewhere.in_column and elsewhere.region == "Capital"
    # one that leaves the column falls out where the column is now
    St.apply_side(m, b, PMC)
    pmc.column.leg = 1  # the column has reached the capital
    b.region = "Capital"
    St.apply_side(m, b, NOBODY)
    assert not b.in_column and b.region == "Capital"
    # a column of a side no longer active takes nobody in
    pmc.column.leg = 0
    b.region = "Province"
    pmc.status = "crushed"
    St.apply_side(m, b, PMC)
    assert not b.in_column


def test_the_log_tells_who_moved_where_and_why(monkeypatch) -> None:
    m = _world()
    _open(m, PMC, PLOTTERS)
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(m, "say", lambda kind, text, region="", **k: said.append((region, text)))
    u = m.unit_by_key
    from sim.model.geography import Traveller

    m.sides[PMC].column = Traveller(("Province", "Capital"), 20.0)
    St.report_changes(m, [(u["army_b"], RULER, PMC), (u["prov_pol"], RULER, PMC)])
    St.report_changes(m, [(u["hq"], RULER, NOBODY)])
    St.report_changes(m, [(u["army_a"], RULER, PLOTTERS)])  # back to his own plot
    St.report_changes(m, [(u["guard"], PMC, RULER), (u["police"], NOBODY, RULER)])
    prov = m.regions["Province"].label
    cap = m.regions["Capital"].label
    assert said[0] == ("Province", f"two units in {prov} (army_b, prov_pol; 8,000 men) join the warlord as the "
                                   "warlord's column passes")
    assert said[1] == ("Capital", f"one unit in {cap} (hq; 500 men) stands aside in the colonels' bid for power")
    assert said[2] == ("Capital", f"one unit in {cap} (army_a; 5,000 men) returns to the colonels in the colonels' "
                                  "bid for power")
    assert said[3] == ("Capital", f"two units in {cap} (guard, police; 10,000 men) back the ruler in the colonels' "
                                  "bid for power")
    assert [St.n_units(n) for n in (1, 5, 6)] == ["one unit", "five units", "6 units"]
    # crowds in the streets of a region the movement holds
    street = _world()
    _open(street, MOVEMENT)
    street.sides[MOVEMENT].regions = {"Province"}
    said.clear()
    monkeypatch.setattr(street, "say", lambda kind, text, region="", **k: said.append((region, text)))
    St.report_changes(street, [(street.unit_by_key["army_b"], RULER, MOVEMENT)])
    St.report_changes(street, [(street.unit_by_key["hq"], RULER, MOVEMENT)])
    assert said == [("Province", f"one unit in {prov} (army_b; 5,000 men) joins the opposition as crowds fill the "
                                 "streets"),
                    ("Capital", f"one unit in {cap} (hq; 500 men) joins the opposition")]


def test_a_change_made_in_an_hour_is_applied_tallied_and_told(monkeypatch) -> None:
    m = _world()
    _open(m, PMC)
    said: list[str] = []
    monkeypatch.setattr(m, "say", lambda kind, text, **k: said.append(text))
    monkeypatch.setattr(m, "rng", _Draws(0.99))  # only the forced decide
    monkeypatch.setattr(St, "choose", lambda model, u, sides=None, draw=None: NOBODY if u.key == "guard" else u.side)
    m.forced_decisions = {"guard", "hq"}
    tallies = m.tallies
    St.units_reconsider(m)
    assert [c["unit"] for c in m.stance_changes] == ["guard"] and m.unit_by_key["guard"].side == NOBODY
    assert m.tallies == tallies + 1  # the powers are counted again after a move
    assert m.unit_by_key["hq"].engaged and m.unit_by_key["hq"].side == RULER
    assert len(said) == 1 and "(guard; 6,000 men) stands aside" in said[0]


def test_a_choice_follows_power_when_it_backs_the_strongest_side_the_commander_sees(monkeypatch) -> None:
    """The measure power_following_share: the share of decisions that backed the side with the
    most power seen (national and local shares blended as in the forecast, no priors, no facts)."""
    m = _world("elites.local_weight=0.5")
    sides = _open(m, PMC)
    # nationally the ruler leads 3:1; in the capital the PMC leads 3:1 - blended half and half
    # [0.5, 0.5]: a tie goes to the side listed first, the ruler; at the border only the national
    _powers(m, {RULER: 3.0, PMC: 1.0}, {"Capital": {RULER: 1.0, PMC: 5.0}})
    assert St.strongest_seen(m, "Capital", sides) == PMC  # [0.375 + 1/12, 0.125 + 5/12]
    assert St.strongest_seen(m, "Border", sides) == RULER
    _powers(m, {RULER: 3.0, PMC: 1.0}, {"Capital": {RULER: 1.0, PMC: 3.0}})
    assert St.strongest_seen(m, "Capital", sides) == RULER  # [0.5, 0.5]: the tie to the first
    m.spec.rules.disable.append("units.local_cascade")
    m.rules = type(m.rules)(m.spec.rules.disable)
    _powers(m, {RULER: 3.0, PMC: 1.0}, {"Capital": {RULER: 0.0, PMC: 9.0}})
    assert St.strongest_seen(m, "Capital", sides) == RULER  # the local picture ignored
    # decide() counts: two backing the strongest (the ruler), one standing aside
    picks = iter([RULER, NOBODY, RULER])
    monkeypatch.setattr(St, "choose", lambda model, u, sides=None, draw=None: next(picks))
    monkeypatch.setattr(m, "tally", lambda: None)
    units = [u for u in m.units if u.strength > 0][:3]
    for u in units:
        St.decide(m, u, [])
    assert (m.decisions, m.decisions_with_power) == (3, 2)
    assert m.measures()["power_following_share"] == pytest.approx(2 / 3)
    assert math.isnan(_world().measures()["power_following_share"])  # no decision, no share


def test_a_choice_follows_the_crowd_when_it_backs_the_side_the_largest_crowd_there_backs(monkeypatch) -> None:
    """The measure crowd_following_share (what rule public.people_power states it changes): of
    the choices made where a crowd stands, the share that backed the side its largest crowd
    backs, whichever side that is (the ruler's called crowd, a challenger's)."""
    m = _world()
    sides = _open(m, PMC)
    m.regions["Capital"].rally[RULER] = 5000.0  # the ruler's crowd in the capital
    m.regions["Capital"].rally[PMC] = 2000.0
    m.regions["Border"].rally[PMC] = 100.0  # the PMC's, alone, at the border
    assert St.crowd_backed(m, "Capital", sides) == RULER
    assert St.crowd_backed(m, "Border", sides) == PMC
    m.regions["Border"].rally[PMC] = 0.0
    assert St.crowd_backed(m, "Border", sides) is None  # no crowd: no choice is counted
    capital = [u for u in m.units if u.strength > 0 and m.unit_region(u) == "Capital"][:2]
    border = [u for u in m.units if u.strength > 0 and m.unit_region(u) == "Border"][:1]
    assert len(capital) == 2 and len(border) == 1
    picks = iter([RULER, PMC, PMC])
    monkeypatch.setattr(St, "choose", lambda model, u, sides=None, draw=None: next(picks))
    monkeypatch.setattr(m, "tally", lambda: None)
    for u in [*capital, *border]:
        St.decide(m, u, [])
    assert (m.decisions, m.decisions_near_crowd, m.decisions_with_crowd) == (3, 2, 1)
    assert m.measures()["crowd_following_share"] == pytest.approx(1 / 2)
    assert math.isnan(_world().measures()["crowd_following_share"])  # no choice by a crowd, no share


def test_the_draws_made_at_once_are_the_draws_made_one_by_one() -> None:
    """units_reconsider draws its commanders' first numbers at once (stances._drawn): the same
    numbers in the same order as one call of random() each, and the generator left where those
    calls leave it, whether the loop uses exactly the numbers drawn at once or more."""
    for n, used in ((0, 3), (5, 5), (5, 9)):
        one, many = np.random.default_rng(7), np.random.default_rng(7)
        draw = St._drawn(many, n)
        assert [draw() for _ in range(used)] == [float(one.random()) for _ in range(used)]
        assert many.random() == one.random()
