"""Worlds nobody wrote: hypothesis draws whole stand-alone worlds (a map of one to four
regions, institutions with random traits, units on every side, challengers of every mode,
a script of events of every kind) and runs them.

The engine is meant for any documented crisis, written by people who never read its code, so
a valid file must run: no exception, whatever mixture of sides, modes and events it holds.
Each run must end in a known outcome that agrees with the state it ends in, and keep the
run's invariants (population on the grids conserved, shares and probabilities in [0, 1],
deaths counted once). A draw that fails prints the world as YAML, ready to save and rerun.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sim.model.model import RegimeModel
from sim.model.state import CHALLENGER_STATUSES, RULER_STATUSES
from sim.rules import RULES
from sim.runner import collect
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario

from .conftest import assert_outcome_matches_state, census

REGION_NAMES = ("Capital", "North", "South", "Port")
MODES = ("march", "seize", "street", "rally")
GOALS = ("take_capital", "force_concessions", "remove_ruler")
level = st.floats(0.0, 1.0).map(lambda v: round(v, 3))


@st.composite
def worlds(draw) -> dict:
    n_reg = draw(st.integers(1, 4))
    names = list(REGION_NAMES[:n_reg])
    regions = {}
    for i, name in enumerate(names):
        regions[name] = {
            "population": draw(st.integers(10_000, 5_000_000)),
            "grid": draw(st.integers(15, 20)),
            "legitimacy": draw(st.floats(0.3, 0.95).map(lambda v: round(v, 3))),
            "pos": [float(i), float(draw(st.integers(-3, 3)))],
        }
        if i == 0:
            regions[name]["capital"] = True
        elif draw(st.integers(0, 4)) == 0:
            regions[name]["aggregate"] = True
        if draw(st.integers(0, 3)) == 0:
            regions[name]["big_city"] = True
    # a tree: every region reaches the capital by road
    routes = [{"a": names[draw(st.integers(0, i - 1))], "b": names[i], "km": draw(st.integers(20, 1500))}
              for i in range(1, n_reg)]
    inst_ids = ["army", "police", "guard"][: draw(st.integers(1, 3))]
    institutions = {}
    for iid in inst_ids:
        institutions[iid] = {"repressive": draw(st.booleans()), "counterweight": draw(st.booleans()),
                             "fire_propensity": draw(level)}
    if draw(st.booleans()):
        institutions["air"] = {"air_arm": True}
    n_ch = draw(st.integers(0, 3))
    challengers = {}
    for j in range(n_ch):
        mode = draw(st.sampled_from(MODES if n_reg > 1 else MODES[1:]))
        ch = {"name": f"challenger {j}", "mode": mode, "goal": draw(st.sampled_from(GOALS)),
              "popularity": draw(st.floats(0.05, 0.6).map(lambda v: round(v, 3))),
              "grievance": draw(level)}
        if mode == "march":  # a column sets out from a province
            ch["seat"] = draw(st.sampled_from(names[1:]))
        elif n_reg > 1 and draw(st.booleans()):
            ch["seat"] = draw(st.sampled_from(names))
        if mode in ("march", "seize") and n_reg > 1 and draw(st.integers(0, 3)) == 0:
            ch["target"] = draw(st.sampled_from(names))  # a province's centre, not the capital
        challengers[f"ch{j}"] = ch
    sides = ["ruler", "aside", *challengers]
    units = {}
    for k in range(draw(st.integers(1, 8))):
        unit = {"institution": draw(st.sampled_from(inst_ids)), "region": draw(st.sampled_from(names)),
                "strength": draw(st.integers(0, 20_000)), "side": draw(st.sampled_from(sides)),
                "loyalty": draw(level), "mobile": draw(st.booleans()),
                "rank": draw(st.sampled_from(("top", "mid", "unit")))}
        if unit["side"] in challengers:
            unit["committed"] = draw(st.booleans())
        units[f"u{k}"] = unit
    if "air" in institutions:
        units["jets"] = {"institution": "air", "region": names[0], "strength": 500, "reach_km": 2000,
                         "aircraft": draw(st.integers(1, 40))}
    # march and seize challengers need men of their own at their seat to act: give most of them some
    for cid, ch in challengers.items():
        if ch["mode"] == "march" or (ch["mode"] == "seize" and draw(st.booleans())):
            units[f"{cid}_men"] = {"institution": inst_ids[0], "region": ch.get("seat", names[0]),
                                   "strength": draw(st.integers(100, 15_000)), "side": cid}
    actors = ["ruler", *challengers]
    events = []
    for _ in range(draw(st.integers(0, 5))):
        at = draw(st.integers(0, 30))
        kind = draw(st.sampled_from((
            "challenge", "protest_call", "rally_call", "defeat", "legitimacy_shock", "leader_dies",
            "purge", "pay_rise", "sponsor_offer", "propaganda", "provocation", "ultimatum", "victory",
            "strike_on_capital", "raid", "mobilization", "halt_mobilization")))
        ev: dict = {"at": at, "type": kind}
        if kind in ("challenge", "provocation", "ultimatum"):
            if not challengers:
                continue
            ev["actor"] = draw(st.sampled_from(list(challengers)))
        elif kind in ("rally_call", "leader_dies"):
            ev["actor"] = draw(st.sampled_from(actors))
        elif kind in ("protest_call", "raid"):
            ev["region"] = draw(st.sampled_from(names))
        elif kind == "legitimacy_shock":
            ev["delta"] = draw(st.floats(-0.3, 0.1).map(lambda v: round(v, 3)))
        elif kind == "purge":
            ev["units"] = [draw(st.sampled_from(list(units)))]
        elif kind == "pay_rise":
            ev["institution"] = draw(st.sampled_from(inst_ids))
        elif kind == "mobilization":
            ev["target_people"] = draw(st.integers(0, 300_000))
        events.append(ev)
    world = {
        "name": "fuzz",
        "description": {"what_is_it": "a world drawn by hypothesis"},
        "time": {"step_hours": draw(st.sampled_from((0.5, 1, 1, 2))), "horizon_days": draw(st.integers(2, 3))},
        "public": {"interval_hours": draw(st.sampled_from((1, 3, 4)))},
        "regions": regions,
        "routes": routes,
        "institutions": institutions,
        "units": units,
        "ruler": {"name": "the ruler", "regime_strength": draw(st.floats(0.2, 0.9).map(lambda v: round(v, 3))),
                  **({"location": draw(st.sampled_from(names))} if draw(st.booleans()) else {}),
                  **({"seat": draw(st.sampled_from(names))} if draw(st.integers(0, 3)) == 0 else {})},
        "challengers": challengers,
        "events": events,
    }
    # any mixture of rules switched off, optional actors, the ruler's crowds
    disabled = draw(st.lists(st.sampled_from(sorted(RULES)), max_size=6, unique=True))
    if disabled:
        world["rules"] = {"disable": disabled}
    if draw(st.booleans()):
        world["mediator"] = {"enabled": True}
    if challengers and draw(st.booleans()):
        world["sponsor"] = {"enabled": True, "backs": draw(st.sampled_from(list(challengers)))}
    return world


# REGIME_SIM_FUZZ=2000 draws more worlds (a bug hunt); 60 keep the suite quick
@settings(max_examples=int(os.environ.get("REGIME_SIM_FUZZ", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(world=worlds(), seed=st.integers(0, 10_000))
def test_any_world_runs_and_ends_in_a_state_its_label_describes(world: dict, seed: int, tmp_path_factory) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.yaml"
    text = yaml.safe_dump(world, sort_keys=False)
    path.write_text(text)
    try:
        scn = load_scenario(path)
    except ScenarioError as e:  # a draw the loader refuses must be refused in one line
        assert "\n" not in str(e) and str(path) in str(e), str(e)
        assume(False)
    try:
        m = RegimeModel(scn, seed=seed)
        initial = {n: r.grid.n_citizens for n, r in m.regions.items()}
        while m.running:
            m.step()
            assert 0.0 <= m.ruler.strength <= 1.0 and m.ruler.status in RULER_STATUSES
            assert all(s.status in CHALLENGER_STATUSES for s in m.sides[1:])
            for u in m.units:
                assert u.strength >= 0
                assert all(0.0 <= v <= 1.0 for v in (u.loyalty, u.pay, u.grievance, u.fear, u.last_p))
            for r in m.regions.values():
                assert 0.0 <= r.legitimacy <= 1.0 and 0.0 <= r.protest_share <= 1.0
                assert r.deaths >= 0 and all(x >= 0 for x in r.rally)
        for name, r in m.regions.items():
            r.grid.check()
            q, a, j, rem = r.grid.counts()
            assert census(r.grid)["citizens"] + rem == initial[name]
        assert sum(r.deaths for r in m.regions.values()) == pytest.approx(m.crowd_deaths)
        # the dead are counted among the supporters of the side they backed; protesters who
        # back no declared side (no movement in the world) are counted in no side's tally
        assert sum(m.deaths_by_side) <= m.crowd_deaths * (1 + 1e-9) + 1e-9
        res = collect(m, 0.0)
        assert_outcome_matches_state(res, scn)
        for key in ("peak_protest_share", "defected_share_peak"):
            assert 0.0 <= res.measures[key] <= 1.0
        for k, v in res.measures.items():
            if isinstance(v, float):
                assert not math.isinf(v), k
        # NaN where there is nothing to measure (no column on the road; an institution whose
        # units all have no men left has no average loyalty), never an infinity
        numeric = res.series.select_dtypes("number").to_numpy(dtype=float)
        assert not np.isinf(numeric).any()
        named = [c for c in res.series.select_dtypes("number").columns
                 if not c.startswith(("column_", "loyalty__"))]
        assert np.isfinite(res.series[named].to_numpy(dtype=float)).all()
    except Exception:
        print(f"the world that failed (seed {seed}):\n{text}")
        raise
