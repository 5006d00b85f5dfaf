"""Air units (rule combat.air_strike): declared in data, striking by their own decision, losing
aircraft and crews rather than their men on the ground."""

from __future__ import annotations

import pytest
import yaml

from sim.model.model import RegimeModel
from sim.scenario.errors import ScenarioError

from .conftest import ROOT, TINY, load
from .seeds import first_seed, logged, marches, result, seeds_where

MUTINY = ROOT / "scenarios" / "wagner_mutiny_2023.yaml"
AVIATION = ("army_aviation", "lipetsk_airbase")
# commanders keep the side they have (and fight for it from the first hour): the test is about
# what a unit's side makes it do, not about how it chooses one
FIXED = ("time.horizon_days=2", "mediator.enabled=false", "rules.disable=[units.stance_choice]")


def test_an_air_arm_is_declared_by_its_institution_or_by_the_unit(tmp_path) -> None:
    plain = RegimeModel(load(TINY), seed=1)
    assert not any(u.air for u in plain.units)  # the default: nobody is an air unit
    world = yaml.safe_load(TINY.read_text())
    world["institutions"]["air_force"] = {"air_arm": True}
    world["units"]["jets"]["institution"] = "air_force"
    path = tmp_path / "tiny_air.yaml"
    path.write_text(yaml.safe_dump(world))
    inst = RegimeModel(load(path), seed=1)
    assert [u.key for u in inst.units if u.air] == ["jets"]
    over = RegimeModel(load(path, "units.jets.air_arm=false"), seed=1)
    assert not any(u.air for u in over.units)  # the unit's own word wins
    unit = RegimeModel(load(TINY, "units.jets.air_arm=true"), seed=1)
    assert [u.key for u in unit.units if u.air] == ["jets"]


def test_an_air_unit_needs_a_reach() -> None:
    with pytest.raises(ScenarioError) as e:
        load(TINY, "units.army_b.air_arm=true")
    assert "reach_km" in str(e.value) and "\n" not in str(e.value)


def test_a_unit_standing_aside_does_not_strike() -> None:
    # a seed where the column marches with the air units backing the ruler and with them aside:
    # backing, army aviation strikes it; aside, nobody does
    aside_sets = (*FIXED, "units.army_aviation.side=aside", "units.lipetsk_airbase.side=aside")
    seed = seeds_where(lambda s: marches(result(MUTINY, s, FIXED)) and marches(result(MUTINY, s, aside_sets)),
                       "the column marches with the air units backing the ruler and with them aside")[0]
    backing = result(MUTINY, seed, FIXED)
    assert logged(backing, "army aviation strikes")
    aside = result(MUTINY, seed, aside_sets)
    assert not logged(aside, " strikes ")
    assert aside.measures["aircraft_lost"] == 0


def test_an_air_unit_loses_aircraft_and_crews_not_its_men_on_the_ground() -> None:
    # a column with dense air defence: aircraft are shot down often
    sets = (*FIXED, "units.wagner_assault_a.air_defence=0.3", "units.wagner_assault_b.air_defence=0.3")
    # a run in which the column marches and shoots aircraft down (the accounting below needs losses)
    seed = first_seed(MUTINY, lambda r: marches(r) and r.measures["aircraft_lost"] > 0,
                      "the column marches and shoots down aircraft", sets)
    model = RegimeModel(load(MUTINY, *sets), seed=seed)
    model.run()
    m = model.measures()
    air = [model.unit_by_key[k] for k in AVIATION]
    lost = [u.aircraft - u.aircraft_left for u in air]
    assert m["aircraft_lost"] == sum(lost) > 0
    assert m["airmen_killed"] == sum(n * u.crew_per_aircraft for n, u in zip(lost, air, strict=True))
    for n, u in zip(lost, air, strict=True):
        assert u.strength == pytest.approx(u.initial_strength - n * u.crew_per_aircraft)
        assert u.combat_power == pytest.approx(u.base_combat_power * u.aircraft_left / u.aircraft)
    assert m["casualties"] >= m["airmen_killed"]  # crews count among the crisis's dead


def test_ground_fighting_deaths_are_counted_where_the_fighting_is() -> None:
    # without air strikes a crisis kills only in crowds and in ground fighting: the two add up to
    # its casualties, and a region counts deaths in ground fighting only where the column has been
    # (its road, up to where it stood at the end)
    seen = 0.0
    for seed in range(1, 9):
        m = RegimeModel(load(MUTINY, "rules.disable=[combat.air_strike]"), seed=seed)
        m.run()
        ground = {name: r.ground_deaths for name, r in m.regions.items()}
        assert m.casualties == pytest.approx(m.crowd_deaths + sum(ground.values()))
        col = m.sides[m.side_index["wagner"]].column
        been = set(col.path[: col.leg + 1]) if col is not None else set()
        assert {name for name, v in ground.items() if v > 0} <= been
        measures = m.measures()
        assert all(measures[f"ground_deaths__{name}"] == v for name, v in ground.items())
        seen += sum(ground.values())
    assert seen > 0  # some of these runs do fight
