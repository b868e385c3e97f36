"""Multi-step forecasting helpers that keep scikit-learn's conventions.

Three strategies for predicting ``H`` steps ahead from one series:

* **direct** — one model maps a window (or the history up to ``t``) to the ``H`` future
  values at once: any regressor of the package with a multi-output target built by
  :func:`make_windows` or :func:`make_horizon_targets`;
* **encoder–decoder** — :class:`~sktemporal.Seq2SeqRegressor` on the same targets;
* **recursive** — a one-step model whose predictions are fed back as inputs:
  :func:`recursive_forecast`.

None of the helpers lets a target see its own future: every window ends at ``t`` and its
targets start at ``t + 1``.
"""

import numpy as np
from sklearn.base import is_classifier

from ..utils._param_validation import POSITIVE_INT, check_params
from ..utils._range import observed_range, warn_if_implausible
from ..utils._sequences import check_sequences

__all__ = ["make_windows", "make_horizon_targets", "recursive_forecast"]


def _series(X, name):
    batch = check_sequences(X, name=name)
    if batch.kind != "series":
        raise ValueError(f"{name} must be one 2-D series (n_timesteps, n_features); got a collection.")
    return batch.values[0]


def _targets(series, y, name="y"):
    if y is None:
        return series, series.shape[1] == 1
    y = np.asarray(y, dtype=series.dtype)
    if y.shape[0] != series.shape[0] or y.ndim > 2:
        raise ValueError(f"{name} must have one row per time step of the series ({series.shape[0]}); "
                         f"got shape {y.shape}.")
    return y.reshape(len(y), -1), y.ndim == 1


def make_windows(series, window, horizon=1, *, y=None, stride=1):
    """Cut one series into (input window → next ``horizon`` values) training pairs.

    Window ``i`` holds the rows ``t − window + 1 … t`` (oldest first) of ``series`` and its
    target holds the values at ``t + 1 … t + horizon``, for ``t = window − 1, window − 1 +
    stride, …`` up to the last ``t`` whose targets exist.

    Parameters
    ----------
    series : array-like of shape (n_timesteps, n_features)
        One series (numpy or pandas).
    window : int
        Length of each input window.
    horizon : int, default=1
        Number of future steps in each target.
    y : array-like of shape (n_timesteps,) or (n_timesteps, n_outputs), default=None
        The series to forecast, if not ``series`` itself.
    stride : int, default=1
        Steps between the ends of consecutive windows.

    Returns
    -------
    X : ndarray of shape (n_windows, window, n_features)
    Y : ndarray of shape (n_windows, horizon) or (n_windows, horizon, n_outputs)
        2-D when the forecast series is univariate.

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.forecasting import make_windows
    >>> X, Y = make_windows(np.arange(10.0)[:, None], window=3, horizon=2)
    >>> X.shape, Y.shape
    ((6, 3, 1), (6, 2))
    >>> X[0, :, 0], Y[0]
    (array([0., 1., 2.]), array([3., 4.]))
    """
    values = _series(series, "series")
    check_params(dict.fromkeys(("window", "horizon", "stride"), [POSITIVE_INT]), "make_windows",
                 {"window": window, "horizon": horizon, "stride": stride})
    target, univariate = _targets(values, y)
    T = values.shape[0]
    ends = np.arange(window - 1, T - horizon, stride)
    if ends.size == 0:
        raise ValueError(
            f"The series has {T} steps: too short for window={window} plus horizon={horizon} "
            f"(at least {window + horizon} are needed)."
        )
    X = values[ends[:, None] + np.arange(-window + 1, 1)[None, :]]
    Y = target[ends[:, None] + np.arange(1, horizon + 1)[None, :]]
    return X, (Y[:, :, 0] if univariate else Y)


