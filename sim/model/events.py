"""Scripted events: what a scenario's timeline makes happen, one handler per event type."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..rules import legitimacy as L
from ..rules import units as U
from ..scenario import schema as S
from . import actors
from .state import Incursion, MobilizationState

if TYPE_CHECKING:
    from .model import RegimeModel


def fire_due(model: RegimeModel) -> None:
    evs = model._events
    while model._next_event < len(evs) and evs[model._next_event].at <= model.hour + 1e-9:
        ev = evs[model._next_event]
        model._next_event += 1
        HANDLERS[ev.type](model, ev)


def _side(model: RegimeModel, sid: str):
    return model.sides[model.side_index[sid]]


def _mobilization(model: RegimeModel, ev: S.Mobilization) -> None:
    on = model.rules.on
    regions = model.regions
    pop = {n: r.population for n, r in regions.items()}
    total_pop = sum(pop.values()) or 1.0
    weight = {n: pop[n] * (r.spec.mobilization_weight if on("public.draft") else 1.0) for n, r in regions.items()}
    total_w = sum(weight.values()) or 1.0
    model.mobilization = MobilizationState(ev.target_people, ev.duration_days, ev.evasion, model.hour)
    for n, r in regions.items():
        r.draft_share = weight[n] / total_w
        r.load = r.draft_share / (pop[n] / total_pop) if pop[n] > 0 else 0.0
        r.threat = 1.0
        if on("legitimacy.contract_break"):
            r.legitimacy = L.contract_break(r.legitimacy, r.load, model.spec.public.contract_break_drop)
            r.baseline = L.contract_break(r.baseline, r.load, model.spec.public.contract_break_drop)
    heavy = sorted(regions.values(), key=lambda r: (-r.load, r.name))[:2]
    model.say("mobilization", f"{model.ruler.name} {model.ruler.agree('announces', 'announce')} a mobilization: {ev.target_people:,} to be "
                              f"called up over {ev.duration_days:g} days; it falls hardest on "
                              f"{' and '.join(r.label for r in heavy)}", actor=model.ruler.name, label="mobilization")


def _halt(model: RegimeModel, ev: S.HaltMobilization) -> None:
    names = ev.regions or list(model.regions)
    for n in names:
        model.regions[n].halted = True
    if not ev.regions and model.mobilization is not None:
        model.mobilization.ended = model.hour
    model.say("mobilization", f"the call-up is halted in {', '.join(names) if ev.regions else 'every region'}",
              actor=model.ruler.name)


def _defeat(model: RegimeModel, ev: S.Defeat) -> None:
    on = model.rules.on
    k = model.ruler
    if on("legitimacy.defeat_shock"):
        k.strength, _ = L.defeat_shock(k.strength, 0.0, ev.severity, model.spec.elites.defeat_strength_drop)
        for r in model.regions.values():
            _, r.legitimacy = L.defeat_shock(0.0, r.legitimacy, ev.severity, model.spec.elites.defeat_strength_drop)
    blamed = {i for i, inst in model.spec.institutions.items() if inst.blamed_for_defeats}
    if on("units.blame"):
        for u in model.units:
            if u.institution in blamed:
                u.grievance, u.fear = U.blame(u.grievance, u.fear, ev.severity, u.rank)
    model.front_losses += ev.casualties
    who = ", ".join(sorted(model.spec.institutions[i].label or i for i in blamed)) or "nobody in particular"
    model.say("defeat", f"defeat at the front{': ' + ev.note if ev.note else ''} "
                        f"(severity {ev.severity:.1f}); blame falls on {who}; regime strength now {k.strength:.2f}",
              label="defeat")


def _victory(model: RegimeModel, ev: S.Victory) -> None:
    k = model.ruler
    k.strength = min(1.0, k.strength + 0.5 * model.spec.elites.defeat_strength_drop * ev.severity)
    model.say("victory", f"a victory is announced{': ' + ev.note if ev.note else ''}", label="victory")


def _strike(model: RegimeModel, ev: S.StrikeOnCapital) -> None:
    k = model.ruler
    cap = model.regions[model.capital]
    if model.rules.on("legitimacy.security_contract"):
        cap.legitimacy, k.strength = L.security_contract(
            cap.legitimacy, k.strength, ev.severity, model.spec.public.security_contract_drop,
            model.spec.elites.strike_strength_drop)
    model.say("strike", f"a strike reaches {cap.label}{': ' + ev.note if ev.note else ''}; "
                        f"the ruler cannot keep even the capital safe (regime strength {k.strength:.2f})",
              region=model.capital, label="strike on capital")


def _provocation(model: RegimeModel, ev: S.Provocation) -> None:
    s = _side(model, ev.actor)
    s.grievance = min(1.0, s.grievance + ev.grievance)
    model.say("challenger", f"{ev.note or "the ruler's men move against " + s.name}; {s.possessive} grievance is now "
                            f"{s.grievance:.2f}", actor=s.name, label="provocation")


def _ultimatum(model: RegimeModel, ev: S.Ultimatum) -> None:
    s = _side(model, ev.actor)
    if s.ultimatum_at is None and s.status == "dormant":
        actors.issue_ultimatum(model, s)


def _challenge(model: RegimeModel, ev: S.Challenge) -> None:
    s = _side(model, ev.actor)
    regions = (s.seat,) if s.mode == "street" else ()
    actors.open_challenge(model, s, regions)


def _leader_dies(model: RegimeModel, ev: S.LeaderDies) -> None:
    s = _side(model, ev.actor)
    if s.is_ruler:
        if s.in_office:
            s.status = "dead"
            model.say("ruler", f"{s.name} {s.agree('is', 'are')} dead{': ' + ev.note if ev.note else ''}", actor=s.name,
                      label="ruler dies")
    elif s.status in ("dormant", "active"):
        if s.active:
            actors.end_challenge(model, s, "crushed", f"{s.name} {s.agree('is', 'are')} dead; the challenge collapses")
        else:
            s.status = "crushed"
            model.say("challenger", f"{s.name} {s.agree('is', 'are')} dead{': ' + ev.note if ev.note else ''}", actor=s.name)


def _raid(model: RegimeModel, ev: S.Raid) -> None:
    side = model.side_index.get(ev.actor) if ev.actor else None
    model.incursions.append(Incursion(ev.region, float(ev.strength), model.hour + ev.duration_hours, side))
    r = model.regions[ev.region]
    k = model.ruler
    pub = model.spec.public
    size = min(1.0, ev.strength / pub.raid_scale_men)
    if model.rules.on("legitimacy.raid_shock"):
        for other in model.regions.values():
            other.legitimacy, _ = L.raid_shock(other.legitimacy, 0.0, size, pub.raid_rally)
        _, k.strength = L.raid_shock(0.0, k.strength, size, pub.raid_rally)
    if model.rules.on("legitimacy.raid_erosion"):
        r.baseline = L.raid_erosion(r.baseline, size, pub.raid_erosion)
    model.say("raid", f"{ev.strength:,} armed raiders cross into {r.label}{': ' + ev.note if ev.note else ''}",
              region=ev.region, label="raid")


def _purge(model: RegimeModel, ev: S.Purge) -> None:
    for key in ev.units:
        actors.purge_unit(model, model.unit_by_key[key], ev.note or "by decree")


def _protest_call(model: RegimeModel, ev: S.ProtestCall) -> None:
    r = model.regions[ev.region]
    r.focal_boost = ev.boost
    r.focal_until = model.hour + ev.duration_hours
    model.say("protest", f"a call to protest in {r.label}{': ' + ev.note if ev.note else ''}", region=ev.region,
              label="call to protest")


def _rally_call(model: RegimeModel, ev: S.RallyCall) -> None:
    s = _side(model, ev.actor)
    names = ev.regions or list(model.regions)
    actors.call_crowds(model, s, names, ev.duration_hours)
    where = ", ".join(model.regions[n].label for n in names) if ev.regions else "every region"
    model.say("rally", f"{s.name} {s.agree('calls', 'call')} supporters into the streets of {where}"
                       f"{': ' + ev.note if ev.note else ''}", actor=s.name, label="call to the streets")


def _legitimacy_shock(model: RegimeModel, ev: S.LegitimacyShock) -> None:
    names = ev.regions or list(model.regions)
    for n in names:
        r = model.regions[n]
        r.legitimacy = min(1.0, max(0.0, r.legitimacy + ev.delta))
        if ev.permanent:
            r.baseline = min(1.0, max(0.0, r.baseline + ev.delta))
    where = ", ".join(model.regions[n].label for n in names) if ev.regions else "every region"
    model.say("legitimacy", f"{ev.note or 'a shock to legitimacy'} ({ev.delta:+.2f} in {where})",
              label="legitimacy shock")


def _propaganda(model: RegimeModel, ev: S.Propaganda) -> None:
    if model.rules.on("legitimacy.propaganda_effect"):
        for r in model.regions.values():
            r.legitimacy = L.propaganda(r.legitimacy, ev.boost)
    model.say("ruler", f"a propaganda campaign{': ' + ev.note if ev.note else ''}", actor=model.ruler.name)


def _pay_rise(model: RegimeModel, ev: S.PayRise) -> None:
    for u in model.units:
        if u.institution == ev.institution:
            u.pay = min(1.0, u.pay + ev.amount)
    label = model.spec.institutions[ev.institution].label or ev.institution
    model.say("ruler", f"pay rises for the {label} (+{ev.amount:.2f})", actor=model.ruler.name)


def _sponsor(model: RegimeModel, ev: S.SponsorOffer) -> None:
    backs = model.side_index.get(ev.backs) if ev.backs else None
    model.sponsor = (ev.cash_kusd_per_man, ev.immunity, backs)
    model.say("sponsor", f"outside sponsors offer defectors USD {ev.cash_kusd_per_man:,.0f} thousand a man "
                         f"and immunity ({ev.immunity:.0%} credible)", label="sponsors offer cash")


HANDLERS: dict[str, Callable] = {
    "mobilization": _mobilization,
    "halt_mobilization": _halt,
    "defeat": _defeat,
    "victory": _victory,
    "strike_on_capital": _strike,
    "provocation": _provocation,
    "ultimatum": _ultimatum,
    "challenge": _challenge,
    "leader_dies": _leader_dies,
    "raid": _raid,
    "purge": _purge,
    "protest_call": _protest_call,
    "rally_call": _rally_call,
    "legitimacy_shock": _legitimacy_shock,
    "propaganda": _propaganda,
    "pay_rise": _pay_rise,
    "sponsor_offer": _sponsor,
}
assert set(HANDLERS) == set(S.EVENT_TYPES)
