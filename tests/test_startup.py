"""Fast start (issue 13): the quick commands import only what they need.

Not a timing test (timings belong to ``make bench``: ``benchmarks/bench_startup.py``); this
checks the cause of a slow start, the import set, in a fresh interpreter per command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: the heavy stack: each costs 0.2-1 s and tens of MB to import
HEAVY = ("mesa", "pandas", "matplotlib", "numba", "numpy", "scipy", "networkx", "sim.model.model", "sim.runner")

# Runs `regime-sim ARGS` in this interpreter and prints, on stderr's last line, which of the
# watched modules (HEAVY unless told) it imported (as JSON). stdout is discarded by the caller.
PROBE = """
import json, runpy, sys
heavy = json.loads(sys.argv[1])
sys.argv = ['regime-sim', *sys.argv[2:]]
code = 0
try:
    runpy.run_module('sim', run_name='__main__', alter_sys=True)
except SystemExit as exc:
    code = exc.code or 0
sys.__stderr__.write('\\n' + json.dumps({'code': code, 'heavy': [m for m in heavy if m in sys.modules]}))
"""


def imported(*args: str, watch: tuple[str, ...] = HEAVY, env: dict[str, str] | None = None) -> list[str]:
    res = subprocess.run([sys.executable, "-c", PROBE, json.dumps(watch), *args], cwd=ROOT,
                         env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=120, check=False)
    report = json.loads(res.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, res.stderr
    return report["heavy"]


def test_importing_the_command_line_imports_no_heavy_module() -> None:
    code = f"import json, sys, sim.cli; print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))"
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         check=True)
    assert json.loads(res.stdout) == []


@pytest.mark.parametrize("args", [["--help"], ["list"], ["validate", "scenarios/wagner_mutiny_2023.yaml"],
                                  ["validate", "tests/data/tiny.yaml"], ["schema"], ["run", "--help"],
                                  ["sweep", "--help"]], ids=" ".join)
def test_quick_commands_import_no_heavy_module(args: list[str]) -> None:
    assert imported(*args) == []


def test_help_imports_no_pydantic_and_no_module_only_a_command_needs() -> None:
    """--help (and so every command's start) needs typer: no pydantic (sim/clitools.py), no
    sockets or ctypes (the dashboard's command), no OpenSSL (hashlib: the patterns' command)."""
    assert imported("--help", watch=("pydantic", "socket", "ctypes", "hashlib", "rich.table")) == []


def test_the_commands_annotations_are_objects_not_text() -> None:
    """typer reads every command's parameters on each start; annotations kept as text (``from
    __future__ import annotations`` in a command's module) it compiles and evaluates, twice:
    0.05-0.1 s of every command, --help included."""
    import inspect

    from sim.cli import app

    for info in app.registered_commands:
        sig = inspect.signature(info.callback)
        texts = [n for n, p in sig.parameters.items() if isinstance(p.annotation, str)]
        assert not texts, f"{info.callback.__module__}.{info.callback.__name__}: {texts} annotated as text"


def test_validate_recalls_a_file_it_found_valid_without_pydantic(tmp_path: Path) -> None:
    """The schema (pydantic) is built to validate a file, not to recall that an unchanged file
    is valid (sim/scenario/verdicts.py); with no cache it is built every time."""
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    args = ("validate", "tests/data/tiny.yaml", "scenarios/wagner_mutiny_2023.yaml")
    assert imported(*args, watch=("pydantic",), env=env) == ["pydantic"]
    assert imported(*args, watch=("pydantic",), env=env) == []
    assert imported(*args, watch=("pydantic",), env={**env, "REGIME_SIM_NO_CACHE": "1"}) == ["pydantic"]


def test_rules_imports_no_model_and_no_data_stack() -> None:
    assert imported("rules") == []  # numba and numpy included: the rules are plain Python


def test_rules_imports_no_pydantic_and_no_table_layout() -> None:
    """The rule listing needs the registry only: the schema's docs module (pydantic) is for
    --markdown, and rich's table layout cost 0.3 s for the same text."""
    assert imported("rules", watch=("pydantic", "sim.docs_gen", "rich.table")) == []


@pytest.mark.parametrize("args", [["rules"], ["rules", "--markdown"]], ids=" ".join)
def test_rules_imports_no_numba(args: list[str]) -> None:
    """The public's rules are plain Python; only the population kernel compiles them."""
    assert "numba" not in imported(*args)


def test_the_probe_sees_a_heavy_import(tmp_path: Path) -> None:
    """The check can fail: running a scenario does import the model."""
    heavy = imported("run", "tests/data/tiny.yaml", "--no-figures", "--quiet", "--out", str(tmp_path / "run"))
    assert "sim.model.model" in heavy and "pandas" in heavy


def test_the_schema_text_is_kept_until_what_it_is_made_from_changes(tmp_path: Path, monkeypatch) -> None:
    """`schema` prints text kept from its last call (sim/cache.py): the same text as made afresh,
    made again when a file of the package (its fingerprint) changes, and made when the cache
    cannot be written."""
    from sim import cache
    from sim.docs_gen import file_json_schema

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert cache.cached_text("t", lambda: "first") == "first"
    assert cache.cached_text("t", lambda: "second") == "first"
    monkeypatch.setattr(cache, "fingerprint", lambda kind: "another")
    assert cache.cached_text("t", lambda: "third") == "third"
    assert [p.name for p in (tmp_path / "cache" / "regime-sim").iterdir()] == ["t-another.txt"]
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache" / "regime-sim" / "t-another.txt"))  # a file
    assert cache.cached_text("t", lambda: "fourth") == "fourth"
    env = {**__import__("os").environ, "XDG_CACHE_HOME": str(tmp_path / "cli")}
    for _ in range(2):  # made, then read back
        res = subprocess.run([sys.executable, "-m", "sim", "schema"], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=120, check=True)
        assert res.stdout == json.dumps(file_json_schema(), indent=2) + "\n"


def test_validate_starts_without_typer_or_rich() -> None:
    """`regime-sim validate FILE...` runs before the command line is imported (sim/quick.py):
    typer, rich and the packages' command modules are 0.2 s of CPU, a third of the command."""
    watch = ("typer", "rich", "sim.cli", "sim.clitools")
    assert imported("validate", "tests/data/tiny.yaml", watch=watch, env={"REGIME_SIM_NO_CACHE": "1"}) == []
    assert imported("validate", "--", "tests/data/tiny.yaml", watch=watch) == list(watch)  # typer's


def test_the_quick_path_takes_only_file_names() -> None:
    from sim.quick import validate_files

    assert validate_files(["validate", "a.yaml", "b c.yaml"]) == ["a.yaml", "b c.yaml"]
    for args in (["validate"], ["validate", "--help"], ["validate", "a.yaml", "-x"], ["validate", "--", "a.yaml"],
                 ["run", "a.yaml"], ["--help"], [], ["validate", "a\udcff.yaml"]):
        assert validate_files(args) is None, args


def test_the_quick_path_prints_what_the_command_prints(tmp_path: Path) -> None:
    """Through sim/quick.py and through typer's `validate` (sim/cli.py), the same bytes on
    stdout and stderr and the same exit status: valid files, names that rich's markup and emoji
    codes change (printed with rich), a tab, an invalid file after valid ones."""
    tiny = (ROOT / "tests" / "data" / "tiny.yaml").read_text()
    for i, name in enumerate(["plain", "br[ack]et", "x:fire:y", "tab\\tname", "Москва", "[bold]b[/bold]"]):
        (tmp_path / f"{i}.yaml").write_text(tiny.replace("name: tiny", f'name: "{name}"', 1))
    (tmp_path / "[red]x:fire:.yaml").write_text(tiny)
    (tmp_path / "bad.yaml").write_text(tiny.replace("seed: 3", "seed: -3", 1))
    files = sorted(str(p) for p in tmp_path.iterdir() if p.name != "bad.yaml")
    env = {**os.environ, "REGIME_SIM_NO_CACHE": "1"}
    for args in (files, [*files[:2], str(tmp_path / "bad.yaml"), files[0]], [str(tmp_path / "missing.yaml")]):
        quick = subprocess.run([sys.executable, "-m", "sim", "validate", *args], cwd=ROOT, env=env,
                               capture_output=True, timeout=120, check=False)
        typer_ = subprocess.run([sys.executable, "-c", "from sim.cli import main; main()", "validate", *args],
                                cwd=ROOT, env=env, capture_output=True, timeout=120, check=False)
        assert (quick.returncode, quick.stdout, quick.stderr) == (typer_.returncode, typer_.stdout, typer_.stderr)
        assert quick.returncode == (0 if args is files else 2)


def test_validate_does_not_look_for_pydantic_plugins() -> None:
    """With pydantic's plugins off (the command line's default) `validate` does not import the
    plugin loader's importlib.metadata (email, zipfile, socket, ...: 30-50 ms, sim/quick.py);
    plugins named to leave out are pydantic's own loader's business."""
    env = {"REGIME_SIM_NO_CACHE": "1"}
    watch = ("importlib.metadata",)
    assert imported("validate", "tests/data/tiny.yaml", watch=watch, env=env) == []
    assert imported("validate", "tests/data/tiny.yaml", watch=watch,
                    env={**env, "PYDANTIC_DISABLE_PLUGINS": "a_plugin"}) == ["importlib.metadata"]


@pytest.mark.parametrize("quick", [True, False])
def test_an_error_on_line_100_names_the_line_not_an_emoji(tmp_path: Path, quick: bool) -> None:
    # rich reads ":100:" as an emoji code unless told not to; both ways of running validate
    lines = (ROOT / "scenarios" / "egypt_2011.yaml").read_text().splitlines()
    assert "strength: " in lines[99]
    lines[99] = lines[99].replace("strength: ", "strength: lots_", 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text("\n".join(lines) + "\n")
    args = ["validate", str(bad)] if quick else ["validate", "--", str(bad)]
    res = subprocess.run([sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, env={**os.environ, "REGIME_SIM_NO_CACHE": "1"})
    assert res.returncode == 2
    assert f"{bad}:100: units.army_suez.strength: expected a whole number" in res.stderr, res.stderr
