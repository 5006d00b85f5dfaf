"""The ``param`` helper: every parameter carries a unit and the provenance of its default."""

from __future__ import annotations

from typing import Any

from pydantic import Field


def param(
    default: Any,
    unit: str,
    source: str,
    description: str = "",
    **constraints: Any,
) -> Any:
    """A pydantic field with a unit and a source note, exported to JSON Schema and docs.

    ``source`` says where the default comes from: an article in ``shared/sources`` by file
    name, a literature figure, or "assumed".
    """
    return Field(
        default,
        description=description,
        json_schema_extra={"unit": unit, "source": source},
        **constraints,
    )


def prob(default: float, source: str, description: str = "") -> Any:
    """A probability or share in [0, 1]."""
    return param(default, "probability", source, description, ge=0.0, le=1.0)


def share(default: float, source: str, description: str = "") -> Any:
    """A share of a whole in [0, 1]."""
    return param(default, "share", source, description, ge=0.0, le=1.0)


def level(default: float, source: str, description: str = "") -> Any:
    """A dimensionless level on the model's 0-1 utility scale."""
    return param(default, "level 0-1", source, description, ge=0.0, le=1.0)
