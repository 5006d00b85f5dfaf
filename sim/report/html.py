"""``report.html``: one self-contained page about a run, for a class or a printout.

Everything is inside the file - figures as base64 PNG, styles inline, no script, no font or
stylesheet from anywhere else - so it opens offline and prints on two A4 pages. The
sections: the outcome (with an outcome table with intervals, which a sweep's summary will
fill with outcome probabilities), the scenario in its Info-tab shape, the figures each with
a sentence on what to notice (written from the data), the parameters that differ from the
defaults with their units and sources, the scripted events, and the rules in effect.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from pydantic import BaseModel

from ..measures import MEASURES
from ..model.state import clock
from ..plots import style
from ..plots.map import key_hour, nearest_hour
from ..plots.public import populated_regions
from ..rules import RULES
from ..scenario.params import provenance_label
from ..scenario.schema import Scenario
from ..sweep.summary import wilson
from . import RunFolder, figures

#: scenario sections whose numbers are parameters (the rest is story, sweep or display)
PARAM_SECTIONS = ("time", "regions", "institutions", "units", "ruler", "challengers", "mediator", "sponsor", "public",
                  "elites")
#: sections compared entry by entry with the base map the scenario extends
BASE_SECTIONS = ("regions", "institutions", "units")
FIGURE_TITLES = {
    "timeline": "Timeline",
    "map": "The map at the turning point",
    "cascade": "The cascade of stance changes",
    "public": "The public by region",
}
STANCE_VERBS = {"standing aside": "stood aside", "aside": "stood aside", "defected": "defected",
                "loyal": "returned to loyalty"}
_COUNT = {1: "one unit", 2: "two units", 3: "three units", 4: "four units", 5: "five units"}


def n_units(n: int) -> str:
    """'one unit', 'two units', ... '12 units'."""
    return _COUNT.get(n, f"{n} units")


# ============================================================================ outcome table
# A run fills it with its one outcome; a sweep's summary (sim/sweep/summary.py) with each
# outcome's count of runs, shown with its Wilson 95% interval.
@dataclass(frozen=True)
class OutcomeShare:
    """How often one outcome happened: a row of the outcome table."""

    outcome: str
    label: str
    count: int
    runs: int

    @property
    def share(self) -> float:
        return self.count / self.runs if self.runs else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.count, self.runs)


def _interval_bar(row: OutcomeShare) -> str:
    """An inline SVG: the share as a bar, the 95% interval as a whisker."""
    w = 160
    lo, hi = row.interval
    color = style.OUTCOME_COLORS.get(row.outcome, style.GREY)
    return (f'<svg class="bar" width="{w}" height="16" viewBox="0 0 {w} 16" role="img" '
            f'aria-label="{100 * row.share:.0f}%, interval {100 * lo:.0f}-{100 * hi:.0f}%">'
            f'<rect x="0" y="3" width="{w}" height="10" fill="#eeeeee"/>'
            f'<rect x="0" y="3" width="{w * row.share:.1f}" height="10" fill="{color}"/>'
            f'<line x1="{w * lo:.1f}" x2="{w * hi:.1f}" y1="8" y2="8" stroke="#000" stroke-width="1.5"/>'
            f'<line x1="{w * lo:.1f}" x2="{w * lo:.1f}" y1="4" y2="12" stroke="#000" stroke-width="1.5"/>'
            f'<line x1="{w * hi:.1f}" x2="{w * hi:.1f}" y1="4" y2="12" stroke="#000" stroke-width="1.5"/></svg>')


def outcome_table(rows: list[OutcomeShare], note: str) -> str:
    """The outcome table with intervals: for a run, its one outcome; for a sweep, every
    outcome with its probability and 95% Wilson interval."""
    body = []
    for r in rows:
        lo, hi = r.interval
        body.append(f"<tr><td>{_badge(r.outcome, r.label)}</td><td class=num>{r.count} of {r.runs}</td>"
                    f"<td class=num>{100 * r.share:.0f}%</td><td class=num>{100 * lo:.0f}-{100 * hi:.0f}%</td>"
                    f"<td>{_interval_bar(r)}</td></tr>")
    return ("<table class=outcomes><thead><tr><th>outcome</th><th>runs</th><th>share</th>"
            "<th>95% interval (Wilson)</th><th>share and interval</th></tr></thead><tbody>"
            + "".join(body) + f"</tbody></table><p class=note>{html.escape(note)}</p>")


def _badge(outcome: str, label: str) -> str:
    color = style.OUTCOME_COLORS.get(outcome, style.GREY)
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    ink = "#000" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#fff"
    return f'<span class=badge style="background:{color};color:{ink}">{html.escape(label)}</span>'


def measures_list(measures: dict[str, Any]) -> str:
    """The run's measures as 'label: value unit' items (set in columns by the stylesheet)."""
    items = [f"<li>{html.escape(label)}: <b>{html.escape(fmt(measures[key]))}</b> {html.escape(unit)}</li>"
             for key, (label, unit, fmt) in MEASURES.items() if key in measures]
    peaks = sorted(((k.split("__", 1)[1], v) for k, v in measures.items()
                    if k.startswith("peak_protest__") and v > 0), key=lambda kv: -kv[1])[:4]
    if peaks:
        text = ", ".join(f"{r} {100 * v:.2f}%" for r, v in peaks)
        items.append(f"<li class=wide>peak protest by region (% of its population): <b>{html.escape(text)}</b></li>")
    statuses = [(k.split("__", 1)[1], v) for k, v in measures.items() if k.startswith("status__")]
    if statuses:
        text = "; ".join(f"{c} {str(v).replace('_', ' ')}" for c, v in statuses)
        items.append(f"<li class=wide>each challenger at the end: <b>{html.escape(text)}</b></li>")
    return "<h3>Measures</h3><ul class=measures>" + "".join(items) + "</ul>"


