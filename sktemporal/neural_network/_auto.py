"""Settings a network resolves from the data at its first fit: the ``'auto'`` options.

Each rule reads only what the first fit sees (the layout, the number of sequences or
steps, the class counts) and is resolved once: a ``warm_start`` fit or ``partial_fit``
keeps what the first fit chose, so the network's shape never changes under it.  The
rules and the study behind their thresholds are in the user guide's defaults page.

* ``bidirectional='auto'``: on for a collection (whole sequences are known before
  anything is predicted), off for one series (truncated BPTT and
  ``initial_state='continue'`` need a network that runs forward only).
* ``early_stopping='auto'``: on when the validation part is large enough to rank epochs:
  at least :data:`MIN_VALIDATION_STEPS` steps of a series, or at least
  :data:`MIN_VALIDATION_SEQUENCES` sequences of a collection and, for a classifier, at
  least :data:`MIN_VALIDATION_PER_CLASS` of each class (in expectation, from the class
  counts and ``validation_fraction``).
* ``delays='auto'`` (TDNN): the taps cover the whole of each sequence of a collection
  with a target per sequence (at most :data:`MAX_TAPS` lags, evenly spaced), so that the
  MLP sees the sequence's shape; 10 lags on one series or with a target per step.
* ``patch_size='auto'``: ``k`` consecutive steps as one input vector so that the
  recurrence runs at most :data:`MAX_PATCHED_LENGTH` steps; collections with a target per
  sequence only.
"""

import numpy as np

__all__ = [
    "MAX_PATCHED_LENGTH",
    "MIN_VALIDATION_PER_CLASS",
    "MIN_VALIDATION_SEQUENCES",
    "MIN_VALIDATION_STEPS",
    "MAX_TAPS",
    "SERIES_DELAYS",
    "patch",
    "resolve_delays",
    "resolve_bidirectional",
    "resolve_early_stopping",
    "resolve_patch_size",
]

MIN_VALIDATION_STEPS = 1000
MIN_VALIDATION_SEQUENCES = 50
MIN_VALIDATION_PER_CLASS = 10
MAX_PATCHED_LENGTH = 64
MAX_TAPS = 64
SERIES_DELAYS = 10


def resolve_delays(delays, stride, kind, per_step, max_length):
    """``(delays, stride)`` of a TDNN's tapped memory with ``'auto'`` resolved.

    >>> resolve_delays("auto", 1, "array", False, 150)   # lags 0, 3, ..., 150
    (50, 3)
    >>> resolve_delays("auto", 1, "series", True, 5000)
    (10, 1)
    """
    if not isinstance(delays, str):
        return delays, stride
    if kind == "series" or per_step:
        return SERIES_DELAYS, stride
    stride = max(int(stride), -(-(int(max_length) - 1) // (MAX_TAPS - 1)))
    return -(-(int(max_length) - 1) // stride), stride


def resolve_bidirectional(bidirectional, kind, bptt_steps):
    """Whether the recurrent layers read both ways.

    >>> resolve_bidirectional("auto", "array", "auto"), resolve_bidirectional("auto", "series", None)
    (True, False)
    """
    if isinstance(bidirectional, str):  # 'auto'
        return kind != "series" and (bptt_steps is None or isinstance(bptt_steps, str))
    return bool(bidirectional)


def resolve_early_stopping(early_stopping, kind, n, fraction, class_counts=None):
    """Whether to hold out a validation part (``n`` steps of a series or sequences of a collection).

    >>> resolve_early_stopping("auto", "series", 20000, 0.1), resolve_early_stopping("auto", "array", 60, 0.1)
    (True, False)
    """
    if not isinstance(early_stopping, str):
        return bool(early_stopping)
    if kind == "series":
        return fraction * n >= MIN_VALIDATION_STEPS
    if fraction * n < MIN_VALIDATION_SEQUENCES:
        return False
    return class_counts is None or fraction * np.min(class_counts) >= MIN_VALIDATION_PER_CLASS


def resolve_patch_size(patch_size, kind, per_step, max_length):
    """Steps per input vector: 1 (no patching) unless a collection has a target per sequence.

    ``'auto'`` is ``ceil(max_length / MAX_PATCHED_LENGTH)``.

    >>> resolve_patch_size("auto", "array", False, 251), resolve_patch_size("auto", "array", False, 24)
    (4, 1)
    >>> resolve_patch_size(5, "series", True, 1000)
    1
    """
    if patch_size is None or kind == "series" or per_step:
        return 1
    if isinstance(patch_size, str):  # 'auto'
        return max(1, -(-int(max_length) // MAX_PATCHED_LENGTH))
    return int(patch_size)


def patch(values, lengths, k):
    """``k`` consecutive steps as one input vector.

    Step ``s`` of the patched sequence is ``[x(sk); x(sk + 1); …; x(sk + k − 1)]``, so a
    sequence of ``L`` steps becomes ``ceil(L / k)`` steps of ``k · n_features`` values;
    the steps past ``L`` that complete its last patch are zeros (the standardized
    mean), as padding is.

    Parameters
    ----------
    values : ndarray of shape (n_sequences, max_length, n_features)
        Zero-padded sequences.
    lengths : ndarray of shape (n_sequences,)
    k : int

    Returns
    -------
    values : ndarray of shape (n_sequences, ceil(max_length / k), k * n_features)
    lengths : ndarray of shape (n_sequences,)

    Examples
    --------
    >>> import numpy as np
    >>> v, L = patch(np.arange(5.0).reshape(1, 5, 1), np.array([5]), 2)
    >>> v[0].tolist(), L.tolist()
    ([[0.0, 1.0], [2.0, 3.0], [4.0, 0.0]], [3])
    """
    if k == 1:
        return values, lengths
    n, T, F = values.shape
    T_new = -(-T // k)
    padded = np.zeros((n, T_new * k, F), dtype=values.dtype)
    padded[:, :T] = values
    return padded.reshape(n, T_new, k * F), -(-np.asarray(lengths) // k)
