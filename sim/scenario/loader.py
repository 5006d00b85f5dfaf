"""From a YAML file (and ``--set`` overrides) to a validated :class:`Scenario`.

The path is one-way: read safely -> merge onto the base it extends (both in ``reading.py``) ->
apply overrides -> validate with the schema -> check cross-references -> estimate memory. Every
failure is a :class:`ScenarioError` naming the file, the line and the field.
"""

from __future__ import annotations

import contextvars
import copy
import math
import re
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .bundled import DATA_DIR, SCENARIO_DIR  # noqa: F401 - other modules take them from here
from .errors import ScenarioError, did_you_mean, dotted
from .machine import MEMORY_SHARE, available_bytes
from .reading import _deep_merge, _resolve_base, read_raw, resolve_path
from .schema import ASIDE, EVENT_TYPES, RULER, Scenario
from .yamlio import Positions, load_yaml_text


# ----------------------------------------------------------------------------- schema walking
def _unwrap(ann: Any) -> Any:
    while True:
        origin = typing.get_origin(ann)
        if origin is typing.Annotated:
            ann = typing.get_args(ann)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(ann) if a is not type(None)]
            if len(args) == 1:
                ann = args[0]
                continue
        return ann


def _event_class(type_name: str) -> type[BaseModel] | None:
    from . import schema

    for cls in vars(schema).values():
        if isinstance(cls, type) and issubclass(cls, schema._EventBase) and cls is not schema._EventBase:
            lit = cls.model_fields["type"].annotation
            if type_name in typing.get_args(lit):
                return cls
    return None


def _node_at(loc: tuple, raw: Any) -> tuple[Any, tuple]:
    """Walk the schema along ``loc``; return (model class or annotation, cleaned loc).

    Pydantic puts the tag of a discriminated union into ``loc`` (events[0].defeat.severity);
    the cleaned loc drops it so it matches the YAML paths.
    """
    ann: Any = Scenario
    clean: list = []
    data = raw
    parts = list(loc)
    i = 0
    while i < len(parts):
        part = parts[i]
        ann = _unwrap(ann)
        origin = typing.get_origin(ann)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            if part not in ann.model_fields:
                return None, tuple(clean + parts[i:])
            ann = ann.model_fields[part].annotation
        elif origin is dict:
            ann = typing.get_args(ann)[1]
        elif origin in (list, tuple):
            args = typing.get_args(ann)
            ann = args[0]
            if typing.get_origin(_unwrap(ann)) in (typing.Union, types.UnionType):
                item = data[part] if isinstance(data, list) and isinstance(part, int) and part < len(data) else {}
                tname = item.get("type") if isinstance(item, dict) else None
                ann = _event_class(tname) if tname else None
                clean.append(part)
                data = item
                if i + 1 < len(parts) and parts[i + 1] == tname:
                    i += 1
                i += 1
                continue
        else:
            return None, tuple(clean + parts[i:])
        clean.append(part)
        data = data.get(part) if isinstance(data, dict) else (
            data[part] if isinstance(data, list) and isinstance(part, int) and part < len(data) else None
        )
        i += 1
    return _unwrap(ann), tuple(clean)


def _line_of(pos: Positions, path: tuple) -> tuple[str | None, int | None]:
    path = tuple(path)
    while path:
        if path in pos:
            return pos[path]
        path = path[:-1]
    return pos.get((), (None, None))


def field_meta(loc: tuple, raw: Any) -> dict:
    if not loc:
        return {}
    parent, _ = _node_at(loc[:-1], raw)
    if isinstance(parent, type) and issubclass(parent, BaseModel) and loc[-1] in parent.model_fields:
        extra = parent.model_fields[loc[-1]].json_schema_extra
        return extra if isinstance(extra, dict) else {}
    return {}


_OPS = {
    "less_than_equal": ("le", "<="),
    "less_than": ("lt", "<"),
    "greater_than_equal": ("ge", ">="),
    "greater_than": ("gt", ">"),
}
_TYPES = {
    "float_parsing": "a number", "float_type": "a number",
    "int_parsing": "a whole number", "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_parsing": "true or false", "bool_type": "true or false",
    "string_type": "text", "dict_type": "a mapping of keys", "list_type": "a list",
    "model_type": "a mapping of keys", "model_attributes_type": "a mapping of keys",
    "tuple_type": "a list", "finite_number": "a finite number",
}


