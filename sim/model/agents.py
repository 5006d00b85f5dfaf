"""Who the actors are. Their decisions are rules in :mod:`sim.rules`; the agents hold state.

* :class:`Unit` - an armed unit (brigade, district, department) of an institution. Its
  commander chooses which side to back - the ruler, a challenger - or to stand aside
  (``sim.rules.units``).
* :class:`RegionPublic` - the public of one region: a population grid (Epstein) plus the
  flows of emigrants and conscripts, legitimacy and hardship, the crowds that back each
  side, and the dead.
* :class:`Side` - the ruler (side 0) or a challenger (plotters, mutineers, a movement, a
  rival centre of authority): its status, its leader's state and its challenge in progress.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from ..public.grid import RegionGrid, TickParams
from ..rules.public import draft_people, exit_people, exit_weights
from ..rules.units import ASIDE, DEFECTED, LOYAL, STANCES
from ..scenario.schema import ASIDE as ASIDE_ID
from ..scenario.schema import RULER, ChallengerSpec, Region
from ..scenario.schema import Unit as UnitSpec
from .grammar import agree

if TYPE_CHECKING:
    from .geography import Traveller
    from .model import RegimeModel

#: A unit's ``side`` when it backs nobody.
NOBODY = -1


class Unit(mesa.Agent):
    """An armed unit. Rule: back the side whose expected value is highest, with logit noise.

    Attributes:
        key, label, institution, kind, rank: identity (rank: top, mid or unit commander).
        region: where it stands; ``travel`` when it is on the road; ``in_column`` when it
            marches with a column.
        strength: men; ``combat_power`` scales them in forecasts and combat.
        air, aircraft, aircraft_left: an air unit strikes from the air (rule combat.air_strike);
            its combat power falls with the aircraft it has left.
        loyalty, pay, grievance, fear: the commander's state, each in [0, 1].
        side: the index of the side it backs (0: the ruler), or ``NOBODY`` (standing aside).
        plot: the side it joins when that challenger acts (None: the ruler's); ``committed``
            whether its commander is party to the plan; ``acted`` whether it has acted for it.
    """

    def __init__(self, model: RegimeModel, key: str, spec: UnitSpec) -> None:
        super().__init__(model)
        self.key = key
        self.label = spec.label or key
        self.institution = spec.institution
        inst = model.spec.institutions[spec.institution]
        self.repressive = inst.repressive
        self.counterweight = inst.counterweight
        self.ties = inst.ties
        self.fire_propensity = inst.fire_propensity
        self.kind = spec.kind
        self.rank = spec.rank
        self.region = spec.region
        self.home = spec.region
        self.strength = float(spec.strength)
        self.initial_strength = float(spec.strength)
        self.combat_power = spec.combat_power
        self.mobile = spec.mobile
        self.reach_km = spec.reach_km
        # an air unit (rule combat.air_strike): aircraft and crews are what it risks
        self.air = spec.air_arm if spec.air_arm is not None else inst.air_arm
        self.aircraft = spec.aircraft
        self.aircraft_left = spec.aircraft
        self.crew_per_aircraft = spec.crew_per_aircraft
        self.sorties_per_day = spec.sorties_per_day
        self.kill_per_sortie = spec.kill_per_sortie
        self.air_defence = spec.air_defence
        self.base_combat_power = spec.combat_power
        self.struck = False  # has it struck in this crisis (for the log)?
        self.loyalty = spec.loyalty
        self.initial_loyalty = spec.loyalty  # for the measure final_loyalty_shift
        self.pay = spec.pay
        self.grievance = spec.grievance
        self.fear = spec.fear
        sides = model.side_index
        self.plot: int | None = sides.get(spec.side) if spec.side not in (RULER, ASIDE_ID) else None
        self.committed = spec.committed if self.plot is not None else False
        self.acted = False
        self.side = NOBODY if spec.side == ASIDE_ID else 0
        self.travel: Traveller | None = None
        self.in_column = False
        self.last_p = 1.0  # last forecast that the ruler prevails
        self.moved = False  # has it changed side in this crisis?
        self.engaged = False  # has it taken a side in this crisis (and so fights for it)?
        self.firing = False  # did it fire on a crowd in the last hour?

    @property
    def power(self) -> float:
        return self.strength * self.combat_power

    @property
    def stance(self) -> int:
        """LOYAL (backs the ruler), ASIDE or DEFECTED (backs a challenger)."""
        return LOYAL if self.side == 0 else ASIDE if self.side == NOBODY else DEFECTED

    @property
    def stance_name(self) -> str:
        return STANCES[self.stance]

    @property
    def side_id(self) -> str:
        return ASIDE_ID if self.side == NOBODY else self.model.sides[self.side].id


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
        self.label = spec.label or name
        n = len(model.sides)
        self.rally = [0.0] * n  # people in the streets for each side at its call
        self.outrage = [0.0] * n  # support each side gained because its crowds were fired on
        self.killed_by = [0.0] * n  # deaths among crowds, by the side whose men fired
        self.deaths = 0.0
        self.ground_deaths = 0.0  # killed in ground fighting here (rule combat.lanchester)
        self.peak_rally = 0.0
        self.clear_since: float | None = None  # since when the ruler has ordered it cleared

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
        if rules.is_on["public.exit"] and self.threat > 0:
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


class Side:
    """The ruler (index 0) or a challenger. Rule: act on what it sees (``sim.model.actors``).

    Attributes:
        id, name, index, mode, goal: identity (mode and goal of a challenger; the ruler's
            mode is ``rule``).
        status: see ``state.CHALLENGER_STATUSES`` / ``state.RULER_STATUSES``.
        grievance, popularity, ambition: the leader's state.
        column: a marching column; ``seize``, ``holds_seat``, ``broadcasts``: a seizure's
            progress; ``regions``: where a movement is up.
    """

    def __init__(self, model: RegimeModel, index: int, sid: str, spec: ChallengerSpec | None) -> None:
        self.model = model
        self.index = index
        self.id = sid
        self.spec = spec
        ruler = model.spec.ruler
        self.name = spec.name if spec is not None else ruler.name
        self.plural = spec.plural if spec is not None else ruler.plural  # the name's number, from data
        self.mode = spec.mode if spec is not None else "rule"
        self.goal = spec.goal if spec is not None else "keep_power"
        self.status = "dormant" if spec is not None else "in_office"
        self.started: float | None = None
        self.ended: float | None = None
        self.grievance = spec.grievance if spec is not None else 0.0
        self.popularity = spec.popularity if spec is not None else 0.0
        self.ambition = spec.ambition if spec is not None else 0.0
        seat = model.spec.seat
        self.seat = (spec.seat or model.capital) if spec is not None else seat
        # a challenger moves on the seat of power unless its world names another target
        self.target = (spec.target or seat) if spec is not None else seat
        # the ruler's own state
        self.strength = ruler.regime_strength
        self.baseline = ruler.regime_strength
        self.budget = ruler.budget
        self.spent = 0.0
        self.next_decision = 0.0
        self.location = (ruler.location or seat) if spec is None else self.seat
        self.travel: Traveller | None = None
        # a challenge in progress
        self.ultimatum_at: float | None = None
        self.cooldown_until = -1.0
        self.next_offer_at: float | None = None
        self.deal_offers = 0
        self.column: Traveller | None = None
        self.column_start = 0.0
        self.closest_km = float("nan")
        self.start_power = 0.0
        self.seize = 0.0
        self.holds_seat = False
        self.broadcasts = False
        self.hold_hours = 0.0
        self.fight_hours = 0.0
        self.quiet_hours = 0.0
        self.split_hours = 0.0
        self.regions: set[str] = set()
        self.calls: dict[str, float] = {}  # region -> hour its call to the streets ends
        self.abandoned_since: float | None = None  # the ruler: since when his seat is all but undefended

    @property
    def possessive(self) -> str:
        """'the colonels' (plural) -> "the colonels'", 'the leader' -> "the leader's"."""
        return f"{self.name}'" if self.plural and self.name.endswith("s") else f"{self.name}'s"

    def agree(self, singular: str, plural: str) -> str:
        """The words that agree with this side's name: ``s.agree("holds", "hold")``."""
        return agree(self.plural, singular, plural)

    @property
    def is_ruler(self) -> bool:
        return self.index == 0

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def standing(self) -> bool:
        """Still a side in the streets and the forecasts: under way, or holding what it won."""
        return self.status in ("active", "won")

    @property
    def armed(self) -> bool:
        return self.mode in ("march", "seize")

    def spend(self, amount: float) -> bool:
        if amount > self.budget:
            return False
        self.budget -= amount
        self.spent += amount
        return True

    @property
    def in_office(self) -> bool:
        return self.status in ("in_office", "isolated")


__all__ = ["Unit", "RegionPublic", "Side", "NOBODY", "LOYAL", "ASIDE", "DEFECTED"]
