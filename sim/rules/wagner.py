"""Rules of the private military company: attrition, ultimatum, march, the deal."""

from __future__ import annotations

import math

from .registry import rule


def _clip(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


@rule(
    "wagner.attrition",
    statement="At the front the PMC loses a share of its men each day, and its leader's "
    "grievance against the MoD grows with every share lost.",
    mechanism="rivalry and attrition",
    evidence=[
        ("004", "use Bakhmut to remove Prigozhin"),
        ("004", "Wagner’s losses were dramatically high"),
    ],
    literature=["Lanchester-style attrition; rivalry among counterweights (De Bruin 2018)"],
    when_off="no losses at the front; grievance does not grow",
)
def attrition(strength: float, grievance: float, per_day: float, per_loss: float,
              dt_hours: float) -> tuple[float, float, float]:
    """Return (new strength, men lost, new grievance)."""
    lost = strength * per_day * dt_hours / 24.0
    share = lost / strength if strength > 0 else 0.0
    return strength - lost, lost, _clip(grievance + per_loss * share)


@rule(
    "wagner.popularity",
    statement="A victory sold by propaganda raises the PMC leader's popularity.",
    mechanism="rivalry and attrition",
    evidence=[("004", "trying to keep Prigozhin popular")],
    literature=[],
    when_off="victories do not change his popularity",
)
def popularity_after_victory(popularity: float, severity: float) -> float:
    return _clip(popularity + 0.2 * severity)


@rule(
    "wagner.ultimatum",
    statement="When the leader's grievance passes his threshold he issues an ultimatum: "
    "sack the army leaders or he moves his forces on the capital.",
    mechanism="mutiny",
    evidence=[
        ("003", "The ultimatum was clear"),
        ("003", "would move his forces to Moscow"),
    ],
    literature=[],
    when_off="the leader never issues an ultimatum by himself (a scripted one still fires)",
)
def issues_ultimatum(grievance: float, threshold: float) -> bool:
    return grievance >= threshold


def _logit2(u_a: float, u_b: float, temperature: float) -> float:
    """Probability of choosing a over b."""
    z = (u_a - u_b) / temperature
    if z > 50:
        return 1.0
    if z < -50:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


@rule(
    "wagner.march",
    statement="After an unmet ultimatum the leader marches if the expected value of power "
    "(his chance times ambition plus popularity, less the cost of failure) beats the "
    "humiliation of backing down (his grievance), with logit noise.",
    mechanism="mutiny",
    evidence=[
        ("003", "would move his forces to Moscow"),
        ("004", "One must have armed people behind them to play a significant role in Russia"),
    ],
    literature=["Bueno de Mesquita et al. (2003): challengers move when the value of power is high"],
    when_off="an unmet ultimatum is not followed by a march (a scripted march still fires)",
)
def march_probability(p_win: float, ambition: float, popularity: float, grievance: float,
                      death_cost: float, temperature: float) -> float:
    u_march = p_win * (ambition + popularity) - (1.0 - p_win) * death_cost
    u_stay = -grievance
    return _logit2(u_march, u_stay, temperature)


@rule(
    "wagner.accept_deal",
    statement="Offered guarantees and exile through a mediator, the leader accepts if they are "
    "worth more than pressing on (his chance times ambition plus popularity, less the cost "
    "of failure), with logit noise.",
    mechanism="mutiny",
    evidence=[("003", "with 200 km remaining in exchange for a dubious deal of security "
               "guarantees, personal expulsion and dismantling of PMC Wagner")],
    literature=["Fearon (1995): bargains beat costly fighting when both can see the odds"],
    when_off="the leader refuses every deal",
)
def accept_probability(p_win: float, ambition: float, popularity: float, guarantee: float,
                       death_cost: float, temperature: float) -> float:
    u_continue = p_win * (ambition + popularity) - (1.0 - p_win) * death_cost
    return _logit2(guarantee, u_continue, temperature)
