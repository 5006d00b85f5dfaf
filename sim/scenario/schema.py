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
    population: int = param(..., "people", "the world file's census figure", ge=0)
    hardship: float = prob(
        0.5, "Epstein (2002): hardship ~ U(0,1) has mean 0.5", "mean perceived hardship H"
    )
    legitimacy: float = prob(
        0.9, "assumed (range 0.5-0.95): a regime in quiet times", "perceived legitimacy L"
    )
    grid: int = param(
        20, "cells per side", "assumed: resolution of the region's population grid", ge=3, le=5000
    )
    mobilization_weight: float = param(
        1.0,
        "relative",
        "assumed: a call-up falls on regions in proportion to population",
        "share of a national call-up that falls here, relative to population",
        ge=0,
    )
    aggregate: bool = Field(
        False, description="an aggregate of many places, placed schematically on the map"
    )
    big_city: bool = Field(
        False, description="a metropolis where the ruler fears unrest most (halts a call-up there first)"
    )
    label: str = Field("", description="name to show (default: the region's id)")
    police_hesitancy: float = prob(
        0.0,
        "assumed: police arrest whom they see",
        "chance a loyal local policeman does not arrest an active protester he sees",
    )
    exit_access: float = prob(
        1.0, "assumed: every region can reach a border", "share able to reach a border"
    )
    pos: tuple[float, float] = param(
        (0.0, 0.0), "degrees (lon, lat)", "geography; used only to draw the map"
    )


class Route(Strict):
    a: str
    b: str
    km: float = param(..., "km", "road distance in the world file", gt=0)
    road: str = ""


# ----------------------------------------------------------------------------- institutions and units
RULER = "ruler"  #: the side id of the ruler; challengers use their own ids
ASIDE = "aside"  #: a unit that backs no side


class Institution(Strict):
    """A body of armed men (an army, an interior ministry's troops, a secret police, a guard, a
    PMC, the police): its traits shape how its units' commanders decide (Lee 2015; Barany 2016)."""

    label: str = ""
    repressive: bool = Field(
        False, description="its men police crowds: in a region they are the 'cops' of the population grid"
    )
    counterweight: bool = Field(
        False,
        description="a parallel force tied personally to the ruler (De Bruin 2018); plotters do "
        "not count it when they weigh a move",
    )
    ties: float = level(
        0.0,
        "assumed: most institutions have no personal tie to the ruler beyond pay (Lee 2015: "
        "patrimonial ties are what make an army defend a ruler)",
        "extra value its commanders see in backing the ruler (rule units.counterweight)",
    )
    fire_propensity: float = prob(
        0.3,
        "assumed (range 0.05-0.8): Lee (2015), Barany (2016): professional armies with autonomy "
        "from the ruler rarely fire on large crowds; regime-made forces often do",
        "chance a unit ordered to clear a crowd much smaller than itself opens fire",
    )
    blamed_for_defeats: bool = Field(
        False, description="defeats at the front bring blame on its commanders (rule units.blame)"
    )


class Unit(Strict):
    """An armed unit whose commander chooses which side to back (or none)."""

    institution: str = Field(description="id of an entry of `institutions`")
    label: str = ""
    kind: str = param("brigade", "-", "free text: brigade, district, department, aviation ...")
    region: str
    strength: int = param(..., "men", "assumed order of magnitude per unit type", ge=0)
    rank: Literal["top", "mid", "unit"] = Field(
        "unit",
        description="top: the institution's leadership; mid: colonels and one-star generals; "
        "unit: line commanders",
    )
    loyalty: float = level(0.75, "assumed", "commander's attachment to his chain of command")
    pay: float = level(0.5, "assumed", "patronage the unit receives from its chain of command")
    grievance: float = level(0.1, "assumed", "grievance against the leadership")
    fear: float = level(0.6, "assumed (range 0.3-0.9)", "fear of punishment by the ruler")
    combat_power: float = param(1.0, "relative to line infantry", "assumed", gt=0)
    mobile: bool = True
    reach_km: float = param(
        0.0, "km", "assumed: aviation can strike far from its base", ge=0
    )
    side: str = Field(
        RULER,
        description="the side it takes when a crisis opens: 'ruler', a challenger's id (its "
        "commander is in that challenger's plot or force, and follows it when it acts), or 'aside'",
    )
    committed: bool = Field(
        True,
        description="for a unit on a challenger's side: its commander is party to the plan (a "
        "conspirator, the mutineer's own men); false: it follows the challenger's orders without "
        "being in the plot, so it risks little by standing aside",
    )