def _explain(err: dict, raw: Any) -> tuple[str, tuple]:
    typ = err["type"]
    loc = tuple(err["loc"])
    got = err.get("input")
    parent_cls, clean = _node_at(loc[:-1], raw) if loc else (Scenario, ())
    _, clean_full = _node_at(loc, raw)
    if typ == "extra_forbidden":
        key = loc[-1]
        opts = list(parent_cls.model_fields) if isinstance(parent_cls, type) and issubclass(parent_cls, BaseModel) else []
        return f"unknown key '{key}'{did_you_mean(key, opts)}", clean_full
    if typ == "missing":
        return "required field is missing", clean_full
    if typ in _OPS:
        meta = field_meta(clean_full, raw)
        key, sym = _OPS[typ]
        limit = err.get("ctx", {}).get(key)
        what = "a probability in [0, 1]" if meta.get("unit") == "probability" else (
            "a share in [0, 1]" if meta.get("unit") == "share" else f"a value {sym} {limit}"
        )
        unit = f" {meta['unit']}" if meta.get("unit") and meta["unit"] not in ("probability", "share", "-") else ""
        if "strength" in str(loc[-1]) and key in ("ge", "gt"):
            what = f"a strength of at least {limit}"
        return f"expected {what}{unit}, got {got!r}", clean_full
    if typ in _TYPES:
        return f"expected {_TYPES[typ]}, got {got!r}", clean_full
    if typ == "literal_error":
        return f"expected one of {err.get('ctx', {}).get('expected')}, got {got!r}", clean_full
    if typ == "union_tag_invalid":
        tag = err.get("ctx", {}).get("tag")
        return f"unknown event type '{tag}'{did_you_mean(tag, EVENT_TYPES)}; known: {', '.join(EVENT_TYPES)}", clean_full + ("type",)
    if typ == "union_tag_not_found":
        return f"an event needs a 'type' (one of {', '.join(EVENT_TYPES)})", clean_full
    msg = err.get("msg", typ)
    msg = msg.removeprefix("Value error, ")
    return msg, clean_full


def _validation_error(exc: ValidationError, raw: Any, pos: Positions, file: str) -> ScenarioError:
    errs = exc.errors(include_url=False)
    msg, clean = _explain(errs[0], raw)
    f, line = _line_of(pos, clean)
    more = f" (and {len(errs) - 1} more problem{'s' if len(errs) > 2 else ''})" if len(errs) > 1 else ""
    return ScenarioError(msg + more, file=f or file, line=line, field=dotted(clean) or None)


# ----------------------------------------------------------------------------- overrides
def parse_value(text: str) -> Any:
    """A --set value is read as a YAML scalar or flow list: 0.5, true, [a, b], 'text'."""
    try:
        value, _ = load_yaml_text(text, "<--set>")
    except ScenarioError:
        return text
    return value


def split_path(path: str) -> list:
    parts: list = []
    for piece in path.replace("]", "").split("."):
        if "[" in piece:
            head, *idx = piece.split("[")
            if head:
                parts.append(head)
            for i in idx:
                if not i.strip().isdigit():
                    raise ScenarioError(f"'{path}': expected a list index (a whole number >= 0) in [], got '{i}'",
                                        file="--set", field=path)
                parts.append(int(i))
        elif piece.isdigit() and parts and parts[-1] in ("events", "routes"):
            parts.append(int(piece))
        else:
            parts.append(piece)
    return parts


def value_at(scn: Scenario, path: str, dump: dict | None = None) -> Any:
    """The current value of the parameter at a dotted path (``events[3].cash_kusd_per_man``);
    ``dump``, if given, is ``scn.model_dump(mode="python")`` already made."""
    node: Any = scn.model_dump(mode="python") if dump is None else dump
    for part in split_path(path):
        node = node[part]
    return node


def set_path(data: dict, dump: dict, path: str, value: Any, file: str) -> None:
    """Set ``path`` in the raw data; the path must exist in the validated scenario ``dump``."""
    parts = split_path(path)
    node_dump: Any = dump
    for depth, part in enumerate(parts):
        ok = (isinstance(node_dump, dict) and part in node_dump) or (
            isinstance(node_dump, list) and isinstance(part, int) and 0 <= part < len(node_dump)
        )
        if not ok:
            here = dotted(parts[: depth + 1])
            choices = [dotted(parts[:depth] + [k]) for k in node_dump] if isinstance(node_dump, dict) else []
            raise ScenarioError(
                f"{path}: no parameter '{here}'{did_you_mean(here, choices)}",
                file="--set", field=here,
            )
        node_dump = node_dump[part]
    node: Any = data
    for depth, part in enumerate(parts[:-1]):
        if isinstance(node, dict):
            if part not in node or node[part] is None:
                node[part] = {} if not isinstance(parts[depth + 1], int) else []
            node = node[part]
        else:
            node = node[part]
    node[parts[-1]] = value


