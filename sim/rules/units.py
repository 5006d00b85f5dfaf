"""How a unit's commander chooses a side: back the ruler, back a challenger, or stand aside.

This is the file to read to find out what makes a unit defect. The choice is a
coordination game (Singh 2014): a commander forecasts which side will prevail from the
armed strength (and crowds) he sees behind each, nationally and in his own region, from
the regime's perceived strength, and from who holds the capital; he weighs what each side
pays or offers, his grievance and his fear of punishment by whoever wins (selectorate
theory), the cost of fighting where he stands, and picks an option with logit noise
(quantal response), so one unit's move can tip the next. There may be any number of sides.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .registry import rule

if TYPE_CHECKING:
    import numpy as np

#: The stance a unit shows, whatever side it backs: the ruler's, none, or a challenger's.
LOYAL, ASIDE, DEFECTED = 0, 1, 2
STANCES = ("loyal", "standing aside", "defected")


def _clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


@rule(
    "units.local_cascade",
    direction="defected_share_peak: lower",
    statement="A commander weighs what the units and crowds in his own region back as heavily "
    "as the national picture (local_weight), so a defection next door can tip him.",
    mechanism="coordination",
    literature=["Granovetter (1978): thresholds and cascades"],
    when_off="commanders see only national totals",
)
def seen_shares(national: Sequence[float], local: Sequence[float], local_weight: float) -> list[float]:
    """Blend the national and local shares of power behind each side (local ignored if empty)."""
    tot_l = sum(local)
    tot_n = sum(national)
    n = [x / tot_n for x in national] if tot_n > 0 else [1.0 / len(national)] * len(national)
    if tot_l <= 0:
        return n
    return [(1.0 - local_weight) * a + local_weight * b / tot_l for a, b in zip(n, local, strict=True)]


@rule(
    "units.make_a_fact",
    direction="coup_succeeds: lower",
    statement="Holding the capital's seat and broadcasts 'makes a fact': every commander's "
    "forecast moves fact_bonus toward the side that holds them (half of it for the broadcasts alone); "
    "while the ruler is seen free and in command away from the seat (at the haven of ruler.move), "
    "reappearance_cut of that fact is unmade.",
    mechanism="inside coup",
    literature=["Singh (2014) Seizing Power: the strategic logic of military coups"],
    when_off="seizing sites changes nobody's forecast",
)
def fact_shift(holds_seat: bool, holds_broadcasts: bool, bonus: float, unmade: float = 0.0) -> float:
    """``unmade``: the share of the fact the ruler's reappearance unmakes (0: he is not seen)."""
    if holds_seat:
        return bonus * (1.0 - unmade)
    return 0.5 * bonus * (1.0 - unmade) if holds_broadcasts else 0.0


@rule(
    "units.expected_winner",
    direction="power_following_share: lower",
    statement="A commander's forecast that each side prevails is a Tullock contest of the power "
    "he sees behind each, blended with each side's prior (the ruler: perceived regime strength; "
    "the challengers share the rest) and moved toward whoever has made a fact.",
    mechanism="coordination",
    literature=[
        "Singh (2014): officers back the side they expect to win",
        "Tullock (1980) contest success function",
    ],
    when_off="forecasts use the sides' priors only",
)
def win_probabilities(shares: Sequence[float], decisiveness: float, prior_weight: float,
                      priors: Sequence[float], facts: Sequence[float]) -> list[float]:
    """``shares``: the share of the power seen behind each side; ``priors`` sum to 1;
    ``facts``: the fact bonus each side has made. Returns probabilities that sum to 1."""
    powered = [s**decisiveness for s in shares]
    tot = sum(powered)
    csf = [p / tot for p in powered] if tot > 0 else [1.0 / len(shares)] * len(shares)
    raw = [(1.0 - prior_weight) * c + prior_weight * q for c, q in zip(csf, priors, strict=True)]
    fact = sum(facts)
    if fact > 0.9:  # several sides' facts cannot claim more than the whole forecast
        facts = [f * 0.9 / fact for f in facts]
        fact = 0.9
    if fact > 0:
        raw = [r * (1.0 - fact) + f for r, f in zip(raw, facts, strict=True)]
    # no side is ever written off: a side below the floor gets the floor, and the others give
    # it up in proportion to their own forecasts - so more power behind a side never lowers it
    # (a side the others' giving up would take under the floor is held at it too, until none is)
    floor = 0.02
    low = [r < floor for r in raw]
    if not any(low):
        return raw
    while True:
        rest = sum(r for r, lo in zip(raw, low, strict=True) if not lo)
        if rest <= 0:
            return [1.0 / len(raw)] * len(raw)
        keep = (1.0 - floor * sum(low)) / rest
        held = [lo or r * keep < floor for r, lo in zip(raw, low, strict=True)]
        if held == low:
            return [floor if lo else r * keep for r, lo in zip(raw, low, strict=True)]
        low = held


