"""Rules for the two social contracts: the public's legitimacy L and the elites' reading of
regime strength S (their prior that the ruler prevails in a showdown)."""

from __future__ import annotations

from .registry import rule


def _clip(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


@rule(
    "legitimacy.contract_break",
    direction="final_legitimacy: higher",
    statement="A call-up breaks the first contract ('stay out of politics, we ensure your "
    "well-being'): legitimacy falls in each region in proportion to its call-up load.",
    mechanism="social contract",
    literature=["Epstein (2002): legitimacy L enters grievance"],
    when_off="mobilization leaves legitimacy unchanged",
)
def contract_break(legitimacy: float, load: float, drop: float) -> float:
    return _clip(legitimacy - drop * min(load, 2.0))


@rule(
    "legitimacy.security_contract",
    direction="final_regime_strength: higher",
    statement="A strike that reaches the capital breaks the second contract (security): "
    "legitimacy falls in the capital and the elites' reading of regime strength falls.",
    mechanism="social contract",
    literature=[],
    when_off="strikes on the capital change nothing",
)
def security_contract(legitimacy: float, strength: float, severity: float,
                      l_drop: float, s_drop: float) -> tuple[float, float]:
    return _clip(legitimacy - l_drop * severity), _clip(strength - s_drop * severity)


@rule(
    "legitimacy.defeat_shock",
    direction="final_regime_strength: higher",
    statement="A defeat at the front lowers the elites' reading of regime strength and, "
    "less, the public's legitimacy; a victory raises both a little.",
    mechanism="blame and purge",
    literature=["Bueno de Mesquita et al. (2003): failure weakens the incumbent's coalition"],
    when_off="battles at the front do not move politics at home",
)
def defeat_shock(strength: float, legitimacy: float, severity: float, s_drop: float) -> tuple[float, float]:
    return _clip(strength - s_drop * severity), _clip(legitimacy - 0.3 * s_drop * severity)


@rule(
    "legitimacy.street_pressure",
    direction="final_regime_strength: higher",
    statement="Elites watch the street: national protest share lowers regime strength at "
    "a rate proportional to it.",
    mechanism="protest",
    literature=["Chenoweth & Stephan (2011)"],
    when_off="protest does not change how strong elites think the regime is",
)
def street_pressure(strength: float, protest_share: float, k: float, dt_hours: float) -> float:
    return _clip(strength - k * protest_share * dt_hours / 24.0)


@rule(
    "legitimacy.challenge_erosion",
    direction="final_regime_strength: higher",
    statement="While an armed challenge goes unpunished, the ruler's authority erodes every hour.",
    mechanism="mutiny",
    literature=["Singh (2014): a challenge that is not put down signals weakness"],
    when_off="a challenge in progress does not weaken the ruler by itself",
)
def challenge_erosion(strength: float, per_hour: float, dt_hours: float) -> float:
    return _clip(strength - per_hour * dt_hours)


@rule(
    "legitimacy.recovery",
    direction="final_legitimacy_gap: higher",
    statement="Between shocks, legitimacy and regime strength drift back toward their "
    "baselines (a shock to the baseline itself stays).",
    mechanism="social contract",
    literature=[],
    when_off="every shock is permanent",
)
def recover(value: float, baseline: float, per_day: float, dt_hours: float) -> float:
    return value + (baseline - value) * min(1.0, per_day * dt_hours / 24.0)


@rule(
    "legitimacy.raid_shock",
    direction="final_legitimacy: lower",
    statement="An armed raid from across the border rallies the country round the flag: "
    "legitimacy everywhere and regime strength rise by raid_rally x size (size = raiders / "
    "raid_scale_men, at most 1); the rise fades as they relax to their baselines.",
    mechanism="regime response",
    literature=["Mueller (1970) Presidential popularity from Truman to Johnson: the rally-round-the-flag effect"],
    when_off="raids only fight; they do not move opinion",
)
def raid_shock(legitimacy: float, strength: float, size: float, rally: float) -> tuple[float, float]:
    return _clip(legitimacy + rally * size), _clip(strength + rally * size)


@rule(
    "legitimacy.raid_erosion",
    direction="final_legitimacy: higher",
    statement="An assumption, not a finding of the sources: in the long run a raid shows the state "
    "cannot keep its people safe, and the raided region's baseline legitimacy falls by "
    "raid_erosion x size.",
    mechanism="social contract",
    literature=[],
    when_off="a raid leaves the raided region's baseline legitimacy where it was",
)
def raid_erosion(baseline: float, size: float, erosion: float) -> float:
    return _clip(baseline - erosion * size)


@rule(
    "legitimacy.propaganda_effect",
    direction="final_legitimacy: lower",
    statement="Propaganda raises legitimacy everywhere by a small boost that then fades.",
    mechanism="regime response",
    literature=[],
    when_off="propaganda has no effect",
)
def propaganda(legitimacy: float, boost: float) -> float:
    return _clip(legitimacy + boost)
