"""Rules of the inside coup: recruiting plotters, moving, seizing the sites that make a fact."""

from __future__ import annotations

from .registry import rule


@rule(
    "coup.recruit",
    direction="coup_succeeds: lower",
    statement="When the regime looks weak, an aggrieved, disloyal mid-rank or top commander "
    "joins the plot with a daily chance m rate (1 - loyalty) (grievance + cash appeal) (1 - S).",
    mechanism="inside coup",
    literature=["Svolik (2012): most autocrats are removed by insiders"],
    when_off="only the commanders the scenario names as conspirators plot",
)
def recruit_probability(loyalty: float, grievance: float, cash: float, strength: float,
                        per_day: float, dt_hours: float, rank: str, multiplier: float) -> float:
    if rank == "unit":
        return 0.0
    p_day = per_day * (1.0 - loyalty) * min(1.0, grievance + cash) * (1.0 - strength) * multiplier
    return min(1.0, p_day) * dt_hours / 24.0


@rule(
    "coup.move",
    direction="regime_survives: higher",
    statement="Plotters strike when the regime's perceived strength falls below their trigger "
    "and they command enough of the capital's armed strength; they do not count the "
    "counterweights against them.",
    mechanism="inside coup",
    literature=[
        "Singh (2014)",
        "De Bruin (2018): counterbalancing lowers coup success but not attempts",
    ],
    when_off="plotters only move when a scenario scripts a coup attempt",
)
def plotters_move(strength: float, trigger: float, plotters_share: float, min_share: float) -> bool:
    return strength < trigger and plotters_share >= min_share


@rule(
    "coup.seize_sites",
    direction="coup_succeeds: lower",
    statement="Plotters who outnumber the loyal forces in the capital take the broadcasts and "
    "the seat of power in seize_hours, at a pace set by their local superiority.",
    mechanism="inside coup",
    literature=["Singh (2014): making a fact through broadcasts"],
    when_off="plotters cannot seize sites; a coup can only win by defections",
)
def seize_progress(plotters: float, loyal: float, seize_hours: float, dt_hours: float) -> float:
    if plotters <= loyal:
        return 0.0
    superiority = (plotters - loyal) / plotters
    return superiority * dt_hours / seize_hours
