r"""Intervals of ``ESNRegressorCV`` from its out-of-fold residuals: split conformal, and the scale of ``return_std``.

The cross-validation predicts every test row of every fold with a readout that never saw
it.  For the chosen penalty (and reservoir) the residuals :math:`r_{ij} = y_{ij} - \hat
y_{ij}` of the *calibration folds* are kept: the folds trained on at least
:data:`CALIBRATION_SHARE` of the rows of the largest training fold (every fold of a
K-fold split; the last two of ``TimeSeriesSplit(5)``, whose earlier folds train on a
sixth to a half of the data and err more than the final readout, trained on all of it).

**Split conformal.**  ``conformity_scores_[:, j]`` holds the :math:`m` absolute
residuals :math:`|r_{ij}|` of output :math:`j`, sorted.  With
:math:`k = \lceil (m + 1)\, c \rceil`, the interval of coverage :math:`c` is

.. math::

    \hat y_j(x) \pm |r|_{(k), j},

the :math:`k`-th smallest score (unbounded, with a warning, when :math:`k > m`).  For
exchangeable rows it covers at least :math:`c`; a series' rows are not exchangeable, so
the coverage is measured (see the user guide).

**The scale of the standard deviation.**  The Bayesian predictive standard deviation of
the readout, :math:`s(z) = \hat\sigma \sqrt{1 + 1/n + \lVert L^{-1} (z - \bar z)\rVert^2}`
(:mod:`._esn_intervals`), takes its noise level :math:`\hat\sigma` from the training
residuals.  ``ESNRegressorCV`` multiplies it by

.. math::

    \kappa_j = \Big(\frac{\frac1m \sum_i r_{ij}^2}
    {\hat\sigma_j^2 \,\big(1 + (1 + \mathrm{df}) / n\big)}\Big)^{1/2}
    \qquad (\texttt{std\_scale\_}),

where :math:`1 + (1 + \mathrm{df})/n` is the mean of :math:`s^2/\hat\sigma^2` over the
training rows (:math:`\mathrm{df}` the readout's effective degrees of freedom): the
rescaled variance :math:`\kappa^2 s^2` averages, over rows like the training rows, the
out-of-fold mean squared error.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..exceptions import CalibrationWarning
from ..utils import check_targets
from ..utils._blas import one_blas_thread
from ..utils._conformal import conformal_quantile, conformal_rank
from ..utils._dask import is_dask_array
from ._esn_intervals import effective_df, predictive_spread

__all__ = ["CALIBRATION_SHARE", "CalibratedIntervalsMixin", "calibration_folds", "fold_residuals",
           "publish_calibration", "single_pass_residuals"]

#: a fold calibrates when it trained on at least this share of the largest training fold's rows
CALIBRATION_SHARE = 0.8

_CALIBRATION = ("conformity_scores_", "std_scale_")


def calibration_folds(train_rows):
    """Indices of the folds whose training sets are at least :data:`CALIBRATION_SHARE` of the largest.

    ``train_rows``: the size of each fold's training set (time steps of a series, or
    sequences of a collection: the units the splitter split).

    Examples
    --------
    >>> calibration_folds([500, 1000, 1500, 2000, 2500])   # TimeSeriesSplit(5) on 3000 steps
    array([3, 4])
    """
    rows = np.asarray(train_rows, dtype=np.float64)
    return np.flatnonzero(rows >= CALIBRATION_SHARE * rows.max() * (1 - 1e-12))


def single_pass_residuals(est, folds, y_true, splits):
    """Out-of-fold residuals ``(m, n_outputs)`` of the calibration folds of a single pass, at ``est.alpha_``.

    ``folds``: the filled :class:`~._cv_folds.Folds`; ``y_true``: the targets of every
    valid row (:func:`~._cv_scores.true_rows`); ``splits``: the ``(train, test)`` pairs.
    """
    residuals = []
    with one_blas_thread():  # small solves: BLAS threads only cost (as in the scoring)
        for k in calibration_folds([train.size for train, _ in splits]):
            coef, intercept = est._solve(folds.training_sums(k), est.alpha_, np.float64)
            rows = folds.test_rows(k)
            pred = est._outputs(rows.parts, coef, intercept)
            residuals.append(y_true[rows.flat].reshape(pred.shape) - pred)
    return np.concatenate(residuals)


def fold_residuals(est, X_test, y_test):
    """Residuals ``(n_rows, n_outputs)`` of a fitted fold estimator on its test rows (every valid row)."""
    out, batch = est._decision(X_test)
    targets = check_targets(y_test, batch, task="regression")
    return targets.flat().reshape(-1, est.n_outputs_) - est._valid_rows(out, batch)


def publish_calibration(est, residuals):
    """Set ``conformity_scores_`` and ``std_scale_`` of a fitted ``ESNRegressorCV`` (None: drop them)."""
    for name in _CALIBRATION:
        est.__dict__.pop(name, None)
    if residuals is None:
        return
    residuals = np.asarray(residuals, dtype=np.float64)
    est.conformity_scores_ = np.sort(np.abs(residuals), axis=0)
    readout = getattr(est, "_readout", None)
    try:
        L_inv, _, noise_var = readout.predictive(est.alpha_)
    except (AttributeError, ValueError):  # no ridge sums, or a matrix return_std cannot use either
        return
    mean_q = 1.0 + (1.0 + effective_df(L_inv, est.alpha_)) / readout.n
    mse = np.mean(residuals**2, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        est.std_scale_ = np.where(noise_var > 0, np.sqrt(mse / (noise_var * mean_q)), 1.0)


def _check_coverage(coverage):
    if isinstance(coverage, bool) or not isinstance(coverage, numbers.Real):
        raise TypeError(f"coverage must be a number in (0, 1); got coverage={coverage!r} "
                        f"of type {type(coverage).__name__}.")
    if not 0.0 < float(coverage) < 1.0:
        raise ValueError(f"coverage must be in (0, 1), the share of targets the interval should hold "
                         f"(e.g. 0.9); got coverage={coverage!r}.")
    return float(coverage)


class CalibratedIntervalsMixin:
    """``predict_interval`` and a calibrated ``return_std`` for ``ESNRegressorCV`` (see the module)."""

    def predict_interval(self, X, coverage=0.9):
        r"""Prediction intervals of the given coverage, calibrated on the out-of-fold residuals.

        Split conformal: :math:`\hat y_j(x) \pm q_j`, with :math:`q_j` the
        :math:`\lceil (m + 1)\, \texttt{coverage} \rceil`-th smallest of the :math:`m`
        absolute out-of-fold residuals of output :math:`j` kept by ``fit``
        (``conformity_scores_``; the folds that trained on at least 80 % of the largest
        training fold's rows, at ``alpha_`` and the chosen reservoir).  The width is the
        same for every row.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features), 3-D array or list of 2-D arrays
            As in :meth:`predict` (a dask array gives dask bounds).
        coverage : float in (0, 1), default=0.9
            Share of targets the interval should hold.

        Returns
        -------
        lower, upper : ndarray or list of ndarray
            Each in the layout of :meth:`predict`'s output.

        Examples
        --------
        >>> import numpy as np
        >>> from sktemporal.datasets import mackey_glass
        >>> from sktemporal.reservoir import ESNRegressorCV
        >>> S, _ = mackey_glass(2001, random_state=0)
        >>> S = S + np.random.RandomState(0).normal(0, 0.01, S.shape)   # observed with noise
        >>> X, y = S[:-1], S[1:, 0]
        >>> esn = ESNRegressorCV(n_reservoir=50, alphas=[1e-6], spectral_radius=0.97, leak_rate=1.0,
        ...                      input_scaling=0.7, random_state=0).fit(X[:1500], y[:1500])
        >>> lower, upper = esn.predict_interval(X[1500:], coverage=0.9)
        >>> lower.shape
        (500,)
        >>> bool(0.85 < np.mean((lower <= y[1500:]) & (y[1500:] <= upper)) < 0.95)
        True
        """
        coverage = _check_coverage(coverage)
        check_is_fitted(self, "coef_")
        scores = getattr(self, "conformity_scores_", None)
        if scores is None:
            raise ValueError(
                f"{type(self).__name__}.predict_interval needs the out-of-fold residuals of the fit, which a "
                "fit on a dask array does not keep (its test rows are scored on the cluster): fit on X in "
                "memory (X.compute()) to get intervals."
            )
        m = scores.shape[0]
        q = conformal_quantile(scores, coverage)
        if conformal_rank(m, coverage) > m:
            warnings.warn(
                f"coverage={coverage} needs at least {math.ceil(coverage / (1 - coverage) - 1e-9)} out-of-fold "
                f"residuals, but the fit kept {m}: the interval is unbounded. Lower the coverage or fit on "
                "more data.", CalibrationWarning, stacklevel=2)
        pred = self.predict(X)
        if is_dask_array(pred) or isinstance(pred, np.ndarray):
            width = q[0] if self._squeeze else q
            width = np.asarray(width, dtype=pred.dtype)
            return pred - width, pred + width
        width = [np.asarray(q[0] if self._squeeze else q, dtype=p.dtype) for p in pred]
        return [p - w for p, w in zip(pred, width)], [p + w for p, w in zip(pred, width)]

    def _spread(self, caller="predict"):
        """The readout's predictive standard deviation times ``std_scale_`` (see the module)."""
        spread = predictive_spread(self, caller, check_df=False)
        scale = getattr(self, "std_scale_", None)
        if scale is None:
            warnings.warn(
                f"{type(self).__name__}.{caller}(return_std=True): this fit kept no out-of-fold residuals (a "
                "fit on a dask array), so the standard deviation is the readout's own, not calibrated on "
                "them. Fit on X in memory for a calibrated one.", CalibrationWarning, stacklevel=3)
            return spread
        return lambda parts: spread(parts) * scale
