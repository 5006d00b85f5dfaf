"""`make mutation`: the mutation score of the engine's decision, outcome, kernel and sweep-store code.

Cosmic Ray (https://cosmic-ray.readthedocs.io) makes the mutants and keeps the session (one
SQLite work database per module, readable with ``cr-report`` and ``cr-html``); this script
runs each mutant's tests. Two things make that feasible on two loaded cores:

* each module is tested only by the tests that exercise it (``TARGETS``), with ``-x``;
* a mutant's tests run in a child forked from a process that has already imported the heavy
  libraries (numpy, pandas, mesa, numba, pytest, hypothesis) but not ``sim``: the child imports
  ``sim`` afresh from the mutated file. Bytecode is never written for the copy, so a mutant of
  the same size written within the same second cannot be served a stale ``.pyc``.

The mutants are made in a copy of the tracked files (``.mutation/src``), never in the work tree.
For the compiled kernel numba's JIT is off (``NUMBA_DISABLE_JIT=1``), so a mutant takes effect
instead of a cached compilation of the original; the other modules keep the JIT, with numba's
cache in the copy.

Usage::

    python tools/mutation.py                      # every module; prints the score and survivors
    python tools/mutation.py --module kernel      # one module
    python tools/mutation.py --survivors          # re-test only the last run's survivors
    python tools/mutation.py --every 4            # every 4th mutant only: a sample over the whole file

Exit status: 0 when the score reaches ``--min-score`` (80 %), 1 below it, 2 on bad input.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Target:
    module: str  # path of the mutated file, relative to the repository
    tests: tuple[str, ...]  # pytest node ids (files or tests), fastest and most pointed first
    jit: bool = True  # False: numba compiles nothing, so a mutant of a compiled function runs
    # modules of `sim` that do not import the mutated one, imported (and the kernel compiled)
    # once in the parent; the run stops if one of them pulls in the mutated module
    preload: tuple[str, ...] = ("sim.scenario.loader",)

    @property
    def dotted(self) -> str:
        return self.module.removesuffix(".py").replace("/", ".")


# everything but the model itself: the rules, the scenario layer, the compiled population kernel
BELOW_MODEL = ("sim.scenario.loader", "sim.rules", "sim.public.grid")


# The module -> tests map. Each list is what exercises that module's code quickly; the slow
# whole-scenario tests are left to `make test`.
TARGETS: dict[str, Target] = {
    "units": Target("sim/rules/units.py", (
        "tests/test_rules.py::test_unit_rules_alone",
        "tests/test_decisions.py",
        "tests/test_engine.py::test_each_term_moves_the_choice_its_stated_way",
        "tests/test_engine.py::test_a_higher_forecast_for_a_side_makes_backing_it_relatively_better",
        "tests/test_engine.py::test_a_committed_plotter_who_has_not_acted_can_stand_aside_when_the_ruler_is_winning",
        "tests/test_engine.py::test_a_plotters_reason_to_stand_aside_grows_as_the_ruler_looks_stronger",
        "tests/test_engine.py::test_standing_aside_never_costs_more_under_the_ruler_than_staying_in_the_plot",
        "tests/test_engine.py::test_win_probabilities_sum_to_one_and_rise_with_power_and_facts",
        "tests/test_engine.py::test_win_probabilities_values",
        "tests/test_engine.py::test_the_model_gives_an_unmoved_plotter_the_partial_exposure",
    )),
    "stances": Target("sim/model/stances.py", (
        "tests/test_stances.py",
        "tests/test_decisions.py",
        "tests/test_engine.py::test_the_model_gives_an_unmoved_plotter_the_partial_exposure",
        "tests/test_engine.py::test_a_provincial_protest_is_a_challenge_there_and_its_units_reconsider",
        "tests/test_engine.py::test_a_scripted_challenge_opens_and_its_units_follow_it",
        "tests/test_outcomes.py",
        *(f"tests/test_rules.py::test_switching_a_rule_off_changes_behaviour[units.{r}]"
          for r in ("make_a_fact", "pay_and_immunity", "counterweight", "expected_winner", "local_cascade",
                    "stance_choice")),
    ), preload=BELOW_MODEL),
    "outcomes": Target("sim/model/outcomes.py", (
        "tests/test_outcomes.py",
        "tests/test_engine.py::test_an_open_challenge_at_the_horizon_is_unresolved_and_a_quiet_one_survives",
    ), preload=BELOW_MODEL),
    "kernel": Target("sim/public/kernel.py", (
        "tests/test_kernel.py",
    ), jit=False, preload=("sim.scenario.loader", "sim.rules.units")),
    "store": Target("sim/sweep/store.py", (
        # the store's own tests (no model runs), the quick ones first; a kill at every write last.
        # test_a_resume_killed_in_turn_resumes_again is left to `make test`: it is the slowest and
        # exercises the same lines as the two before it
        *(f"tests/test_store.py::{t}" for t in (
            "test_a_part_file_appears_only_whole",
            "test_resume_refuses_a_finished_sweep_and_leaves_it_untouched",
            "test_resume_refuses_a_different_sweep_naming_both_hashes",
            "test_a_fresh_sweep_refuses_a_folder_in_use_and_resume_refuses_what_is_not_a_sweep",
            "test_an_orphaned_series_part_is_dropped_and_its_batch_runs_again",
            "test_the_crash_variable_ends_the_process_at_the_nth_time_a_step_is_reached",
            "test_the_lock_is_refused_to_a_live_owner_or_another_hosts_and_taken_from_a_dead_or_zombie_one",
            "test_a_series_part_counts_its_runs_from_the_run_id_statistics",
            "test_compaction_writes_the_series_in_files_of_about_compact_runs_runs",
            "test_a_store_removes_only_the_lock_it_holds",
            "test_a_live_owner_run_by_another_user_keeps_the_lock",
            "test_a_lock_released_while_it_is_being_read_is_taken",
            "test_resume_refuses_a_manifest_it_cannot_read_and_leaves_the_folder_untouched",
            "test_a_sweep_makes_its_folder_with_its_parents_and_says_in_one_line_why_it_cannot",
            "test_the_manifest_follows_the_sweep_batch_by_batch_and_through_a_resumed_compaction",
            "test_the_manifest_says_where_each_drawn_value_went",
            "test_a_sweep_whose_every_run_failed_is_compacted_and_summarized",
            "test_a_kill_between_any_two_writes_resumes_to_the_uninterrupted_tables",
            "test_a_kill_half_way_through_writing_any_file_resumes_to_the_uninterrupted_tables")),
        # the one thing test_store.py does not do: a lock held by a live process
        "tests/test_harden_sweep.py::test_one_process_per_sweep_folder_and_a_dead_owners_lock_is_taken_over",
    ), preload=(*BELOW_MODEL, "sim.runner", "sim.sweep.plan")),
}

# One mutant per natural alternative (as mutmut does), from Cosmic Ray's operators: its full
# cross product (each arithmetic operator replaced by eleven others, each comparison by seven)
# triples the run for mutants that the same tests kill. Numbers are not replaced: the engine's
# thresholds are scenario parameters (which the outcome and decision tests set on both sides of
# each threshold), and the literals left in these files are 0, 1, halves and indices.
OPERATORS = re.compile(
    r"core/("
    r"ReplaceBinaryOperator_(Add_Sub|Sub_Add|Mul_Div|Div_Mul|FloorDiv_Div|Mod_FloorDiv|Pow_Mul"
    r"|RShift_LShift|LShift_RShift|BitAnd_BitOr|BitOr_BitAnd)"
    r"|ReplaceComparisonOperator_(Lt_LtE|LtE_Lt|Gt_GtE|GtE_Gt|Eq_NotEq|NotEq_Eq|Is_IsNot|IsNot_Is)"
    r"|ReplaceUnaryOperator_(USub_UAdd|Delete_Not)"
    r"|AddNot|ReplaceTrueWithFalse|ReplaceFalseWithTrue|ReplaceAndWithOr|ReplaceOrWithAnd"
    r"|ReplaceBreakWithContinue|ReplaceContinueWithBreak|ExceptionReplacer|ZeroIterationForLoop"
    r")$"
)
# Heavy libraries the parent imports once, so that each forked child only imports `sim`.
PRELOAD = ("numpy", "pandas", "pyarrow", "pyarrow.parquet", "scipy.stats", "networkx", "mesa", "mesa.model",
           "mesa.batchrunner", "numba", "pydantic", "yaml", "typer", "rich", "pytest", "_pytest.python",
           "_pytest.cacheprovider", "hypothesis", "hypothesis.extra.numpy")

WORK = ROOT / ".mutation"


def fail(msg: str) -> None:
    print(f"error: {msg}", file=sys.stderr)
    raise SystemExit(2)


# ---------------------------------------------------------------------------- the copy
def make_copy(src: Path) -> None:
    """The tracked files of the work tree, as they are now (edits included), in ``src``."""
    if src.exists():
        shutil.rmtree(src)
    files = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], check=True, capture_output=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        path = ROOT / rel
        if path.is_file():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, src / rel)
    # new test files not yet committed count too
    for path in (ROOT / "tests").glob("test_*.py"):
        if not (src / "tests" / path.name).exists():
            shutil.copy2(path, src / "tests" / path.name)


# ---------------------------------------------------------------------------- one module (own process)
class LineCoverage:
    """A pytest plugin: which lines of one file each test runs (``sys.monitoring``, Python >= 3.12).

    Lines run outside any test (at import: definitions, defaults, constants) are kept under
    ``None``; a mutant there is tested by the whole list.
    """

    def __init__(self, path: Path) -> None:
        self.path = str(path)
        self.current: str | None = None
        self.lines: dict[str | None, set[int]] = {None: set()}
        self.order: list[str] = []
        mon = sys.monitoring
        self.tool = mon.COVERAGE_ID
        mon.use_tool_id(self.tool, "mutation")
        mon.register_callback(self.tool, mon.events.LINE, self._line)
        mon.set_events(self.tool, mon.events.LINE)

    def _line(self, code, line: int):
        if code.co_filename != self.path:
            return sys.monitoring.DISABLE
        self.lines[self.current].add(line)
        return sys.monitoring.DISABLE  # once per test is enough: re-armed when the next test starts

    def pytest_runtest_setup(self, item) -> None:
        self.current = item.nodeid
        self.order.append(item.nodeid)
        self.lines.setdefault(item.nodeid, set())
        sys.monitoring.restart_events()

    def pytest_runtest_teardown(self, item) -> None:
        self.current = None
        sys.monitoring.restart_events()


def run_tests(src: Path, tests: tuple[str, ...] | list[str], timeout: float, log: Path,
              coverage_of: Path | None = None, coverage_out: Path | None = None,
              first: str | None = None) -> tuple[str, float]:
    """Fork a child that runs ``tests`` on the current files; ('killed'|'survived'|'timeout', seconds).

    With ``coverage_of``, the child also writes which lines of that file each test ran to
    ``coverage_out`` (JSON). With ``first`` (a test file), that file's tests run in a pytest
    session of their own before the others, which run only if they all pass: a mutant killed
    there does not wait for the other files to be imported and collected."""
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: import sim afresh and run pytest
        code = 3
        try:
            os.setpgid(0, 0)
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.chdir(src)
            sys.dont_write_bytecode = True
            sys.path.insert(0, str(src))
            # cosmic-ray's exception mutant names an exception nothing raises, so the handler no
            # longer catches what it did; undefined, the name raised NameError whenever any other
            # exception reached that handler, and the mutant counted as killed by no test of it
            import builtins

            from cosmic_ray.exceptions import CosmicRayTestingException

            builtins.CosmicRayTestingException = CosmicRayTestingException
            import pytest
            from hypothesis import settings

            settings.register_profile("mutation", derandomize=True, database=None, deadline=None)
            settings.load_profile("mutation")
            plugins = [LineCoverage(coverage_of)] if coverage_of is not None else []
            opts = ["-q", "-p", "no:cacheprovider", "-o", "addopts=", "--no-header", "-W", "ignore",
                    *([] if plugins else ["-x"])]
            ahead = [t for t in tests if first is not None and t.split("::")[0] == first]
            rest = [t for t in tests if t not in ahead]
            code = 0
            for stage in (ahead, rest):
                if stage and code == 0:
                    code = pytest.main([*opts, *stage], plugins=plugins)
            if plugins:
                cov = plugins[0]
                data = {"order": cov.order, "lines": {k or "": sorted(v) for k, v in cov.lines.items()}}
                Path(coverage_out).write_text(json.dumps(data))
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(int(code))
    deadline = t0 + timeout
    try:
        return _wait(pid, t0, deadline)
    finally:  # stopped: the child's tests go too
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)


def _wait(pid: int, t0: float, deadline: float) -> tuple[str, float]:
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout", time.monotonic() - t0
        time.sleep(0.02)
    rc = os.waitstatus_to_exitcode(status)
    # any failure counts: a test that fails, and a mutant that breaks the import or collection
    return ("survived" if rc == 0 else "killed"), time.monotonic() - t0


def _warm_kernel() -> None:
    import numpy as np

    from sim.public.grid import RegionGrid, TickParams

    rng = np.random.default_rng(0)
    RegionGrid.populate(rng, 6, 6, 0.5, 0.1, 2).step(rng, TickParams())


def mutate_module(name: str, survivors_only: bool, every: int = 1) -> None:
    """Run one target's mutants (called in a fresh process with the environment set)."""
    import difflib
    import importlib

    # a stopped run puts the module back (cosmic-ray restores it when the with-block is left)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: sys.exit(130))
    target = TARGETS[name]
    for mod in (*PRELOAD, *target.preload):
        importlib.import_module(mod)
    if target.dotted in sys.modules:
        fail(f"{name}: a preloaded module imports {target.dotted}, so its mutants would not be seen")
    if "sim.public.grid" in sys.modules and target.jit:  # load the compiled kernel once, not in every child
        _warm_kernel()
    import cosmic_ray.plugins
    from cosmic_ray.commands.init import init
    from cosmic_ray.mutating import use_mutation
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

    src = WORK / name / "src"
    module = src / target.module
    db_path = WORK / name / "session.sqlite"
    log = WORK / name / "pytest.log"
    cov_path = WORK / name / "coverage.json"

    missing = sorted({t.split("::")[0] for t in target.tests if not (src / t.split("::")[0]).exists()})
    if missing:
        print(f"{name}: note: {', '.join(missing)} not in this checkout; mutating without it", flush=True)
    all_tests = tuple(t for t in target.tests if t.split("::")[0] not in missing)
    base, took = run_tests(src, all_tests, 3600, log, coverage_of=module, coverage_out=cov_path)
    if base != "survived":
        fail(f"{name}: the tests fail on the unmutated code; see {log}")
    cov = json.loads(cov_path.read_text())
    at_import = set(cov["lines"].pop(""))
    by_line: dict[int, list[str]] = {}
    for test in cov["order"]:
        for line in cov["lines"].get(test, ()):
            by_line.setdefault(line, []).append(test)
    timeout = max(3 * took, took + 20)
    print(f"{name}: baseline {took:.1f} s for {len(cov['order'])} tests; timeout {timeout:.0f} s", flush=True)

    def tests_for(m) -> list[str]:
        lines = range(m.start_pos[0], m.end_pos[0] + 1)
        chosen = {t for ln in lines for t in by_line.get(ln, ())}
        if not chosen and any(ln in at_import for ln in lines):
            return list(all_tests)  # a definition, a default or a constant: every test may see it
        return [t for t in cov["order"] if t in chosen]

    with use_db(db_path, WorkDB.Mode.create) as db:
        if survivors_only:
            ids = {job for job, r in db.results if r.test_outcome == TestOutcome.SURVIVED}
            items = [w for w in db.work_items if w.job_id in ids]
        else:
            init([module], db, {})
            items = []
            for w in db.work_items:
                if OPERATORS.match(w.mutations[0].operator_name):
                    items.append(w)
                else:
                    db.set_result(w.job_id, WorkResult(output="not in the operator set",
                                                       worker_outcome=WorkerOutcome.SKIPPED))
            # a sample spread over the whole file (every k-th mutant of the session) when the
            # machine is too loaded for all of them; the others stay without a result ("not run")
            items = items[::every]
        t_all = time.monotonic()
        for i, w in enumerate(items, 1):
            m = w.mutations[0]
            operator = cosmic_ray.plugins.get_operator(m.operator_name)(**(m.operator_args or {}))
            tests = tests_for(m)
            with use_mutation(m.module_path, operator, m.occurrence) as (before, after):
                if after is None:
                    db.set_result(w.job_id, WorkResult(worker_outcome=WorkerOutcome.NO_TEST))
                    continue
                if tests:
                    outcome, secs = run_tests(src, tests, timeout, log, first=all_tests[0].split("::")[0])
                else:
                    outcome, secs = "survived", 0.0  # no test runs this line
                diff = "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True),
                                                    fromfile=target.module, tofile=target.module, n=0))
            note = outcome if tests else "no test runs this line"
            test_outcome = TestOutcome.SURVIVED if outcome == "survived" else TestOutcome.KILLED
            db.set_result(w.job_id, WorkResult(worker_outcome=WorkerOutcome.NORMAL, test_outcome=test_outcome,
                                               output=note, diff=diff))
            # one line a mutant: a long run can be followed (and timed) as it goes
            print(f"{name}: {i}/{len(items)} line {m.start_pos[0]} {m.operator_name.split('/')[-1]}: {note}"
                  f" ({secs:.1f} s; {time.monotonic() - t_all:.0f} s in all)", flush=True)
        print(f"{name}: {len(items)} mutants in {time.monotonic() - t_all:.0f} s", flush=True)