# ----------------------------------------------------------------------------- actors
class RulerSpec(Strict):
    """The ruler and inner circle: pays, represses, purges, concedes, bargains, calls crowds."""

    name: str = "the ruler"
    seat: str | None = Field(None, description="region of the seat of power (default: the capital)")
    location: str | None = Field(None, description="region where the ruler is at the start (default: the seat)")
    regime_strength: float = level(
        0.75, "assumed", "perceived regime strength S: elites' prior that the ruler prevails"
    )
    strength_recovery_per_day: float = param(0.01, "1/day", "assumed", ge=0, le=1)
    budget: float = param(3000.0, "USD million", "assumed: a crisis fund", ge=0)
    decision_interval_hours: float = param(6.0, "h", "assumed: the inner circle meets a few times a day", gt=0)
    crisis_decision_interval_hours: float = param(
        1.0, "h", "assumed (range 0.5-6): under an armed challenge the ruler decides hour by hour", gt=0
    )
    pay_floor: float = level(0.55, "assumed", "loyalty below which the ruler pays a unit")
    pay_step: float = level(0.15, "assumed", "pay rise per payment")
    pay_cost_kusd_per_man: float = param(3.0, "thousand USD per man", "assumed", ge=0)
    repress_trigger: float = share(
        0.01, "assumed", "protest share in a region at which the ruler orders it cleared and reinforced"
    )
    escalate_after_hours: float = param(
        24.0, "h", "assumed (range 6-72): the army is sent in when the police have not cleared the streets",
        "hours a region stays above repress_trigger before every loyal unit there is ordered to clear it",
        gt=0,
    )
    redeploy_speed_kmh: float = param(40.0, "km/h", "assumed: road convoy", gt=0)
    travel_speed_kmh: float = param(500.0, "km/h", "assumed: the ruler flies", gt=0)
    recall_radius_km: float = param(
        800.0, "km", "assumed: units within a night's drive are ordered to the seat when it is attacked", ge=0
    )
    concede_trigger: float = share(
        0.01, "assumed", "protest share elsewhere that makes the ruler halt a call-up in the big cities"
    )
    concede_demands_propensity: float = prob(
        0.25, "assumed", "chance of meeting a challenger's ultimatum when regime strength is 0"
    )
    purge_blame: float = level(0.5, "assumed", "grievance (blame) at which the ruler purges a top commander")
    propaganda_trigger: float = prob(0.7, "assumed", "national legitimacy below which propaganda is bought")
    propaganda_boost: float = param(0.02, "legitimacy", "assumed", ge=0, le=1)
    propaganda_cost: float = param(50.0, "USD million", "assumed", ge=0)
    rally_reach: float = share(
        0.1,
        "assumed (range 0-0.5): how much of the mobilizable public the ruler's networks (party, "
        "media, mosques, unions) can bring out",
        "share of those who back him that answer the ruler's call to the streets",
    )
    resign_below: float = prob(
        0.15,
        "assumed (range 0.05-0.3)",
        "the ruler leaves office when his own forecast of prevailing falls below this and the "
        "seat's armed men do not defend him",
    )
    abandoned_hours: float = param(
        24.0,
        "h",
        "assumed (range 2-264): Ceausescu fled within hours of the army's switch (22 Dec 1989), Ben Ali "
        "a day after the army stood back (14 Jan 2011), Mubarak 11 days after the army said it would "
        "not fire (31 Jan - 11 Feb 2011)",
        "how long the ruler holds on at an all-but-undefended seat before he leaves whatever he believes",
        ge=0,
    )
    war_cost: float = level(
        0.3, "assumed (range 0.1-0.6): Fearon (1995): fighting is costly to both sides",
        "what fighting a challenge at the seat's door costs the ruler (scaled by how close it is)",
    )
    deal_concession: float = level(
        0.35, "assumed (range 0.1-0.6): a settlement with an armed challenger costs the ruler guarantees and authority", "what a settlement costs the ruler"
    )


