"""Behavioural rules, each a small pure function registered with its evidence.

Importing this package imports every rule module, so the registry is complete.
"""

from . import bargain, challengers, combat, coup, crowds, legitimacy, public, ruler, units  # noqa: F401
from .registry import RULES, Rule, RuleSwitch

__all__ = ["RULES", "Rule", "RuleSwitch"]
