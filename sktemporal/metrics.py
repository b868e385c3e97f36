"""Metrics for temporal models: normalised RMSE and memory capacity.

Both accept targets in every layout of the package's data contract (see :ref:`data_contract`):
1-D ``(n,)`` or 2-D ``(n, n_outputs)`` arrays (one series, or one target per
sequence), 3-D ``(n_sequences, n_timesteps, n_outputs)`` per-step targets padded with
NaN at the end of shorter sequences, and lists of per-step ``(T_i,)`` or
``(T_i, n_outputs)`` arrays.  Every valid step of every sequence counts as one sample;
padded steps (where ``y_true`` is NaN) are ignored.
"""

import warnings

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import make_scorer

from .utils._sequences import check_sequences

__all__ = ["nrmse", "memory_capacity", "neg_nrmse_scorer"]


# ----------------------------------------------------------------------------------
# layouts -> flat (n_samples, n_outputs) pairs
# ----------------------------------------------------------------------------------
def _is_sequence_list(y):
    """A list/tuple of arrays is a collection of per-step targets.

    Nested Python lists of numbers (``[[1, 2], [3, 4]]``) are ordinary arrays, as in
    scikit-learn; a list holding numpy/pandas arrays, or items of different shapes, is
    a collection (what ``predict`` returns for a list ``X``).
    """
    if not isinstance(y, (list, tuple)) or len(y) == 0:
        return False
    if any(hasattr(item, "shape") and np.ndim(item) >= 1 for item in y):
        return True
    try:
        return len({np.shape(item) for item in y}) > 1
    except Exception:  # pragma: no cover - exotic containers
        return False


def _as_float_array(y, name):
    try:
        return np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must contain numbers ({exc}).") from exc


def _list_items(y, name):
    """Per-sequence 2-D float arrays of a list of per-step targets."""
    items = []
    for i, item in enumerate(y):
        arr = _as_float_array(item, f"{name}[{i}]")
        if arr.ndim not in (1, 2):
            raise ValueError(
                f"{name}[{i}] has shape {arr.shape}; per-step targets of a sequence must be "
                "(T_i,) or (T_i, n_outputs)."
            )
        items.append(arr.reshape(arr.shape[0], -1))
    return items


def _check_weights(sample_weight, n, lengths=None):
    """Validate per-sample (or per-sequence) weights and expand them to every step."""
    if sample_weight is None:
        return None
    w = _as_float_array(sample_weight, "sample_weight")
    unit = "samples" if lengths is None else "sequences"
    if w.ndim != 1 or w.shape[0] != n:
        raise ValueError(
            f"sample_weight has shape {w.shape} but y_true holds {n} {unit}; expected "
            f"shape ({n},)."
        )
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("sample_weight must be finite and non-negative.")
    if w.sum() <= 0:
        raise ValueError("sample_weight must not be all zero.")
    return w if lengths is None else np.repeat(w, lengths)


def _shape_mismatch(true_shape, pred_shape, where=""):
    return ValueError(
        f"y_true{where} has shape {true_shape} but y_pred{where} has shape {pred_shape}; "
        "they must match."
    )


