r"""Predictive standard deviation of the ridge readout (``predict(X, return_std=True)``).

The ridge readout read as a Bayesian linear model: with the centred Gram matrix
:math:`G_c + \beta I = L L^\top` of the training rows and their mean :math:`\bar z`, the
predictive variance of a row :math:`z` is

.. math::

    s^2(z) = \sigma^2 \big(1 + 1/n + \lVert L^{-1} (z - \bar z) \rVert^2\big),

:math:`\sigma^2` the noise variance estimated from the training residuals.

That estimate holds while the readout has few effective parameters per training row:
with the eigenvalues :math:`d_i` of the centred Gram matrix, the ridge readout's
effective degrees of freedom are

.. math::

    \mathrm{df} = \operatorname{tr}\big(G_c (G_c + \beta I)^{-1}\big)
    = \sum_i \frac{d_i}{d_i + \beta} = D - \beta \lVert L^{-1} \rVert_F^2 ,

and above :data:`MAX_DF_PER_ROW` per training row the training residuals understate the
errors on new data (measured in the user guide: on noisy Mackey-Glass and NARMA10
nominal 90 % covered 88-94 % up to df/n = 0.5, 88-92 % up to 0.67, 58-83 % in three of
the four runs above 0.8; the threshold leaves a margin), so ``predict`` warns
(:class:`~sktemporal.exceptions.CalibrationWarning`).
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..exceptions import CalibrationWarning
from ._readout import RidgeReadout

__all__ = ["MAX_DF_PER_ROW", "effective_df", "predictive_spread"]

#: effective parameters per training row above which ``predict(return_std=True)`` warns
MAX_DF_PER_ROW = 0.5


def effective_df(L_inv, alpha):
    """Effective degrees of freedom ``D - alpha ||L^-1||_F^2`` of the ridge readout (bias not counted)."""
    return L_inv.shape[0] - alpha * float(np.einsum("ij,ij->", L_inv, L_inv))


def predictive_spread(est, caller="predict", check_df=True):
    """The predictive standard deviation of ``est`` as a function of a readout row's column parts.

    ``check_df``: warn from ``predict`` when the readout has more than
    :data:`MAX_DF_PER_ROW` effective parameters per training row.
    """
    check_is_fitted(est, "coef_")
    readout = getattr(est, "_readout", None)
    if not isinstance(readout, RidgeReadout):
        if getattr(est, "solver", "ridge") != "ridge":
            why = f"solver={est.solver!r} keeps no ridge sums; use solver='ridge'"
        else:
            why = "the readout sums of the fit are not here (a model loaded or deep-copied without them): refit"
            if "keep_training_state" in est.get_params():
                why += ", or save with keep_training_state=True"
        raise ValueError(f"{caller}(return_std=True) needs the ridge readout's sums, but {why}.")
    alpha = getattr(est, "alpha_", None)  # the fit's penalty
    L_inv, mz, noise_var = readout.predictive(alpha)
    n, m = readout.n, readout.n_main
    if check_df and caller == "predict":
        df = effective_df(L_inv, readout.alpha if alpha is None else alpha)
        if df > MAX_DF_PER_ROW * n:
            warnings.warn(
                f"{type(est).__name__}.predict(return_std=True): the ridge readout has {df:.0f} effective "
                f"parameters for {n} training rows (df/n = {df / n:.2f} > {MAX_DF_PER_ROW}), so the noise "
                "estimated from its training residuals understates the errors on new data and nominal "
                "intervals cover less. Increase alpha, use fewer units or more rows, or use "
                "ESNRegressorCV, whose intervals are calibrated on out-of-fold residuals.",
                CalibrationWarning, stacklevel=4,  # the caller of predict
            )

    def spread(parts):
        U = (parts[0] - mz[:m]) @ L_inv[:, :m].T
        if len(parts) > 1:
            U += (parts[1] - mz[m:]) @ L_inv[:, m:].T
        q = 1.0 + 1.0 / n + np.einsum("ij,ij->i", U, U)
        return np.sqrt(q[:, None] * noise_var)

    return spread
