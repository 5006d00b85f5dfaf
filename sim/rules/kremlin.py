"""The Kremlin's responses. The ruler has a budget and no exit of his own."""

from __future__ import annotations

from .registry import rule


@rule(
    "kremlin.repress",
    statement="When protest in a region passes repress_trigger, the Kremlin sends its nearest "
    "free loyal security unit there by road.",
    mechanism="regime response",
    evidence=[("000", "they insure themselves against internal riots, demonstrations, military coups")],
    literature=["Epstein (2002): cop density deters rebellion"],
    when_off="security units stay where they are",
)
def should_repress(protest_share: float, trigger: float) -> bool:
    return protest_share >= trigger


@rule(
    "kremlin.pay",
    statement="When a unit's loyalty falls below pay_floor and the budget allows, the Kremlin "
    "raises its pay (patronage, promotion).",
    mechanism="regime response",
    evidence=[("002", "Putin promoted Kadyrov to the rank of colonel general")],
    literature=["Bueno de Mesquita et al. (2003): private goods to the winning coalition"],
    when_off="the Kremlin never pays for loyalty",
)
def should_pay(loyalty: float, floor: float, budget: float, cost: float) -> bool:
    return loyalty < floor and budget >= cost


@rule(
    "kremlin.purge",
    statement="When blame for a defeat on a top commander passes purge_blame, the ruler "
    "replaces him: the new man is loyal and afraid; his peers grow more afraid and aggrieved.",
    mechanism="blame and purge",
    evidence=[
        ("002", "initiated a purge of lower-ranking military personnel"),
        ("000", "the heads of about 25 generals and a marshal of the Soviet Union rolled"),
    ],
    literature=["Svolik (2012): purges as power-sharing failures"],
    when_off="nobody is purged for defeats",
)
def should_purge(grievance: float, threshold: float) -> bool:
    return grievance >= threshold


@rule(
    "kremlin.concede",
    statement="Fearing unrest in the capital, the Kremlin halts mobilization there once protest "
    "elsewhere passes concede_trigger; faced with an ultimatum it may sack the army leaders "
    "with a chance that falls as its strength rises.",
    mechanism="regime response",
    evidence=[("001", "stopped their mobilization efforts out of fear that similar things would "
               "also happen there")],
    literature=[],
    when_off="the Kremlin never concedes",
)
def concede_ultimatum_probability(strength: float, propensity: float) -> float:
    return propensity * (1.0 - strength)


@rule(
    "kremlin.deal",
    statement="When a marching column comes within deal_distance_km of the capital, or the "
    "Kremlin's own forecast falls below deal_threshold, it offers guarantees and exile through "
    "a mediator, sweetening the offer every reoffer_hours.",
    mechanism="mutiny",
    evidence=[("003", "with 200 km remaining in exchange for a dubious deal of security "
               "guarantees, personal expulsion and dismantling of PMC Wagner")],
    literature=["Fearon (1995) Rationalist explanations for war"],
    when_off="no deal is ever offered",
)
def should_offer_deal(km_to_capital: float, deal_km: float, p_kremlin: float, threshold: float) -> bool:
    return km_to_capital <= deal_km or p_kremlin < threshold


@rule(
    "kremlin.propaganda",
    statement="When national legitimacy falls below propaganda_trigger and the budget allows, "
    "the Kremlin buys a propaganda campaign.",
    mechanism="regime response",
    evidence=[("004", "skilfully twisted and used by the Kremlin's propaganda")],
    literature=[],
    when_off="no propaganda is bought",
)
def should_propagandize(legitimacy: float, trigger: float, budget: float, cost: float) -> bool:
    return legitimacy < trigger and budget >= cost
