"""Start-up of the quick commands: ``regime-sim --help``, ``list``, ``validate``, ``schema``,
``rules`` (issue 13: at most 0.5 s each).

Each command runs as a fresh ``python -m sim`` process from this checkout, several times; the
median wall time and the peak memory (max RSS) are reported, with the modules of the heavy
stack that the command imported. ``python benchmarks/bench_startup.py --root DIR`` times
another checkout (e.g. ``git worktree add /tmp/before HEAD~5``) the same way, for a before/after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_S = 0.5
COMMANDS = {
    "--help": ["--help"],
    "list": ["list"],
    "validate": ["validate", "scenarios/wagner_mutiny_2023.yaml"],
    "schema": ["schema"],
    "rules": ["rules"],
}
#: validate recalls a file it found valid (sim/scenario/verdicts.py); a new or edited file is
#: validated, as it is with the cache off: timed too
NO_CACHE = {"validate, not remembered": ["validate", "scenarios/wagner_mutiny_2023.yaml"]}
#: what a quick command should not need (each costs 0.1-1 s to import)
HEAVY = ("mesa", "pandas", "matplotlib", "numba", "scipy", "networkx", "numpy")
PROBE = ("import runpy, sys; sys.argv = ['regime-sim', *sys.argv[1:]]\n"
         "try:\n    runpy.run_module('sim', run_name='__main__', alter_sys=True)\n"
         "except SystemExit:\n    pass\n"
         f"sys.__stderr__.write(' '.join(m for m in {HEAVY!r} if m in sys.modules))")


def _env(root: Path, cache: bool = True) -> dict[str, str]:
    # the first run of each command writes __pycache__ for the timed ones: an environment that
    # says PYTHONDONTWRITEBYTECODE would time compiling every module of a fresh checkout instead
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "REGIME_SIM_NO_CACHE")}
    return {**env, "PYTHONPATH": str(root), "COLUMNS": "100", **({} if cache else {"REGIME_SIM_NO_CACHE": "1"})}


def time_once(args: list[str], root: Path, cache: bool = True) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, max RSS in MB) of one ``python -m sim ARGS``.

    CPU time (user + system) is reported beside the wall time because on a shared machine
    the wall time also counts the time spent waiting for a core."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=root, env=_env(root, cache),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"python -m sim {' '.join(args)} exited with {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def heavy_imports(args: list[str], root: Path, cache: bool = True) -> str:
    res = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=root, env=_env(root, cache),
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    return res.stderr.strip().splitlines()[-1] if res.stderr.strip() else "-"


def main(runs: int = 7, root: Path = ROOT) -> list[dict]:
    rows = []
    commands = [(name, args, True) for name, args in COMMANDS.items()]
    commands += [(name, args, False) for name, args in NO_CACHE.items()]
    for name, args, cache in commands:
        time_once(args, root, cache)  # warm the file cache and __pycache__
        samples = [time_once(args, root, cache) for _ in range(runs)]
        walls = [w for w, _, _ in samples]
        median = statistics.median(walls)
        rows.append({
            "command": f"regime-sim {name}",
            "median s": median,
            "min s": min(walls),
            "max s": max(walls),
            "CPU s (median)": statistics.median(c for _, c, _ in samples),
            "max RSS MB": max(m for _, _, m in samples),
            f"<= {LIMIT_S:g} s": "yes" if median <= LIMIT_S else "NO",
            "heavy modules imported": heavy_imports(args, root, cache) or "-",
        })
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from benchmarks.common import machine, print_table

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout to time (default: this one)")
    parser.add_argument("--runs", type=int, default=7)
    opts = parser.parse_args()
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f}")
    print_table(f"Start-up of the quick commands ({opts.runs} runs each, {opts.root})",
                main(opts.runs, opts.root.resolve()))
