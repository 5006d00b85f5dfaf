"""Who the actors are. Their decisions are rules in :mod:`sim.rules`; the agents hold state.

* :class:`Unit` - an armed unit (brigade, district, department) of the military, the
  security services, the PMC, the Chechen forces or the armed opposition. Its commander
  chooses a stance: loyal, standing aside or defected (``sim.rules.units``).
* :class:`RegionPublic` - the public of one region: a population grid (Epstein) plus the
  flows of emigrants and conscripts, legitimacy and hardship.
* :class:`Kremlin` - the ruler and inner circle: budget, perceived regime strength, responses.
* :class:`PmcLeader` - the PMC's leader: grievance, ambition, popularity; ultimatum, march, deal.
* :class:`Plot` - the coup plotters: who is in, and when they move.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from ..public.grid import RegionGrid, TickParams
from ..rules.units import ASIDE, DEFECTED, LOYAL, STANCES
from ..scenario.schema import Region
from ..scenario.schema import Unit as UnitSpec

if TYPE_CHECKING:
    from .geography import Traveller
    from .model import RegimeModel


class Unit(mesa.Agent):
    """An armed unit. Rule: pick the stance whose expected value is highest, with logit noise.

    Attributes:
        key, label, faction, kind, rank: identity (rank: top, mid or unit commander).
        region: where it stands; ``travel`` when it is on the road; ``in_column`` when it
            marches with a column.
        strength: men; ``combat_power`` scales them in forecasts and combat.
        loyalty, pay, grievance, fear: the commander's state, each in [0, 1].
        stance: LOYAL, ASIDE or DEFECTED (see ``sim.rules.units.STANCES``).
    """

    def __init__(self, model: RegimeModel, key: str, spec: UnitSpec) -> None:
        super().__init__(model)
        self.key = key
        self.label = spec.label or key
        self.faction = spec.faction
        self.kind = spec.kind
        self.rank = spec.rank
        self.region = spec.region
        self.home = spec.region
        self.strength = float(spec.strength)
        self.initial_strength = float(spec.strength)
        self.combat_power = spec.combat_power
        self.mobile = spec.mobile
        self.reach_km = spec.reach_km
        self.counterweight = spec.counterweight
        self.conspirator = spec.conspirator
        self.loyalty = spec.loyalty
        self.pay = spec.pay
        self.grievance = spec.grievance
        self.fear = spec.fear
        self.stance = LOYAL
        self.travel: Traveller | None = None
        self.in_column = False
        self.last_p = 1.0  # last forecast that the incumbent wins
        self.moved = False  # has it changed stance in this crisis?
        self.engaged = False  # has it taken a side in this crisis (and so fights for it)?

    @property
    def power(self) -> float:
        return self.strength * self.combat_power

    @property
    def stance_name(self) -> str:
        return STANCES[self.stance]

    @property
    def repressive(self) -> bool:
        """Units whose men act as the region's police in the protest grid."""
        return self.faction in ("security", "chechen")


