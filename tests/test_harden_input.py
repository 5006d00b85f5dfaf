"""Issue 14: bad input that used to end in a traceback, a hang or a silent wrong answer.

Every case is one line naming the file (or the option), the field and what was expected,
exit status 2, no traceback.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario

from .conftest import ROOT, TINY, cli, one_line

HEAD = "name: t\nbase: russia_2023\ndescription: {what_is_it: x}\n"


def _block_nesting(depth: int) -> str:
    return "name: t\n" + "".join(f"{'  ' * i}k{i}:\n" for i in range(depth)) + f"{'  ' * depth}v: 1\n"


@pytest.mark.parametrize("text,fragments", [
    ("name: t\nx: " + "[" * 400 + "]" * 400 + "\n", [":2:", "nested more than"]),
    (_block_nesting(350), ["nested more than"]),
    ("name: a\x07b\n", [":1:", "U+0007", "not allowed"]),
    (HEAD + "time: {horizon_days: .inf}\n", [":4:", "time.horizon_days", "finite number"]),
    (HEAD + "time: {horizon_days: 1e308}\n", [":4:", "time.horizon_days", "finite number"]),
    (HEAD + "public: {police_scale: 1e308}\n", [":4:", "public.police_scale", "finite number"]),
    (HEAD + "events:\n  - {at: .nan, type: defeat}\n", [":5:", "events[0].at", "finite number"]),
    # 10^7 days at 24 h steps passed the old estimate and grew past 8 GB
    (HEAD + "time: {horizon_days: 10000000, step_hours: 24}\n", [":4:", "time.horizon_days", "GB"]),
])
def test_bad_documents_give_one_line(tmp_path: Path, text: str, fragments: list[str]) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    t0 = time.perf_counter()
    line = one_line(cli("validate", str(f)), *fragments)
    assert str(f) in line
    assert time.perf_counter() - t0 < 60


def test_nan_event_time_is_refused_not_silently_cancelling_later_events() -> None:
    # before: the coup at NaN never fired and every later event was skipped with it
    with pytest.raises(ScenarioError, match="finite number") as err:
        load_scenario("scenarios/elite_coup.yaml", ["events[0].at=.nan"])
    assert err.value.field == "events[0].at" and err.value.file == "--set"
    with pytest.raises(ScenarioError, match="finite number"):
        load_scenario(TINY, ["sponsor.cash_kusd_per_man=inf"])  # text pydantic turns into a float


@pytest.mark.parametrize("sets,fragments", [
    (["events[x].severity=1"], ["--set", "events[x].severity", "list index"]),
    (["time.horizon_days=.inf"], ["--set", "time.horizon_days", "finite number"]),
    (["public.police_scale=1e308"], ["--set", "public.police_scale", "finite number"]),
    (["regions.Capital.legitimacy=2"], ["--set", "regions.Capital.legitimacy", "probability"]),
])
def test_set_errors_name_the_option_not_a_line_of_the_file(tmp_path: Path, sets: list[str],
                                                           fragments: list[str]) -> None:
    args = [a for s in sets for a in ("--set", s)]
    line = one_line(cli("run", str(TINY), *args, "--out", str(tmp_path / "o")), *fragments)
    assert "tiny.yaml:" not in line
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_a_link_to_dev_zero_is_refused_at_once(tmp_path: Path) -> None:
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError, match="not a regular file"):
        load_scenario(link)
    # and as a base it extends
    s = tmp_path / "s.yaml"
    s.write_text("name: s\nbase: zero.yaml\n")
    with pytest.raises(ScenarioError, match="not a regular file"):
        load_scenario(s)
    assert time.perf_counter() - t0 < 5


def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    res = cli("validate", str(fifo), timeout=60)
    one_line(res, str(fifo), "not a regular file")


def test_the_byte_limit_counts_bytes_read(tmp_path: Path, monkeypatch) -> None:
    from sim.scenario import yamlio

    f = tmp_path / "big.yaml"
    f.write_text("name: t\n" + "# padding\n" * 100)
    monkeypatch.setattr(yamlio, "MAX_BYTES", 200)
    with pytest.raises(ScenarioError, match="more than 200 bytes"):
        load_scenario(f)


def test_a_bundled_base_name_never_reaches_outside_the_bundled_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text((ROOT / "sim" / "data" / "russia_2023.yaml").read_text())
    sub = tmp_path / "sub"
    sub.mkdir()
    for base in ("../outside", str(tmp_path / "outside")):
        s = sub / "s.yaml"
        s.write_text(f"name: s\nbase: {base}\ndescription: {{what_is_it: x}}\n")
        with pytest.raises(ScenarioError, match="unknown base") as err:
            load_scenario(s)
        assert err.value.field == "base" and err.value.line == 2
    # a path that says it is a file is still allowed
    s.write_text("name: s\nbase: ../outside.yaml\ndescription: {what_is_it: x}\n")
    assert load_scenario(s).capital == "Moscow"


def test_a_symlinked_scenario_finds_its_base_beside_its_target(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "world.yaml").write_text(TINY.read_text())
    (real / "s.yaml").write_text("name: s\nbase: world.yaml\n")
    links = tmp_path / "links"
    links.mkdir()
    (links / "s.yaml").symlink_to(real / "s.yaml")
    assert load_scenario(links / "s.yaml").capital == "Capital"


def test_the_memory_refusal_blames_the_scenario_not_a_sweep_parameter(tmp_path: Path) -> None:
    f = tmp_path / "long.yaml"
    f.write_text(TINY.read_text().replace("horizon_days: 3", "horizon_days: 5000000"))
    with pytest.raises(ScenarioError, match="GB") as err:
        load_scenario(f)
    assert err.value.field == "time.horizon_days"
    assert "sweep" not in str(err.value)


def _pure_python(text: str, name: str) -> tuple:
    """What :func:`load_yaml_text` gives on PyYAML's pure-Python loader alone: the data and
    positions, or the error line."""
    from sim.scenario import yamlio

    saved, yamlio._CLoader = yamlio._CLoader, None
    try:
        return ("ok", yamlio.load_yaml_text(text, name))
    except ScenarioError as err:
        return ("error", str(err))
    finally:
        yamlio._CLoader = saved


@pytest.mark.skipif(not __import__("yaml").__with_libyaml__, reason="PyYAML without libyaml")
def test_the_libyaml_path_reads_what_the_pure_python_path_reads() -> None:
    """libyaml reads files about 20 times faster; where it takes a document, it must give the same
    data and the same line for every path, and a document that the pure-Python loader refuses
    (tabs in a value, '?' inside [...], too deep, a tag...) must go to it and get its error.
    Bundled files, and hundreds of seeded edits of them (characters YAML treats specially)."""
    import random

    from sim.scenario import yamlio

    files = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted((ROOT / "sim" / "data").glob("*.yaml")) + [TINY]
    texts = [f.read_text(encoding="utf-8") for f in files]
    for f, text in zip(files, texts, strict=True):
        fast = yamlio._load_fast(text, str(f))
        assert fast is not None, f"{f} did not take the libyaml path"
        assert ("ok", fast) == _pure_python(text, str(f)), f
    rng = random.Random(13)
    alphabet = " \t\n-:[]{},&*!?|>'\"#%@`ab0.\r\x85\u2028\ufeffé\\"
    small = [t[:2500] for t in texts if len(t) < 20_000]
    took = 0
    for _ in range(300):
        chars = list(rng.choice(small))
        for _ in range(rng.randint(1, 4)):
            k = rng.randrange(len(chars))
            if (op := rng.random()) < 0.4:
                chars[k] = rng.choice(alphabet)
            elif op < 0.7:
                chars.insert(k, rng.choice(alphabet))
            else:
                del chars[k]
        text = "".join(chars)
        fast = yamlio._load_fast(text, "x.yaml")
        if fast is not None:
            took += 1
            assert ("ok", fast) == _pure_python(text, "x.yaml"), text
    assert took > 30  # the edits left many documents that libyaml reads