_IMMUTABLE = (str, int, float, bool, type(None))


def plain_copy(data: Any) -> Any:
    """A deep copy of data as YAML gives it (dicts, lists, text, numbers, true/false, null),
    about ten times faster than :func:`copy.deepcopy`, which the cross-checks call dozens of
    times a file (every sweep value and control is tried on a copy); anything else is copied by
    :func:`copy.deepcopy`."""
    if type(data) is dict:
        return {k: v if type(v) in _IMMUTABLE else plain_copy(v) for k, v in data.items()}
    if type(data) is list:
        return [v if type(v) in _IMMUTABLE else plain_copy(v) for v in data]
    if type(data) in _IMMUTABLE:
        return data
    return copy.deepcopy(data)


def copy_along(data: dict, path: str) -> dict:
    """A copy of ``data`` that :func:`set_path` may change at ``path``: the dicts and lists on
    the way are new, the rest is shared. The cross-checks try a value on a copy for every control
    and every value a sweep can take; a copy of the whole file each time was a quarter of their
    time. Data that is not plain YAML on the way is copied whole (:func:`plain_copy`)."""
    parts = split_path(path)
    top = dict(data)
    node: Any = top
    for part in parts[:-1]:  # the nodes set_path walks through (the last one it assigns in)
        if isinstance(node, dict):
            child = node.get(part) if part in node else None
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            child = node[part]
        else:
            break
        if type(child) is dict:
            child = dict(child)
        elif type(child) is list:
            child = list(child)
        elif isinstance(child, dict | list):
            return plain_copy(data)
        else:
            break  # set_path makes a new node here, or fails as it would on the whole copy
        node[part] = child
        node = child
    return top


def _dump_for_paths(scn: Scenario) -> dict:
    return scn.model_dump(mode="python")


def apply_overrides(raw: dict, scn: Scenario, overrides: dict[str, Any] | list[str], file: str) -> dict:
    """Return a copy of ``raw`` with ``overrides`` applied (paths checked against ``scn``)."""
    items: list[tuple[str, Any]] = []
    if isinstance(overrides, dict):
        items = list(overrides.items())
    else:
        for item in overrides:
            if "=" not in item:
                raise ScenarioError(f"expected path=value, got '{item}'", file="--set")
            k, v = item.split("=", 1)
            items.append((k.strip(), parse_value(v.strip())))
    out = plain_copy(raw)
    dump = _dump_for_paths(scn)
    for k, v in items:
        if k in ("seed", "name"):
            out[k] = v
            continue
        set_path(out, dump, k, v, file)
    return out


# ----------------------------------------------------------------------------- sweep and controls
def path_words(path: str) -> str:
    """A parameter's path in words: 'ruler.regime_strength' -> 'ruler regime strength',
    'challengers.wagner.guarantee_value' -> 'wagner guarantee value', 'institutions.army.ties'
    -> 'army ties', 'mediator.enabled' -> 'mediator enabled', 'events[3].severity' ->
    'events[3] severity', 'public.people_power' -> 'people power'."""
    parts = [p for p in path.split(".") if p]
    if not parts:
        return path
    head = parts[0]
    if head in ("challengers", "institutions", "units", "regions") and len(parts) >= 3:
        words = parts[1:]  # the entry's id names it
    elif head == "public" and len(parts) >= 2:
        words = parts[1:]
    else:
        words = parts
    return " ".join(words).replace("_", " ")


def _entry_name(node: Any, key: Any) -> str:
    """How a keyed or listed entry of a scenario names itself: its label or name, an event's
    type and time, else its id."""
    if isinstance(key, int) and hasattr(node, "type") and hasattr(node, "at"):
        return f"{str(node.type).replace('_', ' ')} at hour {float(node.at):g}"
    for attr in ("label", "name"):
        text = getattr(node, attr, "")
        if isinstance(text, str) and text:
            return text
    return str(key)


