"""Validating ``X`` at the boundary: every layout of the data contract to a :class:`~sktemporal.utils.SequenceBatch`.

Every estimator and transformer of sktemporal validates its input here, once
(:func:`validate_sequences` also keeps the estimator's input signature and checks ``y``
with :func:`~sktemporal.utils.check_targets`).  The layouts, and the containers a
validated input becomes, are described in ``utils._batch``.
"""

import warnings

import numpy as np
from sklearn.utils.validation import check_array, validate_data

from ._batch import TSLEARN_HINT, SequenceBatch, is_arraylike
from ._targets import check_targets

__all__ = ["check_sequences", "validate_sequences"]


def _as_float(array, name, allow_float32=True):
    """Convert to float64 (or keep float32), turning conversion failures into a TypeError."""
    array = np.asarray(array) if not isinstance(array, np.ndarray) else array
    if np.iscomplexobj(array):
        raise ValueError(f"Complex data not supported: {name} must hold real numbers.")
    if array.dtype == np.float32 and allow_float32:
        return array
    try:
        return array.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must contain numbers; got an array of dtype {array.dtype} that "
            f"cannot be converted to float ({exc})."
        ) from exc


def _check_finite_steps(seq, name):
    """Error on NaN/inf anywhere in ``seq`` (a 2-D ``(T, F)`` array)."""
    if np.isfinite(seq).all():
        return
    bad = ~np.isfinite(seq)
    step, feat = np.argwhere(bad)[0]
    what = "NaN" if np.isnan(seq[step, feat]) else "infinity"
    raise ValueError(
        f"Input {name} contains {what} at time step {step}, feature {feat}. NaN is "
        "only allowed as end padding of a 3-D collection; fill or drop missing "
        "values first (e.g. with pandas' interpolate or sklearn's SimpleImputer)."
    )


def check_sequences(X, *, name="X", min_length=1, min_length_reason=None, allow_float32=True):
    """Validate ``X`` in any of the package's layouts and return a :class:`~sktemporal.utils.SequenceBatch`.

    Parameters
    ----------
    X : array-like of shape (n_timesteps, n_features), (n_sequences, n_timesteps, n_features) or list
        One series (2-D, numpy or pandas), a 3-D collection (NaN padding at the end of
        shorter sequences allowed), or a list of 2-D ``(T_i, n_features)`` arrays.
    name : str, default='X'
        Argument name used in error messages.
    min_length : int, default=1
        Shortest allowed sequence.
    min_length_reason : str or None
        Why ``min_length`` is required, e.g. ``"washout=10"``; used in the message.
    allow_float32 : bool, default=True
        Keep float32 input as float32; anything else becomes float64.

    Returns
    -------
    batch : SequenceBatch

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.utils import check_sequences
    >>> batch = check_sequences([np.ones((3, 2)), np.ones((5, 2))])
    >>> batch.values.shape, batch.lengths.tolist()
    ((2, 5, 2), [3, 5])
    """
    if X is None:
        raise ValueError(f"{name} is None; expected an array-like of time steps.")
    if isinstance(X, (list, tuple)) and len(X) > 0 and is_arraylike(X[0]) and not _is_regular(X):
        return _check_list(X, name, min_length, min_length_reason, allow_float32)
    if hasattr(X, "iloc") and not hasattr(X, "columns"):
        raise ValueError(
            f"{name} must be 2-D (n_timesteps, n_features); got a 1-D pandas Series of "
            f"length {len(X)}. Use X.to_frame() for a univariate series."
        )
    if hasattr(X, "toarray"):
        raise TypeError(
            f"{name} is a sparse matrix; sktemporal needs dense time steps. Use X.toarray()."
        )
    index = getattr(X, "index", None) if hasattr(X, "columns") else None
    if not hasattr(X, "columns"):
        # pandas goes straight to check_array, which knows its extension dtypes
        try:
            X = np.asarray(X)
        except ValueError as exc:
            raise ValueError(
                f"{name} could not be read as an array ({exc}). Pass one 2-D series, a "
                "3-D array, or a list of 2-D (T_i, n_features) arrays."
            ) from exc
    if np.ndim(X) == 2:
        X = _checked_2d(X, name, allow_float32)
        batch = SequenceBatch(X[None], np.array([X.shape[0]], dtype=np.intp), "series", index)
    elif np.ndim(X) == 3:
        batch = _check_3d(X, name, allow_float32)
    else:
        hint = (
            " Reshape your data with X.reshape(-1, 1) for a univariate series." if X.ndim == 1 else ""
        )
        raise ValueError(
            f"{name} must be 2-D (n_timesteps, n_features) for one series, 3-D "
            f"(n_sequences, n_timesteps, n_features) or a list of 2-D arrays for a "
            f"collection; got a {X.ndim}-D array of shape {X.shape}.{hint}"
        )
    _check_min_length(batch, name, min_length, min_length_reason)
    return batch



