"""Validating ``y`` against validated inputs: a target per step or per sequence.

The layouts are those of the data contract (``utils._batch``); regression
targets become float in the inputs' dtype, class labels stay as they are.  Padded steps
never hold NaN: zeros (regression) or a copy of a valid label (classification).
"""

import warnings

import numpy as np
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.multiclass import check_classification_targets

from ._batch import TSLEARN_HINT, Targets, is_arraylike
from ._labels import check_labels

__all__ = ["check_targets"]


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
    if isinstance(y, (list, tuple)) and len(y) > 0 and is_arraylike(y[0]) and np.ndim(y[0]) >= 1:
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
