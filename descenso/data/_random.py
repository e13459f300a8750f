"""Kept for the data package's imports: the one implementation is :mod:`descenso._random`."""

from descenso._random import as_generator

__all__ = ["as_generator"]
