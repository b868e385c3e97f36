"""The sequence data contract: the one place that understands the user's layouts.

Every estimator and transformer of sktemporal validates its input here, once, at the
boundary, and converts its output back to the user's layout here.  The rule is
``len(X) == len(y)`` and ``X[i]`` is the input for ``y[i]``:

* a 2-D ``X`` of shape ``(n_timesteps, n_features)`` (numpy or pandas) is ONE series,
  rows are time steps, and ``y`` holds a target per step;
* a 3-D ``X`` of shape ``(n_sequences, n_timesteps, n_features)`` (optionally padded with
  NaN at the end of shorter sequences) or a list of 2-D ``(T_i, n_features)`` arrays is a
  collection, and ``y`` holds a target per sequence or a target per step.

Internally a validated input is a :class:`~sktemporal.utils.SequenceBatch`: a zero-padded array
``values`` of shape ``(n_sequences, max_length, n_features)`` plus the true ``lengths``.
Padded steps hold zeros (never NaN) so that no padded value can leak into arithmetic;
every consumer masks them out with ``lengths``.
"""

from __future__ import annotations

import hashlib
import numbers
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, validate_data

from ._labels import check_labels

__all__ = [
    "SequenceBatch",
    "Targets",
    "check_sequences",
    "check_targets",
    "validate_sequences",
    "series_key",
    "restore_layout",
    "TSLEARN_HINT",
]

TSLEARN_HINT = (
    "A 2-D X is always ONE series with rows as time steps; a collection of "
    "univariate sequences must be 3-D of shape (n_sequences, n_timesteps, 1), "
    "e.g. X[:, :, np.newaxis]."
)


# ----------------------------------------------------------------------------------
# containers
# ----------------------------------------------------------------------------------
def series_key(batch):
    """A fingerprint of a batch's values: equal for equal data (shape, dtype and bytes).

    >>> import numpy as np
    >>> a = check_sequences(np.arange(6.0).reshape(3, 2))
    >>> series_key(a) == series_key(check_sequences(np.arange(6.0).reshape(3, 2)))
    True
    """
    values = np.ascontiguousarray(batch.values)
    digest = hashlib.blake2b(values.view(np.uint8).ravel(), digest_size=16).hexdigest()
    return values.shape, values.dtype.str, digest


@dataclass
class SequenceBatch:
    """Validated sequences: zero-padded values plus true lengths.

    Attributes
    ----------
    values : ndarray of shape (n_sequences, max_length, n_features)
        Float32 or float64 data; steps ``t >= lengths[i]`` are zeros.
    lengths : ndarray of shape (n_sequences,), dtype intp
        Number of valid time steps of each sequence.
    kind : {'series', 'array', 'list'}
        What the user passed: one 2-D series, a 3-D array (possibly NaN padded) or a
        list of 2-D arrays.  Decides the layout of outputs.
    index : pandas Index or None
        Row index of a pandas series input, kept for pandas output.

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.utils import check_sequences
    >>> batch = check_sequences([np.ones((3, 2)), np.ones((5, 2))])
    >>> batch.kind, batch.n_sequences, batch.max_length, batch.n_features
    ('list', 2, 5, 2)
    >>> batch.lengths.tolist(), batch.ragged
    ([3, 5], True)
    >>> batch.flat().shape        # the 8 valid steps, padding left out
    (8, 2)
    """

    values: np.ndarray
    lengths: np.ndarray
    kind: str
    index: object = None

    @property
    def n_sequences(self):
        """Number of sequences (1 for a series)."""
        return self.values.shape[0]

    @property
    def max_length(self):
        """Length of the longest sequence (the padded time axis)."""
        return self.values.shape[1]

    @property
    def n_features(self):
        """Number of features per time step."""
        return self.values.shape[2]

    @property
    def dtype(self):
        """dtype of ``values`` (float32 or float64)."""
        return self.values.dtype

    @property
    def ragged(self):
        """True when some sequence is shorter than ``max_length``."""
        return bool(np.any(self.lengths != self.max_length))

    @property
    def mask(self):
        """Boolean ``(n_sequences, max_length)``: True on valid steps."""
        return np.arange(self.max_length)[None, :] < self.lengths[:, None]

    def sequences(self):
        """List of the valid ``(T_i, n_features)`` views, one per sequence."""
        return [self.values[i, :length] for i, length in enumerate(self.lengths)]

    def flat(self, values=None):
        """Concatenate the valid steps of ``values`` (default: the inputs) over sequences.

        ``values`` has the batch's leading ``(n_sequences, max_length)`` shape; the
        result has shape ``(sum(lengths), ...)``.
        """
        values = self.values if values is None else values
        if not self.ragged:
            return values.reshape((-1,) + values.shape[2:])
        return values[self.mask]

    def unflat(self, flat, fill=0.0):
        """Inverse of :meth:`flat`: scatter ``(sum(lengths), ...)`` rows into a padded array."""
        flat = np.asarray(flat)
        out = np.full(
            (self.n_sequences, self.max_length) + flat.shape[1:], fill, dtype=flat.dtype
        )
        out[self.mask] = flat
        return out

    def take(self, indices):
        """A new batch holding only the sequences ``indices`` (same kind)."""
        indices = np.asarray(indices)
        lengths = self.lengths[indices]
        width = int(lengths.max()) if lengths.size else 0
        return SequenceBatch(self.values[indices, :width], lengths, self.kind, None)

    def restore(self, values, fill=np.nan):
        """Put per-step ``values`` of shape ``(n_sequences, max_length, k)`` in the input layout.

        A series comes back 2-D ``(T, k)``, an array 3-D with ``fill`` on padded
        steps, a list as a list of ``(T_i, k)`` arrays.
        """
        return restore_layout(values, self, per_step=True, squeeze=False, fill=fill)


