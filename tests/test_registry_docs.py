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



@pytest.mark.parametrize("width", [None, 80], ids=["pipe", "terminal-80"])
def test_the_rules_command_lists_every_rule_in_full(width: int | None) -> None:
    """`regime-sim rules` prints every rule's id, statement, evidence and literature, uncut: one
    line each down a pipe, wrapped within the terminal's width on a terminal."""
    import io

    from rich.console import Console

    from sim.cli import rules_listing

    out = io.StringIO()
    Console(file=out, width=200, highlight=False, soft_wrap=True).print(rules_listing(width), markup=True)
    text = out.getvalue()
    lines = text.splitlines()
    if width is not None:
        assert max(map(len, lines)) <= width
        text = re.sub(r"\s+", " ", text)  # a wrapped entry reads the same with its breaks as spaces
    for r in RULES.values():
        assert r.id in lines, r.id
        for entry in (r.statement, *r.literature, *(f'{e.source} ({e.grade}): "{e.quote}"' for e in r.evidence)):
            assert (entry if width is None else re.sub(r"\s+", " ", entry)) in text, (r.id, entry)