@rule(
    "units.wait_and_see",
    direction="coup_fails: higher",
    statement="While a challenge is open, a unit that has not yet taken a side in it counts in "
    "everyone's forecasts at undeclared_weight of its power: commanders read what others have "
    "done, not the allegiance they owe, so a silent army is not yet an army for the ruler.",
    mechanism="coordination",
    literature=["Singh (2014) Seizing Power, ch. 2: a coup is a coordination game played on expectations "
                "of what other officers will do"],
    when_off="every unit counts at full power for the side it formally backs, declared or not",
)
def declared_weight(engaged: bool, undeclared_weight: float) -> float:
    return 1.0 if engaged else undeclared_weight


@rule(
    "units.pay_and_immunity",
    direction="defected_share_peak: lower",
    statement="Cash offered to defectors adds a concave appeal w c/(c + c_half); promised "
    "immunity cuts the punishment a defector fears if the ruler wins.",
    mechanism="defection for pay and immunity",
    literature=["Bueno de Mesquita et al. (2003) The Logic of Political Survival"],
    when_off="offers of cash and immunity are ignored",
)
def cash_appeal(cash_kusd: float, half_kusd: float, weight: float = 1.0) -> float:
    return weight * cash_kusd / (cash_kusd + half_kusd) if cash_kusd > 0 else 0.0


@rule(
    "units.counterweight",
    direction="challenge_wins: higher",
    statement="A unit of an institution tied personally to the ruler (its `ties`: a guard, a "
    "counterweight force) values backing him by that tie, as its men lose everything with him.",
    mechanism="coordination",
    literature=["De Bruin (2018) Preventing coups d'etat", "Lee (2015) Defect or Defend"],
    when_off="institutions' ties to the ruler count for nothing",
)
def ruler_tie(ties: float) -> float:
    return ties


def option_utilities(p: Sequence[float], attach: Sequence[float], cash: Sequence[float],
                     fight: Sequence[float], tie: float, fear: float, immunity: Sequence[float],
                     punishment: float, challenger_punishment: float, aside_penalty: float,
                     exposure: float, own: int) -> list[float]:
    """Utilities of backing each side (index 0 is the ruler), then of standing aside.

    ``p``: the commander's forecast for each side; ``attach``: what each side is worth to him
    if it wins; ``cash``: a sponsor's appeal for each side; ``fight``: the cost of backing
    each side where he stands; ``immunity``: how far each side's promised immunity shields
    him from the ruler; ``exposure``: the share of the ruler's punishment that falls on him
    whatever he does now, for having been in the plot of side ``own`` (0: none).
    """
    k = len(p)
    # what the winner does to a man: the ruler, by_ruler[i] to one who backed side i (promised
    # immunity shields a challenger's men); any challenger, by_challenger to one who backed
    # another side; each, a smaller penalty to one who stood aside. Worked out once, not per pair.
    by_ruler = [punishment * fear * (1.0 - (immunity[i] if i > 0 else 0.0)) for i in range(k)]
    by_challenger = punishment * challenger_punishment
    aside_by_ruler = aside_penalty * fear
    aside_by_challenger = aside_penalty * challenger_punishment
    exposed = exposure > 0 and own > 0
    out = []
    # sums over lists rather than generators: the same terms in the same order, a little faster
    for i in range(k):
        u = p[i] * attach[i] + cash[i] - fight[i] + (tie if i == 0 else 0.0)
        ruler = by_ruler[i]
        u -= sum([p[j] * (ruler if j == 0 else by_challenger) for j in range(k) if j != i])
        if exposed and i != own:
            u -= p[0] * punishment * fear * exposure
        out.append(u)
    aside = -sum([p[j] * (aside_by_ruler if j == 0 else aside_by_challenger) for j in range(k)])
    if exposed:
        aside -= p[0] * punishment * fear * exposure
    out.append(aside)
    return out


