"""``report.html`` for a sweep folder: the question and its answer, each outcome's probability
with Wilson intervals, the sweep figures (and sensitivity and discovery, when present) with
what to notice, the swept parameters with units and sources, and the rules in effect."""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
from pathlib import Path

import pandas as pd
import yaml

from ..model.outcomes import LABELS, Outcome
from ..rules import RULES
from ..scenario.errors import ScenarioError
from ..scenario.loader import field_meta, split_path, validate_raw
from ..scenario.params import provenance_label
from ..sweep.summary import manifest_labels
from ..textsafe import param_stem
from .html import (
    CSS,
    OutcomeShare,
    _badge,
    _description,
    changed_parameters,
    events_list,
    outcome_table,
    parameters_table,
    rules_list,
)

#: figure files of a sweep folder, in page order, with their titles
SWEEP_FIGURES = (
    ("sweep_outcomes_", "Outcome probabilities along {param}"),
    ("sweep_heatmap_", "Probability of one outcome over two parameters"),
    ("sweep_fans", "Key series over time, by outcome"),
    ("sweep_times", "Time to resolution, by outcome"),
    ("sensitivity_sobol", "Sobol sensitivity indices"),
    ("sensitivity_morris", "Morris screening"),
    ("discovery/prim_tradeoff", "PRIM: coverage against density"),
    ("discovery/prim_box", "PRIM: where the outcome is likely"),
)

CAPTIONS = {
    "sensitivity_sobol": "Share of the variance of the response explained by each parameter alone (S1) and with "
                         "its interactions (ST), with 95% bootstrap intervals; the grey band is the noise floor, "
                         "the dummy parameter's ST.",
    "sensitivity_morris": "Each parameter's mean absolute effect across its range (mu*, with 95% interval) "
                          "against the spread of that effect (sigma); parameters in the grey band are no stronger "
                          "than the dummy.",
    "discovery/prim_tradeoff": "Coverage against density of every box along PRIM's peeling trajectory; the "
                               "circled box is the one reported.",
    "discovery/prim_box": "The reported PRIM box(es) on each parameter's swept range, with quasi-p-values "
                          "(above 0.05: the restriction may be noise).",
}


def _b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")


def _fmt(v: object) -> str:
    return f"{v:.3g}" if isinstance(v, float) else str(v)


def _bands_notice(summary: pd.DataFrame, param: str, label: str) -> str:
    g = summary.groupby([param, "outcome"])[["k", "n"]].sum().reset_index()
    g["p"] = g["k"] / g["n"]
    spread = g.groupby("outcome")["p"].agg(["min", "max"])
    spread = spread[spread["max"] > 0]
    if spread.empty:
        return "No outcome occurred."
    o = (spread["max"] - spread["min"]).idxmax()
    rows = g[g["outcome"] == o].set_index(param)["p"]
    lo_x, hi_x = rows.idxmin(), rows.idxmax()
    return (f"{LABELS[Outcome(o)]} moves most: from {rows.min():.0%} at {label} = {_fmt(lo_x)} to "
            f"{rows.max():.0%} at {_fmt(hi_x)}; the whiskers show how sure each estimate is.")


def _times_notice(runs: pd.DataFrame) -> str:
    ok = runs[(runs["status"] == "ok") & runs["resolved_before_horizon"].astype(bool)]
    if ok.empty:
        return "No run was decided before the horizon."
    med = ok.groupby("outcome")["time_to_outcome_h"].median().sort_values()
    parts = [f"{LABELS[Outcome(o)]} after {h:.0f} h" for o, h in med.items()]
    return "Median time to each outcome decided before the horizon: " + "; ".join(parts) + "."