def param_label(scn: Scenario | None, path: str, given: str = "") -> str:
    """How figures and answers name a swept parameter: ``given`` (a ``label:`` in the sweep
    section) if there is one; else the schema's description of the field (its first clause),
    after the name of the entry it belongs to ('Yevgeny Prigozhin: ...', 'legitimacy shock at
    hour 51: delta'); else the path in words (:func:`path_words`)."""
    if given:
        return given
    if ".*." in path:  # a priors factor: one value for every entry that leaves the default
        section, field_name = path.split(".*.", 1)
        return f"{field_name.replace('_', ' ')} (all {section})"
    if scn is None:
        return path_words(path)
    try:
        parts = split_path(path)
    except ScenarioError:
        return path_words(path)
    node: Any = scn
    owner = ""
    info = None
    for part in parts:
        if isinstance(node, BaseModel) and isinstance(part, str) and part in type(node).model_fields:
            info = type(node).model_fields[part]
            node = getattr(node, part)
        elif isinstance(node, dict) and part in node or isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            owner = _entry_name(node, part)
        else:
            return path_words(path)
    field = str(parts[-1]).replace("_", " ")
    desc = (info.description or "").strip() if info is not None else ""
    text = re.split(r"[:;(]", desc, maxsplit=1)[0].strip() if desc else ""
    text = re.sub(r"\s+[A-Z]$", "", text)  # 'perceived regime strength S': the symbol is for the docs
    text = text if text and len(text) <= 48 else field
    if owner:
        return f"{owner}: {text}"
    if len(parts) >= 2 and text == field:
        return path_words(path)
    return text


# Checked here, with the rest of the file, because checking them validates trial values with
# validate_raw: in sim/sweep they made the loader and the designs import each other.
def field_kind(scn: Any, path: str, dump: dict | None = None) -> str:
    """'int', 'float', 'bool' or 'other' for the parameter at ``path`` (from its current value;
    ``dump``: ``scn.model_dump(mode="python")`` if already made)."""
    node = value_at(scn, path, dump)
    if isinstance(node, bool):
        return "bool"
    if isinstance(node, int):
        return "int"
    if isinstance(node, float):
        return "float"
    return "other"


def check_sweep(scn: Any, raw: dict, fail: Callable[[str, tuple], None], dump: dict | None = None) -> None:
    """Every swept path must exist, and every value the sweep can take must validate."""
    sw = scn.sweep
    if not sw.parameters:
        fail("a sweep needs at least one parameter", ("sweep", "parameters"))
    dump = _dump_for_paths(scn) if dump is None else dump
    base = {k: v for k, v in raw.items() if k != "sweep"}  # copied where a value is tried: copy_along
    for path, spec in sw.parameters.items():
        where = ("sweep", "parameters", path)
        if (spec.range is None) == (spec.values is None):
            fail("give either 'range: [low, high]' or 'values: [...]'", where)
        try:
            set_path(copy_along(base, path), dump, path, None, "<sweep>")
        except ScenarioError as err:
            fail(f"unknown parameter path: {err.message.split(': ', 1)[-1]}", where)
        kind = field_kind(scn, path, dump)
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
            trial = copy_along(base, path)
            value = int(v) if kind == "int" and isinstance(v, float) and v.is_integer() else v
            set_path(trial, dump, path, value, "<sweep>")
            try:
                validate_raw(trial, {}, "<sweep>")
            except ScenarioError as err:
                fail(f"value {v!r} is outside the parameter's domain: {err.message}", where)


def check_control(scn: Any, raw: dict, dump: dict, control: Any, fail: Callable[[str, tuple], None]) -> None:
    """A dashboard control must name an existing parameter; a slider needs min < max."""
    where = ("controls", 0, "path")
    try:
        set_path(copy_along(raw, control.path), dump, control.path, None, "<controls>")
    except ScenarioError as err:
        fail(f"unknown parameter path: {err.message.split(': ', 1)[-1]}", where)
    kind = field_kind(scn, control.path, dump)
    if kind in ("int", "float"):
        if control.min is None or control.max is None or not control.min < control.max:
            fail(f"a slider for '{control.path}' needs min < max", ("controls", 0, "min"))
    elif kind != "bool":
        fail(f"'{control.path}' is {kind}: only numbers (sliders) and true/false (switches) can be controls",
             where)