@rule(
    "units.stance_choice",
    direction="defected_share_peak: lower",
    statement="A commander compares the expected value of backing each side (what it is worth to "
    "him if it wins, less the punishment of whoever else wins, less the cost of fighting where "
    "he stands) and of standing aside (a smaller penalty from whoever wins), and picks one by logit.",
    mechanism="coordination",
    literature=[
        "Singh (2014): coups as coordination games",
        "Bueno de Mesquita et al. (2003): defect when the challenger pays more",
        "McKelvey & Palfrey (1995): quantal response (logit) choice",
    ],
    when_off="no commander reconsiders: every unit keeps the side it took when the crisis opened "
    "(the ruler's men keep defending him, a challenger's men keep following it)",
)
def logit_choice(utilities: Sequence[float], current: int, switch_cost: float, temperature: float,
                 u: float) -> int:
    """Quantal-response draw over the options; the current one has a switch-cost edge."""
    vals = [v + (switch_cost if i == current else 0.0) for i, v in enumerate(utilities)]
    top = max(vals)
    w = [math.exp((v - top) / temperature) for v in vals]
    total = sum(w)
    acc = 0.0
    for i, wi in enumerate(w):
        acc += wi / total
        if u < acc:
            return i
    return len(w) - 1


def choice_probabilities(utilities: Sequence[float], current: int, switch_cost: float,
                         temperature: float) -> np.ndarray:
    import numpy as np  # here, not at the top: listing the rules (regime-sim rules) needs no numpy

    vals = np.array([v + (switch_cost if i == current else 0.0) for i, v in enumerate(utilities)])
    w = np.exp((vals - vals.max()) / temperature)
    return w / w.sum()


@rule(
    "units.loyalty_drift",
    # what drift does to defection turns on the world: at the engine's defaults (loyalty 0.75,
    # pay 0.5, grievance 0.1, S 0.75) its target is 0.825 and loyalty rises; a weak regime and
    # aggrieved commanders pull it down. What switching it off does in every world is what its
    # when_off text says: loyalty stays where it began. (Stated first as defected_share_peak:
    # lower, the 40-seed audit found no detectable effect in any bundled world.)
    direction="final_loyalty_shift: lower",
    statement="A commander's attachment drifts toward base + w_pay pay + w_S S - w_g grievance: "
    "patronage and a strong-looking regime buy loyalty, grievance erodes it.",
    mechanism="blame and purge",
    literature=["Svolik (2012) The Politics of Authoritarian Rule"],
    when_off="loyalty stays where the scenario set it",
)
def loyalty_target(pay: float, strength: float, grievance: float, base: float, w_pay: float,
                   w_strength: float, w_grievance: float) -> float:
    x = base + w_pay * pay + w_strength * strength - w_grievance * grievance
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x  # _clip(x), inlined: asked for every unit every hour


def drift_rate(per_day: float, dt_hours: float) -> float:
    """The share of the way to its target that loyalty moves in a step of ``dt_hours``."""
    return min(1.0, per_day * dt_hours / 24.0)


def drift(value: float, target: float, rate: float) -> float:
    """``value`` moved ``rate`` (:func:`drift_rate`, the same for every unit) toward ``target``."""
    return value + (target - value) * rate


@rule(
    "units.blame",
    # what blame does to defection depends on the ruler: blamed men are readier to defect, and a
    # ruler who purges replaces them first (mechanism_purge: with blame off there is no purge
    # and the plot recruits its general). The grievance it adds is its effect in every world.
    direction="peak_commander_grievance: lower",
    statement="A defeat brings blame on the institutions blamed for it: their top and mid-rank "
    "commanders gain grievance and fear in proportion to the defeat's severity.",
    mechanism="blame and purge",
    literature=[],
    when_off="defeats do not change the commanders' grievance or fear",
)
def blame(grievance: float, fear: float, severity: float, rank: str) -> tuple[float, float]:
    weight = {"top": 1.0, "mid": 0.6, "unit": 0.2}[rank]
    return _clip(grievance + 0.25 * severity * weight), _clip(fear + 0.15 * severity * weight)
