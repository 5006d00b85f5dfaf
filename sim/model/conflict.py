"""Movement, combat and the armed endings: columns, convoys, raiders, the capital."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..rules import coup as C
from ..rules.combat import lanchester_losses
from ..rules.units import DEFECTED, LOYAL
from .outcomes import Outcome

if TYPE_CHECKING:
    from .agents import Unit
    from .model import RegimeModel


def column_strength(model: RegimeModel) -> float:
    return float(sum(u.strength for u in model.units if u.in_column))


def _blockers(model: RegimeModel, region: str) -> list[Unit]:
    """Loyal ground units that fight in ``region``: those that have taken the ruler's side in
    this crisis (a unit that has not yet decided waits); in the capital all of them, elsewhere
    only mobile ones (a column drives past headquarters and police stations)."""
    everyone = region == model.capital
    return [u for u in model.units if u.stance == LOYAL and u.engaged and u.region == region
            and u.travel is None and not u.in_column and u.reach_km == 0 and u.strength > 0
            and (everyone or u.mobile)]


def move(model: RegimeModel) -> None:
    ch = model.challenge
    if ch is not None and ch.kind == "mutiny" and ch.column is not None and not ch.column.done:
        col = ch.column
        block = sum(u.power for u in _blockers(model, col.at))
        marching = sum(u.power for u in model.units if u.in_column)
        if block < model.spec.elites.block_ratio * marching or not model.rules.on("combat.lanchester"):
            for region in col.advance(model.geo, model.dt):
                for u in model.units:
                    if u.in_column:
                        u.region = region
                model.say("column", f"the {ch.leader.split()[-1]} column reaches {region} "
                                    f"({column_strength(model):,.0f} men, "
                                    f"{col.km_left(model.geo):,.0f} km to {model.capital})", region=region)
                model.forced_decisions.update(u.key for u in model.units
                                              if u.region == region and not u.in_column and u.travel is None)
    for u in model.units:
        if u.travel is None:
            continue
        u.travel.advance(model.geo, model.dt)
        if u.travel.done:
            u.region = u.travel.destination
            u.travel = None
            model.say("move", f"{u.label} arrives in {u.region}", region=u.region)
            if ch is not None:
                model.forced_decisions.add(u.key)
    for inc in list(model.incursions):
        if model.hour >= inc.until or inc.strength <= 1:
            model.incursions.remove(inc)
            model.say("raid", f"the raiders leave {inc.region} ({inc.strength:,.0f} men left)", region=inc.region)


def _lanchester(model: RegimeModel, side_a: list[Unit], side_b: list[Unit], b_scale: float = 1.0) -> None:
    """Both sides lose men; losses spread over units in proportion to their strength."""
    a = sum(u.strength for u in side_a)
    b = sum(u.strength for u in side_b)
    if a <= 0 or b <= 0:
        return
    pa = sum(u.power for u in side_a) / a
    pb = sum(u.power for u in side_b) / b * b_scale
    loss_a, loss_b = lanchester_losses(a, b, pa, pb, model.spec.elites.lanchester_kill_per_hour, model.dt)
    for side, total, loss in ((side_a, a, loss_a), (side_b, b, loss_b)):
        for u in side:
            u.strength = max(0.0, u.strength - loss * u.strength / total)
    model.casualties += loss_a + loss_b


def fight(model: RegimeModel) -> None:
    if not model.rules.on("combat.lanchester"):
        return
    ch = model.challenge
    if ch is not None and ch.kind == "mutiny" and ch.column is not None:
        col = [u for u in model.units if u.in_column and u.strength > 0]
        block = _blockers(model, ch.column.at)
        if col and block:
            if ch.fight_hours == 0:
                model.say("combat", f"fighting at {ch.column.at}: {', '.join(u.label for u in block)} "
                                    f"block the column", region=ch.column.at)
            ch.fight_hours += model.dt
            _lanchester(model, col, block)
        air = [u for u in model.units if u.stance == LOYAL and u.reach_km > 0 and u.strength > 0
               and model.geo.km(u.region, ch.column.at) <= u.reach_km]
        if col and air:
            _lanchester(model, col, air, b_scale=1.0)
    if ch is not None and ch.kind == "coup":
        cap = model.capital
        plotters = [u for u in model.units if u.stance == DEFECTED and model.unit_region(u) == cap
                    and u.travel is None and u.strength > 0]
        loyal = _blockers(model, cap)
        if plotters and loyal:
            if ch.fight_hours == 0:
                model.say("combat", f"shooting in {cap}: {', '.join(u.label for u in loyal)} resist the plotters",
                          region=cap)
            ch.fight_hours += model.dt
            _lanchester(model, plotters, loyal)
    for inc in model.incursions:
        defenders = _blockers(model, inc.region)
        if defenders:
            a = inc.strength
            b = sum(u.strength for u in defenders)
            loss_a, loss_b = lanchester_losses(a, b, 1.0, 1.0, model.spec.elites.lanchester_kill_per_hour, model.dt)
            inc.strength -= loss_a
            for u in defenders:
                u.strength = max(0.0, u.strength - loss_b * u.strength / b)
            model.casualties += loss_a + loss_b


def check_outcome(model: RegimeModel) -> None:
    ch = model.challenge
    if ch is None:
        return
    el = model.spec.elites
    share = model.defected_strength / model.total_strength if model.total_strength else 0.0
    if ch.kind == "mutiny":
        w = model.spec.factions.wagner
        strength = column_strength(model)
        if strength < w.collapse_share * max(ch.column_start, 1.0):
            model.resolve(Outcome.MUTINY_CRUSHED, f"the column falls to {strength:,.0f} men and breaks up")
            return
        if ch.column is not None and ch.column.done and not _blockers(model, model.capital):
            model.resolve(Outcome.MUTINY_TAKES_POWER,
                          f"the column enters {model.capital} with {strength:,.0f} men; no one defends it")
            return
    if ch.kind == "coup":
        cs = model.spec.factions.coup
        cap = model.capital
        plotters = sum(u.power for u in model.units if u.stance == DEFECTED and model.unit_region(u) == cap
                       and u.travel is None)
        loyal = sum(u.power for u in _blockers(model, cap))
        if model.rules.on("coup.seize_sites"):
            ch.seize = min(1.0, ch.seize + C.seize_progress(plotters, loyal, cs.seize_hours, model.dt))
        if loyal > plotters and ch.seize > 0:
            ch.seize = max(0.0, ch.seize - model.dt / cs.seize_hours)
        if not ch.broadcasts and ch.seize >= 0.5:
            ch.broadcasts = True
            model.say("coup", "the plotters take the television centre and broadcast that the ruler is removed",
                      region=cap, label="TV seized")
        if not ch.holds_capital and ch.seize >= 1.0:
            ch.holds_capital = True
            model.say("coup", f"the plotters hold the seat of power in {cap}", region=cap, label="seat of power held")
        if ch.holds_capital and ch.seize < 0.5:
            ch.holds_capital = False
            model.say("coup", f"loyal forces retake the seat of power in {cap}", region=cap)
        if ch.holds_capital:
            ch.hold_hours += model.dt
            if ch.hold_hours >= cs.consolidate_hours:
                model.resolve(Outcome.COUP_SUCCEEDS, f"the plotters have held {cap} for {ch.hold_hours:g} h "
                                                     "and no loyal force contests it")
                return
        if plotters < 0.25 * ch.plotters_start and not any(
                u.travel is not None for u in model.units if u.stance == DEFECTED):
            model.resolve(Outcome.COUP_FAILS, f"the plotters in {cap} are beaten or give up")
            return
        if model.hour - ch.started >= cs.deadline_hours and not ch.holds_capital:
            if ch.fight_hours >= cs.escalation_hours * 0.5 and share >= el.civil_war_share:
                model.resolve(Outcome.CIVIL_WAR, "the coup turns into open fighting between armed blocs")
            else:
                model.resolve(Outcome.COUP_FAILS, f"the plotters failed to take {cap} within {cs.deadline_hours:g} h")
            return
        if ch.fight_hours >= cs.escalation_hours:
            model.resolve(Outcome.CIVIL_WAR, "counterweights and plotters fight on: the coup escalates")
            return
    if ch.kind == "revolution":
        pub = model.spec.public
        cap = model.regions[model.capital]
        sec = [u for u in model.units if u.repressive and model.unit_region(u) == model.capital]
        men = sum(u.strength for u in sec)
        loyal = sum(u.strength for u in sec if u.stance == LOYAL)
        loyal_share = loyal / men if men > 0 else 0.0
        if cap.protest_share >= pub.revolution_share and loyal_share < 0.5:
            ch.hold_hours += model.dt
            if ch.hold_hours >= pub.revolution_hold_hours:
                model.resolve(Outcome.POPULAR_REVOLUTION,
                              f"{cap.protest_share:.1%} of {model.capital} in the streets and "
                              f"{1 - loyal_share:.0%} of its security forces no longer repress")
                return
        else:
            ch.hold_hours = 0.0
    if ch.kind in ("mutiny", "coup") and share >= el.civil_war_share:
        ch.split_hours += model.dt
        if ch.split_hours >= el.civil_war_hours:
            model.resolve(Outcome.CIVIL_WAR, f"{share:.0%} of the armed forces have defected for "
                                             f"{ch.split_hours:g} h: the state splits")
    else:
        ch.split_hours = 0.0
