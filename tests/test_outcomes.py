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
    guard.engaged = True  # it has declared for him, so counts at full power (units.wait_and_see)
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


@pytest.mark.parametrize("margin, war", [(-0.01, True), (0.0, True), (0.01, False)])
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


# ------------------------------------------------------------------ who holds the seat, by value
# capital_holder and the labels read the power at the seat from the state; here it is set by hand
# after the tally, so each rule is tested exactly at and on both sides of its ties
def _at_seat(m: RegimeModel, powers: dict[str, float], aside: float) -> None:
    m.tally()
    loc = [0.0] * len(m.sides)
    for sid, p in powers.items():
        loc[0 if sid == "ruler" else m.side_index[sid]] = p
    m.power_loc["Capital"] = loc
    m.aside_loc["Capital"] = aside


@pytest.mark.parametrize("in_office, powers, aside, active, holder", [
    # nobody has any power at the seat: the ruler holds it while in office, nobody once he is gone
    (True, {}, 0.0, (), "the president"),
    (False, {}, 0.0, (), "nobody"),
    # a tie at the seat goes to the ruler (the lower index), whoever else is up
    (True, {"ruler": 500.0, "movement": 500.0}, 0.0, ("movement",), "the president"),
    (True, {"ruler": 500.0, "movement": 501.0}, 0.0, ("movement",), "the opposition"),
    # two sides that have both taken the seat: the stronger there, and at a tie the one listed first
    # (the sides: the ruler, movement, plotters, pmc), whatever the ruler's men there
    (True, {"pmc": 500.0, "plotters": 500.0}, 0.0, ("won:pmc", "won:plotters"), "the colonels"),
    (True, {"pmc": 501.0, "plotters": 500.0, "ruler": 900.0}, 0.0, ("won:pmc", "won:plotters"), "the warlord"),
    # the ruler gone: his men hold the seat unless the men standing aside outweigh them (a tie is theirs)
    (False, {"ruler": 800.0}, 800.0, (), "the regime without the president"),
    (False, {"ruler": 800.0}, 0.0, (), "the regime without the president"),
])
def test_the_capital_holder_is_read_from_the_power_at_the_seat(in_office, powers, aside, active, holder) -> None:
    m = model()
    for sid in active:
        if sid.startswith("won:"):
            side(m, sid[4:]).status = "won"
        else:
            open_(m, sid)
    if not in_office:
        m.ruler.status = "resigned"
    _at_seat(m, powers, aside)
    assert m.capital_holder == holder


def test_the_institution_named_as_holder_is_the_one_whose_men_stand_aside_at_the_seat() -> None:
    # the guard stands aside at the seat and outweighs the ruler's men there; the army, heavier in all,
    # stands aside only in the province (army_b) or backs a side at the seat (army_a, hq, jets): not named
    m = model()
    m.ruler.status = "resigned"
    # standing aside at the seat: the guard (6,000) and the police (1,200), more than the ruler's army
    # units there (army_a, hq, jets: 6,700), which outweigh the guard alone
    for key in ("guard", "police", "army_b"):
        m.unit_by_key[key].side = NOBODY
    m.tally()
    assert m.aside_loc["Capital"] == 7200.0 and m.power_loc["Capital"][0] == 6700.0
    assert m.capital_holder == "guard"


@pytest.mark.parametrize("ruler_men, label", [(800.0, Outcome.REGIME_SURVIVES), (799.0, Outcome.RULER_OUSTED)])
def test_a_gone_rulers_men_who_match_those_standing_aside_at_the_seat_keep_the_regime(ruler_men, label) -> None:
    m = model()
    m.ruler.status = "dead"
    m.unit_by_key["guard"].side = NOBODY  # the men standing aside at the seat are the guard's
    _at_seat(m, {"ruler": ruler_men}, 800.0)
    outcomes.settle(m)
    assert m.outcome == label


