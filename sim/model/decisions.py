"""Decisions: commanders' stances, the PMC leader, the plotters, the street, the Kremlin.

Every choice here calls a registered rule in :mod:`sim.rules` and respects its switch.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ..rules import coup as C
from ..rules import kremlin as K
from ..rules import legitimacy as L
from ..rules import units as U
from ..rules import wagner as W
from ..rules.public import crowd_strength
from ..rules.units import ASIDE, DEFECTED, LOYAL
from .conflict import column_strength
from .geography import Traveller
from .outcomes import Outcome
from .state import Challenge

if TYPE_CHECKING:
    from .agents import RegionPublic, Unit
    from .model import RegimeModel

_COUNT = {1: "one unit", 2: "two units", 3: "three units", 4: "four units", 5: "five units"}


def n_units(n: int) -> str:
    return _COUNT.get(n, f"{n} units")


# ============================================================================ forecasts
def forecast(model: RegimeModel, region: str | None) -> float:
    """A commander's forecast that the incumbent wins, from where he stands."""
    on = model.rules.on
    el = model.spec.elites
    ch = model.challenge
    q_nat = model.loyal_share_national()
    if region is not None and on("units.local_cascade"):
        lo = model.loyal_loc[region]
        de = model.defect_loc[region] + _crowd_power(model, region)
        has_local = lo + de > 0
        q = U.seen_loyal_share(q_nat, lo / (lo + de) if has_local else 1.0, has_local, el.local_weight)
    else:
        q = q_nat
    fact = 0.0
    if ch is not None and on("units.make_a_fact"):
        fact = U.fact_shift(ch.holds_capital, ch.broadcasts, el.fact_bonus)
    s = model.kremlin.strength
    if on("units.expected_winner"):
        return U.incumbent_win_probability(q, el.decisiveness, el.prior_weight, s, fact)
    return min(0.98, max(0.02, s - fact))


def _crowd_power(model: RegimeModel, region: str) -> float:
    ch = model.challenge
    if ch is None or ch.kind != "revolution" or not model.rules.on("public.people_power"):
        return 0.0
    return crowd_strength(model.regions[region].protesters, model.spec.public.people_power)


def _attached(model: RegimeModel, u: Unit) -> bool:
    """Does the unit's own chain of command lead the challenge?"""
    ch = model.challenge
    if ch is None:
        return False
    if ch.kind == "mutiny":
        return u.faction == ch.faction
    if ch.kind == "coup":
        return u.conspirator
    return False


def _fight_cost(model: RegimeModel, u: Unit, region: str) -> float:
    """What a loyal stand costs this commander where he is: local odds of a fight."""
    ch = model.challenge
    el = model.spec.elites
    if ch is None:
        return 0.0
    if ch.kind == "revolution":
        if not u.repressive:
            return 0.0
        crowd = model.regions[region].protesters
        police = sum(v.strength for v in model.units
                     if v.repressive and v.stance == LOYAL and model.unit_region(v) == region)
        return el.fight_cost * crowd / (crowd + el.crowd_per_policeman * police) if crowd > 0 else 0.0
    enemy = model.defect_loc[region]
    own = model.loyal_loc[region]
    if enemy <= 0:
        return 0.0
    return el.fight_cost * enemy / (enemy + own)


# ============================================================================ stances
def choose(model: RegimeModel, u: Unit) -> int:
    """The stance a commander picks now (rules units.*)."""
    on = model.rules.on
    el = model.spec.elites
    ch = model.challenge
    region = model.unit_region(u)
    p = forecast(model, region)
    u.last_p = p
    attached = _attached(model, u)
    # what backing each side is worth if it wins: half the commander's attachment and pay
    if attached:
        a_inc = 0.3 * (1.0 - u.loyalty) + 0.1  # amnesty for deserting the challenger
        a_ch = 0.5 * (u.loyalty + u.pay)
        fight = 0.0
    else:
        a_inc = 0.5 * (u.loyalty + u.pay)
        a_ch = ch.offer + u.grievance
        fight = _fight_cost(model, u, region)
    cash = immunity = 0.0
    if model.sponsor is not None and not attached and on("units.pay_and_immunity"):
        cash = U.cash_appeal(model.sponsor[0], el.cash_half_kusd, el.cash_weight)
        immunity = model.sponsor[1]
    tie = U.counterweight_tie(u.counterweight, el.counterweight_tie) if on("units.counterweight") else 0.0
    util = U.stance_utilities(p, a_inc, a_ch, cash, u.fear, immunity, el.punishment,
                              el.aside_penalty, fight, tie, compromised=attached)
    # the habit of obedience is a small edge; reversing a stance once taken costs more
    inertia = el.switch_cost if u.moved else 0.25 * el.switch_cost
    return U.logit_choice(util, u.stance, inertia, el.temperature, float(model.rng.random()))