# ============================================================================ parameters
@dataclass(frozen=True)
class ParamRow:
    """A parameter whose value differs from its default (the schema's, or the base map's)."""

    path: str
    value: Any
    default: Any
    unit: str
    source: str  # short: "assumed (0.3-0.9)", "sourced: article 001"
    meaning: str
    source_note: str = ""  # in full: the reason, or the figure and where it is stated


def _walk(model: BaseModel, ref: BaseModel | None, path: str) -> Iterator[ParamRow]:
    for name, f in type(model).model_fields.items():
        value = getattr(model, name)
        where = f"{path}.{name}" if path else name
        if isinstance(value, BaseModel):
            yield from _walk(value, getattr(ref, name, None) if ref is not None else None, where)
            continue
        if isinstance(value, dict) and value and all(isinstance(v, BaseModel) for v in value.values()):
            base = getattr(ref, name, None) if ref is not None else None
            for key, item in value.items():
                yield from _walk(item, base.get(key) if isinstance(base, dict) else None, f"{where}.{key}")
            continue
        extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
        if "unit" not in extra and not isinstance(value, bool):
            continue
        if ref is not None:
            default = getattr(ref, name)
        elif f.is_required():
            continue  # a new region's population, a new unit's strength: part of the world, not a change
        else:
            default = f.default
        if value != default:
            short, full = provenance_label(extra)
            yield ParamRow(where, value, default, extra.get("unit", "on/off"), short, f.description or "", full)


def _base_scenario(scn: Scenario) -> Scenario | None:
    """The bundled base the scenario extends, validated, to compare regions and units with."""
    from ..scenario.loader import DATA_DIR, read_raw

    path = DATA_DIR / f"{scn.base}.yaml" if scn.base else None
    if path is None or not path.exists():
        return None
    raw, _ = read_raw(path)
    raw.setdefault("description", {"what_is_it": ""})
    return Scenario.model_validate(raw)