@pytest.mark.parametrize("aside, label, holder", [
    (800.0, Outcome.POPULAR_REVOLUTION, "the opposition"),  # a tie: the movement's side holds the seat
    (801.0, Outcome.RULER_OUSTED, "guard"),
])
def test_a_movement_that_drives_the_ruler_out_holds_the_seat_unless_outweighed_by_men_standing_aside(
        aside, label, holder) -> None:
    m = model()
    open_(m, "movement")
    m.ruler.status = "resigned"
    m.unit_by_key["guard"].side = NOBODY  # the men standing aside at the seat are the guard's
    _at_seat(m, {"ruler": 300.0, "movement": 800.0}, aside)  # some of the ruler's men stay, fewer than the crowd
    outcomes.settle(m)
    assert m.outcome == label and m.capital_holder == holder


def test_a_ruler_who_leaves_while_some_of_his_men_stay_at_the_seat_still_loses_it_to_the_movement() -> None:
    m = model()
    open_(m, "movement")
    m.ruler.status = "resigned"
    _at_seat(m, {"ruler": 300.0, "movement": 800.0}, 0.0)  # nobody standing aside
    outcomes.settle(m)
    assert m.outcome == Outcome.POPULAR_REVOLUTION and m.capital_holder == "the opposition"


# ------------------------------------------------------------------ a seizure's flags and a crowd against it
def _seizure(m: RegimeModel, ratio: float, start: float, holds: bool = False, broadcasts: bool = False):
    """Plotters at the seat against the guard with ratio x their power (seize_hours 3, 1-h steps)."""
    plotters = side(m, "plotters")
    open_(m, "plotters")
    for u in m.units:
        if u.region == "Capital" and u.side == 0:
            u.side = NOBODY
    mine = m.power_loc["Capital"][plotters.index]
    guard = m.unit_by_key["guard"]
    guard.side, guard.engaged = 0, True
    guard.strength = ratio * mine / guard.combat_power
    plotters.seize, plotters.holds_seat, plotters.broadcasts = start, holds, broadcasts
    return plotters


def test_a_seizure_past_half_takes_the_broadcasts_and_at_one_the_seat() -> None:
    m = model("challengers.plotters.seize_hours=3")
    m.ruler.location = "Province"
    p = _seizure(m, 0.5, 0.4)
    settle(m)
    assert p.seize == pytest.approx(0.4 + 1 / 6) and p.broadcasts and not p.holds_seat
    m = model("challengers.plotters.seize_hours=3")
    m.ruler.location = "Province"
    p = _seizure(m, 0.5, 0.9, broadcasts=True)
    settle(m)
    assert p.seize == 1.0 and p.holds_seat and p.hold_hours == 1.0
    assert m.outcome is None  # 1 h held of consolidate_hours
    settle(m)  # the ruler's status is read from who held the seat at the start of the hour
    assert m.ruler.status == "isolated" and p.hold_hours == 2.0


def test_plotters_pushed_back_below_half_lose_the_seat_they_held() -> None:
    m = model("challengers.plotters.seize_hours=3")
    m.ruler.location = "Province"
    p = _seizure(m, 2.0, 0.6, holds=True, broadcasts=True)
    settle(m)
    assert p.seize == pytest.approx(0.6 - 1 / 3) and not p.holds_seat and p.hold_hours == 0.0
    assert p.broadcasts and m.ruler.status == "isolated"  # read at the start of the hour, when they held it
    settle(m)
    assert m.ruler.status == "in_office"