# ----------------------------------------------------------------------------- cross-checks
def _xref(scn: Scenario, raw: dict, pos: Positions, file: str, dump: dict | None = None) -> None:
    def fail(msg: str, path: tuple) -> None:
        f, line = _line_of(pos, path)
        raise ScenarioError(msg, file=f or file, line=line, field=dotted(path))

    names = list(scn.regions)
    capitals = [n for n, r in scn.regions.items() if r.capital]
    if len(capitals) != 1:
        fail(f"exactly one region must be the capital, found {len(capitals)}", ("regions",))
    for i, r in enumerate(scn.routes):
        for end in ("a", "b"):
            name = getattr(r, end)
            if name not in scn.regions:
                fail(f"route to '{name}', which is not a region{did_you_mean(name, names)}", ("routes", i, end))
    side = 2 * scn.public.vision + 1
    for name, r in scn.regions.items():
        if r.grid < side:
            fail(f"grid of {r.grid} cells is smaller than the vision needs ({side} = 2 x "
                 f"public.vision + 1)", ("regions", name, "grid"))
    insts = list(scn.institutions)
    sides = [RULER, *scn.challengers]
    for uid, u in scn.units.items():
        if u.region not in scn.regions:
            fail(f"unit placed in '{u.region}', which is not a region{did_you_mean(u.region, names)}",
                 ("units", uid, "region"))
        if u.institution not in scn.institutions:
            fail(f"unit of institution '{u.institution}', which is not declared under institutions"
                 f"{did_you_mean(u.institution, insts)}", ("units", uid, "institution"))
        if u.side not in (*sides, ASIDE):
            fail(f"unit backs '{u.side}', which is not a side: expected 'ruler', 'aside' or a challenger"
                 f"{did_you_mean(u.side, sides)}", ("units", uid, "side"))
        inst = scn.institutions.get(u.institution)
        if (u.air_arm if u.air_arm is not None else inst is not None and inst.air_arm) and u.reach_km <= 0:
            fail("an air unit needs a reach: set reach_km (km it can strike from its base)",
                 ("units", uid, "reach_km"))

    def region_field(value: str | None, path: tuple) -> None:
        if value is not None and value not in scn.regions:
            fail(f"'{value}' is not a region{did_you_mean(value, names)}", path)

    region_field(scn.ruler.seat, ("ruler", "seat"))
    region_field(scn.ruler.location, ("ruler", "location"))
    for cid, c in scn.challengers.items():
        if cid in (RULER, ASIDE):
            fail(f"'{cid}' is reserved: a challenger needs another id", ("challengers", cid))
        for key in ("seat", "target", "front_region"):
            region_field(getattr(c, key), ("challengers", cid, key))
        if c.blames is not None and c.blames not in scn.institutions:
            fail(f"'{c.blames}' is not an institution{did_you_mean(c.blames, insts)}", ("challengers", cid, "blames"))
        if c.enabled and c.mode == "march" and c.seat is None:
            fail("a marching challenger needs a seat: the region its column sets out from",
                 ("challengers", cid, "seat"))
        if c.enabled and c.mode == "march" and not any(u.side == cid for u in scn.units.values()):
            fail("a marching challenger needs forces: no unit has side: " + cid, ("challengers", cid, "mode"))
    if scn.sponsor.backs is not None and scn.sponsor.backs not in scn.challengers:
        fail(f"'{scn.sponsor.backs}' is not a challenger{did_you_mean(scn.sponsor.backs, list(scn.challengers))}",
             ("sponsor", "backs"))
    horizon = scn.time.horizon_days * 24.0
    for i, ev in enumerate(scn.events):
        if ev.at > horizon:
            fail(f"event at hour {ev.at:g} is after the horizon ({horizon:g} h = "
                 f"{scn.time.horizon_days:g} days)", ("events", i, "at"))
        for key in ("region",):
            name = getattr(ev, key, None)
            if name is not None and name not in scn.regions:
                fail(f"'{name}' is not a region{did_you_mean(name, names)}", ("events", i, key))
        for name in getattr(ev, "regions", []) or []:
            if name not in scn.regions:
                fail(f"'{name}' is not a region{did_you_mean(name, names)}", ("events", i, "regions"))
        for name in getattr(ev, "units", []) or []:
            if name not in scn.units:
                fail(f"'{name}' is not a unit{did_you_mean(name, scn.units)}", ("events", i, "units"))
        for key in ("actor", "backs"):
            actor = getattr(ev, key, None)
            allowed = sides if ev.type in ("rally_call", "leader_dies") else list(scn.challengers)
            if actor is not None and actor not in allowed:
                fail(f"'{actor}' is not a {'side' if ev.type in ('rally_call', 'leader_dies') else 'challenger'}"
                     f"{did_you_mean(actor, allowed)}", ("events", i, key))
            if actor is not None and actor in scn.challengers and not scn.challengers[actor].enabled:
                fail(f"'{actor}' is not enabled: set challengers.{actor}.enabled: true", ("events", i, key))
        inst = getattr(ev, "institution", None)
        if inst is not None and inst not in scn.institutions:
            fail(f"'{inst}' is not an institution{did_you_mean(inst, insts)}", ("events", i, "institution"))
    if scn.rules.disable:  # the registry imports the compiled rules (numba): only when needed
        from ..rules import RULES

        for i, rid in enumerate(scn.rules.disable):
            if rid not in RULES:
                fail(f"unknown rule '{rid}'{did_you_mean(rid, RULES)}; see 'regime-sim rules'",
                     ("rules", "disable", i))
    # the graph must connect every region to the capital (columns and reinforcements travel);
    # a breadth-first search, not networkx, whose import would cost 'validate' 0.2 s
    neighbours: dict[str, list[str]] = {n: [] for n in names}
    for r in scn.routes:
        neighbours[r.a].append(r.b)
        neighbours[r.b].append(r.a)
    reached, todo = {scn.capital}, [scn.capital]
    while todo:
        for m in neighbours[todo.pop()]:
            if m not in reached:
                reached.add(m)
                todo.append(m)
    for n in names:
        if n not in reached:
            fail(f"region '{n}' has no route to the capital '{scn.capital}'", ("regions", n))
    for i, c in enumerate(scn.controls):
        dump = dump or _dump_for_paths(scn)
        check_control(scn, raw, dump, c, lambda msg, path, i=i: fail(msg, ("controls", i) + path[2:]))
    if scn.sweep is not None and scn.sweep.answer_outcome is not None:
        from ..model.outcomes import OUTCOMES

        if scn.sweep.answer_outcome not in OUTCOMES:
            fail(f"unknown outcome '{scn.sweep.answer_outcome}'{did_you_mean(scn.sweep.answer_outcome, OUTCOMES)}",
                 ("sweep", "answer_outcome"))
    if scn.sweep is not None:
        check_sweep(scn, raw, lambda msg, path: fail(msg, path), dump)


