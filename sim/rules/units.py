"""How a unit's commander chooses a stance: loyal, standing aside, or defected.

This is the file to read to find out what makes a unit defect. The choice is a
coordination game (Singh 2014): a commander forecasts who will win from the armed
strength he sees on each side (nationally and in his own region), from the regime's
perceived strength, and from who holds the capital; he weighs what each side pays or
offers, his grievance and his fear of punishment (selectorate theory); and he picks a
stance with logit noise (quantal response), so one unit's move can tip the next.
"""

from __future__ import annotations

import math

import numpy as np

from .registry import rule

LOYAL, ASIDE, DEFECTED = 0, 1, 2
STANCES = ("loyal", "standing aside", "defected")


def _clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


@rule(
    "units.local_cascade",
    statement="A commander weighs what the units in his own region do as heavily as the "
    "national picture (local_weight), so a defection next door can tip him.",
    mechanism="coordination",
    evidence=[("004", "join rebel forces with their battalions or divisions")],
    literature=["Granovetter (1978): thresholds and cascades"],
    when_off="commanders see only national totals",
)
def seen_loyal_share(q_nat: float, q_loc: float, has_local: bool, local_weight: float) -> float:
    return q_nat if not has_local else (1.0 - local_weight) * q_nat + local_weight * q_loc


@rule(
    "units.make_a_fact",
    statement="Holding the capital and its broadcasts 'makes a fact': every commander's "
    "forecast of the incumbent's victory drops by fact_bonus (half of it for the TV alone).",
    mechanism="inside coup",
    evidence=[
        ("004", "take over the TV and other crucial objects"),
        ("000", "so that his followers would understand that any fighting appeared to be pointless"),
    ],
    literature=["Singh (2014) Seizing Power: the strategic logic of military coups"],
    when_off="seizing sites changes nobody's forecast",
)
def fact_shift(challenger_holds_capital: bool, broadcasts_seized: bool, bonus: float) -> float:
    if challenger_holds_capital:
        return bonus
    return 0.5 * bonus if broadcasts_seized else 0.0


@rule(
    "units.expected_winner",
    statement="A commander's forecast that the incumbent wins is a Tullock contest of the "
    "loyal and challenging strength he sees, blended with the regime's perceived strength "
    "and shifted by who has 'made a fact'.",
    mechanism="coordination",
    evidence=[("004", "One must have armed people behind them to play a significant role in Russia")],
    literature=[
        "Singh (2014): officers back the side they expect to win",
        "Tullock (1980) contest success function",
    ],
    when_off="forecasts use the regime's perceived strength only",
)
def incumbent_win_probability(
    q: float, decisiveness: float, prior_weight: float, strength: float, fact: float
) -> float:
    """``q``: loyal share of the strength seen, in [0, 1]."""
    a = q**decisiveness
    b = (1.0 - q) ** decisiveness
    csf = a / (a + b) if a + b > 0 else 0.5
    return _clip((1.0 - prior_weight) * csf + prior_weight * strength - fact, 0.02, 0.98)


@rule(
    "units.pay_and_immunity",
    statement="Cash offered to defectors adds a concave appeal w c/(c + c_half); promised "
    "immunity cuts the punishment a defector fears if the incumbent wins.",
    mechanism="defection for pay and immunity",
    evidence=[("004", "get immunity and a generous amount of cash in hard currency")],
    literature=["Bueno de Mesquita et al. (2003) The Logic of Political Survival"],
    when_off="offers of cash and immunity are ignored",
)
def cash_appeal(cash_kusd: float, half_kusd: float, weight: float = 1.0) -> float:
    return weight * cash_kusd / (cash_kusd + half_kusd) if cash_kusd > 0 else 0.0


@rule(
    "units.counterweight",
    statement="A counterweight force (guard, Rosgvardia, Chechen units) is tied to the ruler "
    "personally: staying loyal is worth an extra tie, as its men lose everything with him.",
    mechanism="coordination",
    evidence=[("000", "Against fighting between the Chechens and the National Guard on the streets")],
    literature=["De Bruin (2018) Preventing coups d'etat; (2020) How to Prevent Coups d'Etat"],
    when_off="counterweights decide like any other unit",
)
def counterweight_tie(is_counterweight: bool, tie: float) -> float:
    return tie if is_counterweight else 0.0


