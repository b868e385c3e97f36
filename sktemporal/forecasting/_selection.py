r"""Rolling-origin validation over the training tail, and conformal intervals from its errors.

With a validation horizon :math:`H` and origins :math:`o_1 < \dots < o_K` (the last at
:math:`n - H`, each :math:`\max(1, \lfloor H/2 \rfloor)` steps before the next), every
candidate is fitted on :math:`y_{<o_k}` and forecasts :math:`y_{o_k}, \dots, y_{o_k+H-1}`.
Its score on origin :math:`k` is the mean absolute error scaled as MASE is,

.. math::  S_k = \frac{\frac1H \sum_{j<H} |y_{o_k+j} - \hat y_{o_k+j}|}
                {\frac{1}{o_k-m} \sum_{t=m}^{o_k-1} |y_t - y_{t-m}|},

(:math:`m` the season, 1 if none), and a candidate whose forecast leaves the plausible
range of :math:`y_{<o_k}` (see :mod:`sktemporal.utils._range`) is rejected.  Candidates
are ranked by :math:`\bar S = \frac1K \sum_k S_k`.

The interval of the chosen forecast at step :math:`j` is :math:`\hat y_{T+j} \pm q\,g_j`
(split conformal on the validation errors :math:`r_{kj} = y_{o_k+j} - \hat y_{o_k+j}`):
:math:`g_j` is the running maximum over steps of :math:`\frac1K\sum_k |r_{kj}|` (the error
grows with the horizon; the maximum keeps it from shrinking on sampling noise), beyond
:math:`H` extended as :math:`g_H \sqrt{j/H}`, and :math:`q` is the
:math:`\lceil (N+1)\,c \rceil`-th smallest of the :math:`N = KH` normalized errors
:math:`|r_{kj}|/g_j` for the coverage :math:`c` (the largest if there are too few).
"""

import warnings

import numpy as np

from ..exceptions import CalibrationWarning
from ..utils._conformal import conformal_quantile, conformal_rank
from ..utils._range import is_plausible, observed_range, plausible_bounds

__all__ = ["validation_horizon", "origins", "mase_scale", "score_forecast", "IntervalProfile"]


def validation_horizon(n, season):
    r"""The ``'auto'`` validation horizon: two seasons when seasonal, else
    :math:`\min(12, \max(4, n/8))`; at most :math:`n/4`, at least 1."""
    h = 2 * season if season > 1 else min(12, max(4, n // 8))
    return max(1, min(h, n // 4))


def origins(n, horizon, n_origins, min_train):
    """The ``n_origins`` (or fewer, if the series is short) validation origins, oldest first."""
    step = max(1, horizon // 2)
    out = [n - horizon - k * step for k in range(n_origins - 1, -1, -1)]
    return [o for o in out if o >= min_train]


def mase_scale(y, season):
    """The in-sample mean absolute seasonal-naive error of ``y`` (naive if too short)."""
    m = season if len(y) > season + 1 else 1
    d = np.abs(y[m:] - y[:-m])
    scale = float(np.mean(d)) if d.size else 0.0
    return scale if scale > 0 else max(float(np.mean(np.abs(y))), 1.0) * 1e-8 + 1e-12


def score_forecast(y_true, y_pred, y_train, season, widen):
    """The scaled error of one validation forecast, or inf when it is not plausible."""
    bounds = plausible_bounds(observed_range(y_train), widen)
    if not is_plausible(y_pred, bounds):
        return np.inf
    return float(np.mean(np.abs(y_true - y_pred))) / mase_scale(y_train, season)


class IntervalProfile:
    """Conformal interval half-widths :math:`q\\,g_j` from validation errors (see the module)."""

    def __init__(self, residuals):
        r = np.abs(np.asarray(residuals, dtype=float))  # (n_origins, horizon)
        self.scale_ = np.maximum.accumulate(r.mean(axis=0))
        floor = max(float(self.scale_.max()) * 1e-6, 1e-12)
        self.scale_ = np.maximum(self.scale_, floor)
        self.scores_ = np.sort((r / self.scale_).ravel())

    def half_width(self, n_steps, coverage):
        H = len(self.scale_)
        steps = np.arange(1, n_steps + 1)
        g = np.where(steps <= H, self.scale_[np.minimum(steps, H) - 1],
                     self.scale_[-1] * np.sqrt(steps / H))
        q = conformal_quantile(self.scores_, coverage)
        if not np.isfinite(q):  # too few errors for the guarantee: the largest one
            warnings.warn(
                f"coverage={coverage} needs at least {conformal_rank(len(self.scores_), coverage)} "
                f"validation errors for a conformal interval, but the forecaster has "
                f"{len(self.scores_)}: the interval uses the largest error, and covers less "
                "than asked. Lower the coverage or forecast a longer series.",
                CalibrationWarning, stacklevel=3)
            q = self.scores_[-1]
        return q * g