# ----------------------------------------------------------------------------- memory and time
# Costs measured on the landed model (2 cores; tests/test_harden_limits.py re-measures them
# against a run's peak RSS). Each step appends a row to the series (a dict of every column)
# and a tuple per unit to the track; at the end both become DataFrames. Measured: baseline
# (12 regions, 35 units, 92 columns) holds 20.9 kB a step (316 MB over the start at 12,000
# steps, 902 MB at 40,000); a 4.5 M-cell grid 312 MB. Everything is float arithmetic so that
# an absurd horizon gives an absurd estimate, not an OverflowError.
#: bytes held per step: per series column, and per unit (the track)
ROW_BYTES_PER_COLUMN = 100.0
TRACK_BYTES_PER_UNIT = 330.0
#: bytes per grid cell (the grid arrays) and per citizen (the kernel's agent arrays)
CELL_BYTES = 16.0
AGENT_BYTES = 75.0
#: the interpreter with numpy, pandas, numba's kernel and Mesa loaded (263 MB), and the model
FIXED_BYTES = 320e6
#: seconds per step (fixed and per region) and per citizen-step of the population kernel, which
#: grows with the grid (cache misses). Measured on the 2-core VM (issue 15's kernel): 70-90 ns a
#: citizen-step on grids up to 250 x 250 (taken as 100), 113 ns at 400 x 400, 173 at 500 x 500,
#: 329 at 700 x 700, 560-600 at 1000 x 1000; a bundled scenario's step costs 13-380 us besides
#: (mobilization_2022, 12 regions, most). An upper estimate: 1.4-1.7x a bundled run's wall time where
#: its public is restless, more where calm regions stand still or the run ends early.
STEP_SECONDS = 2e-4
STEP_SECONDS_PER_REGION = 1.5e-5
CITIZEN_STEP_SECONDS = 1e-7
CITIZEN_STEP_SECONDS_PER_CELL = 5e-16
#: a run longer than this is refused: it would look hung (and a sweep multiplies it)
MAX_RUN_SECONDS = 6 * 3600.0


def series_columns(scn: Scenario) -> int:
    """Columns of a series row: about 20 national ones and 6 per region (92 for 12 regions)."""
    return 20 + 6 * len(scn.regions)


