"""The scenario schema: one source of truth for validation, JSON Schema and parameter docs.

Every numeric parameter is declared with :func:`param` (or ``prob``/``share``/``level``) so it
carries a unit and the provenance of its default (``sim/scenario/params.py``): ``sourced`` (the
figure and where a source states it: an article of ``shared/sources`` by id, e.g. ``001``, or a
publication), ``assumed`` (a plausible range and a reason), ``data`` (the world file gives it) or
``setting`` (how a run is made).

No ``from __future__ import annotations`` here: pydantic would then compile each of the 270
fields' annotations from text at import (about 0.05 s of every command that reads a scenario).
"""

import re
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .params import (
    Assumed,
    assumed,
    data,
    level,
    param,
    prob,
    provenance_of,
    setting,
    share,
    sourced,
)


class Strict(BaseModel):
    """Unknown keys are errors (with a 'did you mean' from the loader).

    Validators are built when a model first validates, not when its class is defined
    (``defer_build``): a scenario is validated as a whole, so building a validator for each
    of the 38 models at import time - every command that reads a scenario pays for the import -
    was work thrown away (about 0.15 s of `regime-sim validate`'s start)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


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
        1.0, "h", setting("the model's time step: fine enough to follow a one-day march"), gt=0, le=24
    )
    horizon_days: float = param(30.0, "days", setting("how long a run lasts; a scenario sets it to its question"), gt=0)
    start: str | None = Field(
        None, description="calendar label of hour 0, e.g. '2023-06-23 18:00' (display only)"
    )


# ----------------------------------------------------------------------------- geography
class Region(Strict):
    capital: bool = False
    population: int = param(..., "people", data("the world file's census figure"), ge=0)
    hardship: float = prob(
        0.5, sourced("Epstein (2002) Modeling civil violence, PNAS 99(suppl 3): 7243-7250", "H ~ U(0,1)", "Model I: hardship is uniform on (0, 1), so its mean is 0.5"), "mean perceived hardship H"
    )
    legitimacy: float = prob(
        0.9, assumed(0.5, 0.95, "a regime in quiet times is seen as largely legitimate; Epstein's runs use 0.82-0.89"), "perceived legitimacy L"
    )
    grid: int = param(
        20, "cells per side", setting("resolution of the region's population grid (agents stand for the mobilizable share)"), ge=3, le=5000
    )
    mobilization_weight: float = param(
        1.0,
        "relative",
        assumed(0.5, 2.0, "a call-up falls on regions in proportion to population unless the world file says otherwise"),
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
        assumed(0.0, 0.5, "police arrest whom they see unless the world file says they hesitate"),
        "chance a loyal local policeman does not arrest an active protester he sees",
    )
    exit_access: float = prob(
        1.0, assumed(0.5, 1.0, "every region can reach a border unless the world file says otherwise"), "share able to reach a border"
    )
    pos: tuple[float, float] = param(
        (0.0, 0.0), "degrees (lon, lat)", data("geography; used only to draw the map")
    )


class Route(Strict):
    a: str
    b: str
    km: float = param(..., "km", data("road distance in the world file"), gt=0)
    road: str = ""


# ----------------------------------------------------------------------------- institutions and units
RULER = "ruler"  #: the side id of the ruler; challengers use their own ids
ASIDE = "aside"  #: a unit that backs no side


class Institution(Strict):
    """A body of armed men (an army, an interior ministry's troops, a secret police, a guard, a
    PMC, the police): its traits shape how its units' commanders decide (Lee 2015; Barany 2016)."""

    label: str = ""
    plural: bool = Field(
        False, description="the label is grammatically plural ('armed forces (MoD)'): a sentence "
        "that names the institution (e.g. as who holds the capital) takes a plural verb",
    )
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
        assumed(0.0, 0.3, "most institutions have no personal tie to the ruler beyond pay (Lee 2015: patrimonial ties are what make an army defend a ruler)"),
        "extra value its commanders see in backing the ruler (rule units.counterweight)",
    )
    fire_propensity: float = prob(
        0.3,
        assumed(0.05, 0.8, "Lee (2015), Barany (2016): professional armies with autonomy from the ruler rarely fire on large crowds; regime-made forces often do"),
        "chance a unit ordered to clear a crowd much smaller than itself opens fire",
    )
    blamed_for_defeats: bool = Field(
        False, description="defeats at the front bring blame on its commanders (rule units.blame)"
    )
    air_arm: bool = Field(
        False,
        description="its units are air units (an air force, army aviation): they stand in no ground "
        "combat but strike from the air a hostile force within their reach, and lose aircraft and "
        "crews, not their ground crews (rule combat.air_strike); a unit can say otherwise with its "
        "own `air_arm`",
    )


