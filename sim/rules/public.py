"""Rules of the public: protest (Epstein 2002 with social proof), exit, the draft.

The protest rules are plain Python here, written so that numba can compile them: the
population kernel (:mod:`sim.public.kernel`) compiles its own copies, since it calls them for
every citizen at every tick. Keeping numba out of this module keeps the registry light:
``regime-sim rules`` lists every rule without importing numba. Tests call them directly.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .registry import rule

if TYPE_CHECKING:  # the rules work on floats and arrays alike; numpy only names the type
    import numpy as np


@rule(
    "public.grievance",
    direction="peak_protest_share: lower",
    statement="A citizen's grievance is hardship times illegitimacy: G = H (1 - L).",
    mechanism="social contract",
    literature=["Epstein (2002) Modeling civil violence, PNAS 99(3): G = H(1 - L)"],
    when_off="grievance is zero: nobody protests whatever happens (the null model)",
)
def grievance(hardship: float, legitimacy: float) -> float:
    return hardship * (1.0 - legitimacy)


@rule(
    "public.arrest_risk",
    direction="peak_protest_share: higher",
    statement="Arrest risk is P = 1 - exp(-k round(C/A)), C the active policemen a citizen "
    "sees (the region's loyal security units), A the active protesters she sees plus herself.",
    mechanism="protest",
    literature=[
        "Epstein (2002), k = 2.3; round() as in Mesa's and NetLogo's versions, needed for "
        "punctuated equilibrium (public.round_arrest_ratio switches it)"
    ],
    when_off="citizens see no risk: P = 0",
)
def arrest_probability(cops: float, actives: float, k: float, use_round: bool) -> float:
    ratio = cops / actives
    if use_round:  # Python's round(), in numba too: halves go to the even neighbour (round(2.5) == 2)
        ratio = float(round(ratio))
    return 1.0 - math.exp(-k * ratio)


@rule(
    "public.activation",
    direction="peak_protest_share: lower",
    statement="A citizen protests when G - R P + w s > T (risk aversion R, threshold T, "
    "visible active share s weighted by w); otherwise she is quiet.",
    mechanism="protest",
    literature=["Epstein (2002) Model I activation rule"],
    when_off="no citizen ever protests",
)
def is_active(g: float, risk: float, p: float, threshold: float, w: float, seen: float) -> bool:
    return g - risk * p + w * seen > threshold


@rule(
    "public.social_proof",
    direction="peak_protest_share: lower",
    statement="People act when they see others act: the share of active citizens within "
    "vision adds w s to the net benefit of protest.",
    mechanism="protest",
    literature=[
        "Granovetter (1978) Threshold models of collective behavior, AJS 83(6)",
        "Kuran (1991) Now out of never, World Politics 44(1)",
    ],
    when_off="w = 0: pure Epstein Model I",
)
def social_weight(w: float, boost: float) -> float:
    return w + boost


@rule(
    "public.police_hesitancy",
    direction="peak_protest_max_region: lower",
    statement="A loyal local policeman who sees an active protester arrests her only with "
    "probability 1 - hesitancy (high in republics where police are locals); citizens still "
    "count him when they weigh their risk.",
    mechanism="regional asymmetry",
    literature=["Chenoweth & Stephan (2011): loyalty shifts of the security forces"],
    when_off="every loyal policeman arrests (hesitancy 0)",
)
def arrests(hesitancy: float, u: float) -> bool:
    return u >= hesitancy


@rule(
    "public.exit",
    direction="emigrants: lower",
    statement="Under a call-up, a share of the population leaves each day; the aggrieved, "
    "risk-averse and better-off leave first, draining the pool of future protesters.",
    mechanism="exit versus voice",
    literature=["Hirschman (1970) Exit, Voice, and Loyalty"],
    when_off="nobody emigrates; everyone stays to face the draft or protest",
)
def exit_people(stayers: float, rate_per_day: float, threat: float, access: float, dt_days: float) -> float:
    """Expected emigrants this tick."""
    return stayers * rate_per_day * threat * access * dt_days


def exit_weights(hardship: np.ndarray, risk: np.ndarray, legitimacy: float) -> np.ndarray:
    """Who leaves: aggrieved (H(1-L)), risk-averse, with means (1 - H) to leave."""
    g = hardship * (1.0 - legitimacy)
    return (g + 0.05) * risk * (0.5 + (1.0 - hardship))


@rule(
    "public.draft",
    direction="peak_protest_max_region: lower",
    statement="A call-up takes people in proportion to each region's mobilization weight "
    "(poor regions and ethnic republics weigh more), less those who evade; the poorest go first.",
    mechanism="regional asymmetry",
    literature=[],
    when_off="the call-up takes the same share of every region",
)
def draft_people(target: float, share: float, duration_days: float, evasion: float, dt_days: float) -> float:
    """Expected conscripts this tick from a region with ``share`` of the national call-up."""
    return target * share * (1.0 - evasion) * dt_days / duration_days


@rule(
    "public.mobilization_hardship",
    direction="peak_protest_share: lower",
    statement="While a call-up runs in a region, hardship rises there in proportion to its load.",
    mechanism="social contract",
    literature=["Epstein (2002): hardship H is perceived privation"],
    when_off="the call-up does not change hardship",
)
def mobilization_hardship(load: float, per_load: float) -> float:
    return min(1.0, per_load * load)


@rule(
    "public.people_power",
    # whichever side a crowd backs (a movement's protesters, a ruler's called crowd), with the rule
    # off fewer commanders where it stands back that side: a direction that does not turn on whom
    # the crowd backs (defected_share_peak did: lower for a movement, higher for a ruler's rally)
    direction="crowd_following_share: lower",
    statement="In a showdown with the street, every person in a crowd counts as people_power armed-man "
    "equivalents in commanders' forecasts, for the side the crowd backs (a movement's protesters for "
    "the movement, a called crowd for whoever called it).",
    mechanism="protest",
    literature=["Chenoweth & Stephan (2011) Why Civil Resistance Works: mass participation shifts "
                "security-force loyalty; the 3.5% observation"],
    when_off="crowds do not weigh in commanders' forecasts",
)
def crowd_strength(protesters: float, people_power: float) -> float:
    return protesters * people_power
