"""Per-column standardization that the trained networks apply inside (``scaler``).

A network trained by gradient descent learns well when its inputs and targets are near
unit scale: the initial weights, the learning rate and ``tol`` all assume it.  The
estimators therefore standardize the columns of ``X`` (and, for regressors, of ``y``)
with statistics of the fit data, and undo it on every output:

.. math::

    \\tilde x = (x - c) / s, \\qquad \\hat y = \\tilde y\\, s_y + c_y,

with ``c`` the mean and ``s`` the standard deviation (``'standard'``) or the median and
the interquartile range (``'robust'``, insensitive to outliers).  A constant column keeps
``s = 1``.  Only valid steps count: padding never enters a statistic.
"""

from typing import NamedTuple

import numpy as np

__all__ = ["SCALERS", "Standardizer", "fit_standardizer", "guard_scale"]

SCALERS = ("standard", "robust")


class Standardizer(NamedTuple):
    """Centre and scale of each column: ``transform(v) = (v − center) / scale``.

    Examples
    --------
    >>> import numpy as np
    >>> st = fit_standardizer(np.array([[1.0], [3.0]]), "standard")
    >>> st.transform(np.array([3.0])), st.inverse(np.array([1.0]))
    (array([1.]), array([3.]))
    """

    center: np.ndarray
    scale: np.ndarray

    def transform(self, values):
        """``(values − center) / scale`` over the last axis, in the dtype of ``values``."""
        values = np.asarray(values)
        dtype = values.dtype if values.dtype == np.float32 else np.float64
        return ((values - self.center.astype(dtype)) / self.scale.astype(dtype)).astype(dtype, copy=False)

    def inverse(self, values):
        """``values · scale + center`` over the last axis, in the dtype of ``values``."""
        values = np.asarray(values)
        dtype = values.dtype if values.dtype == np.float32 else np.float64
        return (values * self.scale.astype(dtype) + self.center.astype(dtype)).astype(dtype, copy=False)


def fit_standardizer(rows, kind):
    """Statistics of the ``(n_rows, n_columns)`` valid rows; None when ``kind`` is None.

    Parameters
    ----------
    rows : ndarray of shape (n_rows, n_columns)
    kind : {'standard', 'robust'} or None

    Returns
    -------
    standardizer : Standardizer or None
        float64 statistics; a constant column (or one whose spread is not finite) gets
        scale 1 (:func:`guard_scale`).
    """
    if kind is None:
        return None
    rows = np.asarray(rows, dtype=np.float64).reshape(len(rows), -1)
    if kind == "robust":
        q25, center, q75 = np.percentile(rows, [25, 50, 75], axis=0)
        scale = q75 - q25
        # a column with most values equal (e.g. sparse spikes) has no IQR: fall back to std
        flat = ~(scale > 0)
        scale[flat] = rows[:, flat].std(axis=0)
    else:
        center, scale = rows.mean(axis=0), rows.std(axis=0)
    return Standardizer(center, guard_scale(center, scale))


def guard_scale(center, scale):
    """``scale`` with 1 for constant columns (spread below 1e-12 of the centre) or non-finite spreads.

    >>> guard_scale(np.array([5.0, 0.0]), np.array([1e-15, 2.0]))
    array([1., 2.])
    """
    ok = np.isfinite(scale) & (scale > 1e-12 * np.maximum(1.0, np.abs(center)))
    return np.where(ok, scale, 1.0)
