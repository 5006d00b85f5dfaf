"""Rules of a challenger's leader: attrition and grievance, ultimatum, march, giving up."""

from __future__ import annotations

import math

from .registry import rule


def _clip(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


def logit2(u_a: float, u_b: float, temperature: float) -> float:
    """Probability of choosing a over b."""
    z = (u_a - u_b) / temperature
    if z > 50:
        return 1.0
    if z < -50:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


@rule(
    "challenger.attrition",
    direction="front_losses: lower",
    statement="A challenger whose men fight at a front loses a share of them each day, and its "
    "leader's grievance against the ruler's men grows with every share lost.",
    mechanism="rivalry and attrition",
    literature=["rivalry among counterweights (De Bruin 2018)"],
    when_off="no losses at the front; grievance does not grow",
)
def attrition(strength: float, grievance: float, per_day: float, per_loss: float,
              dt_hours: float) -> tuple[float, float, float]:
    """Return (new strength, men lost, new grievance)."""
    lost = strength * per_day * dt_hours / 24.0
    share = lost / strength if strength > 0 else 0.0
    return strength - lost, lost, _clip(grievance + per_loss * share)


@rule(
    "challenger.ultimatum",
    direction="regime_survives: higher",
    statement="When a marching challenger's grievance passes its threshold its leader issues an "
    "ultimatum: sack the leadership he blames or he moves his forces on the target.",
    mechanism="mutiny",
    literature=[],
    when_off="no leader issues an ultimatum by himself (a scripted one still does)",
)
def issues_ultimatum(grievance: float, threshold: float) -> bool:
    return grievance >= threshold


def value_of_fighting(p_win: float, ambition: float, popularity: float, death_cost: float) -> float:
    """A leader's expected value of pressing on: power if he wins, ruin if he fails."""
    return p_win * (ambition + popularity) - (1.0 - p_win) * death_cost


@rule(
    "challenger.march",
    direction="regime_survives: higher",
    statement="After an unmet ultimatum the leader marches if the expected value of power "
    "(his own forecast times ambition plus popularity, less the cost of failure) beats the "
    "humiliation of backing down (his grievance), with logit noise.",
    mechanism="mutiny",
    literature=["Bueno de Mesquita et al. (2003): challengers move when the value of power is high"],
    when_off="an unmet ultimatum is not followed by a march (a scripted challenge still opens)",
)
def march_probability(p_win: float, ambition: float, popularity: float, grievance: float,
                      death_cost: float, temperature: float) -> float:
    return logit2(value_of_fighting(p_win, ambition, popularity, death_cost), -grievance, temperature)


@rule(
    "challenger.give_up",
    direction="time_to_outcome_h: higher",
    statement="A challenger whose own forecast of prevailing falls below give_up_below gives up "
    "(surrenders, disbands, goes home), with a chance per hour that grows as the forecast falls.",
    mechanism="coordination",
    literature=["Singh (2014): a coup that fails to make a fact in the first hours collapses as "
                "officers abandon it"],
    when_off="no challenger gives up by itself: it ends only by defeat, a deal or victory",
)
def give_up_probability(p_own: float, threshold: float, dt_hours: float) -> float:
    if p_own >= threshold or threshold <= 0:
        return 0.0
    return min(1.0, (1.0 - p_own / threshold) * dt_hours / 2.0)
