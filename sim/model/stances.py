"""Which side each commander backs: forecasts, the choice, and the log of who moved.

Every choice here calls a registered rule in :mod:`sim.rules.units` and respects its switch.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ..rules import ruler as R
from ..rules import units as U
from .agents import NOBODY

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy as np

    from .agents import Side, Unit
    from .model import RegimeModel

_COUNT = {1: "one unit", 2: "two units", 3: "three units", 4: "four units", 5: "five units"}


def n_units(n: int) -> str:
    return _COUNT.get(n, f"{n} units")


# ============================================================================ forecasts
def forecast(model: RegimeModel, region: str | None, sides: list[Side] | None = None) -> list[float]:
    """A commander's forecast that each of ``sides`` (default: the active ones) prevails, from
    where he stands (``region``; None: the national picture)."""
    sides = sides if sides is not None else model.active_sides()
    # every commander in a region sees the same picture: one forecast per region and tally
    # (asked at every decision: the sides and the facts they made in one tuple, and one lookup)
    k = model.ruler
    tallies = model.tallies
    key = (tallies, region, tuple([(s.index, s.holds_seat, s.broadcasts) for s in sides]), k.strength,
           k.location, k.travel is None, k.status)
    cache = model.forecasts
    if cache.get("key") != tallies:
        cache.clear()
        cache["key"] = tallies
    p = cache.get(key)
    if p is None:
        cache[key] = p = _forecast(model, region, sides)
    return p


def _seen(model: RegimeModel) -> dict:
    """What is worked out from the current tally by (kind, region, sides) for every commander
    in a region: the fight costs, and the shares his forecast saw (for strongest_seen). Dropped
    when the tally moves or its lists or the rules are replaced (tests set them by hand)."""
    cache = model.seen
    source = cache.get("source")
    if source is None or source[0] != model.tallies or source[1] is not model.power_w or \
            source[2] is not model.power_loc or source[3] is not model.rules:
        cache.clear()
        cache["source"] = (model.tallies, model.power_w, model.power_loc, model.rules)
    return cache


def seen_shares(model: RegimeModel, region: str | None, sides: list[Side]) -> list[float]:
    """The share of the power behind each of ``sides`` that a commander in ``region`` sees: the
    national picture blended with his region's (rule units.local_cascade; None: national only)."""
    national = [model.power_w[s.index] for s in sides]
    local = [model.power_loc[region][s.index] for s in sides] if (
        region is not None and model.rules.is_on["units.local_cascade"]) else []
    return U.seen_shares(national, local, model.spec.elites.local_weight) if local else \
        U.seen_shares(national, [], 0.0)


def _forecast(model: RegimeModel, region: str | None, sides: list[Side]) -> list[float]:
    on = model.rules.is_on.__getitem__
    el = model.spec.elites
    shares = seen_shares(model, region, sides)
    # kept for strongest_seen(), which asks for the same shares right after the choice
    _seen(model)[("shares", region, tuple([s.index for s in sides]))] = shares
    s_reg = model.ruler.strength
    n_ch = max(len(sides) - 1, 1)
    priors = [s_reg if s.is_ruler else (1.0 - s_reg) / n_ch for s in sides]
    facts = [0.0] * len(sides)
    if on("units.make_a_fact"):
        made = any(not s.is_ruler and (s.holds_seat or s.broadcasts) for s in sides)
        unmade = el.reappearance_cut if made and ruler_seen_in_command(model) else 0.0
        for i, s in enumerate(sides):
            if not s.is_ruler:
                facts[i] = U.fact_shift(s.holds_seat, s.broadcasts, el.fact_bonus, unmade)
    if on("units.expected_winner"):
        return U.win_probabilities(shares, el.decisiveness, el.prior_weight, priors, facts)
    return U.win_probabilities(shares, el.decisiveness, 1.0, priors, facts)


