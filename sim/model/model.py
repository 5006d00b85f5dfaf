"""The regime model: how the actors are wired and stepped.

One step is ``time.step_hours`` hours. Each step, in this order:

1. scripted events that are due fire (:mod:`.events`);
2. sides act on their own rules: challengers (ultimatum, march, plot, movement, rally),
   then the ruler (responses, settlement offers, leaving office) (:mod:`.actors`);
3. columns, convoys and the ruler move; units they reach must choose (:mod:`.conflict`);
4. commanders reconsider which side to back (:mod:`.stances`, rules in ``sim.rules.units``);
5. forces that meet fight; troops ordered to clear crowds fire or hold back (:mod:`.conflict`,
   :mod:`.crowds`);
6. the public ticks when due: exit, draft, one Epstein tick per region; called crowds
   gather or melt away;
7. legitimacy, regime strength and loyalty drift; the outcome is read from the state
   (:mod:`.outcomes`); a row is recorded.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import mesa

from ..public.grid import TickParams
from ..rules import RuleSwitch
from ..rules import legitimacy as L
from ..rules.public import mobilization_hardship, social_weight
from ..rules.units import (
    ASIDE,
    DEFECTED,
    LOYAL,
    STANCES,
    declared_weight,
    drift,
    drift_rate,
    loyalty_target,
)
from ..scenario.schema import Scenario
from . import actors, conflict, crowds, events, outcomes, stances
from .agents import NOBODY, RegionPublic, Side, Unit
from .geography import Geography
from .outcomes import Outcome
from .state import Ending, EventLog, Incursion, MobilizationState, clock

#: The series' first columns, in the order record() writes them; per region, institution and side next.
SERIES_COLUMNS = [
    "hour", "regime_strength", "legitimacy", "protest_share", "emigrated", "mobilized", "arrests", "casualties",
    "front_losses", "crowd_deaths", "budget", "defected_strength", "challenge", "capital_holder", "ruler_status",
    "column_km_to_capital", "column_strength", "column_lon", "column_lat",
]

#: a unit's stance name by (side == ruler, side == nobody, else), as Unit.stance_name gives it
_STANCE_NAMES = (STANCES[LOYAL], STANCES[ASIDE], STANCES[DEFECTED])


class SeriesRows(Sequence):
    """The recorded series as a sequence of dicts (column -> value), made on demand from lists."""

    def __init__(self, columns: list[str], rows: list[list]) -> None:
        self.columns = columns
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, i):  # noqa: ANN001 - an index or a slice, like a list
        if isinstance(i, slice):
            return [dict(zip(self.columns, r, strict=True)) for r in self._rows[i]]
        return dict(zip(self.columns, self._rows[i], strict=True))

    def values(self, columns: list[str]) -> list[list]:
        """The rows' values of ``columns`` (each a recorded column), row by row."""
        idx = [self.columns.index(c) for c in columns]
        return [[r[i] for i in idx] for r in self._rows]

    def frame(self):  # noqa: ANN201 - a pandas DataFrame (pandas is imported only here)
        import pandas as pd

        return pd.DataFrame(self._rows, columns=self.columns)