@dataclass
class Targets:
    """Validated targets aligned with a :class:`~sktemporal.utils.SequenceBatch`.

    Attributes
    ----------
    values : ndarray
        ``(n_sequences, max_length, n_outputs)`` when ``per_step`` (padded steps hold a
        copy of a valid value, never NaN), else ``(n_sequences, n_outputs)``.
    per_step : bool
        True for a target per time step (many-to-many), False for one per sequence.
    squeeze : bool
        True when the user's targets had no output axis (``(T,)``, ``(n,)``,
        ``(n, T)`` labels or a list of ``(T_i,)``): predictions drop it too.
    batch : SequenceBatch
        The validated inputs the targets belong to.

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.utils import check_sequences, check_targets
    >>> batch = check_sequences(np.zeros((4, 10, 1)))      # 4 sequences
    >>> targets = check_targets(np.arange(4.0), batch)     # one per sequence
    >>> targets.per_step, targets.squeeze, targets.values.shape
    (False, True, (4, 1))
    """

    values: np.ndarray
    per_step: bool
    squeeze: bool
    batch: SequenceBatch = field(repr=False)

    @property
    def n_outputs(self):
        """Number of target columns."""
        return self.values.shape[-1]

    def flat(self):
        """The valid targets as ``(n_valid, n_outputs)`` rows (steps or sequences)."""
        if self.per_step:
            return self.batch.flat(self.values)
        return self.values

    def replace(self, flat):
        """New :class:`Targets` with the same layout and ``flat`` values (e.g. encoded labels)."""
        flat = np.asarray(flat)
        if flat.ndim == 1:
            flat = flat[:, None]
        values = self.batch.unflat(flat, fill=0) if self.per_step else flat
        return Targets(values, self.per_step, self.squeeze, self.batch)


# ----------------------------------------------------------------------------------
# X
# ----------------------------------------------------------------------------------
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
    if isinstance(X, (list, tuple)) and len(X) > 0 and _is_arraylike(X[0]) and not _is_regular(X):
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


def _is_arraylike(obj):
    return hasattr(obj, "__len__") or hasattr(obj, "shape")


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