def _steps(scn: Scenario) -> float:
    return scn.time.horizon_days * 24.0 / scn.time.step_hours


def estimate_bytes(scn: Scenario) -> float:
    """Peak memory of one run (bytes), from measured costs: grids, citizens and the per-step rows."""
    cells = float(sum(r.grid * r.grid for r in scn.regions.values()))
    agents = cells * scn.public.density
    per_step = ROW_BYTES_PER_COLUMN * series_columns(scn) + TRACK_BYTES_PER_UNIT * len(scn.units)
    return cells * CELL_BYTES + agents * AGENT_BYTES + _steps(scn) * per_step + FIXED_BYTES


def estimate_seconds(scn: Scenario) -> float:
    """Wall time of one run (seconds) on one core, from measured costs."""
    public_steps = _steps(scn) * scn.time.step_hours / max(scn.public.interval_hours, scn.time.step_hours)
    citizen_steps = sum(float(r.grid) ** 2 * scn.public.density
                        * (CITIZEN_STEP_SECONDS + CITIZEN_STEP_SECONDS_PER_CELL * float(r.grid) ** 2)
                        for r in scn.regions.values())
    return (_steps(scn) * (STEP_SECONDS + STEP_SECONDS_PER_REGION * len(scn.regions))
            + public_steps * citizen_steps)


def duration(seconds: float) -> str:
    """A wall time in words: seconds, minutes, hours or days."""
    if seconds < 1:
        return "under a second"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:,.0f} days"


#: while :func:`validate_measuring_memory` runs, every memory estimate :func:`check_memory` makes
#: (the scenario's, and one for each value its sweep can take)
_memory_needs: contextvars.ContextVar[list[float] | None] = contextvars.ContextVar("memory_needs", default=None)


def check_memory(scn: Scenario, file: str, pos: Positions | None = None) -> None:
    """Refuse a run that would not fit in memory or would run for hours, with the estimate."""
    need = estimate_bytes(scn)
    needs = _memory_needs.get()
    if needs is not None:
        needs.append(need)
    have = available_bytes()
    secs = estimate_seconds(scn)
    cells = sum(r.grid * r.grid for r in scn.regions.values())
    steps = _steps(scn)
    grids = cells * (CELL_BYTES + scn.public.density * AGENT_BYTES)
    kernel = estimate_seconds(scn) - steps * (STEP_SECONDS + STEP_SECONDS_PER_REGION * len(scn.regions))
    # blame what drives the estimate that is over: the number of steps, or the size of the grids
    grids_drive = grids > need - grids - FIXED_BYTES if need > MEMORY_SHARE * have else kernel > secs - kernel
    field = ("regions",) if grids_drive else ("time", "horizon_days")
    f, line = _line_of(pos or {}, field)
    where = {"file": f or file, "line": line, "field": dotted(field)}
    size = f"{cells:,} grid cells, {steps:,.0f} steps of {scn.time.step_hours:g} h"
    if need > MEMORY_SHARE * have:
        raise ScenarioError(
            f"this scenario would need about {need / 1e9:,.1f} GB ({size}); this machine has "
            f"{have / 1e9:.1f} GB available. Expected a shorter horizon, a coarser step or smaller grids",
            **where,
        )
    if secs > MAX_RUN_SECONDS:
        raise ScenarioError(
            f"one run of this scenario would take about {duration(secs)} ({size}); the limit is "
            f"{duration(MAX_RUN_SECONDS)}. Expected a shorter horizon, a coarser step or smaller grids",
            **where,
        )


# ----------------------------------------------------------------------------- entry points
#: Largest magnitude a number in a scenario may have. The biggest real value is a population
#: (about 1.5e8); past this, products inside the model (policemen per man x strength, hours x
#: steps) overflow to infinity and end a run in an OverflowError.
MAX_MAGNITUDE = 1e12


