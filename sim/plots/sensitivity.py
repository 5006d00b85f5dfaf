"""Figures of a sensitivity analysis and of scenario discovery: Sobol indices with their
intervals, the Morris mu*-sigma plane, PRIM's coverage-density trade-off and a box's limits.
The dummy parameter (never read by the model) marks the noise floor in the first two."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from . import style

BOX_COLORS = (style.BLUE, style.VERMILION, style.GREEN, style.PURPLE, style.ORANGE)
FLOOR_FILL = "#E8E8E8"


def short_label(path: str) -> str:
    """'ruler.regime_strength' -> 'ruler regime strength', 'challengers.wagner.offer' ->
    'wagner offer', 'institutions.army.ties' -> 'army ties', 'mediator.enabled' -> 'mediator
    enabled', 'events[0].severity' -> 'events[0] severity' (:func:`style.param_label`); the
    dummy says what it is."""
    if path.startswith("dummy"):
        return "dummy (never read)"
    return style.param_label(path)


def _labels(paths: list[str]) -> list[str]:
    short = [short_label(p) for p in paths]
    # two parameters that shorten alike keep their full paths
    return [s if short.count(s) == 1 else p for s, p in zip(short, paths, strict=True)]


def _titles(ax, title: str, subtitle: str) -> None:
    ax.set_title(title, loc="left", pad=30 if subtitle else 6)
    if subtitle:
        ax.text(0, 1.02, subtitle, transform=ax.transAxes, fontsize=12, color="#444444", va="bottom")


def sobol_figure(indices: pd.DataFrame, *, title: str, response_label: str, subtitle: str = ""):
    """S1 and ST side by side per parameter (largest ST on top), with their intervals; the band
    up to the dummy's upper ST bound is the noise floor."""
    style.apply()
    t = indices.sort_values("ST", ascending=True, kind="stable").reset_index(drop=True)
    floor = float(t["noise_floor"].iloc[0])
    y = np.arange(len(t))
    h = 0.38
    fig, ax = plt.subplots(figsize=(10, 1.6 + 0.9 * len(t)))
    # indices live in [0, 1]; with few samples a bootstrap interval can run far past that, and
    # then the axis stops at [-0.5, 1.5] rather than squeeze every bar to nothing
    left = max(-0.5, min(0.0, float(t["S1_low"].min()))) - 0.02
    right = min(1.5, max(0.25, float(t["ST_high"].max()) * 1.08, float(t["S1_high"].max()) * 1.08, floor * 1.08))
    ax.axvspan(left, floor, color=FLOOR_FILL, zorder=0)
    ax.axvline(floor, color=style.GREY, linestyle="--", linewidth=1.6, zorder=1)
    err = {"ecolor": "#333333", "capsize": 4, "elinewidth": 1.4}
    dummy = t["is_dummy"].to_numpy()
    for key, offset, color in (("ST", h / 2, style.ORANGE), ("S1", -h / 2, style.BLUE)):
        bars = ax.barh(y + offset, t[key], height=h, color=color, xerr=t[f"{key}_conf"], error_kw=err, zorder=2)
        for bar, is_dummy in zip(bars, dummy, strict=True):
            if is_dummy:  # same colours, hatched: the dummy's S1 and ST stay apart
                bar.set_hatch("//")
                bar.set_edgecolor("white")
    ax.set_yticks(y, _labels(t["parameter"].tolist()))
    ax.grid(axis="y", visible=False)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlim(left, right)
    ax.set_xlabel(f"Sobol index: share of the variance of {response_label}")
    _titles(ax, title, subtitle)
    handles = [Patch(color=style.BLUE, label="first order S1 (alone)"),
               Patch(color=style.ORANGE, label="total ST (with interactions)"),
               Patch(facecolor=style.GREY, edgecolor="white", hatch="//", label="dummy: never read by the model"),
               Patch(facecolor=FLOOR_FILL, edgecolor=style.GREY, label=f"noise floor: dummy's ST up to {floor:.2f}")]
    fig.legend(handles=handles, loc="lower center", ncol=2, bbox_to_anchor=(0.5, -0.02 - 0.04 / len(t)))
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    return fig


