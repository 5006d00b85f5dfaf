"""``make bench``: every benchmark of the project, with the machine noted.

Performance is measured here, never by timed tests. Figures are ratios measured in one run
where there is something to compare against.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import (  # noqa: E402
    bench_calibrate,
    bench_engine_change,
    bench_epstein,
    bench_runs,
    bench_startup,
    bench_sweep,
)
from benchmarks.common import machine, print_table  # noqa: E402


def main() -> None:
    print(f"# regime-sim benchmarks\n\nmachine: {machine()}")
    print_table("Start-up of the quick commands (a fresh process each, median of 7; limit 0.5 s)",
                bench_startup.main())
    print_table("One default run of each bundled scenario (1 core)", bench_runs.main())
    print_table("Engine of issue 10: before and after (1 core, same seeds)", bench_engine_change.main())
    print_table("Epstein Model I: the Epstein mode vs Mesa's example (1 core)", bench_epstein.main())
    print_table("Sweep throughput (wagner_mutiny_2023's sweep)", bench_sweep.throughput())
    print_table("Sweep memory (three-region test world, 2 workers)", bench_sweep.memory())
    print_table("Calibration: runs per second of each case's scenario (1 core)", bench_calibrate.sims_per_second())
    print_table("Calibration: the mutiny, 100 particles x 4 generations, 2 workers", bench_calibrate.calibration())
    print_table("Calibration: parameter recovery, 20 synthetic replicas (tiny world)", bench_calibrate.recovery())


if __name__ == "__main__":
    main()