class RegionPublic(mesa.Agent):
    """The public of one region: a population grid plus emigration, draft, legitimacy.

    Each citizen agent on the grid stands for ``people_per_agent`` people, of whom the
    ``mobilizable_share`` are potential street actors: the share of the population in the
    streets is the grid's active share times that. Flows of people (emigrants, conscripts)
    are drawn in people and drain the grid by the matching number of agents.
    """

    def __init__(self, model: RegimeModel, name: str, spec: Region) -> None:
        super().__init__(model)
        pub = model.spec.public
        self.name = name
        self.spec = spec
        self.population = float(spec.population)
        self.legitimacy = spec.legitimacy
        self.baseline = spec.legitimacy
        self.hesitancy = spec.police_hesitancy
        self.extra_hardship = 0.0
        density = pub.density if spec.population > 0 else 0.0
        self.grid = RegionGrid.populate(
            model.rng, spec.grid, spec.grid, density, 0.0, pub.vision, pub.neighbourhood,
            hardship_mean=spec.hardship,
        )
        self.people_per_agent = self.population / max(self.grid.n_citizens, 1)
        self.mobilizable = pub.mobilizable_share
        self.active_share = 0.0
        self.emigrated = 0.0
        self.mobilized = 0.0
        self.arrests = 0.0
        self.threat = 0.0  # mobilization threat driving exit, 0..1
        self.draft_share = 0.0  # share of the national call-up that falls here
        self.load = 0.0  # call-up load relative to the national average
        self.halted = False
        self._carry_exit = 0.0
        self._carry_draft = 0.0
        self.protest_share = 0.0
        self.jailed_share = 0.0
        self.peak_protest = 0.0
        self.focal_boost = 0.0
        self.focal_until = -1.0
        self.logged_level = 0
        self.police = (-1, -1)  # (on duty, off duty) policemen last put on the grid

    # ------------------------------------------------------------------ measures
    @property
    def stayers(self) -> float:
        return self.population - self.emigrated - self.mobilized

    @property
    def protesters(self) -> float:
        return self.protest_share * self.stayers

    def refresh_shares(self) -> None:
        q, a, j, _ = self.grid.counts()
        present = max(q + a + j, 1)
        self.active_share = a / present
        self.protest_share = self.active_share * self.mobilizable
        # the grid's "jailed" are taken off the street; only the detained share sits in a cell
        self.jailed_share = j / present * self.mobilizable * self.model.spec.public.detained_share
        self.peak_protest = max(self.peak_protest, self.protest_share)

    # ------------------------------------------------------------------ one public tick
    def tick(self, hours: float, params: TickParams) -> int:
        """Flows (exit, draft) then one Epstein tick; returns arrests of grid agents."""
        model = self.model
        rng = model.rng
        dt_days = hours / 24.0
        rules = model.rules
        # --- exit (voice's rival): the aggrieved, risk-averse and better-off leave first
        if rules.on("public.exit") and self.threat > 0:
            from ..rules.public import exit_people, exit_weights

            expected = exit_people(self.stayers, model.spec.public.exit_rate_per_day, self.threat,
                                   self.spec.exit_access, dt_days)
            people = float(rng.poisson(expected)) if expected > 0 else 0.0
            self.emigrated += people
            self._carry_exit += people / self.people_per_agent
            k = int(self._carry_exit)
            if k:
                self._carry_exit -= k
                self.grid.remove_citizens(rng, k, exit_weights(self.grid.cit_h, self.grid.cit_r, self.legitimacy))
        # --- draft
        mob = model.mobilization
        if mob is not None and mob.active and not self.halted and self.draft_share > 0:
            from ..rules.public import draft_people

            expected = draft_people(mob.target, self.draft_share, mob.duration_days, mob.evasion, dt_days)
            people = float(min(rng.poisson(expected), max(self.stayers, 0.0)))
            self.mobilized += people
            mob.drafted += people
            self._carry_draft += people / self.people_per_agent
            k = int(self._carry_draft)
            if k:
                self._carry_draft -= k
                self.grid.remove_citizens(rng, k, self.grid.cit_h + 0.05)
        made = self.grid.step(rng, params)
        # each grid arrest takes a street actor's crowd off the street; few of them are detained
        self.arrests += made * self.people_per_agent * self.mobilizable * model.spec.public.detained_share
        self.refresh_shares()
        return made


class Kremlin(mesa.Agent):
    """The ruler and inner circle. Rule: every few hours, respond to the worst threat it sees.

    Attributes:
        strength: elites' reading of regime strength S; ``baseline`` is where it drifts back to.
        budget: USD million left for patronage and propaganda; ``spent`` so far.
    """

    def __init__(self, model: RegimeModel) -> None:
        super().__init__(model)
        k = model.spec.factions.kremlin
        self.name = k.ruler
        self.strength = k.regime_strength
        self.baseline = k.regime_strength
        self.budget = k.budget
        self.spent = 0.0
        self.next_decision = 0.0

    def spend(self, amount: float) -> bool:
        if amount > self.budget:
            return False
        self.budget -= amount
        self.spent += amount
        return True


class PmcLeader(mesa.Agent):
    """The PMC's leader. Rule: ultimatum when grievance passes a threshold; march if unmet
    and power is worth the risk; accept a deal if it beats pressing on."""

    def __init__(self, model: RegimeModel) -> None:
        super().__init__(model)
        w = model.spec.factions.wagner
        self.name = w.leader
        self.grievance = w.grievance
        self.popularity = w.popularity
        self.ambition = w.ambition
        self.ultimatum_at: float | None = None
        self.ultimatum_answered = False
        self.cooldown_until = -1.0
        self.marching = False
        self.deal_offers = 0
        self.next_offer_at: float | None = None
        self.guarantee = w.guarantee_value


class Plot(mesa.Agent):
    """The coup plotters. Rule: recruit while the regime looks weak; strike below a trigger."""

    def __init__(self, model: RegimeModel) -> None:
        super().__init__(model)
        self.name = model.spec.factions.coup.leader
        self.moved = False


__all__ = ["Unit", "RegionPublic", "Kremlin", "PmcLeader", "Plot", "LOYAL", "ASIDE", "DEFECTED"]
