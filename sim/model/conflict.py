"""Movement and combat: columns, convoys, raiders, the ruler's travels, and the fights."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..rules.combat import lanchester_losses
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
            model.say("ruler", f"{k.name} arrives in {model.regions[k.location].label}", actor=k.name,
                      region=k.location, label="ruler arrives")
    for inc in list(model.incursions):
        if model.hour >= inc.until or inc.strength <= 1:
            model.incursions.remove(inc)
            model.say("raid", f"the raiders leave {inc.region} ({inc.strength:,.0f} men left)", region=inc.region)


def _lanchester(model: RegimeModel, side_a: list[Unit], side_b: list[Unit]) -> None:
    """Both sides lose men; losses spread over units in proportion to their strength."""
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


def _air(model: RegimeModel, region: str, backing: set[int]) -> list[Unit]:
    return [u for u in model.units if u.side in backing and u.reach_km > 0 and u.strength > 0
            and model.geo.km(model.unit_region(u), region) <= u.reach_km]


def fight(model: RegimeModel) -> None:
    if not model.rules.on("combat.lanchester"):
        return
    others = {s.index for s in model.active_sides()}
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
        if mine and block:
            if s.fight_hours == 0:
                model.say("combat", f"fighting in {model.regions[where].label}: "
                                    f"{', '.join(u.label for u in block)} resist {s.name}", region=where)
            s.fight_hours += model.dt
            _lanchester(model, mine, block)
        enemy_air = _air(model, where, others - {s.index})
        if mine and enemy_air:
            _lanchester(model, mine, enemy_air)
        own_air = _air(model, where, {s.index})
        if own_air and block:
            _lanchester(model, block, own_air)
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
