"""Every number decided: each numeric default of the schema is sourced (the figure and where it
is stated, an article's figure word for word), assumed with a range that holds the default and
lies within the field's bounds, world data, or a run setting; `assumed_parameters()` lists the
assumed ones with paths that resolve on a real scenario."""

from __future__ import annotations

import os
import re

import pytest

from sim.scenario.params import (
    ARTICLES,
    Assumed,
    Data,
    Setting,
    Sourced,
    assumed,
    param,
    provenance_of,
    setting,
    sourced,
)
from sim.scenario.schema import assumed_parameters, walk_fields

from .conftest import SOURCES as SOURCE_DIR
from .conftest import TINY


def _numeric_fields():
    return [(path, f) for path, _cls, _name, f in walk_fields() if f.annotation in (int, float)]


def _bounds(f) -> dict[str, float]:
    out = {}
    for m in f.metadata:
        for key in ("ge", "gt", "le", "lt"):
            if getattr(m, key, None) is not None:
                out[key] = getattr(m, key)
    return out


def test_every_numeric_field_has_a_provenance() -> None:
    fields = _numeric_fields()
    assert len(fields) > 100  # the walk reaches the sections, the mappings' entries and every event type
    missing = [path for path, f in fields if provenance_of(f) is None]
    assert not missing, f"numeric fields declared without sourced/assumed/data/setting: {missing}"


def test_every_assumed_range_holds_its_default_and_keeps_within_the_fields_bounds() -> None:
    n = 0
    for path, _cls, _name, f in walk_fields():
        prov = provenance_of(f)
        if not isinstance(prov, Assumed):
            continue
        n += 1
        assert prov.reason.strip(), path
        assert prov.low < prov.high, path
        assert prov.low <= f.default <= prov.high, f"{path}: default {f.default} outside [{prov.low}, {prov.high}]"
        b = _bounds(f)
        assert prov.low >= b.get("ge", -float("inf")) and prov.low > b.get("gt", -float("inf")), path
        assert prov.high <= b.get("le", float("inf")) and prov.high < b.get("lt", float("inf")), path
    assert n == len(assumed_parameters())


def test_only_world_values_are_data_and_only_run_choices_are_settings() -> None:
    kinds = {path: provenance_of(f) for path, f in _numeric_fields()}
    data_paths = sorted(p for p, k in kinds.items() if isinstance(k, Data))
    assert data_paths and all(re.match(r"(regions|routes|units|events)\b", p) for p in data_paths), data_paths
    for path, f in _numeric_fields():
        if isinstance(kinds[path], Data):
            assert f.is_required(), f"{path}: a value with a model default is not world data; source or assume it"
    settings = sorted(p for p, k in kinds.items() if isinstance(k, Setting))
    allowed = re.compile(r"^(seed|time\.|outputs\.|sweep\.|regions\.<id>\.grid$)")
    assert all(allowed.match(p) for p in settings), settings


def test_param_refuses_a_number_nobody_decided() -> None:
    with pytest.raises(TypeError):
        param(0.5, "-", "assumed")  # a free-text note is not a provenance
    with pytest.raises(TypeError):
        param(..., "men", assumed(0, 10, "x"))  # a required field is world data
    with pytest.raises(ValueError, match="outside"):
        param(0.5, "-", assumed(0.6, 0.9, "the default is not in its own range"))
    with pytest.raises(ValueError, match="bound"):
        param(0.5, "-", assumed(0.0, 1.5, "beyond the field's bound"), ge=0, le=1)
    with pytest.raises(ValueError, match="bound"):
        param(1.0, "h", assumed(0.0, 2.0, "a strict bound"), gt=0)
    with pytest.raises(ValueError):
        assumed(1.0, 1.0, "an empty range")
    with pytest.raises(ValueError):
        assumed(0.0, 1.0, " ")
    with pytest.raises(ValueError):
        sourced("001", "", "nowhere")
    f = param(0.5, "-", assumed(0.1, 0.9, "ok"), ge=0, le=1)
    assert f.json_schema_extra["range"] == [0.1, 0.9]
    assert provenance_of(param(1, "-", setting("a seed"))) == Setting("a seed")


def _norm(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text)


def test_an_articles_figure_is_its_words() -> None:
    from sim.rules.registry import SOURCES

    assert ARTICLES == SOURCES  # the same ids as the rules' evidence
    cited = [(path, prov) for path, f in _numeric_fields()
             if isinstance(prov := provenance_of(f), Sourced) and prov.is_article]
    assert cited, "no default is sourced from the articles"
    if not SOURCE_DIR.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SOURCE_DIR} is missing")
        pytest.skip("shared/sources is not beside this checkout")
    for path, prov in cited:
        text = _norm((SOURCE_DIR / ARTICLES[prov.source]).read_text(encoding="utf-8"))
        assert _norm(prov.figure) in text, f"{path}: {prov.figure!r} is not in article {prov.source}"


def test_assumed_parameters_name_paths_that_resolve_on_a_scenario(tiny) -> None:
    from sim.scenario.loader import value_at

    params = assumed_parameters()
    paths = {p.path for p in params}
    for expected in ("elites.fact_bonus", "units.<id>.fear", "challengers.<id>.recruit_per_day",
                     "events[<defeat>].severity", "public.exit_rate_per_day"):
        assert expected in paths
    assert "public.vision" not in paths  # sourced (Epstein 2002)
    first = {"<id>": None}
    for p in params:
        if "[<" in p.path:
            continue
        concrete = p.path
        if "<id>" in concrete:
            section = concrete.split(".")[0]
            entries = getattr(tiny, section)
            if not entries:
                continue
            first["<id>"] = sorted(entries)[0]
            concrete = concrete.replace("<id>", first["<id>"])
        value = value_at(tiny, concrete)
        assert isinstance(value, int | float) and not isinstance(value, bool), p.path
        assert p.unit and p.reason and p.low < p.high
        assert p.integer == (type(p.default) is int), p.path


def test_a_scenario_file_that_leaves_a_default_gets_it(tiny) -> None:
    # the tiny world gives no fear for any unit: the assumed default applies
    default = next(p.default for p in assumed_parameters() if p.path == "units.<id>.fear")
    assert {u.fear for u in tiny.units.values()} == {default}
    assert TINY.exists()
