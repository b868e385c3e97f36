r"""The plausible range of a series, and the check that a forecast stays inside it.

For observed values with minimum :math:`a` and maximum :math:`b` (per output column),

.. math::  \mathcal{R}_w = [\,a - w\,(b - a),\; b + w\,(b - a)\,],

the observed range widened by ``w`` times its span on each side (``w = 1`` by default).
A constant series (:math:`a = b`) gets the span :math:`\max(|a|, 1)` instead, so that
its range is not a single point.  Every closed-loop forecast of the package is checked
against it: :func:`~sktemporal.forecasting.recursive_forecast`, ``generate`` and the
forecaster warn with :class:`~sktemporal.exceptions.ImplausibleForecastWarning`.
"""

import warnings

import numpy as np

from ..exceptions import ImplausibleForecastWarning

__all__ = ["observed_range", "merge_ranges", "plausible_bounds", "is_plausible",
           "warn_if_implausible", "record_target_range", "check_generated"]


def observed_range(values):
    """Per-column ``(min, max)`` of the finite values of a 1-D or 2-D array (None: none finite).

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.utils._range import observed_range
    >>> observed_range(np.array([[1.0, 5.0], [3.0, -1.0]]))
    (array([ 1., -1.]), array([3., 5.]))
    """
    v = np.asarray(values, dtype=float)
    v = v.reshape(len(v), -1) if v.ndim else v.reshape(1, 1)
    finite = np.isfinite(v)
    if v.size == 0 or not finite.any():
        return None
    lo = np.where(finite, v, np.inf).min(axis=0)
    hi = np.where(finite, v, -np.inf).max(axis=0)
    return lo, hi


def merge_ranges(old, new):
    """The range covering both (either may be None)."""
    if old is None or new is None:
        return new if old is None else old
    return np.minimum(old[0], new[0]), np.maximum(old[1], new[1])


def plausible_bounds(value_range, widen=1.0):
    r"""The bounds :math:`\mathcal{R}_w` of an observed ``(min, max)`` range (see the module)."""
    lo, hi = (np.asarray(b, dtype=float) for b in value_range)
    span = hi - lo
    span = np.where(span > 0, span, np.maximum(np.abs(lo), 1.0))
    return lo - widen * span, hi + widen * span


def is_plausible(forecast, bounds):
    """Whether every value of ``forecast`` is finite and inside ``bounds`` (per column)."""
    f = np.asarray(forecast, dtype=float)
    f = f.reshape(len(f), -1) if f.ndim else f.reshape(1, 1)
    lo, hi = bounds
    return bool(np.all(np.isfinite(f)) and np.all(f >= lo) and np.all(f <= hi))


def warn_if_implausible(forecast, value_range, caller, *, widen=1.0, stacklevel=3):
    """Warn when ``forecast`` leaves the plausible range of ``value_range``; return whether it did.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from sktemporal.utils._range import warn_if_implausible
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     warn_if_implausible(np.array([0.5, 9.0]), (0.0, 1.0), "generate")
    True
    >>> print(seen[0].message)  # doctest: +NORMALIZE_WHITESPACE
    generate: the forecast leaves the plausible range [-1, 2] of the series it continues (its
    observed range [0, 1] widened by 1 span on each side) from step 2 on, where it reaches 9.
    A closed-loop forecast this far out has usually run away; check the model (a differenced
    or log representation, a smaller horizon, another model) before using it.
    """
    if value_range is None:
        return False
    bounds = plausible_bounds(value_range, widen)
    if is_plausible(forecast, bounds):
        return False
    f = np.asarray(forecast, dtype=float)
    f = f.reshape(len(f), -1) if f.ndim else f.reshape(1, 1)
    bad = ~np.isfinite(f) | (f < bounds[0]) | (f > bounds[1])
    step = int(np.argmax(bad.any(axis=1)))
    worst = f[step][bad[step]][0]
    lo, hi = (np.atleast_1d(np.asarray(b, dtype=float)) for b in value_range)
    blo, bhi = np.atleast_1d(bounds[0]), np.atleast_1d(bounds[1])
    col = int(np.argmax(bad[step])) if f.shape[1] > 1 else 0
    c = min(col, len(lo) - 1)
    warnings.warn(
        f"{caller}: the forecast leaves the plausible range [{blo[c]:.4g}, {bhi[c]:.4g}] of the "
        f"series it continues (its observed range [{lo[c]:.4g}, {hi[c]:.4g}] widened by "
        f"{widen:g} span on each side) from step {step + 1} on, where it reaches {worst:.4g}. "
        "A closed-loop forecast this far out has usually run away; check the model (a "
        "differenced or log representation, a smaller horizon, another model) before using it.",
        ImplausibleForecastWarning,
        stacklevel=stacklevel,
    )
    return True


def record_target_range(estimator, targets, first):
    """Keep the range of the regression targets seen in ``fit`` (merged over ``partial_fit``)."""
    seen = observed_range(targets)
    old = None if first else getattr(estimator, "_target_range", None)
    estimator._target_range = merge_ranges(old, seen)


def check_generated(estimator, generated, warmup=None, caller="generate"):
    """Warn when a closed-loop run leaves the plausible range of the targets seen in ``fit``
    (and of ``warmup``, whose rows are the series being continued)."""
    value_range = getattr(estimator, "_target_range", None)
    if warmup is not None:
        value_range = merge_ranges(value_range, observed_range(warmup))
    return warn_if_implausible(generated, value_range, caller, stacklevel=5)
