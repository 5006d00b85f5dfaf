"""One look for every figure: colour-blind-safe colours (Okabe & Ito 2008), one per faction
and stance everywhere, sizes readable on a projector."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Okabe-Ito palette
BLACK, ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILION, PURPLE, GREY = (
    "#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999",
)

FACTION_COLORS = {
    "kremlin": BLACK,
    "military": GREEN,
    "security": BLUE,
    "wagner": VERMILION,
    "public": ORANGE,
    "chechen": PURPLE,
    "opposition": SKY,
}
FACTION_LABELS = {
    "kremlin": "Kremlin",
    "military": "Military",
    "security": "Security services",
    "wagner": "Wagner PMC",
    "public": "Public",
    "chechen": "Chechen forces",
    "opposition": "Armed opposition",
}
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
    "civil_war": BLACK,
}


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
