"""The labelled outcomes, and the stated rules that read them from the state.

A run ends when the state settles it, never by default at the horizon:

* the ruler leaves office (resigns, flees, is captured or deposed): the challenger with the
  most power at the seat has taken it - ``mutiny_takes_power`` (a march),
  ``coup_succeeds`` (a seizure), ``popular_revolution`` (a movement or a rival centre whose
  side holds the seat), or ``ruler_ousted`` (a movement forced him out but the armed men at
  the seat who hold it stood aside: the armed forces take charge);
* a challenger wins by its goal: a column at the seat of power with nobody left to block it
  takes it; plotters who have held the seat for consolidate_hours uncontested depose him (a
  column or plotters whose target is another city hold that city, and the challenge goes on);
* every armed challenge has ended (a settlement, a collapse, giving up):
  ``negotiated_settlement``, ``mutiny_crushed``, ``coup_fails``, by the last one to end;
* an armed split holding civil_war_share of the armed forces for civil_war_hours: ``civil_war``;
* the ruler gone (dead, say) with no challenger holding the seat and his side's men holding it:
  ``regime_survives`` (the regime outlives him);
* at the horizon: ``unresolved`` if a challenge is still under way, else ``regime_survives``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from .grammar import agree

if TYPE_CHECKING:
    from .agents import Side
    from .model import RegimeModel


class Outcome(StrEnum):
    REGIME_SURVIVES = "regime_survives"
    NEGOTIATED_SETTLEMENT = "negotiated_settlement"
    MUTINY_CRUSHED = "mutiny_crushed"
    MUTINY_TAKES_POWER = "mutiny_takes_power"
    COUP_SUCCEEDS = "coup_succeeds"
    COUP_FAILS = "coup_fails"
    POPULAR_REVOLUTION = "popular_revolution"
    RULER_OUSTED = "ruler_ousted"
    CIVIL_WAR = "civil_war"
    UNRESOLVED = "unresolved"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    Outcome.REGIME_SURVIVES: "regime survives",
    Outcome.NEGOTIATED_SETTLEMENT: "negotiated settlement",
    Outcome.MUTINY_CRUSHED: "mutiny crushed",
    Outcome.MUTINY_TAKES_POWER: "mutiny takes power",
    Outcome.COUP_SUCCEEDS: "coup succeeds",
    Outcome.COUP_FAILS: "coup fails",
    Outcome.POPULAR_REVOLUTION: "popular revolution",
    Outcome.RULER_OUSTED: "ruler ousted, armed forces take charge",
    Outcome.CIVIL_WAR: "civil war / fragmentation",
    Outcome.UNRESOLVED: "unresolved at the horizon",
}

#: What each outcome means, for the docs.
MEANINGS = {
    Outcome.REGIME_SURVIVES: "the horizon is reached with the ruler in office and no challenge under way; or the "
                             "ruler is gone but no challenger holds the seat and his side's men do",
    Outcome.NEGOTIATED_SETTLEMENT: "the last armed challenge ended in a settlement both sides preferred to fighting on",
    Outcome.MUTINY_CRUSHED: "the last armed challenge was a march that broke up or gave up",
    Outcome.MUTINY_TAKES_POWER: "a march reached the seat of power with nobody left to block it, or its side holds the "
                                "seat when the ruler leaves office",
    Outcome.COUP_SUCCEEDS: "plotters held the seat uncontested for consolidate_hours, or hold it when the ruler "
                           "leaves office",
    Outcome.COUP_FAILS: "the last armed challenge was a seizure that broke up or surrendered",
    Outcome.POPULAR_REVOLUTION: "the ruler left office and a movement's (or a rival centre's) side holds the seat",
    Outcome.RULER_OUSTED: "the ruler left office under a movement's pressure, and the armed men who hold the seat "
                          "are units that stood aside: the armed forces take charge",
    Outcome.CIVIL_WAR: "an armed challenge held civil_war_share of the armed forces for civil_war_hours",
    Outcome.UNRESOLVED: "a challenge was still under way at the horizon",
}

OUTCOMES: tuple[str, ...] = tuple(o.value for o in Outcome)

_TAKES_POWER = {"march": Outcome.MUTINY_TAKES_POWER, "seize": Outcome.COUP_SUCCEEDS,
                "street": Outcome.POPULAR_REVOLUTION, "rally": Outcome.POPULAR_REVOLUTION}
_FAILS = {"march": Outcome.MUTINY_CRUSHED, "seize": Outcome.COUP_FAILS}


def seat_power(model: RegimeModel) -> tuple[list[float], float]:
    """Power behind each side at the seat, and the power of units standing aside there."""
    return model.power_loc[model.seat], model.aside_loc[model.seat]


def capital_holder(model: RegimeModel) -> str:
    """Who holds the seat of power, read from the state: a side that has taken it; else the side
    with the most power there (the ruler while nobody else has any), or the institution whose
    units stand aside there when the ruler is gone and they outweigh every side."""
    return holder_of_seat(model)[0]


def holder_of_seat(model: RegimeModel) -> tuple[str, bool]:
    """:func:`capital_holder`'s name, and whether it is grammatically plural (the side's or the
    institution's ``plural`` in the scenario), so that a sentence can agree with it."""
    k = model.ruler
    if not hasattr(model, "power_loc"):
        return k.name, k.plural
    loc, aside = seat_power(model)
    won = [s for s in model.sides[1:] if s.status == "won"]
    if won:  # a side that has taken the seat holds it, whoever else stands by
        w = max(won, key=lambda s: (loc[s.index], -s.index))
        return w.name, w.plural
    contenders = [s for s in model.sides if s.is_ruler or s.active]
    best = max(contenders, key=lambda s: (loc[s.index], -s.index), default=None)
    top = loc[best.index] if best is not None else 0.0
    if best is not None and best.is_ruler and not k.in_office and top > 0 and top >= aside:
        return f"the regime without {k.name}", False
    if not k.in_office and aside > top:
        by_inst: dict[str, float] = {}
        for u in model.units:
            if u.side < 0 and model.unit_region(u) == model.seat:  # standing aside
                by_inst[u.institution] = by_inst.get(u.institution, 0.0) + u.power
        inst = max(sorted(by_inst), key=lambda i: by_inst[i])
        spec = model.spec.institutions[inst]
        return spec.label or inst, spec.plural
    if best is None or top <= 0:
        return (k.name, k.plural) if k.in_office else ("nobody", False)
    return best.name, best.plural


