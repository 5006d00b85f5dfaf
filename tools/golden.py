"""Golden results: a fingerprint of every table a run makes, for fixed scenarios and seeds.

    .venv/bin/python tools/golden.py            # compare the quick set with tests/data/golden.json
    .venv/bin/python tools/golden.py --all      # compare every stored run (slower: a minute or so)
    .venv/bin/python tools/golden.py --update   # recompute and store them all (only from code you trust)
    .venv/bin/python tools/golden.py --add      # store only the cases not yet stored (a new scenario)

A speed-up must not change a single number for a given seed. Each run's tables (series,
track, events, stances, units) are hashed from their raw bytes (floats bit for bit, NaN
included), and its measures from their exact ``repr``; the outcome is stored in plain text so a
mismatch says at once whether the story changed or only a digit. ``tests/test_golden.py``
checks the quick set (a few seconds); ``--all`` adds more seeds and the long runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOLDEN = ROOT / "tests" / "data" / "golden.json"
TABLES = ("series", "track", "events", "stances", "units")

#: (scenario, seed) checked by the test: every bundled scenario and the test worlds with more
#: than one challenger, at seeds chosen so that together they take a few seconds and still
#: cover open challenges, stance changes, marches, coups, protests and a call-up.
QUICK: list[tuple[str, int]] = [
    ("baseline", 1),
    ("egypt_2011", 1),
    ("elite_coup", 1), ("elite_coup", 3),
    ("mass_protest", 1), ("mass_protest", 2),
    ("mechanism_backfire", 1),
    ("mechanism_counter_rally", 1),
    ("mechanism_give_up", 1),
    ("mechanism_make_a_fact", 1),
    ("mechanism_outrage_spreads", 1),
    ("mechanism_pay_and_immunity", 1),
    ("mechanism_propaganda", 1),
    ("mechanism_purge", 1),
    ("mechanism_reappearance", 1),
    ("mechanism_recruit", 1),
    ("mechanism_ruler_pay", 1),
    ("mobilization_2022", 3),
    ("romania_1989", 1),
    ("turkey_2016", 1), ("turkey_2016", 2),
    ("wagner_mutiny_2023", 1), ("wagner_mutiny_2023", 2), ("wagner_mutiny_2023", 3),
    ("zimbabwe_2017", 1),
    ("tests/data/tiny.yaml", 1),
    ("tests/data/three_way.yaml", 1),
    ("tests/data/two_mutinies.yaml", 1),
]
#: more seeds for ``--all`` (the long runs of the call-up among them)
EXTRA: list[tuple[str, int]] = [
    ("baseline", 2),
    ("egypt_2011", 2), ("egypt_2011", 3),
    ("elite_coup", 2),
    ("mass_protest", 3),
    ("mechanism_backfire", 2),
    ("mechanism_counter_rally", 2),
    ("mechanism_give_up", 2),
    ("mechanism_make_a_fact", 2),
    ("mechanism_outrage_spreads", 2),
    ("mechanism_pay_and_immunity", 2),
    ("mechanism_propaganda", 2),
    ("mechanism_purge", 2),
    ("mechanism_reappearance", 2),
    ("mechanism_recruit", 2),
    ("mechanism_ruler_pay", 2),
    ("mobilization_2022", 1), ("mobilization_2022", 2),
    ("romania_1989", 2),
    ("turkey_2016", 3),
    ("wagner_mutiny_2023", 4), ("wagner_mutiny_2023", 5),
    ("zimbabwe_2017", 2),
    ("tests/data/tiny.yaml", 2),
    ("tests/data/three_way.yaml", 2),
    ("tests/data/two_mutinies.yaml", 2),
]


def _hash_frame(df) -> str:  # noqa: ANN001 - a pandas DataFrame
    """sha256 of a table: its columns, and each column's values as raw bytes (numbers) or reprs."""
    h = hashlib.sha256()
    h.update(repr(list(df.columns)).encode())
    h.update(repr(len(df)).encode())
    for name in df.columns:
        col = df[name]
        h.update(str(col.dtype).encode())
        if col.dtype.kind in "biuf":
            h.update(np.ascontiguousarray(col.to_numpy()).tobytes())
        else:
            h.update(repr(col.tolist()).encode())
    return h.hexdigest()


def fingerprint(scenario: str, seed: int) -> dict:
    """The outcome in plain text and a hash of the measures and of each table of one run."""
    import sim

    path = ROOT / scenario if scenario.endswith(".yaml") else scenario
    res = sim.run(sim.load_scenario(path), seed=seed)
    measures = json.dumps({k: repr(v) for k, v in res.measures.items()}, sort_keys=True)
    out = {"outcome": res.outcome, "steps": res.steps,
           "measures": hashlib.sha256(measures.encode()).hexdigest()}
    for name in TABLES:
        out[name] = _hash_frame(getattr(res, name))
    return out


def key(scenario: str, seed: int) -> str:
    return f"{scenario}@{seed}"


def load() -> dict:
    return json.loads(GOLDEN.read_text())


def compare(cases: list[tuple[str, int]]) -> list[str]:
    """Lines describing every difference from the stored fingerprints (empty: all identical)."""
    stored = load()
    bad = []
    for scenario, seed in cases:
        want = stored.get(key(scenario, seed))
        if want is None:
            bad.append(f"{key(scenario, seed)}: not in {GOLDEN.name} (run --update)")
            continue
        got = fingerprint(scenario, seed)
        diff = [k for k in want if got.get(k) != want[k]]
        if diff:
            bad.append(f"{key(scenario, seed)}: {', '.join(diff)} differ (outcome {want['outcome']} -> "
                       f"{got['outcome']}, steps {want['steps']} -> {got['steps']})")
    return bad


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--update", action="store_true", help="recompute and store every case")
    ap.add_argument("--add", action="store_true",
                    help="compute and store only the cases not yet stored; every stored one stays as it is")
    ap.add_argument("--all", action="store_true", help="compare every stored case, not only the quick set")
    args = ap.parse_args(argv)
    if args.update:
        data = {key(s, n): fingerprint(s, n) for s, n in QUICK + EXTRA}
        GOLDEN.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        print(f"wrote {len(data)} runs to {GOLDEN.relative_to(ROOT)}")
        return 0
    if args.add:
        data = load()
        new = [key(s, n) for s, n in QUICK + EXTRA if key(s, n) not in data]
        for s, n in QUICK + EXTRA:
            if key(s, n) in new:
                data[key(s, n)] = fingerprint(s, n)
        GOLDEN.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        print(f"added {len(new)} runs to {GOLDEN.name}: {', '.join(new) or 'none'}")
        return 0
    bad = compare(QUICK + EXTRA if args.all else QUICK)
    for line in bad:
        print(line)
    print("identical" if not bad else f"{len(bad)} runs differ")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
