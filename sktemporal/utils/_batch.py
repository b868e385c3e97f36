"""The sequence data contract: its containers and the way back to the user's layout.

Every estimator and transformer of sktemporal validates its input once, at the boundary
(``utils._sequences`` for ``X``, ``utils._targets`` for ``y``),
and converts its output back to the user's layout here (``restore_layout``).  The rule
is ``len(X) == len(y)`` and ``X[i]`` is the input for ``y[i]``:

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
from dataclasses import dataclass, field

import numpy as np

__all__ = ["TSLEARN_HINT", "SequenceBatch", "Targets", "is_arraylike", "restore_layout", "series_key"]

TSLEARN_HINT = (
    "A 2-D X is always ONE series with rows as time steps; a collection of "
    "univariate sequences must be 3-D of shape (n_sequences, n_timesteps, 1), "
    "e.g. X[:, :, np.newaxis]."
)


def series_key(batch):
    """A fingerprint of a batch's values: equal for equal data (shape, dtype and bytes).

    >>> import numpy as np
    >>> from sktemporal.utils import check_sequences
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


def is_arraylike(obj):
    """Whether ``obj`` has a length or a shape (an item of a list of sequences may be one)."""
    return hasattr(obj, "__len__") or hasattr(obj, "shape")



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