def units_reconsider(model: RegimeModel) -> None:
    """Commanders re-read the situation; those a column or a coup reaches must choose now."""
    ch = model.challenge
    if ch is None or not model.rules.on("units.stance_choice"):
        return
    rate = min(1.0, model.spec.elites.reconsider_per_hour * model.dt)
    forced = model.forced_decisions
    changes: list[tuple[Unit, int, int]] = []
    for u in model.units:
        if u.strength <= 0:
            continue
        must = u.key in forced
        # commanders far from the capital wait and see: they reconsider less often
        near = 0.2 + 0.8 * model._distance_weight[model.unit_region(u)]
        if not must and model.rng.random() >= rate * near:
            continue
        new = choose(model, u)
        u.engaged = True
        if new != u.stance:
            old = u.stance
            apply_stance(model, u, new)
            changes.append((u, old, new))
            model.tally()
    forced.clear()
    if changes:
        _report_changes(model, changes)


def apply_stance(model: RegimeModel, u: Unit, new: int) -> None:
    old = u.stance
    u.stance = new
    u.moved = True
    ch = model.challenge
    region = model.unit_region(u)
    followed = ""
    for prev in reversed(model.stance_changes):
        if prev["to"] == U.STANCES[new] and (prev["region"] == region or model.hour - prev["hour"] <= 6):
            followed = prev["unit"]
            break
    model.stance_changes.append({
        "hour": model.hour, "unit": u.key, "label": u.label, "faction": u.faction,
        "region": region, "from": U.STANCES[old], "to": U.STANCES[new],
        "strength": u.strength, "forecast": u.last_p, "followed": followed,
        "challenge": ch.kind if ch else "",
    })
    if ch is not None and ch.kind == "mutiny" and ch.column is not None:
        if new == DEFECTED and u.mobile and region == ch.column.at and u.reach_km == 0:
            u.in_column = True
            u.travel = None
            u.region = ch.column.at
        elif new != DEFECTED and u.in_column:
            u.in_column = False
            u.region = ch.column.at


def _report_changes(model: RegimeModel, changes: list[tuple[Unit, int, int]]) -> None:
    ch = model.challenge
    groups: dict[tuple[str, int], list[Unit]] = defaultdict(list)
    for u, _old, new in changes:
        groups[(model.unit_region(u), new)].append(u)
    for (region, new), us in groups.items():
        names = ", ".join(u.label for u in us)
        men = sum(u.strength for u in us)
        attached = [u for u in us if _attached(model, u)]
        if new == ASIDE:
            verb = "stands aside" if len(us) == 1 else "stand aside"
        elif new == DEFECTED:
            verb = ("returns to" if attached else ("joins" if len(us) == 1 else "join")) + f" {ch.name}"
            if attached and len(us) > 1:
                verb = f"return to {ch.name}"
        elif attached:
            verb = f"{'leaves' if len(us) == 1 else 'leave'} {ch.name} and {'backs' if len(us) == 1 else 'back'} the ruler"
        else:
            verb = "returns to loyalty" if len(us) == 1 else "return to loyalty"
        context = ""
        if ch is not None and ch.column is not None and region == ch.column.at and ch.kind == "mutiny":
            context = f" as the {ch.leader.split()[-1]} column passes"
        elif ch is not None and ch.kind == "revolution":
            context = " as crowds fill the streets"
        elif ch is not None and ch.kind == "coup" and region == model.capital:
            context = " in the coup"
        model.say("stance", f"{n_units(len(us))} in {region} ({names}; {men:,.0f} men) {verb}{context}",
                  region=region)


# ============================================================================ the actors
def actors_act(model: RegimeModel) -> None:
    if model.pmc is not None:
        _pmc(model)
    if model.plot is not None and model.challenge is None:
        _plot(model)
    _street(model)
    if model.hour + 1e-9 >= model.kremlin.next_decision:
        model.kremlin.next_decision = model.hour + model.spec.factions.kremlin.decision_interval_hours
        _kremlin(model)