def changed_parameters(scn: Scenario) -> list[ParamRow]:
    """Parameters that differ from the defaults: regions, institutions and units against the
    base map the scenario extends (a scenario without a base defines its own map: nothing to
    compare), everything else (the ruler, each challenger, the mediator, ...) against the
    schema's defaults."""
    base = _base_scenario(scn)
    rows: list[ParamRow] = []
    for section in PARAM_SECTIONS:
        value = getattr(scn, section)
        if section in BASE_SECTIONS:
            if base is None:
                continue
            ref = getattr(base, section)
            for key, item in value.items():
                rows += _walk(item, ref.get(key) if ref else None, f"{section}.{key}")
        elif isinstance(value, dict):
            for key, item in value.items():
                rows += _walk(item, None, f"{section}.{key}")
        else:
            rows += _walk(value, None, section)
    return rows


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, tuple | list):
        return ", ".join(_show(v) for v in value)
    return str(value)


def _compared(scn: Scenario) -> str:
    if _base_scenario(scn) is not None:
        return (f"Regions, institutions and units are compared with the base map the scenario extends "
                f"(<code>{html.escape(scn.base)}</code>); everything else (the ruler, the challengers, the "
                f"mediator, ...) with the model's defaults.")
    return (f"The scenario draws its own map ({len(scn.regions)} regions, {len(scn.units)} units), so only "
            "its other settings are compared with the model's defaults.")


def parameters_table(rows: list[ParamRow], overrides: list[str]) -> str:
    if not rows:
        return "<p>Every parameter has its default value.</p>"
    set_paths = {o.split("=", 1)[0].strip() for o in overrides}
    body = []
    for r in rows:
        tag = " <span class=tag>--set</span>" if r.path in set_paths else ""
        title = f' title="{html.escape(r.meaning)}"' if r.meaning else ""
        body.append(f"<tr><td><code{title}>{html.escape(r.path)}</code>{tag}</td>"
                    f"<td class=num>{html.escape(_show(r.value))}</td><td class=num>{html.escape(_show(r.default))}</td>"
                    f'<td>{html.escape(r.unit)}</td><td class=src title="{html.escape(r.source_note)}">'
                    f"{html.escape(r.source)}</td></tr>")
    return ("<table class=params><thead><tr><th>parameter</th><th>value</th><th>default</th><th>unit</th>"
            "<th>where the default comes from</th></tr></thead><tbody>" + "".join(body) + "</tbody></table>")


def events_list(scn: Scenario) -> str:
    """The scripted events: when, what, and the settings that differ from the event's defaults."""
    if not scn.events:
        return "<p>No scripted events: everything that happens comes from the rules.</p>"
    items = []
    for ev in scn.events:
        cls = type(ev)
        extras = [f"{k} {_show(v)}" for k, v in ev.model_dump().items()
                  if k not in ("at", "type", "note") and v != cls.model_fields[k].default]
        text = f"<b>{html.escape(clock(ev.at))}</b> {html.escape(ev.type.replace('_', ' '))}"
        if extras:
            text += f" ({html.escape('; '.join(extras))})"
        if ev.note:
            text += f" - <i>{html.escape(ev.note)}</i>"
        items.append(f"<li>{text}</li>")
    return "<ul class=events>" + "".join(items) + "</ul>"


# ============================================================================ rules
def rules_list(disabled: list[str]) -> str:
    """Every rule with its statement and sources; the ones the scenario switches off marked."""
    off = set(disabled)
    items = []
    for r in RULES.values():
        sources = ", ".join(dict.fromkeys(e.source for e in r.evidence))
        quotes = " | ".join(f"{e.source}: {e.quote}" for e in r.evidence)
        lit = "; ".join(r.literature)
        mark = "<span class=off-tag>OFF</span> " if r.id in off else ""
        items.append(f'<li class="{"off" if r.id in off else "on"}">{mark}<code>{html.escape(r.id)}</code> '
                     f"<span class=statement>{html.escape(r.statement)}</span> "
                     f'<span class=src title="{html.escape(quotes)}">[{html.escape(sources)}'
                     f"<span class=lit>{'; ' + html.escape(lit) if lit else ''}</span>]</span></li>")
    return "<ul class=rules>" + "".join(items) + "</ul>"


