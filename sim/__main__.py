"""python -m sim: the regime-sim command line (``validate FILE...`` starts in sim/quick.py)."""

from sim.quick import main

main()