# ---------------------------------------------------------------------------- the PMC
def pmc_win_chance(model: RegimeModel) -> float:
    """The PMC leader's own forecast of winning: his men against the loyal strength."""
    el = model.spec.elites
    mine = sum(u.power for u in model.units if u.faction == "wagner" and u.stance == DEFECTED)
    if model.challenge is None:
        mine = sum(u.power for u in model.units if u.faction == "wagner")
    others = model.defect_w - sum(
        model._distance_weight[model.unit_region(u)] * u.power
        for u in model.units if u.faction == "wagner" and u.stance == DEFECTED
    )
    q = model.loyal_w / (model.loyal_w + mine + max(others, 0.0)) if model.loyal_w + mine > 0 else 1.0
    fact = 0.0
    ch = model.challenge
    if ch is not None and ch.column is not None:
        # he counts on the regime's nerve failing as he nears the capital
        fact = el.fact_bonus * max(0.0, 1.0 - ch.column.km_left(model.geo) / 1000.0)
    return 1.0 - U.incumbent_win_probability(q, el.decisiveness, el.prior_weight, model.kremlin.strength, fact)


def _pmc(model: RegimeModel) -> None:
    pmc = model.pmc
    w = model.spec.factions.wagner
    on = model.rules.on
    if model.challenge is None and on("wagner.attrition") and w.attrition_per_day > 0:
        front = [u for u in model.units if u.faction == "wagner" and u.region == w.front_region and u.strength > 0]
        men = sum(u.strength for u in front)
        if men > 0:
            left, lost, pmc.grievance = W.attrition(men, pmc.grievance, w.attrition_per_day,
                                                    w.grievance_per_loss, model.dt)
            for u in front:
                u.strength *= left / men
            model.casualties += lost
    if pmc.marching:
        _deal(model)
        return
    if pmc.ultimatum_at is None:
        if (model.challenge is None and model.hour >= pmc.cooldown_until and on("wagner.ultimatum")
                and W.issues_ultimatum(pmc.grievance, w.ultimatum_threshold)):
            issue_ultimatum(model)
        return
    if model.hour - pmc.ultimatum_at < w.ultimatum_deadline_hours:
        return
    # the deadline has passed: the Kremlin answers, then the leader decides
    pmc.ultimatum_at = None
    if on("kremlin.concede") and model.rng.random() < K.concede_ultimatum_probability(
        model.kremlin.strength, model.spec.factions.kremlin.concede_demands_propensity
    ):
        tops = [u for u in model.units if u.faction == "military" and u.rank == "top"]
        for u in tops:
            purge_unit(model, u, f"to meet {pmc.name}'s demands")
        pmc.grievance = max(0.0, pmc.grievance - 0.5)
        pmc.cooldown_until = model.hour + 72.0
        model.say("kremlin", f"the Kremlin meets {pmc.name}'s demands and sacks the army leadership",
                  actor="Kremlin", label="demands met")
        return
    model.say("kremlin", f"the deadline passes; the Kremlin does not meet {pmc.name}'s demands", actor="Kremlin")
    if not on("wagner.march"):
        pmc.cooldown_until = model.hour + 48.0
        return
    p_win = pmc_win_chance(model)
    p = W.march_probability(p_win, pmc.ambition, pmc.popularity, pmc.grievance, w.death_cost,
                            w.temperature)
    if model.rng.random() < p:
        start_mutiny(model)
    else:
        pmc.cooldown_until = model.hour + 48.0
        pmc.grievance *= 0.8
        model.say("pmc", f"{pmc.name} backs down (he gave himself a {p_win:.0%} chance)", actor=pmc.name, label="backs down")


def issue_ultimatum(model: RegimeModel) -> None:
    pmc = model.pmc
    pmc.ultimatum_at = model.hour
    w = model.spec.factions.wagner
    model.say("pmc", f"{pmc.name} issues an ultimatum: sack the army leaders within "
                     f"{w.ultimatum_deadline_hours:g} h or he moves on {model.capital}", actor=pmc.name, label="ultimatum")


