"""Scripted events: what a scenario's timeline makes happen, one handler per event type."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..rules import legitimacy as L
from ..rules import units as U
from ..rules import wagner as W
from ..scenario import schema as S
from . import decisions
from .state import Incursion, MobilizationState

if TYPE_CHECKING:
    from .model import RegimeModel


def fire_due(model: RegimeModel) -> None:
    evs = model._events
    while model._next_event < len(evs) and evs[model._next_event].at <= model.hour + 1e-9:
        ev = evs[model._next_event]
        model._next_event += 1
        HANDLERS[ev.type](model, ev)


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
    heavy = sorted(regions.values(), key=lambda r: -r.load)[:2]
    model.say("mobilization", f"the ruler announces a 'partial' mobilization: {ev.target_people:,} to be "
                              f"called up over {ev.duration_days:g} days; it falls hardest on "
                              f"{' and '.join(r.name for r in heavy)}", actor="Kremlin", label="mobilization")


def _halt(model: RegimeModel, ev: S.HaltMobilization) -> None:
    names = ev.regions or list(model.regions)
    for n in names:
        model.regions[n].halted = True
    if not ev.regions and model.mobilization is not None:
        model.mobilization.ended = model.hour
    model.say("mobilization", f"the call-up is halted in {', '.join(names) if ev.regions else 'every region'}",
              actor="Kremlin")


def _defeat(model: RegimeModel, ev: S.Defeat) -> None:
    on = model.rules.on
    k = model.kremlin
    if on("legitimacy.defeat_shock"):
        k.strength, _ = L.defeat_shock(k.strength, 0.0, ev.severity, model.spec.elites.defeat_strength_drop)
        for r in model.regions.values():
            _, r.legitimacy = L.defeat_shock(0.0, r.legitimacy, ev.severity, model.spec.elites.defeat_strength_drop)
    if on("units.blame"):
        for u in model.units:
            if u.faction == "military":
                u.grievance, u.fear = U.blame(u.grievance, u.fear, ev.severity, u.rank)
    model.casualties += ev.casualties
    model.say("defeat", f"defeat at the front{': ' + ev.note if ev.note else ''} "
                        f"(severity {ev.severity:.1f}); the MoD is blamed; regime strength now {k.strength:.2f}", label="defeat")


def _victory(model: RegimeModel, ev: S.Victory) -> None:
    k = model.kremlin
    k.strength = min(1.0, k.strength + 0.5 * model.spec.elites.defeat_strength_drop * ev.severity)
    if model.pmc is not None and model.rules.on("wagner.popularity"):
        model.pmc.popularity = W.popularity_after_victory(model.pmc.popularity, ev.severity)
    model.say("victory", f"a victory is announced{': ' + ev.note if ev.note else ''}", label="victory")


def _strike(model: RegimeModel, ev: S.StrikeOnCapital) -> None:
    k = model.kremlin
    cap = model.regions[model.capital]
    if model.rules.on("legitimacy.security_contract"):
        cap.legitimacy, k.strength = L.security_contract(
            cap.legitimacy, k.strength, ev.severity, model.spec.public.security_contract_drop,
            model.spec.elites.strike_strength_drop)
    model.say("strike", f"a strike reaches {model.capital}{': ' + ev.note if ev.note else ''}; "
                        f"the ruler cannot keep even the capital safe (regime strength {k.strength:.2f})",
              region=model.capital, label="strike on capital")


def _provocation(model: RegimeModel, ev: S.Provocation) -> None:
    pmc = model.pmc
    pmc.grievance = min(1.0, pmc.grievance + ev.grievance)
    model.say("pmc", f"{ev.note or 'the MoD moves against the PMC'}; {pmc.name}'s grievance is now "
                     f"{pmc.grievance:.2f}", actor=pmc.name, label="provocation")


def _ultimatum(model: RegimeModel, ev: S.Ultimatum) -> None:
    if model.pmc.ultimatum_at is None and not model.pmc.marching:
        decisions.issue_ultimatum(model)


def _march(model: RegimeModel, ev: S.March) -> None:
    decisions.start_mutiny(model)


def _coup(model: RegimeModel, ev: S.CoupAttempt) -> None:
    decisions.start_coup(model)


def _raid(model: RegimeModel, ev: S.Raid) -> None:
    model.incursions.append(Incursion(ev.region, float(ev.strength), model.hour + ev.duration_hours))
    r = model.regions[ev.region]
    k = model.kremlin
    if model.rules.on("legitimacy.raid_shock"):
        r.legitimacy, k.strength = L.raid_shock(r.legitimacy, k.strength, ev.strength, 1000.0)
    model.say("raid", f"{ev.strength:,} armed raiders cross into {ev.region}{': ' + ev.note if ev.note else ''}",
              region=ev.region, label="raid")


def _purge(model: RegimeModel, ev: S.Purge) -> None:
    for key in ev.units:
        decisions.purge_unit(model, model.unit_by_key[key], ev.note or "by decree")


def _protest_call(model: RegimeModel, ev: S.ProtestCall) -> None:
    r = model.regions[ev.region]
    r.focal_boost = ev.boost
    r.focal_until = model.hour + ev.duration_hours
    model.say("protest", f"a call to protest in {ev.region}{': ' + ev.note if ev.note else ''}", region=ev.region, label="call to protest")


def _legitimacy_shock(model: RegimeModel, ev: S.LegitimacyShock) -> None:
    names = ev.regions or list(model.regions)
    for n in names:
        r = model.regions[n]
        r.legitimacy = min(1.0, max(0.0, r.legitimacy + ev.delta))
        if ev.permanent:
            r.baseline = min(1.0, max(0.0, r.baseline + ev.delta))
    where = ", ".join(names) if ev.regions else "every region"
    model.say("legitimacy", f"{ev.note or 'a shock to legitimacy'} ({ev.delta:+.2f} in {where})", label="legitimacy shock")


def _propaganda(model: RegimeModel, ev: S.Propaganda) -> None:
    if model.rules.on("legitimacy.propaganda_effect"):
        for r in model.regions.values():
            r.legitimacy = L.propaganda(r.legitimacy, ev.boost)
    model.say("kremlin", f"a propaganda campaign{': ' + ev.note if ev.note else ''}", actor="Kremlin")


def _pay_rise(model: RegimeModel, ev: S.PayRise) -> None:
    for u in model.units:
        if u.faction == ev.faction:
            u.pay = min(1.0, u.pay + ev.amount)
    model.say("kremlin", f"pay rises for the {ev.faction} (+{ev.amount:.2f})", actor="Kremlin")


def _sponsor(model: RegimeModel, ev: S.SponsorOffer) -> None:
    model.sponsor = (ev.cash_kusd_per_man, ev.immunity)
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
    "march": _march,
    "coup_attempt": _coup,
    "raid": _raid,
    "purge": _purge,
    "protest_call": _protest_call,
    "legitimacy_shock": _legitimacy_shock,
    "propaganda": _propaganda,
    "pay_rise": _pay_rise,
    "sponsor_offer": _sponsor,
}
assert set(HANDLERS) == set(S.EVENT_TYPES)
