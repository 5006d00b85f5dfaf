"""What the sides do on their own: challengers (ultimatum, march, plot, movement, rally) and the
ruler (responses, settlement offers, calling crowds, leaving office, moving).

Every decision calls a registered rule in :mod:`sim.rules` and respects its switch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..rules import bargain as B
from ..rules import challengers as C
from ..rules import coup as P
from ..rules import legitimacy as L
from ..rules import ruler as R
from ..rules import units as U
from .agents import NOBODY
from .geography import Traveller
from .stances import decide, forecast, report_changes, ruler_forecast, ruler_haven
from .state import Ending

if TYPE_CHECKING:
    from .agents import RegionPublic, Side, Unit
    from .model import RegimeModel


def act(model: RegimeModel) -> None:
    for s in model.sides[1:]:
        if s.mode == "march":
            _marcher(model, s)
        elif s.mode == "seize":
            _plotters(model, s)
        elif s.mode == "rally":
            _rival_centre(model, s)
    _ruler(model)


# ============================================================================ challengers
def contest_site(model: RegimeModel, s: Side) -> str | None:
    """Where a challenger's bid is decided, and so where its leaders read the contest: the
    capital that plotters strike, or the target a column marches on (the defenders it must
    beat are there, not in the towns it passes, whose garrisons may stand aside and still
    hold the capital for the ruler); a movement reads the national picture."""
    if s.mode == "seize" or s.column is not None:
        return s.target
    return None


def own_forecast(model: RegimeModel, s: Side) -> float:
    """A challenger's own forecast of prevailing: once it acts, the forecast any commander makes
    where its bid is decided (:func:`contest_site`); before it acts, its men against the ruler's."""
    if s.active:
        sides = model.active_sides()
        p = forecast(model, contest_site(model, s), sides)[sides.index(s)]
    else:
        mine = sum(model.distance_weight[model.unit_region(u)] * u.power
                   for u in model.units if u.plot == s.index and u.strength > 0)
        rest = max(model.power_w[0] - mine, 0.0)
        el = model.spec.elites
        p = U.win_probabilities([rest, mine], el.decisiveness, el.prior_weight,
                                [model.ruler.strength, 1.0 - model.ruler.strength], [0.0, 0.0])[1]
    if s.column is not None and s.active:
        # a marching leader counts on the regime's nerve failing as he nears the target
        p = min(0.98, p + model.spec.elites.fact_bonus * _progress(model, s))
    return p


def _progress(model: RegimeModel, s: Side) -> float:
    total = model.geo.km(s.seat, s.target)
    return 1.0 - s.column.km_left(model.geo) / total if total > 0 else 1.0


def _marcher(model: RegimeModel, s: Side) -> None:
    spec = s.spec
    on = model.rules.on
    if spec.front_region and spec.attrition_per_day > 0 and not s.active and on("challenger.attrition"):
        front = [u for u in model.units if u.plot == s.index and u.region == spec.front_region and u.strength > 0]
        men = sum(u.strength for u in front)
        if men > 0:
            left, lost, s.grievance = C.attrition(men, s.grievance, spec.attrition_per_day,
                                                  spec.grievance_per_loss, model.dt)
            for u in front:
                u.strength *= left / men
            model.front_losses += lost
    if s.active:
        _maybe_give_up(model, s)
        return
    if s.status != "dormant":
        return
    if s.ultimatum_at is None:
        if (model.hour >= s.cooldown_until and on("challenger.ultimatum")
                and C.issues_ultimatum(s.grievance, spec.ultimatum_threshold)):
            issue_ultimatum(model, s)
        return
    if model.hour - s.ultimatum_at < spec.ultimatum_deadline_hours:
        return
    # the deadline has passed: the ruler answers, then the leader decides
    s.ultimatum_at = None
    kr = model.spec.ruler
    if on("ruler.concede") and model.rng.random() < R.concede_ultimatum_probability(
            model.ruler.strength, kr.concede_demands_propensity):
        for u in model.units:
            if spec.blames and u.institution == spec.blames and u.rank == "top":
                purge_unit(model, u, f"to meet {s.possessive} demands")
        s.grievance = max(0.0, s.grievance - 0.5)
        s.cooldown_until = model.hour + 72.0
        model.say("ruler", f"{model.ruler.name} {model.ruler.agree('meets', 'meet')} {s.possessive} demands", actor=model.ruler.name,
                  label="demands met")
        return
    model.say("ruler", f"the deadline passes; {model.ruler.name} {model.ruler.agree('does', 'do')} not meet "
                       f"{s.possessive} demands",
              actor=model.ruler.name)
    if not on("challenger.march"):
        s.cooldown_until = model.hour + 48.0
        return
    p_win = own_forecast(model, s)
    p = C.march_probability(p_win, s.ambition, s.popularity, s.grievance, spec.death_cost, spec.temperature)
    if model.rng.random() < p:
        open_challenge(model, s)
    else:
        s.cooldown_until = model.hour + 48.0
        s.grievance *= 0.8
        model.say("challenger", f"{s.name} {s.agree('backs down (he gave himself', 'back down (they gave themselves')} "
                                        f"a {p_win:.0%} chance)", actor=s.name,
                  label="backs down")