# ============================================================================ what to notice
def _when(hour: float) -> str:
    return f"{clock(hour)} (hour {hour:g})"


def timeline_notice(run: RunFolder) -> str:
    s = run.series
    first, last = s.iloc[0], s.iloc[-1]
    text = (f"The regime's strength, as the elites read it, went from {first['regime_strength']:.2f} to "
            f"{last['regime_strength']:.2f}, and the public's legitimacy from {first['legitimacy']:.2f} to "
            f"{last['legitimacy']:.2f}.")
    aside = s.filter(like="aside__").sum(axis=1)
    defected = s.filter(like="defected__").sum(axis=1)
    away = aside + defected
    if away.max() > 0:
        i = away.idxmax()
        split = [f"{v:,.0f} {what}" for v, what in ((aside[i], "standing aside"), (defected[i], "defected")) if v > 0]
        text += (f" At the peak, {_when(s.at[i, 'hour'])}, {away[i]:,.0f} armed men did not back the ruler"
                 f"{': ' + _and(split) if len(split) > 1 else ' (' + split[0] + ')'}.")
    else:
        text += " Every armed unit stayed loyal throughout."
    if s["protest_share"].max() > 0:
        i = s["protest_share"].idxmax()
        text += f" Nationally, protest peaked at {100 * s.at[i, 'protest_share']:.2f}% of the population, {_when(s.at[i, 'hour'])}."
    dead = float(last.get("casualties", 0.0))
    if dead > 0:
        crowd = float(last.get("crowd_deaths", 0.0))
        text += (f" The crisis cost {dead:,.0f} casualties"
                 + (f", {crowd:,.0f} of them people killed in crowds fired on." if crowd >= 0.5 else "."))
    return text


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def column_reached(run: RunFolder) -> dict[str, float]:
    """The first hour the marching column stood at each region: from the recorded column
    position and the regions' map positions, the column's own events and the seat it set out
    from; empty without a column."""
    s = run.series
    if "column_lon" not in s:
        return {}
    at = s[s["column_lon"].notna() & s["column_lat"].notna()]
    out: dict[str, float] = {}
    if at.empty:
        return out
    for name, r in run.raw.get("regions", {}).items():
        lon, lat = (float(v) for v in r["pos"])
        here = at[((at["column_lon"] - lon).abs() < 1e-6) & ((at["column_lat"] - lat).abs() < 1e-6)]
        if len(here):
            out[name] = float(here["hour"].min())
    # the engine logs the column reaching each region ('column' events): it may pass a
    # region between two recorded rows
    ev = run.events
    if not ev.empty and {"kind", "region"} <= set(ev.columns):
        for name, hour in ev[(ev["kind"] == "column") & (ev["region"] != "")].groupby("region")["hour"].min().items():
            out[name] = min(out.get(name, float(hour)), float(hour))
    # the seat it set out from: the row before the column is first recorded (it may have left
    # the seat within the step); the marching challengers active then, and their seats
    first = s.index.get_loc(at.index[0])
    start = float(s["hour"].iloc[max(0, first - 1)])
    active = str(at["challenge"].iloc[0]).split(",") if "challenge" in at else []
    capital = next((n for n, r in run.raw.get("regions", {}).items() if r.get("capital")), None)
    for cid, c in (run.raw.get("challengers") or {}).items():
        if cid in active and c.get("mode") == "march":
            seat = c.get("seat") or capital
            if seat is not None:
                out[seat] = min(out.get(seat, start), start)
    return out


