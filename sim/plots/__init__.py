"""Figures for people: one style (``style``), one module per kind of figure."""
