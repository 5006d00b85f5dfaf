"""The ``sweep:`` section: checking it against the scenario, and the experimental designs."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from ..scenario.errors import ScenarioError


def _field_kind(scn: Any, path: str) -> str:
    """'int', 'float', 'bool' or 'other' for the parameter at ``path`` (from its current value)."""
    from ..scenario.loader import _split_path

    node: Any = scn.model_dump(mode="python", exclude={"sweep"})
    for part in _split_path(path):
        node = node[part]
    if isinstance(node, bool):
        return "bool"
    if isinstance(node, int):
        return "int"
    if isinstance(node, float):
        return "float"
    return "other"


def check_sweep(scn: Any, raw: dict, fail: Callable[[str, tuple], None]) -> None:
    """Every swept path must exist, and every value the sweep can take must validate."""
    from ..scenario.loader import _dump_for_paths, set_path, validate_raw

    sw = scn.sweep
    if not sw.parameters:
        fail("a sweep needs at least one parameter", ("sweep", "parameters"))
    dump = _dump_for_paths(scn)
    base = copy.deepcopy(raw)
    base.pop("sweep", None)
    for path, spec in sw.parameters.items():
        where = ("sweep", "parameters", path)
        if (spec.range is None) == (spec.values is None):
            fail("give either 'range: [low, high]' or 'values: [...]'", where)
        try:
            set_path(copy.deepcopy(base), dump, path, None, "<sweep>")
        except ScenarioError as err:
            fail(f"unknown parameter path: {err.message.split(': ', 1)[-1]}", where)
        kind = _field_kind(scn, path)
        if spec.range is not None:
            lo, hi = spec.range
            if not lo < hi:
                fail(f"range low ({lo}) must be below high ({hi})", where + ("range",))
            if kind not in ("int", "float"):
                fail(f"a range needs a numeric parameter; '{path}' is {kind}: use 'values'", where)
            probes = [lo, hi]
        else:
            if not spec.values:
                fail("'values' must list at least one value", where + ("values",))
            probes = list(spec.values)
        for v in probes:
            trial = copy.deepcopy(base)
            value = int(v) if kind == "int" and isinstance(v, float) and v.is_integer() else v
            set_path(trial, dump, path, value, "<sweep>")
            try:
                validate_raw(trial, {}, "<sweep>")
            except ScenarioError as err:
                fail(f"value {v!r} is outside the parameter's domain: {err.message}", where)


def check_control(scn: Any, raw: dict, dump: dict, control: Any, fail: Callable[[str, tuple], None]) -> None:
    """A dashboard control must name an existing parameter; a slider needs min < max."""
    from ..scenario.loader import set_path

    where = ("controls", 0, "path")
    try:
        set_path(copy.deepcopy(raw), dump, control.path, None, "<controls>")
    except ScenarioError as err:
        fail(f"unknown parameter path: {err.message.split(': ', 1)[-1]}", where)
    kind = _field_kind(scn, control.path)
    if kind in ("int", "float"):
        if control.min is None or control.max is None or not control.min < control.max:
            fail(f"a slider for '{control.path}' needs min < max", ("controls", 0, "min"))
    elif kind != "bool":
        fail(f"'{control.path}' is {kind}: only numbers (sliders) and true/false (switches) can be controls",
             where)
