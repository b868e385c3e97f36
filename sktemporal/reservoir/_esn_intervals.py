r"""Predictive standard deviation of the ridge readout (``predict(X, return_std=True)``).

The ridge readout read as a Bayesian linear model: with the centred Gram matrix
:math:`G_c + \beta I = L L^\top` of the training rows and their mean :math:`\bar z`, the
predictive variance of a row :math:`z` is

.. math::

    s^2(z) = \sigma^2 \big(1 + 1/n + \lVert L^{-1} (z - \bar z) \rVert^2\big),

:math:`\sigma^2` the noise variance estimated from the training residuals.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._readout import RidgeReadout

__all__ = ["predictive_spread"]


def predictive_spread(est, caller="predict"):
    """The predictive standard deviation of ``est`` as a function of a readout row's column parts."""
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
    L_inv, mz, noise_var = readout.predictive(getattr(est, "alpha_", None))  # the fit's penalty
    n, m = readout.n, readout.n_main

    def spread(parts):
        U = (parts[0] - mz[:m]) @ L_inv[:, :m].T
        if len(parts) > 1:
            U += (parts[1] - mz[m:]) @ L_inv[:, m:].T
        q = 1.0 + 1.0 / n + np.einsum("ij,ij->i", U, U)
        return np.sqrt(q[:, None] * noise_var)

    return spread