class Unit(Strict):
    """An armed unit whose commander chooses which side to back (or none)."""

    institution: str = Field(description="id of an entry of `institutions`")
    label: str = ""
    kind: str = Field("brigade", description="free text: brigade, district, department, aviation ...")
    region: str
    strength: int = param(..., "men", data("the world file's order of magnitude per unit"), ge=0)
    rank: Literal["top", "mid", "unit"] = Field(
        "unit",
        description="top: the institution's leadership; mid: colonels and one-star generals; "
        "unit: line commanders",
    )
    loyalty: float = level(0.75, assumed(0.5, 0.95, "a commander in quiet times is attached to his chain of command"), "commander's attachment to his chain of command")
    pay: float = level(0.5, assumed(0.2, 0.8, "the middle of the pay scale when the world file gives nothing"), "patronage the unit receives from its chain of command")
    grievance: float = level(0.1, assumed(0.0, 0.4, "little grievance against the leadership in quiet times"), "grievance against the leadership")
    fear: float = level(0.6, assumed(0.3, 0.9, "commanders of a personalist regime fear the ruler's punishment"), "fear of punishment by the ruler")
    combat_power: float = param(1.0, "relative to line infantry", assumed(0.5, 2.0, "line infantry is the unit of combat power"), gt=0)
    mobile: bool = True
    reach_km: float = param(
        0.0, "km", assumed(0.0, 100.0, "ground units fight where they stand; aviation sets its own reach in the world file"), ge=0
    )
    air_arm: bool | None = Field(
        None,
        description="an air unit (rule combat.air_strike): true or false; unset, as its "
        "institution's `air_arm`. An air unit needs `reach_km`; its `strength` is its "
        "men on the ground (crews and mechanics), who count in forecasts but do not fight",
    )
    aircraft: int = param(
        20, "aircraft",
        assumed(5, 60, "an air unit of a squadron (about a dozen aircraft) to a brigade or wing (a few dozen)"),
        "aircraft an air unit can put in the air (ignored for a ground unit)", ge=1,
    )
    crew_per_aircraft: int = param(
        2, "men per aircraft",
        assumed(1, 10, "attack helicopters and strike jets fly with one or two, transport helicopters "
                "three, patrol and command aircraft ten or more"),
        "men aboard each aircraft of an air unit: all of them die when it is shot down", ge=1,
    )
    sorties_per_day: float = param(
        2.0, "sorties per aircraft per day",
        assumed(0.5, 4.0, "a combat aircraft or helicopter flies about one to three sorties a day when "
                "pressed; over a crisis of hours the rate is not measured"),
        "how often each aircraft of an air unit strikes while it backs a side against a force in reach",
        ge=0,
    )
    kill_per_sortie: float = param(
        1.0, "men per sortie",
        assumed(0.2, 5.0, "a sortie of rockets and guns against a dispersed, moving force puts a vehicle "
                "or two out of action; not measured"),
        "men of the target killed by one sortie of an air unit", ge=0,
    )
    air_defence: float = prob(
        0.01,
        assumed(0.001, 0.05, "orders of magnitude of air wars: losses of a few per thousand sorties against "
                "light air defence to a few per hundred against dense missile defences"),
        "chance that an aircraft striking this unit is shot down, per sortie (the unit's own air defence)",
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
    plural: bool = Field(
        False, description="the name is grammatically plural ('the generals', 'armed forces'): the log's "
        "sentences about it take a plural verb ('the generals hold ...')",
    )
    seat: str | None = Field(None, description="region of the seat of power (default: the capital)")
    location: str | None = Field(None, description="region where the ruler is at the start (default: the seat)")
    regime_strength: float = level(
        0.75, assumed(0.5, 0.9, "elites' prior that a ruler in office prevails is high in quiet times"), "perceived regime strength S: elites' prior that the ruler prevails"
    )
    strength_recovery_per_day: float = param(0.01, "1/day", assumed(0.0, 0.05, "perceived strength mends over weeks to months"), ge=0, le=1)
    budget: float = param(3000.0, "USD million", assumed(500.0, 10000.0, "a crisis fund of some billions of dollars"), ge=0)
    decision_interval_hours: float = param(6.0, "h", assumed(2.0, 24.0, "the inner circle meets a few times a day"), gt=0)
    crisis_decision_interval_hours: float = param(
        1.0, "h", assumed(0.5, 6.0, "under an armed challenge the ruler decides hour by hour"), gt=0
    )
    pay_floor: float = level(0.55, assumed(0.3, 0.8, "the ruler pays units whose loyalty falls below the middle of the scale"), "loyalty below which the ruler pays a unit")
    pay_step: float = level(0.15, assumed(0.05, 0.3, "one payment moves pay by a small step of its 0-1 scale"), "pay rise per payment")
    pay_cost_kusd_per_man: float = param(3.0, "thousand USD per man", assumed(0.5, 10.0, "a bonus of some months' pay per man"), ge=0)
    repress_trigger: float = share(
        0.01, assumed(0.002, 0.05, "the ruler clears a region's streets once protest is visible, well before it is massive"), "protest share in a region at which the ruler orders it cleared and reinforced"
    )
    escalate_after_hours: float = param(
        24.0, "h", assumed(6.0, 72.0, "the army is sent in when the police have not cleared the streets within a day or so"),
        "hours a region stays above repress_trigger before every loyal unit there is ordered to clear it",
        gt=0,
    )
    redeploy_speed_kmh: float = param(40.0, "km/h", assumed(20.0, 60.0, "a road convoy"), gt=0)
    travel_speed_kmh: float = param(500.0, "km/h", assumed(100.0, 800.0, "the ruler flies (or, at the low end, drives)"), gt=0)
    recall_radius_km: float = param(
        800.0, "km", assumed(200.0, 1500.0, "units within a night's drive are ordered to the seat when it is attacked"), ge=0
    )
    concede_trigger: float = share(
        0.01, assumed(0.002, 0.05, "protest elsewhere at which the ruler spares the big cities a call-up"), "protest share elsewhere that makes the ruler halt a call-up in the big cities"
    )
    concede_demands_propensity: float = prob(
        0.25, assumed(0.05, 0.5, "a ruler rarely meets an ultimatum outright"), "chance of meeting a challenger's ultimatum when regime strength is 0"
    )
    purge_blame: float = level(0.5, assumed(0.3, 0.8, "the ruler purges a top commander once blame is more than middling"), "grievance (blame) at which the ruler purges a top commander")
    propaganda_trigger: float = prob(0.7, assumed(0.5, 0.85, "the ruler buys propaganda when legitimacy sags below its quiet-time level"), "national legitimacy below which propaganda is bought")
    propaganda_boost: float = param(0.02, "legitimacy", assumed(0.0, 0.05, "one campaign moves legitimacy by a few points at most"), ge=0, le=1)
    propaganda_cost: float = param(50.0, "USD million", assumed(10.0, 200.0, "a campaign costs tens of millions of dollars"), ge=0)
    rally_reach: float = share(
        0.1,
        assumed(0.0, 0.5, "how much of the mobilizable public the ruler's networks (party, media, mosques, unions) can bring out"),
        "share of those who back him that answer the ruler's call to the streets",
    )
    resign_below: float = prob(
        0.15,
        assumed(0.05, 0.3, "a ruler leaves office only when he expects to lose"),
        "the ruler leaves office when his own forecast of prevailing falls below this and the "
        "seat's armed men do not defend him",
    )
    abandoned_hours: float = param(
        24.0,
        "h",
        assumed(2.0, 264.0, "Ceausescu fled within hours of the army's switch (22 Dec 1989), Ben Ali "
                "a day after the army stood back (14 Jan 2011), Mubarak 11 days after the army said it "
                "would not fire (31 Jan - 11 Feb 2011)"),
        "how long the ruler holds on at an all-but-undefended seat before he leaves whatever he believes",
        ge=0,
    )
    war_cost: float = level(
        0.3, assumed(0.1, 0.6, "Fearon (1995): fighting is costly to both sides"),
        "what fighting a challenge at the seat's door costs the ruler (scaled by how close it is)",
    )
    deal_concession: float = level(
        0.35, assumed(0.1, 0.6, "a settlement with an armed challenger costs the ruler guarantees and authority"), "what a settlement costs the ruler"
    )


class ChallengerSpec(Strict):
    """A challenger: plotters, mutineers, a protest movement or a rival centre of authority."""

    enabled: bool = True
    name: str = Field(description="the leader or body, as the log should name it")
    plural: bool = Field(
        False, description="the name is grammatically plural ('the generals', 'armed forces'): the log's "
        "sentences about it take a plural verb ('the generals hold ...')",
    )
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
    target: str | None = Field(None, description="region it moves on (default: the ruler's seat of power); "
                                "taking another region holds that region, not power")
    offer: float = level(0.15, assumed(0.0, 0.4, "a challenger can promise units little before it wins"), "what it promises units that join it")
    grievance: float = level(0.3, assumed(0.1, 0.7, "a leader who challenges the ruler holds some grievance against his men"), "the leader's grievance against the ruler's men")
    ambition: float = level(0.6, assumed(0.3, 0.9, "power is worth much to a man who challenges for it"), "value of power to the leader")
    popularity: float = level(0.3, assumed(0.05, 0.6, "a challenger is backed by a minority of the public that could turn out"), "public support: the share of a crowd's potential that answers its call")
    temperature: float = param(
        0.25, "utility", assumed(0.05, 0.5, "one leader's choices under stress are noisy (logit)"), gt=0
    )
    death_cost: float = level(0.8, assumed(0.5, 1.0, "failing costs a challenger's leader his freedom or his life"), "what failing costs the leader")
    give_up_below: float = prob(
        0.1, assumed(0.02, 0.3, "a challenger gives up when it no longer expects to win"), "it gives up (surrenders, disperses) when its own forecast falls below this"
    )
    collapse_share: float = share(
        0.35, assumed(0.1, 0.6, "an armed force breaks up after heavy losses, well before it is destroyed"), "strength left, as share of its start, at which its armed force breaks up"
    )
    blames: str | None = Field(
        None, description="institution whose leadership its ultimatum demands be sacked"
    )
    # march
    ultimatum_threshold: float = level(0.75, assumed(0.5, 0.9, "an ultimatum comes when grievance is high"), "grievance at which the leader issues an ultimatum")
    ultimatum_deadline_hours: float = param(6.0, "h", assumed(1.0, 48.0, "an ultimatum gives hours, not days"), gt=0)
    march_speed_kmh: float = param(40.0, "km/h", assumed(15.0, 60.0, "a motorised column on a highway, slowed by stops"), gt=0)
    guarantee_value: float = level(0.55, assumed(0.3, 0.8, "what a deal's guarantees (safety, exile) are worth to the leader"), "value to the leader of a settlement's guarantees")
    demands_value: float = level(0.0, assumed(0.0, 0.5, "a challenger without concrete demands gains nothing from their being met"), "value of the demands a settlement meets (goal force_concessions)")
    front_region: str | None = Field(None, description="where its men fight a war and bleed (attrition)")
    attrition_per_day: float = param(0.0, "1/day", assumed(0.0, 0.01, "no front unless the world file gives one and its losses"), "share of its strength lost per day at the front", ge=0, le=1)
    grievance_per_loss: float = param(3.0, "grievance per share lost", assumed(0.5, 6.0, "losing a fifth of one's men at the front turns a leader bitter"), ge=0)
    # seize
    trigger_strength: float = level(0.5, assumed(0.3, 0.7, "plotters move when the ruler looks weak"), "regime strength below which the plotters move")
    min_capital_share: float = share(0.15, assumed(0.05, 0.4, "plotters need a real foothold among the capital's armed men"), "plotters' share of the target's armed strength needed to move")
    recruit_per_day: float = param(
        0.15, "1/day", assumed(0.02, 0.4, "a plot recruits an aggrieved commander over days to weeks"), "daily chance scale that an aggrieved mid-rank or top commander joins the plot",
        ge=0, le=1,
    )
    seize_hours: float = param(3.0, "h", assumed(1.0, 12.0, "the time to take the broadcasts and the seat"), gt=0)
    consolidate_hours: float = param(12.0, "h", assumed(4.0, 48.0, "a new holder of the seat needs hours to a day or two to consolidate"), gt=0)
    # street
    challenge_share: float = share(
        0.003,
        assumed(0.001, 0.01, "about 40,000 in a city of 13 million, the order of Moscow's 2011-12 protests"),
        "protest share in a region at which the movement becomes a challenge there",
    )
    fade_hours: float = param(
        48.0, "h", assumed(12.0, 120.0, "a movement off the streets for two days is over"), "hours below half challenge_share everywhere after which a movement is over", gt=0
    )


class MediatorSpec(Strict):
    """An optional go-between: makes a settlement's guarantees credible (Powell 2006)."""

    enabled: bool = False
    name: str = "a mediator"
    credibility: float = prob(
        0.8, assumed(0.5, 0.95, "a go-between with standing makes guarantees mostly credible (Powell 2006)"), "chance the guarantees of a deal he brokers hold"
    )
    reoffer_hours: float = param(4.0, "h", assumed(1.0, 12.0, "a mediator returns with an offer within hours"), gt=0)


class SponsorSpec(Strict):
    """Outside sponsors who pay defectors to a challenger and promise them immunity."""

    enabled: bool = False
    backs: str | None = Field(None, description="the challenger it pays for (default: any)")
    cash_kusd_per_man: float = param(10.0, "thousand USD per man", assumed(1.0, 50.0, "hard cash of months to years of a soldier's pay"), ge=0)
    immunity: float = prob(0.6, assumed(0.2, 0.9, "promised immunity holds more often than not"), "chance the promised immunity holds")


# ----------------------------------------------------------------------------- public
class PublicSpec(Strict):
    density: float = share(0.7, sourced("Epstein (2002) Modeling civil violence, PNAS 99(suppl 3): 7243-7250", "agent density 0.7", "Runs 1-2 settings"), "citizens per grid cell")
    vision: int = param(7, "cells", sourced("Epstein (2002) Modeling civil violence, PNAS 99(suppl 3): 7243-7250", "vision 7", "Runs 1-2 settings"), ge=1)
    neighbourhood: Literal["von_neumann", "moore"] = "von_neumann"
    active_threshold: float = prob(0.1, sourced("Epstein (2002) Modeling civil violence, PNAS 99(suppl 3): 7243-7250", "T = 0.1", "Model I: the activation rule G - N > T"), "threshold T in G - R*P > T")
    arrest_constant: float = param(2.3, "-", sourced("Epstein (2002) Modeling civil violence, PNAS 99(suppl 3): 7243-7250", "k = 2.3", "Model I: the estimated arrest probability"), gt=0)
    round_arrest_ratio: bool = Field(
        True, description="round(C/A) in the arrest estimate (Mesa, NetLogo); off = paper formula"
    )
    still_when_calm: bool = Field(
        True, description="a region where nobody is active and nobody could turn active (its most aggrieved "
        "citizen is under the threshold) skips the tick's moves: only positions differ, which nothing reads "
        "until someone could act; off = everyone moves every tick, as in Epstein's model (slower, same "
        "distributions: docs/ODD.md)"
    )
    max_jail_days: float = param(
        15.0, "days", sourced("Code of Administrative Offences of the Russian Federation", "administrative arrest of up to fifteen days", "art. 3.9"), ge=0
    )
    police_scale: float = param(
        12.0,
        "grid policemen per security man per head",
        assumed(6.0, 24.0, "maps about 1 policeman per 200 people onto a cop density near 0.06 (Epstein's runs use 0.04-0.074)"),
        "policemen on a region's grid = security men / population x cells x police_scale",
        gt=0,
    )
    social_influence: float = param(
        0.05,
        "-",
        assumed(0.0, 0.2, "Granovetter (1978), Kuran (1991): people act when they see others act; the weight is not measured"),
        "weight of the visible active share in the activation rule",
        ge=0,
        le=1,
    )
    detained_share: float = share(
        0.01,
        assumed(0.002, 0.05, "OVD-Info's counts of detentions run to thousands for crowds in the tens of thousands"),
        "share of the people a police action takes off the street who are actually detained",
    )
    mobilizable_share: float = share(
        0.1,
        assumed(0.03, 0.2, "001 calls Russia's society apolitical; a tenth are potential street actors"),
        "share of people who are potential street actors: the grid's agents stand for them",
    )
    interval_hours: float = param(3.0, "h", assumed(1.0, 6.0, "crowds form over hours"), gt=0)
    exit_rate_per_day: float = param(
        0.0005,
        "1/day",
        assumed(0.0002, 0.001, "001: about 600,000 crossings (002: 400,000) of 146 million, 0.3-0.4% in all; the period is not stated: 0.0005 a day spreads it over about eight days"),
        "share of the population that leaves per day at full mobilization threat",
        ge=0,
        le=1,
    )
    exit_memory_days: float = param(
        8.0, "days", assumed(3.0, 21.0, "the flight came in the weeks after the speech (001); the decay is not measured"), gt=0
    )
    mobilization_hardship: float = param(
        0.1, "hardship", assumed(0.02, 0.25, "002: families lose their main earners; the size is not measured"), ge=0, le=1
    )
    contract_break_drop: float = param(
        0.06,
        "legitimacy",
        assumed(0.02, 0.12, "000, 001: mobilization broke the social contract; Levada's approval of the president fell about 6 points in Sept 2022 (approval is not legitimacy)"),
        "legitimacy lost where the call-up falls at full weight",
        ge=0,
        le=1,
    )
    security_contract_drop: float = param(
        0.08,
        "legitimacy",
        assumed(0.02, 0.15, "000: a strike on Moscow shows the ruler cannot keep the security contract; the size is not measured"),
        ge=0,
        le=1,
    )
    legitimacy_recovery_per_day: float = param(0.01, "1/day", assumed(0.0, 0.03, "legitimacy mends over weeks to months"), ge=0, le=1)
    people_power: float = param(
        0.12,
        "armed-man equivalents per protester",
        assumed(0.03, 0.5, "3.5% of Moscow (about 460,000; Chenoweth & Stephan 2011) weighs about as much as the capital's armed forces"),
        ge=0,
    )
    raid_scale_men: float = param(
        1000.0, "men", assumed(300.0, 5000.0, "a raid of some hundreds to thousands of men makes national news"), "raiders at which a raid's effects on opinion reach their full size", gt=0
    )
    raid_rally: float = param(
        0.03,
        "legitimacy",
        assumed(0.0, 0.1, "004: the Belgorod raid 'might have provided a crucial ideological boost'; Mueller (1970)"),
        "rise of legitimacy and regime strength after a raid of full size",
        ge=0,
        le=1,
    )
    raid_erosion: float = param(
        0.02, "legitimacy", assumed(0.0, 0.05, "a long-run cost, stated by no source"),
        "fall of the raided region's baseline legitimacy after a raid of full size", ge=0, le=1,
    )
    rally_hours: float = param(
        3.0, "h", assumed(1.0, 12.0, "crowds answering a call gather over hours"),
        "time constant with which a called crowd gathers or melts away", gt=0,
    )
    lethality_per_hour: float = param(
        0.002,
        "deaths per firing man per hour",
        assumed(0.0005, 0.01, "order of magnitude of crowd deaths when troops fire"),
        gt=0,
        le=1,
    )
    backfire: float = level(
        0.05,
        assumed(0.0, 0.2, "Hess & Martin (2006), Francisco (2005): killing protesters can raise mobilisation and cost legitimacy"),
        "legitimacy lost in a region as deaths there grow past outrage_deaths",
    )
    outrage_deaths: float = param(
        50.0, "deaths", assumed(10.0, 500.0, "tens to hundreds of deaths turn a region against the ruler"), "deaths in a region at which outrage reaches 63% of backfire", gt=0
    )
    outrage_reach: float = share(
        0.3,
        assumed(0.0, 1.0, "Francisco (2004), Hess & Martin (2006): news of a massacre carries outrage beyond the place (Timisoara 1989, Sidi Bouzid 2010); it is weaker at a distance and regimes muffle it; the share is not measured"),
        "share of a killing's outrage (crowds.backfire) its news carries to another region, times exp(-km/elites.reach_km)",
    )


# ----------------------------------------------------------------------------- elites
class ElitesSpec(Strict):
    decisiveness: float = param(
        2.0, "-", assumed(1.0, 3.0, "Tullock contest success function exponent; 1 is proportional, higher rewards superiority"), gt=0
    )
    prior_weight: float = share(
        0.35, assumed(0.1, 0.6, "commanders weigh the regime's reputation beside the power they see"), "weight of perceived regime strength in a commander's forecast"
    )
    local_weight: float = share(
        0.5, assumed(0.2, 0.8, "Granovetter (1978): one unit's choice tips the next; the weight is not measured")
    )
    temperature: float = param(
        0.08, "utility", assumed(0.03, 0.2, "logit (quantal response) noise of a commander's choice"), gt=0
    )
    reconsider_per_hour: float = param(
        0.15, "1/h", assumed(0.05, 0.5, "commanders re-read the situation every few hours"), ge=0, le=1
    )
    far_reconsider_share: float = share(
        0.2, assumed(0.0, 1.0, "a commander far from any fighting reconsiders less often"), "how often a commander far from any fighting reconsiders, relative to one at the front"
    )
    switch_cost: float = level(0.2, assumed(0.05, 0.4, "changing stance burns bridges"), "cost of changing stance (burnt bridges)")
    fact_bonus: float = level(
        0.25, assumed(0.0, 0.5, "Singh (2014): seizing symbolic sites and broadcasts 'makes a fact'; its size is not measured")
    )
    reappearance_cut: float = share(
        0.5,
        assumed(0.0, 1.0, "Singh (2014): a coup is won by making a fact, and an incumbent seen free and in "
                "command contradicts it (Turkey 2016: the president's call from Marmaris, then his landing in "
                "Istanbul); how much of the fact it unmakes is not measured"),
        "share of a challenger's fact (fact_bonus, rule units.make_a_fact) unmade while the ruler is seen free and "
        "in command away from the seat: in office, at the haven rule ruler.move takes him to",
    )
    punishment: float = level(1.0, assumed(0.5, 1.0, "000: after Rust's flight 'the heads of about 25 generals ... rolled'; the top of the utility scale"))
    aside_penalty: float = level(0.15, assumed(0.0, 0.4, "neutrality is punished less than defection"))
    loyalty_adjust_per_day: float = param(0.08, "1/day", assumed(0.02, 0.2, "attachment moves over days to weeks"), ge=0, le=1)
    grievance_decay_per_day: float = param(0.01, "1/day", assumed(0.0, 0.05, "grievance fades over months"), ge=0, le=1)
    cash_weight: float = level(
        0.35, assumed(0.1, 0.6, "004: bosses may defect 'for immunity and hard cash'; its weight is not measured"), "utility of cash at its maximum appeal, beside pay and attachment (0-1 each)"
    )
    cash_half_kusd: float = param(
        10.0, "thousand USD per man", assumed(2.0, 50.0, "cash at which its appeal is half its maximum: months to years of pay"), gt=0
    )
    defeat_strength_drop: float = level(0.15, assumed(0.05, 0.3, "001: 'the war has been lost'; the size is not measured"))
    strike_strength_drop: float = level(0.12, assumed(0.03, 0.25, "000: a strike on Moscow breaks the security contract; the size is not measured"))
    challenge_erosion_per_hour: float = param(
        0.003,
        "1/h",
        assumed(0.0, 0.01, "003: the march 'rapidly eroded' the ruler's authority; the rate is not measured"),
        ge=0,
        le=1,
    )
    protest_strength_drop: float = param(
        2.0, "strength per protest share", assumed(0.5, 5.0, "elites watch the street: a protest of 10% costs the regime most of its perceived strength"), ge=0
    )
    lanchester_kill_per_hour: float = param(
        0.01,
        "1/h",
        assumed(0.002, 0.05, "Lanchester square law; the rate per man-equivalent is not measured"),
        ge=0,
        le=1,
    )
    reach_km: float = param(
        700.0,
        "km",
        assumed(200.0, 1500.0, "000: 'everything happens in the capital'; how far a unit's weight reaches is not measured"),
        "distance at which a unit's weight in a showdown for the capital falls by 1/e",
        gt=0,
    )
    fight_cost: float = level(
        1.0, assumed(0.3, 1.0, "standing against an enemy that fills one's region is as costly as the worst punishment"), "cost of a loyal stand against an enemy that fills one's own region"
    )
    crowd_per_policeman: float = param(
        10.0,
        "protesters per man",
        assumed(3.0, 30.0, "riot police can disperse crowds about ten times their number"),
        "what makes repression costly: crowd / (crowd + this x loyal security men)",
        gt=0,
    )
    own_side_weight: float = level(
        0.5, assumed(0.3, 0.7, "attachment and pay weigh about half in the value of one's own side"),
        "weight of attachment and pay in the value of backing the side whose chain of command the unit is in",
    )
    amnesty_base: float = level(0.1, assumed(0.0, 0.3, "a ruler may pardon rank-and-file rebels who return"), "value of the amnesty a challenger's man expects for returning to the ruler")
    amnesty_per_disloyalty: float = level(
        0.3, assumed(0.0, 0.5, "a man not attached to his leader values a pardon more"), "extra value of returning to the ruler for a challenger's man who is not attached to his own leader"
    )
    challenger_punishment: float = share(
        0.5, assumed(0.2, 1.0, "a winning challenger punishes its opponents, likely less than the ruler would"), "share of `punishment` a winning challenger metes out to those who opposed it"
    )
    plot_exposure: float = share(
        0.5, assumed(0.2, 1.0, "a plotter who has not acted yet can still deny, in part"),
        "share of the ruler's punishment that falls on a committed plotter who has not acted for his side yet",
    )
    undeclared_weight: float = share(
        0.5,
        assumed(0.2, 1.0, "Singh (2014) ch. 2: in a crisis officers read what others have done, not their formal "
                "allegiance; how much a silent unit still counts is not measured (1: as if it had declared)"),
        "weight in every forecast of a unit that has not yet taken a side in the crisis (rule units.wait_and_see)",
    )
    unmoved_inertia: float = share(
        0.25, assumed(0.0, 1.0, "a commander who has not moved yet is held by part of the switch cost"), "share of switch_cost that holds a commander who has not yet changed stance in the crisis",
    )
    recruit_multiplier: float = param(
        4.0, "-", assumed(1.0, 8.0, "scale of the recruitment formula of coup.recruit"), "scale of the recruitment formula of coup.recruit", ge=0
    )
    loyalty_base: float = level(0.25, assumed(0.1, 0.4, "loyalty with no pay, no strength and no grievance is low"), "loyalty target with no pay, a regime of strength 0 and no grievance")
    loyalty_pay_weight: float = level(0.5, assumed(0.2, 0.8, "pay weighs about half in the loyalty target"), "weight of pay in the loyalty target")
    loyalty_strength_weight: float = level(0.5, assumed(0.2, 0.8, "regime strength weighs about half in the loyalty target"), "weight of regime strength in the loyalty target")
    loyalty_grievance_weight: float = level(0.5, assumed(0.2, 0.8, "grievance weighs about half in the loyalty target"), "weight of grievance in the loyalty target")
    commitment_credibility: float = prob(
        0.3, assumed(0.1, 0.6, "Powell (2006): a ruler cannot commit not to punish later"),
        "chance the guarantees of a deal hold when no mediator stands behind them",
    )
    block_ratio: float = param(
        0.5,
        "share of the column's power",
        assumed(0.2, 1.0, "a much weaker force cannot halt a column, only delay it by fighting"),
        "loyal power needed in a region to halt a column there",
        ge=0,
    )
    contest_share: float = share(
        0.1,
        assumed(0.05, 0.3, "Lanchester attrition never leaves exactly nobody"),
        "opposing power at a seized seat, as a share of the holders', below which the seat counts as "
        "uncontested (and an undefended ruler there is taken)",
    )
    civil_war_hours: float = param(
        72.0, "h", assumed(24.0, 168.0, "an unresolved armed split of days is a civil war"), gt=0
    )
    civil_war_share: float = share(
        0.25, assumed(0.1, 0.4, "a split becomes a civil war when a real part of the armed forces has defected"), "defected share of armed strength that makes a lasting split a civil war"
    )


# ----------------------------------------------------------------------------- events
class _EventBase(Strict):
    at: float = param(..., "h", data("when the event happens: the scenario's script"))
    note: str = ""

    @field_validator("at", mode="before")
    @classmethod
    def _parse_at(cls, v: Any) -> float:
        return parse_at(v)


class Mobilization(_EventBase):
    """The ruler calls up reservists: the call-up falls on regions by mobilization_weight."""

    type: Literal["mobilization"]
    target_people: int = param(300_000, "people", sourced("001", "the officially announced 300,000", "on the call-up of September 2022"), ge=0)
    duration_days: float = param(35.0, "days", assumed(14.0, 60.0, "a call-up runs over weeks"), gt=0)
    evasion: float = share(0.5, assumed(0.2, 0.7, "001 expects only 140,000-150,000 of the announced 300,000 to be called up"), "share of those called up who evade")


class HaltMobilization(_EventBase):
    type: Literal["halt_mobilization"]
    regions: list[str] = Field(default_factory=list, description="empty: everywhere")


class Defeat(_EventBase):
    """A defeat at the front: regime strength and legitimacy fall; blame falls on commanders."""

    type: Literal["defeat"]
    severity: float = level(0.5, assumed(0.2, 0.8, "a middling defeat"), "how grave the defeat is")
    casualties: int = param(5000, "men", assumed(500.0, 20000.0, "losses at the front, counted apart from the crisis'"), ge=0)


class Victory(_EventBase):
    type: Literal["victory"]
    severity: float = level(0.3, assumed(0.1, 0.6, "a modest victory"))


class StrikeOnCapital(_EventBase):
    type: Literal["strike_on_capital"]
    severity: float = level(0.5, assumed(0.2, 0.8, "a middling strike"))


class Provocation(_EventBase):
    """The ruler's men move against a challenger: its leader's grievance rises."""

    type: Literal["provocation"]
    actor: str = Field(description="the challenger provoked")
    grievance: float = level(0.4, assumed(0.1, 0.6, "a provocation adds a good part of the scale to a leader's grievance"))


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
    strength: int = param(300, "men", assumed(50.0, 2000.0, "a cross-border raid of some hundreds of men"), ge=0)
    duration_hours: float = param(36.0, "h", assumed(6.0, 96.0, "a raid lasts a day or two"), gt=0)


class Purge(_EventBase):
    type: Literal["purge"]
    units: list[str]


class ProtestCall(_EventBase):
    """A call to protest: a focal point that lowers people's thresholds in a region (Kuran 1991)."""

    type: Literal["protest_call"]
    region: str
    boost: float = param(0.15, "-", assumed(0.0, 0.3, "weight of a focal call in the activation rule"), ge=0, le=1)
    duration_hours: float = param(48.0, "h", assumed(12.0, 96.0, "a call holds for a day or two"), gt=0)


class RallyCall(_EventBase):
    """An actor calls its supporters into the streets to back it (regions empty: everywhere)."""

    type: Literal["rally_call"]
    actor: str = Field(description="'ruler' or a challenger's id")
    regions: list[str] = Field(default_factory=list, description="empty: every region")
    duration_hours: float = param(24.0, "h", assumed(6.0, 72.0, "a called crowd holds for about a day"), gt=0)


class LegitimacyShock(_EventBase):
    type: Literal["legitimacy_shock"]
    regions: list[str] = Field(default_factory=list, description="empty: every region")
    delta: float = param(-0.1, "legitimacy", assumed(-0.3, 0.1, "scenario-specific: a shock of some points of legitimacy"), ge=-1, le=1)
    permanent: bool = True


class Propaganda(_EventBase):
    type: Literal["propaganda"]
    boost: float = param(0.03, "legitimacy", assumed(0.0, 0.08, "one campaign moves legitimacy by a few points at most"), ge=0, le=1)


class PayRise(_EventBase):
    type: Literal["pay_rise"]
    institution: str
    amount: float = level(0.15, assumed(0.05, 0.3, "a rise of a small step of the pay scale"))


class SponsorOffer(_EventBase):
    type: Literal["sponsor_offer"]
    backs: str | None = Field(None, description="the challenger it pays for (default: any)")
    cash_kusd_per_man: float = param(10.0, "thousand USD per man", assumed(1.0, 50.0, "hard cash of months to years of a soldier's pay"), ge=0)
    immunity: float = prob(0.6, assumed(0.2, 0.9, "promised immunity holds more often than not"))


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
    series_every_hours: float = param(1.0, "h", setting("how often a run records its series"), gt=0)
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
    replications: int = param(10, "runs per design point", setting("runs per design point"), ge=1, le=100_000)
    samples: int = param(16, "design points (lhs) or base samples (sobol, morris)", setting("size of the design"), ge=1)
    levels: int = param(5, "grid levels for a range", setting("grid levels of a range"), ge=2, le=1000)
    seed: int = param(12345, "-", setting("master seed of numpy.random.SeedSequence"), ge=0)
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
    seed: int = param(1, "-", setting("any; the same seed gives the same run"), ge=0)
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


# ----------------------------------------------------------------------------- the assumed defaults
@dataclass(frozen=True)
class AssumedParameter:
    """One assumed default: where it is, its value, unit, range and reason."""

    path: str  #: dotted path; ``<id>`` stands for any entry of a mapping, ``events[<type>]`` for an event
    section: str  #: the schema class that declares it (``ElitesSpec``, ``Unit``, ``Defeat``)
    name: str  #: the field's name
    default: float
    low: float
    high: float
    unit: str
    reason: str
    integer: bool  #: the field takes whole numbers


def walk_fields(root: type[BaseModel] | None = None) -> list[tuple[str, type[BaseModel], str, Any]]:
    """Every field of the schema under ``root`` (default: the scenario) as
    (dotted path, declaring class, field name, FieldInfo); nested sections are followed."""
    if root is None:
        root = Scenario
    out: list[tuple[str, type[BaseModel], str, Any]] = []
    seen: set[type] = set()

    def models(ann: Any) -> list[tuple[str, type[BaseModel]]]:
        """The models a field holds, with how the path goes into them."""
        found = []
        origin, args = typing.get_origin(ann), typing.get_args(ann)
        if origin is typing.Annotated:
            return models(args[0])
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            return [("", ann)]
        if origin is dict:
            return [(".<id>", m) for _, m in models(args[1])]
        if origin is list:
            subs = models(args[0]) if args else []
            return [(f"[<{_event_tag(m)}>]" if len(subs) > 1 else "[<i>]", m) for _, m in subs]
        for a in args:
            found += models(a)
        return found

    def walk(cls: type[BaseModel], prefix: str) -> None:
        seen.add(cls)
        for name, f in cls.model_fields.items():
            path = f"{prefix}.{name}" if prefix else name
            subs = models(f.annotation)
            if subs:
                for how, m in subs:
                    if m not in seen:
                        walk(m, path + how)
                continue
            out.append((path, cls, name, f))

    walk(root, "")
    return out


def _event_tag(cls: type[BaseModel]) -> str:
    ann = cls.model_fields.get("type")
    if ann is not None and typing.get_origin(ann.annotation) is Literal:
        return str(typing.get_args(ann.annotation)[0])
    return cls.__name__


def assumed_parameters() -> list[AssumedParameter]:
    """Every parameter whose default is assumed, with its dotted path, range and unit: the priors
    of a ``--design priors`` sweep and of calibration."""
    out = []
    for path, cls, name, f in walk_fields():
        prov = provenance_of(f)
        if isinstance(prov, Assumed):
            extra = f.json_schema_extra
            integer = f.annotation is int
            out.append(AssumedParameter(path, cls.__name__, name, f.default, prov.low, prov.high,
                                        extra["unit"], prov.reason, integer))
    return out