def start_mutiny(model: RegimeModel) -> None:
    pmc = model.pmc
    if model.challenge is not None or pmc is None or pmc.marching:
        return
    w = model.spec.factions.wagner
    pmc.marching = True
    pmc.ultimatum_at = None
    path = model.geo.path(w.base_region, model.capital)
    column = Traveller(path=path, speed_kmh=w.march_speed_kmh)
    model.challenge = Challenge(kind="mutiny", leader=pmc.name, started=model.hour, faction="wagner",
                                offer=w.offer + 0.25 * pmc.popularity, column=column)
    for u in model.units:
        u.engaged = u.faction == "wagner"
        if u.faction == "wagner":
            u.stance = DEFECTED
            if u.region == w.base_region and u.mobile:
                u.in_column = True
    model.challenge.column_start = column_strength(model)
    km = model.geo.km(w.base_region, model.capital)
    model.say("mutiny", f"{pmc.name} marches on {model.capital}: a column of "
                        f"{model.challenge.column_start:,.0f} men sets out from {w.base_region} "
                        f"({km:,.0f} km by road)", actor=pmc.name, region=w.base_region, label="march begins")
    model.forced_decisions.update(u.key for u in model.units
                                  if u.region == w.base_region and u.faction != "wagner")
    pmc.next_offer_at = None


def _deal(model: RegimeModel) -> None:
    pmc = model.pmc
    ch = model.challenge
    on = model.rules.on
    med = model.spec.factions.mediator
    kr = model.spec.factions.kremlin
    if ch is None or ch.column is None or not med.enabled or not on("kremlin.deal"):
        return
    if pmc.next_offer_at is not None and model.hour < pmc.next_offer_at:
        return
    p_k = forecast(model, None)
    if not K.should_offer_deal(ch.column.km_left(model.geo), kr.deal_distance_km, p_k, kr.deal_threshold):
        return
    pmc.deal_offers += 1
    if pmc.deal_offers > 1:
        pmc.guarantee = min(1.0, pmc.guarantee + med.sweetener)
    p_win = pmc_win_chance(model)
    p_accept = W.accept_probability(p_win, pmc.ambition, pmc.popularity, pmc.guarantee,
                                    model.spec.factions.wagner.death_cost,
                                    model.spec.factions.wagner.temperature) if on("wagner.accept_deal") else 0.0
    km = ch.column.km_left(model.geo)
    model.say("deal", f"{med.name} brokers an offer: security guarantees and exile "
                      f"for {pmc.name}, the column {km:,.0f} km from {model.capital}", actor=med.name)
    if model.rng.random() < p_accept:
        model.say("deal", f"{pmc.name} accepts the deal and turns the column back "
                          f"(he gave himself a {p_win:.0%} chance)", actor=pmc.name, label="deal accepted")
        model.resolve(Outcome.NEGOTIATED_SETTLEMENT,
                      f"{pmc.name} takes guarantees and exile {km:,.0f} km from {model.capital}")
    else:
        model.say("deal", f"{pmc.name} refuses (he gives himself a {p_win:.0%} chance)", actor=pmc.name)
        pmc.next_offer_at = model.hour + med.reoffer_hours


# ---------------------------------------------------------------------------- the plot
def _plot(model: RegimeModel) -> None:
    cs = model.spec.factions.coup
    on = model.rules.on
    s = model.kremlin.strength
    if on("coup.recruit"):
        cash = U.cash_appeal(model.sponsor[0], model.spec.elites.cash_half_kusd,
                             model.spec.elites.cash_weight) if (
            model.sponsor is not None and on("units.pay_and_immunity")) else 0.0
        for u in model.units:
            if u.conspirator or u.rank == "unit" or u.faction not in ("military", "security"):
                continue
            p = C.recruit_probability(u.loyalty, u.grievance, cash, s, cs.recruit_per_day, model.dt, u.rank)
            if p > 0 and model.rng.random() < p:
                u.conspirator = True
                model.say("plot", f"{u.label} ({u.region}) joins the plot", region=u.region)
    if not on("coup.move"):
        return
    cap = model.capital
    # the plotters weigh themselves against the capital's regular forces; they do not count
    # the counterweights against them (De Bruin 2018: counterbalancing does not deter attempts)
    total = sum(u.power for u in model.units
                if model.unit_region(u) == cap and u.strength > 0 and not u.counterweight)
    mine = sum(u.power for u in model.units if u.conspirator and model.unit_region(u) == cap)
    share = mine / total if total > 0 else 0.0
    if C.plotters_move(s, cs.trigger_strength, share, cs.min_capital_share):
        start_coup(model)


