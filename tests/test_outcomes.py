"""Every outcome label, reached and just missed: the rules of ``sim/model/outcomes.py`` tested
from both sides of each threshold on a small world whose state is set by hand.

Each test builds the three-region test world, puts the model in a chosen state (who backs
whom, where the column is, how long the seat has been held, the ruler's status) and asks
``settle`` or ``at_horizon`` for the label, checking the capital holder and the ruler's status.
"""

from __future__ import annotations

import pytest

from sim.model import actors, outcomes
from sim.model.agents import NOBODY
from sim.model.model import RegimeModel
from sim.model.outcomes import OUTCOMES, Outcome

from .conftest import TINY, load

QUIET = ("events=[]", "sponsor.enabled=false")


def model(*sets: str) -> RegimeModel:
    return RegimeModel(load(TINY, *QUIET, *sets), seed=1)


def side(m: RegimeModel, sid: str):
    return m.sides[m.side_index[sid]]


def settle(m: RegimeModel) -> Outcome | None:
    m.tally()
    outcomes.settle(m)
    return m.outcome


def open_(m: RegimeModel, sid: str) -> None:
    actors.open_challenge(m, side(m, sid), ("Capital",) if side(m, sid).mode == "street" else ())
    m.tally()


# ------------------------------------------------------------------ the horizon
def test_quiet_horizon_is_regime_survives_and_an_open_challenge_is_unresolved() -> None:
    m = model()
    outcomes.at_horizon(m)
    assert m.outcome == Outcome.REGIME_SURVIVES and m.capital_holder == "the president"
    m = model()
    open_(m, "plotters")
    outcomes.at_horizon(m)
    assert m.outcome == Outcome.UNRESOLVED


# ------------------------------------------------------------------ a march
def _march_at_capital(m: RegimeModel) -> None:
    s = side(m, "pmc")
    open_(m, "pmc")
    s.column.leg = len(s.column.path) - 1  # the column has reached the capital
    for u in m.units:
        if u.in_column:
            u.region = "Capital"


def test_a_column_at_an_undefended_capital_takes_power_and_one_still_blocked_does_not() -> None:
    m = model()
    _march_at_capital(m)
    for u in m.units:
        if u.region == "Capital" and not u.in_column:
            u.side = NOBODY  # nobody left to block it
    assert settle(m) == Outcome.MUTINY_TAKES_POWER
    assert m.capital_holder == "the warlord" and m.ruler.status == "fled"
    assert side(m, "pmc").holds_seat and side(m, "pmc").status == "won"
    m = model()
    _march_at_capital(m)
    m.unit_by_key["guard"].engaged = True  # one loyal unit that has taken the ruler's side blocks it
    assert settle(m) is None and m.ruler.status == "in_office"


@pytest.mark.parametrize("left, crushed", [(0.34, True), (0.36, False)])
def test_a_column_breaks_below_its_collapse_share(left: float, crushed: bool) -> None:
    m = model("challengers.pmc.collapse_share=0.35")
    s = side(m, "pmc")
    open_(m, "pmc")
    for u in m.units:
        if u.in_column:
            u.strength = u.initial_strength * left
    assert (settle(m) == Outcome.MUTINY_CRUSHED) is crushed
    if crushed:
        assert m.capital_holder == "the president" and s.status == "crushed"


def test_a_settlement_accepted_is_a_negotiated_settlement_and_an_open_march_is_not() -> None:
    m = model()
    s = side(m, "pmc")
    open_(m, "pmc")
    assert settle(m) is None
    actors.end_challenge(m, s, "settled", "the warlord takes the deal")
    assert settle(m) == Outcome.NEGOTIATED_SETTLEMENT and m.capital_holder == "the president"


# ------------------------------------------------------------------ a seizure
def _seize(m: RegimeModel, hours_held: float) -> None:
    s = side(m, "plotters")
    open_(m, "plotters")
    for u in m.units:  # nobody at the seat resists
        if u.region == "Capital" and u.side == 0:
            u.side = NOBODY
    s.seize, s.holds_seat, s.broadcasts, s.hold_hours = 1.0, True, True, hours_held


@pytest.mark.parametrize("held, wins", [(10.0, False), (11.0, True)])
def test_plotters_who_hold_the_seat_uncontested_for_consolidate_hours_succeed(held: float, wins: bool) -> None:
    # hold_hours grows by the step (1 h) inside settle: 10 h held before it is one hour short of 12
    m = model("challengers.plotters.consolidate_hours=12", "rules.disable=[coup.seize_sites]")
    m.ruler.location = "Province"  # away: not captured, so only the consolidation can settle it
    _seize(m, held)
    label = settle(m)
    assert (label == Outcome.COUP_SUCCEEDS) is wins
    if wins:
        assert m.capital_holder == "the colonels" and m.ruler.status == "deposed"
    else:
        assert m.ruler.status == "isolated"


def test_plotters_who_hold_the_seat_capture_a_ruler_who_is_there_undefended() -> None:
    m = model("rules.disable=[coup.seize_sites]")
    _seize(m, 0.0)
    assert settle(m) == Outcome.COUP_SUCCEEDS
    assert m.ruler.status == "captured"


