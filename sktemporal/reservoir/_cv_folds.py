r"""Fold bookkeeping of the single-pass cross-validation: which rows train or test which fold.

A *unit* is what the splitter splits: a time step of a series, or a sequence of a
collection.  Units with the same pattern of fold membership (training rows of fold
:math:`k`, test rows of fold :math:`k`, or neither, for every :math:`k`) form a *block*;
the ridge readout's sums of a block are streamed once, and the training sums of fold
:math:`k` are the merge of the blocks whose pattern says "train" at :math:`k`:

.. math::

    S_k = \sum_{b \,:\, P_{bk} = 1} S_b .

:class:`Folds` holds the patterns, the block of every unit, one
:class:`~._readout.RidgeReadout` per block and, in memory, the readout rows of the test
units (kept from the same pass, scored later with every fold's weights).  The
in-memory pass (:func:`fill_folds`) and the cluster pass (:mod:`._dask_cv`) fill the
same object.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._readout import RidgeReadout

__all__ = ["FoldWeights", "Folds", "HeldOutRows", "fill_folds", "fold_membership", "keeps_training_rows"]

TRAIN, TEST = 1, 2  # codes of the membership matrix (0: neither)

#: the most float64 values of kept training rows (32 MB) for the dual solves
KEEP_LIMIT = 4 * 2**20


def keeps_training_rows(n_rows, n_features):
    """Whether to keep the training rows for the dual solves (:func:`~._readout.dual_path`).

    Below ``2 * n_features`` rows (all the data's), the first folds of an expanding split
    (every fold of a collection's, below ``1.25 * n_features``) have fewer rows than
    features; the rows are kept when they fit in :data:`KEEP_LIMIT`.  (With more rows the
    copies cost more than the few dual folds save.)
    """
    return n_rows is not None and n_rows < 2 * n_features and n_rows * n_features <= KEEP_LIMIT


def fold_membership(splits, n_units):
    """Fold membership of each unit (1 train, 2 test, 0 neither), and each unit's block.

    Parameters
    ----------
    splits : list of (train, test) index arrays
    n_units : int

    Returns
    -------
    patterns : ndarray of shape (n_blocks, n_splits), int8
        The membership pattern of each block.
    block : ndarray of shape (n_units,)
        The block of each unit.
    """
    M = np.zeros((n_units, len(splits)), dtype=np.int8)
    for k, (train, test) in enumerate(splits):
        M[train, k] = TRAIN
        M[test, k] = TEST
    # each unit's memberships as one opaque item: a 1-D unique (np.unique(axis=0) took
    # 2.4 ms for 2000 rows and 5 folds, this 0.08 ms)
    rows = np.ascontiguousarray(M).view(np.dtype((np.void, M.shape[1]))).ravel()
    _, first, block = np.unique(rows, return_index=True, return_inverse=True)
    return M[first], block.ravel()


class FoldWeights(NamedTuple):
    """Readout weights of one fold for every penalty."""

    coef: np.ndarray  #: (n_alphas, n_outputs, D)
    intercept: np.ndarray  #: (n_alphas, n_outputs)


class HeldOutRows(NamedTuple):
    """The readout rows of a fold's test units, and where their targets are."""

    parts: list  #: column parts ``[H]`` or ``[H, X]``, one row per scored step or sequence
    flat: np.ndarray  #: index of each row in the flattened targets (:func:`~._cv_scores.true_rows`)


class Folds:
    """Sums per block of fold membership, and the kept test rows, of one cross-validation.

    Parameters
    ----------
    splits : list of (train, test) index arrays over the units
    n_units : int
    template : RidgeReadout
        An empty readout of the right shape; each block gets a copy.
    keep_training : bool, default=False
        Also keep every block's training rows, so that a fold with fewer training rows
        than readout features is solved in the dual (:func:`~._readout.dual_path`,
        cheaper than reducing its ``D x D`` sums).
    """

    def __init__(self, splits, n_units, template, keep_training=False):
        self.splits = splits
        self.patterns, self.block = fold_membership(splits, n_units)
        self._template = template
        # kept rows: each block's sums are summed from them only if a solve needs them
        self._training = [[] for _ in self.patterns] if keep_training else None
        self._sums = None if keep_training else [template.copy() for _ in self.patterns]
        self.tested = (self.patterns == TEST).any(axis=1)
        self._kept = []  # (units, flat, parts) of test rows, in the order they were kept
        self._rows = None  # the kept rows concatenated, once scoring starts

    @property
    def n_splits(self):
        return len(self.splits)

    @property
    def sums(self):
        """The readout sums of each block (:class:`~._readout.RidgeReadout`)."""
        if self._sums is None:
            self._sums = [self._summed(self._training[b]) for b in range(len(self.patterns))]
        return self._sums

    def _summed(self, rows):
        """A new readout with the sums of kept ``rows`` (a list of ``(parts, Y)``), added at once."""
        readout = self._template.copy()
        if rows:
            readout.partial_fit([np.concatenate(p) for p in zip(*(parts for parts, _ in rows))],
                                np.concatenate([Y for _, Y in rows]))
        return readout

    def training_sums(self, k):
        """The readout sums of fold ``k``'s training units (a new readout)."""
        train = np.flatnonzero(self.patterns[:, k] == TRAIN)
        if self._sums is None:  # kept rows: summed directly, not block by block
            return self._summed([item for b in train for item in self._training[b]])
        return RidgeReadout.sum(self.sums[b] for b in train)

    def add_training(self, b, parts, Y):
        """Add training rows (column ``parts``, targets ``Y``) of block ``b``: into its sums, or kept."""
        if self._training is None:
            self.sums[b].partial_fit(parts, Y)
        elif len(Y):
            self._training[b].append(([np.array(p) for p in parts], np.array(Y, dtype=np.float64)))

    def training_rows(self, k):
        """Fold ``k``'s training rows as ``(parts, Y)``, or None when they were not kept."""
        if self._training is None:
            return None
        kept = [item for b in np.flatnonzero(self.patterns[:, k] == TRAIN) for item in self._training[b]]
        if not kept:
            return None
        n_parts = len(kept[0][0])
        return ([np.concatenate([parts[q] for parts, _ in kept]) for q in range(n_parts)],
                np.concatenate([Y for _, Y in kept]))

    def total(self):
        """The readout sums of every unit (a new readout)."""
        if self._sums is None:  # the kept rows, summed once (no per-block sums needed)
            return self._summed([item for rows in self._training for item in rows])
        return RidgeReadout.sum(self.sums)

    def test_folds(self, b):
        """The folds that test the units of block ``b``."""
        return np.flatnonzero(self.patterns[b] == TEST)

    def keep(self, units, flat, parts):
        """Keep readout rows of test units for scoring: row ``i`` belongs to unit ``units[i]``.

        ``flat[i]`` is the row's index in the flattened targets; ``parts`` are copied.
        """
        self._kept.append((np.asarray(units), np.asarray(flat), [p.copy() for p in parts]))
        self._rows = None

    def test_rows(self, k):
        """The kept rows of fold ``k``'s test units, in the order of its test indices (then in time)."""
        if self._rows is None:
            units = np.concatenate([u for u, _, _ in self._kept])
            flat = np.concatenate([f for _, f, _ in self._kept])
            n_parts = len(self._kept[0][2])
            parts = [np.concatenate([p[q] for _, _, p in self._kept]) for q in range(n_parts)]
            self._rows = (units, flat, parts)
        units, flat, parts = self._rows
        test = self.splits[k][1]
        rank = np.full(self.block.size, -1, dtype=np.intp)
        rank[test] = np.arange(test.size)
        r = rank[units]
        sel = np.flatnonzero(r >= 0)
        order = sel[np.lexsort((flat[sel], r[sel]))]
        return HeldOutRows([p[order] for p in parts], flat[order])


# ----------------------------------------------------------------------------------
# the in-memory pass
# ----------------------------------------------------------------------------------
def fill_folds(model, batch, Y, folds):
    """Run the reservoir of ``model`` over ``batch`` once: each block's sums and the test rows.

    ``model``: a :class:`~._model.ReservoirModel`.  The sums leave out the ``washout``
    steps of every sequence (and of the series); the test rows are kept at every step, as
    ``predict`` returns them.  A series' end is kept in ``model.end``
    (``initial_state='continue'``).
    """
    if not model.per_step:
        _fill_pooled(model, batch, Y, folds)
    elif batch.kind == "series":
        _fill_series(model, batch, Y, folds)
    else:
        _fill_collection(model, batch, Y, folds)


def _fill_pooled(model, batch, Y, folds):
    """A target per sequence: one pooled row per sequence (unit)."""
    F = model.pooled_features(batch, model.states(batch, continuing=False), model.washout)
    for b in range(len(folds.patterns)):
        rows = np.flatnonzero(folds.block == b)
        folds.add_training(b, [F[rows]], Y[rows])
        if folds.tested[b]:
            folds.keep(rows, rows, [F[rows]])
    model.end = None


def _fill_series(model, batch, Y, folds):
    """One series: the runs of constant block cut every segment of states."""
    T = int(batch.lengths[0])
    block = folds.block
    cuts = np.flatnonzero(np.diff(block)) + 1
    starts, ends = np.concatenate([[0], cuts]), np.concatenate([cuts, [T]])
    for seg in model.states(batch, continuing=False):
        parts, _ = model.readout_rows(batch, seg, 0)  # rows t0 .. t1 - 1, time-major
        for s, e in zip(starts, ends):
            lo, hi = max(s, seg.t0), min(e, seg.t1)
            if lo >= hi:
                continue
            b = block[s]
            train_lo = max(lo, model.washout)
            if train_lo < hi:
                sl = slice(train_lo - seg.t0, hi - seg.t0)
                folds.add_training(b, [p[sl] for p in parts], Y[0, train_lo:hi])
            if folds.tested[b]:
                steps = np.arange(lo, hi)
                folds.keep(steps, steps, [p[lo - seg.t0:hi - seg.t0] for p in parts])
    model.end = model.series_end(batch, Y, seg)


def _fill_collection(model, batch, Y, folds):
    """A collection with targets per step: each segment's rows grouped by the block of their sequence."""
    offsets = np.concatenate([[0], np.cumsum(batch.lengths)])  # of each sequence in the flat targets
    for seg in model.states(batch, continuing=False):
        parts, _ = model.readout_rows(batch, seg, 0)
        L, B = seg.t1 - seg.t0, seg.columns.size
        shaped = [p.reshape(L, B, -1) for p in parts]
        seg_blocks = folds.block[seg.columns]
        w = max(0, model.washout - seg.t0)
        for b in np.unique(seg_blocks):
            cols = np.flatnonzero(seg_blocks == b)
            if w < L:
                rows = [p[w:, cols].reshape(-1, p.shape[2]) for p in shaped]
                y_rows = Y[seg.columns[cols], seg.t0 + w:seg.t1].transpose(1, 0, 2).reshape(-1, Y.shape[2])
                folds.add_training(b, rows, y_rows)
            if folds.tested[b]:
                for j in cols:
                    seq = int(seg.columns[j])
                    folds.keep(np.full(L, seq), offsets[seq] + np.arange(seg.t0, seg.t1),
                               [p[:, j] for p in shaped])
    model.end = None
