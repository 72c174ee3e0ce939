"""Tillpoint: an API-first point-of-sale backend."""

__version__ = "0.1.0"
