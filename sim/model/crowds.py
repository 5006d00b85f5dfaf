"""Crowds that back a side, and troops ordered to clear them: fire, hold back, or refuse.

Refusing outright is a change of side (``sim.model.stances``); this module decides whether
ordered units open fire, counts the dead by region and side, and applies the backfire (and
spreads its news to the other regions).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ..rules import crowds as K

if TYPE_CHECKING:
    from .agents import Side
    from .model import RegimeModel


def gather(model: RegimeModel) -> None:
    """Called crowds gather toward their target, or melt away when the call has ended."""
    if not model.rules.on("crowds.rally"):
        return
    if not any(s.calls for s in model.sides) and not any(any(r.rally) for r in model.regions.values()):
        return
    pub = model.spec.public
    for s in model.sides:
        reach = model.spec.ruler.rally_reach if s.is_ruler else 1.0
        for name, r in model.regions.items():
            calling = s.calls.get(name, -1.0) > model.hour and (s.is_ruler or s.standing)
            if calling:
                support = (r.legitimacy if s.is_ruler else s.popularity) + r.outrage[s.index]
                target = r.stayers * pub.mobilizable_share * min(1.0, max(0.0, support)) * reach
            else:
                target = 0.0
            if target == 0.0 and r.rally[s.index] == 0.0:
                continue
            r.rally[s.index] = K.rally_step(r.rally[s.index], target, model.dt, pub.rally_hours)
            if r.rally[s.index] < 1.0 and target == 0.0:
                r.rally[s.index] = 0.0
            r.peak_rally = max(r.peak_rally, sum(r.rally))
    model.peak_called = max(model.peak_called, sum(sum(r.rally) for r in model.regions.values()))


def _against(model: RegimeModel, region: str, side: int, active: list[Side],
             protesters: float) -> dict[int, float]:
    """The people in the streets of ``region`` against ``side``, by the side they back (-1: a
    protest that backs no declared side); ``active``: ``model.active_sides()``, which the caller
    asks once an hour rather than once a region and side; ``protesters``: the region's."""
    r = model.regions[region]
    out: dict[int, float] = {}
    street = model.street_side()
    for s in active:
        if s.index != side:
            out[s.index] = r.rally[s.index]
    if side == 0:  # every protester on the street is against the ruler, a movement or not
        key = street if street is not None else -1
        out[key] = out.get(key, 0.0) + protesters
    elif street is not None and model.sides[street].active and street != side:
        out[street] = out.get(street, 0.0) + protesters
    return {k: v for k, v in out.items() if v > 0}


def _orders(model: RegimeModel, region: str, here: list, against_ruler: dict[int, float],
            in_office: bool, armed: list[Side]) -> dict[int, list]:
    """Which units are ordered to clear the crowds here: the ruler's repressive units (all his
    units there once escalate_after_hours have passed), and any armed challenger's units.

    ``here``: the units in ``region``, in the model's order; ``against_ruler``: ``_against(model,
    region, 0, ...)``; ``in_office``: the ruler's; ``armed``: the active armed
    challengers (the last two asked once an hour)."""
    kr = model.spec.ruler
    r = model.regions[region]
    out: dict[int, list] = {}
    stayers = r.stayers
    if model.rules.is_on["ruler.repress"] and in_office and stayers > 0 and \
            sum(against_ruler.values()) / stayers >= kr.repress_trigger:
        if r.clear_since is None:
            r.clear_since = model.hour
        everyone = model.hour - r.clear_since >= kr.escalate_after_hours
        out[0] = [u for u in here if u.side == 0 and u.travel is None
                  and u.reach_km == 0 and u.strength > 0 and (u.repressive or everyone)]
    else:
        r.clear_since = None
    for s in armed:
        mine = [u for u in here if u.side == s.index and u.reach_km == 0 and u.strength > 0]
        if mine:
            out[s.index] = mine
    return out


def _spread_outrage(model: RegimeModel, origin: str, side: int, victims: dict[int, float], delta: float) -> None:
    """Rule crowds.outrage_spreads: the news of killings in ``origin`` that cost it ``delta``
    (crowds.backfire) carries part of that outrage to every other region, by nearness."""
    reach = model.spec.public.outrage_reach
    for name, b in model.regions.items():
        if name == origin:
            continue
        d = K.spread_outrage(delta, reach, model.distance_weight_between(origin, name))
        if d > 0:
            _backfire(b, side, victims, d)


def _backfire(r, side: int, victims: dict[int, float], delta: float) -> None:
    """Killing by ``side``'s men costs region ``r`` ``delta``: the ruler's killings its
    legitimacy, for good (the baseline falls too); any side's, outrage for the victims' sides."""
    if side == 0:
        r.legitimacy = max(0.0, r.legitimacy - delta)
        r.baseline = max(0.0, r.baseline - delta)
    for i in victims:
        if i >= 0:
            r.outrage[i] += delta


def repression(model: RegimeModel) -> None:
    """Ordered units fire or hold back; the dead are counted; killing backfires."""
    on = model.rules.is_on.__getitem__
    el = model.spec.elites
    pub = model.spec.public
    # the units in each region, in the model's order, sorted once an hour, not per region
    here: dict[str, list] = defaultdict(list)
    for u in model.units:
        u.firing = False
        travel = u.travel
        here[travel.at if travel is not None else u.region].append(u)  # model.unit_region(u)
    # nothing here changes which sides are active or armed, or whether the ruler is in office
    active = model.active_sides()
    armed = [s for s in active[1:] if s.armed]  # active[0] is the ruler
    in_office = model.ruler.in_office
    for name, r in model.regions.items():
        protesters = r.protesters  # nothing here changes who protests or stays
        if protesters <= 0 and not any(r.rally):
            r.clear_since = None
            continue
        against_ruler = _against(model, name, 0, active, protesters)
        for side, units in _orders(model, name, here.get(name, []), against_ruler, in_office, armed).items():
            # nothing changes the crowds between _orders and here for the first side ordered
            victims = against_ruler if side == 0 else _against(model, name, side, active, protesters)
            crowd = sum(victims.values())
            if crowd <= 0 or not units:
                continue
            firing = 0.0
            for u in units:
                p = K.fire_probability(u.fire_propensity, u.strength, crowd, el.crowd_per_policeman) \
                    if on("crowds.fire") else 0.0
                if model.rng.random() < p:
                    u.firing = True
                    firing += min(u.strength, crowd / el.crowd_per_policeman)
            if firing <= 0:
                continue
            dead = K.deaths(firing, crowd, pub.lethality_per_hour, model.dt) if on("crowds.lethality") else 0.0
            if dead <= 0:
                continue
            first = r.deaths == 0
            r.deaths += dead
            model.crowd_deaths += dead
            model.casualties += dead
            killer = model.sides[side]
            for i, c in victims.items():
                if i >= 0:
                    d = dead * c / crowd
                    model.deaths_by_side[i] += d
                    r.rally[i] = max(0.0, r.rally[i] - d)
            before = K.outrage(r.killed_by[side], pub.backfire, pub.outrage_deaths)
            r.killed_by[side] += dead
            delta = K.outrage(r.killed_by[side], pub.backfire, pub.outrage_deaths) - before
            if on("crowds.backfire") and delta > 0:
                _backfire(r, side, victims, delta)
                if pub.outrage_reach > 0 and on("crowds.outrage_spreads"):
                    _spread_outrage(model, name, side, victims, delta)
            if first:
                model.say("repression", f"{killer.possessive} men open fire on the crowds in {r.label}",
                          actor=killer.name, region=name, label="troops fire on crowds")