def ruler_haven(model: RegimeModel) -> str | None:
    """Where rule ruler.move takes a ruler away from his contested seat: the most populous region
    (not an aggregate) where his side's power exceeds every active challenger's (None: nowhere)."""
    options = []
    for name, r in model.regions.items():
        if r.spec.aggregate:  # an aggregate of many places is not a place to land in
            continue
        loc = model.power_loc[name]
        options.append((name, r.population, loc[0], sum(loc[s.index] for s in model.sides[1:] if s.active)))
    return R.safe_haven(options)


def ruler_seen_in_command(model: RegimeModel) -> bool:
    """The ruler is seen free and in command away from his seat: in office, not on the road, at
    his haven (Singh 2014: the incumbent's reappearance unmakes the plotters' fact)."""
    k = model.ruler
    if not k.in_office or k.travel is not None or k.location == model.seat or k.location not in model.regions:
        return False
    return ruler_haven(model) == k.location


def ruler_forecast(model: RegimeModel, region: str | None = None) -> float:
    return forecast(model, region)[0]


def _fight_costs(model: RegimeModel, sides: list[Side], region: str) -> list[float]:
    """What backing each side costs where the commander stands: the odds of a fight there."""
    cache = _seen(model)
    key = ("fight", region, tuple([s.index for s in sides]))
    out = cache.get(key)
    if out is None:
        el = model.spec.elites
        loc = model.power_loc[region]
        total = sum(loc[s.index] for s in sides)
        out = cache[key] = []
        for s in sides:
            own = loc[s.index]
            enemy = total - own
            out.append(el.fight_cost * enemy / (enemy + own) if enemy > 0 else 0.0)
    return list(out)  # a copy: utilities() changes its own


# ============================================================================ the choice
def utilities(model: RegimeModel, u: Unit, sides: list[Side]) -> list[float]:
    """Utilities of backing each of ``sides`` (the ruler first), then of standing aside."""
    on = model.rules.is_on.__getitem__
    el = model.spec.elites
    region = model.unit_region(u)
    p = forecast(model, region, sides)
    u.last_p = p[0]
    plot = u.plot
    own = 0 if plot is None else next((i for i, s in enumerate(sides) if s.index == plot), 0)
    committed = own > 0 and u.committed
    attach = []
    for i, s in enumerate(sides):
        if s.is_ruler:
            attach.append(el.amnesty_base + el.amnesty_per_disloyalty * (1.0 - u.loyalty) if committed
                          else el.own_side_weight * (u.loyalty + u.pay))
        elif i == own:
            attach.append(el.own_side_weight * (u.loyalty + u.pay))
        else:
            attach.append((s.spec.offer if s.spec is not None else 0.0) + u.grievance)
    cash = [0.0] * len(sides)
    immunity = [0.0] * len(sides)
    if model.sponsor is not None and on("units.pay_and_immunity"):
        amount, imm, backs = model.sponsor
        for i, s in enumerate(sides):
            if not s.is_ruler and i != own and (backs is None or backs == s.index):
                cash[i] = U.cash_appeal(amount, el.cash_half_kusd, el.cash_weight)
                immunity[i] = imm
    fight = _fight_costs(model, sides, region)
    if committed:
        fight[own] = 0.0  # a committed man is in his side's fight wherever he stands
    tie = U.ruler_tie(u.ties) if on("units.counterweight") else 0.0
    exposure = (1.0 if u.acted else el.plot_exposure) if committed else 0.0
    return U.option_utilities(p, attach, cash, fight, tie, u.fear, immunity, el.punishment,
                              el.challenger_punishment, el.aside_penalty, exposure, own)


def choose(model: RegimeModel, u: Unit, sides: list[Side] | None = None,
           draw: Callable[[], float] | None = None) -> int:
    """The side a commander backs now (an index into model.sides, or NOBODY); ``sides``: the
    active sides, if the caller has them; ``draw``: the model's next random number (default:
    drawn here)."""
    if sides is None:
        sides = model.active_sides()
    util = utilities(model, u, sides)
    options = [s.index for s in sides] + [NOBODY]
    current = options.index(u.side) if u.side in options else len(options) - 1
    el = model.spec.elites
    # the habit of obedience is a small edge; reversing a stance once taken costs more
    inertia = el.switch_cost if u.moved else el.unmoved_inertia * el.switch_cost
    x = draw() if draw is not None else float(model.rng.random())
    pick = U.logit_choice(util, current, inertia, el.temperature, x)
    return options[pick]


