"""python -m sim: the regime-sim command line."""

from sim.cli import main

main()
