"""Behavioural rules, each a small pure function registered with its evidence."""

from . import combat, coup, kremlin, legitimacy, public, units, wagner  # noqa: F401
from .registry import RULES, Rule, RuleSwitch

__all__ = ["RULES", "Rule", "RuleSwitch"]
