"""The scenario schema: one source of truth for validation, JSON Schema and parameter docs.

Every numeric parameter is declared with :func:`param` (or ``prob``/``share``/``level``) so it
carries a unit and a note of where its default comes from. Source files are named by their
file name in ``shared/sources`` (e.g. ``003`` is the article on the June 2023 mutiny).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .params import level, param, prob, share

S000 = "000_f5c5f17171ba8404.txt"
S001 = "001_839f98b4d57bc0ff.txt"
S002 = "002_7514514b10aa0c6e.txt"
S003 = "003_b7335ba761d12d3a.txt"
S004 = "004_f45b4491d2ae47d5.txt"


class Strict(BaseModel):
    """Unknown keys are errors (with a 'did you mean' from the loader)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# ----------------------------------------------------------------------------- time
_AT = re.compile(
    r"^\s*(?:day\s*(?P<day>\d+)(?:\s+(?P<hh>\d{1,2}):(?P<mm>\d{2}))?"
    r"|(?P<hours>\d+(?:\.\d+)?)\s*h|(?P<days>\d+(?:\.\d+)?)\s*d)\s*$",
    re.IGNORECASE,
)


def parse_at(value: Any) -> float:
    """Parse an event time into hours from the start.

    Accepts a number of hours (``36``), ``"36h"``, ``"1.5d"`` or ``"day 2 06:00"``
    (day 1 starts at hour 0).
    """
    if isinstance(value, bool):
        raise ValueError("expected a time such as 36, '36h', '2d' or 'day 2 06:00'")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("a time cannot be negative")
        return float(value)
    m = _AT.match(str(value))
    if not m:
        raise ValueError(f"expected a time such as 36, '36h', '2d' or 'day 2 06:00', got '{value}'")
    if m["day"] is not None:
        day = int(m["day"])
        if day < 1:
            raise ValueError("days are counted from 1")
        hh = int(m["hh"] or 0)
        mm = int(m["mm"] or 0)
        if hh > 23 or mm > 59:
            raise ValueError(f"'{value}' is not a clock time")
        return (day - 1) * 24.0 + hh + mm / 60.0
    if m["hours"] is not None:
        return float(m["hours"])
    return float(m["days"]) * 24.0


class TimeSpec(Strict):
    step_hours: float = param(
        1.0, "h", f"assumed: fine enough to follow the one-day march of {S003}", gt=0, le=24
    )
    horizon_days: float = param(30.0, "days", "assumed: long enough for a mobilization wave", gt=0)
    start: str | None = Field(
        None, description="calendar label of hour 0, e.g. '2023-06-23 18:00' (display only)"
    )


# ----------------------------------------------------------------------------- geography
class Region(Strict):
    capital: bool = False
    population: int = param(..., "people", "Rosstat 2021 estimates (rounded)", ge=0)
    hardship: float = prob(
        0.5, "Epstein (2002): hardship ~ U(0,1) has mean 0.5", "mean perceived hardship H"
    )
    legitimacy: float = prob(
        0.9, "assumed: ~80% approval (Levada) in a quiet pre-war baseline", "perceived legitimacy L"
    )
    grid: int = param(
        20, "cells per side", "assumed: resolution of the region's population grid", ge=3, le=5000
    )
    mobilization_weight: float = param(
        1.0,
        "relative",
        f"{S001}: mobilization fell on poor regions and ethnic republics",
        "share of a national call-up that falls here, relative to population",
        ge=0,
    )
    ethnic_republic: bool = False
    aggregate: bool = Field(
        False, description="an aggregate of many places, placed schematically on the map"
    )
    big_city: bool = Field(
        False, description=f"a metropolis where the Kremlin fears unrest most ({S001})"
    )
    police_hesitancy: float = prob(
        0.0,
        f"{S001}: in Dagestan 'neighborhood police were hesitant to approach residents'",
        "chance a loyal local policeman does not arrest an active protester he sees",
    )
    exit_access: float = prob(
        1.0, f"{S001}: crossings to Kazakhstan, Mongolia, Georgia", "share able to reach a border"
    )
    pos: tuple[float, float] = param(
        (0.0, 0.0), "degrees (lon, lat)", "geography; used only to draw the map"
    )


class Route(Strict):
    a: str
    b: str
    km: float = param(..., "km", "road distances (M4 and federal highways), rounded", gt=0)
    road: str = ""


