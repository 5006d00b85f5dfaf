"""The README's performance table, written from the results ``make bench`` saved.

``python benchmarks/readme_table.py README.md`` (or ``run_all.py --readme README.md``)
replaces what lies between the two markers below with a table made from
``benchmarks/results/latest.json``; nothing in that table is typed by hand.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

BEGIN = "<!-- performance table: written by make bench (benchmarks/readme_table.py) from its results -->"
END = "<!-- end of the performance table -->"
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def _rows(tables: dict) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []

    def table(name: str) -> list[dict]:
        return tables.get(name, {}).get("rows", [])

    if quick := table("startup"):
        worst = max(quick, key=lambda r: r["median s"])
        rows.append(("start-up of the quick commands (`--help`, `list`, `validate`, ...)",
                     f"at most {worst['median s']:.2f} s ({worst['command']}, median)"))
    if runs := table("runs"):
        runs = sorted(runs, key=lambda r: -r["wall s (median)"])
        rows.append(("one default run, one core (median; in brackets the part spent in the compiled population "
                     "tick, a floor while the public is computed as now)",
                     "; ".join(f"{r['scenario']} {r['wall s (median)']:.3f} s"
                               + (f" ({r['kernel s (median)']:.3f})" if "kernel s (median)" in r else "")
                               for r in runs)))
        if all("estimate / max" in r for r in runs):
            est = sorted(r["estimate / max"] for r in runs)
            rows.append(("the run time `regime-sim run` announces, against the longest of those runs",
                         f"{est[0]:.1f}-{est[-1]:.1f}x (median {est[len(est) // 2]:.1f}x): an upper estimate"))
    if phases := table("run_phases"):
        rows.append(("where a default run's time goes (ms a run; goal: issue 15's figure / 5): building the model, "
                     "the compiled population tick, building the result tables, the rest (the hour's phases in Python)",
                     "; ".join(f"{r['scenario']} {r['ms a run']:.1f} (goal {r['goal ms (issue / 5)']:.1f}): build "
                               f"{r['build']:.1f}, kernel {r['public: kernel']:.1f}, tables {r['tables']:.1f}, rest "
                               f"{r['ms a run'] - r['build'] - r['public: kernel'] - r['tables']:.1f}"
                               for r in phases)))
    if change := table("engine_change"):
        rows.append(("the engine of issue 10 against the five-faction engine before it (same seeds, 1 core, CPU s; "
                     "a run's mean over seeds, median of the rounds; goal: within 1.2x)",
                     "; ".join(f"{r['scenario']} {r['before s/run']:.3f} -> {r['after s/run']:.3f} s a run "
                               f"({r['run ratio']:.2f}x); a simulated hour **{r['hour ratio']:.2f}x**"
                               + (f" ({r['hour ratio min']:.2f}-{r['hour ratio max']:.2f})" if "hour ratio min" in r else "")
                               for r in change)))
    if ep := {r["model"]: r for r in table("epstein")}:
        ours = ep["Epstein mode (sim.epstein)"]["people-steps/s"]
        bare = ep["Mesa example, no data collector"]
        shipped = ep["Mesa example, as shipped"]
        rows.append(("the Epstein mode vs Mesa's own `epstein_civil_violence`, same settings, same process",
                     f"{ours:,.0f} people-steps/s vs {bare['people-steps/s']:,.0f}: **{bare['ours / this']}** "
                     f"({shipped['ours / this']} against Mesa as shipped)"))
        big = ep["Epstein mode, 1M citizens"]
        rows.append((f"a region of one million citizens ({big['world'].split(',')[0]})",
                     f"{big['people-steps/s']:,.0f} people-steps/s, peak memory {big['peak memory MB']} MB"))
    for r in table("sweep_startup"):
        rows.append((f"worker start-up: {r['worker start-up']}",
                     f"{r['median s']:.2f} s (median; {r['min s']:.2f}-{r['max s']:.2f})"))
    sweeps: dict[str, list[dict]] = {}
    for r in table("sweeps"):
        sweeps.setdefault(r["mutiny sweep"], []).append(r)
    for sweep, rs in sweeps.items():
        rows.append((f"the mutiny's {sweep} (best of the rounds; wall time includes the workers' start-up)",
                     "; ".join(f"{r['on']} {r['wall s (best)']:.1f} s, {r['runs/s']:.1f} runs/s"
                               + ("" if r["on"] == "1 worker" else f" ({r['vs 1 worker']:.2f}x one worker)")
                               for r in rs)))
    for r in table("goals"):
        rows.append((f"{r['ratio']} (goal {r['goal']})",
                     f"**{r['median']:.2f}** (median of {r['rounds']} rounds; {r['min']:.2f}-{r['max']:.2f}); "
                     f"met: {r['met']}"))
    for r in table("calibration"):
        rows.append((f"calibration of {r['case']}: {r['particles']} particles x {r['generations']} generations, "
                     f"{r['workers']} workers (limit 30 min, 1 GB)",
                     f"{r['wall s'] / 60:.1f} min, {r['model runs']:,} model runs ({r['runs per second']:.1f} runs/s), "
                     f"largest process {r['peak MB (largest process)']:,.0f} MB"))
    if mem := table("sweep_memory"):
        rows.append(("peak memory of a sweep (results stream to disk, compaction streams too)",
                     "; ".join(f"{r['runs']:,} runs: {r['peak MB (sweep process)']:,.0f} MB" for r in mem)))
    return rows


def render(results: dict) -> str:
    tables = results.get("tables", {})
    loads = [x for t in tables.values() for x in t.get("load_average", [])]
    dates = sorted(t.get("measured", "") for t in tables.values())
    head = (f"Measured by `make bench` on {results.get('machine', 'an unknown machine')}"
            + (f", {dates[0][:10]}" if dates else "")
            + (f", load average {min(loads):.1f}-{max(loads):.1f}" if loads else "")
            + ". The machine is shared: absolute figures move with its load, ratios measured back to "
            "back move less.")
    lines = [head, "", "| what | measured |", "|---|---|"]
    lines += [f"| {what} | {value} |" for what, value in _rows(tables)]
    return "\n".join(lines)


def rewrite(readme: Path, results: dict) -> None:
    text = readme.read_text()
    if BEGIN not in text or END not in text:
        raise SystemExit(f"error: {readme}: no performance table markers ({BEGIN!r} ... {END!r})")
    before, rest = text.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    readme.write_text(f"{before}{BEGIN}\n{render(results)}\n{END}{after}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python benchmarks/readme_table.py README.md")
    if not RESULTS.exists():
        raise SystemExit(f"error: {RESULTS}: no results yet; run make bench")
    rewrite(Path(sys.argv[1]), json.loads(RESULTS.read_text()))