@rule(
    "units.stance_choice",
    statement="A commander compares the expected value of loyalty (pay and attachment if the "
    "ruler wins, punishment if not), of defection (offer, grievance, cash if the challenger "
    "wins, punishment times fear if not) and of standing aside (a small penalty either way), "
    "minus the cost of fighting a stronger force on his doorstep, and picks one by logit.",
    mechanism="coordination",
    evidence=[
        ("002", "It is from the colonels and one-star generals"),
        ("004", "join rebel forces with their battalions or divisions"),
        ("003", "the elites in Russia will draw their own conclusions"),
    ],
    literature=[
        "Singh (2014): coups as coordination games",
        "Bueno de Mesquita et al. (2003): defect when the challenger pays more",
        "McKelvey & Palfrey (1995): quantal response (logit) choice",
    ],
    when_off="no unit ever changes stance: the armed forces stay as they began",
)
def stance_utilities(
    p: float,
    attach_incumbent: float,
    attach_challenger: float,
    cash: float,
    fear: float,
    immunity: float,
    punishment: float,
    aside_penalty: float,
    fight_cost: float,
    tie: float,
    compromised: bool = False,
) -> tuple[float, float, float]:
    """Utilities of (loyal, aside, defected) for a commander whose forecast is ``p``.

    ``fight_cost`` is what a loyal stand costs when a stronger enemy is in his region.
    ``compromised``: his unit already rose with the challenger, so if the ruler wins he is
    punished whatever he does now (unless amnesty is offered later).
    """
    u_loyal = p * attach_incumbent - (1.0 - p) * 0.5 * punishment + tie - fight_cost
    u_defect = (1.0 - p) * attach_challenger + cash - p * punishment * fear * (1.0 - immunity)
    u_aside = -aside_penalty * (p * fear + (1.0 - p) * 0.5)
    if compromised:
        u_loyal -= p * punishment * fear
        u_aside -= p * punishment * fear
    return u_loyal, u_aside, u_defect


def logit_choice(
    utilities: tuple[float, float, float], current: int, switch_cost: float, temperature: float, u: float
) -> int:
    """Quantal-response draw over the three stances; the current stance has a switch-cost edge."""
    vals = [utilities[i] + (switch_cost if i == current else 0.0) for i in range(3)]
    top = max(vals)
    w = [math.exp((v - top) / temperature) for v in vals]
    total = w[0] + w[1] + w[2]
    acc = 0.0
    for i in range(3):
        acc += w[i] / total
        if u < acc:
            return i
    return 2


def stance_probabilities(utilities: tuple[float, float, float], current: int, switch_cost: float,
                         temperature: float) -> np.ndarray:
    vals = np.array([utilities[i] + (switch_cost if i == current else 0.0) for i in range(3)])
    w = np.exp((vals - vals.max()) / temperature)
    return w / w.sum()


@rule(
    "units.loyalty_drift",
    statement="A commander's attachment to the ruler drifts toward 0.25 + 0.5 pay + "
    "0.5 S - 0.5 grievance: patronage and a strong-looking regime buy loyalty, grievance erodes it.",
    mechanism="blame and purge",
    evidence=[
        ("002", "Putin promoted Kadyrov to the rank of colonel general"),
        ("003", "rapidly eroded Putin"),
    ],
    literature=["Svolik (2012) The Politics of Authoritarian Rule"],
    when_off="loyalty stays where the scenario set it",
)
def loyalty_target(pay: float, strength: float, grievance: float) -> float:
    return _clip(0.25 + 0.5 * pay + 0.5 * strength - 0.5 * grievance)


def drift(value: float, target: float, per_day: float, dt_hours: float) -> float:
    return value + (target - value) * min(1.0, per_day * dt_hours / 24.0)


@rule(
    "units.blame",
    statement="A defeat brings blame on the MoD: its top and mid-rank commanders gain "
    "grievance and fear in proportion to the defeat's severity.",
    mechanism="blame and purge",
    evidence=[
        ("002", "including Russian President Vladimir Putin himself"),
        ("000", "they are afraid of responsibility"),
    ],
    literature=[],
    when_off="defeats do not change the commanders' grievance or fear",
)
def blame(grievance: float, fear: float, severity: float, rank: str) -> tuple[float, float]:
    weight = {"top": 1.0, "mid": 0.6, "unit": 0.2}[rank]
    return _clip(grievance + 0.25 * severity * weight), _clip(fear + 0.15 * severity * weight)
