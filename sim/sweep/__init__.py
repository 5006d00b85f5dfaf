"""Experimental designs and sweeps over scenario parameters."""
