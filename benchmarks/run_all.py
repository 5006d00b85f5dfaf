"""``make bench``: every benchmark of the project, with the machine noted.

Performance is measured here, never by timed tests. Figures are ratios measured in one run
where there is something to compare against. Every table is also saved, with the machine and
its load average, in ``benchmarks/results/latest.json``; ``--readme README.md`` then rewrites
the README's performance table from it (:mod:`benchmarks.readme_table`). ``--only`` runs some
sections and keeps the others' last results in that file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import (  # noqa: E402
    bench_calibrate,
    bench_engine_change,
    bench_epstein,
    bench_runs,
    bench_startup,
    bench_sweep,
)
from benchmarks.common import machine, print_table  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "latest.json"


def _sweeps() -> dict[str, list[dict]]:
    return {"sweep_startup": bench_sweep.worker_startup(), **bench_sweep.throughput()}


# section -> (what it measures, how); a function returns rows, or {table name: rows}
SECTIONS: dict[str, tuple[str, Callable[[], object]]] = {
    "startup": ("Start-up of the quick commands (a fresh process each, median of 7; limit 0.5 s)",
                bench_startup.main),
    "runs": ("One default run of each bundled scenario (1 core)", bench_runs.main),
    "run_phases": ("Where a default run's time goes (ms a run, mean of 5 seeds, 1 core), beside issue 15's goal",
                   bench_runs.phases),
    "engine_change": ("Engine of issue 10: before and after (1 core, same seeds)", bench_engine_change.main),
    "epstein": ("Epstein Model I: the Epstein mode vs Mesa's example (1 core)", bench_epstein.main),
    "sweep": ("Sweeps of the mutiny (wagner_mutiny_2023's sweep)", _sweeps),
    "sweep_memory": ("Sweep memory (three-region test world, 2 workers)", bench_sweep.memory),
    "calibrate_speed": ("Calibration: runs per second of each case's scenario (1 core)",
                        bench_calibrate.sims_per_second),
    "calibration": ("Calibration: the mutiny, 500 particles x 6 generations, 2 workers (limit 30 min, 1 GB)",
                    bench_calibrate.calibration),
    "recovery": ("Calibration: parameter recovery, 20 synthetic replicas (tiny world)", bench_calibrate.recovery),
}
TITLES = {"sweep_startup": "Worker start-up (seconds until workers can run)",
          "sweeps": "Sweep throughput (wagner_mutiny_2023's sweep; wall time includes workers' start-up)",
          "goals": "Sweep goals (ratios of wall times measured back to back, one round each)"}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=list(SECTIONS), help="run only these sections")
    parser.add_argument("--readme", type=Path, help="rewrite this README's performance table from the results")
    opts = parser.parse_args(argv)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() and opts.only else {"tables": {}}
    load = os.getloadavg()[0]
    print(f"# regime-sim benchmarks\n\nmachine: {machine()}; load average {load:.2f}")
    for name, (title, fn) in SECTIONS.items():
        if opts.only and name not in opts.only:
            continue
        out = fn()
        tables = out if isinstance(out, dict) else {name: out}
        for key, rows in tables.items():
            print_table(TITLES.get(key, title), rows)
            results["tables"][key] = {"title": TITLES.get(key, title), "rows": rows,
                                      "load_average": [load, os.getloadavg()[0]],
                                      "measured": dt.datetime.now(dt.UTC).isoformat(timespec="minutes")}
    results["machine"] = machine()
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, default=float) + "\n")
    print(f"results: {RESULTS.relative_to(ROOT)}")
    if opts.readme:
        from benchmarks.readme_table import rewrite

        rewrite(opts.readme, results)
        print(f"performance table rewritten in {opts.readme}")


if __name__ == "__main__":
    main()
