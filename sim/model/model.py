"""The regime model: how the actors are wired and stepped.

One step is ``time.step_hours`` hours. Each step, in this order:

1. scripted events that are due fire (:mod:`.events`);
2. actors act on their own rules: the PMC leader, the plotters, the street, the Kremlin
   (:mod:`.decisions`);
3. columns and convoys move; units they reach must choose (:mod:`.conflict`);
4. commanders reconsider their stance (:mod:`.decisions`, rules in ``sim.rules.units``);
5. forces that meet fight (:mod:`.conflict`);
6. the public ticks when due: exit, draft, one Epstein tick per region;
7. legitimacy, regime strength and loyalty drift; the outcome is checked; a row is recorded.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from ..public.grid import TickParams
from ..rules import RuleSwitch
from ..rules import legitimacy as L
from ..rules.coup import people_weight_in_coup
from ..rules.public import crowd_strength, mobilization_hardship, social_weight
from ..rules.units import DEFECTED, LOYAL, drift, loyalty_target
from ..scenario.schema import ARMED_FACTIONS, Scenario
from . import conflict, decisions, events
from .agents import Kremlin, Plot, PmcLeader, RegionPublic, Unit
from .geography import Geography
from .outcomes import CAPITAL_HOLDER, Outcome
from .state import Challenge, EventLog, Incursion, MobilizationState, clock


class RegimeModel(mesa.Model):
    """Factions, units, regions and the public of a scenario, stepped hour by hour."""

    def __init__(self, scenario: Scenario, seed: int | None = None, record_track: bool = True) -> None:
        self.seed = scenario.seed if seed is None else int(seed)
        self.record_track = record_track  # sweeps skip the per-unit track to stay fast
        super().__init__(rng=self.seed)
        self.spec = scenario
        self.rules = RuleSwitch(scenario.rules.disable)
        self.dt = scenario.time.step_hours
        self.hour = 0.0
        self.horizon = scenario.time.horizon_days * 24.0
        self.geo = Geography(scenario)
        self.capital = scenario.capital
        self.log = EventLog()
        self.regions: dict[str, RegionPublic] = {
            name: RegionPublic(self, name, spec) for name, spec in scenario.regions.items()
        }
        self.units: list[Unit] = [Unit(self, key, spec) for key, spec in scenario.units.items()]
        self.unit_by_key = {u.key: u for u in self.units}
        self._by_faction = {f: [u for u in self.units if u.faction == f]
                            for f in ARMED_FACTIONS if any(u.faction == f for u in self.units)}
        self.kremlin = Kremlin(self)
        self.pmc = PmcLeader(self) if scenario.factions.wagner.enabled else None
        self.plot = Plot(self) if scenario.factions.coup.enabled else None
        self.challenge: Challenge | None = None
        self.mobilization: MobilizationState | None = None
        self.incursions: list[Incursion] = []
        sp = scenario.factions.sponsor
        self.sponsor: tuple[float, float] | None = (sp.cash_kusd_per_man, sp.immunity) if sp.enabled else None
        self.outcome: Outcome | None = None
        self.outcome_hour: float | None = None
        self.outcome_reason = ""
        self.casualties = 0.0
        self.peak_defected = 0.0
        self.peak_defected_share = 0.0
        self.peak_protest = 0.0
        self.stance_changes: list[dict] = []
        self.forced_decisions: set[str] = set()
        self.rows: list[dict] = []
        self.track: list[tuple] = []  # (hour, unit, region, stance, strength, lon, lat, in_column)
        self._events = sorted(scenario.events, key=lambda e: e.at)
        self._next_event = 0
        self._next_public = 0.0
        self._next_row = 0.0
        self._distance_weight = {
            name: math.exp(-self.geo.km_to_capital(name) / scenario.elites.reach_km)
            for name in scenario.regions
        }
        self.sync_police()
        for r in self.regions.values():
            r.refresh_shares()
        self.tally()
        self.record()
        self.running = True

    # ------------------------------------------------------------------ helpers
    @property
    def factions_present(self) -> list[str]:
        have = {u.faction for u in self.units}
        return [f for f in ARMED_FACTIONS if f in have]

    def say(self, kind: str, text: str, actor: str = "", region: str = "", label: str = "") -> None:
        self.log.add(self.hour, kind, text, actor, region, label)

    def unit_region(self, u: Unit) -> str:
        return u.travel.at if u.travel is not None else u.region

    def national_legitimacy(self) -> float:
        pop = sum(r.stayers for r in self.regions.values())
        return sum(r.legitimacy * r.stayers for r in self.regions.values()) / max(pop, 1.0)

    def national_protest(self) -> float:
        pop = sum(r.stayers for r in self.regions.values())
        return sum(r.protesters for r in self.regions.values()) / max(pop, 1.0)

    def sync_police(self) -> None:
        """Each region's policemen on the grid follow the stance of its security units."""
        scale = self.spec.public.police_scale
        on: dict[str, float] = {n: 0.0 for n in self.regions}
        off: dict[str, float] = {n: 0.0 for n in self.regions}
        for u in self.units:
            if not u.repressive or u.travel is not None or u.in_column:
                continue
            (on if u.stance == LOYAL else off)[u.region] += u.strength
        for name, r in self.regions.items():
            per_man = scale * r.grid.cell.size / r.population if r.population > 0 else 0.0
            want = (int(round(on[name] * per_man)), int(round(off[name] * per_man)))
            if want != r.police:
                r.grid.set_cops(self.rng, *want)
                r.police = want

    # ------------------------------------------------------------------ strength tallies
    def tally(self) -> None:
        """Distance-weighted loyal and challenging strength, nationally and by region."""
        self.loyal_w = 0.0
        self.defect_w = 0.0
        self.loyal_loc: dict[str, float] = {n: 0.0 for n in self.regions}
        self.defect_loc: dict[str, float] = {n: 0.0 for n in self.regions}
        total = 0.0
        defected = 0.0
        for u in self.units:
            if u.strength <= 0:
                continue
            where = self.unit_region(u)
            w = self._distance_weight[where]
            total += u.strength
            if u.stance == LOYAL:
                self.loyal_w += w * u.power
                self.loyal_loc[where] += u.power
            elif u.stance == DEFECTED:
                defected += u.strength
                self.defect_w += w * u.power
                self.defect_loc[where] += u.power
        for inc in self.incursions:
            self.defect_w += self._distance_weight[inc.region] * inc.strength
            self.defect_loc[inc.region] += inc.strength
        ch = self.challenge
        self.people_w = 0.0
        if ch is not None and ch.kind in ("revolution", "coup") and self.rules.on("public.people_power"):
            pp = self.spec.public.people_power
            if ch.kind == "coup" and self.rules.on("coup.public_indifference"):
                pp = people_weight_in_coup(pp)
            if pp > 0:
                for name, r in self.regions.items():
                    self.people_w += self._distance_weight[name] * crowd_strength(r.protesters, pp)
        self.defect_w += self.people_w
        self.total_strength = total
        self.defected_strength = defected
        self.peak_defected = max(self.peak_defected, defected)
        if total > 0:
            self.peak_defected_share = max(self.peak_defected_share, defected / total)

    def loyal_share_national(self) -> float:
        tot = self.loyal_w + self.defect_w
        return self.loyal_w / tot if tot > 0 else 1.0

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
        self.record()
        if self.outcome is not None or self.hour >= self.horizon - 1e-9:
            if self.outcome is None:
                self._end_at_horizon()
            self.running = False

    @property
    def _phases(self) -> tuple:
        """The order of one step (see the module docstring)."""
        return (
            lambda: events.fire_due(self),
            lambda: decisions.actors_act(self),
            lambda: conflict.move(self),
            self._stances,
            lambda: conflict.fight(self) if self._armed() else None,
            self._public,
            self._drift,
            self._check_outcome,
        )

    def _armed(self) -> bool:
        return self.challenge is not None or bool(self.incursions)

    def _stances(self) -> None:
        if self._armed():
            self.tally()
            decisions.units_reconsider(self)
            self.sync_police()
            self.tally()
        else:
            self.sync_police()

    def _public(self) -> None:
        if self.hour + 1e-9 < self._next_public:
            return
        pub = self.spec.public
        hours = pub.interval_hours
        self._next_public = self.hour + hours
        on = self.rules.on
        jail_ticks = int(round(pub.max_jail_days * 24.0 / hours))
        for r in self.regions.values():
            if r.grid.n_citizens == 0:
                continue
            boost = r.focal_boost if self.hour < r.focal_until else 0.0
            params = TickParams(
                legitimacy=r.legitimacy,
                threshold=pub.active_threshold,
                k=pub.arrest_constant if on("public.arrest_risk") else 0.0,
                use_round=pub.round_arrest_ratio,
                social_w=social_weight(pub.social_influence, boost) if on("public.social_proof") else 0.0,
                hesitancy=r.hesitancy if on("public.police_hesitancy") else 0.0,
                extra_hardship=r.extra_hardship if on("public.mobilization_hardship") else 0.0,
                max_jail=jail_ticks,
            )
            if not on("public.grievance"):
                params.legitimacy = 1.0
            if not on("public.activation"):
                params.threshold = 1e9
            before = r.protest_share
            r.tick(hours, params)
            decisions.note_protest(self, r, before)
        self.peak_protest = max(self.peak_protest, self.national_protest())

    def _drift(self) -> None:
        """Legitimacy, regime strength and loyalty drift; ongoing pressures apply."""
        dt = self.dt
        on = self.rules.on
        spec = self.spec
        k = self.kremlin
        if on("legitimacy.recovery"):
            k.strength = L.recover(k.strength, k.baseline, spec.factions.kremlin.strength_recovery_per_day, dt)
            for r in self.regions.values():
                r.legitimacy = L.recover(r.legitimacy, r.baseline, spec.public.legitimacy_recovery_per_day, dt)
        if on("legitimacy.street_pressure"):
            k.strength = L.street_pressure(k.strength, self.national_protest(), spec.elites.protest_strength_drop, dt)
        ch = self.challenge
        if ch is not None and ch.kind != "revolution" and on("legitimacy.challenge_erosion"):
            k.strength = L.challenge_erosion(k.strength, spec.elites.challenge_erosion_per_hour, dt)
        mob = self.mobilization
        if mob is not None:
            if mob.active and self.hour - mob.started >= mob.duration_days * 24.0:
                mob.ended = self.hour
                self.say("mobilization", f"the call-up ends: {mob.drafted:,.0f} people mobilized")
            memory = spec.public.exit_memory_days * 24.0
            # the panic of the announcement fades; halting the call-up halves it
            fade = math.exp(-(self.hour - mob.started) / memory)
            for r in self.regions.values():
                r.threat = fade * (0.5 if r.halted else 1.0) * (1.0 if mob.active else 0.5)
                pressure = r.load if (mob.active and not r.halted) else 0.0
                target = mobilization_hardship(pressure, spec.public.mobilization_hardship)
                r.extra_hardship += (target - r.extra_hardship) * min(1.0, dt / 48.0)
        if on("units.loyalty_drift"):
            per_day = spec.elites.loyalty_adjust_per_day
            for u in self.units:
                u.loyalty = drift(u.loyalty, loyalty_target(u.pay, k.strength, u.grievance), per_day, dt)
        decay = spec.elites.grievance_decay_per_day * dt / 24.0
        for u in self.units:
            u.grievance = max(0.0, u.grievance - decay * u.grievance)

    # ------------------------------------------------------------------ outcomes
    def resolve(self, outcome: Outcome, reason: str) -> None:
        if self.outcome is not None:
            return
        self.outcome = outcome
        self.outcome_hour = self.hour + self.dt
        self.outcome_reason = reason
        self.log.add(self.outcome_hour, "outcome", f"OUTCOME: {outcome.label} - {reason}",
                     label=outcome.label)

    def _check_outcome(self) -> None:
        if self._armed():
            self.tally()
            conflict.check_outcome(self)

    def _end_at_horizon(self) -> None:
        ch = self.challenge
        share = self.defected_strength / self.total_strength if self.total_strength else 0.0
        if ch is not None and ch.kind != "revolution" and share >= self.spec.elites.civil_war_share:
            self.resolve(Outcome.CIVIL_WAR, f"{ch.name} still holds {share:.0%} of the armed forces at the horizon")
        elif ch is not None and ch.kind == "coup":
            self.resolve(Outcome.COUP_FAILS, "the plotters never made their fact stick")
        elif ch is not None and ch.kind == "mutiny":
            self.resolve(Outcome.NEGOTIATED_SETTLEMENT, "the march stalls; the mutineers stand down")
        else:
            self.resolve(Outcome.REGIME_SURVIVES, "the horizon is reached with the ruler in place")
        self.outcome_hour = self.horizon

    @property
    def capital_holder(self) -> str:
        if self.outcome is not None:
            return CAPITAL_HOLDER[self.outcome]
        ch = self.challenge
        if ch is not None and ch.holds_capital:
            return "plotters" if ch.kind == "coup" else "mutineers"
        if ch is not None and ch.kind == "coup" and ch.seize > 0:
            return "contested"
        return "incumbent"

    # ------------------------------------------------------------------ recording
    def record(self) -> None:
        every = self.spec.outputs.series_every_hours
        if self.hour + 1e-9 < self._next_row and self.outcome is None and self.hour < self.horizon - 1e-9:
            return
        self._next_row = self.hour + every
        row: dict = {
            "hour": self.hour,
            "regime_strength": self.kremlin.strength,
            "legitimacy": self.national_legitimacy(),
            "protest_share": self.national_protest(),
            "emigrated": sum(r.emigrated for r in self.regions.values()),
            "mobilized": sum(r.mobilized for r in self.regions.values()),
            "arrests": sum(r.arrests for r in self.regions.values()),
            "casualties": self.casualties,
            "budget": self.kremlin.budget,
            "defected_strength": self.defected_strength,
            "challenge": self.challenge.kind if self.challenge else "",
            "capital_holder": self.capital_holder,
            "column_km_to_capital": (
                self.challenge.column.km_left(self.geo)
                if self.challenge and self.challenge.column is not None else float("nan")
            ),
            "column_strength": conflict.column_strength(self),
        }
        col = self.challenge.column if self.challenge is not None else None
        lon, lat = col.position(self.geo) if col is not None else (float("nan"), float("nan"))
        row["column_lon"] = lon
        row["column_lat"] = lat
        for name, r in self.regions.items():
            row[f"legitimacy__{name}"] = r.legitimacy
            row[f"protest__{name}"] = r.protest_share
            row[f"jailed__{name}"] = r.jailed_share
            row[f"emigrated__{name}"] = r.emigrated
            row[f"mobilized__{name}"] = r.mobilized
        for f, units in self._by_faction.items():
            men = np.zeros(3)
            loy = 0.0
            tot = 0.0
            for u in units:
                men[u.stance] += u.strength
                loy += u.loyalty * u.initial_strength
                tot += u.initial_strength
            row[f"loyal__{f}"] = men[0]
            row[f"aside__{f}"] = men[1]
            row[f"defected__{f}"] = men[2]
            row[f"loyalty__{f}"] = loy / tot if tot else float("nan")
        self.rows.append(row)
        if not self.record_track:
            return
        for u in self.units:
            if u.travel is not None:
                ulon, ulat = u.travel.position(self.geo)
            elif u.in_column and col is not None:
                ulon, ulat = lon, lat
            else:
                ulon, ulat = self.geo.graph.nodes[u.region]["pos"]
            self.track.append((self.hour, u.key, self.unit_region(u), u.stance_name, u.strength, ulon, ulat,
                               u.in_column))

    def measures(self) -> dict:
        """The measures of a finished run (DESIGN.md, Outcomes)."""
        out = {
            "outcome": self.outcome.value if self.outcome else "",
            "outcome_label": self.outcome.label if self.outcome else "",
            "outcome_reason": self.outcome_reason,
            "time_to_outcome_h": self.outcome_hour if self.outcome_hour is not None else self.hour,
            "resolved_before_horizon": bool(self.outcome is not None and self.outcome_hour is not None
                                            and self.outcome_hour < self.horizon - 1e-9),
            "peak_protest_share": self.peak_protest,
            "emigrants": sum(r.emigrated for r in self.regions.values()),
            "mobilized": sum(r.mobilized for r in self.regions.values()),
            "arrests": sum(r.arrests for r in self.regions.values()),
            "defected_strength_peak": self.peak_defected,
            "defected_share_peak": self.peak_defected_share,
            "casualties": self.casualties,
            "final_legitimacy": self.national_legitimacy(),
            "final_regime_strength": self.kremlin.strength,
            "capital_holder": self.capital_holder,
            "budget_spent": self.kremlin.spent,
        }
        for name, r in self.regions.items():
            out[f"peak_protest__{name}"] = r.peak_protest
        return out

    def run(self) -> None:
        while self.running:
            self.step()

    def clock(self, hour: float | None = None) -> str:
        return clock(self.hour if hour is None else hour)
