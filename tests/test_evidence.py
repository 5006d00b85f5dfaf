"""Every cited passage is graded (`states` or `context`), quotes the words of its source,
belongs to a registered rule; every rule has an entry; docs/sources.md names every source."""

from __future__ import annotations

import os
import re

import pytest
import yaml

from sim.rules import RULES
from sim.rules.registry import GRADES, SOURCES

from .conftest import ROOT
from .conftest import SOURCES as SOURCE_DIR

EVIDENCE = ROOT / "sim" / "data" / "evidence.yaml"


def _table() -> dict:
    return yaml.safe_load(EVIDENCE.read_text(encoding="utf-8")) or {}


def _passages() -> list[tuple[str, dict]]:
    return [(rid, e) for rid, items in _table().items() for e in (items or ())]


def _norm(text: str) -> str:  # as tests/test_registry_docs.py: typographic quotes and line breaks aside
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text)


def test_every_passage_has_a_grade() -> None:
    passages = _passages()
    assert passages, "sim/data/evidence.yaml cites no passage"
    ungraded = [(rid, e.get("quote")) for rid, e in passages if e.get("grade") not in GRADES]
    assert not ungraded, f"passages without a grade in {GRADES}: {ungraded}"
    # the registry carries the grade read from the YAML
    for r in RULES.values():
        for e in r.evidence:
            assert e.grade in GRADES, (r.id, e.quote)


def test_literature_only_means_no_passage_states_the_rule() -> None:
    for r in RULES.values():
        assert r.literature_only == (not any(e.grade == "states" for e in r.evidence)), r.id
    assert any(r.literature_only for r in RULES.values()) and not all(r.literature_only for r in RULES.values())


def test_every_passage_quotes_its_source_word_for_word() -> None:
    if not SOURCE_DIR.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SOURCE_DIR} is missing; under CI=true shared/sources sits beside the checkout")
        pytest.skip("shared/sources is not beside this checkout")
    texts = {k: _norm((SOURCE_DIR / v).read_text(encoding="utf-8")) for k, v in SOURCES.items()}
    for rid, e in _passages():
        source, quote = str(e["source"]), str(e["quote"])
        assert source in SOURCES, f"{rid}: unknown source {source!r}"
        assert quote.strip() and _norm(quote) in texts[source], f"{rid}: not in {SOURCES[source]}: {quote!r}"


def test_every_yaml_rule_is_registered_and_every_rule_has_an_entry() -> None:
    table = _table()
    stale = sorted(set(table) - set(RULES))
    missing = sorted(set(RULES) - set(table))
    assert not stale, f"sim/data/evidence.yaml cites rules that are not registered: {stale}"
    assert not missing, f"registered rules with no entry in sim/data/evidence.yaml (an empty list will do): {missing}"
    for rid, items in table.items():
        assert items is None or isinstance(items, list), rid


def test_docs_sources_md_names_every_source() -> None:
    text = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    for key, name in SOURCES.items():
        assert f"`{key}`" in text, f"docs/sources.md does not name the source id {key}"
        assert name in text, f"docs/sources.md does not name the file {name}"
