"""The measures a run reports (``measures.json``), in words: the one map of their labels, units
and how to print them, for the run's printout and report (``sim/report``) and for figures that
name measures (``sim/plots/paired.py``: a comparison's quantities)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


def count_text(v: Any) -> str:
    """A count of people (or men, arrests, km) as a whole number with thousands separators:
    the model's flows are fractional ('arrests 2858.58'), people are not."""
    return f"{round(float(v)):,}" if isinstance(v, int | float) and math.isfinite(v) else "-"


#: measures.json keys: (label, unit, how to show the value)
MEASURES: dict[str, tuple[str, str, Callable[[Any], str]]] = {
    "time_to_outcome_h": ("time to resolution", "hours", lambda v: f"{v:,.0f}"),
    "resolved_before_horizon": ("resolved before the horizon", "", lambda v: "yes" if v else "no"),
    "capital_holder": ("who holds the capital", "", str),
    "ruler_status": ("the ruler at the end", "", lambda v: str(v).replace("_", " ")),
    "peak_protest_share": ("peak protest, national", "% of population", lambda v: f"{100 * v:.2f}"),
    "peak_called_crowds": ("called crowds at their largest, all regions", "people", count_text),
    "peak_commander_grievance": ("commanders' grievance, peak (mean by men)", "level 0-1", lambda v: f"{v:.2f}"),
    "emigrants": ("emigrated", "people", count_text),
    "mobilized": ("mobilized", "people", count_text),
    "arrests": ("arrests (cumulative)", "arrests", count_text),
    "defected_strength_peak": ("strength that defected, peak", "men", count_text),
    "defected_share_peak": ("share of armed strength that defected, peak", "% of armed men",
                            lambda v: f"{100 * v:.1f}"),
    "power_following_share": ("commanders' choices that backed the strongest side they saw", "% of choices",
                              lambda v: "-" if v != v else f"{100 * v:.0f}"),
    "crowd_following_share": ("commanders' choices, where a crowd stood, that backed the side it backs",
                              "% of choices", lambda v: "-" if v != v else f"{100 * v:.0f}"),
    "closest_approach_km": ("closest a column came to its target", "km", count_text),
    "casualties": ("casualties of the crisis (fighting and crowds)", "people", count_text),
    "crowd_deaths": ("of the casualties, killed in crowds fired on", "people", count_text),
    "airmen_killed": ("of the casualties, aircrews shot down", "people", count_text),
    "aircraft_lost": ("aircraft shot down", "aircraft", count_text),
    "front_losses": ("losses at the front (counted apart)", "men", count_text),
    "final_legitimacy": ("legitimacy at the end (public, national)", "level 0-1", lambda v: f"{v:.2f}"),
    "final_legitimacy_gap": ("legitimacy's distance from its baseline at the end, either way", "level 0-1",
                             lambda v: f"{v:.3f}"),
    "final_loyalty_shift": ("commanders' loyalty: distance from where it began at the end, either way "
                            "(mean by men)", "level 0-1", lambda v: f"{v:.3f}"),
    "final_regime_strength": ("regime strength at the end (elites' view)", "level 0-1", lambda v: f"{v:.2f}"),
    "budget_spent": ("the ruler's budget spent", "USD million", count_text),
    # derived by the paired comparisons (``sim/paired/stats.py``), not in a run's measures.json
    "peak_protest_max_region": ("peak protest, highest of the regions", "% of population",
                                lambda v: f"{100 * v:.2f}"),
}


#: the run's measures that are numbers (``RegimeModel.measures()`` less the outcome in words,
#: the yes/no and the named ones), in the order comparisons list them: what calibration targets
#: may name (``sim/calibrate/targets.py``) and paired comparisons compare (``sim/paired/stats.py``)
NUMERIC: tuple[str, ...] = (
    "time_to_outcome_h", "peak_protest_share", "peak_called_crowds", "peak_commander_grievance", "emigrants",
    "mobilized", "arrests", "defected_share_peak", "defected_strength_peak", "power_following_share",
    "crowd_following_share", "casualties", "front_losses", "crowd_deaths", "final_legitimacy",
    "final_legitimacy_gap", "final_loyalty_shift", "final_regime_strength", "budget_spent", "closest_approach_km",
    "aircraft_lost", "airmen_killed",
)


#: measures reported once per region (``deaths__Moscow``): the label, then the region
PER_REGION: dict[str, tuple[str, str]] = {
    "peak_protest": ("peak protest in", "% of population"),
    "deaths": ("killed in crowds fired on in", "people"),
    "ground_deaths": ("killed in ground fighting in", "people"),
}


def measure_label(key: str) -> str:
    """A measure's label ('defected_share_peak' -> 'share of armed strength that defected,
    peak'; 'ground_deaths__Rostov-on-Don' -> 'killed in ground fighting in Rostov-on-Don'); a
    key the map does not know, in words."""
    if key in MEASURES:
        return MEASURES[key][0]
    base, _, region = key.partition("__")
    if region and base in PER_REGION:
        return f"{PER_REGION[base][0]} {region}"
    return key.replace("_", " ")


def measure_unit(key: str) -> str:
    """A measure's unit ('' for none or a key the map does not know)."""
    if key in MEASURES:
        return MEASURES[key][1]
    base, _, region = key.partition("__")
    return PER_REGION[base][1] if region and base in PER_REGION else ""


def measure_heading(key: str) -> str:
    """The label with its unit: 'casualties of the crisis (fighting and crowds), people'."""
    unit = measure_unit(key)
    return f"{measure_label(key)}, {unit}" if unit else measure_label(key)


def in_unit(key: str, v: float) -> float:
    """A value (a mean, a difference) in the unit :func:`measure_unit` names: shares as percent."""
    return 100.0 * v if measure_unit(key).startswith("%") else v
