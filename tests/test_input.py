"""Bad input: one line naming file, line and field; exit status 2; no traceback."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario, scenario_from_text

HEAD = "name: t\nbase: russia_2023\ndescription: {what_is_it: x}\n"

CASES = {
    # file name: (content, expected fragments of the one-line error)
    "binary.yaml": (b"\x00\x01\x02", ["binary"]),
    "syntax.yaml": ("name: x\n  bad: [1,2\n", [":2:", "YAML syntax error"]),
    "empty.yaml": ("", ["empty"]),
    "toplist.yaml": ("- a\n- b\n", [":1:", "must be a mapping"]),
    "unknown.yaml": (HEAD + "publik: {}\n", [":4:", "publik", "did you mean 'public'"]),
    "duplicate.yaml": ("name: t\nname: u\n", [":2:", "duplicate key 'name'"]),
    "type.yaml": (HEAD + "public: {vision: seven}\n", [":4:", "public.vision", "whole number"]),
    "prob.yaml": (HEAD + "regions:\n  Moscow: {legitimacy: 1.3}\n", [":5:", "regions.Moscow.legitimacy", "probability in [0, 1]"]),
    "negative.yaml": (HEAD + "units:\n  taman_division: {strength: -5}\n", [":5:", "strength", "at least 0"]),
    "route.yaml": (HEAD + "routes:\n  - {a: Moscow, b: Moskow, km: 10}\n", [":5:", "routes[0].b", "did you mean 'Moscow'"]),
    "island.yaml": (HEAD + "regions:\n  Island: {population: 1000, pos: [10, 10]}\n",
                    [":5:", "regions.Island", "no route to the capital 'Moscow'"]),
    "late.yaml": (HEAD + "time: {horizon_days: 2}\nevents:\n  - {at: 'day 5', type: defeat}\n", [":6:", "events[0].at", "after the horizon"]),
    "evtype.yaml": (HEAD + "events:\n  - {at: 3, type: defaet}\n", [":5:", "did you mean 'defeat'"]),
    "tag.yaml": ("name: !!python/object/apply:os.system ['echo hacked']\n", [":1:", "not allowed"]),
    "rule.yaml": (HEAD + "rules: {disable: [units.stance_choise]}\n", [":4:", "did you mean 'units.stance_choice'"]),
    "sweep_path.yaml": (HEAD + "sweep:\n  parameters:\n    public.visio: {range: [1, 5]}\n", [":6:", "did you mean 'public.vision'"]),
    "sweep_domain.yaml": (HEAD + "sweep:\n  parameters:\n    regions.Moscow.legitimacy: {values: [0.5, 1.2]}\n", [":6:", "outside the parameter's domain"]),
    "control.yaml": (HEAD + "controls:\n  - {path: public.visio, label: x, min: 1, max: 2}\n",
                     [":5:", "controls[0].path", "did you mean 'public.vision'"]),
    # sides, institutions and actors (issue 10, bad input)
    "unit_side.yaml": (HEAD + "units:\n  taman_division: {side: rebels}\n",
                       [":5:", "units.taman_division.side", "'rebels', which is not a side"]),
    "unit_side_typo.yaml": (HEAD + "units:\n  taman_division: {side: plotter}\n",
                            [":5:", "units.taman_division.side", "did you mean 'plotters'"]),
    "unit_institution.yaml": (HEAD + "units:\n  frigate: {institution: navy, region: Moscow, strength: 10}\n",
                              [":5:", "units.frigate.institution", "'navy', which is not declared under institutions"]),
    "march_no_seat.yaml": (HEAD + "challengers:\n  rebels: {name: the rebels, mode: march}\n",
                           [":5:", "challengers.rebels.seat", "needs a seat"]),
    "march_no_forces.yaml": (HEAD + "challengers:\n  rebels: {name: the rebels, mode: march, seat: Tula}\n",
                             [":5:", "challengers.rebels", "needs forces", "no unit has side: rebels"]),
    "challenger_target.yaml": (HEAD + "challengers:\n  wagner: {enabled: true, target: Moskva}\n",
                               [":5:", "challengers.wagner.target", "'Moskva' is not a region"]),
    "route_region.yaml": (HEAD + "routes:\n  - {a: Tula, b: Atlantis, km: 10}\n",
                          [":5:", "routes[0].b", "'Atlantis', which is not a region"]),
    "event_actor.yaml": (HEAD + "events:\n  - {at: 3, type: challenge, actor: wagnr}\n",
                         [":5:", "events[0].actor", "'wagnr' is not a challenger", "did you mean 'wagner'"]),
    "event_actor_institution.yaml": (HEAD + "events:\n  - {at: 3, type: provocation, actor: army}\n",
                                     [":5:", "events[0].actor", "'army' is not a challenger"]),
    "rally_nobody.yaml": (HEAD + "events:\n  - {at: 3, type: rally_call}\n",
                          [":5:", "events[0].actor", "required field is missing"]),
    "rally_unknown_side.yaml": (HEAD + "events:\n  - {at: 3, type: rally_call, actor: army}\n",
                                [":5:", "events[0].actor", "'army' is not a side"]),
    "rally_aside.yaml": (HEAD + "events:\n  - {at: 3, type: rally_call, actor: aside}\n",
                         [":5:", "events[0].actor", "'aside' is not a side"]),
    "huge.yaml": (HEAD + "regions:\n" + "".join(f"  {r}: {{grid: 5000}}\n" for r in (
        "Moscow", "St Petersburg", "Tula", "Lipetsk", "Voronezh", "Belgorod", "Rostov-on-Don", "Dagestan",
        "Chechnya", "Rest of Russia", "Siberia and Far East")), ["would need about", "GB"]),
}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_gives_one_line_and_exit_2(tmp_path: Path, name: str) -> None:
    content, fragments = CASES[name]
    f = tmp_path / name
    f.write_bytes(content if isinstance(content, bytes) else content.encode())
    res = _cli("validate", str(f))
    assert res.returncode == 2, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.stderr
    assert str(f) in lines[0]
    for frag in fragments:
        assert frag in lines[0], (frag, lines[0])


def test_alias_bomb_is_refused_fast(tmp_path: Path) -> None:
    rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=False):
        rows.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    f = tmp_path / "bomb.yaml"
    f.write_text("\n".join(rows) + "\n")
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError, match="alias"):
        load_scenario(f)
    assert time.perf_counter() - t0 < 2.0


def test_tag_never_runs_code(tmp_path: Path) -> None:
    marker = tmp_path / "hacked"
    f = tmp_path / "tag.yaml"
    f.write_text(f"name: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(ScenarioError):
        load_scenario(f)
    assert not marker.exists()


def test_missing_file_and_bad_set_and_unwritable_out(tmp_path: Path) -> None:
    res = _cli("run", str(tmp_path / "nope.yaml"))
    assert res.returncode == 2 and "no such file" in res.stderr and "Traceback" not in res.stderr
    res = _cli("run", "tests/data/tiny.yaml", "--set", "public.visoin=3")
    assert res.returncode == 2 and "did you mean 'public.vision'" in res.stderr
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = _cli("run", "tests/data/tiny.yaml", "--out", str(blocker / "sub"))
    assert res.returncode == 2 and "cannot write" in res.stderr and "Traceback" not in res.stderr
    # nothing was computed, nothing was written
    assert not (blocker.parent / "sub").exists()


def test_set_overrides_values_and_rejects_bad_values() -> None:
    scn = load_scenario("tests/data/tiny.yaml", ["public.vision=5", "regions.Capital.legitimacy=0.7",
                                                 "events[2].severity=0.9", "seed=11"])
    assert scn.public.vision == 5
    assert scn.regions["Capital"].legitimacy == 0.7
    assert scn.events[2].severity == 0.9
    assert scn.seed == 11
    with pytest.raises(ScenarioError, match="probability"):
        load_scenario("tests/data/tiny.yaml", ["regions.Capital.legitimacy=2"])


def test_event_times_parse() -> None:
    from sim.scenario.schema import parse_at

    assert parse_at(36) == 36.0
    assert parse_at("36h") == 36.0
    assert parse_at("1.5d") == 36.0
    assert parse_at("day 2 06:30") == 30.5
    for bad in ("day 0", "tomorrow", "day 1 25:00", -1):
        with pytest.raises(ValueError):
            parse_at(bad)


def test_scenario_from_text_uses_the_bundled_base() -> None:
    scn = scenario_from_text(HEAD)
    assert scn.capital == "Moscow" and "wagner_assault_a" in scn.units