def start_coup(model: RegimeModel) -> None:
    if model.challenge is not None or model.plot is None:
        return
    cs = model.spec.factions.coup
    plotters = [u for u in model.units if u.conspirator and u.strength > 0]
    if not plotters:
        model.say("plot", "a coup is called but no commander is in the plot")
        return
    model.plot.moved = True
    ch = Challenge(kind="coup", leader=cs.leader, started=model.hour, offer=cs.offer)
    model.challenge = ch
    for u in model.units:
        u.engaged = False
    for u in plotters:
        u.stance = DEFECTED
        if u.region != model.capital and u.mobile and u.reach_km == 0:
            u.travel = Traveller(model.geo.path(u.region, model.capital), model.spec.factions.kremlin.redeploy_speed_kmh)
    ch.plotters_start = sum(u.power for u in plotters if u.region == model.capital) or 1.0
    names = ", ".join(u.label for u in plotters)
    model.say("coup", f"COUP: {cs.leader} move against {model.kremlin.name} in {model.capital} "
                      f"({names}); they blame him for the war", region=model.capital, label="coup attempt")
    # surprise: the counterweights react at once; the rest of the capital's units hesitate and
    # decide at their usual pace (Singh 2014: the first hours decide whether a fact is made)
    for u in model.units:
        if u.conspirator:
            u.engaged = True
        elif u.counterweight and u.region == model.capital:
            model.forced_decisions.add(u.key)
    if model.rules.on("kremlin.repress"):
        _send_loyalists_to_capital(model)


def _send_loyalists_to_capital(model: RegimeModel) -> None:
    speed = model.spec.factions.kremlin.redeploy_speed_kmh
    sent = []
    for u in model.units:
        if (u.stance == LOYAL and u.mobile and u.reach_km == 0 and u.travel is None and u.region != model.capital
                and model.geo.km_to_capital(u.region) <= 800 and u.faction in ("military", "security", "chechen")):
            u.travel = Traveller(model.geo.path(u.region, model.capital), speed)
            sent.append(u.label)
    if sent:
        model.say("kremlin", f"the Kremlin orders {', '.join(sent)} to {model.capital}", actor="Kremlin")


# ---------------------------------------------------------------------------- the street
def _street(model: RegimeModel) -> None:
    pub = model.spec.public
    cap = model.regions[model.capital]
    ch = model.challenge
    if ch is None:
        if cap.protest_share >= pub.challenge_share:
            model.challenge = Challenge(kind="revolution", leader="the protest movement", started=model.hour,
                                        offer=pub.revolution_offer)
            for u in model.units:
                u.engaged = False
            model.say("protest", f"the protests in {model.capital} become a challenge to the regime "
                                 f"({cap.protest_share:.1%} of the city in the streets)", region=model.capital, label="street challenge")
            model.forced_decisions.update(u.key for u in model.units if u.region == model.capital and u.repressive)
        return
    if ch.kind != "revolution":
        return
    if cap.protest_share < pub.challenge_share / 2:
        ch.quiet_hours += model.dt
        if ch.quiet_hours >= 48.0:
            model.challenge = None
            for u in model.units:
                if u.stance != LOYAL:
                    u.stance = LOYAL
            model.sync_police()
            model.tally()
            model.say("protest", f"the protest movement in {model.capital} fades; units return to duty")
    else:
        ch.quiet_hours = 0.0


PROTEST_LEVELS = (0.005, 0.01, 0.035, 0.1)


def note_protest(model: RegimeModel, r: RegionPublic, before: float) -> None:
    """Log when a region's protest first reaches a round level, and when it dies down."""
    now = r.protest_share
    reached = sum(1 for lv in PROTEST_LEVELS if now >= lv)
    if reached > r.logged_level:
        r.logged_level = reached
        model.say("protest", f"protests grow in {r.name}: {now:.1%} of its people in the streets "
                             f"(about {r.protesters:,.0f})", region=r.name)
    elif r.logged_level > 0 and now < PROTEST_LEVELS[0] / 2:
        r.logged_level = 0
        model.say("protest", f"protests in {r.name} die down ({now:.1%})", region=r.name)


