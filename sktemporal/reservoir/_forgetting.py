r"""How fast a reservoir forgets its initial state, measured on the data (``overlap='auto'``).

A chunk of a dask series starts from the zero state ``overlap`` steps before its first step
(see :mod:`._dask`); that is exact to a tolerance once the reservoir, driven by the same
inputs, has forgotten where it started.  The linear bound :math:`q^k`,
:math:`q = 1 - a(1 - \rho)`, says nothing for :math:`\rho \ge 1`, yet a ``tanh`` reservoir
driven by its input usually keeps forgetting there (saturated units contract).  So the
forgetting is measured: the reservoir runs over the first steps of the series twice, from
zeros and from a random state of the typical state norm, and the overlap is the number of
steps after which the two runs agree to the tolerance.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..utils import TSLEARN_HINT, validate_sequences
from ._states import OutputFeedback, RecurrentProduct, Update, run_states

__all__ = ["MAX_OVERLAP", "OVERLAP_TOL", "measure_overlap"]

#: The longest warm-up (steps) that ``overlap='auto'`` measures; beyond it, an error.
MAX_OVERLAP = 10_000
#: Distance of the two runs, relative to the typical state norm, at which they agree.
OVERLAP_TOL = 1e-12
_NORM_STEPS = 100  # steps from zeros whose states give the typical state norm


def measure_overlap(estimator, X, y=None, *, tol=OVERLAP_TOL, max_overlap=MAX_OVERLAP, random_state=0):
    r"""Steps after which the reservoir of ``estimator`` has forgotten its initial state, on ``X``.

    The reservoir (its drawn weights, in float64) runs over the first
    :math:`L = \min(T, \text{max\_overlap})` steps of the series ``X`` twice: from
    :math:`h_a(-1) = 0` and from a random state :math:`h_b(-1)` whose norm is the typical
    state norm :math:`s` (the RMS norm of the states over the first steps run from zeros).
    With :math:`d_t = \lVert h_a(t) - h_b(t) \rVert / s`, the overlap is the smallest
    :math:`k` with :math:`d_t \le \text{tol}` for every :math:`t \ge k - 1` up to
    :math:`L`, and at least the ``washout``.

    Parameters
    ----------
    estimator : fitted ESNRegressor, ESNClassifier, their CV versions or Reservoir
        Only its weights and reservoir parameters are used.
    X : array-like or dask array of shape (n_timesteps, n_features)
        A series; only its first ``max_overlap`` steps are read.
    y : array-like of shape (n_timesteps,) or (n_timesteps, n_outputs), default=None
        With ``feedback=True``: the targets, fed back as in the fit (teacher forcing);
        without them the model's own outputs are fed back, as in ``predict``.
    tol : float, default=1e-12
        Relative distance at which the two runs agree.
    max_overlap : int, default=10000
        The bound: a reservoir that has not forgotten by then raises.
    random_state : int, default=0
        Seed of the random initial state.

    Returns
    -------
    overlap : int
        When the series is shorter than ``max_overlap`` and the runs still differ at its
        end, the series length (every chunk then runs from the start of the series: exact).

    Raises
    ------
    ValueError
        When the two runs still differ by more than ``tol`` after ``max_overlap`` steps; the
        message gives the distance measured.

    Examples
    --------
    >>> from sktemporal import ESNRegressor
    >>> from sktemporal.datasets import mackey_glass
    >>> from sktemporal.reservoir import measure_overlap
    >>> X, y = mackey_glass(3000, random_state=0)
    >>> esn = ESNRegressor(n_reservoir=100, spectral_radius=1.25, leak_rate=0.3, random_state=0)
    >>> k = measure_overlap(esn.fit(X, y), X)
    >>> 0 < k < 3000
    True
    """
    batch, _ = validate_sequences(estimator, np.asarray(X[:max_overlap]), reset=False)
    if batch.kind != "series":
        raise ValueError(f"measure_overlap needs one 2-D series (n_timesteps, n_features). {TSLEARN_HINT}")
    x = batch.values[0].astype(np.float64)
    n_steps, N = x.shape[0], estimator.n_reservoir
    W_in = np.asarray(estimator.input_weights_, dtype=np.float64)
    feedback = None
    if getattr(estimator, "feedback", False):
        if y is not None:  # teacher forcing, as in fit: y(t - 1) joins the inputs
            Y = np.asarray(y[:max_overlap], dtype=np.float64).reshape(n_steps, -1)
            x = np.hstack([x, np.vstack([np.zeros((1, Y.shape[1])), Y[:-1]])])
            W_in = np.hstack([W_in, estimator.feedback_weights_])
        else:
            coef = np.asarray(estimator.coef_, dtype=np.float64)
            feedback = OutputFeedback(
                W_fb=np.asarray(estimator.feedback_weights_, dtype=np.float64), coef_h=coef[:, :N],
                coef_x=coef[:, N:] if estimator.include_input else None,
                intercept=np.asarray(estimator.intercept_, dtype=np.float64),
                y0=np.zeros((2, coef.shape[0])))
    product = RecurrentProduct(estimator.reservoir_weights_, np.float64)
    update = Update(W_in, product, float(estimator.leak_rate), estimator.activation)

    def run(values, h0, fb=None):
        lengths = np.full(values.shape[0], values.shape[1])
        return run_states(values, lengths, update, h0=h0, feedback=fb)

    head = x[None, :min(n_steps, _NORM_STEPS)]
    fb1 = None if feedback is None else dataclasses.replace(feedback, y0=feedback.y0[:1])
    norms = np.concatenate([np.linalg.norm(seg.states[:, :, 0], axis=1) for seg in run(head, None, fb1)])
    scale = float(np.sqrt(np.mean(norms**2))) or 1.0
    h_b = np.random.RandomState(random_state).uniform(-1.0, 1.0, N)
    h0 = np.vstack([np.zeros(N), h_b * (scale / np.linalg.norm(h_b))])
    distance = []
    for seg in run(np.broadcast_to(x, (2,) + x.shape).copy(), h0, feedback):
        a, b = list(seg.columns).index(0), list(seg.columns).index(1)
        distance.append(np.linalg.norm(seg.states[:, :, a] - seg.states[:, :, b], axis=1))
    distance = np.concatenate(distance) / scale
    above = np.flatnonzero(~(distance <= tol))  # NaN (a run that blew up) counts as apart
    k = 0 if above.size == 0 else int(above[-1]) + 2  # the state after step t has seen t + 1 inputs
    if k > n_steps:
        if n_steps < max_overlap and np.isfinite(distance[-1]):
            return n_steps
        raise ValueError(
            f"overlap='auto': the reservoir does not forget its initial state within {n_steps} steps "
            f"(max_overlap={max_overlap}): two runs from different states still differ by "
            f"{distance[-1]:.3g} relative to the state norm after {n_steps} steps, above the "
            f"tolerance {tol:g} (spectral_radius={estimator.spectral_radius!r}, "
            f"leak_rate={estimator.leak_rate!r}). Lower spectral_radius (or raise input_scaling: "
            "saturated units forget faster), or pass overlap=<int>, a warm-up length you have checked."
        )
    return max(int(getattr(estimator, "washout", 0)), k)