def _notice(name: str, folder: Path, summary: pd.DataFrame, runs: pd.DataFrame, params: list[str],
            labels: dict[str, str]) -> str:
    if name.startswith("sweep_outcomes_"):
        param = next((p for p in params if name.endswith(param_stem(p))),
                     params[0])
        return _bands_notice(summary, param, labels.get(param, param))
    if name.startswith("sweep_heatmap_"):
        target = name.removeprefix("sweep_heatmap_")
        t = summary[summary["outcome"] == target]
        if t.empty:
            return ""
        best = t.loc[t["p"].idxmax()]
        return (f"The brightest cell: P({LABELS[Outcome(target)]}) = {best['p']:.0%} at "
                + ", ".join(f"{labels.get(p, p)} = {_fmt(best[p])}" for p in params[:2]) + "; each cell gives its number of runs.")
    if name == "sweep_fans":
        return ("Runs that end differently part ways early: compare the bands in the first hours, not only at "
                "the end (a band is drawn while at least a fifth of its runs are still going).")
    if name == "sweep_times":
        return _times_notice(runs)
    for stem, txt in (("sensitivity", folder / "sensitivity.txt"), ("discovery", folder / "discovery" / "discovery.txt")):
        if name.startswith(stem) and txt.exists():
            first = [ln for ln in txt.read_text().splitlines() if ln.strip()]
            return " ".join(first[:2])
    return ""


def _swept_table(raw: dict, params: list[dict], labels: dict[str, str], design: str = "") -> str:
    rows = []
    for p in params:
        path = p["path"]
        where = (p.get("targets") or [path])[0]  # a priors factor (units.*.fear): read its field's notes
        meta = field_meta(tuple(split_path(where)), raw) if not path.startswith("dummy") else {
            "unit": "-", "source": "a parameter the model never reads: the noise floor"}
        short, full = provenance_label(meta)
        if short == "-":
            short, full = str(meta.get("source", "")), ""
        values = (", ".join(_fmt(v) for v in p["values"]) if p.get("values")
                  else f"{_fmt(p['low'])} to {_fmt(p['high'])}")
        n = len(p.get("targets") or [])
        at = f" <span class=tag>{n} entr{'y' if n == 1 else 'ies'}</span>" if n else ""
        rows.append(f"<tr><td>{html.escape(labels.get(path, path))}<br><code>{html.escape(path)}</code>{at}</td>"
                    f"<td>{html.escape(values)}</td>"
                    f"<td>{html.escape(str(meta.get('unit', '')))}</td>"
                    f'<td class=src title="{html.escape(full)}">{html.escape(short)}'
                    + (f"<br>{html.escape(full)}" if full and design == "priors" else "") + "</td></tr>")
    table = ("<table><tr><th>swept parameter</th><th>values</th><th>unit</th><th>source of the default</th></tr>"
             + "".join(rows) + "</table>")
    if design == "priors":  # ~100 rows: folded, with what they are in one line
        return (f"<details><summary>{len(params)} assumed parameters, each drawn from its assumed range "
                "(<code>units.*.fear</code>: one value for every unit that does not state its own); the values "
                "the scenario states are not drawn</summary>" + table + "</details>")
    return table


