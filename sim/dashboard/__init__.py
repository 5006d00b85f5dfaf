"""The live classroom dashboard (``regime-sim dashboard``): Mesa's SolaraViz around the model.

``app`` holds the page and its panels, ``cli`` the command that serves it, ``assets`` the
set-up step that makes it work with no internet. This package file stays light: ``sim.cli``
imports the command module on every call.
"""

SCENARIO_ENV = "REGIME_SIM_DASHBOARD_SCENARIO"  # tells the server process which scenario to show
PARAMS_ENV = "REGIME_SIM_DASHBOARD_PARAMS"  # and which calibrated overlay (--params) to apply
DEFAULT_SCENARIO = "wagner_mutiny_2023"
