"""The rule registry is complete, cites real words from every source, and the generated
docs in docs/ are not stale."""

from __future__ import annotations

import re

import pytest

from sim.docs_gen import params_markdown, rules_markdown
from sim.rules import RULES
from sim.rules.registry import MECHANISMS, SOURCES

from .conftest import ROOT
from .conftest import SOURCES as SOURCE_DIR


def _norm(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text)


def test_every_mechanism_has_a_rule_and_every_source_is_cited() -> None:
    mechanisms = {r.mechanism for r in RULES.values()}
    for m in MECHANISMS:
        assert m in mechanisms, f"no rule for the mechanism '{m}'"
    cited = {e.source for r in RULES.values() for e in r.evidence}
    assert cited == set(SOURCES)


def test_every_rule_is_documented() -> None:
    for r in RULES.values():
        assert r.statement and r.when_off, r.id
        # grounded in a passage of the sources or in the literature, or it says it is an assumption
        assert r.evidence or r.literature or r.statement.startswith("An assumption"), \
            f"{r.id} cites neither a source passage nor the literature, and does not say it is an assumption"
        assert re.fullmatch(r"[a-z]+\.[a-z_]+", r.id), r.id


def test_the_evidence_table_names_only_registered_rules() -> None:
    import yaml

    table = yaml.safe_load((ROOT / "sim" / "data" / "evidence.yaml").read_text(encoding="utf-8")) or {}
    stale = sorted(set(table) - set(RULES))
    assert not stale, f"sim/data/evidence.yaml cites rules that do not exist: {stale}"
    for rid, items in table.items():
        for e in items or ():
            assert str(e["source"]) in SOURCES and str(e["quote"]).strip(), rid


@pytest.mark.skipif(not SOURCE_DIR.exists(), reason="shared/sources is not beside this checkout")
def test_quotes_are_exact_words_of_the_sources() -> None:
    texts = {k: _norm((SOURCE_DIR / v).read_text()) for k, v in SOURCES.items()}
    for r in RULES.values():
        for e in r.evidence:
            assert _norm(e.quote) in texts[e.source], f"{r.id}: quote not found in {e.file}: {e.quote!r}"


def test_docs_rules_md_is_fresh() -> None:
    assert (ROOT / "docs" / "rules.md").read_text() == rules_markdown(), "run `make docs`"


def test_docs_parameters_md_is_fresh() -> None:
    assert (ROOT / "docs" / "parameters.md").read_text() == params_markdown(), "run `make docs`"


def test_every_numeric_parameter_has_a_unit_and_a_source() -> None:
    from sim.docs_gen import _models
    from sim.scenario.schema import Scenario

    for prefix, cls in _models(Scenario, "", set()):
        for name, f in cls.model_fields.items():
            if f.annotation in (int, float):
                extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
                assert extra.get("unit") and extra.get("source"), f"{prefix}.{name} lacks a unit or source"
