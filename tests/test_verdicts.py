"""`regime-sim validate` remembers the files it found valid (sim/scenario/verdicts.py): an
unchanged file's verdict is recalled, anything that could change it is validated afresh, and an
invalid file always gets the loader's own error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim import cache
from sim.scenario import loader, verdicts
from sim.scenario.errors import ScenarioError

from .conftest import TINY


@pytest.fixture
def kept(tmp_path: Path, monkeypatch) -> Path:
    """An empty cache of this test's own; the folder where its tables go."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("REGIME_SIM_NO_CACHE", raising=False)
    return tmp_path / "cache" / "regime-sim"


def _no_validation(*args, **kwargs):
    raise AssertionError("validated again")


def _error(fn, *args) -> str:
    with pytest.raises(ScenarioError) as err:
        fn(*args)
    return str(err.value)


def test_a_valid_file_is_recalled_with_what_validation_found(kept: Path, monkeypatch) -> None:
    scn = loader.load_scenario(TINY)
    first = verdicts.validate_file(TINY)
    assert (first.name, first.regions, first.units, first.events, first.steps) == (
        scn.name, len(scn.regions), len(scn.units), len(scn.events), scn.steps)
    assert first.memory_bytes >= loader.estimate_bytes(scn)
    monkeypatch.setattr(loader, "validate_measuring_memory", _no_validation)
    assert verdicts.validate_file(str(TINY)) == first  # the same data by another spelling of its path
    assert [p.name for p in kept.iterdir()] == [f"validated-{cache.fingerprint('validated')}.json"]


def test_a_changed_file_or_base_is_validated_afresh(kept: Path, tmp_path: Path) -> None:
    base = tmp_path / "world.yaml"
    base.write_text(TINY.read_text())
    f = tmp_path / "scenario.yaml"
    f.write_text("base: world.yaml\nname: mine\n")
    assert verdicts.validate_file(f).name == "mine"
    f.write_text("base: world.yaml\nname: mine\nseed: -1\n")
    assert _error(verdicts.validate_file, f) == _error(loader.load_scenario, f)
    f.write_text("base: world.yaml\nname: mine\n")
    assert verdicts.validate_file(f).name == "mine"
    base.write_text(TINY.read_text().replace("grid: 15", "grid: 2", 1))  # the file itself unchanged
    message = _error(verdicts.validate_file, f)
    assert message == _error(loader.load_scenario, f) and "grid" in message


def test_an_invalid_file_is_never_kept(kept: Path, tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(TINY.read_text().replace("seed: 3", "seed: -3"))
    for _ in range(2):
        assert _error(verdicts.validate_file, f) == _error(loader.load_scenario, f)
    assert not kept.exists() or not list(kept.iterdir())


def test_a_recalled_verdict_is_checked_against_the_memory_available_now(kept: Path, monkeypatch) -> None:
    verdicts.validate_file(TINY)
    monkeypatch.setattr(verdicts, "available_bytes", lambda: 100_000_000)
    monkeypatch.setattr(loader, "available_bytes", lambda: 100_000_000)
    message = _error(verdicts.validate_file, TINY)
    assert message == _error(loader.load_scenario, TINY) and "GB available" in message


def test_the_memory_a_sweeps_values_need_counts_too(kept: Path, tmp_path: Path, monkeypatch) -> None:
    """A sweep's values are validated with the scenario (a grid of 3000 cells a side needs
    0.9 GB): the verdict holds only while the largest of them fits."""
    f = tmp_path / "sweep.yaml"
    f.write_text(f"base: {TINY}\nsweep: {{parameters: {{regions.Capital.grid: {{values: [15, 3000]}}}}}}\n")
    verdict = verdicts.validate_file(f)
    assert verdict.memory_bytes > 2 * loader.estimate_bytes(loader.load_scenario(TINY))
    monkeypatch.setattr(verdicts, "available_bytes", lambda: 1e9)
    monkeypatch.setattr(loader, "available_bytes", lambda: 1e9)
    message = _error(verdicts.validate_file, f)
    assert message == _error(loader.load_scenario, f) and "value 3000 is outside" in message


def test_other_code_or_no_cache_validates_afresh(kept: Path, monkeypatch) -> None:
    verdicts.validate_file(TINY)
    monkeypatch.setattr(cache, "fingerprint", lambda kind: "other-code")
    calls = []
    real = loader.validate_measuring_memory
    monkeypatch.setattr(loader, "validate_measuring_memory", lambda *a: calls.append(a) or real(*a))
    verdicts.validate_file(TINY)
    assert len(calls) == 1 and [p.name for p in kept.iterdir()] == ["validated-other-code.json"]
    monkeypatch.setenv("REGIME_SIM_NO_CACHE", "1")
    monkeypatch.setattr(cache, "fingerprint", lambda kind: "third")
    verdicts.validate_file(TINY)
    verdicts.validate_file(TINY)
    assert len(calls) == 3 and [p.name for p in kept.iterdir()] == ["validated-other-code.json"]


def test_a_damaged_table_is_only_slower(kept: Path) -> None:
    verdicts.validate_file(TINY)
    (table,) = kept.iterdir()
    key = next(iter(json.loads(table.read_text())))
    for text in ("{not json", "[1, 2]", json.dumps({key: {"name": 1}})):
        table.write_text(text)
        assert verdicts.validate_file(TINY).name == "tiny"


def test_a_table_keeps_the_keys_remembered_last(kept: Path) -> None:
    for i in range(4):
        cache.remember("t", str(i), i, keep=2)
    cache.remember("t", "2", 20, keep=2)  # remembered again: now the latest
    cache.remember("t", "4", 4, keep=2)
    assert [cache.recall("t", str(i)) for i in range(5)] == [None, None, 20, None, 4]