def _drawn(rng: np.random.Generator, n: int) -> Callable[[], float]:
    """The generator's next random numbers, handed out in order: the first ``n`` drawn at once
    (Generator.random(n) gives the numbers that n calls of random() give, one C call instead of
    n), then one at a time. For a loop that makes at least ``n`` draws, so that none is drawn
    that the loop does not use."""
    left = rng.random(n).tolist()[::-1] if n > 0 else []
    pop = left.pop

    def draw() -> float:
        return pop() if left else float(rng.random())

    return draw


def fronts(model: RegimeModel) -> set[str]:
    """Where challenges are being fought: columns, targets of seizures, regions a movement holds."""
    out: set[str] = set()
    for s in model.sides[1:]:
        if s.active:
            out |= s.regions
            out.add(s.target if s.mode == "seize" else s.seat)
            if s.column is not None:
                out.add(s.column.at)
    return out


def near_weight(model: RegimeModel, region: str, where: set[str] | None = None) -> float:
    """How close a region is to where a challenge is being fought (1 at the front, toward 0 far away)."""
    where = fronts(model) if where is None else where
    return max((model.distance_weight_between(region, f) for f in where), default=0.0)


def units_reconsider(model: RegimeModel) -> None:
    """Commanders re-read the situation; those a challenge reaches must choose now."""
    if not model.challenge_open() or not model.rules.on("units.stance_choice"):
        model.forced_decisions.clear()
        return
    el = model.spec.elites
    rate = min(1.0, el.reconsider_per_hour * model.dt)
    forced = model.forced_decisions
    changes: list[tuple[Unit, int, int]] = []
    where_fought = fronts(model)
    # distances are fixed: each set of fronts' chance to reconsider by region (rate * nearness)
    # is worked out once a run
    chances = model.nearness.setdefault((frozenset(where_fought), rate), {})
    far = el.far_reconsider_share
    # deciding changes units' sides, never a side's status (the active sides are asked once), nor
    # any unit's men or the commanders forced to choose
    sides = model.active_sides()
    alive = [u for u in model.units if u.strength > 0]
    # each commander not forced to choose draws whether he reconsiders, and each choice draws
    # once more (choose): the hour makes at least the first draws, and they are made at once
    draw = _drawn(model.rng, sum([u.key not in forced for u in alive]))
    for u in alive:
        must = u.key in forced
        travel = u.travel
        where = travel.at if travel is not None else u.region  # model.unit_region(u)
        chance = chances.get(where)
        if chance is None:
            # commanders far from the fighting wait and see: they reconsider less often
            chance = chances[where] = rate * (far + (1.0 - far) * near_weight(model, where, where_fought))
        if not must and draw() >= chance:
            continue
        decide(model, u, changes, sides, draw)
    forced.clear()
    if changes:
        report_changes(model, changes)


def strongest_seen(model: RegimeModel, region: str, sides: list[Side]) -> int:
    """The side with the most power a commander in ``region`` sees (the national and local
    shares blended as in his forecast, without priors or facts): what following power means."""
    shares = _seen(model).get(("shares", region, tuple([s.index for s in sides])))
    if shares is None:  # no forecast made from this tally here yet
        shares = seen_shares(model, region, sides)
    best = 0  # the most power; on a tie, the side listed first
    for i in range(1, len(shares)):
        if shares[i] > shares[best]:
            best = i
    return sides[best].index


