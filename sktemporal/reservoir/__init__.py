"""Reservoir computing: echo state networks and the reservoir as a transformer."""

from ._dask import auto_overlap
from ._esn import ESNClassifier, ESNRegressor
from ._reservoir import Reservoir

__all__ = ["Reservoir", "ESNRegressor", "ESNClassifier", "auto_overlap"]
