"""Crowds that back a side, troops that face them, and repression that backfires."""

from __future__ import annotations

import math

from .registry import rule


@rule(
    "crowds.rally",
    direction="peak_called_crowds: lower",
    statement="A called crowd gathers toward (mobilizable people) x (support for the caller) x "
    "(the caller's reach), with time constant rally_hours, and melts away the same way when the "
    "call ends.",
    mechanism="multiple sovereignty",
    literature=["Tilly (1978) From Mobilization to Revolution: multiple sovereignty",
                "Kuran (1991): a call is a focal point"],
    when_off="calls bring nobody out",
)
def rally_step(crowd: float, target: float, dt_hours: float, tau_hours: float) -> float:
    return target + (crowd - target) * math.exp(-dt_hours / tau_hours)


@rule(
    "crowds.fire",
    direction="crowd_deaths: lower",
    statement="A unit ordered to clear a crowd fires with chance fire_propensity x k m/(k m + c): "
    "its institution's disposition, less as the crowd c grows beside its m men; otherwise it "
    "holds back (arrests only). Refusing outright is a change of side (units.stance_choice).",
    mechanism="repression",
    literature=["Lee (2015) Defect or Defend", "Barany (2016) How Armies Respond to Revolutions",
                "Nepstad (2011) Nonviolent Revolutions"],
    when_off="no unit ever fires on a crowd",
)
def fire_probability(propensity: float, men: float, crowd: float, crowd_per_man: float) -> float:
    if crowd <= 0 or men <= 0:
        return 0.0
    k = crowd_per_man * men
    return propensity * k / (k + crowd)


@rule(
    "crowds.lethality",
    direction="crowd_deaths: lower",
    statement="Troops who fire kill lethality_per_hour people per firing man per hour, never more "
    "than a tenth of the crowd in an hour.",
    mechanism="repression",
    literature=["Francisco (2005) The Dictator's Dilemma"],
    when_off="firing kills nobody",
)
def deaths(men_firing: float, crowd: float, per_hour: float, dt_hours: float) -> float:
    return min(men_firing * per_hour * dt_hours, 0.1 * crowd * dt_hours)


@rule(
    "crowds.backfire",
    direction="peak_protest_share: lower",
    statement="Killing a side's crowd backfires on the killers: legitimacy of the ruler (if his "
    "men fired) falls by backfire x (1 - exp(-deaths/outrage_deaths)), and the outrage brings "
    "more people out for the side that was fired on.",
    mechanism="repression",
    literature=["Hess & Martin (2006) Repression, backfire, and the theory of transformative "
                "events, Mobilization 11(2)", "Francisco (2005) The Dictator's Dilemma"],
    when_off="deaths change nobody's mind",
)
def outrage(deaths_total: float, backfire: float, outrage_deaths: float) -> float:
    """The legitimacy lost (and support gained by the victims' side) after ``deaths_total``."""
    return backfire * (1.0 - math.exp(-deaths_total / outrage_deaths))


@rule(
    "crowds.outrage_spreads",
    direction="final_legitimacy: higher",
    statement="News of a killing carries its outrage beyond the region where it happened: when "
    "crowds.backfire costs region A an amount d, every other region B loses d x outrage_reach x "
    "exp(-km(A, B)/reach_km) of legitimacy (if the ruler's men fired) and its people gain as much "
    "outrage for the side that was fired on.",
    mechanism="repression",
    literature=["Francisco (2004) After the massacre: mobilization in the wake of harsh repression, "
                "Mobilization 9(2)",
                "Hess & Martin (2006) Repression, backfire, and the theory of transformative events, "
                "Mobilization 11(2): outrage needs the news to reach an audience",
                "Sutton, Butcher & Svensson (2014) Explaining political jiu-jitsu, Journal of Peace "
                "Research 51(5)"],
    when_off="outrage stays in the region where the killing happened",
)
def spread_outrage(local: float, reach: float, nearness: float) -> float:
    """The outrage a region at ``nearness`` (exp(-km/reach_km)) takes from ``local`` outrage elsewhere."""
    return local * reach * nearness
