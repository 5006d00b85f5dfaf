"""Sentences of the log that agree with their subject.

Whether a name is grammatically plural ('the generals', 'armed forces') is data: the scenario
says so (``plural`` of the ruler, a challenger or an institution); the engine never guesses it
from the string.
"""

from __future__ import annotations


def agree(plural: bool, singular: str, plural_form: str) -> str:
    """The words that agree with a subject of the given number: ``agree(s.plural, "holds", "hold")``."""
    return plural_form if plural else singular