def issue_ultimatum(model: RegimeModel, s: Side) -> None:
    s.ultimatum_at = model.hour
    demand = f"sack the leadership of the {model.spec.institutions[s.spec.blames].label or s.spec.blames}" \
        if s.spec.blames else "meet his demands"
    model.say("challenger", f"{s.name} {s.agree('issues', 'issue')} an ultimatum: {demand} within "
                            f"{s.spec.ultimatum_deadline_hours:g} h or he moves on {s.target}",
              actor=s.name, label="ultimatum")


def open_challenge(model: RegimeModel, s: Side, regions: tuple[str, ...] = ()) -> None:
    """The challenger acts: its units take its side; a column sets out, plotters strike, a
    movement is up, a rival centre rallies."""
    if s.status not in ("dormant",):
        return
    s.status = "active"
    s.started = model.hour
    if s.armed:
        model.ruler.next_decision = model.hour  # the ruler answers an armed challenge at once
    s.ultimatum_at = None
    s.regions = set(regions)
    spec = s.spec
    mine = [u for u in model.units if u.plot == s.index and u.strength > 0]
    # with units.stance_choice off nobody reconsiders: each unit holds the side it has and
    # fights for it from the first hour
    fixed = not model.rules.on("units.stance_choice")
    for u in model.units:
        u.engaged = fixed and u.side != NOBODY
    for u in mine:
        u.side = s.index
        u.engaged = True
        u.acted = u.committed
    if s.mode == "march":
        s.column = Traveller(path=model.geo.path(s.seat, s.target), speed_kmh=spec.march_speed_kmh)
        for u in mine:
            if u.region == s.seat and u.mobile and u.reach_km == 0:
                u.in_column = True
        s.column_start = sum(u.strength for u in model.units if u.in_column)
        s.closest_km = s.column.km_left(model.geo)
        model.say("challenge", f"{s.name} {s.agree('marches', 'march')} on {s.target}: a column of {s.column_start:,.0f} men sets out "
                               f"from {s.seat} ({s.closest_km:,.0f} km by road)", actor=s.name, region=s.seat,
                  label="march begins")
        model.forced_decisions.update(u.key for u in model.units if u.region == s.seat and u.plot != s.index)
    elif s.mode == "seize":
        for u in mine:
            if u.region != s.target and u.mobile and u.reach_km == 0:
                u.travel = Traveller(model.geo.path(u.region, s.target), model.spec.ruler.redeploy_speed_kmh)
        s.start_power = sum(u.power for u in mine if u.region == s.target) or 1.0
        names = ", ".join(u.label for u in mine) or "no unit"
        model.say("challenge", f"{s.name} {s.agree('moves', 'move')} against {model.ruler.name} in {s.target} ({names})",
                  actor=s.name, region=s.target, label="coup attempt")
        # surprise: the counterweights react at once; the rest decide at their usual pace
        # (Singh 2014: the first hours decide whether a fact is made)
        model.forced_decisions.update(u.key for u in model.units
                                      if u.counterweight and u.region == s.target and u.plot != s.index)
        if s.target == model.seat and model.rules.on("ruler.repress"):
            _recall_to_seat(model)
    elif s.mode == "street":
        where = ", ".join(model.regions[r].label for r in sorted(regions))
        model.say("challenge", f"the protests in {where} become a challenge to the ruler", actor=s.name,
                  label="street challenge")
        model.forced_decisions.update(u.key for u in model.units if u.region in s.regions)
    elif s.mode == "rally":
        call_crowds(model, s, list(model.regions), 24.0 * model.spec.time.horizon_days)
        model.say("challenge", f"{s.name} {s.agree('rallies its', 'rally their')} supporters against the challenge from {s.seat}",
                  actor=s.name, region=s.seat, label="rival centre")
        model.forced_decisions.update(u.key for u in model.units if u.region == s.seat)
    model.tally()


