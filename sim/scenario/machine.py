"""What this machine has for a run: the memory the loader checks a scenario against.

Apart from the loader (which imports pydantic) so that a validation remembered by
``verdicts.py`` is checked against the memory available now without building the schema.
"""

from __future__ import annotations

import os

#: a run may need at most this share of the memory available when it is checked
MEMORY_SHARE = 0.6


def available_bytes() -> int:
    """Memory available now (``MemAvailable``), else the machine's physical memory."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