def _numbers(node: Any, path: tuple = ()) -> typing.Iterator[tuple[tuple, float]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _numbers(v, path + (k,))
    elif isinstance(node, list | tuple):
        for i, v in enumerate(node):
            yield from _numbers(v, path + (i,))
    elif isinstance(node, float):
        yield path, node


def _all_finite(node: Any) -> bool:
    """No number in ``node`` fails :func:`check_numbers` (the same test, without the paths)."""
    todo = [node]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            todo.extend(node.values())
        elif isinstance(node, list | tuple):
            todo.extend(node)
        elif isinstance(node, float) and not (math.isfinite(node) and abs(node) <= MAX_MAGNITUDE):
            return False
    return True


def check_numbers(scn: Scenario, pos: Positions, file: str, dump: dict | None = None) -> None:
    """Every number in the validated scenario is finite and of a sensible size.

    Checked on the validated values, not the YAML, so it also catches what pydantic turns into
    numbers ('nan' as text, event times): an event at NaN would otherwise never fire and
    silently cancel every later event, and an infinite horizon would overflow the step count.
    """
    dump = scn.model_dump(mode="python") if dump is None else dump
    if _all_finite(dump):  # the usual case, at a fraction of the cost of walking every path
        return
    for path, value in _numbers(dump):
        if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
            f, line = _line_of(pos, path)
            raise ScenarioError(f"expected a finite number of at most {MAX_MAGNITUDE:g} in size, got {value!r}",
                                file=f or file, line=line, field=dotted(path))


def validate_raw(raw: dict, pos: Positions, file: str) -> Scenario:
    try:
        scn = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise _validation_error(exc, raw, pos, file) from None
    dump = scn.model_dump(mode="python")  # read by the checks below, never changed
    check_numbers(scn, pos, file, dump)
    # the memory and time check comes before the cross-checks: they validate every value a sweep
    # can take, and a scenario too big as it stands must be blamed on itself, not on a sweep value
    check_memory(scn, file, pos)
    _xref(scn, raw, pos, file, dump)
    return canonical(scn)


def validate_measuring_memory(raw: dict, pos: Positions, file: str) -> tuple[Scenario, float]:
    """:func:`validate_raw`, and the most memory any of its checks estimated: the only part of
    its verdict that depends on the machine (``verdicts.py`` checks it again when it recalls one)."""
    needs: list[float] = []
    token = _memory_needs.set(needs)
    try:
        scn = validate_raw(raw, pos, file)
    finally:
        _memory_needs.reset(token)
    return scn, max(needs)


def canonical(scn: Scenario) -> Scenario:
    """The scenario with its ``regions`` and ``units`` in order of id.

    The model iterates these dicts and draws random numbers as it goes, so their order is part
    of a run's random stream: canonical order makes a run depend on the scenario's content,
    its seed and the overrides, never on the order of keys in a file, a base file's order or
    a sweep's sorted copy of it (issue 13, exact replay). Lists (events, routes) keep their
    order: there it is content.
    """
    return scn.model_copy(update={"regions": dict(sorted(scn.regions.items())),
                                  "units": dict(sorted(scn.units.items()))})


def overridden_positions(pos: Positions, overrides: dict[str, Any] | list[str]) -> Positions:
    """Positions with every overridden path (and what lies under it) credited to ``--set``,
    so an error in an overridden value names the option, not the line of the file it replaced."""
    keys = list(overrides) if isinstance(overrides, dict) else [o.split("=", 1)[0].strip() for o in overrides]
    paths = [tuple(split_path(k)) for k in keys]
    out: Positions = {
        k: v for k, v in pos.items() if not any(k[: len(p)] == p for p in paths)
    }
    for p in paths:
        out[p] = ("--set", None)  # type: ignore[assignment]
    return out


def load_scenario_with_raw(
    path: str | Path, overrides: dict[str, Any] | list[str] | None = None
) -> tuple[Scenario, dict, Positions]:
    p = resolve_path(path)
    file = str(path)
    raw, pos = read_raw(p)
    scn = validate_raw(raw, pos, file)
    if overrides:
        raw = apply_overrides(raw, scn, overrides, file)
        pos = overridden_positions(pos, overrides)
        scn = validate_raw(raw, pos, file)
    return scn, raw, pos


def load_scenario(path: str | Path, overrides: dict[str, Any] | list[str] | None = None) -> Scenario:
    """Load, merge, override and validate a scenario file. Raises :class:`ScenarioError`."""
    return load_scenario_with_raw(path, overrides)[0]


def scenario_from_text(text: str, name: str = "<text>") -> Scenario:
    data, pos = load_yaml_text(text, name)
    if not isinstance(data, dict):
        raise ScenarioError("the top level must be a mapping of keys", file=name, line=1)
    if data.get("base"):
        base = _resolve_base(data["base"], Path(name))
        bdata, bpos = read_raw(base)
        bdata.pop("base", None)
        data = _deep_merge(bdata, data)
        pos = {**bpos, **pos}
    return validate_raw(data, pos, name)
