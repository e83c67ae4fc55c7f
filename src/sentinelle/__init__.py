"""Sentinelle: shared information system for shortages of health products."""

__version__ = "0.1.0"