# ----------------------------------------------------------------------------------
# y
# ----------------------------------------------------------------------------------
def check_targets(y, batch, *, task="regression", name="y"):
    """Validate ``y`` against a validated ``batch`` of inputs.

    Parameters
    ----------
    y : array-like or list
        Targets in one of the layouts of the data contract (see module docstring).
    batch : SequenceBatch
        The validated inputs ``y`` belongs to.
    task : {'regression', 'classification'}
        Regression targets become float (float32 when the inputs are); class labels are
        kept as they are and must be one label per step or per sequence.
    name : str, default='y'
        Argument name used in error messages.

    Returns
    -------
    targets : Targets

    Examples
    --------
    A target per step of two ragged sequences (many-to-many):

    >>> import numpy as np
    >>> from sktemporal.utils import check_sequences, check_targets
    >>> batch = check_sequences([np.ones((3, 1)), np.ones((5, 1))])
    >>> targets = check_targets([np.zeros(3), np.ones(5)], batch)
    >>> targets.per_step, targets.values.shape, targets.flat().shape
    (True, (2, 5, 1), (8, 1))
    """
    if y is None:
        raise ValueError(f"{name} is None: this estimator needs targets to fit.")
    classify = task == "classification"
    if batch.kind == "series":
        values = _as_target_array(y, name, classify)
        T = batch.max_length
        if values.ndim == 0 or values.shape[0] != T:
            seen = values.shape[0] if values.ndim else "a scalar"
            raise ValueError(
                f"{name} has {seen} entries but X is one series of {T} time steps "
                f"(len(X) == len(y) is required). {TSLEARN_HINT}"
            )
        if values.ndim > 2 or (classify and values.ndim == 2 and values.shape[1] != 1):
            raise ValueError(
                f"{name} for a single series must be (n_timesteps,)"
                + ("" if classify else " or (n_timesteps, n_outputs)")
                + f"; got shape {values.shape}. {TSLEARN_HINT}"
            )
        squeeze = values.ndim == 1
        values = values.reshape(1, T, -1)
        return _finish(values, batch, per_step=True, squeeze=squeeze, task=task, name=name)

    n = batch.n_sequences
    if isinstance(y, (list, tuple)) and len(y) > 0 and _is_arraylike(y[0]) and np.ndim(y[0]) >= 1:
        # a list of per-step targets goes with a list X; otherwise a list is just an array
        if batch.kind == "list" or len({np.shape(yi) for yi in y}) > 1:
            return _check_list_targets(y, batch, task, name)
    values = _as_target_array(y, name, classify)
    if values.ndim == 0 or values.shape[0] != n:
        seen = values.shape[0] if values.ndim else "a scalar"
        raise ValueError(
            f"{name} has {seen} entries but X holds {n} sequences (len(X) == len(y) is required)."
        )
    if values.ndim == 1 or (values.ndim == 2 and not classify):
        squeeze = values.ndim == 1
        return _finish(values.reshape(n, -1), batch, per_step=False, squeeze=squeeze, task=task, name=name)
    if values.ndim == 2 or values.ndim == 3:
        if classify and values.ndim == 3:
            if values.shape[2] != 1:
                raise ValueError(
                    f"{name} of shape {values.shape}: per-step class labels must be 2-D "
                    "(n_sequences, n_timesteps); multi-output classification is not supported."
                )
            values = values[:, :, 0]
        squeeze = values.ndim == 2
        if values.shape[1] < batch.max_length:
            raise ValueError(
                f"{name} has {values.shape[1]} time steps per sequence but X has "
                f"{batch.max_length}; per-step targets must cover every step of X."
            )
        values = values[:, : batch.max_length].reshape(n, batch.max_length, -1)
        return _finish(values, batch, per_step=True, squeeze=squeeze, task=task, name=name)
    raise ValueError(f"{name} has {values.ndim} dimensions (shape {values.shape}); expected at most 3.")


def _check_list_targets(y, batch, task, name):
    classify = task == "classification"
    if len(y) != batch.n_sequences:
        raise ValueError(
            f"{name} has {len(y)} entries but X holds {batch.n_sequences} sequences "
            "(len(X) == len(y) is required)."
        )
    arrays = [_as_target_array(yi, f"{name}[{i}]", classify) for i, yi in enumerate(y)]
    ndims = {a.ndim for a in arrays}
    if len(ndims) != 1 or ndims.pop() not in (1, 2) or (classify and arrays[0].ndim != 1):
        raise ValueError(
            f"Every {name}[i] must be ({'T_i,' if classify else 'T_i,) or (T_i, n_outputs'}) "
            f"with the same number of dimensions; got shapes {[a.shape for a in arrays[:5]]}."
        )
    squeeze = arrays[0].ndim == 1
    arrays = [a.reshape(a.shape[0], -1) for a in arrays]
    k = {a.shape[1] for a in arrays}
    if len(k) != 1:
        raise ValueError(f"All {name}[i] must have the same number of outputs; got {sorted(k)}.")
    for i, (a, length) in enumerate(zip(arrays, batch.lengths)):
        if a.shape[0] != length:
            raise ValueError(
                f"{name}[{i}] has {a.shape[0]} time steps but X[{i}] has {length} "
                "(a per-step target needs one value per step)."
            )
    flat = np.concatenate(arrays)
    values = batch.unflat(flat, fill=flat[0, 0] if classify else 0)
    return _finish(values, batch, per_step=True, squeeze=squeeze, task=task, name=name)