class ChallengerSpec(Strict):
    """A challenger: plotters, mutineers, a protest movement or a rival centre of authority."""

    enabled: bool = True
    name: str = Field(description="the leader or body, as the log should name it")
    mode: Literal["march", "seize", "street", "rally"] = Field(
        description="march: a column moves from its seat on the target; seize: plotters take the "
        "target's sites; street: a movement rises wherever protest passes challenge_share; rally: "
        "a rival centre that calls crowds and units to it when another challenger strikes"
    )
    goal: Literal["take_capital", "force_concessions", "remove_ruler"] = Field(
        "take_capital",
        description="take_capital: it wins by holding the target; force_concessions: a settlement "
        "that meets its demands is worth demands_value more to it; remove_ruler: it wins when the "
        "ruler leaves office",
    )
    seat: str | None = Field(None, description="region where it starts (default: the capital)")
    target: str | None = Field(None, description="region it moves on (default: the capital)")
    offer: float = level(0.15, "assumed", "what it promises units that join it")
    grievance: float = level(0.3, "assumed", "the leader's grievance against the ruler's men")
    ambition: float = level(0.6, "assumed", "value of power to the leader")
    popularity: float = level(0.3, "assumed", "public support: the share of a crowd's potential that answers its call")
    temperature: float = param(
        0.25, "utility", "assumed: one leader's choices under stress are noisy (logit)", gt=0
    )
    death_cost: float = level(0.8, "assumed", "what failing costs the leader")
    give_up_below: float = prob(
        0.1, "assumed (range 0.02-0.3)", "it gives up (surrenders, disperses) when its own forecast falls below this"
    )
    collapse_share: float = share(
        0.35, "assumed", "strength left, as share of its start, at which its armed force breaks up"
    )
    blames: str | None = Field(
        None, description="institution whose leadership its ultimatum demands be sacked"
    )
    # march
    ultimatum_threshold: float = level(0.75, "assumed", "grievance at which the leader issues an ultimatum")
    ultimatum_deadline_hours: float = param(6.0, "h", "assumed", gt=0)
    march_speed_kmh: float = param(40.0, "km/h", "assumed: a motorised column on a highway", gt=0)
    guarantee_value: float = level(0.55, "assumed", "value to the leader of a settlement's guarantees")
    demands_value: float = level(0.0, "assumed", "value of the demands a settlement meets (goal force_concessions)")
    front_region: str | None = Field(None, description="where its men fight a war and bleed (attrition)")
    attrition_per_day: float = param(0.0, "1/day", "assumed", "share of its strength lost per day at the front", ge=0, le=1)
    grievance_per_loss: float = param(3.0, "grievance per share lost", "assumed", ge=0)
    # seize
    trigger_strength: float = level(0.5, "assumed", "regime strength below which the plotters move")
    min_capital_share: float = share(0.15, "assumed", "plotters' share of the target's armed strength needed to move")
    recruit_per_day: float = param(
        0.15, "1/day", "assumed", "daily chance scale that an aggrieved mid-rank or top commander joins the plot",
        ge=0, le=1,
    )
    seize_hours: float = param(3.0, "h", "assumed: the time to take the broadcasts and the seat", gt=0)
    consolidate_hours: float = param(12.0, "h", "assumed", gt=0)
    # street
    challenge_share: float = share(
        0.003,
        "assumed: about 40,000 in a city of 13 million, the scale of Moscow's 2011-12 protests",
        "protest share in a region at which the movement becomes a challenge there",
    )
    fade_hours: float = param(
        48.0, "h", "assumed (range 12-120)", "hours below half challenge_share everywhere after which a movement is over", gt=0
    )


class MediatorSpec(Strict):
    """An optional go-between: makes a settlement's guarantees credible (Powell 2006)."""

    enabled: bool = False
    name: str = "a mediator"
    credibility: float = prob(
        0.8, "assumed (range 0.5-0.95)", "chance the guarantees of a deal he brokers hold"
    )
    reoffer_hours: float = param(4.0, "h", "assumed", gt=0)