def map_notice(run: RunFolder, hour: float) -> str:
    now = run.track[run.track["hour"] == hour]
    st = run.stances
    # when the column reached each region; a unit "moved as the column passed" if it changed
    # stance there after that
    reached = column_reached(run)
    parts = []
    for stance, label in (("standing aside", "standing aside"), ("defected", "defected")):
        sub = now[(now["stance"] == stance) & ~now["in_column"]]
        phrases = []
        for region, g in sub.groupby("region"):
            moved = st[st["unit"].isin(g["unit"]) & (st["region"] == region) & (st["hour"] <= hour)]
            passing = region in reached and len(moved) and (moved["hour"] >= reached[region]).all() \
                and set(moved["unit"]) == set(g["unit"])
            phrases.append((g["strength"].sum(), f"{n_units(len(g))} in {region} ({g['strength'].sum():,.0f} men"
                                                 f"{', as the column passed' if passing else ''})"))
        if phrases:
            phrases.sort(reverse=True)
            shown = [p for _, p in phrases[:4]]
            if len(phrases) > 4:  # a long list reads badly under a slide
                rest = phrases[4:]
                shown.append(f"{len(rest)} more places ({sum(m for m, _ in rest):,.0f} men)")
            parts.append(f"{label}: {_and(shown)}")
    text = f"At {_when(hour)}, " + ("; ".join(parts) + "." if parts else "every unit outside the column is loyal.")
    row = run.series.loc[(run.series["hour"] - hour).abs().idxmin()]
    if math.isfinite(row.get("column_km_to_capital", float("nan"))):
        text += (f" The column has {row['column_strength']:,.0f} men and is {row['column_km_to_capital']:,.0f} km "
                 f"from {run.scenario.capital}.")
    peaks = {r: row.get(f"protest__{r}", 0.0) for r in populated_regions(run.raw)}
    top = max(peaks, key=peaks.get, default=None)
    if top is not None and peaks[top] > 0:
        text += f" Protest is highest in {top}: {100 * peaks[top]:.2f}% of its people."
    return text


def cascade_notice(run: RunFolder) -> str:
    s = run.stances.sort_values("hour", kind="stable").reset_index(drop=True)
    if s.empty:
        return "No unit changed stance: every commander judged his first stance the better bet throughout."
    first = s.iloc[0]
    text = (f"The first move: {first['label']} ({first['region']}) {STANCE_VERBS.get(first['to'], first['to'])} "
            f"at {_when(first['hour'])}.")
    # a move's place in its chain: one more than the latest earlier move of the unit it followed
    depth: dict[int, int] = {}
    latest: dict[str, int] = {}
    for i, row in s.iterrows():
        leader = latest.get(row["followed"]) if row["followed"] else None
        depth[i] = depth[leader] + 1 if leader is not None else 1
        latest[row["unit"]] = i
    followers = sum(1 for d in depth.values() if d > 1)
    if len(s) > 1:
        text += (f" {len(s) - 1} more move{'s' if len(s) > 2 else ''} came within {s['hour'].max() - first['hour']:g} "
                 f"hours; {followers} of the {len(s)} moves followed an earlier one, and the longest chain of "
                 f"followers is {max(depth.values())} moves long.")
    again = s.groupby("unit").size()
    if (again > 1).any():
        text += f" {n_units(int((again > 1).sum())).capitalize()} changed stance more than once."
    return text