def write_sweep_report(folder: Path) -> Path:
    """Write ``folder/report.html`` for a finished sweep; draw missing sweep figures first."""
    if not (folder / "summary.parquet").exists():
        raise ScenarioError("this sweep is not finished (no summary.parquet); finish it with --resume",
                            file=str(folder))
    raw = yaml.safe_load((folder / "scenario.yaml").read_text())
    scn = validate_raw(raw, {}, str(folder / "scenario.yaml"))
    man = json.loads((folder / "manifest.json").read_text())
    summary = pd.read_parquet(folder / "summary.parquet")
    runs = pd.read_parquet(folder / "runs.parquet")
    if "outcome" not in runs:  # every run failed
        runs["outcome"] = pd.Series([None] * len(runs), dtype=object)
    params = [p["path"] for p in man["parameters"]]
    labels = manifest_labels(man, scn)
    if not list(folder.glob("sweep_*.png")):
        from ..plots.sweep import plot_sweep

        plot_sweep(folder)
    ok = runs[runs["status"] == "ok"]
    n = len(ok)
    shares = [OutcomeShare(o, LABELS[Outcome(o)], int(k), n) for o, k in ok["outcome"].value_counts().items()]
    note = (f"{n} runs over {man['points']} design points ({man['design']} design, {man['replications']} "
            f"replications each, master seed {man['master_seed']}); the intervals are Wilson 95% intervals. "
            "Per design point, see summary.csv.")
    answer = (folder / "answer.txt").read_text() if (folder / "answer.txt").exists() else ""
    figs = []
    for prefix, title in SWEEP_FIGURES:
        for png in sorted(folder.glob(prefix + "*.png")) if not prefix.startswith("discovery") else \
                [folder / f"{prefix}.png"] if (folder / f"{prefix}.png").exists() else []:
            name = str(png.relative_to(folder).with_suffix(""))
            label = title.format(param=next((labels.get(p, p) for p in params if name.endswith(
                param_stem(p))), "a parameter"))
            caption = CAPTIONS.get(name, "")
            notice = _notice(name, folder, summary, runs, params, labels)
            figs.append(f'<figure id="fig-{html.escape(name)}"><figcaption><b>{html.escape(label)}</b> '
                        f'{html.escape(caption)}</figcaption><img alt="{html.escape(label)}" '
                        f'src="data:image/png;base64,{_b64(png)}"><p class=notice><b>What to notice:</b> '
                        f"{html.escape(notice)}</p></figure>")
    extra = ""
    for txt, head in ((folder / "sensitivity.txt", "Which parameters matter (sensitivity analysis)"),
                      (folder / "discovery" / "discovery.txt", "Where the outcome is likely (PRIM)")):
        if txt.exists():
            extra += f"<h3>{head}</h3><pre>{html.escape(txt.read_text())}</pre>"
    disabled = list(scn.rules.disable)
    top = ok["outcome"].value_counts().index[0] if n else ""
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(scn.title or scn.name)} - sweep - regime-sim report</title>
<style>{CSS} pre {{ white-space: pre-wrap; background: var(--bg-soft); padding: 8px; }}</style></head>
<body>
<header>
<h1>{html.escape(scn.title or scn.name)}: a sweep</h1>
<p class=meta>scenario <code>{html.escape(scn.name)}</code> · {n} runs · {man['design']} design ·
master seed {man['master_seed']}</p>
<p class=result>most common: {_badge(top, LABELS[Outcome(top)] if top else "")}</p>
</header>
<main>
<nav><a href="#outcome">answer</a> · <a href="#scenario">scenario</a> · <a href="#figures">figures</a> ·
<a href="#parameters">parameters</a> · <a href="#rules">rules</a></nav>
<section id=outcome><h2>The question and the answer</h2>
<pre>{html.escape(answer)}</pre>
{outcome_table(sorted(shares, key=lambda s: -s.count), note)}
{extra}
</section>
<section id=scenario><h2>The scenario</h2>{_description(scn)}</section>
<section id=figures><h2>Figures</h2><div class=figures>{"".join(figs)}</div></section>
<section id=parameters><h2>Parameters</h2>
{_swept_table(raw, man["parameters"], labels, man["design"])}
<h3>Other parameters that differ from the defaults</h3>
{parameters_table(changed_parameters(scn), [])}
<h3>Scripted events</h3>{events_list(scn)}
</section>
<section id=rules><h2>Rules in effect: {len(RULES) - len(disabled)} of {len(RULES)}</h2>
{rules_list(disabled)}
</section>
</main>
<footer><p>written {dt.datetime.now():%Y-%m-%d %H:%M} · commit <code>{html.escape(str(man.get("git_commit", "")))}</code>
· scenario sha256 <code>{html.escape(str(man.get("scenario_sha256", "")))}</code></p></footer>
</body></html>
"""
    out = folder / "report.html"
    out.write_text(page, encoding="utf-8")
    return out