def _flatten_pair(y_true, y_pred, sample_weight=None):
    """Turn any pair of target layouts into ``(n_samples, n_outputs)`` arrays.

    Returns ``(true, pred, weights)``; ``weights`` is None or ``(n_samples,)``.
    """
    if y_true is None or y_pred is None:
        raise ValueError("y_true and y_pred must not be None.")
    if _is_sequence_list(y_true) or _is_sequence_list(y_pred):
        true, pred, lengths = _flatten_collection(y_true, y_pred)
        weights = _check_weights(sample_weight, len(lengths), lengths)
    else:
        yt = _as_float_array(y_true, "y_true")
        yp = _as_float_array(y_pred, "y_pred")
        if yt.ndim == 3 or yp.ndim == 3:
            if yt.shape != yp.shape:
                raise _shape_mismatch(yt.shape, yp.shape)
            # NaN at the end of a sequence of y_true is padding (the data contract's rule)
            batch = check_sequences(yt, name="y_true", allow_float32=False)
            mask = batch.mask
            true, pred, lengths = yt[mask], yp[mask], batch.lengths
            weights = _check_weights(sample_weight, yt.shape[0], lengths)
        elif yt.ndim in (1, 2) and yp.ndim in (1, 2):
            if yt.shape[0] == 0:
                raise ValueError("y_true is empty: at least one sample is needed.")
            true = yt.reshape(yt.shape[0], -1)
            pred = yp.reshape(yp.shape[0], -1)
            if true.shape != pred.shape:
                raise _shape_mismatch(yt.shape, yp.shape)
            _check_finite(true, "y_true")
            weights = _check_weights(sample_weight, true.shape[0])
        else:
            raise ValueError(
                f"y_true and y_pred must be 1-D, 2-D or 3-D arrays or lists of per-step "
                f"arrays; got shapes {yt.shape} and {yp.shape}."
            )
    if true.shape[0] == 0:
        raise ValueError("y_true is empty: at least one sample is needed.")
    _check_finite(pred, "y_pred")
    return true, pred, weights


def _flatten_collection(y_true, y_pred):
    """Pair per-sequence targets given as lists and/or NaN-padded 3-D arrays."""
    if _is_sequence_list(y_true):
        true_items = _list_items(y_true, "y_true")
        for i, item in enumerate(true_items):
            _check_finite(item, f"y_true[{i}]")
    else:
        yt = _as_float_array(y_true, "y_true")
        if yt.ndim != 3:
            raise ValueError(
                f"y_pred is a list of per-step arrays, so y_true must be one too (or a 3-D "
                f"NaN-padded array); got y_true of shape {yt.shape}."
            )
        true_items = check_sequences(yt, name="y_true", allow_float32=False).sequences()
    n = len(true_items)
    if _is_sequence_list(y_pred):
        pred_items = _list_items(y_pred, "y_pred")
        if len(pred_items) != n:
            raise ValueError(
                f"y_true holds {n} sequences but y_pred holds {len(pred_items)}; they must match."
            )
        for i, (t, p) in enumerate(zip(true_items, pred_items)):
            if t.shape != p.shape:
                raise _shape_mismatch(t.shape, p.shape, where=f"[{i}]")
    else:
        yp = _as_float_array(y_pred, "y_pred")
        if yp.ndim != 3:
            raise ValueError(
                f"y_true is a list of per-step arrays, so y_pred must be one too (or a 3-D "
                f"array); got y_pred of shape {yp.shape}."
            )
        longest = max(t.shape[0] for t in true_items)
        if yp.shape[0] != n or yp.shape[1] < longest or yp.shape[2] != true_items[0].shape[1]:
            raise ValueError(
                f"y_pred has shape {yp.shape} but y_true holds {n} sequences of up to "
                f"{longest} steps and {true_items[0].shape[1]} output(s)."
            )
        pred_items = [yp[i, : t.shape[0]] for i, t in enumerate(true_items)]
    widths = {t.shape[1] for t in true_items}
    if len(widths) > 1:
        raise ValueError(
            f"All y_true[i] must have the same number of outputs; got {sorted(widths)}."
        )
    lengths = np.array([t.shape[0] for t in true_items], dtype=np.intp)
    return np.concatenate(true_items), np.concatenate(pred_items), lengths


def _check_finite(values, name):
    if np.isfinite(values).all():
        return
    bad = np.argwhere(~np.isfinite(values))
    what = "NaN" if np.isnan(values).any() else "infinity"
    raise ValueError(
        f"{name} contains {what} at {len(bad)} valid position(s) (first at sample "
        f"{bad[0][0]}, output {bad[0][1]}). Only the end padding of a 3-D y_true may be NaN."
    )


# ----------------------------------------------------------------------------------
# NRMSE
# ----------------------------------------------------------------------------------
_NORMALIZATIONS = ("std", "range", "mean", "iqr")