def end_challenge(model: RegimeModel, s: Side, status: str, reason: str) -> None:
    s.status = status
    s.ended = model.hour
    model.endings.append(Ending(s.index, status, model.hour, reason))
    model.say("challenge", reason, actor=s.name, label=status.replace("_", " "))
    if status in ("settled", "gave_up", "crushed"):
        for u in model.units:
            if u.side == s.index:
                u.side = NOBODY if u.plot == s.index else 0
                u.in_column = False
        s.calls.clear()


def _maybe_give_up(model: RegimeModel, s: Side) -> None:
    if not model.rules.on("challenger.give_up") or not s.armed:
        return
    p = own_forecast(model, s)
    if model.rng.random() < C.give_up_probability(p, s.spec.give_up_below, model.dt):
        verb = s.agree("surrenders", "surrender") if s.mode == "seize" else s.agree("stands down", "stand down")
        end_challenge(model, s, "gave_up", f"{s.name} {verb} ({s.agree('he gave himself', 'they gave themselves')} "
                                           f"a {p:.0%} chance)")


def _plotters(model: RegimeModel, s: Side) -> None:
    spec = s.spec
    on = model.rules.on
    if s.active:
        _maybe_give_up(model, s)
        return
    if s.status != "dormant":
        return
    strength = model.ruler.strength
    el = model.spec.elites
    if on("coup.recruit"):
        cash = 0.0
        if model.sponsor is not None and on("units.pay_and_immunity") and model.sponsor[2] in (None, s.index):
            cash = U.cash_appeal(model.sponsor[0], el.cash_half_kusd, el.cash_weight)
        for u in model.units:
            if u.plot is not None or u.rank == "unit" or u.counterweight or u.side != 0:
                continue
            p = P.recruit_probability(u.loyalty, u.grievance, cash, strength, spec.recruit_per_day, model.dt,
                                      u.rank, el.recruit_multiplier)
            if p > 0 and model.rng.random() < p:
                u.plot = s.index
                u.committed = True
                model.say("plot", f"{u.label} ({u.region}) joins the plot", region=u.region)
    if not on("coup.move"):
        return
    # the plotters weigh themselves against the target's regular forces; they do not count
    # the counterweights against them (De Bruin 2018: counterbalancing does not deter attempts)
    here = [u for u in model.units if model.unit_region(u) == s.target and u.strength > 0]
    total = sum(u.power for u in here if not u.counterweight)
    mine = sum(u.power for u in here if u.plot == s.index)
    if mine > 0 and P.plotters_move(strength, spec.trigger_strength, mine / total if total else 0.0,
                                    spec.min_capital_share):
        open_challenge(model, s)


def _rival_centre(model: RegimeModel, s: Side) -> None:
    """A rival centre rises when another challenger strikes, and stands when the strike is over:
    as the holder of the seat if its side has the most power there, else it stands down."""
    others = any(o.active and o.armed for o in model.sides[1:] if o is not s)
    if s.status == "dormant" and others:
        open_challenge(model, s)
    elif s.active and not others and any(o.armed and o.ended is not None for o in model.sides[1:]):
        loc = model.power_loc[model.seat]
        top = max(range(len(loc)), key=lambda i: (loc[i], -i))
        if top == s.index and loc[top] > 0:
            s.status = "won"
            s.ended = model.hour
            model.say("challenge", f"{s.name} {s.agree('holds', 'hold')} {model.seat}: {s.agree('its', 'their')} side has the most armed men and crowds there",
                      actor=s.name, label="rival centre holds the capital")
        else:
            end_challenge(model, s, "gave_up", f"{s.name} {s.agree('stands down: the challenge it rose', 'stand down: the challenge they rose')} "
                                                  "against is over")