def crowd_backed(model: RegimeModel, region: str, sides: list[Side]) -> int | None:
    """The side the largest crowd in ``region`` backs (on a tie, the side listed first); None
    where no crowd stands. Whichever side that is, a rule that makes crowds count in forecasts
    (public.people_power) should make more commanders back it."""
    best, most = None, 0.0
    for s in sides:
        n = model.crowd(region, s.index)
        if n > most:
            best, most = s.index, n
    return best


def decide(model: RegimeModel, u: Unit, changes: list[tuple[Unit, int, int]],
           sides: list[Side] | None = None, draw: Callable[[], float] | None = None) -> None:
    """Commander ``u`` chooses now and has taken a side in the crisis; a change of side is
    applied, added to ``changes`` (old, new) and tallied at once, so the next one sees it.
    Counted for the measures ``power_following_share`` (did he back the strongest side he saw?)
    and ``crowd_following_share`` (where a crowd stood: did he back the side it backs?).
    ``sides``: the active sides, if the caller has them; ``draw``: see :func:`choose`."""
    if sides is None:
        sides = model.active_sides()
    new = choose(model, u, sides, draw)
    model.decisions += 1
    region = model.unit_region(u)
    model.decisions_with_power += new == strongest_seen(model, region, sides)
    backed = crowd_backed(model, region, sides)
    if backed is not None:
        model.decisions_near_crowd += 1
        model.decisions_with_crowd += new == backed
    u.engaged = True
    if new != u.side:
        old = u.side
        apply_side(model, u, new)
        changes.append((u, old, new))
        model.tally()


def apply_side(model: RegimeModel, u: Unit, new: int) -> None:
    old_name = u.stance_name
    old_side = u.side_id
    u.side = new
    u.moved = True
    region = model.unit_region(u)
    followed = ""
    for prev in reversed(model.stance_changes):
        if prev["to_side"] == u.side_id and (prev["region"] == region or model.hour - prev["hour"] <= 6):
            followed = prev["unit"]
            break
    model.stance_changes.append({
        "hour": model.hour, "unit": u.key, "label": u.label, "institution": u.institution,
        "region": region, "from": old_name, "to": u.stance_name, "from_side": old_side, "to_side": u.side_id,
        "strength": u.strength, "forecast": u.last_p, "followed": followed,
        "challenge": ",".join(s.id for s in model.sides[1:] if s.active),
    })
    # a mobile unit that joins a column where it passes marches with it; one that leaves falls out
    for s in model.sides[1:]:
        if s.column is None or not s.active:
            continue
        if new == s.index and u.mobile and region == s.column.at and u.reach_km == 0 and u.travel is None:
            u.in_column = True
            u.region = s.column.at
        elif new != s.index and u.in_column:
            u.in_column = False
            u.region = s.column.at


def report_changes(model: RegimeModel, changes: list[tuple[Unit, int, int]]) -> None:
    groups: dict[tuple[str, int], list[Unit]] = defaultdict(list)
    for u, _old, new in changes:
        groups[(model.unit_region(u), new)].append(u)
    for (region, new), us in groups.items():
        names = ", ".join(u.label for u in us)
        men = sum(u.strength for u in us)
        one = len(us) == 1
        if new == NOBODY:
            verb = "stands aside" if one else "stand aside"
        elif new == 0:
            verb = "backs the ruler" if one else "back the ruler"
        else:
            side = model.sides[new]
            returning = all(u.plot == new for u in us)
            verb = (("returns to" if one else "return to") if returning else ("joins" if one else "join")) + \
                f" {side.name}"
        context = ""
        for s in model.sides[1:]:
            if s.active and s.column is not None and region == s.column.at:
                context = f" as {s.possessive} column passes"
            elif s.active and s.mode == "street" and region in s.regions:
                context = " as crowds fill the streets"
            elif s.active and s.mode == "seize" and region == s.target:
                context = f" in {s.possessive} bid for power"
        model.say("stance", f"{n_units(len(us))} in {model.regions[region].label} ({names}; {men:,.0f} men) "
                            f"{verb}{context}", region=region)