# ---------------------------------------------------------------------------- the Kremlin
def _kremlin(model: RegimeModel) -> None:
    on = model.rules.on
    kr = model.spec.factions.kremlin
    k = model.kremlin
    # concede: halt the call-up in the big cities when another region boils over
    mob = model.mobilization
    if mob is not None and mob.active and on("kremlin.concede"):
        worst = max((r for r in model.regions.values() if not r.spec.capital),
                    key=lambda r: r.protest_share, default=None)
        if worst is not None and worst.protest_share >= kr.concede_trigger:
            halted = []
            for r in model.regions.values():
                if not r.halted and (r.spec.capital or r.spec.big_city):
                    r.halted = True
                    halted.append(r.name)
            if halted:
                model.say("kremlin", f"fearing unrest after the protests in {worst.name}, the authorities "
                                     f"halt the call-up in {' and '.join(halted)}", actor="Kremlin", label="call-up halted in cities")
    # repress: send a free loyal security unit to the region protesting most
    if on("kremlin.repress"):
        hot = sorted((r for r in model.regions.values() if K.should_repress(r.protest_share, kr.repress_trigger)),
                     key=lambda r: -r.protest_share)
        for r in hot[:1]:
            _reinforce(model, r.name)
    # pay: patronage to units whose loyalty sags
    if on("kremlin.pay"):
        for u in sorted(model.units, key=lambda u: u.loyalty):
            cost = u.strength * kr.pay_cost_kusd_per_man / 1000.0
            if u.faction in ("wagner", "opposition") or u.stance == DEFECTED:
                continue
            if K.should_pay(u.loyalty, kr.pay_floor, k.budget, cost) and u.pay < 1.0:
                k.spend(cost)
                u.pay = min(1.0, u.pay + kr.pay_step)
                model.say("kremlin", f"the Kremlin raises pay and promotes in {u.label} "
                                     f"(USD {cost:,.0f} million)", actor="Kremlin", region=u.region)
    # purge: blame for defeats falls on a top commander
    if on("kremlin.purge"):
        for u in model.units:
            if u.rank == "top" and u.faction == "military" and u.stance == LOYAL and K.should_purge(
                    u.grievance, kr.purge_blame):
                purge_unit(model, u, "blamed for the defeats")
    # propaganda
    if on("kremlin.propaganda"):
        nat = model.national_legitimacy()
        if K.should_propagandize(nat, kr.propaganda_trigger, k.budget, kr.propaganda_cost):
            k.spend(kr.propaganda_cost)
            for r in model.regions.values():
                r.legitimacy = L.propaganda(r.legitimacy, kr.propaganda_boost) if on(
                    "legitimacy.propaganda_effect") else r.legitimacy
            model.say("kremlin", f"a propaganda campaign (USD {kr.propaganda_cost:,.0f} million); "
                                 f"national legitimacy was {nat:.2f}", actor="Kremlin")


def _reinforce(model: RegimeModel, target: str) -> None:
    hot = {n for n, r in model.regions.items()
           if r.protest_share >= model.spec.factions.kremlin.repress_trigger}
    best = None
    for u in model.units:
        if (u.faction != "security" or u.stance != LOYAL or not u.mobile or u.travel is not None
                or u.region in hot or u.region == model.capital or u.strength <= 0):
            continue
        d = model.geo.km(u.region, target)
        if best is None or d < best[0]:
            best = (d, u)
    if best is None:
        return
    d, u = best
    u.travel = Traveller(model.geo.path(u.region, target), model.spec.factions.kremlin.redeploy_speed_kmh)
    model.say("kremlin", f"the Kremlin sends {u.label} ({u.strength:,.0f} men) from {u.region} to "
                         f"{target} ({d:,.0f} km)", actor="Kremlin", region=target)
    model.sync_police()


def purge_unit(model: RegimeModel, u: Unit, why: str) -> None:
    """Replace a commander: loyal and afraid; his peers grow more afraid and aggrieved."""
    u.loyalty = 0.85
    u.grievance = 0.0
    u.fear = min(1.0, u.fear + 0.2)
    for v in model.units:
        if v is not u and v.faction == u.faction and v.rank in ("top", "mid"):
            v.fear = min(1.0, v.fear + 0.1)
            v.grievance = min(1.0, v.grievance + 0.05)
    model.say("purge", f"{model.kremlin.name} purges the command of {u.label}, {why}", actor="Kremlin",
              region=u.region)
