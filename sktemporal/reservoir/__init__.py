"""Reservoir computing: echo state networks and the reservoir as a transformer."""

from ._dask import auto_overlap
from ._esn import ESNClassifier, ESNRegressor
from ._esn_cv import ESNClassifierCV, ESNRegressorCV
from ._forgetting import measure_overlap
from ._reservoir import Reservoir

__all__ = ["ESNClassifier", "ESNClassifierCV", "ESNRegressor", "ESNRegressorCV", "Reservoir", "auto_overlap",
           "measure_overlap"]
