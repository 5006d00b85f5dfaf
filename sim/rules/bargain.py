"""Bargains, not triggers: a settlement happens when both sides prefer it to fighting on."""

from __future__ import annotations

from .challengers import logit2, value_of_fighting
from .registry import rule


@rule(
    "bargain.offer",
    direction="negotiated_settlement: lower",
    statement="The ruler offers a settlement when its value to him (1 - deal_concession) beats "
    "fighting on (his own forecast less war_cost scaled by how close the challenge is to his seat).",
    mechanism="bargaining",
    literature=["Fearon (1995) Rationalist explanations for war, International Organization 49(3)"],
    when_off="the ruler never offers a settlement",
)
def ruler_prefers_deal(p_ruler: float, war_cost: float, threat: float, concession: float) -> bool:
    return 1.0 - concession > p_ruler - war_cost * threat


@rule(
    "bargain.accept",
    direction="negotiated_settlement: lower",
    statement="A challenger accepts a settlement if its guarantees, discounted by the chance "
    "they hold (a mediator's credibility, or the ruler's own when none stands behind them), "
    "plus any demands it meets, beat pressing on, with logit noise.",
    mechanism="bargaining",
    literature=["Fearon (1995)", "Powell (2006) War as a commitment problem, International "
                "Organization 60(1)"],
    when_off="every settlement is refused",
)
def accept_probability(p_win: float, ambition: float, popularity: float, guarantee: float,
                       credibility: float, demands: float, death_cost: float, temperature: float) -> float:
    deal = credibility * guarantee - (1.0 - credibility) * death_cost + demands
    return logit2(deal, value_of_fighting(p_win, ambition, popularity, death_cost), temperature)