def _is_regular(X):
    """True when a list of sequences stacks into one regular numpy array of 2-D items."""
    try:
        shapes = {np.shape(x) for x in X}
    except Exception:  # pragma: no cover - exotic containers
        return False
    # A list holding any 2-D item is a collection (even of equal-length items: outputs keep
    # the list layout); a list of 1-D rows is an ordinary 2-D array, i.e. one series.
    return not any(len(s) == 2 for s in shapes)


def _checked_2d(X, name, allow_float32):
    dtype = [np.float64, np.float32] if allow_float32 else np.float64
    if not hasattr(X, "columns"):
        X = _as_float(X, name, allow_float32)
    X = check_array(
        X, dtype=dtype, ensure_all_finite=False, ensure_min_samples=1, input_name=name
    )
    _check_finite_steps(X, name)
    return X


def _check_3d(X, name, allow_float32):
    X = _as_float(X, name, allow_float32)
    n, T, F = X.shape
    if n == 0 or T == 0:
        raise ValueError(
            f"{name} has shape {X.shape}: a 3-D collection needs at least one sequence "
            "of at least one time step."
        )
    if F == 0:
        raise ValueError(
            f"0 feature(s) (shape=({n}, {T}, 0)) while a minimum of 1 is required: "
            f"{name} needs at least one feature."
        )
    if np.isinf(X).any():
        i, t, f = np.argwhere(np.isinf(X))[0]
        raise ValueError(
            f"Input {name} contains infinity at sequence {i}, time step {t}, feature {f}."
        )
    nan_steps = np.isnan(X).any(axis=2)
    if not nan_steps.any():
        return SequenceBatch(X, np.full(n, T, dtype=np.intp), "array")
    # a step is padding when all its features are NaN and every later step is padding too
    all_nan = np.isnan(X).all(axis=2)
    lengths = T - np.argmin(all_nan[:, ::-1], axis=1)
    lengths[all_nan.all(axis=1)] = 0
    inside = nan_steps & (np.arange(T)[None, :] < lengths[:, None])
    if inside.any():
        i, t = np.argwhere(inside)[0]
        raise ValueError(
            f"Input {name} contains NaN inside sequence {i} at time step {t} (of "
            f"{lengths[i]} valid steps). NaN is only allowed as padding after the last "
            "valid step of a sequence; impute missing values first."
        )
    if (lengths == 0).any():
        i = int(np.flatnonzero(lengths == 0)[0])
        raise ValueError(f"{name}[{i}] is empty (all NaN): every sequence needs at least one time step.")
    values = np.where(np.isnan(X), 0, X).astype(X.dtype, copy=False)
    return SequenceBatch(values, lengths.astype(np.intp), "array")