# ----------------------------------------------------------------------------- units
Faction = Literal["military", "security", "wagner", "chechen", "opposition"]
ARMED_FACTIONS: tuple[str, ...] = ("military", "security", "wagner", "chechen", "opposition")


class Unit(Strict):
    """An armed unit whose commander chooses a stance: loyal, standing aside, defected."""

    faction: Faction
    label: str = ""
    kind: str = param("brigade", "-", "free text: brigade, district, department, aviation ...")
    region: str
    strength: int = param(..., "men", "assumed order of magnitude per unit type", ge=0)
    rank: Literal["top", "mid", "unit"] = Field(
        "unit",
        description="top: leadership (MoD, General Staff, FSB); mid: colonels and one-star "
        "generals; unit: line commanders",
    )
    loyalty: float = level(0.75, "assumed", "commander's attachment to the ruler")
    pay: float = level(0.5, "assumed", "patronage the unit receives")
    grievance: float = level(0.1, "assumed", "grievance against the leadership")
    fear: float = level(0.6, f"{S000}: generals 'are afraid of responsibility'", "fear of punishment")
    combat_power: float = param(1.0, "relative to line infantry", "assumed", gt=0)
    mobile: bool = True
    reach_km: float = param(
        0.0, "km", "assumed: aviation can strike a column far from its base", ge=0
    )
    counterweight: bool = Field(
        False,
        description="a parallel force tied personally to the ruler (De Bruin 2018)",
    )
    conspirator: bool = Field(False, description="its commander is in a coup plot")


# ----------------------------------------------------------------------------- factions
class KremlinSpec(Strict):
    ruler: str = "Vladimir Putin"
    regime_strength: float = level(
        0.75,
        "assumed: elites' prior that the ruler prevails in a showdown",
        "perceived regime strength S",
    )
    strength_recovery_per_day: float = param(
        0.01, "1/day", "assumed: shocks fade slowly", ge=0, le=1
    )
    budget: float = param(
        3000.0,
        "USD million",
        f"{S004}: keeping Wagner 'costs billions of dollars per year'; crisis fund assumed",
        ge=0,
    )
    decision_interval_hours: float = param(6.0, "h", "assumed", gt=0)
    pay_floor: float = level(0.55, "assumed", "loyalty below which the Kremlin pays a unit")
    pay_step: float = level(0.15, "assumed", "pay rise per payment")
    pay_cost_kusd_per_man: float = param(
        3.0, "thousand USD per man", f"assumed; uniforms cost up to $3,000 ({S002})", ge=0
    )
    repress_trigger: float = share(
        0.01, "assumed", "protest share in a region that makes the Kremlin send reinforcements"
    )
    redeploy_speed_kmh: float = param(40.0, "km/h", "assumed: road convoy", gt=0)
    concede_trigger: float = share(
        0.01,
        f"{S001}: Moscow and St Petersburg halted mobilization after Dagestan's protests",
        "protest share elsewhere that makes the Kremlin halt mobilization in the capital",
    )
    concede_demands_propensity: float = prob(
        0.25, "assumed", "chance of meeting a PMC ultimatum (sacking the MoD) when strength is 0"
    )
    purge_blame: float = level(
        0.5, f"{S002}: defeats bring blame on the MoD", "blame at which the ruler purges a top unit"
    )
    deal_distance_km: float = param(
        450.0,
        "km",
        f"{S003}: the deal came with '200 km remaining' to Moscow",
        "distance of a marching column from the capital at which a deal is offered",
        ge=0,
    )
    deal_threshold: float = prob(
        0.65, "assumed", "the Kremlin offers a deal when its own win estimate falls below this"
    )
    propaganda_trigger: float = prob(
        0.7, "assumed", "national legitimacy below which propaganda is bought"
    )
    propaganda_boost: float = param(0.02, "legitimacy", f"assumed; {S004}", ge=0, le=1)
    propaganda_cost: float = param(50.0, "USD million", "assumed", ge=0)