class RegimeModel(mesa.Model):
    """Sides, institutions, units, regions and the public of a scenario, stepped hour by hour."""

    def __init__(self, scenario: Scenario, seed: int | None = None, record_track: bool = True) -> None:
        self.seed = scenario.seed if seed is None else int(seed)
        self.record_track = record_track  # sweeps skip the per-unit track to stay fast
        super().__init__(rng=self.seed)
        self.spec = scenario
        self.rules = RuleSwitch(scenario.rules.disable)
        self._people_power = self.rules.on("public.people_power")  # asked at every tally
        self.dt = scenario.time.step_hours
        self.hour = 0.0
        self.horizon = scenario.time.horizon_days * 24.0
        self.geo = Geography.of(scenario)
        self.capital = scenario.capital
        self.seat = scenario.seat
        self.log = EventLog()
        # canonical order (by id) so that a run's random stream depends on content, not file order
        ids = scenario.sides
        self.side_index = {sid: i for i, sid in enumerate(ids)}
        self.sides: list[Side] = [
            Side(self, i, sid, None if i == 0 else scenario.challengers[sid]) for i, sid in enumerate(ids)
        ]
        self.ruler = self.sides[0]
        self._street = self._first_street()
        self.regions: dict[str, RegionPublic] = {
            name: RegionPublic(self, name, scenario.regions[name]) for name in sorted(scenario.regions)
        }
        self.units: list[Unit] = [Unit(self, key, scenario.units[key]) for key in sorted(scenario.units)]
        self.unit_by_key = {u.key: u for u in self.units}
        self.institutions = sorted({u.institution for u in self.units})
        # for record(): each unit's institution by position, and each institution's men at the
        # start (units and their initial strength never change: the same sum as adding them each row)
        self._unit_inst = [self.institutions.index(u.institution) for u in self.units]
        self._inst_initial = [0.0] * len(self.institutions)
        for u, i in zip(self.units, self._unit_inst, strict=True):
            self._inst_initial[i] += u.initial_strength
        self.mobilization: MobilizationState | None = None
        self.incursions: list[Incursion] = []
        sp = scenario.sponsor
        self.sponsor: tuple[float, float, int | None] | None = (
            (sp.cash_kusd_per_man, sp.immunity, self.side_index.get(sp.backs) if sp.backs else None)
            if sp.enabled else None
        )
        self.outcome: Outcome | None = None
        self.outcome_hour: float | None = None
        self.outcome_reason = ""
        self.endings: list[Ending] = []
        self.casualties = 0.0  # combat losses and crowd deaths of the crisis
        self.front_losses = 0.0  # scripted and attrition losses at a front, counted apart
        self.crowd_deaths = 0.0
        self.aircraft_lost = 0  # aircraft of air units shot down (rule combat.air_strike)
        self.airmen_killed = 0.0  # their crews, counted in casualties too
        self.deaths_by_side = [0.0] * len(self.sides)  # crowd deaths among each side's supporters
        self.peak_defected = 0.0
        self.peak_defected_share = 0.0
        self.decisions = 0  # commanders' choices in a crisis, and those that backed the strongest side seen
        self.decisions_with_power = 0
        # choices made where a crowd stood, and those that backed the side its largest crowd backs
        self.decisions_near_crowd = 0
        self.decisions_with_crowd = 0
        self.peak_protest = 0.0
        self.peak_grievance = 0.0  # commanders' mean grievance at its highest (rule units.blame)
        self.peak_called = 0.0  # the most people in called crowds at once, all regions (rule crowds.rally)
        self.stance_changes: list[dict] = []
        self.forced_decisions: set[str] = set()
        self.forecasts: dict = {}  # (tally, region, sides, ...) -> forecast, see stances.forecast
        self.seen: dict = {}  # shares seen and fight costs by region, from the tally: see stances._seen
        self.nearness: dict = {}  # (fronts, rate) -> region -> how often its commanders reconsider, see stances
        self._rows: list[list] = []  # see record() and series_columns
        self.track: list[tuple] = []  # (hour, unit, region, stance, strength, lon, lat, in_column)
        self._events = sorted(scenario.events, key=lambda e: e.at)
        self._next_event = 0
        self._next_public = 0.0
        self._next_row = 0.0
        # the series' column names, made once (recording is a large share of a quiet run)
        self.series_columns = SERIES_COLUMNS + [
            f"{k}__{name}" for name in self.regions
            for k in ("legitimacy", "protest", "jailed", "emigrated", "mobilized", "rally", "deaths")] + [
            f"{k}__{i}" for i in self.institutions for k in ("loyal", "aside", "defected", "loyalty")] + [
            f"backing__{s.id}" for s in self.sides]
        self._node_pos = {name: self.geo.graph.nodes[name]["pos"] for name in self.regions}
        reach = scenario.elites.reach_km
        self._reach_weight = {a: {b: math.exp(-self.geo.km(a, b) / reach) for b in self.regions} for a in self.regions}
        self.distance_weight = {name: self._reach_weight[name][self.capital] for name in self.regions}
        # for sync_police(), made once: grids and populations keep their size, institutions their kind
        scale = scenario.public.police_scale
        self._police_per_man = {name: scale * r.grid.cell.size / r.population if r.population > 0 else 0.0
                                for name, r in self.regions.items()}
        self._repressive = [u for u in self.units if u.repressive]
        self.sync_police()
        for r in self.regions.values():
            r.refresh_shares()
        self.tallies = 0  # tallies that found new powers (see tally)
        self.tally()
        self.record()
        self.running = True

    # ------------------------------------------------------------------ helpers
    def say(self, kind: str, text: str, actor: str = "", region: str = "", label: str = "") -> None:
        self.log.add(self.hour, kind, text, actor, region, label)

    def distance_weight_between(self, a: str, b: str) -> float:
        """exp(-km / elites.reach_km) between two regions (made once: it is asked often)."""
        return self._reach_weight[a][b]

    def unit_region(self, u: Unit) -> str:
        return u.travel.at if u.travel is not None else u.region

    def active_sides(self) -> list[Side]:
        """The ruler and every challenger whose challenge is under way."""
        return [s for s in self.sides if s.is_ruler or s.active]

    def challenge_open(self) -> bool:
        for s in self.sides[1:]:  # noqa: SIM110 - asked several times an hour: a loop, not any() over a generator
            if s.active:
                return True
        return False

    def armed_challenge_open(self) -> bool:
        return any(s.active and s.armed for s in self.sides[1:]) or bool(self.incursions)

    def national_legitimacy(self) -> float:
        stayers = [r.stayers for r in self.regions.values()]
        return sum([r.legitimacy * n for r, n in zip(self.regions.values(), stayers, strict=True)]) / \
            max(sum(stayers), 1.0)

    def legitimacy_gap(self) -> float:
        """How far legitimacy stands from its baseline (the level it drifts back to, rule
        legitimacy.recovery), either way, averaged over the people who stay."""
        pop = sum(r.stayers for r in self.regions.values())
        return sum(abs(r.legitimacy - r.baseline) * r.stayers for r in self.regions.values()) / max(pop, 1.0)

    def loyalty_shift(self) -> float:
        """How far commanders' loyalty stands from where the scenario set it, either way, averaged
        over the units weighted by their men at the start (rule units.loyalty_drift moves it)."""
        men = sum(u.initial_strength for u in self.units)
        return sum(abs(u.loyalty - u.initial_loyalty) * u.initial_strength for u in self.units) / max(men, 1.0)

    def national_protest(self) -> float:
        # sums over lists (the same values in the same order as over generators: the same sums);
        # each region's protesters are its protest share times its stayers (RegionPublic.protesters)
        stayers = [r.stayers for r in self.regions.values()]
        protesters = [r.protest_share * n for r, n in zip(self.regions.values(), stayers, strict=True)]
        return sum(protesters) / max(sum(stayers), 1.0)

    def street_side(self) -> int | None:
        """The movement that street protesters back: the first enabled 'street' challenger."""
        return self._street

    def _first_street(self) -> int | None:
        return next((s.index for s in self.sides[1:] if s.mode == "street"), None)

    def crowd(self, region: str, side: int) -> float:
        """People in the streets of ``region`` backing ``side``: its called crowds, and for a
        movement that is up, the region's protesters."""
        r = self.regions[region]
        n = r.rally[side]
        if side == self.street_side() and self.sides[side].active:
            n += r.protesters
        return n

    def sync_police(self) -> None:
        """Each region's policemen on the grid follow the stance of its repressive units."""
        on: dict[str, float] = dict.fromkeys(self.regions, 0.0)
        off: dict[str, float] = dict.fromkeys(self.regions, 0.0)
        for u in self._repressive:
            if u.travel is not None or u.in_column:
                continue
            (on if u.side == 0 else off)[u.region] += u.strength
        per_men = self._police_per_man
        for name, r in self.regions.items():
            per_man = per_men[name]
            want = (int(round(on[name] * per_man)), int(round(off[name] * per_man)))
            if want != r.police:
                r.grid.set_cops(self.rng, *want)
                r.police = want

    # ------------------------------------------------------------------ strength tallies
    def tally(self) -> None:
        """Power behind each side, distance-weighted nationally and by region (units, raiders,
        and crowds when rule public.people_power is on)."""
        n = len(self.sides)
        # called several times an hour (after every change of side): locals, and the unit's
        # region and power inlined (same sums in the same order as unit_region() and u.power)
        power_w = [0.0] * n
        power_loc: dict[str, list[float]] = {name: [0.0] * n for name in self.regions}
        aside_loc: dict[str, float] = dict.fromkeys(self.regions, 0.0)
        weight = self.distance_weight
        total = 0.0
        defected = 0.0
        silent = self.spec.elites.undeclared_weight if (
            self.rules.is_on["units.wait_and_see"] and self.challenge_open()) else 1.0
        # the rule's two answers, asked once a tally rather than once a unit
        weight_of = (declared_weight(False, silent), declared_weight(True, silent))
        for u in self.units:
            strength = u.strength
            if strength <= 0:
                continue
            travel = u.travel
            where = travel.at if travel is not None else u.region
            total += strength
            side = u.side
            power = strength * u.combat_power
            if side == NOBODY:
                aside_loc[where] += power
                continue
            if side > 0:
                defected += strength
            if silent != 1.0:
                power *= weight_of[u.engaged]
            power_w[side] += weight[where] * power
            power_loc[where][side] += power
        for inc in self.incursions:
            if inc.side is not None:
                power_w[inc.side] += weight[inc.region] * inc.strength
                power_loc[inc.region][inc.side] += inc.strength
        if self._people_power:
            pp = self.spec.public.people_power
            street = self._street if self._street is not None and self.sides[self._street].active else None
            counted = [i for i, s in enumerate(self.sides) if s.is_ruler or s.standing]  # once a tally
            for name, r in self.regions.items():
                share = r.protest_share
                rally = r.rally
                if share <= 0 and not any(rally):
                    continue
                w = weight[name]
                loc = power_loc[name]
                for i in counted:
                    # the street's crowd: its protesters and its rally
                    c = rally[i] + (r.protesters if i == street else 0.0)
                    if c > 0:
                        power_w[i] += w * c * pp
                        loc[i] += c * pp
        # a tally that finds the same powers as the last one keeps its number (and its lists), so the
        # forecasts made from it stay valid (stances.forecast, stances._seen); == on these floats is
        # bit for bit: sums of positive powers from 0.0 are never -0.0, and a NaN never compares equal
        if self.tallies == 0 or power_w != self.power_w or power_loc != self.power_loc or \
                aside_loc != self.aside_loc:
            self.tallies += 1  # forecasts made from an older tally are stale
            self.power_w = power_w
            self.power_loc = power_loc
            self.aside_loc = aside_loc
        self.total_strength = total
        self.defected_strength = defected
        self.peak_defected = max(self.peak_defected, defected)
        if total > 0:
            self.peak_defected_share = max(self.peak_defected_share, defected / total)

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        if self.outcome is not None:
            self.running = False
            return
        for phase in self._phases:
            phase()
            if self.outcome is not None:  # a phase settled it: the rest of the hour does not happen
                break
        self.hour += self.dt
        self._note_grievance()
        self.record()
        if self.outcome is not None or self.hour >= self.horizon - 1e-9:
            if self.outcome is None:
                outcomes.at_horizon(self)
            self.running = False

    def _note_grievance(self) -> None:
        """The commanders' grievance, a mean weighted by their men, at its highest so far."""
        men = weighted = 0.0
        for u in self.units:
            if u.strength > 0:
                men += u.strength
                weighted += u.strength * u.grievance
        if men > 0:
            self.peak_grievance = max(self.peak_grievance, weighted / men)

    @property
    def _phases(self) -> tuple:
        """The order of one step (see the module docstring)."""
        return (
            self._events_due,
            self._act,
            self._move,
            self._stances,
            self._fight,
            self._public,
            self._drift,
            self._settle,
        )

    def _events_due(self) -> None:
        events.fire_due(self)

    def _act(self) -> None:
        actors.act(self)

    def _move(self) -> None:
        conflict.move(self)

    def _fight(self) -> None:
        if self.armed_challenge_open():
            self.tally()
            conflict.fight(self)
        if self.challenge_open() or self.incursions:
            crowds.repression(self)

    def _settle(self) -> None:
        # with no challenge under way, a ruler in office and no challenge ended, nothing can settle
        if not self.challenge_open() and self.ruler.in_office and not self.endings:
            return
        self.tally()
        outcomes.settle(self)

    def _stances(self) -> None:
        if self.challenge_open():
            self.tally()
            stances.units_reconsider(self)  # tallies again after every change of side
        self.sync_police()

    def _public(self) -> None:
        crowds.gather(self)
        if self.hour + 1e-9 < self._next_public:
            return
        pub = self.spec.public
        hours = pub.interval_hours
        self._next_public = self.hour + hours
        on = self.rules.on
        jail_ticks = int(round(pub.max_jail_days * 24.0 / hours))
        # the rules' switches, read once a tick rather than once a region
        arrest_risk, social_proof, hesitancy, hardship, grievance, activation = (on(rule) for rule in (
            "public.arrest_risk", "public.social_proof", "public.police_hesitancy", "public.mobilization_hardship",
            "public.grievance", "public.activation"))
        for r in self.regions.values():
            if r.grid.n_citizens == 0:
                continue
            boost = r.focal_boost if self.hour < r.focal_until else 0.0
            params = TickParams(
                legitimacy=r.legitimacy if grievance else 1.0,
                threshold=pub.active_threshold if activation else 1e9,
                k=pub.arrest_constant if arrest_risk else 0.0,
                use_round=pub.round_arrest_ratio,
                social_w=social_weight(pub.social_influence, boost) if social_proof else 0.0,
                hesitancy=r.hesitancy if hesitancy else 0.0,
                extra_hardship=r.extra_hardship if hardship else 0.0,
                max_jail=jail_ticks,
                still_when_calm=pub.still_when_calm,
            )
            before = r.protest_share
            r.tick(hours, params)
            actors.note_protest(self, r, before)
        self.peak_protest = max(self.peak_protest, self.national_protest())
        actors.streets(self)

    def _drift(self) -> None:
        """Legitimacy, regime strength and loyalty drift; ongoing pressures apply."""
        dt = self.dt
        on = self.rules.is_on.__getitem__
        spec = self.spec
        k = self.ruler
        if on("legitimacy.recovery"):
            k.strength = L.recover(k.strength, k.baseline, spec.ruler.strength_recovery_per_day, dt)
            recover, per_day = L.recover, spec.public.legitimacy_recovery_per_day
            for r in self.regions.values():
                r.legitimacy = recover(r.legitimacy, r.baseline, per_day, dt)
        if on("legitimacy.street_pressure"):
            k.strength = L.street_pressure(k.strength, self.national_protest(), spec.elites.protest_strength_drop, dt)
        if on("legitimacy.challenge_erosion") and any(s.active and s.armed for s in self.sides[1:]):
            k.strength = L.challenge_erosion(k.strength, spec.elites.challenge_erosion_per_hour, dt)
        mob = self.mobilization
        if mob is not None:
            if mob.active and self.hour - mob.started >= mob.duration_days * 24.0:
                mob.ended = self.hour
                self.say("mobilization", f"the call-up ends: {mob.drafted:,.0f} people mobilized")
            memory = spec.public.exit_memory_days * 24.0
            # the panic of the announcement fades; halting the call-up halves it
            fade = math.exp(-(self.hour - mob.started) / memory)
            active, hardship, step = mob.active, spec.public.mobilization_hardship, min(1.0, dt / 48.0)
            for r in self.regions.values():
                r.threat = fade * (0.5 if r.halted else 1.0) * (1.0 if active else 0.5)
                pressure = r.load if (active and not r.halted) else 0.0
                target = mobilization_hardship(pressure, hardship)
                r.extra_hardship += (target - r.extra_hardship) * step
        el = spec.elites
        # the parameters read once an hour, not once a unit
        drifting = on("units.loyalty_drift")
        strength = k.strength
        base, w_pay, w_s, w_g = (el.loyalty_base, el.loyalty_pay_weight, el.loyalty_strength_weight,
                                 el.loyalty_grievance_weight)
        rate = drift_rate(el.loyalty_adjust_per_day, dt)
        decay = el.grievance_decay_per_day * dt / 24.0
        # one pass: a unit's loyalty drifts on its grievance before this hour's decay, as when
        # the two were separate loops (no unit's drift reads another unit)
        for u in self.units:
            g = u.grievance
            if drifting:
                target = loyalty_target(u.pay, strength, g, base, w_pay, w_s, w_g)
                u.loyalty = drift(u.loyalty, target, rate)
            if g != 0.0:  # max(0.0, 0.0 - decay * 0.0) is 0.0: nothing to do
                g -= decay * g
                u.grievance = g if g > 0.0 else 0.0  # max(0.0, g), without a call per unit

    # ------------------------------------------------------------------ outcomes
    def resolve(self, outcome: Outcome, reason: str) -> None:
        if self.outcome is not None:
            return
        self.outcome = outcome
        self.outcome_hour = self.hour + self.dt
        self.outcome_reason = reason
        self.log.add(self.outcome_hour, "outcome", f"OUTCOME: {outcome.label} - {reason}",
                     label=outcome.label)

    @property
    def capital_holder(self) -> str:
        return outcomes.capital_holder(self)

    # ------------------------------------------------------------------ recording
    def record(self) -> None:
        every = self.spec.outputs.series_every_hours
        if self.hour + 1e-9 < self._next_row and self.outcome is None and self.hour < self.horizon - 1e-9:
            return
        self._next_row = self.hour + every
        col = conflict.main_column(self)
        regions = self.regions.values()
        stayers = [r.stayers for r in regions]
        pop = max(sum(stayers), 1.0)
        lon, lat = col.column.position(self.geo) if col is not None else (float("nan"), float("nan"))
        # one list per row, in the order of self.series_columns (a dict per row cost a quiet run a
        # sixth); sums over lists, not generators (the same values in the same order: the same sums)
        row = [
            self.hour,
            self.ruler.strength,
            sum([r.legitimacy * n for r, n in zip(regions, stayers, strict=True)]) / pop,
            sum([r.protest_share * n for r, n in zip(regions, stayers, strict=True)]) / pop,
            sum([r.emigrated for r in regions]),
            sum([r.mobilized for r in regions]),
            sum([r.arrests for r in regions]),
            self.casualties,
            self.front_losses,
            self.crowd_deaths,
            self.ruler.budget,
            self.defected_strength,
            ",".join([s.id for s in self.sides[1:] if s.active]),
            self.capital_holder,
            self.ruler.status,
            col.column.km_left(self.geo) if col is not None else float("nan"),
            conflict.column_strength(self, col) if col is not None else 0.0,
            lon,
            lat,
        ]
        for r in regions:
            row += (r.legitimacy, r.protest_share, r.jailed_share, r.emigrated, r.mobilized, sum(r.rally), r.deaths)
        # one pass over the units: per institution, men loyal, aside, defected, and loyalty weighted
        # by men at the start; backing by side; and (unless sweeping) one track tuple per unit, its
        # region and stance name inlined (what unit_region() and Unit.stance_name give)
        by_inst = [[0.0, 0.0, 0.0, 0.0] for _ in self.institutions]
        backing = [0.0] * len(self.sides)
        track = self.record_track
        pos = self._node_pos
        hour = self.hour
        append = self.track.append
        names = _STANCE_NAMES
        for u, i in zip(self.units, self._unit_inst, strict=True):
            acc = by_inst[i]
            side = u.side
            strength = u.strength
            stance = 0 if side == 0 else 1 if side == NOBODY else 2
            acc[stance] += strength
            acc[3] += u.loyalty * u.initial_strength
            if side >= 0:
                backing[side] += strength
            if not track:
                continue
            travel = u.travel
            if travel is not None:
                ulon, ulat = travel.position(self.geo)
                where = travel.at
            else:
                where = u.region
                if u.in_column and col is not None:
                    ulon, ulat = lon, lat
                else:
                    ulon, ulat = pos[where]
            append((hour, u.key, where, names[stance], strength, ulon, ulat, u.in_column))
        for acc, initial in zip(by_inst, self._inst_initial, strict=True):
            row += (acc[0], acc[1], acc[2], acc[3] / initial if initial else float("nan"))
        row += backing
        self._rows.append(row)

    @property
    def rows(self) -> SeriesRows:
        """The series so far, one dict per recorded hour (a view: rows are kept as lists)."""
        return SeriesRows(self.series_columns, self._rows)

    def measures(self) -> dict:
        """The measures of a finished run (DESIGN.md, Outcomes)."""
        col = [s for s in self.sides[1:] if s.mode == "march"]
        out = {
            "outcome": self.outcome.value if self.outcome else "",
            "outcome_label": self.outcome.label if self.outcome else "",
            "outcome_reason": self.outcome_reason,
            "time_to_outcome_h": self.outcome_hour if self.outcome_hour is not None else self.hour,
            "resolved_before_horizon": bool(self.outcome is not None and self.outcome_hour is not None
                                            and self.outcome_hour < self.horizon - 1e-9),
            "peak_protest_share": self.peak_protest,
            "peak_called_crowds": self.peak_called,
            "peak_commander_grievance": self.peak_grievance,
            "emigrants": sum(r.emigrated for r in self.regions.values()),
            "mobilized": sum(r.mobilized for r in self.regions.values()),
            "arrests": sum(r.arrests for r in self.regions.values()),
            "defected_strength_peak": self.peak_defected,
            "defected_share_peak": self.peak_defected_share,
            "power_following_share": (self.decisions_with_power / self.decisions if self.decisions
                                      else float("nan")),
            "crowd_following_share": (self.decisions_with_crowd / self.decisions_near_crowd
                                      if self.decisions_near_crowd else float("nan")),
            "casualties": self.casualties,
            "front_losses": self.front_losses,
            "crowd_deaths": self.crowd_deaths,
            "aircraft_lost": self.aircraft_lost,
            "airmen_killed": self.airmen_killed,
            "final_legitimacy": self.national_legitimacy(),
            "final_legitimacy_gap": self.legitimacy_gap(),
            "final_loyalty_shift": self.loyalty_shift(),
            "final_regime_strength": self.ruler.strength,
            "capital_holder": self.capital_holder,
            "ruler_status": self.ruler.status,
            "budget_spent": self.ruler.spent,
            "closest_approach_km": min((s.closest_km for s in col if not math.isnan(s.closest_km)),
                                       default=float("nan")),
        }
        for s in self.sides[1:]:
            out[f"status__{s.id}"] = s.status
        for name, r in self.regions.items():
            out[f"peak_protest__{name}"] = r.peak_protest
            out[f"deaths__{name}"] = r.deaths
            out[f"ground_deaths__{name}"] = r.ground_deaths
        return out

    def run(self) -> None:
        """Step until the run ends.

        Mesa's clock schedules an event for every step, about 15 us an hour (a twentieth of a
        long run). While the model's own step is all that is scheduled, the run steps in a plain
        loop with Mesa's default schedule paused, and moves Mesa's clock (``steps``, ``time``) as
        its step would; the schedule resumes at the end, so ``step()`` goes on as before.
        """
        gen = getattr(self, "_default_schedule", None)
        pending = getattr(getattr(self, "_event_list", None), "_events", None)
        if gen is None or pending is None or getattr(self, "_event_generators", None) != {gen} or \
                any(not e.CANCELED and e is not gen._current_event for e in pending):
            while self.running:  # something else is scheduled: Mesa's own loop
                self.step()
            return
        gen.pause()
        try:
            step = self._user_step
            while self.running:
                self.time += 1  # as Mesa's step: the clock at the step's event, then the step counted
                self.steps += 1
                step()
        finally:
            gen.resume()

    def clock(self, hour: float | None = None) -> str:
        return clock(self.hour if hour is None else hour)
