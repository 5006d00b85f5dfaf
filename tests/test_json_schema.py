"""`regime-sim schema` emits a JSON Schema (Draft 2020-12) that accepts every valid scenario
file - whole worlds and partial files merged onto a base - and still catches typos, bad values,
bad times and unknown event types; `docs/parameters.md` lists every section, event type and
outcome."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

jsonschema = pytest.importorskip("jsonschema")

from .conftest import DATA, ROOT  # noqa: E402

BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted((ROOT / "sim" / "data").glob("*.yaml"))
TEST_FILES = sorted(DATA.glob("*.yaml"))


def _cli(*args: str) -> str:
    from typer.testing import CliRunner

    from sim.cli import app

    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def file_schema() -> dict:
    return json.loads(_cli("schema"))


@pytest.fixture(scope="module")
def validator(file_schema: dict):
    return jsonschema.Draft202012Validator(file_schema)


def _jsonable(value):
    """YAML 1.1 reads an unquoted `2016-07-15 22:00` as a timestamp; the project's loader (and
    YAML 1.2 editors) keep it text, so it is compared as text here."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return value


def _read(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return _jsonable(yaml.safe_load(fh))


def _problems(validator, doc) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message[:200]}"
            for e in validator.iter_errors(doc)]


def _loads(doc: dict, name: str) -> bool:
    """Whether the loader (merge, pydantic, cross-checks) accepts ``doc``."""
    from sim.scenario.errors import ScenarioError
    from sim.scenario.loader import scenario_from_text

    try:
        scenario_from_text(yaml.safe_dump(doc, sort_keys=False), name)
    except ScenarioError:
        return False
    return True


# ----------------------------------------------------------------------------- the schema itself
def test_the_schema_is_valid_draft_2020_12(file_schema: dict) -> None:
    assert file_schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(file_schema)


def test_model_option_prints_the_plain_model_schema() -> None:
    from sim.scenario.schema import Scenario

    assert json.loads(_cli("schema", "--model")) == Scenario.model_json_schema()


def test_every_model_is_closed(file_schema: dict) -> None:
    """Typos stay errors: every object of the schema, partial ones too, forbids unknown keys."""
    for name, d in file_schema["$defs"].items():
        if "properties" in d:
            assert d.get("additionalProperties") is False, name


# ----------------------------------------------------------------------------- valid files
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bundled_files_are_accepted(validator, path: Path) -> None:
    doc = _read(path)
    if path.parent.name == "data" and not (isinstance(doc, dict) and "name" in doc and "description" in doc):
        pytest.skip(f"sim/data/{path.name} is not a scenario base")
    assert _problems(validator, doc) == []


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: p.name)
def test_test_data_files_are_accepted(validator, path: Path) -> None:
    from sim.scenario.errors import ScenarioError
    from sim.scenario.loader import load_scenario

    try:
        load_scenario(path)
    except ScenarioError:
        pytest.skip(f"{path.name} is meant to be invalid (the loader rejects it)")
    assert _problems(validator, _read(path)) == []


def _tiny() -> dict:
    return _read(DATA / "tiny.yaml")


def _overlay() -> dict:
    """A partial file on the bundled base, as the scenarios are written."""
    return {
        "name": "overlay",
        "base": "russia_2023",
        "description": {"things_to_try": ["nothing"]},  # what_is_it comes from the base
        "ruler": {"regime_strength": 0.6},
        "units": {"smd_command": {"grievance": 0.35}},
        "events": [{"at": "day 1 02:00", "type": "ultimatum", "actor": "wagner"}],
        "challengers": {"wagner": {"enabled": True, "popularity": 0.5}},
    }


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d,
        lambda d: d["units"].update(smd_command=None),  # removes an inherited unit
        lambda d: d.update(mediator=None),  # an inherited section back to its defaults
        lambda d: d.update(regions={"Moscow": {"legitimacy": 0.8}}),
        lambda d: d["events"][0].update(at=36),
        lambda d: d["events"][0].update(at="1.5d"),
        lambda d: d["events"][0].update(at="36h"),
        lambda d: d["events"][0].update(at="Day 2"),
    ],
    ids=["partial", "null-entry", "null-section", "partial-region", "at-number", "at-days",
         "at-hours", "at-day"],
)
def test_partial_files_on_a_base_are_accepted(validator, change) -> None:
    doc = _overlay()
    change(doc)
    assert _problems(validator, doc) == []
    assert _loads(doc, str(ROOT / "scenarios" / "overlay.yaml")), "the loader should accept it too"


# ----------------------------------------------------------------------------- invalid files
def _first_unit(d: dict) -> dict:
    return next(iter(d["units"].values()))


