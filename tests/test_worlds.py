"""The engine expresses any crisis: sides, challenges and worlds declared in data.

These tests pin down what issue 10 asked of the engine: more than two sides, challenges that
start anywhere and run together, crowds that back a side, outcomes read from the state, and no
country in the engine's code.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.model.model import RegimeModel
from sim.runner import run

from .conftest import DATA, ROOT, assert_outcome_matches_state, load
from .seeds import first_seed, logged

ENGINE = [*(ROOT / "sim" / "model").glob("*.py"), *(ROOT / "sim" / "rules").glob("*.py")]
# names of the bundled worlds' places, people and bodies: none may appear in the engine's code
NAMES = re.compile(r"Russia|Moscow|Kremlin|Putin|Wagner|Prigozhin|Rosgvardia|Chechen|Kadyrov|Dagestan|"
                   r"Rostov|Belgorod|Lukashenko|Shoigu|Bakhmut|Turkey|Ankara|Istanbul|Erdogan|Egypt|Cairo|"
                   r"Mubarak|Zimbabwe|Harare|Bulawayo|Mugabe|Mnangagwa|Chiwenga|Romania|Bucharest|Timisoara|"
                   r"Ceausescu|Securitate|\bMoD\b|\bFSB\b|\bPMC\b")


@pytest.mark.parametrize("path", ENGINE, ids=lambda p: p.name)
def test_no_country_person_or_place_in_the_engine(path: Path) -> None:
    hits = [f"{i}: {line.strip()}" for i, line in enumerate(path.read_text().splitlines(), 1)
            if NAMES.search(line)]
    assert not hits, f"{path.name} names a country, person or place:\n" + "\n".join(hits)


def test_three_sides_plotters_isolated_ruler_and_a_rival_centre() -> None:
    # the story checked: the committee's coup fails while the parliament holds the capital
    seed = first_seed(DATA / "three_way.yaml", lambda r: r.outcome == "coup_fails", "the coup fails")
    scn = load(DATA / "three_way.yaml")
    model = RegimeModel(scn, seed=seed)
    seen_away = False
    three_at_once = False
    while model.running:
        model.step()
        seen_away |= model.ruler.location != model.seat
        three_at_once |= len(model.active_sides()) == 3
    assert seen_away  # the ruler starts away from his seat
    assert three_at_once  # the ruler, the plotters and the rival centre contest at once
    m = model.measures()
    assert m["outcome"] == "coup_fails"  # the same run as the seed's: a run is reproducible from its seed
    assert m["capital_holder"] == "the parliament"  # read from the state: its side holds the seat


def test_units_can_back_a_third_side() -> None:
    # the plotters never give up and no deal is offered: the contest goes on, and commanders
    # choose among three sides
    scn = load(DATA / "three_way.yaml", "rules.disable=[challenger.give_up, bargain.offer]",
               "challengers.plotters.collapse_share=0.0")
    res = run(scn, seed=1)
    assert "parliament" in set(res.stances["to_side"])


def test_two_marches_and_a_protest_wave_run_at_once() -> None:
    # no settlements, so that each march stays under way once it has set out
    scn = load(DATA / "two_mutinies.yaml", "rules.disable=[bargain.offer, challenger.give_up]")
    model = RegimeModel(scn, seed=1)
    most = 0
    while model.running:
        model.step()
        most = max(most, sum(s.active for s in model.sides[1:]))
    assert most == 3


def test_a_provincial_protest_becomes_a_challenge_there_and_moves_its_units() -> None:
    scn = load(DATA / "tiny.yaml", "regions.Province.legitimacy=0.4", "regions.Capital.legitimacy=0.95",
               "challengers.pmc.enabled=false", "challengers.plotters.enabled=false", "events=[]")
    model = RegimeModel(scn, seed=2)
    movement = model.sides[model.side_index["movement"]]
    while model.running and not movement.active:
        model.step()
    assert movement.active and movement.regions == {"Province"}
    model.step()
    # the province's police had to decide at once; the capital's units were not forced to
    assert model.unit_by_key["prov_pol"].engaged


def test_an_open_challenge_at_the_horizon_is_unresolved_not_labelled_by_default() -> None:
    sets = ("time.horizon_days=0.25", "events[0].at=1", "rules.disable=[challenger.give_up, bargain.offer]")
    # a seed at which a challenge is still under way at the last recorded hour (the horizon)
    seed = first_seed(DATA / "three_way.yaml", lambda r: r.series["challenge"].iloc[-1] != "",
                      "a challenge is under way at the horizon", sets)
    res = run(load(DATA / "three_way.yaml", *sets), seed=seed)
    assert res.series["hour"].iloc[-1] == 6.0  # the horizon, a quarter of a day
    assert res.measures["outcome"] == "unresolved"
    assert not res.measures["resolved_before_horizon"]
    assert_outcome_matches_state(res, res.scenario)


def test_firing_on_crowds_kills_by_region_and_backfires() -> None:
    base = ["regions.Capital.legitimacy=0.5", "ruler.repress_trigger=0.001",
            "institutions.police.fire_propensity=1.0", "challengers.pmc.enabled=false",
            "challengers.plotters.enabled=false", "events=[]"]
    # the first seed where the police fire on the capital's crowds (the precondition; then every
    # assertion is on that seed, both arms)
    seed = first_seed(DATA / "tiny.yaml", lambda r: logged(r, "open fire"),
                      "the police open fire on the tiny world's crowds", sets=base)
    baselines = {}
    for arm, extra in (("on", []), ("off", ["rules.disable=[crowds.backfire]"])):
        model = RegimeModel(load(DATA / "tiny.yaml", *base, *extra), seed=seed)
        model.run()
        m = model.measures()
        assert m["crowd_deaths"] > 0 and m["deaths__Capital"] > 0
        assert m["crowd_deaths"] == pytest.approx(sum(r.deaths for r in model.regions.values()))
        baselines[arm] = model.regions["Capital"].baseline
    # killing lowers the capital's legitimacy for good only when it backfires
    assert baselines["on"] < 0.5
    assert baselines["off"] == 0.5


#: the gallery of mechanisms (issue 11): each small stand-alone world puts one rule at stake;
#: what its story must show for the mechanism to have fired
MECHANISMS = {
    "mechanism_make_a_fact": "take the broadcasters",
    "mechanism_outrage_spreads": "open fire on the crowds in City",
    "mechanism_backfire": "open fire on the crowds",
    "mechanism_counter_rally": "calls the people into the streets",
    "mechanism_give_up": "the colonels surrender",
    "mechanism_pay_and_immunity": "joins the colonels",
    "mechanism_propaganda": "a propaganda campaign",
    "mechanism_purge": "purges the command of the provincial army",
    "mechanism_reappearance": "arrives in Province",
    "mechanism_recruit": "joins the plot",
    "mechanism_ruler_pay": "raises pay and promotes",
}


def test_every_mechanism_file_is_in_the_gallery() -> None:
    assert {p.stem for p in (ROOT / "scenarios").glob("mechanism_*.yaml")} == set(MECHANISMS)


@pytest.mark.parametrize("name", sorted(MECHANISMS))
def test_a_mechanism_world_is_stand_alone_says_it_is_no_history_and_its_mechanism_fires(name: str) -> None:
    path = ROOT / "scenarios" / f"{name}.yaml"
    text = path.read_text()
    assert "base:" not in text
    header = " ".join(line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#"))
    assert header.startswith("Mechanism demonstration") and "NOT a historical case" in header
    scn = load(path)
    assert scn.title.startswith("Mechanism:")
    d = scn.description
    assert "not a historical case" in d.what_is_it
    assert d.how_it_works and d.things_to_notice and d.things_to_try
    # the mechanism fires in one of the world's first 20 seeds (not always at its own seed: in
    # mechanism_recruit and mechanism_pay_and_immunity a third or fewer of seeds recruit a commander)
    first_seed(path, lambda r: logged(r, MECHANISMS[name]), f"{name}'s log shows {MECHANISMS[name]!r}",
               seeds=range(1, 21))


@pytest.mark.parametrize("name", ["turkey_2016", "egypt_2011", "zimbabwe_2017", "romania_1989"])
def test_the_new_worlds_are_stand_alone_and_run(name: str) -> None:
    path = ROOT / "scenarios" / f"{name}.yaml"
    assert "base:" not in path.read_text()
    res = run(load(path, "time.horizon_days=1", "events=[]"), seed=1)
    assert res.measures["outcome"]
