"""Combat between forces that meet: Lanchester's square law."""

from __future__ import annotations

from .registry import rule


@rule(
    "combat.lanchester",
    direction="casualties: lower",
    statement="Forces that meet lose men each hour in proportion to the enemy's effective "
    "strength (Lanchester's square law).",
    mechanism="combat",
    literature=["Lanchester (1916) Aircraft in Warfare"],
    when_off="forces that meet do not fight: blocks are bluffs",
)
def lanchester_losses(a: float, b: float, a_power: float, b_power: float, k: float,
                      dt_hours: float) -> tuple[float, float]:
    """Men lost by side a and side b in dt_hours."""
    loss_a = min(a, k * b * b_power * dt_hours)
    loss_b = min(b, k * a * a_power * dt_hours)
    return loss_a, loss_b