def _holds(model: RegimeModel, place: str) -> str:
    """'<who> holds <place>' (or 'hold', as the holder's name takes)."""
    name, plural = holder_of_seat(model)
    return f"{name} {agree(plural, 'holds', 'hold')} {place}"


def _winner(model: RegimeModel) -> Side | None:
    loc, _ = seat_power(model)
    cands = [s for s in model.sides[1:] if s.active or s.status == "won"]
    return max(cands, key=lambda s: (loc[s.index], -s.index), default=None)


def settle(model: RegimeModel) -> None:
    """Read the outcome from the state, if the state has settled it."""
    from .actors import end_challenge
    from .conflict import blockers, column_strength

    k = model.ruler
    el = model.spec.elites
    seat = model.seat
    # statuses: a challenger who holds the seat isolates a ruler away from it, captures one in it
    holder = next((s for s in model.sides[1:] if s.active and s.holds_seat), None)
    if k.in_office:
        loc = model.power_loc[seat]
        undefended = holder is not None and loc[0] <= el.contest_share * loc[holder.index]
        if undefended and k.location == seat and k.travel is None:
            k.status = "captured"
            model.say("ruler", f"{holder.name} {holder.agree('seizes', 'seize')} {k.name} at the seat of power", actor=holder.name,
                      label="ruler captured")
        else:
            k.status = "isolated" if holder is not None and k.location != seat else "in_office"
    for s in model.sides[1:]:
        if not s.active:
            continue
        spec = s.spec
        if s.mode == "march":
            strength = column_strength(model, s)
            if strength < spec.collapse_share * max(s.column_start, 1.0):
                end_challenge(model, s, "crushed", f"{s.possessive} column falls to {strength:,.0f} men and breaks up")
            elif s.column.done and not blockers(model, s.target, s.index):
                if s.target != seat:
                    # a city that is not the seat of power: the column holds it, and the challenge
                    # goes on (a deal, a collapse, a split that lasts, or the horizon ends it)
                    if s.target not in s.regions:
                        s.regions.add(s.target)
                        model.say("challenge", f"{s.possessive} column enters {s.target} with {strength:,.0f} men "
                                               f"and holds it; the seat of power is in {seat}",
                                  actor=s.name, region=s.target, label="column holds a city")
                    continue
                s.holds_seat = True
                s.status = "won"
                end = f"{s.possessive} column enters {s.target} with {strength:,.0f} men; no one defends it"
                if k.in_office:
                    k.status = "fled" if k.location == seat else "deposed"
                model.say("challenge", end, actor=s.name, label="column takes the capital")
        elif s.mode == "seize":
            _seizure(model, s)
    # an armed split that lasts is a civil war
    share = model.defected_strength / model.total_strength if model.total_strength else 0.0
    for s in model.sides[1:]:
        if s.active and s.armed:
            s.split_hours = s.split_hours + model.dt if share >= el.civil_war_share else 0.0
            if s.split_hours >= el.civil_war_hours:
                model.resolve(Outcome.CIVIL_WAR, f"{s.name} {s.agree('has', 'have')} held {share:.0%} of the armed forces for "
                                                 f"{s.split_hours:g} h")
                return
    if not k.in_office:
        w = _winner(model)
        loc, aside = seat_power(model)
        if w is None and loc[0] > 0 and loc[0] >= aside:
            model.resolve(Outcome.REGIME_SURVIVES, f"{k.name} {k.agree('has', 'have')} left office ({k.status}); the men "
                                                   f"who backed {k.agree('him', 'them')} hold {seat}: the regime "
                                                   f"survives {k.agree('him', 'them')}")
            return
        if w is None:
            model.resolve(Outcome.RULER_OUSTED, f"{k.name} {k.agree('has', 'have')} left office ({k.status}) and no "
                                                f"side holds {seat}; {_holds(model, 'it')}")
            return
        label = _TAKES_POWER[w.mode]
        if w.mode == "street" and aside > loc[w.index]:
            label = Outcome.RULER_OUSTED
        model.resolve(label, f"{k.name} {k.agree('has', 'have')} left office ({k.status}); {_holds(model, seat)}")
        return
    if not any(s.active for s in model.sides[1:]):
        armed_endings = [e for e in model.endings if model.sides[e.side].armed]
        if armed_endings:
            last = armed_endings[-1]
            label = Outcome.NEGOTIATED_SETTLEMENT if last.status == "settled" else _FAILS[model.sides[last.side].mode]
            model.resolve(label, last.reason)