def public_notice(run: RunFolder) -> str:
    s, regions = run.series, populated_regions(run.raw)
    pop = {n: int(r.get("population", 0)) for n, r in run.raw["regions"].items()}
    protest = {r: float(s[f"protest__{r}"].max()) for r in regions if f"protest__{r}" in s}
    final = s.iloc[-1]
    emig = {r: float(final.get(f"emigrated__{r}", 0.0)) for r in regions}
    mob = {r: float(final.get(f"mobilized__{r}", 0.0)) for r in regions}
    parts = []
    if protest and max(protest.values()) > 0:
        top = max(protest, key=protest.get)
        at = s.loc[s[f"protest__{top}"].idxmax(), "hour"]
        parts.append(f"Protest peaked at {100 * protest[top]:.2f}% of the population in {top} ({_when(at)})")
    for word, flow in (("emigrated", emig), ("were mobilized", mob)):
        total = sum(flow.values())
        if total > 0:
            top = max(flow, key=flow.get)
            per_head = max(flow, key=lambda r: flow[r] / pop[r] if pop[r] else 0.0)
            text = f"{total:,.0f} people {word}, most from {top} ({flow[top]:,.0f})"
            if per_head != top:
                text += f"; per head, most in {per_head} ({100 * flow[per_head] / pop[per_head]:.2f}% of its people)"
            parts.append(text)
    rally = {r: float(s[f"rally__{r}"].max()) for r in regions if f"rally__{r}" in s}
    if rally and max(rally.values()) > 0:
        top = max(rally, key=rally.get)
        parts.append(f"Answering a call to rally, up to {rally[top]:,.0f} people were in the streets of {top}")
    dead = {r: float(final.get(f"deaths__{r}", 0.0)) for r in regions}
    if sum(dead.values()) > 0:
        top = max(dead, key=dead.get)
        parts.append(f"{sum(dead.values()):,.0f} people were killed when troops fired on crowds, most in {top} "
                     f"({dead[top]:,.0f})")
    if not parts:
        return "The public stayed home: no protest, no emigration and no call-up in this run."
    return ". ".join(parts) + "."


def notices(run: RunFolder, hour: float) -> dict[str, str]:
    """A sentence per figure on what to notice, written from this run's tables."""
    return {"timeline": timeline_notice(run), "map": map_notice(run, hour), "cascade": cascade_notice(run),
            "public": public_notice(run)}