# ---------------------------------------------------------------------------- the report
def _line_of(diff: str) -> int:
    m = re.search(r"^@@ -(\d+)", diff, re.M)
    return int(m.group(1)) if m else 0


def report(names: list[str], show: bool = True) -> tuple[int, int]:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    total_k = total_n = 0
    lines: list[str] = []
    for name in names:
        db_path = WORK / name / "session.sqlite"
        if not db_path.exists():
            continue
        killed = n = 0
        survivors = []
        with use_db(db_path, WorkDB.Mode.open) as db:
            not_run = db.num_work_items - db.num_results
            for _job, r in db.results:
                if r.worker_outcome != WorkerOutcome.NORMAL:
                    continue
                n += 1
                if r.test_outcome == TestOutcome.SURVIVED:
                    survivors.append((r.diff, r.output))
                else:
                    killed += 1
        total_k += killed
        total_n += n
        sample = f"; {n} of {n + not_run} mutants run (--every)" if not_run else ""
        lines.append(f"{TARGETS[name].module}: {killed}/{n} killed ({100 * killed / max(n, 1):.1f} %){sample}")
        for d, note in sorted(survivors, key=lambda x: _line_of(x[0])):
            body = [ln.strip() for ln in d.splitlines() if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
            extra = " (no test runs it)" if note == "no test runs this line" else ""
            lines.append(f"  line {_line_of(d)}{extra}: " + "  =>  ".join(body))
    lines.append(f"score: {total_k}/{total_n} killed ({100 * total_k / max(total_n, 1):.1f} %)")
    text = "\n".join(lines)
    (WORK / "report.txt").write_text(text + "\n")
    if show:
        print(text)
    return total_k, total_n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.error = lambda message: fail(f"tools/mutation.py: {message}")  # one line, exit 2
    ap.add_argument("--module", action="append", choices=sorted(TARGETS), help="only these (repeatable)")
    ap.add_argument("--survivors", action="store_true", help="re-test only the survivors of the last run")
    ap.add_argument("--min-score", type=float, default=80.0, help="exit 1 below this percentage (80)")
    ap.add_argument("--report", action="store_true", help="only print the last run's score and survivors")
    ap.add_argument("--jobs", type=int, default=1, help="modules mutated side by side (1)")
    ap.add_argument("--every", type=int, default=1,
                    help="run only every k-th mutant of the session: a sample spread over the whole module (1: all)")
    ap.add_argument("--_one", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.jobs < 1:
        fail(f"tools/mutation.py: --jobs must be at least 1, not {args.jobs}")
    if args.every < 1:
        fail(f"tools/mutation.py: --every must be at least 1, not {args.every}")
    if args._one:
        mutate_module(args._one, args.survivors, args.every)
        return 0
    names = args.module or list(TARGETS)
    if not args.report:
        try:
            import cosmic_ray  # noqa: F401
        except ImportError:
            fail("cosmic-ray is not installed: pip install -e '.[mutation]'")
        t0 = time.monotonic()
        procs: list[tuple[str, subprocess.Popen]] = []
        failed = 0
        for name in names:  # each module mutated in its own copy, so modules can run side by side
            src = WORK / name / "src"
            if args.survivors:
                if not src.exists():
                    fail(f"{src} is missing: run without --survivors first")
                shutil.rmtree(src / "tests")  # the tests as they are now; the mutated code as it was
                shutil.copytree(ROOT / "tests", src / "tests", ignore=shutil.ignore_patterns("__pycache__"))
            else:
                make_copy(src)
            env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(src),
                   "NUMBA_CACHE_DIR": str(WORK / name / "numba-cache"), "OMP_NUM_THREADS": "1",
                   "OPENBLAS_NUM_THREADS": "1"}
            if not TARGETS[name].jit:
                env["NUMBA_DISABLE_JIT"] = "1"
            cmd = [sys.executable, "-W", "ignore::DeprecationWarning", str(Path(__file__).resolve()),
                   "--_one", name, "--every", str(args.every), *(["--survivors"] if args.survivors else [])]
            procs.append((name, subprocess.Popen(cmd, env=env, cwd=src)))
            while len([p for _, p in procs if p.poll() is None]) >= args.jobs:
                time.sleep(0.5)
        for _name, p in procs:
            failed += p.wait() != 0
        print(f"mutation run: {time.monotonic() - t0:.0f} s with {args.jobs} job(s)", flush=True)
        if failed:
            return 2
    k, n = report(names)
    return 0 if n and 100 * k / n >= args.min_score else 1


if __name__ == "__main__":
    sys.exit(main())