@pytest.mark.parametrize("defended, captured", [(0.9, True), (1.1, False)])
def test_a_ruler_at_the_seat_is_captured_only_below_contest_share_of_the_holders_power(
        defended: float, captured: bool) -> None:
    # the guard stays his, with power just under or just over contest_share x the plotters' power there
    m = model("rules.disable=[coup.seize_sites]", "elites.contest_share=0.5")
    _seize(m, 0.0)
    m.tally()
    holders = m.power_loc["Capital"][side(m, "plotters").index]
    guard = next(u for u in m.units if u.key == "guard")
    guard.side = 0
    guard.strength = defended * 0.5 * holders / guard.combat_power
    label = settle(m)
    assert (m.ruler.status == "captured") is captured
    assert (label == Outcome.COUP_SUCCEEDS) is captured
    if not captured:
        assert m.ruler.status == "in_office" and label is None


@pytest.mark.parametrize("ratio, start, after", [(0.5, 0.0, 1 / 6), (2.0, 0.5, 0.5 - 1 / 3)])
def test_a_seizure_advances_with_the_plotters_superiority_and_slips_back_when_outgunned(
        ratio: float, start: float, after: float) -> None:
    # seize_hours 3, one-hour steps. Loyal power at the seat = ratio x the plotters': at 0.5 their
    # superiority (mine - against) / mine = 0.5 takes 0.5 / 3 of the seizure in an hour; at 2 they
    # gain nothing and lose 1 / 3 of it
    m = model("challengers.plotters.seize_hours=3")
    plotters = side(m, "plotters")
    open_(m, "plotters")
    for u in m.units:
        if u.region == "Capital" and u.side == 0:
            u.side = NOBODY
    mine = m.power_loc["Capital"][plotters.index]
    guard = next(u for u in m.units if u.key == "guard")
    guard.side, guard.engaged = 0, True  # it has taken the ruler's side in this crisis: it fights
    guard.strength = ratio * mine / guard.combat_power
    plotters.seize = start
    settle(m)
    assert plotters.seize == pytest.approx(after, abs=1e-9)
    assert plotters.active and not plotters.holds_seat and m.outcome is None


@pytest.mark.parametrize("left, fails", [(0.30, True), (0.40, False)])
def test_plotters_who_fall_below_their_collapse_share_fail(left: float, fails: bool) -> None:
    m = model("challengers.plotters.collapse_share=0.35")
    open_(m, "plotters")
    for u in m.units:
        if u.side == side(m, "plotters").index:
            u.strength = u.initial_strength * left
    assert (settle(m) == Outcome.COUP_FAILS) is fails


# ------------------------------------------------------------------ the street
def _ruler_leaves(m: RegimeModel, aside_at_seat: bool) -> None:
    s = side(m, "movement")
    open_(m, "movement")
    m.regions["Capital"].rally[s.index] = 200_000.0  # the movement's crowd at the seat
    for u in m.units:
        if u.region == "Capital":
            u.side = NOBODY if aside_at_seat else s.index
    m.ruler.status = "resigned"


def test_a_ruler_who_leaves_with_the_movements_side_holding_the_seat_is_a_popular_revolution() -> None:
    m = model()
    _ruler_leaves(m, aside_at_seat=False)
    assert settle(m) == Outcome.POPULAR_REVOLUTION
    assert m.capital_holder == "the opposition"


def test_a_ruler_who_leaves_with_units_standing_aside_holding_the_seat_is_ousted() -> None:
    m = model("public.people_power=0.001")  # the crowd weighs less than the men standing aside
    _ruler_leaves(m, aside_at_seat=True)
    assert settle(m) == Outcome.RULER_OUSTED
    assert m.capital_holder in {"guard", "army"}  # the institution whose men stand aside there


def test_a_dead_ruler_whose_men_hold_the_seat_leaves_the_regime_standing() -> None:
    m = model()
    m.ruler.status = "dead"
    assert settle(m) == Outcome.REGIME_SURVIVES
    assert m.capital_holder == "the regime without the president"


# ------------------------------------------------------------------ a lasting split
@pytest.mark.parametrize("hours, war", [(70.0, False), (71.0, True)])
def test_an_armed_split_that_lasts_civil_war_hours_is_a_civil_war(hours: float, war: bool) -> None:
    m = model("elites.civil_war_hours=72", "elites.civil_war_share=0.1")
    s = side(m, "pmc")
    open_(m, "pmc")
    s.column = None  # a split that no column decides
    s.mode = "seize"
    s.target = "Province"
    s.start_power = 1.0
    s.split_hours = hours
    assert (settle(m) == Outcome.CIVIL_WAR) is war


def _split(*sets: str) -> RegimeModel:
    m = model("elites.civil_war_hours=72", *sets)
    s = side(m, "pmc")
    open_(m, "pmc")
    s.column, s.mode, s.target, s.start_power, s.split_hours = None, "seize", "Province", 1.0, 71.0
    return m


@pytest.mark.parametrize("margin, war", [(-0.01, True), (0.01, False)])
def test_a_split_lasting_civil_war_hours_is_a_civil_war_only_above_civil_war_share(margin: float, war: bool):
    m = _split()
    share = m.defected_strength / m.total_strength  # the armed forces' share behind the warlord
    assert 0.05 < share < 0.95
    m = _split(f"elites.civil_war_share={share + margin}")
    assert (settle(m) == Outcome.CIVIL_WAR) is war
    assert side(m, "pmc").split_hours == (72.0 if war else 0.0)


def test_every_outcome_is_reached_by_a_test_here() -> None:
    reached = {"regime_survives", "unresolved", "mutiny_takes_power", "mutiny_crushed", "negotiated_settlement",
               "coup_succeeds", "coup_fails", "popular_revolution", "ruler_ousted", "civil_war"}
    assert reached == set(OUTCOMES)
