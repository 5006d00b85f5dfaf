"""One look for every figure: colour-blind-safe colours (Okabe & Ito 2008), one per institution
(assigned from the run's sorted institution ids, see :func:`institution_styles`) and one per
stance everywhere, sizes readable on a projector."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.patheffects as pe  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402

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


#: what every style shares
COMMON = {
    # text from a scenario (names, titles, event texts) is data: a '$' in it must print as
    # a dollar sign, not start mathtext (a bad formula would fail the figure, and the run)
    "text.parse_math": False,
    "figure.dpi": 100,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
}
#: text sizes (points) and lines by style. Figures size their own text relative to these
#: ("small", "medium", "large", "x-large" of ``font.size``), so one switch moves them all.
#: ``talk``: a slide of 1920 x 1080 (16 x 9 inches at 120 dpi) read from the back of a hall,
#: no text under 18 pt ("small" is 0.833 of ``font.size``).
STYLES: dict[str, dict[str, Any]] = {
    "paper": {"font.size": 13, "axes.titlesize": 15, "axes.labelsize": 13, "legend.fontsize": 11,
              "legend.title_fontsize": 12, "xtick.labelsize": 11, "ytick.labelsize": 11,
              "figure.titlesize": 17, "lines.linewidth": 2.2, "savefig.dpi": 150},
    "talk": {"font.size": 22, "axes.titlesize": 24, "axes.labelsize": 21, "legend.fontsize": 19,
             "legend.title_fontsize": 20, "xtick.labelsize": 19, "ytick.labelsize": 19,
             "figure.titlesize": 26, "lines.linewidth": 3.4, "savefig.dpi": 120},
}
TALK_INCHES = (16.0, 9.0)  # at the talk style's 120 dpi: 1920 x 1080 pixels
TALK_MIN_PT = 18.0
_active: list[str] = ["paper"]


def active() -> str:
    """The style figures are drawn in now ('paper' unless inside :func:`use`)."""
    return _active[-1]


@contextmanager
def use(name: str) -> Iterator[None]:
    """Draw every figure made inside in the style ``name`` ('paper' or 'talk'); matplotlib's
    settings are restored on the way out."""
    if name not in STYLES:
        raise ValueError(f"unknown style '{name}': use {' or '.join(STYLES)}")
    _active.append(name)
    try:
        with plt.rc_context():
            apply()
            yield
    finally:
        _active.pop()


def figsize(width: float, height: float) -> tuple[float, float]:
    """A figure's size in inches: as asked for paper. In the talk style one slide (16 x 9,
    1920 x 1080 at its dpi); a figure of many panels stays a slide wide and grows in height
    with its larger text (a panel's legend must fit beside it), to be shown a slide at a time."""
    if active() != "talk":
        return (width, height)
    return (TALK_INCHES[0], max(TALK_INCHES[1], round(1.45 * height, 1)))


def points(size: str | float) -> float:
    """A text size ('small', 'large', 12, ...) in points under the current settings."""
    return float(FontProperties(size=size).get_size_in_points())


def title(fig: Any, text: str, size: str = "x-large") -> Any:
    """The figure's bold title; in the talk style each line is wrapped to the slide's width (a
    long scenario title at 26 pt would run off a 1920-pixel slide)."""
    if active() == "talk":
        import textwrap

        chars = max(20, int(fig.get_figwidth() * 72.0 / (0.6 * points(size))))
        text = "\n".join(w for line in text.split("\n") for w in (textwrap.wrap(line, chars) or [""]))
    return fig.suptitle(text, fontsize=size, fontweight="bold")


def apply() -> None:
    """Matplotlib defaults of the active style: large text, thick lines, no chart junk."""
    plt.rcParams.update({**COMMON, **STYLES[active()]})


def save(fig, path_stem) -> list[str]:
    """Save a figure as PNG (150 dpi; 120 in the talk style, a slide's pixels) and SVG; return
    the paths."""
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