class WagnerSpec(Strict):
    enabled: bool = False
    leader: str = "Yevgeny Prigozhin"
    base_region: str = "Rostov-on-Don"
    front_region: str = "Front"
    ambition: float = level(0.6, f"{S004}: 'a prospective politician'", "value of power to him")
    popularity: float = level(0.5, f"{S004}: propaganda kept him popular after Bakhmut")
    grievance: float = level(0.3, f"{S004}: the feud with Shoigu and the MoD")
    ultimatum_threshold: float = level(
        0.75, f"assumed; {S003}", "grievance at which the leader issues an ultimatum"
    )
    ultimatum_deadline_hours: float = param(6.0, "h", f"assumed; {S003}", gt=0)
    attrition_per_day: float = param(
        0.003,
        "1/day",
        f"{S004}: Bakhmut was taken 'when Wagner's losses were dramatically high'",
        "share of strength lost per day at the front",
        ge=0,
        le=1,
    )
    grievance_per_loss: float = param(
        3.0, "grievance per share lost", f"{S004}: Moscow 'used Bakhmut to remove Prigozhin'", ge=0
    )
    march_speed_kmh: float = param(
        45.0,
        "km/h",
        f"{S003}: one-day march; Rostov to 200 km from Moscow is about 880 km in about 20 h",
        gt=0,
    )
    death_cost: float = level(0.8, "assumed", "what a failed march costs the leader")
    guarantee_value: float = level(
        0.55, f"{S003}: 'security guarantees, personal expulsion'", "value of a deal to him"
    )
    temperature: float = param(
        0.25, "utility", "assumed: one man's choices under stress are noisy (logit)", gt=0
    )
    collapse_share: float = share(
        0.35, "assumed", "column strength, as share of its start, at which the mutiny collapses"
    )
    offer: float = level(
        0.15, f"{S003}: a 'rally for truth and justice'", "what the march offers defectors"
    )


class CoupSpec(Strict):
    enabled: bool = False
    leader: str = "security chiefs"
    trigger_strength: float = level(
        0.5,
        "Singh (2014): officers move when they expect others to follow",
        "regime strength below which the plotters move",
    )
    min_capital_share: float = share(
        0.15, "assumed", "plotters' share of the capital's armed strength needed to move"
    )
    recruit_per_day: float = param(
        0.15,
        "1/day",
        f"{S002}: 'colonels and one-star generals' are the likely co-conspirators",
        "daily chance an aggrieved mid-rank commander joins when the regime looks weak",
        ge=0,
        le=1,
    )
    seize_hours: float = param(
        3.0, "h", f"{S004}: 'take over the TV and other crucial objects'", gt=0
    )
    consolidate_hours: float = param(12.0, "h", "assumed", gt=0)
    deadline_hours: float = param(24.0, "h", "assumed: coups are decided within a day", gt=0)
    offer: float = level(0.3, f"{S004}: posts after Putin is removed", "promised to defectors")
    escalation_hours: float = param(
        48.0, "h", "De Bruin (2018): counterweights raise the risk of escalation", gt=0
    )


class MediatorSpec(Strict):
    enabled: bool = True
    name: str = "Alexander Lukashenko"
    exile_region: str = "abroad"
    reoffer_hours: float = param(4.0, "h", "assumed", gt=0)
    sweetener: float = level(0.05, "assumed", "added to the guarantees at each new offer")


class SponsorSpec(Strict):
    enabled: bool = False
    cash_kusd_per_man: float = param(
        10.0,
        "thousand USD per man",
        f"{S004}: 'immunity and a generous amount of cash in hard currency'",
        ge=0,
    )
    immunity: float = prob(0.6, f"{S004}", "chance the promised immunity holds")


class OppositionSpec(Strict):
    enabled: bool = False
    label: str = "armed opposition"


class Factions(Strict):
    kremlin: KremlinSpec = KremlinSpec()
    wagner: WagnerSpec = WagnerSpec()
    coup: CoupSpec = CoupSpec()
    mediator: MediatorSpec = MediatorSpec()
    sponsor: SponsorSpec = SponsorSpec()
    opposition: OppositionSpec = OppositionSpec()


