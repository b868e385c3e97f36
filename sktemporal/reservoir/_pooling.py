r"""Per-sequence features of the reservoir states: the last state, the mean, segment means.

With ``pooling='mean'`` (or ``'both'``) and ``n_segments`` :math:`= k > 1`, the steps of a
sequence after the washout, :math:`w \le t < L` (:math:`n = L - w` of them), are cut into
:math:`k` consecutive segments of nearly equal length and each is averaged on its own:

.. math::

    s_j = w + \lfloor j n / k \rfloor, \qquad
    e_j = \max\big(w + \lfloor (j + 1) n / k \rfloor,\ s_j + 1\big), \qquad
    m_j = \frac{1}{e_j - s_j} \sum_{t = s_j}^{e_j - 1} h(t), \quad j = 0, \dots, k - 1.

For :math:`n \ge k` the segments tile the steps exactly (lengths :math:`\lfloor n/k \rfloor`
or :math:`\lceil n/k \rceil`); a sequence shorter than :math:`k` steps gets segments of one
step each, some of them repeated (the nearest-step resampling of the sequence to :math:`k`
points), so every sequence has the same :math:`k N` features whatever its length.  The
features keep the order of events, which the whole-sequence mean (:math:`k = 1`) discards.
"""

from __future__ import annotations

import numpy as np

from ._states import pool_segments

__all__ = ["pooled_features", "pooled_kinds", "segment_bounds"]


def segment_bounds(lengths, washout, n_segments):
    """First and one-past-last steps ``(starts, ends)`` of each sequence's segments.

    Parameters
    ----------
    lengths : ndarray of shape (n_sequences,)
    washout : int
    n_segments : int

    Returns
    -------
    starts, ends : ndarray of shape (n_sequences, n_segments), int64
        Absolute time steps; ``ends - starts >= 1``.  Steps at or past a sequence's length
        (only when it is not longer than the washout) count as zero states.
    """
    n = np.maximum(np.asarray(lengths, dtype=np.int64) - washout, 0)[:, None]
    j = np.arange(n_segments + 1, dtype=np.int64)[None, :]
    edges = washout + (j * n) // n_segments
    starts = edges[:, :-1]
    return starts, np.maximum(edges[:, 1:], starts + 1)


def _segment_state_sums(segments, n_sequences, n_units, dtype, starts, ends):
    """State after the last step ``(n_sequences, N)`` and the sum of the states over each
    segment's steps ``(n_sequences, k, N)`` (float64), in one pass over the segments.

    One cumulative sum per block of states: a segment's share of a block is the
    difference of two of its rows, whatever the number of segments.
    """
    last = np.zeros((n_sequences, n_units), dtype=dtype)
    sums = np.zeros((n_sequences, starts.shape[1], n_units), dtype=np.float64)
    for seg in segments:  # a block's buffer is reused by the next: read it now
        if seg.n_ending:
            last[seg.columns[-seg.n_ending:]] = seg.states[-1][:, -seg.n_ending:].T
        L, B = seg.t1 - seg.t0, seg.columns.size
        C = np.zeros((L + 1, n_units, B), dtype=np.float64)
        np.cumsum(seg.states, axis=0, dtype=np.float64, out=C[1:])
        a = np.clip(starts[seg.columns], seg.t0, seg.t1) - seg.t0
        b = np.clip(ends[seg.columns], seg.t0, seg.t1) - seg.t0
        col = np.arange(B)[:, None]
        sums[seg.columns] += C[b, :, col] - C[a, :, col]
    return last, sums


def _segment_input_means(batch, starts, ends):
    """Mean input over each segment's valid steps, ``(n_sequences, k * n_features)``."""
    C = np.zeros((batch.n_sequences, batch.max_length + 1, batch.n_features), dtype=np.float64)
    np.cumsum(batch.values, axis=1, dtype=np.float64, out=C[:, 1:])
    lengths = batch.lengths[:, None]
    row = np.arange(batch.n_sequences)[:, None]
    # padded steps never count: a segment past the end of a short sequence sums nothing
    total = C[row, np.minimum(ends, lengths)] - C[row, np.minimum(starts, lengths)]
    return (total / (ends - starts)[:, :, None]).reshape(batch.n_sequences, -1)


def pooled_kinds(pooling, n_segments):
    """Name prefixes of the pooled blocks, in feature order (``['last', 'mean']`` for 'both')."""
    means = ["mean"] if n_segments == 1 else [f"mean_seg{j}" for j in range(n_segments)]
    return {"last": ["last"], "mean": means, "both": ["last", *means]}[pooling]


def pooled_features(model, batch, segments, washout):
    """Pooled readout features of a collection, ``(n_sequences, n_features_out)``.

    Blocks ``[last, mean (or segment means)]`` of the states, then the same blocks of the
    inputs when ``model.include_input`` (``model``: a :class:`~._model.ReservoirModel`).
    """
    want_last = model.pooling in ("last", "both")
    want_mean = model.pooling in ("mean", "both")
    k = model.n_segments
    split = want_mean and k > 1
    if split:
        starts, ends = segment_bounds(batch.lengths, washout, k)
        last, sums = _segment_state_sums(segments, batch.n_sequences, model.n_reservoir, batch.dtype,
                                         starts, ends)
    else:
        last, sums = pool_segments(
            segments, batch.n_sequences, model.n_reservoir, batch.dtype, washout, want_mean
        )
    parts_h, parts_x = [], []
    if want_last:
        parts_h.append(last)
        if model.include_input:
            parts_x.append(batch.values[np.arange(batch.n_sequences), batch.lengths - 1])
    if split:
        parts_h.append((sums / (ends - starts)[:, :, None]).reshape(batch.n_sequences, -1).astype(batch.dtype))
        if model.include_input:
            parts_x.append(_segment_input_means(batch, starts, ends).astype(batch.dtype))
    elif want_mean:
        counts = np.maximum(batch.lengths - washout, 1)
        parts_h.append((sums / counts[:, None]).astype(batch.dtype))
        if model.include_input:
            valid = batch.mask & (np.arange(batch.max_length) >= washout)[None, :]
            x_sum = (batch.values * valid[:, :, None]).sum(axis=1, dtype=np.float64)
            parts_x.append((x_sum / counts[:, None]).astype(batch.dtype))
    return np.concatenate(parts_h + parts_x, axis=1)
