"""``report.html`` for a calibration folder: prior vs posterior per parameter, what moved and
what the data could not constrain, the posterior predictive check (in-sample or the left-out
case), the thresholds by generation and the figures; one self-contained page."""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
from pathlib import Path

import pandas as pd

from .html import CSS

FIGURES = (
    ("posterior.png", "Posterior", "marginals (diagonal) against the flat prior, and pairs of parameters"),
    ("predictive.png", "Predictive check", "each target: the model's 90% predictive interval against what happened"),
    ("generations.png", "Generations", "the threshold and the acceptance rate of each generation; the "
                                     "distance is rescaled every generation (adaptive), so thresholds need not fall"),
)


def _e(x: object) -> str:
    return html.escape(str(x))


def _moved(r: pd.Series) -> str:
    span = r.prior_high - r.prior_low
    mid = (r.prior_low + r.prior_high) / 2
    shift = (r["median"] - mid) / span
    if not r.constrained:
        return "not constrained by the targets: the posterior spans most of the prior range"
    where = "near the middle of" if abs(shift) < 0.1 else ("in the upper part of" if shift > 0 else
                                                           "in the lower part of")
    return f"constrained to {r.width_ratio:.0%} of the prior's 90% width, {where} the prior range"


def write_calibration_report(folder: Path) -> Path:
    folder = Path(folder)
    man = json.loads((folder / "manifest.json").read_text())
    params = pd.read_csv(folder / "parameters.csv")
    ppc = pd.read_csv(folder / "predictive.csv")
    gens = pd.read_csv(folder / "generations.csv")
    cases = " + ".join(man["cases"])
    left = man.get("leave_out") or []
    rows = "".join(
        f"<tr><td><code>{_e(r.path)}</code></td><td>{r.prior_low:.4g} to {r.prior_high:.4g}<br>"
        f"<span class=src>{_e(r.origin)}</span></td><td><b>{r['median']:.4g}</b></td>"
        f"<td>{r.q05:.4g} to {r.q95:.4g}</td><td>{_e(_moved(r))}</td></tr>"
        for _, r in params.iterrows())
    unconstrained = [r.path for _, r in params.iterrows() if not r.constrained]
    checks = "".join(
        f"<tr class={'ok' if r.covered else 'miss'}><td>{_e(r.case)}</td><td><code>{_e(r.measure)}</code></td>"
        f"<td>{_e(r.observed)}</td><td>{_e(r.predicted_text)}</td>"
        f"<td>{'yes' if r.covered else '<b>missed</b>'}</td><td class=src>{_e(r.source)}</td></tr>"
        for r in ppc.itertuples())
    gen_rows = "".join(
        f"<tr><td>{int(r.generation) + 1}</td><td>{r.threshold:.4g}</td><td>{r.acceptance_rate:.1%}</td>"
        f"<td>{int(r.simulations)}</td><td>{r.seconds:.0f}</td></tr>" for r in gens.itertuples())
    figs = ""
    for name, label, caption in FIGURES:
        png = folder / name
        if png.exists():
            data = base64.b64encode(png.read_bytes()).decode("ascii")
            figs += (f'<figure id="fig-{_e(name[:-4])}"><figcaption><b>{_e(label)}</b> {_e(caption)}</figcaption>'
                     f'<img alt="{_e(label)}" src="data:image/png;base64,{data}"></figure>')
    sample = (f"out of sample: the left-out case {_e(', '.join(left))}, not used in the fit" if left
              else "in sample: the cases the parameters were fitted to")
    covered = int(ppc["covered"].sum())
    text = f"""<!doctype html>
<html lang=en><head><meta charset=utf-8><meta name=viewport content="width=device-width, initial-scale=1">
<title>Calibration of {_e(cases)} - regime-sim report</title>
<style>{CSS} tr.miss td {{ background: #fbe3d6; }} .src {{ font-size: 0.85em; color: #555; }}</style></head>
<body><main>
<h1>Calibration: {_e(cases)}</h1>
<p class=meta>ABC-SMC (pyabc) · {man['particles']} particles · {man['generations_run']} generations ·
{man['model_runs']:,} model runs in {man['wall_seconds']:.0f} s ({man['runs_per_second']:.2f} runs/s) · seed {man['seed']}</p>
<h2>What moved, and what the data could not constrain</h2>
<p>{len(params) - len(unconstrained)} of {len(params)} fitted parameters are constrained by the targets
(90% credible interval narrower than 60% of the prior's).
{('Not constrained: ' + ', '.join(f'<code>{_e(p)}</code>' for p in unconstrained) + '.') if unconstrained else ''}</p>
<table><thead><tr><th>parameter</th><th>prior (uniform)</th><th>posterior median</th><th>90% credible interval</th>
<th>what moved</th></tr></thead><tbody>{rows}</tbody></table>
<p>The calibrated overlay: <code>{_e(man['overlay'])}</code> (<code>regime-sim run SCENARIO --params {_e(man['overlay'])}</code>).</p>
<h2>Predictive check</h2>
<p>{sample}. {covered} of {len(ppc)} targets fall within the model's 90% predictive interval
(for a label: it is among the most likely labels that together hold 90% of the predictive runs; for a
share of runs: the draws' 5-95% range of shares meets the observed interval).</p>
<table><thead><tr><th>case</th><th>measure</th><th>observed</th><th>model (posterior predictive)</th><th>within</th>
<th>source</th></tr></thead><tbody>{checks}</tbody></table>
<h2>Figures</h2>
{figs}
<h2>Generations</h2>
<table><thead><tr><th>generation</th><th>threshold</th><th>acceptance</th><th>particles simulated</th><th>seconds</th>
</tr></thead><tbody>{gen_rows}</tbody></table>
</main>
<footer><p>written {dt.datetime.now():%Y-%m-%d %H:%M} · commit <code>{_e(man.get('commit', ''))}</code></p></footer>
</body></html>
"""
    out = folder / "report.html"
    out.write_text(text)
    return out