# ----------------------------------------------------------------------------- public
class PublicSpec(Strict):
    density: float = share(0.7, "Epstein (2002) Run 1-2", "citizens per grid cell")
    vision: int = param(7, "cells", "Epstein (2002) Runs 1-2: vision 7", ge=1)
    neighbourhood: Literal["von_neumann", "moore"] = "von_neumann"
    active_threshold: float = prob(0.1, "Epstein (2002)", "threshold T in G - R*P > T")
    arrest_constant: float = param(2.3, "-", "Epstein (2002): k = 2.3", gt=0)
    round_arrest_ratio: bool = Field(
        True, description="round(C/A) in the arrest estimate (Mesa, NetLogo); off = paper formula"
    )
    max_jail_days: float = param(
        15.0, "days", "assumed: administrative detention of up to 15 days", ge=0
    )
    police_scale: float = param(
        12.0,
        "grid policemen per security man per head",
        "assumed: maps about 1 policeman per 200 people onto a cop density near 0.06",
        "policemen on a region's grid = security men / population x cells x police_scale",
        gt=0,
    )
    social_influence: float = param(
        0.05,
        "-",
        "Granovetter (1978), Kuran (1991): people act when they see others act; weight assumed",
        "weight of the visible active share in the activation rule",
        ge=0,
        le=1,
    )
    detained_share: float = share(
        0.01,
        "assumed: OVD-Info counted about 2,400 detentions on 21 Sept 2022 for crowds in the tens "
        "of thousands",
        "share of the people a police action takes off the street who are actually detained",
    )
    mobilizable_share: float = share(
        0.1,
        f"{S001}: 'Russia's apolitical society did not show much interest'; assumed 10%",
        "share of people who are potential street actors: the grid's agents stand for them",
    )
    interval_hours: float = param(3.0, "h", "assumed: crowds form over hours", gt=0)
    exit_rate_per_day: float = param(
        0.0005,
        "1/day",
        f"{S001}: ~600,000 crossings in about two weeks ({S002}: ~400,000) of 146 million",
        "share of the population that leaves per day at full mobilization threat",
        ge=0,
        le=1,
    )
    exit_memory_days: float = param(
        8.0, "days", f"assumed; {S001}: the flight came in the weeks after the speech", gt=0
    )
    mobilization_hardship: float = param(
        0.1, "hardship", f"{S002}: families lose their main earners; assumed size", ge=0, le=1
    )
    contract_break_drop: float = param(
        0.06,
        "legitimacy",
        f"{S000}, {S001}: mobilization broke the 'Putin social contract'; approval fell "
        "about 6 points (Levada, Sept 2022)",
        "legitimacy lost where the call-up falls at full weight",
        ge=0,
        le=1,
    )
    security_contract_drop: float = param(
        0.08,
        "legitimacy",
        f"{S000}: a strike on Moscow shows 'Putin cannot fulfill the contract on the security'",
        ge=0,
        le=1,
    )
    legitimacy_recovery_per_day: float = param(0.01, "1/day", "assumed", ge=0, le=1)
    people_power: float = param(
        0.12,
        "armed-man equivalents per protester",
        "assumed: 3.5% of Moscow (about 460,000; Chenoweth & Stephan 2011) weighs about as "
        "much as the capital's armed forces",
        ge=0,
    )
    revolution_share: float = share(
        0.035, "Chenoweth & Stephan (2011): the 3.5% observation", "capital protest share to win"
    )
    revolution_hold_hours: float = param(12.0, "h", "assumed", gt=0)
    revolution_offer: float = level(
        0.2, "assumed: amnesty and a place in the new order", "what the movement offers defectors"
    )
    challenge_share: float = share(
        0.003,
        "assumed: about 40,000 in Moscow's streets, the scale of the 2011-12 Bolotnaya protests",
        "capital protest share at which protest becomes a challenge to the regime",
    )