class SponsorSpec(Strict):
    """Outside sponsors who pay defectors to a challenger and promise them immunity."""

    enabled: bool = False
    backs: str | None = Field(None, description="the challenger it pays for (default: any)")
    cash_kusd_per_man: float = param(10.0, "thousand USD per man", "assumed", ge=0)
    immunity: float = prob(0.6, "assumed", "chance the promised immunity holds")


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
    raid_scale_men: float = param(
        1000.0, "men", "assumed (range 300-5000)", "raiders at which a raid's effects on opinion reach their full size", gt=0
    )
    raid_rally: float = param(
        0.03,
        "legitimacy",
        "assumed (range 0-0.1): article 004 says the Belgorod raid 'might have provided a crucial ideological "
        "boost' with 'initial short-term ideological dividends'; Mueller (1970)",
        "rise of legitimacy and regime strength after a raid of full size",
        ge=0,
        le=1,
    )
    raid_erosion: float = param(
        0.02, "legitimacy", "assumed (range 0-0.05): a long-run cost, stated by no source",
        "fall of the raided region's baseline legitimacy after a raid of full size", ge=0, le=1,
    )
    rally_hours: float = param(
        3.0, "h", "assumed (range 1-12): crowds answering a call gather over hours",
        "time constant with which a called crowd gathers or melts away", gt=0,
    )
    lethality_per_hour: float = param(
        0.002,
        "deaths per firing man per hour",
        "assumed (range 0.0005-0.01): order of magnitude of crowd deaths when troops fire",
        gt=0,
        le=1,
    )
    backfire: float = level(
        0.05,
        "assumed (range 0-0.2): Hess & Martin (2006), Francisco (2005): killing protesters can "
        "raise mobilisation and cost legitimacy",
        "legitimacy lost in a region as deaths there grow past outrage_deaths",
    )
    outrage_deaths: float = param(
        50.0, "deaths", "assumed (range 10-500)", "deaths in a region at which outrage reaches 63% of backfire", gt=0
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
    far_reconsider_share: float = share(
        0.2, "assumed (range 0-1)", "how often a commander far from any fighting reconsiders, relative to one at the front"
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
    own_side_weight: float = level(
        0.5, "assumed (range 0.3-0.7)",
        "weight of attachment and pay in the value of backing the side whose chain of command the unit is in",
    )
    amnesty_base: float = level(0.1, "assumed (range 0-0.3)", "value of the amnesty a challenger's man expects for returning to the ruler")
    amnesty_per_disloyalty: float = level(
        0.3, "assumed (range 0-0.5)", "extra value of returning to the ruler for a challenger's man who is not attached to his own leader"
    )
    challenger_punishment: float = share(
        0.5, "assumed (range 0.2-1)", "share of `punishment` a winning challenger metes out to those who opposed it"
    )
    plot_exposure: float = share(
        0.5, "assumed (range 0.2-1)",
        "share of the ruler's punishment that falls on a committed plotter who has not acted for his side yet",
    )
    unmoved_inertia: float = share(
        0.25, "assumed (range 0-1)", "share of switch_cost that holds a commander who has not yet changed stance in the crisis",
    )
    recruit_multiplier: float = param(
        4.0, "-", "assumed (range 1-8)", "scale of the recruitment formula of coup.recruit", ge=0
    )
    loyalty_base: float = level(0.25, "assumed", "loyalty target with no pay, a regime of strength 0 and no grievance")
    loyalty_pay_weight: float = level(0.5, "assumed", "weight of pay in the loyalty target")
    loyalty_strength_weight: float = level(0.5, "assumed", "weight of regime strength in the loyalty target")
    loyalty_grievance_weight: float = level(0.5, "assumed", "weight of grievance in the loyalty target")
    commitment_credibility: float = prob(
        0.3, "assumed (range 0.1-0.6): Powell (2006): a ruler cannot commit not to punish later",
        "chance the guarantees of a deal hold when no mediator stands behind them",
    )
    block_ratio: float = param(
        0.5,
        "share of the column's power",
        "assumed: a much weaker force cannot halt a column, only delay it by fighting",
        "loyal power needed in a region to halt a column there",
        ge=0,
    )
    contest_share: float = share(
        0.1,
        "assumed (range 0.05-0.3): Lanchester attrition never leaves exactly nobody",
        "opposing power at a seized seat, as a share of the holders', below which the seat counts as "
        "uncontested (and an undefended ruler there is taken)",
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
    """The ruler calls up reservists: the call-up falls on regions by mobilization_weight."""

    type: Literal["mobilization"]
    target_people: int = param(300_000, "people", "assumed: scenario-specific", ge=0)
    duration_days: float = param(35.0, "days", "assumed", gt=0)
    evasion: float = share(0.5, "assumed", "share of those called up who evade")


class HaltMobilization(_EventBase):
    type: Literal["halt_mobilization"]
    regions: list[str] = Field(default_factory=list, description="empty: everywhere")


class Defeat(_EventBase):
    """A defeat at the front: regime strength and legitimacy fall; blame falls on commanders."""

    type: Literal["defeat"]
    severity: float = level(0.5, "assumed", "how grave the defeat is")
    casualties: int = param(5000, "men", "assumed: losses at the front, counted apart from the crisis'", ge=0)


class Victory(_EventBase):
    type: Literal["victory"]
    severity: float = level(0.3, "assumed")
    actor: str | None = Field(None, description="a challenger whose popularity the victory raises")


class StrikeOnCapital(_EventBase):
    type: Literal["strike_on_capital"]
    severity: float = level(0.5, "assumed")


class Provocation(_EventBase):
    """The ruler's men move against a challenger: its leader's grievance rises."""

    type: Literal["provocation"]
    actor: str = Field(description="the challenger provoked")
    grievance: float = level(0.4, "assumed")


class Ultimatum(_EventBase):
    type: Literal["ultimatum"]
    actor: str = Field(description="the challenger who issues it")


class Challenge(_EventBase):
    """A challenger acts now (a march sets out, plotters strike, a rival centre rallies): the
    premise of a scenario about what happens after a challenge opens."""

    type: Literal["challenge"]
    actor: str = Field(description="the challenger who acts")


class LeaderDies(_EventBase):
    """A leader dies (an assassination, an accident, a stroke): the ruler's death leaves the
    seat to whoever holds it; a challenger's death ends its challenge."""

    type: Literal["leader_dies"]
    actor: str = Field(description="'ruler' or a challenger's id")


class Raid(_EventBase):
    type: Literal["raid"]
    region: str
    actor: str | None = Field(None, description="the challenger the raiders fight for (default: none)")
    strength: int = param(300, "men", "assumed", ge=0)
    duration_hours: float = param(36.0, "h", "assumed", gt=0)


class Purge(_EventBase):
    type: Literal["purge"]
    units: list[str]


class ProtestCall(_EventBase):
    """A call to protest: a focal point that lowers people's thresholds in a region (Kuran 1991)."""

    type: Literal["protest_call"]
    region: str
    boost: float = param(0.15, "-", "assumed: weight of a focal call in the activation rule", ge=0, le=1)
    duration_hours: float = param(48.0, "h", "assumed", gt=0)


class RallyCall(_EventBase):
    """An actor calls its supporters into the streets to back it (regions empty: everywhere)."""

    type: Literal["rally_call"]
    actor: str = Field(description="'ruler' or a challenger's id")
    regions: list[str] = Field(default_factory=list, description="empty: every region")
    duration_hours: float = param(24.0, "h", "assumed", gt=0)


class LegitimacyShock(_EventBase):
    type: Literal["legitimacy_shock"]
    regions: list[str] = Field(default_factory=list, description="empty: every region")
    delta: float = param(-0.1, "legitimacy", "scenario-specific", ge=-1, le=1)
    permanent: bool = True


class Propaganda(_EventBase):
    type: Literal["propaganda"]
    boost: float = param(0.03, "legitimacy", "assumed", ge=0, le=1)


class PayRise(_EventBase):
    type: Literal["pay_rise"]
    institution: str
    amount: float = level(0.15, "assumed")


class SponsorOffer(_EventBase):
    type: Literal["sponsor_offer"]
    backs: str | None = Field(None, description="the challenger it pays for (default: any)")
    cash_kusd_per_man: float = param(10.0, "thousand USD per man", "assumed", ge=0)
    immunity: float = prob(0.6, "assumed")


EventSpec = Annotated[
    Mobilization
    | HaltMobilization
    | Defeat
    | Victory
    | StrikeOnCapital
    | Provocation
    | Ultimatum
    | Challenge
    | LeaderDies
    | Raid
    | Purge
    | ProtestCall
    | RallyCall
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
    "challenge",
    "leader_dies",
    "raid",
    "purge",
    "protest_call",
    "rally_call",
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
    label: str = Field(
        "", description="how figures and answers name the parameter (default: from the schema's description "
                        "of the field, else its path)"
    )


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
    institutions: dict[str, Institution] = Field(default_factory=dict)
    units: dict[str, Unit] = Field(default_factory=dict)
    ruler: RulerSpec = RulerSpec()
    challengers: dict[str, ChallengerSpec] = Field(default_factory=dict)
    mediator: MediatorSpec = MediatorSpec()
    sponsor: SponsorSpec = SponsorSpec()
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
    def seat(self) -> str:
        return self.ruler.seat or self.capital

    @property
    def sides(self) -> tuple[str, ...]:
        """The ruler, then every enabled challenger (sorted by id)."""
        return (RULER, *sorted(k for k, c in self.challengers.items() if c.enabled))

    @property
    def steps(self) -> int:
        return int(round(self.time.horizon_days * 24.0 / self.time.step_hours))
