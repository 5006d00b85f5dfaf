"""The ruler's responses: repress, pay, purge, concede, propagandise, call crowds, leave office."""

from __future__ import annotations

from .registry import rule


@rule(
    "ruler.repress",
    direction="crowd_deaths: lower",
    statement="When protest against him in a region passes repress_trigger, the ruler orders "
    "the loyal repressive units there to clear the streets and sends the nearest free one; "
    "after escalate_after_hours every loyal unit there is ordered in.",
    mechanism="regime response",
    literature=["Epstein (2002): cop density deters rebellion", "Lee (2015): the army is sent in "
                "when the police fail"],
    when_off="no unit is ordered to clear a street or sent anywhere",
)
def should_repress(protest_share: float, trigger: float) -> bool:
    return protest_share >= trigger


@rule(
    "ruler.pay",
    direction="challenge_wins: higher",
    statement="When a unit's loyalty falls below pay_floor and the budget allows, the ruler "
    "raises its pay (patronage, promotion).",
    mechanism="regime response",
    literature=["Bueno de Mesquita et al. (2003): private goods to the winning coalition"],
    when_off="the ruler never pays for loyalty",
)
def should_pay(loyalty: float, floor: float, budget: float, cost: float) -> bool:
    return loyalty < floor and budget >= cost


@rule(
    "ruler.purge",
    direction="defected_share_peak: higher",
    statement="When blame for a defeat on a top commander passes purge_blame, the ruler "
    "replaces him: the new man is loyal, afraid and unaggrieved, and not in any plot his "
    "predecessor had joined; his peers grow more afraid and aggrieved.",
    mechanism="blame and purge",
    literature=["Svolik (2012): purges as power-sharing failures",
                "Quinlivan (1999) Coup-proofing: rulers remove officers who could lead a coup",
                "Sudduth (2017) Strategic logic of elite purges in dictatorships: purges remove "
                "those able to move against the ruler"],
    when_off="nobody is purged for defeats",
)
def should_purge(grievance: float, threshold: float) -> bool:
    return grievance >= threshold


@rule(
    "ruler.concede",
    # a halted call-up halves the threat of the draft in the cities it spares, so fewer of their
    # people leave: with no concession, more emigrate, in every run where the ruler would concede.
    # (First stated as mobilized: higher, the 40-seed audit found none in mobilization_2022: the
    # concession also keeps the ruler in office more often - challenge_wins +20 points off - and
    # runs that end earlier draft fewer, so total mobilized turns on run length; emigrants +25,800
    # [+15,100, +36,400] off.)
    direction="emigrants: higher",
    statement="Fearing unrest in the big cities, the ruler halts a call-up there once protest "
    "elsewhere passes concede_trigger; faced with an ultimatum he may sack the leadership it "
    "blames, with a chance that falls as his strength rises.",
    mechanism="regime response",
    literature=[],
    when_off="the ruler never concedes",
)
def concede_ultimatum_probability(strength: float, propensity: float) -> float:
    return propensity * (1.0 - strength)


@rule(
    "ruler.propaganda",
    direction="final_legitimacy: lower",
    statement="When national legitimacy falls below propaganda_trigger and the budget allows, "
    "the ruler buys a propaganda campaign.",
    mechanism="regime response",
    literature=[],
    when_off="no propaganda is bought",
)
def should_propagandize(legitimacy: float, trigger: float, budget: float, cost: float) -> bool:
    return legitimacy < trigger and budget >= cost


@rule(
    "ruler.call_crowds",
    direction="challenge_wins: higher",
    statement="When an armed challenge threatens his seat and he is free, the ruler calls his "
    "supporters into the streets; those who answer are rally_reach of the mobilizable who see him "
    "as legitimate, and they count for him in forecasts and stand in the challengers' way.",
    mechanism="multiple sovereignty",
    literature=["Tilly (1978): rival claims to obedience", "Kuran (1991): a call is a focal point"],
    when_off="the ruler never calls crowds (a scripted rally call still does)",
)
def calls_crowds(threatened: bool, free: bool) -> bool:
    return threatened and free


@rule(
    "ruler.leave_office",
    direction="challenge_wins: lower",
    statement="The ruler leaves office (resigns, or flees if armed men close in) when his own "
    "forecast of prevailing falls below resign_below and the armed men at his seat no longer "
    "defend him more strongly than those against him, or, whatever his forecast, when his seat "
    "has been all but undefended (those defending it at most contest_share of those against "
    "him) for abandoned_hours.",
    mechanism="regime response",
    literature=["Svolik (2012): rulers exit when the inner circle withdraws support",
                "Chenoweth & Stephan (2011): security-force defection is the path to success"],
    when_off="the ruler never leaves office by himself (he can still be captured)",
)
def leaves_office(p_ruler: float, threshold: float, defended: float, against: float,
                  abandoned_for: float, patience_hours: float) -> bool:
    """``abandoned_for``: hours the seat has been all but undefended (see :func:`seat_abandoned`;
    negative: it is defended); past ``patience_hours`` he leaves whatever he believes (his
    forecast blends in his reputation, which lags the facts)."""
    if abandoned_for >= 0 and abandoned_for >= patience_hours:
        return True
    return p_ruler < threshold and defended <= against


def seat_abandoned(defended: float, against: float, share: float) -> bool:
    """The seat is all but undefended: those defending it are at most ``share`` of those against."""
    return against > 0 and defended <= share * against


@rule(
    "ruler.move",
    direction="challenge_wins: higher",
    statement="A ruler away from his seat while it is contested travels to the most populous "
    "region where his side's power exceeds everyone else's, and rallies there: seen free and in "
    "command, he unmakes reappearance_cut of the fact a challenger has made by holding the seat or "
    "the broadcasts (units.make_a_fact).",
    mechanism="multiple sovereignty",
    literature=["Singh (2014): the incumbent's reappearance unmakes the plotters' fact"],
    when_off="the ruler stays where he is",
)
def safe_haven(options: list[tuple[str, float, float, float]]) -> str | None:
    """``options``: (region, population, his power there, others' power there)."""
    ok = [(pop, name) for name, pop, mine, theirs in options if mine > theirs]
    return max(ok)[1] if ok else None