@pytest.mark.parametrize("people_power", [0.12, 0.5])
def test_a_rival_crowd_at_the_seat_resists_a_seizure_by_its_people_power(people_power: float) -> None:
    # nobody armed resists; the movement's crowd at the seat weighs people_power per head: half the
    # plotters' power, so a third of the way (seize_hours 3) is halved to a sixth
    m = model("challengers.plotters.seize_hours=3", f"public.people_power={people_power}")
    p = _seizure(m, 0.0, 0.0)
    m.unit_by_key["guard"].side = NOBODY
    open_(m, "movement")
    mine = sum(u.power for u in m.units if u.side == p.index and u.region == "Capital")
    m.regions["Capital"].rally[side(m, "movement").index] = 0.5 * mine / people_power
    m.regions["Capital"].rally[p.index] = 10 * mine / people_power  # the plotters' own crowd does not resist
    settle(m)
    assert p.seize == pytest.approx(1 / 6) and not p.broadcasts and not p.holds_seat


@pytest.mark.parametrize("margin, crushed", [(0.0, False), (-1e-6, True)])
def test_a_column_at_exactly_its_collapse_share_holds_together(margin: float, crushed: bool) -> None:
    from sim.model.conflict import column_strength

    m = model("challengers.pmc.collapse_share=0.5")
    s = side(m, "pmc")
    open_(m, "pmc")
    s.column_start = 2.0 * (column_strength(m, s) - margin)  # 0.5 x column_start = strength (+ margin)
    assert (settle(m) == Outcome.MUTINY_CRUSHED) is crushed


def test_a_gone_ruler_with_nobody_at_the_seat_is_ousted_and_nobody_holds_it() -> None:
    m = model()
    m.ruler.status = "dead"
    _at_seat(m, {}, 0.0)
    outcomes.settle(m)
    assert m.outcome == Outcome.RULER_OUSTED and m.capital_holder == "nobody"


@pytest.mark.parametrize("movement, label, holder", [
    (700.0, Outcome.POPULAR_REVOLUTION, "the opposition"),  # a tie: the side listed first (the movement)
    (699.0, Outcome.MUTINY_TAKES_POWER, "the warlord"),
])
def test_when_the_ruler_leaves_the_challenger_with_the_most_power_at_the_seat_has_taken_it(
        movement, label, holder) -> None:
    m = model()
    open_(m, "pmc")
    open_(m, "movement")
    m.ruler.status = "resigned"
    _at_seat(m, {"pmc": 700.0, "movement": movement}, 0.0)
    outcomes.settle(m)
    assert m.outcome == label and m.capital_holder == holder


@pytest.mark.parametrize("ruler_men, captured", [(500.0, True), (500.1, False)])
def test_a_ruler_defended_by_exactly_contest_share_of_the_holders_power_is_captured(ruler_men, captured) -> None:
    m = model("rules.disable=[coup.seize_sites]", "elites.contest_share=0.5")
    _seize(m, 0.0)
    _at_seat(m, {"ruler": ruler_men, "plotters": 1000.0}, 0.0)
    outcomes.settle(m)
    assert (m.ruler.status == "captured") is captured
    assert m.outcome == (Outcome.COUP_SUCCEEDS if captured else None)


def test_a_column_that_enters_the_capital_after_the_ruler_left_does_not_change_how_he_left() -> None:
    m = model()
    _march_at_capital(m)
    for u in m.units:
        if u.region == "Capital" and not u.in_column:
            u.side = NOBODY
    m.ruler.status = "resigned"
    assert settle(m) == Outcome.MUTINY_TAKES_POWER
    assert m.ruler.status == "resigned" and side(m, "pmc").status == "won"


def test_only_an_armed_challenge_under_way_counts_towards_a_civil_war() -> None:
    # the warlord's men have sided with him (a fifth of the armed forces) but he has not risen; the
    # movement is up but unarmed: neither is a civil war, however long it lasts
    m = model("elites.civil_war_hours=72", "elites.civil_war_share=0.1")
    open_(m, "movement")
    for key in ("pmc", "pmc_camp"):
        m.unit_by_key[key].side = side(m, "pmc").index
    m.tally()
    for sid in ("pmc", "movement"):
        side(m, sid).split_hours = 71.0
    assert m.defected_strength / m.total_strength > 0.1
    assert settle(m) is None
    assert side(m, "pmc").split_hours == 71.0 and side(m, "movement").split_hours == 71.0