# ----------------------------------------------------------------------------- elites
class ElitesSpec(Strict):
    decisiveness: float = param(
        2.0, "-", "Tullock contest success function exponent; assumed", gt=0
    )
    prior_weight: float = share(
        0.35, "assumed", "weight of perceived regime strength in a commander's forecast"
    )
    local_weight: float = share(
        0.5, "Granovetter (1978): one unit's choice tips the next; weight assumed"
    )
    temperature: float = param(
        0.08, "utility", "logit (quantal response) noise; assumed", gt=0
    )
    reconsider_per_hour: float = param(
        0.15, "1/h", "assumed: commanders re-read the situation every few hours", ge=0, le=1
    )
    switch_cost: float = level(0.2, "assumed", "cost of changing stance (burnt bridges)")
    fact_bonus: float = level(
        0.25, "Singh (2014): seizing symbolic sites and broadcasts 'makes a fact'"
    )
    punishment: float = level(1.0, f"{S000}: 'the heads of about 25 generals ... rolled'")
    aside_penalty: float = level(0.15, "assumed: neutrality is punished less than defection")
    loyalty_adjust_per_day: float = param(0.08, "1/day", "assumed", ge=0, le=1)
    grievance_decay_per_day: float = param(0.01, "1/day", "assumed", ge=0, le=1)
    cash_weight: float = level(
        0.35, "assumed", "utility of cash at its maximum appeal, beside pay and attachment (0-1 each)"
    )
    cash_half_kusd: float = param(
        10.0, "thousand USD per man", "assumed: cash at which its appeal is half its maximum", gt=0
    )
    defeat_strength_drop: float = level(0.15, f"{S001}: 'the war has been lost'; assumed size")
    strike_strength_drop: float = level(0.12, f"{S000}: the security contract; assumed size")
    challenge_erosion_per_hour: float = param(
        0.003,
        "1/h",
        f"{S003}: the march 'rapidly eroded Putin's governing authority'",
        ge=0,
        le=1,
    )
    protest_strength_drop: float = param(
        2.0, "strength per protest share", "assumed: elites watch the street", ge=0
    )
    lanchester_kill_per_hour: float = param(
        0.01,
        "1/h",
        "Lanchester square law; assumed rate per man-equivalent",
        ge=0,
        le=1,
    )
    reach_km: float = param(
        700.0,
        "km",
        f"assumed; {S000}: 'everything happens in the capital'",
        "distance at which a unit's weight in a showdown for the capital falls by 1/e",
        gt=0,
    )
    fight_cost: float = level(
        1.0, "assumed", "cost of a loyal stand against an enemy that fills one's own region"
    )
    crowd_per_policeman: float = param(
        10.0,
        "protesters per man",
        "assumed: riot police can disperse crowds about ten times their number",
        "what makes repression costly: crowd / (crowd + this x loyal security men)",
        gt=0,
    )
    counterweight_tie: float = level(
        0.4, "De Bruin (2018): counterweights are tied to the ruler", "extra value of loyalty"
    )
    block_ratio: float = param(
        0.5,
        "share of the column's power",
        "assumed: a much weaker force cannot halt a column, only delay it by fighting",
        "loyal power needed in a region to halt a column there",
        ge=0,
    )
    civil_war_hours: float = param(
        72.0, "h", "assumed: an unresolved armed split of three days is a civil war", gt=0
    )
    civil_war_share: float = share(
        0.25, "assumed", "defected share of armed strength that makes a lasting split a civil war"
    )


# ----------------------------------------------------------------------------- events
class _EventBase(Strict):
    at: float
    note: str = ""

    @field_validator("at", mode="before")
    @classmethod
    def _parse_at(cls, v: Any) -> float:
        return parse_at(v)


class Mobilization(_EventBase):
    type: Literal["mobilization"]
    target_people: int = param(300_000, "people", f"{S002}: 'the mobilization of 300,000'", ge=0)
    duration_days: float = param(35.0, "days", f"{S001}: 'in the upcoming months'", gt=0)
    evasion: float = share(0.5, f"{S001}: 140-150,000 of 300,000 expected", "share evading")


class HaltMobilization(_EventBase):
    type: Literal["halt_mobilization"]
    regions: list[str] = Field(default_factory=list, description="empty: everywhere")


class Defeat(_EventBase):
    type: Literal["defeat"]
    severity: float = level(0.5, f"{S002}: the fall of Lyman")
    casualties: int = param(5000, "men", "assumed", ge=0)


class Victory(_EventBase):
    type: Literal["victory"]
    severity: float = level(0.3, f"{S004}: Bakhmut sold as Stalingrad")


class StrikeOnCapital(_EventBase):
    type: Literal["strike_on_capital"]
    severity: float = level(0.5, f"{S000}: a drone reaching the Kremlin")


class Provocation(_EventBase):
    type: Literal["provocation"]
    grievance: float = level(0.4, f"{S003}, {S004}: MoD orders to sign contracts; Bakhmut")


class Ultimatum(_EventBase):
    type: Literal["ultimatum"]


class March(_EventBase):
    type: Literal["march"]


class CoupAttempt(_EventBase):
    type: Literal["coup_attempt"]


class Raid(_EventBase):
    type: Literal["raid"]
    region: str
    strength: int = param(300, "men", f"{S004}: the Belgorod raiders", ge=0)
    duration_hours: float = param(36.0, "h", f"{S004}", gt=0)


class Purge(_EventBase):
    type: Literal["purge"]
    units: list[str]


class ProtestCall(_EventBase):
    type: Literal["protest_call"]
    region: str
    boost: float = param(0.15, "-", "Kuran (1991): a focal call lowers thresholds", ge=0, le=1)
    duration_hours: float = param(48.0, "h", "assumed", gt=0)


class LegitimacyShock(_EventBase):
    type: Literal["legitimacy_shock"]
    regions: list[str] = Field(default_factory=list, description="empty: every region")
    delta: float = param(-0.1, "legitimacy", "scenario-specific", ge=-1, le=1)
    permanent: bool = True