def _seizure(model: RegimeModel, s: Side) -> None:
    """Plotters take the broadcasts and the seat at a pace set by their local superiority."""
    from ..rules import coup as C
    from .actors import end_challenge
    from .conflict import blockers

    spec = s.spec
    cap = s.target
    mine = sum(u.power for u in model.units if u.side == s.index and model.unit_region(u) == cap
               and u.travel is None)
    against = sum(u.power for u in blockers(model, cap, s.index))
    if model.rules.on("public.people_power"):
        pp = model.spec.public.people_power
        against += sum(model.crowd(cap, o.index) for o in model.active_sides() if o.index != s.index) * pp
    if mine < spec.collapse_share * s.start_power and not any(
            u.travel is not None for u in model.units if u.side == s.index):
        end_challenge(model, s, "crushed", f"{s.name} in {cap} {s.agree('falls', 'fall')} to {mine:,.0f} armed-man "
                                           f"equivalents and {s.agree('breaks', 'break')} up")
        return
    if model.rules.on("coup.seize_sites"):
        s.seize = min(1.0, s.seize + C.seize_progress(mine, against, spec.seize_hours, model.dt))
    if against > mine and s.seize > 0:
        s.seize = max(0.0, s.seize - model.dt / spec.seize_hours)
    if not s.broadcasts and s.seize >= 0.5:
        s.broadcasts = True
        model.say("challenge", f"{s.name} {s.agree('takes the broadcasters and announces', 'take the broadcasters and announce')} "
                                      f"that {model.ruler.name} {model.ruler.agree('is', 'are')} removed",
                  actor=s.name, region=cap, label="broadcasts seized")
    if not s.holds_seat and s.seize >= 1.0:
        s.holds_seat = True
        model.say("challenge", f"{s.name} {s.agree('holds', 'hold')} the seat of power in {cap}", actor=s.name, region=cap,
                  label="seat of power held")
    if s.holds_seat and s.seize < 0.5:
        s.holds_seat = False
        model.say("challenge", f"forces loyal to {model.ruler.name} retake the seat of power in {cap}", region=cap)
    if s.holds_seat:
        s.hold_hours += model.dt
        uncontested = against <= model.spec.elites.contest_share * mine
        if cap != model.seat:
            # plotters who hold a city that is not the seat of power hold that city, not power
            if uncontested and cap not in s.regions:
                s.regions.add(cap)
                model.say("challenge", f"{s.name} {s.agree('holds', 'hold')} {cap}; the seat of power is in "
                                       f"{model.seat}", actor=s.name, region=cap, label="plotters hold a city")
        elif s.hold_hours >= spec.consolidate_hours and uncontested and model.ruler.in_office:
            s.status = "won"
            model.ruler.status = "captured" if model.ruler.location == cap else "deposed"
            model.say("challenge", f"{s.name} {s.agree('has', 'have')} held {cap} for {s.hold_hours:g} h and no force "
                                    "contests it",
                      actor=s.name, region=cap)


def at_horizon(model: RegimeModel) -> None:
    """The horizon: a challenge still under way is unresolved; otherwise the regime survived."""
    open_ = [s for s in model.sides[1:] if s.active]
    if open_:
        model.resolve(Outcome.UNRESOLVED, f"{', '.join(s.name for s in open_)} still under way at the horizon")
    else:
        model.resolve(Outcome.REGIME_SURVIVES, f"the horizon is reached with {model.ruler.name} in office "
                                               "and no challenge under way")
    model.outcome_hour = model.horizon