@pytest.mark.parametrize(
    "base, change",
    [
        (_tiny, lambda d: d["ruler"].update(regime_strenght=0.5)),  # unknown key
        (_tiny, lambda d: d.update(colour="red")),  # unknown top-level key
        (_tiny, lambda d: _first_unit(d).update(strength=-5)),  # negative strength
        (_tiny, lambda d: d["events"][0].update(at="day one")),  # bad time text
        (_tiny, lambda d: d["events"][0].update(at="36")),  # a text time needs a unit
        (_tiny, lambda d: d["events"][0].update(at=-1)),  # negative time
        (_tiny, lambda d: d["events"][0].update(type="earthquake")),  # unknown event type
        (_tiny, lambda d: d["events"][0].pop("type")),  # no event type
        (_tiny, lambda d: d.pop("regions")),  # a whole world needs its regions
        (_tiny, lambda d: _first_unit(d).pop("strength")),  # ... and complete units
        (_overlay, lambda d: d["units"]["smd_command"].update(grievanse=0.3)),  # typo in a partial entry
        (_overlay, lambda d: d["units"].update(new_unit={"strength": -1})),  # negative strength
        (_overlay, lambda d: d["events"][0].update(at="tomorrow")),  # bad time text
        (_overlay, lambda d: d["events"][0].update(type="earthquake")),  # unknown event type
        (_overlay, lambda d: d["events"][0].pop("at")),  # list items stay complete
        (_overlay, lambda d: d["challengers"]["wagner"].update(mode="parade")),  # not a mode
    ],
    ids=["unknown-key", "unknown-top-key", "negative-strength", "bad-at", "at-without-unit",
         "negative-at", "unknown-event", "event-without-type", "no-regions", "unit-without-strength",
         "overlay-typo", "overlay-negative-strength", "overlay-bad-at", "overlay-unknown-event",
         "overlay-event-without-at", "overlay-bad-mode"],
)
def test_invalid_documents_are_rejected(validator, base, change) -> None:
    doc = copy.deepcopy(base())
    assert _problems(validator, doc) == [], "the unchanged document must be valid"
    change(doc)
    assert _problems(validator, doc), "the schema should reject it"
    name = str(ROOT / "scenarios" / "x.yaml") if doc.get("base") else "x.yaml"
    assert not _loads(doc, name), "the loader should reject it too"


@pytest.mark.parametrize(
    "value",
    [0, 36, 1.5, "36h", "36 h", "1.5d", "2D", "day 2 06:00", "Day 1", " day 3 ", "day 10 23:59",
     "36", "h36", "day", "tomorrow", "day 1 6", "1,5d", -1, True, None],
)
def test_time_schema_agrees_with_parse_at(file_schema: dict, value) -> None:
    """The `at` pattern is derived from parse_at's regex; the two agree on what they take
    (parse_at's range checks - day >= 1, a clock time - are left to the loader)."""
    from sim.scenario.schema import parse_at

    try:
        parse_at(value)
        parsed = True
    except (ValueError, TypeError):
        parsed = False
    events = file_schema["$defs"][file_schema["else"]["$ref"].split("/")[-1]]["properties"]["events"]
    at_schema = {"$defs": file_schema["$defs"], **events["items"]}
    ok = not any(jsonschema.Draft202012Validator(at_schema).iter_errors(
        {"at": value, "type": "propaganda"}))
    assert ok == parsed, f"schema {'accepts' if ok else 'rejects'} {value!r}, parse_at {'accepts' if parsed else 'rejects'} it"


# ----------------------------------------------------------------------------- parameters.md
def test_parameters_md_lists_every_section_event_and_outcome() -> None:
    from sim.docs_gen import _sections, params_markdown
    from sim.model.outcomes import LABELS, MEANINGS, OUTCOMES, Outcome
    from sim.scenario.schema import EVENT_TYPES, Scenario

    md = params_markdown()
    headings = [line for line in md.splitlines() if line.startswith("#")]
    for path, cls in _sections(Scenario):
        heads = [h for h in headings if f"({cls.__name__})" in h and f"`{path or '(top level)'}`" in h]
        assert heads, f"no section for {path or '(top level)'} ({cls.__name__})"
        block = md.split(heads[0], 1)[1].split("\n#", 1)[0]
        for name in cls.model_fields:
            assert f"| `{name}` |" in block, f"{path}.{name} is not documented"
    for section in ("institutions.<id>", "units.<id>", "ruler", "challengers.<id>", "mediator",
                    "sponsor", "public", "elites", "time", "outputs", "events[i]"):
        assert any(f"`{section}`" in h for h in headings), section
    for t in EVENT_TYPES:
        assert any(f"`type: {t}`" in h for h in headings), f"event type {t} is not documented"
    for oid in OUTCOMES:
        row = f"| `{oid}` | {LABELS[Outcome(oid)]} | {MEANINGS[Outcome(oid)]} |"
        assert row in md, f"outcome {oid} is not documented"


def test_parameters_md_is_fresh() -> None:
    from sim.docs_gen import params_markdown

    assert (ROOT / "docs" / "parameters.md").read_text() == params_markdown(), (
        "docs/parameters.md is stale: run `regime-sim schema --markdown > docs/parameters.md`")