class Propaganda(_EventBase):
    type: Literal["propaganda"]
    boost: float = param(0.03, "legitimacy", f"{S004}", ge=0, le=1)


class PayRise(_EventBase):
    type: Literal["pay_rise"]
    faction: Faction
    amount: float = level(0.15, "assumed")


class SponsorOffer(_EventBase):
    type: Literal["sponsor_offer"]
    cash_kusd_per_man: float = param(10.0, "thousand USD per man", f"{S004}", ge=0)
    immunity: float = prob(0.6, f"{S004}")


EventSpec = Annotated[
    Mobilization
    | HaltMobilization
    | Defeat
    | Victory
    | StrikeOnCapital
    | Provocation
    | Ultimatum
    | March
    | CoupAttempt
    | Raid
    | Purge
    | ProtestCall
    | LegitimacyShock
    | Propaganda
    | PayRise
    | SponsorOffer,
    Field(discriminator="type"),
]
EVENT_TYPES: tuple[str, ...] = (
    "mobilization",
    "halt_mobilization",
    "defeat",
    "victory",
    "strike_on_capital",
    "provocation",
    "ultimatum",
    "march",
    "coup_attempt",
    "raid",
    "purge",
    "protest_call",
    "legitimacy_shock",
    "propaganda",
    "pay_rise",
    "sponsor_offer",
)


# ----------------------------------------------------------------------------- rules, outputs
class RulesSpec(Strict):
    disable: list[str] = Field(default_factory=list, description="rule ids to switch off")


class Outputs(Strict):
    series_every_hours: float = param(1.0, "h", "assumed", gt=0)
    figures: bool = True


class Description(Strict):
    what_is_it: str
    how_it_works: str = ""
    things_to_notice: list[str] = Field(default_factory=list)
    things_to_try: list[str] = Field(default_factory=list)
    credits: str = ""


class Control(Strict):
    """A parameter a teacher can change live in the dashboard (a slider or a switch)."""

    path: str = Field(description="dotted parameter path, as for --set")
    label: str
    min: float | None = None
    max: float | None = None
    step: float | None = None


# ----------------------------------------------------------------------------- sweep
class SweepParam(Strict):
    range: tuple[float, float] | None = None
    values: list[Any] | None = None
    type: Literal["float", "int", "categorical"] | None = None


class SweepSpec(Strict):
    question: str = ""
    answer_outcome: str | None = Field(
        None, description="outcome whose probability the summary reports as the answer"
    )
    answer_measure: str | None = Field(
        None, description="a measure (e.g. peak_protest__Dagestan) whose mean the answer reports instead"
    )
    design: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    parameters: dict[str, SweepParam]
    replications: int = param(10, "runs per design point", "assumed", ge=1, le=100_000)
    samples: int = param(16, "design points (lhs) or base samples (sobol, morris)", "assumed", ge=1)
    levels: int = param(5, "grid levels for a range", "assumed", ge=2, le=1000)
    seed: int = param(12345, "-", "master seed of numpy.random.SeedSequence", ge=0)
    series_every_hours: float | None = Field(
        None, description="thin the per-step series in sweeps (default: outputs.series_every_hours)"
    )
    sensitivity_question: str = ""


# ----------------------------------------------------------------------------- scenario
class Scenario(Strict):
    """A complete, validated scenario."""

    name: str
    title: str = ""
    description: Description
    base: str | None = Field(None, description="bundled base or a path this file extends")
    seed: int = param(1, "-", "any; the same seed gives the same run", ge=0)
    time: TimeSpec = TimeSpec()
    regions: dict[str, Region]
    routes: list[Route] = Field(default_factory=list)
    units: dict[str, Unit] = Field(default_factory=dict)
    factions: Factions = Factions()
    public: PublicSpec = PublicSpec()
    elites: ElitesSpec = ElitesSpec()
    events: list[EventSpec] = Field(default_factory=list)
    rules: RulesSpec = RulesSpec()
    outputs: Outputs = Outputs()
    controls: list[Control] = Field(default_factory=list, description="dashboard sliders and switches")
    sweep: SweepSpec | None = None

    @property
    def capital(self) -> str:
        return next(name for name, r in self.regions.items() if r.capital)

    @property
    def steps(self) -> int:
        return int(round(self.time.horizon_days * 24.0 / self.time.step_hours))
