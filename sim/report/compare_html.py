"""``report.html`` for a comparison (``regime-sim compare``): what differs between the two
variants, each outcome's paired difference with its 95% interval, the measures, the runs whose
outcome flipped (with the commands that replay them) and what the common seeds bought. One
self-contained page: the figure is embedded, nothing is fetched."""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path

import pandas as pd

from ..measures import in_unit, measure_heading
from ..model.outcomes import LABELS, Outcome
from .html import CSS, _badge


def _pct(v: float) -> str:
    return "-" if pd.isna(v) else f"{100 * v:+.0f}"


def _num(v: float) -> str:
    if pd.isna(v):
        return "-"
    if v == math.inf:
        return "inf"
    return f"{v:.4g}"


def _outcome_rows(table: pd.DataFrame) -> str:
    rows = []
    occ = table[(table["kind"] == "outcome") & ((table["a"] > 0) | (table["b"] > 0))]
    for _, r in occ.iterrows():
        q = r["quantity"]
        name = _badge(q, LABELS[Outcome(q)]) if q in LABELS else "the ruler loses power (any challenger)"
        moved = r["low"] > 0 or r["high"] < 0
        rows.append(f"<tr><td>{name}</td><td class=num>{100 * r['a']:.0f}%</td><td class=num>{100 * r['b']:.0f}%</td>"
                    f"<td class=num>{_pct(r['diff'])} pp</td><td class=num>{_pct(r['low'])} to {_pct(r['high'])} pp</td>"
                    f"<td class=num>{int(r['only_a'])} / {int(r['only_b'])}</td>"
                    f"<td>{'<b>changes</b>' if moved else 'no detectable change'}</td>"
                    f"<td class=num>{_num(r['variance_ratio'])}</td></tr>")
    return ("<table><thead><tr><th>outcome</th><th>A</th><th>B</th><th>B - A</th><th>95% interval (Newcombe, "
            "paired)</th><th>only in A / only in B</th><th></th><th>variance ratio</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _measure_rows(table: pd.DataFrame) -> str:
    rows = []
    for _, r in table[table["kind"] == "measure"].iterrows():
        q = r["quantity"]
        a, b, d, lo, hi = (in_unit(q, r[c]) for c in ("a", "b", "diff", "low", "high"))
        rows.append(f"<tr><td>{html.escape(measure_heading(q))} <code>{html.escape(q)}</code></td>"
                    f"<td class=num>{_num(a)}</td><td class=num>{_num(b)}</td><td class=num>{_num(d)}</td>"
                    f"<td class=num>{_num(lo)} to {_num(hi)}</td><td class=num>{int(r['n'])}</td>"
                    f"<td class=num>{_num(r['variance_ratio'])}</td></tr>")
    return ("<table><thead><tr><th>measure</th><th>mean A</th><th>mean B</th><th>mean of B - A</th>"
            "<th>95% interval (paired t)</th><th>pairs</th><th>variance ratio</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _flip_rows(flips: pd.DataFrame, limit: int = 60) -> str:
    if flips.empty:
        return "<p>No run changed its outcome.</p>"
    rows = []
    for _, f in flips.head(limit).iterrows():
        rows.append(f"<tr><td class=num>{int(f['run_id'])}</td><td class=num>{int(f['seed'])}</td>"
                    f"<td>{_badge(f['outcome_a'], LABELS[Outcome(f['outcome_a'])])}</td>"
                    f"<td>{_badge(f['outcome_b'], LABELS[Outcome(f['outcome_b'])])}</td>"
                    f"<td><code>{html.escape(f['replay_a'])}</code><br><code>{html.escape(f['replay_b'])}</code></td></tr>")
    more = f"<p class=note>{len(flips) - limit} more in flips.csv.</p>" if len(flips) > limit else ""
    return ("<table><thead><tr><th>run</th><th>seed</th><th>A</th><th>B</th><th>replay</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>" + more)


def render(table: pd.DataFrame, flips: pd.DataFrame, labels: tuple[str, str], diffs: list[tuple],
           answer: str, manifest: dict, figure: bytes | None) -> str:
    n = int(table["n"].iloc[0]) if len(table) else 0
    diff_rows = "".join(f"<tr><td><code>{html.escape(str(k))}</code></td><td>{html.escape(repr(a))}</td>"
                        f"<td>{html.escape(repr(b))}</td></tr>" for k, a, b in diffs)
    img = (f'<figure><figcaption>Paired differences and what the common seeds bought</figcaption>'
           f'<img alt="B - A for each outcome with 95% paired intervals, and the variance ratio of each quantity" '
           f'src="data:image/png;base64,{base64.b64encode(figure).decode("ascii")}"></figure>') if figure else ""
    answer_html = "".join(f"<p>{html.escape(line)}</p>" for line in answer.splitlines())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Comparison: {html.escape(labels[0])} vs {html.escape(labels[1])}</title><style>{CSS}</style></head>
<body><main>
<h1>What changes from A to B?</h1>
<p class=meta>A = <b>{html.escape(labels[0])}</b>; B = <b>{html.escape(labels[1])}</b>. {n} pairs of runs on common
random numbers: run <i>i</i> of both arms has the same seed (master seed {manifest.get('master_seed')}).</p>
<section id=answer><h2>Answer</h2><div class=notice>{answer_html}</div></section>
<section id=differences><h2>What differs</h2><table><thead><tr><th>parameter</th><th>A</th><th>B</th></tr></thead>
<tbody>{diff_rows}</tbody></table></section>
<section id=figure><h2>Figure</h2>{img}</section>
<section id=outcomes><h2>Outcomes</h2>{_outcome_rows(table)}
<p class=note>B - A in percentage points, with Newcombe's (1998) hybrid score interval for paired proportions. The
variance ratio is var(A) + var(B), the variance of a difference of independent runs, over var(B - A): how many
times as many runs independent seeds would need for an interval as narrow.</p></section>
<section id=measures><h2>Measures</h2>{_measure_rows(table)}</section>
<section id=flips><h2>Runs whose outcome flipped ({len(flips)})</h2>{_flip_rows(flips)}
<p class=note>Each arm's folder (<code>a/</code>, <code>b/</code>) is a finished sweep: the commands re-run the run
with its figures and report.</p></section>
</main><footer>regime-sim compare; commit {html.escape(str(manifest.get('git_commit', '?')))}.</footer></body></html>
"""


def write_compare_report(root: Path, *, table: pd.DataFrame, flips: pd.DataFrame, labels: tuple[str, str],
                         diffs: list[tuple], answer: str, manifest: dict) -> Path:
    png = root / "compare.png"
    out = root / "report.html"
    out.write_text(render(table, flips, labels, diffs, answer, manifest, png.read_bytes() if png.exists() else None),
                   encoding="utf-8")
    return out