def nrmse(
    y_true,
    y_pred,
    *,
    normalization="std",
    multioutput="uniform_average",
    sample_weight=None,
):
    r"""Normalised root mean squared error.

    For each output :math:`j`,

    .. math::

        \mathrm{NRMSE}_j = \frac{1}{s_j}
            \sqrt{\frac{\sum_i w_i (y_{ij} - \hat y_{ij})^2}{\sum_i w_i}}

    where the scale :math:`s_j` of the true values is, by ``normalization``:

    * ``'std'`` (default): the (weighted, population) standard deviation, so that
      predicting the mean of ``y_true`` scores exactly 1 and a perfect prediction 0
      (:math:`\mathrm{NRMSE}^2 = 1 - R^2`);
    * ``'range'``: :math:`\max_i y_{ij} - \min_i y_{ij}`;
    * ``'mean'``: :math:`|\bar y_j|` (the weighted mean; the coefficient of variation
      of the RMSE);
    * ``'iqr'``: the interquartile range (ignores the weights, apart from dropping
      samples of zero weight).

    When :math:`s_j = 0` (constant ``y_true``) the score is 0 for a perfect prediction
    and ``inf`` otherwise, with an ``UndefinedMetricWarning``.

    Lower is better; for model selection use :data:`neg_nrmse_scorer`
    (``make_scorer(nrmse, greater_is_better=False)``).

    Parameters
    ----------
    y_true : array-like or list of array-like
        True targets: ``(n,)``, ``(n, n_outputs)``, a 3-D ``(n_sequences, n_timesteps,
        n_outputs)`` array with NaN end padding (padded steps are ignored), or a list of
        ``(T_i,)`` / ``(T_i, n_outputs)`` arrays.
    y_pred : array-like or list of array-like
        Predictions in the same layout (for a 3-D ``y_true``, a list of per-sequence
        arrays is accepted too, and vice versa); values at padded steps are ignored.
    normalization : {'std', 'range', 'mean', 'iqr'}, default='std'
        Scale of the true values that divides the RMSE.
    multioutput : {'uniform_average', 'raw_values'} or array-like of shape (n_outputs,), default='uniform_average'
        How to combine the per-output scores: their mean, all of them, or a weighted
        average.
    sample_weight : array-like of shape (n_samples,) or (n_sequences,), default=None
        Weights of the samples (rows of a 1-D/2-D ``y_true``) or of the sequences (every
        step of a sequence gets its sequence's weight).

    Returns
    -------
    score : float or ndarray of shape (n_outputs,)
        ``ndarray`` when ``multioutput='raw_values'``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.metrics import nrmse
    >>> y = np.array([0.0, 1.0, 2.0, 3.0])
    >>> nrmse(y, y)
    0.0
    >>> nrmse(y, np.full(4, y.mean()))
    1.0
    >>> nrmse([np.array([1.0, 2.0]), np.array([3.0])], [np.array([1.0, 2.0]), np.array([3.0])])
    0.0
    """
    if normalization not in _NORMALIZATIONS:
        raise ValueError(
            f"normalization must be one of {_NORMALIZATIONS}; got {normalization!r}."
        )
    true, pred, w = _flatten_pair(y_true, y_pred, sample_weight)
    n_outputs = true.shape[1]
    output_weights = _check_multioutput(multioutput, n_outputs)

    if w is None:
        w = np.ones(true.shape[0])
    total = w.sum()
    rmse = np.sqrt(w @ (true - pred) ** 2 / total)
    if normalization in ("std", "mean"):
        mean = w @ true / total
        scale = np.sqrt(w @ (true - mean) ** 2 / total) if normalization == "std" else np.abs(mean)
    else:
        kept = true[w > 0]
        if normalization == "range":
            scale = kept.max(axis=0) - kept.min(axis=0)
        else:
            q75, q25 = np.percentile(kept, [75, 25], axis=0)
            scale = q75 - q25

    # an RMSE far below the rounding error of the scale is a perfect prediction
    zero = scale <= 1e-12 * np.maximum(np.abs(true).max(axis=0), 1e-300)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.where(zero, np.where(rmse == 0, 0.0, np.inf), rmse / np.where(zero, 1, scale))
    if np.isinf(scores).any():
        warnings.warn(
            f"nrmse is undefined when the {normalization!r} scale of y_true is 0 (constant "
            "target); returning inf for the imperfect prediction(s).",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    if output_weights is None:
        return scores
    return float(np.average(scores, weights=output_weights))


def _check_multioutput(multioutput, n_outputs):
    """None for 'raw_values', else the weights of the average."""
    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return None
        if multioutput == "uniform_average":
            return np.ones(n_outputs)
        raise ValueError(
            "multioutput must be 'raw_values', 'uniform_average' or an array of "
            f"{n_outputs} weights; got {multioutput!r}."
        )
    weights = _as_float_array(multioutput, "multioutput")
    if weights.shape != (n_outputs,):
        raise ValueError(
            f"multioutput weights have shape {weights.shape} but there are {n_outputs} outputs."
        )
    return weights


#: ``make_scorer(nrmse, greater_is_better=False)``: scores are ``-nrmse`` (higher is better),
#: for ``cross_val_score(..., scoring=neg_nrmse_scorer)`` and ``GridSearchCV``.
neg_nrmse_scorer = make_scorer(nrmse, greater_is_better=False)


# ----------------------------------------------------------------------------------
# memory capacity
# ----------------------------------------------------------------------------------
def memory_capacity(y_true, y_pred, *, return_per_delay=False):
    r"""Short-term memory capacity (Jaeger, 2001).

    .. math::

        MC = \sum_{k=1}^{K} MC_k, \qquad
        MC_k = \frac{\operatorname{cov}^2(y_k, \hat y_k)}
                    {\operatorname{var}(y_k)\,\operatorname{var}(\hat y_k)}
             = \rho^2(y_k, \hat y_k),

    where column :math:`k` of ``y_true`` is the input delayed by :math:`k` steps (see
    :func:`sktemporal.datasets.memory_task`) and column :math:`k` of ``y_pred`` a
    model's reconstruction of it.  Each :math:`MC_k` lies in :math:`[0, 1]`: a perfect
    reconstruction of every delay scores :math:`K`, a prediction unrelated to the input
    about :math:`K / n` (the sampling bias of a squared correlation over :math:`n`
    samples).  A constant column (zero variance) scores 0.  Discard the first
    ``max_delay`` steps of the memory task (and the model's washout) before scoring.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, n_delays) or (n_samples,)
        Delayed inputs, one column per delay (any layout of :func:`nrmse` is accepted;
        every valid step is one sample).
    y_pred : array-like of the same shape
        Predictions.
    return_per_delay : bool, default=False
        Return the per-delay :math:`MC_k` instead of their sum.

    Returns
    -------
    mc : float, or ndarray of shape (n_delays,) if ``return_per_delay``

    References
    ----------
    .. [1] H. Jaeger, "Short term memory in echo state networks", GMD Report 152, 2001.

    Examples
    --------
    >>> from sktemporal.datasets import memory_task
    >>> from sktemporal.metrics import memory_capacity
    >>> X, y = memory_task(500, max_delay=10, random_state=0)
    >>> memory_capacity(y[10:], y[10:])
    10.0
    >>> memory_capacity(y[10:], 0.5 * y[10:], return_per_delay=True)[:3]
    array([1., 1., 1.])
    """
    true, pred, _ = _flatten_pair(y_true, y_pred)
    if true.shape[0] < 2:
        raise ValueError(
            "memory_capacity needs at least 2 samples to estimate a correlation; got "
            f"{true.shape[0]}."
        )
    dt = true - true.mean(axis=0)
    dp = pred - pred.mean(axis=0)
    cov = (dt * dp).sum(axis=0)
    var_t = (dt * dt).sum(axis=0)
    var_p = (dp * dp).sum(axis=0)
    denom = var_t * var_p
    # a constant column carries no memory of the input
    degenerate = denom <= 1e-24 * np.maximum(
        (true * true).sum(axis=0) * (pred * pred).sum(axis=0), 1e-300
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        per_delay = np.where(degenerate, 0.0, cov**2 / np.where(degenerate, 1.0, denom))
    per_delay = np.clip(per_delay, 0.0, 1.0)
    if return_per_delay:
        return per_delay
    return float(per_delay.sum())
