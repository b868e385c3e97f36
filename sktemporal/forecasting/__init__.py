"""Forecasting a series past its end.

* :class:`Forecaster` — chooses a representation (level, difference, seasonal
  difference, with or without a log) and a model (echo state ensemble, linear
  autoregression, naive) by rolling-origin validation, guards its forecasts against
  running away, and gives conformal intervals;
* the building blocks for doing it by hand with any model of the package:
  :func:`make_windows` and :func:`make_horizon_targets` (direct and encoder–decoder
  training pairs) and :func:`recursive_forecast` (closing the loop of a one-step model).
"""

from ._forecaster import Forecaster
from ._windows import make_horizon_targets, make_windows, recursive_forecast

__all__ = ["Forecaster", "make_windows", "make_horizon_targets", "recursive_forecast"]
