"""Helpers shared by the benchmarks: the machine they ran on, and plain tables."""

from __future__ import annotations

import os
import platform


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}; {os.cpu_count()} cores; Python {platform.python_version()}; {platform.system()}"


def print_table(title: str, rows: list[dict]) -> None:
    print(f"\n## {title}\n")
    if not rows:
        print("(no rows)")
        return
    cols = list(rows[0])
    fmt = []
    for c in cols:
        vals = [r[c] for r in rows]
        if all(isinstance(v, float) for v in vals):
            fmt.append(lambda v: f"{v:,.3f}" if abs(v) < 100 else f"{v:,.0f}")
        else:
            fmt.append(lambda v: f"{v:,}" if isinstance(v, int) else str(v))
    cells = [[f(r[c]) for c, f in zip(cols, fmt, strict=True)] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    print("| " + " | ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        print("| " + " | ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)) + " |")
