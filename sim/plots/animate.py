"""The map as an animated GIF for slides: one frame every few hours, 1920x1080, the last
frame held so the class can read the ending."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.animation import FuncAnimation, PillowWriter

from .map import MapCanvas

SLIDE_INCHES = (16.0, 9.0)
SLIDE_DPI = 120  # 16 x 9 inches at 120 dpi = 1920 x 1080 pixels
MAX_FRAMES = 60
HOLD_LAST = 6  # the last frame repeats this many times


def frame_hours(hours: np.ndarray, every: float | None = None, max_frames: int = MAX_FRAMES) -> list[float]:
    """Recorded hours to show: every ``every`` hours (default: as often as ``max_frames``
    allows, at least one hour apart), always ending on the last recorded hour."""
    hours = np.sort(np.unique(hours))
    if hours.size == 0:
        return []
    span = float(hours[-1] - hours[0])
    step = every if every is not None else max(1.0, math.ceil(span / max(1, max_frames - 1)))
    wanted = np.arange(hours[0], hours[-1] + 1e-9, step)
    picked = sorted({float(hours[np.abs(hours - w).argmin()]) for w in wanted} | {float(hours[-1])})
    return picked


def write_gif(scenario: Mapping[str, Any], series: pd.DataFrame, track: pd.DataFrame, units: pd.DataFrame,
              title: str, path: Path | str, every: float | None = None, dpi: float = SLIDE_DPI,
              fps: float = 2.5, ending: str = "", on_frame: Callable[[int, int], None] | None = None) -> str:
    """Write the animated map to ``path`` (a .gif) with Pillow; return the path.

    ``ending`` (the outcome in words) shows on the last frame; ``on_frame(i, n)`` is called
    after each frame is drawn (for a progress bar).
    """
    canvas = MapCanvas(scenario, series, track, units, title, figsize=SLIDE_INCHES, dpi=dpi, ending=ending)
    hours = frame_hours(canvas.hours, every)
    frames = hours + [hours[-1]] * HOLD_LAST
    anim = FuncAnimation(canvas.fig, canvas.show, frames=frames, blit=False,
                         cache_frame_data=False, repeat=False)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    anim.save(out, writer=PillowWriter(fps=fps), dpi=dpi, progress_callback=on_frame)
    plt.close(canvas.fig)
    return str(out)
