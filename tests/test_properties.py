"""Invariants of the regime model, stated as properties (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model.model import RegimeModel
from sim.model.outcomes import OUTCOMES
from sim.public.kernel import REMOVED
from sim.runner import collect, run
from sim.scenario.loader import load_scenario

from .conftest import TINY

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
        f"factions.kremlin.regime_strength={p['strength']}",
        f"units.guard.loyalty={p['loyalty']}",
        f"factions.wagner.grievance={p['grievance']}",
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
            # population conserved across its states, on the grid and in people
            q, a, j, rem = r.grid.counts()
            assert q + a + j + rem == initial[name]
            assert r.stayers + r.emigrated + r.mobilized == r.population
            assert r.emigrated >= 0 and r.mobilized >= 0 and r.arrests >= 0
            assert 0.0 <= r.legitimacy <= 1.0 and 0.0 <= r.protest_share <= 1.0
        for u in m.units:
            assert u.stance in (0, 1, 2)
            assert u.strength >= 0
            for v in (u.loyalty, u.pay, u.grievance, u.fear, u.last_p):
                assert 0.0 <= v <= 1.0
        assert 0.0 <= m.kremlin.strength <= 1.0
        assert m.kremlin.budget >= 0
    for r in m.regions.values():
        r.grid.check()
        assert np.count_nonzero(r.grid.cit_state == REMOVED) <= r.grid.n_citizens
    res = collect(m, 0.0)
    assert res.outcome in OUTCOMES
    numeric = res.series.drop(columns=["challenge", "capital_holder", "column_km_to_capital", "column_lon",
                                       "column_lat"])
    assert not numeric.isna().any().any()
    assert np.isfinite(numeric.to_numpy(dtype=float)).all()
    for key in ("peak_protest_share", "defected_share_peak"):
        assert 0.0 <= res.measures[key] <= 1.0


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params)
def test_same_seed_same_run(p: dict) -> None:
    scn = _scenario(p)
    a = run(scn, seed=p["seed"])
    b = run(scn, seed=p["seed"])
    assert a.measures == b.measures
    assert a.series.equals(b.series)
    assert a.events.equals(b.events)
    assert a.stances.equals(b.stances)
