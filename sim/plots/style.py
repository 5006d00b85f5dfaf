"""One look for every figure: colour-blind-safe colours (Okabe & Ito 2008), one per institution
(assigned from the run's sorted institution ids, see :func:`institution_styles`) and one per
stance everywhere, sizes readable on a projector."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.patheffects as pe  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

# Okabe-Ito palette
BLACK, ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILION, PURPLE, GREY = (
    "#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999",
)

#: the ruler's own lines (regime strength) are black; the public's are orange
RULER_COLOR = BLACK
PUBLIC_COLOR = ORANGE
#: institutions take these colours in the order of their sorted ids, so the same institution
#: has the same colour in every figure of a run and in the dashboard; yellow, the faintest on
#: white, comes last. Past seven institutions the colours repeat with another line style and
#: marker, so no two institutions look alike.
INSTITUTION_COLORS = (BLUE, VERMILION, GREEN, PURPLE, SKY, ORANGE, YELLOW)
INSTITUTION_LINESTYLES = ("-", "--", ":")
INSTITUTION_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "<", ">", "p", "h", "8")
STANCE_COLORS = {"loyal": BLUE, "aside": YELLOW, "standing aside": YELLOW, "defected": VERMILION}
STANCE_LABELS = {"loyal": "loyal", "aside": "standing aside", "defected": "defected"}
OUTCOME_COLORS = {
    "regime_survives": BLUE,
    "negotiated_settlement": SKY,
    "mutiny_crushed": GREEN,
    "mutiny_takes_power": VERMILION,
    "coup_succeeds": PURPLE,
    "coup_fails": GREY,
    "popular_revolution": ORANGE,
    "ruler_ousted": YELLOW,
    "civil_war": BLACK,
    "unresolved": "#DDDDDD",  # not decided: a neutral light grey
}


@dataclass(frozen=True)
class InstitutionStyle:
    """How one institution looks in every figure: colour, line style, marker and label."""

    id: str
    label: str
    color: str
    linestyle: str
    marker: str

    def line(self) -> dict[str, Any]:
        """Keyword arguments for ``ax.plot``: yellow lines get a dark edge to read on white."""
        kw: dict[str, Any] = {"color": self.color, "linestyle": self.linestyle}
        if self.color == YELLOW:
            kw["path_effects"] = [pe.Stroke(linewidth=4.0, foreground="#777777"), pe.Normal()]
        return kw


def institution_styles(ids: Iterable[str], labels: Mapping[str, str] | None = None) -> dict[str, InstitutionStyle]:
    """Colour, line style and marker of each institution of a run, in the order of the sorted
    ids; labels from ``labels`` (an empty or missing label falls back to the id)."""
    labels = labels or {}
    out = {}
    n = len(INSTITUTION_COLORS)
    for i, inst in enumerate(sorted(set(ids))):
        out[inst] = InstitutionStyle(
            id=inst,
            label=str(labels.get(inst) or inst),
            color=INSTITUTION_COLORS[i % n],
            linestyle=INSTITUTION_LINESTYLES[(i // n) % len(INSTITUTION_LINESTYLES)],
            marker=INSTITUTION_MARKERS[i % len(INSTITUTION_MARKERS)],
        )
    return out


def institution_labels(units: Any) -> dict[str, str]:
    """id -> label of every institution in a run's units table (``units.csv``)."""
    if units is None or len(units) == 0 or "institution" not in units:
        return {}
    if "institution_label" not in units:
        return {str(i): str(i) for i in units["institution"]}
    return {str(i): (str(lab) if isinstance(lab, str) and lab else str(i))
            for i, lab in zip(units["institution"], units["institution_label"], strict=True)}


def series_institutions(series: Any) -> list[str]:
    """The institution ids of a run's series (its ``loyal__{institution}`` columns), sorted."""
    return sorted(c.split("__", 1)[1] for c in series.columns if c.startswith("loyal__"))


def param_label(path: str) -> str:
    """A parameter's path in words (:func:`sim.scenario.loader.path_words`), for figures that
    have no scenario at hand; with one, :func:`sim.scenario.loader.param_label` says more."""
    from ..scenario.loader import path_words

    return path_words(path)


def apply() -> None:
    """Matplotlib defaults for slides: large text, thick lines, no chart junk."""
    plt.rcParams.update({
        # text from a scenario (names, titles, event texts) is data: a '$' in it must print as
        # a dollar sign, not start mathtext (a bad formula would fail the figure, and the run)
        "text.parse_math": False,
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "font.size": 13,
        "axes.titlesize": 15,
        "axes.titleweight": "bold",
        "axes.labelsize": 13,
        "legend.fontsize": 11,
        "xtick.labelsize": 11,
        "ytick.labelsize": 11,
        "lines.linewidth": 2.2,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "legend.frameon": False,
    })


def save(fig, path_stem) -> list[str]:
    """Save a figure as PNG (150 dpi) and SVG; return the paths."""
    from pathlib import Path

    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for ext in ("png", "svg"):
        p = stem.with_suffix(f".{ext}")
        fig.savefig(p, bbox_inches="tight")
        out.append(str(p))
    plt.close(fig)
    return out