def make_horizon_targets(X, y=None, horizon=1):
    """Targets of the next ``horizon`` values at every step of one series, without leakage.

    Row ``t`` of the targets holds ``y[t + 1], …, y[t + horizon]``; the last ``horizon``
    steps have no complete target and are dropped from both ``X`` and the targets.

    Parameters
    ----------
    X : array-like of shape (n_timesteps, n_features)
    y : array-like of shape (n_timesteps,) or (n_timesteps, n_outputs), default=None
        The series to forecast (default: ``X``).
    horizon : int, default=1

    Returns
    -------
    X_trimmed : ndarray of shape (n_timesteps − horizon, n_features)
    Y : ndarray of shape (n_timesteps − horizon, horizon) or (..., horizon, n_outputs)

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.forecasting import make_horizon_targets
    >>> X, Y = make_horizon_targets(np.arange(6.0)[:, None], horizon=2)
    >>> X[:, 0], Y
    (array([0., 1., 2., 3.]), array([[1., 2.],
           [2., 3.],
           [3., 4.],
           [4., 5.]]))
    """
    values = _series(X, "X")
    check_params({"horizon": [POSITIVE_INT]}, "make_horizon_targets", {"horizon": horizon})
    target, univariate = _targets(values, y)
    T = values.shape[0]
    if T <= horizon:
        raise ValueError(f"X has {T} steps; horizon={horizon} needs more.")
    Y = target[np.arange(T - horizon)[:, None] + np.arange(1, horizon + 1)[None, :]]
    return values[: T - horizon], (Y[:, :, 0] if univariate else Y)


def recursive_forecast(estimator, history, n_steps):
    """Forecast ``n_steps`` ahead with a one-step model by feeding its predictions back.

    ``estimator`` must be fitted on one series with ``y[t] = X[t + 1]`` (as many outputs
    as input features).  Recurrent models (ESN, RNN, LSTM, GRU) run their closed loop with
    ``generate``; any other model of a series (a ``DelayEmbedding`` pipeline, a TDNN)
    predicts on the history, appends its last prediction as the next row, and repeats.

    Parameters
    ----------
    estimator : fitted regressor
        A classifier is refused: its predictions are labels, not the next input row.
    history : array-like of shape (n_timesteps, n_features)
        The observed series up to the forecast origin.
    n_steps : int

    Returns
    -------
    forecast : ndarray of shape (n_steps,) or (n_steps, n_features)

    Warns
    -----
    ImplausibleForecastWarning
        When the forecast leaves the plausible range of ``history`` (its observed range
        widened by its span on each side; ``generate`` checks the same for the
        recurrent models, against the history and the targets seen in fit).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.pipeline import make_pipeline
    >>> from sktemporal import DelayEmbedding
    >>> from sktemporal.forecasting import recursive_forecast
    >>> s = np.sin(0.3 * np.arange(300))[:, None]
    >>> model = make_pipeline(DelayEmbedding(delays=3), Ridge(alpha=1e-8)).fit(s[:-1], s[1:, 0])
    >>> future = recursive_forecast(model, s[:200], 10)
    >>> bool(np.abs(future - s[200:210, 0]).max() < 0.05)
    True
    """
    check_params({"n_steps": [POSITIVE_INT]}, "recursive_forecast", {"n_steps": n_steps})
    if is_classifier(estimator):
        raise TypeError(
            "recursive_forecast feeds each prediction back as the next input, so estimator must "
            f"be a regressor (y[t] = X[t + 1]); got {type(estimator).__name__}, a classifier "
            "whose predictions are class labels."
        )
    if hasattr(estimator, "generate"):
        return estimator.generate(n_steps, warmup=history)
    hist = hist0 = _series(history, "history")
    if hasattr(history, "columns"):
        import pandas as pd

        def as_input(values):
            return pd.DataFrame(values, columns=history.columns)
    else:
        def as_input(values):
            return values
    forecast = []
    for _ in range(n_steps):
        last = np.asarray(estimator.predict(as_input(hist)))[-1]
        step = np.atleast_1d(last).astype(hist.dtype)
        if step.size != hist.shape[1]:
            raise ValueError(
                "recursive_forecast feeds each prediction back as the next input row: the model "
                f"must predict {hist.shape[1]} value(s) per step (y[t] = X[t + 1]); it predicts {step.size}."
            )
        forecast.append(step)
        hist = np.vstack([hist, step[None]])
    forecast = np.array(forecast)
    warn_if_implausible(forecast, observed_range(hist0), "recursive_forecast")
    return forecast[:, 0] if forecast.shape[1] == 1 else forecast
