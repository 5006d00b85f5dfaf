"""Combat between forces that meet: Lanchester's square law on the ground, strikes from the air."""

from __future__ import annotations

from collections.abc import Callable

from .registry import rule


@rule(
    "combat.lanchester",
    direction="casualties: lower",
    statement="Forces that meet lose men each hour in proportion to the enemy's effective "
    "strength (Lanchester's square law).",
    mechanism="combat",
    literature=["Lanchester (1916) Aircraft in Warfare"],
    when_off="forces that meet on the ground do not fight: blocks are bluffs (air units still "
    "strike while rule combat.air_strike is on)",
)
def lanchester_losses(a: float, b: float, a_power: float, b_power: float, k: float,
                      dt_hours: float) -> tuple[float, float]:
    """Men lost by side a and side b in dt_hours."""
    loss_a = min(a, k * b * b_power * dt_hours)
    loss_b = min(b, k * a * a_power * dt_hours)
    return loss_a, loss_b


@rule(
    "combat.air_strike",
    direction="casualties: higher",
    statement="An air unit stands in no ground combat. While it backs a side (and has taken it in "
    "the crisis), each of its aircraft strikes an enemy ground force within its reach "
    "sorties_per_day times a day; each sortie kills kill_per_sortie men of the force, and each "
    "aircraft is shot down with the force's air_defence chance per sortie, killing its crew "
    "(crew_per_aircraft). The unit loses aircraft and crews, not its men on the ground; its "
    "combat power falls with the aircraft it has left.",
    mechanism="combat",
    literature=["Morse & Kimball (1951) Methods of Operations Research: attrition as a loss rate "
                "per sortie",
                "Lanchester (1916) Aircraft in Warfare: air power as a weight added to the ground battle"],
    when_off="air units fight as ground units do: their whole strength stands in Lanchester "
    "combat with the force they engage (as before this rule), and no aircraft is lost",
)
def air_strike(aircraft: int, sorties_per_day: float, kill_per_sortie: float, air_defence: float,
               dt_hours: float, binomial: Callable[[int, float], int]) -> tuple[int, float, int]:
    """(sorties flown, men of the target killed, aircraft shot down) in dt_hours.

    ``binomial(n, p)`` draws the number of successes of n trials (the model's generator): each
    aircraft flies in the step with chance sorties_per_day x dt / 24 (at most one sortie a step),
    and each sortie loses its aircraft with chance air_defence.
    """
    if aircraft <= 0 or sorties_per_day <= 0:
        return 0, 0.0, 0
    sorties = int(binomial(aircraft, min(1.0, sorties_per_day * dt_hours / 24.0)))
    if sorties == 0:
        return 0, 0.0, 0
    lost = int(binomial(sorties, air_defence)) if air_defence > 0 else 0
    return sorties, sorties * kill_per_sortie, lost