def _as_target_array(y, name, classify):
    if hasattr(y, "toarray"):
        raise TypeError(f"{name} is a sparse matrix; dense targets are required.")
    values = np.asarray(y)
    if np.iscomplexobj(values):
        # checked before any cast: astype(float) would silently drop the imaginary part
        raise ValueError(
            f"Complex data not supported: {name} has dtype {values.dtype}; "
            + ("class labels must be strings or real numbers." if classify else "targets must be real numbers.")
        )
    if classify:
        if values.ndim == 2 and values.shape[1] == 1:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected. Please change "
                "the shape of y to (n_samples, ), for example using ravel().",
                DataConversionWarning,
                stacklevel=4,
            )
            values = values[:, 0]
        return values
    if values.dtype.kind not in "fiub":
        try:
            values = values.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"{name} must be numeric for a regressor; got dtype {values.dtype} ({exc})."
            ) from exc
    return values


def _locator(batch, per_step):
    """Where the ``k``-th valid target is, in the user's terms (for error messages)."""
    if not per_step:
        return lambda k: f"sequence {k}"
    if batch.kind == "series":
        return lambda k: f"time step {k}"
    ends = np.cumsum(batch.lengths)

    def locate(k):
        i = int(np.searchsorted(ends, k, side="right"))
        return f"sequence {i}, time step {k - (ends[i] - batch.lengths[i])}"

    return locate


def _finish(values, batch, *, per_step, squeeze, task, name):
    """Check the valid targets are finite / proper labels and set the dtype."""
    targets = Targets(values, per_step, squeeze, batch)
    valid = targets.flat()
    if task == "classification":
        if valid.dtype.kind == "f" and np.isnan(valid).any():
            raise ValueError(f"Input {name} contains NaN on a valid (non-padded) step or sequence.")
        check_labels(valid.ravel(), name, _locator(batch, per_step))  # before sklearn sorts them
        check_classification_targets(valid.ravel())
        if per_step and batch.ragged:
            # padded label slots hold a real label so encoders never see a stray value
            filler = valid.ravel()[0]
            values = values.copy()
            values[~batch.mask] = filler
        return Targets(values, per_step, squeeze, batch)
    dtype = batch.dtype
    values = values.astype(dtype, copy=False)
    if not np.isfinite(valid).all():
        bad = "NaN" if np.isnan(valid).any() else "infinity"
        raise ValueError(
            f"Input {name} contains {bad} on a valid (non-padded) step or sequence; "
            "targets must be finite."
        )
    if per_step and batch.ragged:
        values = np.where(batch.mask[:, :, None], values, 0).astype(dtype, copy=False)
    return Targets(values, per_step, squeeze, batch)


# ----------------------------------------------------------------------------------
# estimator-level validation and outputs
# ----------------------------------------------------------------------------------
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


def restore_layout(values, batch, *, per_step, squeeze, fill=np.nan):
    """Turn padded predictions into the user's layout.

    Parameters
    ----------
    values : ndarray
        ``(n_sequences, max_length, k)`` per step, or ``(n_sequences, k)`` per sequence.
    batch : SequenceBatch
        The validated inputs the predictions belong to.
    per_step : bool
        Whether ``values`` hold one row per time step.
    squeeze : bool
        Drop the last axis (``k == 1`` targets given without an output axis).
    fill : scalar, default=NaN
        Value of padded steps in a 3-D output.

    Returns
    -------
    y : ndarray or list of ndarray
        2-D or 1-D for a series, 3-D (``fill`` on padded steps) for an array
        input, a list of per-sequence arrays for a list input; one row per
        sequence when not ``per_step``.

    Examples
    --------
    Predictions for two ragged sequences come back as a list, one array each:

    >>> import numpy as np
    >>> from sktemporal.utils import check_sequences, restore_layout
    >>> batch = check_sequences([np.ones((3, 1)), np.ones((5, 1))])
    >>> padded = np.zeros((2, 5, 1))
    >>> out = restore_layout(padded, batch, per_step=True, squeeze=True)
    >>> [p.shape for p in out]
    [(3,), (5,)]
    """
    if not per_step:
        return values[:, 0] if squeeze else values
    if squeeze:
        values = values[..., 0]
    if batch.kind == "series":
        return values[0]
    if batch.kind == "list":
        return [values[i, :length] for i, length in enumerate(batch.lengths)]
    if batch.ragged:
        if values.dtype.kind not in "fc" and not (isinstance(fill, numbers.Number) and not np.isnan(fill)):
            values = values.astype(object) if values.dtype.kind in "OUS" else values.astype(np.float64)
        else:
            values = values.copy()
        values[~batch.mask] = fill
    return values