@pytest.mark.parametrize("margin, fails", [(0.0, False), (1e-6, True)])
def test_plotters_at_exactly_their_collapse_share_hold_together(margin: float, fails: bool) -> None:
    m = model("challengers.plotters.collapse_share=0.5")
    p = side(m, "plotters")
    open_(m, "plotters")
    mine = sum(u.power for u in m.units if u.side == p.index and u.region == "Capital")
    p.start_power = 2.0 * mine + margin  # 0.5 x start_power = their power at the seat (+ margin)
    assert (settle(m) == Outcome.COUP_FAILS) is fails


def test_a_seizure_held_in_balance_neither_advances_nor_slips_and_at_half_takes_the_broadcasts() -> None:
    # the guard's power equals the plotters': no progress, no slip; exactly half way is enough for the
    # broadcasts, and a seat held at exactly half is kept
    m = model("challengers.plotters.seize_hours=3")
    m.ruler.location = "Province"
    p = _seizure(m, 1.0, 0.5, holds=True)
    assert m.unit_by_key["guard"].power == m.power_loc["Capital"][p.index]
    settle(m)
    assert p.seize == 0.5 and p.broadcasts and p.holds_seat


@pytest.mark.parametrize("against, wins", [(0.5, True), (0.51, False)])
def test_plotters_consolidate_only_while_contested_by_at_most_contest_share_of_their_power(against, wins) -> None:
    m = model("challengers.plotters.consolidate_hours=12", "rules.disable=[coup.seize_sites]",
              "elites.contest_share=0.5")
    m.ruler.location = "Province"
    p = _seizure(m, against, 1.0, holds=True, broadcasts=True)
    p.hold_hours = 11.0
    assert settle(m) == (Outcome.COUP_SUCCEEDS if wins else None)
    assert (m.ruler.status == "deposed") is wins


CITY_WORLD = """
name: city_world
description: {what_is_it: "a ruler whose seat is in the North, and a column that takes the capital city"}
time: {step_hours: 1, horizon_days: 1}
regions:
  Capital: {population: 10000, grid: 15, pos: [0, 0], capital: true}
  North: {population: 10000, grid: 15, pos: [1, 0]}
routes:
  - {a: Capital, b: North, km: 20}
institutions:
  army: {label: the army}
units:
  guard: {institution: army, region: North, strength: 5000}
  rebels: {institution: army, region: North, strength: 3000, side: rebels}
ruler: {name: the ruler, seat: North}
challengers:
  rebels: {name: the rebels, plural: true, mode: march, seat: North, target: Capital}
rules: {disable: [bargain.offer, challenger.give_up]}
events:
  - {at: 0, type: challenge, actor: rebels}
"""


def test_a_column_that_takes_a_city_which_is_not_the_seat_holds_it_and_the_challenge_goes_on(tmp_path) -> None:
    path = tmp_path / "city.yaml"
    path.write_text(CITY_WORLD)
    m = RegimeModel(load(path), seed=1)
    rebels = side(m, "rebels")
    while m.running:
        m.step()
    # the column reached the capital city unopposed, but power sits in the North
    assert rebels.column is not None and rebels.column.done and "Capital" in rebels.regions
    assert not rebels.holds_seat and rebels.status == "active"
    assert m.ruler.in_office and m.outcome == Outcome.UNRESOLVED
    assert any(e.label == "column holds a city" and "the seat of power is in North" in e.text for e in m.log.entries)


def test_a_challenger_moves_on_the_rulers_seat_by_default(tmp_path) -> None:
    path = tmp_path / "city.yaml"
    path.write_text(CITY_WORLD.replace("seat: North, target: Capital", "seat: Capital").replace(
        "rebels: {institution: army, region: North", "rebels: {institution: army, region: Capital"))
    m = RegimeModel(load(path), seed=1)
    assert side(m, "rebels").target == "North" == m.seat