# ============================================================================ the page
def png_base64(fig: Figure, dpi: int = 150) -> str:
    """The figure as a base64 PNG (for an ``<img src="data:...">``); closes the figure."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _description(scn: Scenario) -> str:
    d = scn.description
    out = [f"<h3>What is it?</h3><p>{html.escape(d.what_is_it)}</p>"]
    if d.how_it_works:
        out.append(f"<h3>How it works</h3><p>{html.escape(d.how_it_works)}</p>")
    if d.things_to_notice:
        out.append("<h3>Things to notice</h3><ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in d.things_to_notice)
                   + "</ul>")
    if d.things_to_try:
        out.append("<h3>Things to try</h3><ul class=try>"
                   + "".join(f"<li>{html.escape(x)}</li>" for x in d.things_to_try) + "</ul>")
    if d.credits:
        out.append(f"<p class=note>Credits: {html.escape(d.credits)}</p>")
    return "".join(out)


def render(run: RunFolder, images: dict[str, str], hour: float) -> str:
    """The whole page as a string; ``images`` maps figure names to base64 PNGs."""
    scn, m = run.scenario, run.measures
    man = run.manifest
    said = notices(run, hour)
    figs = "".join(
        f'<figure id="fig-{name}"><figcaption><b>{html.escape(FIGURE_TITLES.get(name, name))}</b></figcaption>'
        f'<img alt="{html.escape(FIGURE_TITLES.get(name, name))}" src="data:image/png;base64,{data}">'
        f"<p class=notice><b>What to notice:</b> {html.escape(said.get(name, ''))}</p></figure>"
        for name, data in images.items())
    disabled = list(scn.rules.disable)
    note = ("One run is one story, so this table can only say that the outcome is possible: the interval "
            "shows how little a single run tells. A sweep (many seeds) fills this table with each outcome's "
            "probability.")
    meta = [f"scenario <code>{html.escape(scn.name)}</code>", f"seed {run.seed}",
            f"{scn.time.horizon_days:g} days in steps of {scn.time.step_hours:g} h"]
    if run.overrides:
        meta.append("with " + ", ".join(f"<code>--set {html.escape(o)}</code>" for o in run.overrides))
    prov = [f"written {dt.datetime.now():%Y-%m-%d %H:%M}"]
    for key, label in (("command", "command"), ("git_commit", "commit"), ("package_version", "regime-sim"),
                       ("scenario_sha256", "scenario sha256")):
        if man.get(key):
            prov.append(f"{label} <code>{html.escape(str(man[key]))}</code>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(run.name)} - seed {run.seed} - regime-sim report</title>
<style>{CSS}</style></head>
<body>
<header>
<h1>{html.escape(run.name)}</h1>
<p class=meta>{" · ".join(meta)}</p>
<p class=result>{_badge(m.get("outcome", ""), m.get("outcome_label", ""))} after {m.get("time_to_outcome_h", 0):,.0f} h:
{html.escape(str(m.get("outcome_reason", "")))}</p>
</header>
<main>
<nav><a href="#outcome">outcome</a> · <a href="#scenario">scenario</a> · <a href="#figures">figures</a> ·
<a href="#parameters">parameters</a> · <a href="#rules">rules</a></nav>
<section id=outcome><h2>Outcome</h2>
{outcome_table([OutcomeShare(m.get("outcome", ""), m.get("outcome_label", ""), 1, 1)], note)}
{measures_list(m)}
</section>
<section id=scenario><h2>The scenario</h2>{_description(scn)}</section>

<section id=figures><h2>Figures</h2><div class=figures>{figs}</div>
<p class="note screen-only">The animated map, if drawn (<code>regime-sim plot</code>), is <code>map.gif</code> in the
results folder.</p></section>
<section id=parameters><h2>Parameters that differ from the defaults</h2>
<p class=note>{_compared(scn)} The last column says where the default comes from (the numbered source
articles, the literature, or "assumed").</p>
{parameters_table(changed_parameters(scn), run.overrides)}
<h3>Scripted events</h3>{events_list(scn)}
</section>

<section id=rules><h2>Rules in effect: {len(RULES) - len(disabled)} of {len(RULES)}</h2>
<p class=note>Each rule is a small function in <code>sim/rules/</code> with the passages of the source articles
it encodes (numbered 000-004; <span class=screen-only>hover over them to read the quotes</span><span
class=print-only>the statements and quotes are in the on-screen page and in docs/rules.md</span>) and the
literature it takes its form from;
{("the scenario switches off " + ", ".join(f"<code>{html.escape(d)}</code>" for d in disabled)) if disabled
 else "this scenario switches none off"}.</p>
{rules_list(disabled)}
</section>
</main>
<footer><p>{" · ".join(prov)}</p></footer>
</body></html>
"""


def write_report(run: RunFolder, out: Path, at: float | None = None,
                 on_figure: Callable[[str, float], None] | None = None) -> Path:
    """Draw the run's figures and write ``out`` (report.html); return its path.

    ``on_figure(name, seconds)`` is called after each figure (for progress lines).
    """
    hour = key_hour(run.series, run.track) if at is None else at
    images = {}
    for name, draw in figures(run, hour).items():
        t0 = time.perf_counter()
        images[name] = png_base64(draw())
        if on_figure:
            on_figure(name, time.perf_counter() - t0)
    out.write_text(render(run, images, nearest_hour(run.track["hour"].unique(), hour)), encoding="utf-8")
    return out