def morris_figure(indices: pd.DataFrame, *, title: str, response_label: str, unit: str = "",
                  subtitle: str = ""):
    """Each parameter at (mu*, sigma) with mu*'s interval; the dummy in grey; the band up to
    the dummy's upper mu* bound is the noise floor."""
    style.apply()
    t = indices.reset_index(drop=True)
    floor = float(t["noise_floor"].iloc[0])
    fig, ax = plt.subplots(figsize=(10, 7))
    xmax = max(float(t["mu_star_high"].max()), floor) * 1.25 or 1.0
    ymax = max(float(t["sigma"].max()), 1e-12) * 1.3
    ax.axvspan(0, floor, color=FLOOR_FILL, zorder=0)
    ax.axvline(floor, color=style.GREY, linestyle="--", linewidth=1.6, zorder=1)
    line = np.array([0, max(xmax, ymax)])
    ax.plot(line, line, color=style.GREY, linestyle=":", linewidth=1.4, zorder=1)
    corner = min(xmax, ymax) * 0.97  # where the diagonal leaves the axes
    ax.text(corner, corner, " sigma = mu*", color="#555555", fontsize=11, ha="left", va="top")
    labels = _labels(t["parameter"].tolist())
    # among points close in mu*, the highest is labelled above, the lowest below, the rest to the right
    place = {}
    for row in t.itertuples():
        near = t[(t["mu_star"] - row.mu_star).abs() < 0.3 * xmax]
        if len(near) == 1 or row.Index == near["sigma"].idxmax():
            place[row.Index] = ((8, 8), "bottom")
        elif row.Index == near["sigma"].idxmin():
            place[row.Index] = ((8, -10), "top")
        else:
            place[row.Index] = ((14, 0), "center")
    for row, label in zip(t.itertuples(), labels, strict=True):
        color, marker = (style.GREY, "X") if row.is_dummy else (style.BLUE, "o")
        ax.errorbar(row.mu_star, row.sigma, xerr=row.mu_star_conf, fmt=marker, color=color, markersize=11,
                    ecolor=color, elinewidth=1.4, capsize=4, zorder=3)
        offset, va = place[row.Index]
        ax.annotate(label, (row.mu_star, row.sigma), xytext=offset, textcoords="offset points", va=va, fontsize=12,
                    color="#222222", zorder=4,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
    ax.set_xlim(0, xmax)
    ax.set_ylim(0, ymax)
    u = f" ({unit})" if unit else ""
    ax.set_xlabel(f"mu*: mean absolute effect on {response_label}{u}\nof moving a parameter across its range")
    ax.set_ylabel(f"sigma: spread of the effects{u}")
    _titles(ax, title, subtitle)
    handles = [plt.Line2D([], [], marker="o", color=style.BLUE, linestyle="none", markersize=10,
                          label="parameter (bar: 95% interval of mu*)"),
               plt.Line2D([], [], marker="X", color=style.GREY, linestyle="none", markersize=10,
                          label="dummy (never read by the model)"),
               Patch(facecolor=FLOOR_FILL, edgecolor=style.GREY, label=f"noise floor: mu* up to {floor:.3g}")]
    fig.legend(handles=handles, loc="lower center", ncol=3, bbox_to_anchor=(0.5, -0.01), fontsize=10)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def prim_tradeoff_figure(trajectory: pd.DataFrame, *, title: str, threshold: float):
    """Coverage against density along each box's peeling and pasting trajectory; the chosen box circled."""
    style.apply()
    fig, ax = plt.subplots(figsize=(10, 7))
    ax.axhline(threshold * 100, color=style.GREY, linestyle="--", linewidth=1.4)
    ax.text(1, threshold * 100, f"density threshold {threshold:.0%} ", transform=ax.get_yaxis_transform(),
            ha="right", va="bottom", color="#555555", fontsize=11)
    for b, traj in trajectory.groupby("box"):
        color = BOX_COLORS[(int(b) - 1) % len(BOX_COLORS)]
        ax.plot(traj["coverage"] * 100, traj["density"] * 100, "-o", color=color, markersize=5,
                label=f"box {b}: {len(traj)} steps", zorder=2)
        chosen = traj[traj["chosen"]].iloc[0]
        cx, cy = chosen["coverage"] * 100, chosen["density"] * 100
        ax.plot(cx, cy, "o", markersize=20, markerfacecolor="none", markeredgecolor=color,
                markeredgewidth=2.5, zorder=3)
        ax.annotate(f"box {b}", (cx, cy), xytext=(12, 10), textcoords="offset points", fontsize=12,
                    fontweight="bold", color=color)
        # boxes beyond the first are no less dense than the runs they start from, so the band
        # under the starting density, at the bottom of the axes, is free for the notes
        ax.text(0.03, 0.04 + 0.07 * (len(trajectory["box"].unique()) - int(b)),
                f"circled: box {b} chosen, density {chosen['density']:.0%}, coverage {chosen['coverage']:.0%}, "
                f"{int(chosen['restricted'])} parameter{'s' if chosen['restricted'] != 1 else ''} restricted",
                transform=ax.transAxes, ha="left", va="bottom", fontsize=11, color=color)
        start = traj.iloc[0]
        ax.annotate("all runs" if b == 1 else f"rest after box {int(b) - 1}",
                    (start["coverage"] * 100, start["density"] * 100), xytext=(6, -16),
                    textcoords="offset points", fontsize=10, color="#444444")
    ax.set_xlim(-2, 104)
    ax.set_ylim(max(0.0, float(trajectory["density"].min()) * 100 - 6 - 6 * trajectory["box"].nunique()), 104)
    ax.set_xlabel("coverage: % of all runs with the outcome that fall in the box")
    ax.set_ylabel("density: % of the box's runs with the outcome")
    ax.set_title(title, loc="left")
    ax.legend(loc="upper right")
    fig.tight_layout()
    return fig


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"


def prim_box_figure(limits: pd.DataFrame, ranges: dict, *, title: str, subtitle: str = ""):
    """Each box's limits (one line per box, in its colour) over every parameter's swept range
    (grey), with the limits and the quasi-p-value of each restriction written beside them."""
    style.apply()
    params = list(dict.fromkeys(limits["parameter"]))
    boxes = sorted(limits["box"].unique())
    line, gap = 0.45, 0.75  # height of one box's line; space between parameters (range labels)
    fig, ax = plt.subplots(figsize=(12, 1.6 + (len(boxes) * line + gap) * len(params) * 0.95))
    y, ticks = 0.0, []
    for p in params[::-1]:
        rows = limits[limits["parameter"] == p].sort_values("box", ascending=False)
        first = rows.iloc[0]
        numeric = first["kind"] == "numeric"
        y += gap
        first_line = y
        # the range's ends (or the categories) just under the parameter's lowest line
        if numeric:
            lo, hi = ranges.get(p, (first["full_low"], first["full_high"]))
            span = (hi - lo) or 1.0
            ax.text(0, y - 0.2, _num(lo), ha="left", va="top", fontsize=11, color="#555555")
            ax.text(1, y - 0.2, _num(hi), ha="right", va="top", fontsize=11, color="#555555")
        else:
            cats = str(first["full_values"]).split(", ")
            xs = np.linspace(0.05, 0.95, len(cats))
            for x, c in zip(xs, cats, strict=True):
                ax.text(x, y - 0.2, c, ha="center", va="top", fontsize=11, color="#555555")
        for row in rows.itertuples():
            color = BOX_COLORS[(int(row.box) - 1) % len(BOX_COLORS)]
            ax.plot([0, 1], [y, y], color="#DDDDDD", linewidth=10, solid_capstyle="butt", zorder=1)
            if not row.restricted:
                note = "not restricted"
            elif numeric:
                a, b = (row.low - lo) / span, (row.high - lo) / span
                if b - a < 0.01:  # one value: a marker, or it would not show
                    ax.plot((a + b) / 2, y, "D", markersize=12, color=color, zorder=3)
                else:
                    ax.plot([a, b], [y, y], color=color, linewidth=10, solid_capstyle="butt", zorder=2)
                note = f"= {_num(row.low)}" if row.low == row.high else f"{_num(row.low)} to {_num(row.high)}"
            else:
                kept = set(str(row.values).split(", "))
                for x, c in zip(xs, cats, strict=True):
                    ax.plot(x, y, "o", markersize=12, color=color if c in kept else "white",
                            markeredgecolor=color, markeredgewidth=2, zorder=3)
                note = "{" + ", ".join(c for c in cats if c in kept) + "}"
            if row.restricted and np.isfinite(row.qp):
                note += f" (qp = {row.qp:.2g})"
            ax.text(1.03, y, f"box {row.box}: {note}", ha="left", va="center", fontsize=12,
                    color=color if row.restricted else "#777777")
            y += line
        ticks.append((first_line + y - line) / 2)
    ax.set_yticks(ticks, _labels(params[::-1]))
    ax.set_ylim(0.2, y)
    ax.set_xlim(-0.03, 1.03)
    ax.set_xticks([])
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel("each parameter's swept range, low end to high end (grey); each box's limits in its colour")
    _titles(ax, title, subtitle)
    fig.tight_layout()
    return fig


def save(fig, folder: Path, stem: str) -> list[str]:
    """PNG (150 dpi) and SVG through the project's style."""
    return style.save(fig, Path(folder) / stem)


def plot_sensitivity(folder: Path | str) -> list[str]:
    """Draw a results folder's sensitivity figure from its tables: ``sensitivity_sobol`` or
    ``sensitivity_morris`` (.png and .svg)."""
    import json

    folder = Path(folder)
    meta = json.loads((folder / "sensitivity.json").read_text())
    indices = pd.read_parquet(folder / "sensitivity_indices.parquet")
    label = meta["response"]["label"]
    what = "base samples" if meta["method"] == "sobol" else "trajectories"
    subtitle = (f"{meta['scenario']}: {meta['method'].capitalize()}, N = {meta['base_samples']} {what}, "
                f"{meta['points']} points x {meta['replications']} replications = {meta['runs']} runs")
    if meta["method"] == "sobol":
        fig = sobol_figure(indices, title=f"What moves {label}?", response_label=label, subtitle=subtitle)
    else:
        fig = morris_figure(indices, title=f"What moves {label}?", response_label=label,
                            unit=meta["response"]["unit"], subtitle=subtitle)
    return save(fig, folder, f"sensitivity_{meta['method']}")


def plot_discovery(folder: Path | str) -> list[str]:
    """Draw a discovery folder's figures from its tables: ``prim_tradeoff`` and ``prim_box``."""
    import json

    folder = Path(folder)
    meta = json.loads((folder / "discovery.json").read_text())
    label = meta["target"]["label"]
    traj = pd.read_parquet(folder / "prim_trajectory.parquet")
    limits = pd.read_parquet(folder / "prim_boxes.parquet")
    ranges = {k: tuple(v) for k, v in meta.get("ranges", {}).items()}
    out = save(prim_tradeoff_figure(traj, title=f"PRIM: where is '{label}' likely? ({meta['scenario']})",
                                    threshold=meta["threshold"]), folder, "prim_tradeoff")
    chosen = traj[traj["chosen"]]
    subtitle = "; ".join(f"box {int(r.box)}: density {r.density:.0%}, coverage {r.coverage:.0%}"
                         for r in chosen.itertuples())
    out += save(prim_box_figure(limits, ranges, title=f"PRIM: where '{label}' is likely ({meta['scenario']})",
                                subtitle=subtitle), folder, "prim_box")
    return out
