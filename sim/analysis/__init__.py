"""Analyses of sweeps: global sensitivity (Sobol, Morris) and scenario discovery (PRIM)."""
