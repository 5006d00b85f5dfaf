"""Invariants of the regime model, stated as properties (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model.model import RegimeModel
from sim.model.state import CHALLENGER_STATUSES, RULER_STATUSES
from sim.public.kernel import REMOVED
from sim.runner import collect, run
from sim.scenario.loader import load_scenario

from .conftest import TINY, assert_outcome_matches_state, census

params = st.fixed_dictionaries({
    "seed": st.integers(0, 10_000),
    "legit": st.floats(0.5, 0.95),
    "strength": st.floats(0.2, 0.9),
    "loyalty": st.floats(0.1, 1.0),
    "grievance": st.floats(0.0, 1.0),
    "hesitancy": st.floats(0.0, 1.0),
    "social": st.floats(0.0, 0.3),
})


def _scenario(p: dict):
    return load_scenario(TINY, [
        f"regions.Capital.legitimacy={p['legit']}",
        f"regions.Province.police_hesitancy={p['hesitancy']}",
        f"ruler.regime_strength={p['strength']}",
        f"units.guard.loyalty={p['loyalty']}",
        f"challengers.pmc.grievance={p['grievance']}",
        f"public.social_influence={p['social']}",
    ])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params)
def test_run_invariants(p: dict) -> None:
    scn = _scenario(p)
    m = RegimeModel(scn, seed=p["seed"])
    initial = {n: r.grid.n_citizens for n, r in m.regions.items()}
    while m.running:
        m.step()
        for name, r in m.regions.items():
            # agents on the grid counted from its cells, apart from the tallies the code keeps
            seen = census(r.grid)
            q, a, j, rem = r.grid.counts()
            assert seen["citizens"] + rem == initial[name] and seen["active"] == a
            # every agent taken off the grid stands for people_per_agent who left (emigrated or
            # were drafted), counted in people; the flows carry less than one agent each
            gone = (initial[name] - seen["citizens"]) * r.people_per_agent
            left = r.emigrated + r.mobilized
            assert gone <= left + 1e-6 * r.population
            assert left <= gone + 2 * r.people_per_agent + 1e-6 * r.population
            assert r.emigrated >= 0 and r.mobilized >= 0 and r.arrests >= 0
            assert 0.0 <= r.legitimacy <= 1.0 and 0.0 <= r.protest_share <= 1.0
        for u in m.units:
            assert u.stance in (0, 1, 2)
            assert u.strength >= 0
            for v in (u.loyalty, u.pay, u.grievance, u.fear, u.last_p):
                assert 0.0 <= v <= 1.0
        assert 0.0 <= m.ruler.strength <= 1.0
        assert m.ruler.budget >= 0
        assert m.ruler.status in RULER_STATUSES
        for s in m.sides[1:]:
            assert s.status in CHALLENGER_STATUSES
        for r in m.regions.values():
            assert r.deaths >= 0 and all(x >= 0 for x in r.rally)
        # every death on the street is counted in a region and among some side's supporters
        assert sum(r.deaths for r in m.regions.values()) == pytest.approx(m.crowd_deaths)
        assert sum(m.deaths_by_side) == pytest.approx(m.crowd_deaths)
        assert m.casualties >= m.crowd_deaths - 1e-9
    for r in m.regions.values():
        r.grid.check()
        assert np.count_nonzero(r.grid.cit_state == REMOVED) <= r.grid.n_citizens
    res = collect(m, 0.0)
    assert_outcome_matches_state(res, scn)
    numeric = res.series.drop(columns=["challenge", "capital_holder", "ruler_status", "column_km_to_capital",
                                       "column_lon", "column_lat"])
    assert not numeric.isna().any().any()
    assert np.isfinite(numeric.to_numpy(dtype=float)).all()
    for key in ("peak_protest_share", "defected_share_peak"):
        assert 0.0 <= res.measures[key] <= 1.0
    follow = res.measures["power_following_share"]  # NaN when no commander chose
    assert follow != follow or 0.0 <= follow <= 1.0


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params)
def test_same_seed_same_run(p: dict) -> None:
    scn = _scenario(p)
    a = run(scn, seed=p["seed"])
    b = run(scn, seed=p["seed"])
    assert a.measures.keys() == b.measures.keys()
    for k, v in a.measures.items():  # NaN (e.g. no column ever marched) equals NaN here
        w = b.measures[k]
        assert v == w or (isinstance(v, float) and isinstance(w, float) and np.isnan(v) and np.isnan(w)), k
    assert a.series.equals(b.series)
    assert a.events.equals(b.events)
    assert a.stances.equals(b.stances)


_names = st.sampled_from(["wagner_1", "Moscow", "Rostov", "loyal", "aside", "défecté", ""])
_numbers = st.floats(allow_nan=True, allow_infinity=True, width=64)
_track_rows = st.lists(st.tuples(_numbers, _names, _names, _names, _numbers | st.integers(-10**6, 10**6),
                                 _numbers, _numbers, st.booleans()), max_size=40)


@pytest.mark.parametrize("arrow_from", [0, 10**9])  # through Arrow, through pandas
@settings(max_examples=150, deadline=None)
@given(rows=_track_rows)
def test_the_track_table_is_what_pandas_makes_of_its_rows(arrow_from: int, rows: list[tuple]) -> None:
    # track_frame builds a long table through Arrow for speed; it must be the table pandas made
    import pandas as pd

    from sim import runner

    want = pd.DataFrame(rows, columns=runner.TRACK_COLUMNS)
    saved = runner.ARROW_ROWS
    runner.ARROW_ROWS = arrow_from
    try:
        got = runner.track_frame(rows)
    finally:
        runner.ARROW_ROWS = saved
    assert list(got.dtypes) == list(want.dtypes)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