CSS = """
:root { --ink: #1a1a1a; --muted: #555; --rule: #d0d0d0; --bg-soft: #f5f5f5; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif;
       color: var(--ink); max-width: 1180px; margin: 0 auto; padding: 24px; line-height: 1.45; font-size: 16px; }
h1 { font-size: 30px; margin: 0 0 4px; }
h2 { font-size: 22px; border-bottom: 2px solid var(--ink); padding-bottom: 2px; margin: 28px 0 10px; }
h3 { font-size: 17px; margin: 14px 0 4px; }
p { margin: 6px 0; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; background: var(--bg-soft);
       padding: 0 3px; border-radius: 3px; }
.meta, .note, footer { color: var(--muted); font-size: 0.9em; }
.result { font-size: 19px; margin-top: 10px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: 700; }
table { border-collapse: collapse; margin: 8px 0; font-size: 0.92em; }
th, td { border-bottom: 1px solid var(--rule); padding: 4px 10px 4px 0; text-align: left; vertical-align: top; }
th { border-bottom: 2px solid var(--ink); }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.src { color: var(--muted); font-size: 0.9em; }
td.wrap { white-space: normal; }
.tag { font-size: 0.75em; background: #000; color: #fff; padding: 0 4px; border-radius: 3px; }
svg.bar { vertical-align: middle; }
ul.measures { list-style: none; padding: 0; columns: 2; column-gap: 32px; margin: 4px 0; }
ul.measures li { break-inside: avoid; padding: 2px 0; border-bottom: 1px solid var(--rule); }
ul.measures li.wide { column-span: all; border-bottom: none; }
nav { font-size: 0.9em; margin-top: 8px; }
.figures { display: grid; grid-template-columns: 1fr; gap: 22px; }
figure { margin: 0; }
figure img { width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { font-size: 18px; margin-bottom: 4px; }
.notice { background: var(--bg-soft); border-left: 4px solid #0072B2; padding: 6px 10px; }
ul.try li { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
ul.rules { list-style: none; padding: 0; columns: 2; column-gap: 28px; font-size: 0.88em; }
ul.rules li { break-inside: avoid; margin: 0 0 6px; }
ul.rules li.off { color: #777; text-decoration: line-through; }
ul.rules .src { color: var(--muted); }
.off-tag { text-decoration: none; display: inline-block; background: #D55E00; color: #fff; font-weight: 700;
           font-size: 0.8em; padding: 0 4px; border-radius: 3px; }
.print-only { display: none; }
footer { border-top: 1px solid var(--rule); margin-top: 28px; padding-top: 6px; }
@page { size: A4; margin: 10mm 11mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 7.5pt; line-height: 1.28; }
  h1 { font-size: 16pt; } h2 { font-size: 11pt; margin: 8px 0 4px; } h3 { font-size: 9pt; margin: 5px 0 2px; }
  .result { font-size: 10pt; margin-top: 4px; }
  table { font-size: 7.5pt; margin: 3px 0; } th, td { padding: 1px 6px 1px 0; }
  #scenario { columns: 2; column-gap: 8mm; } #scenario h2 { column-span: all; }
  #scenario h3, #scenario li { break-inside: avoid; }
  nav { display: none; }
  /* on paper the settings fill page one and the figures with the rules page two */
  main { display: flex; flex-direction: column; }
  #outcome { order: 1; } #scenario { order: 2; } #parameters { order: 3; } #figures { order: 4; } #rules { order: 5; }
  ul.measures { columns: 3; column-gap: 4mm; font-size: 7pt; } ul.measures li { padding: 0; }
  svg.bar { width: 80px; height: 12px; }
  .figures { grid-template-columns: 1fr 1fr; gap: 2mm 5mm; }
  figure { break-inside: avoid; }
  figure img { width: auto; max-width: 100%; max-height: 60mm; border: none; }
  figcaption { font-size: 9pt; margin: 0; }
  .notice { padding: 1px 5px; border-left-width: 2px; font-size: 7pt; margin: 2px 0; }
  td { white-space: nowrap; } td.src, td.wrap { white-space: normal; }
  #parameters, #rules { font-size: 7pt; }
  ul.rules { columns: 4; column-gap: 4mm; font-size: 6.5pt; }
  ul.rules li { margin: 0; }
  ul.rules .statement, ul.rules .lit { display: none; }
  .screen-only { display: none; } .print-only { display: inline; }
  a { color: inherit; text-decoration: none; }
}
"""