def _check_list(X, name, min_length, min_length_reason, allow_float32):
    seqs = []
    for i, seq in enumerate(X):
        if hasattr(seq, "iloc") and not hasattr(seq, "columns"):
            seq = np.asarray(seq)[:, None]  # a pandas Series is a univariate sequence
        arr = np.asarray(seq)
        if arr.ndim == 1:
            raise ValueError(
                f"{name}[{i}] is 1-D with shape {arr.shape}; every sequence of a list must "
                "be 2-D (T_i, n_features). For univariate sequences use x.reshape(-1, 1)."
            )
        if arr.ndim != 2:
            raise ValueError(
                f"{name}[{i}] is {arr.ndim}-D with shape {arr.shape}; every sequence of a "
                "list must be 2-D (T_i, n_features)."
            )
        if arr.shape[0] == 0:
            raise ValueError(f"{name}[{i}] is an empty sequence; every sequence needs at least one time step.")
        arr = _as_float(arr, f"{name}[{i}]", allow_float32)
        _check_finite_steps(arr, f"{name}[{i}]")
        seqs.append(arr)
    n_feats = {s.shape[1] for s in seqs}
    if len(n_feats) > 1:
        counts = [s.shape[1] for s in seqs]
        raise ValueError(
            f"All sequences of {name} must have the same number of features; got "
            f"{sorted(n_feats)} (first sequences: {counts[:5]})."
        )
    if 0 in n_feats:
        raise ValueError(f"0 feature(s) while a minimum of 1 is required: {name} needs at least one feature.")
    dtype = np.float32 if all(s.dtype == np.float32 for s in seqs) else np.float64
    lengths = np.array([s.shape[0] for s in seqs], dtype=np.intp)
    values = np.zeros((len(seqs), lengths.max(), seqs[0].shape[1]), dtype=dtype)
    for i, s in enumerate(seqs):
        values[i, : s.shape[0]] = s
    batch = SequenceBatch(values, lengths, "list")
    _check_min_length(batch, name, min_length, min_length_reason)
    return batch


def _check_min_length(batch, name, min_length, reason):
    short = np.flatnonzero(batch.lengths < min_length)
    if short.size == 0:
        return
    i = int(short[0])
    why = f" (required by {reason})" if reason else ""
    where = name if batch.kind == "series" else f"{name}[{i}]"
    extra = ""
    if batch.kind == "series" and min_length > 1:
        extra = " " + TSLEARN_HINT
    raise ValueError(
        f"{where} has {batch.lengths[i]} time step(s); at least {min_length} are "
        f"needed{why}.{extra}"
    )



def validate_sequences(estimator, X, y=None, *, reset, task=None, min_length=1, min_length_reason=None):
    """Validate ``X`` (and ``y``) for ``estimator`` and keep its input signature.

    Sets ``n_features_in_`` (and ``feature_names_in_`` for pandas input) when
    ``reset``; otherwise checks them, with sklearn's messages.

    Parameters
    ----------
    estimator : estimator instance
        The estimator whose ``n_features_in_`` / ``feature_names_in_`` are set or
        checked.
    X : array-like or list
        Inputs in any layout accepted by :func:`check_sequences`.
    y : array-like, list or None, default=None
        Targets, validated by :func:`check_targets` when given.
    reset : bool
        True in ``fit`` (record the input signature), False in ``predict`` (check it).
    task : {'regression', 'classification'} or None, default=None
        Passed to :func:`check_targets` (None means regression).
    min_length, min_length_reason
        Passed to :func:`check_sequences`.

    Returns
    -------
    batch : SequenceBatch
    targets : Targets or None
        Only when ``y`` is given.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator
    >>> from sktemporal.utils import validate_sequences
    >>> est = BaseEstimator()
    >>> batch, targets = validate_sequences(est, np.ones((50, 3)), np.ones(50),
    ...                                     reset=True)
    >>> est.n_features_in_, batch.kind, targets.per_step
    (3, 'series', True)
    >>> validate_sequences(est, np.ones((50, 2)), reset=False)
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: X has 2 features, but BaseEstimator is expecting 3 features ...
    """
    if hasattr(X, "columns"):
        # sklearn's own feature-name bookkeeping, with the warnings and errors it expects
        validate_data(estimator, X, reset=reset, skip_check_array=True)
    elif reset:
        if hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
    elif getattr(estimator, "feature_names_in_", None) is not None:
        warnings.warn(
            "X does not have valid feature names, but "
            f"{type(estimator).__name__} was fitted with feature names",
            stacklevel=2,
        )
    batch = check_sequences(
        X, min_length=min_length, min_length_reason=min_length_reason
    )
    if reset:
        estimator.n_features_in_ = batch.n_features
    elif hasattr(estimator, "n_features_in_") and batch.n_features != estimator.n_features_in_:
        raise ValueError(
            f"X has {batch.n_features} features, but {type(estimator).__name__} is "
            f"expecting {estimator.n_features_in_} features as input."
            + (f" {TSLEARN_HINT}" if batch.kind == "series" else "")
        )
    if y is None:
        return batch, None
    return batch, check_targets(y, batch, task=task or "regression")
