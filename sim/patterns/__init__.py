"""Pattern-oriented validation: Epstein's runs, Granovetter's and Kuran's cascades, coups, protest.

``granovetter`` and ``kuran`` are the exact threshold arithmetic; ``suite`` runs every pattern
and draws its figure; ``cli`` adds ``regime-sim patterns``.
"""