def streets(model: RegimeModel) -> None:
    """A movement is up wherever protest passes its challenge share, and over when it has faded."""
    hours = model.spec.public.interval_hours
    for s in model.sides[1:]:
        if s.mode != "street" or s.status not in ("dormant", "active"):
            continue
        up = tuple(sorted(n for n, r in model.regions.items() if r.protest_share >= s.spec.challenge_share))
        if s.status == "dormant":
            if up:
                open_challenge(model, s, up)
            continue
        new = [n for n in up if n not in s.regions]
        if new:
            s.regions.update(new)
            model.say("protest", f"{s.name} {s.agree('rises', 'rise')} in {', '.join(model.regions[n].label for n in new)}",
                      actor=s.name)
            model.forced_decisions.update(u.key for u in model.units if u.region in new)
        if all(model.regions[n].protest_share < s.spec.challenge_share / 2 for n in s.regions):
            s.quiet_hours += hours
            if s.quiet_hours >= s.spec.fade_hours:
                s.status = "dormant"
                s.regions.clear()
                for u in model.units:
                    if u.side == s.index:
                        u.side = 0
                model.say("protest", f"{s.name} {s.agree('fades', 'fade')}; units return to duty", actor=s.name)
                model.tally()
        else:
            s.quiet_hours = 0.0


PROTEST_LEVELS = (0.005, 0.01, 0.035, 0.1)


def note_protest(model: RegimeModel, r: RegionPublic, before: float) -> None:
    """Log when a region's protest first reaches a round level, and when it dies down."""
    now = r.protest_share
    reached = sum(1 for lv in PROTEST_LEVELS if now >= lv)
    if reached > r.logged_level:
        r.logged_level = reached
        model.say("protest", f"protests grow in {r.label}: {now:.1%} of its people in the streets "
                             f"(about {r.protesters:,.0f})", region=r.name)
    elif r.logged_level > 0 and now < PROTEST_LEVELS[0] / 2:
        r.logged_level = 0
        model.say("protest", f"protests in {r.label} die down ({now:.1%})", region=r.name)


# ============================================================================ the ruler
def _ruler(model: RegimeModel) -> None:
    k = model.ruler
    if not k.in_office:
        return
    if model.challenge_open():
        _offers(model)
        _leave_office(model)
        if not k.in_office:
            return
        _move_ruler(model)
    if model.hour + 1e-9 >= k.next_decision:
        kr = model.spec.ruler
        # an armed challenge is answered hour by hour; a protest wave at the usual pace
        k.next_decision = model.hour + (kr.crisis_decision_interval_hours if model.armed_challenge_open()
                                        else kr.decision_interval_hours)
        _responses(model)


def call_crowds(model: RegimeModel, s: Side, regions: list[str], hours: float) -> None:
    for n in regions:
        s.calls[n] = max(s.calls.get(n, -1.0), model.hour + hours)


def _threatened(model: RegimeModel) -> bool:
    return any(s.active and s.armed and s.target == model.seat for s in model.sides[1:])


def _responses(model: RegimeModel) -> None:
    on = model.rules.on
    kr = model.spec.ruler
    k = model.ruler
    # concede: halt the call-up in the big cities when another region boils over
    mob = model.mobilization
    if mob is not None and mob.active and on("ruler.concede"):
        worst = max((r for r in model.regions.values() if not r.spec.capital),
                    key=lambda r: r.protest_share, default=None)
        if worst is not None and worst.protest_share >= kr.concede_trigger:
            halted = []
            for r in model.regions.values():
                if not r.halted and (r.spec.capital or r.spec.big_city):
                    r.halted = True
                    halted.append(r.label)
            if halted:
                model.say("ruler", f"fearing unrest after the protests in {worst.label}, the authorities "
                                   f"halt the call-up in {' and '.join(halted)}", actor=k.name,
                          label="call-up halted in cities")
    # repress: send a free loyal repressive unit to the region protesting most
    if on("ruler.repress"):
        hot = sorted((r for r in model.regions.values() if R.should_repress(r.protest_share, kr.repress_trigger)),
                     key=lambda r: -r.protest_share)
        for r in hot[:1]:
            _reinforce(model, r.name)
    # pay: patronage to the ruler's own units whose loyalty sags
    if on("ruler.pay"):
        for u in sorted(model.units, key=lambda u: (u.loyalty, u.key)):
            cost = u.strength * kr.pay_cost_kusd_per_man / 1000.0
            if u.plot is not None or u.side != 0 or u.strength <= 0:  # a unit with no men left is not paid
                continue
            if R.should_pay(u.loyalty, kr.pay_floor, k.budget, cost) and u.pay < 1.0:
                k.spend(cost)
                u.pay = min(1.0, u.pay + kr.pay_step)
                model.say("ruler", f"{k.name} {k.agree('raises pay and promotes', 'raise pay and promote')} in {u.label} (USD {cost:,.0f} million)",
                          actor=k.name, region=u.region)
    # purge: blame for defeats falls on a top commander
    if on("ruler.purge"):
        blamed = {i for i, inst in model.spec.institutions.items() if inst.blamed_for_defeats}
        for u in model.units:
            if u.rank == "top" and u.institution in blamed and u.side == 0 and R.should_purge(
                    u.grievance, kr.purge_blame):
                purge_unit(model, u, "blamed for the defeats")
    if on("ruler.propaganda"):
        nat = model.national_legitimacy()
        if R.should_propagandize(nat, kr.propaganda_trigger, k.budget, kr.propaganda_cost):
            k.spend(kr.propaganda_cost)
            if on("legitimacy.propaganda_effect"):
                for r in model.regions.values():
                    r.legitimacy = L.propaganda(r.legitimacy, kr.propaganda_boost)
            model.say("ruler", f"a propaganda campaign (USD {kr.propaganda_cost:,.0f} million); "
                               f"national legitimacy was {nat:.2f}", actor=k.name)
    if on("ruler.call_crowds") and not k.calls and R.calls_crowds(_threatened(model), k.status != "captured"):
        call_crowds(model, k, list(model.regions), 24.0 * model.spec.time.horizon_days)
        model.say("ruler", f"{k.name} {k.agree('calls', 'call')} the people into the streets to defend the state", actor=k.name,
                  label="call to the streets")


