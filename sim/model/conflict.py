"""Movement and combat: columns, convoys, raiders, the ruler's travels, and the fights."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..rules.combat import air_strike, lanchester_losses
from .agents import NOBODY

if TYPE_CHECKING:
    from .agents import Side, Unit
    from .model import RegimeModel


def main_column(model: RegimeModel) -> Side | None:
    """The marching challenger the figures follow: the first one with a column."""
    for s in model.sides[1:]:
        if s.column is not None:
            return s
    return None


def column_strength(model: RegimeModel, s: Side) -> float:
    return float(sum(u.strength for u in model.units if u.in_column and u.side == s.index))


def blockers(model: RegimeModel, region: str, against: int) -> list[Unit]:
    """Ground units that fight ``against`` a side in ``region``: those backing another side that
    have taken it in this crisis (a unit that has not yet decided waits); at the seat all of
    them, elsewhere only mobile ones (a column drives past headquarters and police stations)."""
    everyone = region == model.seat
    return [u for u in model.units if u.side not in (NOBODY, against) and u.engaged and u.region == region
            and u.travel is None and not u.in_column and u.reach_km == 0 and u.strength > 0
            and (everyone or u.mobile)]


def move(model: RegimeModel) -> None:
    for s in model.sides[1:]:
        if not s.active or s.column is None or s.column.done:
            continue
        col = s.column
        block = sum(u.power for u in blockers(model, col.at, s.index))
        marching = sum(u.power for u in model.units if u.in_column and u.side == s.index)
        if block < model.spec.elites.block_ratio * marching or not model.rules.on("combat.lanchester"):
            for region in col.advance(model.geo, model.dt):
                for u in model.units:
                    if u.in_column and u.side == s.index:
                        u.region = region
                model.say("column", f"{s.possessive} column reaches {model.regions[region].label} "
                                    f"({column_strength(model, s):,.0f} men, "
                                    f"{col.km_left(model.geo):,.0f} km to {s.target})", region=region)
                model.forced_decisions.update(u.key for u in model.units
                                              if u.region == region and not u.in_column and u.travel is None)
        s.closest_km = min(s.closest_km, col.km_left(model.geo))
        if model.rules.on("combat.air_strike"):
            # an air unit with the column in reach is asked to strike it: its commander decides now,
            # as a ground commander does when the column reaches his region
            model.forced_decisions.update(
                u.key for u in model.units if u.air and not u.engaged and u.aircraft_left > 0
                and u.plot != s.index and model.geo.km(model.unit_region(u), col.at) <= u.reach_km)
    for u in model.units:
        if u.travel is None:
            continue
        u.travel.advance(model.geo, model.dt)
        if u.travel.done:
            u.region = u.travel.destination
            u.travel = None
            model.say("move", f"{u.label} arrives in {model.regions[u.region].label}", region=u.region)
            if model.challenge_open():
                model.forced_decisions.add(u.key)
    k = model.ruler
    if k.travel is not None:
        k.travel.advance(model.geo, model.dt)
        if k.travel.done:
            k.location = k.travel.destination
            k.travel = None
            model.say("ruler", f"{k.name} {k.agree('arrives', 'arrive')} in {model.regions[k.location].label}", actor=k.name,
                      region=k.location, label="ruler arrives")
    for inc in list(model.incursions):
        if model.hour >= inc.until or inc.strength <= 1:
            model.incursions.remove(inc)
            model.say("raid", f"the raiders leave {inc.region} ({inc.strength:,.0f} men left)", region=inc.region)


def _lanchester(model: RegimeModel, side_a: list[Unit], side_b: list[Unit], where: str) -> None:
    """Both sides lose men in ``where``; losses spread over units in proportion to their strength."""
    a = sum(u.strength for u in side_a)
    b = sum(u.strength for u in side_b)
    if a <= 0 or b <= 0:
        return
    pa = sum(u.power for u in side_a) / a
    pb = sum(u.power for u in side_b) / b
    loss_a, loss_b = lanchester_losses(a, b, pa, pb, model.spec.elites.lanchester_kill_per_hour, model.dt)
    for side, total, loss in ((side_a, a, loss_a), (side_b, b, loss_b)):
        for u in side:
            u.strength = max(0.0, u.strength - loss * u.strength / total)
            u.acted = True
    model.casualties += loss_a + loss_b
    model.regions[where].ground_deaths += loss_a + loss_b


def _air(model: RegimeModel, region: str, backing: set[int], strikes: bool) -> list[Unit]:
    """Units with a reach that back one of ``backing`` and reach ``region``: with ``strikes`` the
    air units that strike (rule combat.air_strike: those that have taken their side in the crisis
    and have aircraft left), otherwise the ones that join the ground battle by Lanchester (every
    unit with a reach when the rule is off; with it on, those that are not air units)."""
    if strikes:
        return [u for u in model.units if u.air and u.side in backing and u.engaged and u.aircraft_left > 0
                and model.geo.km(model.unit_region(u), region) <= u.reach_km]
    on = model.rules.on("combat.air_strike")
    return [u for u in model.units if u.side in backing and u.reach_km > 0 and u.strength > 0
            and not (on and u.air) and model.geo.km(model.unit_region(u), region) <= u.reach_km]


def _strike(model: RegimeModel, planes: list[Unit], targets: list[Unit], where: str, flown: set[str],
            what: str) -> None:
    """Each air unit in ``planes`` that has not flown this hour strikes the force ``targets``
    (rule combat.air_strike): the force loses men in proportion to its units' strength, the air
    unit loses the aircraft shot down and their crews."""
    for u in planes:
        total = sum(t.strength for t in targets)
        if total <= 0:
            return
        if u.key in flown:
            continue
        flown.add(u.key)
        defence = sum(t.air_defence * t.strength for t in targets) / total
        sorties, killed, lost = air_strike(u.aircraft_left, u.sorties_per_day, u.kill_per_sortie, defence,
                                           model.dt, model.rng.binomial)
        if sorties == 0:
            continue
        killed = min(killed, total)
        for t in targets:
            t.strength = max(0.0, t.strength - killed * t.strength / total)
            t.acted = True
        u.acted = True
        crew = float(lost * u.crew_per_aircraft)
        u.aircraft_left -= lost
        u.strength = max(0.0, u.strength - crew)
        u.combat_power = u.base_combat_power * u.aircraft_left / u.aircraft
        model.casualties += killed + crew
        model.aircraft_lost += lost
        model.airmen_killed += crew
        label = model.regions[where].label
        if not u.struck:
            u.struck = True
            model.say("combat", f"{u.label} strikes {what} near {label}", region=where)
        if lost:
            model.say("combat", f"{u.label} loses {lost} aircraft and {crew:,.0f} crew to the air defence of "
                                f"{what} near {label} ({u.aircraft_left} left)", region=where)


def fight(model: RegimeModel) -> None:
    """Forces that meet on the ground fight (rule combat.lanchester); air units strike the enemy
    forces in their reach (rule combat.air_strike; with it off they join the ground battle)."""
    lanchester = model.rules.on("combat.lanchester")
    strikes = model.rules.on("combat.air_strike")
    if not (lanchester or strikes):
        return
    others = {s.index for s in model.active_sides()}
    flown: set[str] = set()  # air units that have struck this hour
    for s in model.sides[1:]:
        if not (s.active and s.armed):
            continue
        where = s.column.at if s.column is not None else s.target
        if s.column is not None:
            mine = [u for u in model.units if u.in_column and u.side == s.index and u.strength > 0]
        else:
            mine = [u for u in model.units if u.side == s.index and model.unit_region(u) == where
                    and u.travel is None and u.reach_km == 0 and u.strength > 0]
        block = blockers(model, where, s.index)
        if lanchester:
            if mine and block:
                if s.fight_hours == 0:
                    model.say("combat", f"fighting in {model.regions[where].label}: "
                                        f"{', '.join(u.label for u in block)} resist {s.name}", region=where)
                s.fight_hours += model.dt
                _lanchester(model, mine, block, where)
            enemy_air = _air(model, where, others - {s.index}, strikes=False)
            if mine and enemy_air:
                _lanchester(model, mine, enemy_air, where)
            own_air = _air(model, where, {s.index}, strikes=False)
            if own_air and block:
                _lanchester(model, block, own_air, where)
        if strikes:
            if mine:
                force = f"{s.possessive} column" if s.column is not None else f"{s.possessive} forces"
                _strike(model, _air(model, where, others - {s.index}, strikes=True), mine, where, flown, force)
            if block:
                _strike(model, _air(model, where, {s.index}, strikes=True), block, where, flown,
                        ", ".join(u.label for u in block))
    if not lanchester:
        return
    for inc in model.incursions:
        defenders = [u for u in model.units if u.side == 0 and u.region == inc.region and u.travel is None
                     and u.reach_km == 0 and u.strength > 0 and u.mobile]
        if defenders:
            a = inc.strength
            b = sum(u.strength for u in defenders)
            loss_a, loss_b = lanchester_losses(a, b, 1.0, 1.0, model.spec.elites.lanchester_kill_per_hour, model.dt)
            inc.strength -= loss_a
            for u in defenders:
                u.strength = max(0.0, u.strength - loss_b * u.strength / b)
            model.casualties += loss_a + loss_b
            model.regions[inc.region].ground_deaths += loss_a + loss_b