def _offers(model: RegimeModel) -> None:
    """Settlements: the ruler offers when he prefers a deal; the challenger accepts if it does."""
    on = model.rules.on
    if not on("bargain.offer"):
        return
    kr = model.spec.ruler
    med = model.spec.mediator
    for s in model.sides[1:]:
        if not (s.active and s.armed):
            continue
        if s.next_offer_at is not None and model.hour < s.next_offer_at:
            continue
        p_r = ruler_forecast(model, model.ruler.location if model.ruler.location in model.regions else None)
        threat = _progress(model, s) if s.column is not None else s.seize
        if not B.ruler_prefers_deal(p_r, kr.war_cost, threat, kr.deal_concession):
            continue
        s.deal_offers += 1
        s.next_offer_at = model.hour + med.reoffer_hours
        p_own = own_forecast(model, s)
        credibility = med.credibility if med.enabled else model.spec.elites.commitment_credibility
        demands = s.spec.demands_value if s.goal == "force_concessions" else 0.0
        p_accept = B.accept_probability(p_own, s.ambition, s.popularity, s.spec.guarantee_value, credibility,
                                        demands, s.spec.death_cost, s.spec.temperature) if on("bargain.accept") else 0.0
        where = f", the column {s.column.km_left(model.geo):,.0f} km from {s.target}" if s.column is not None else ""
        broker = f"{med.name} brokers" if med.enabled else f"{model.ruler.name} {model.ruler.agree('makes', 'make')}"
        model.say("deal", f"{broker} an offer to {s.name}: guarantees in exchange for standing down{where} "
                          f"(the ruler gives himself {p_r:.0%})", actor=med.name if med.enabled else model.ruler.name)
        if model.rng.random() < p_accept:
            deal = s.agree("accepts the deal and stands down", "accept the deal and stand down")
            end_challenge(model, s, "settled", f"{s.name} {deal}{where} "
                                               f"({s.agree('he gave himself', 'they gave themselves')} a {p_own:.0%} chance)")
        else:
            model.say("deal", f"{s.name} {s.agree('refuses (he gives himself', 'refuse (they give themselves')} "
                                    f"a {p_own:.0%} chance)", actor=s.name)


def seat_balance(model: RegimeModel) -> tuple[float, float]:
    """(power defending the ruler, power against him) at the seat."""
    loc = model.power_loc[model.seat]
    mine = loc[0]
    against = sum(loc[s.index] for s in model.sides[1:] if s.active)
    return mine, against


def _leave_office(model: RegimeModel) -> None:
    k = model.ruler
    if not model.rules.on("ruler.leave_office"):
        return
    p = ruler_forecast(model, model.seat)
    mine, against = seat_balance(model)
    if R.seat_abandoned(mine, against, model.spec.elites.contest_share):
        if k.abandoned_since is None:
            k.abandoned_since = model.hour
    else:
        k.abandoned_since = None
    abandoned_for = model.hour - k.abandoned_since if k.abandoned_since is not None else -1.0
    if R.leaves_office(p, model.spec.ruler.resign_below, mine, against, abandoned_for, model.spec.ruler.abandoned_hours):
        armed = sum(model.power_loc[model.seat][s.index] for s in model.sides[1:] if s.active and s.armed)
        k.status = "fled" if armed > 0 else "resigned"
        verb = "flees" if k.status == "fled" else "resigns"
        says = k.agree(verb, "flee" if k.status == "fled" else "resign")
        model.say("ruler", f"{k.name} {says} ({k.agree('he gives himself', 'they give themselves')} {p:.0%}; "
                           f"{mine:,.0f} armed-man equivalents defend the seat against {against:,.0f})",
                  actor=k.name, label=f"ruler {verb}")


def _move_ruler(model: RegimeModel) -> None:
    k = model.ruler
    if k.travel is not None or k.location == model.seat or not model.rules.on("ruler.move"):
        return
    if not any(s.active and (s.target == model.seat or model.seat in s.regions) for s in model.sides[1:]):
        return
    haven = ruler_haven(model)
    if haven is not None and haven != k.location:
        k.travel = Traveller(model.geo.path(k.location, haven), model.spec.ruler.travel_speed_kmh)
        model.say("ruler", f"{k.name} {k.agree('sets', 'set')} out from {k.location} for {haven}", actor=k.name)


def _reinforce(model: RegimeModel, target: str) -> None:
    hot = {n for n, r in model.regions.items() if r.protest_share >= model.spec.ruler.repress_trigger}
    best = None
    for u in model.units:
        if (not u.repressive or u.side != 0 or not u.mobile or u.travel is not None or u.region in hot
                or u.region == model.seat or u.strength <= 0 or u.reach_km > 0):
            continue
        d = model.geo.km(u.region, target)
        if best is None or (d, u.key) < (best[0], best[1].key):
            best = (d, u)
    if best is None:
        return
    d, u = best
    u.travel = Traveller(model.geo.path(u.region, target), model.spec.ruler.redeploy_speed_kmh)
    model.say("ruler", f"{model.ruler.name} {model.ruler.agree('sends', 'send')} {u.label} ({u.strength:,.0f} men) from {u.region} to "
                       f"{target} ({d:,.0f} km)", actor=model.ruler.name, region=target)
    model.sync_police()


def _recall_to_seat(model: RegimeModel) -> None:
    """The ruler orders the mobile units within recall_radius_km to his seat. Obeying is a
    decision: with units.stance_choice on, each commander ordered chooses his side now, and only
    those who back the ruler set out (Singh 2014: in a coup an order is obeyed by those who
    expect its author to prevail)."""
    kr = model.spec.ruler
    ordered = [u for u in model.units
               if u.side == 0 and u.mobile and u.reach_km == 0 and u.travel is None and u.region != model.seat
               and u.strength > 0 and model.geo.km(u.region, model.seat) <= kr.recall_radius_km]
    if not ordered:
        return
    model.say("ruler", f"{model.ruler.name} {model.ruler.agree('orders', 'order')} {', '.join(u.label for u in ordered)} to {model.seat}",
              actor=model.ruler.name)
    decide_now = model.rules.on("units.stance_choice")
    changes: list = []
    for u in ordered:
        if decide_now:
            decide(model, u, changes)
        if u.side == 0:
            u.travel = Traveller(model.geo.path(u.region, model.seat), kr.redeploy_speed_kmh)
    if changes:
        report_changes(model, changes)


def purge_unit(model: RegimeModel, u: Unit, why: str) -> None:
    """Replace a commander: loyal and afraid; his peers grow more afraid and aggrieved. The new
    man was never in a plot his predecessor had joined (Sudduth 2017: a purge removes the officers
    able to move against the ruler, whether or not he knew they were plotting)."""
    u.loyalty = 0.85
    u.grievance = 0.0
    u.fear = min(1.0, u.fear + 0.2)
    for v in model.units:
        if v is not u and v.institution == u.institution and v.rank in ("top", "mid"):
            v.fear = min(1.0, v.fear + 0.1)
            v.grievance = min(1.0, v.grievance + 0.05)
    if u.plot is not None and u.side == 0:  # a plotter who has not yet acted is removed with his plot
        u.plot = None
        u.committed = False
        u.acted = False
    model.say("purge", f"{model.ruler.name} {model.ruler.agree('purges', 'purge')} the command of {u.label}, {why}", actor=model.ruler.name,
              region=u.region)
