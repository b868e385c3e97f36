r"""Scores on the cluster: ``ESNRegressorCV``/``ESNClassifierCV`` fitted on dask arrays, and ``score``.

The in-memory single pass (:mod:`._esn_cv`) keeps the readout rows of the test folds;
on a cluster they stay where they are computed.  Two passes over the data, each a set of
tasks per chunk like :func:`~._dask.fit_dask`:

1. **Sums.**  The rows are cut into blocks of identical fold membership, as in memory.
   A series is rechunked at the block boundaries (chunks keep their ``overlap``
   warm-up), a collection is split into one dask array per block (its sequences); each
   block's :class:`~._readout.RidgeReadout` sums are reduced on the cluster by a tree
   and the client merges them per fold and solves every penalty from one
   tridiagonal reduction per fold: ``n_splits x n_alphas`` weight matrices,
   ``n_outputs x D`` each.
2. **Scores.**  Those weights are shipped to the test chunks, which run the reservoir
   again and return, per fold and penalty, what the score needs: for the :math:`R^2`,
   (root) mean squared and mean absolute errors the sums of squared and absolute
   residuals with each chunk's target mean and spread (merged on the client by Chan's
   formula), for accuracy the count of correct labels.  Any other scorer gets the
   test predictions of every penalty and their targets on the client
   (``n_test_rows x n_alphas x n_outputs`` numbers).

Running the reservoir twice over the test rows is the price of never holding a state
matrix anywhere: the workers hold one chunk and one ``N x N`` sum at a time.

``score`` of a fitted echo state estimator on a dask array is the second pass alone,
with the fitted readout.  The tasks receive the :class:`~._model.ReservoirModel` (without
its sums), never the estimator; the CV estimator plans the folds, solves their weights
and chooses the penalty on the client (``_BaseESNCV._cv_fit_dask``), as in memory.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from ..utils import check_sequences, check_targets
from ._cv_scores import ScoreMode, Scoring, reduced_score, score_rows, stacked_report, true_rows
from ._dask import align_y, check_dask_X, chunk_inputs, chunk_sums, delayed_blocks, probe, tree_sum

__all__ = ["fill_folds_dask", "fold_parts", "score_dask", "score_folds_dask"]


def fold_parts(X, y, folds):
    """The data cut at the blocks of ``folds``: ``[(X_part, y_part, block of each chunk)]``.

    A series is rechunked at the block boundaries (its chunks keep their ``overlap``
    warm-up); a collection becomes one dask array per block (its sequences).
    """
    if X.ndim == 2:
        return _series_parts(X, y, folds.block)
    return _collection_parts(X, y, folds.block, len(folds.patterns))


def fill_folds_dask(model, parts, folds, readout_args, overlap):
    """Pass 1: every block's sums, reduced on the cluster, into ``folds.sums``.

    ``model``: the :class:`~._model.ReservoirModel` with its weights drawn; ``parts``:
    :func:`fold_parts`; ``readout_args``, ``overlap``: as in :func:`~._dask.chunk_sums`.
    Returns the end of a series (a :class:`~._model.SeriesEnd`, else None) and the
    largest absolute input.
    """
    import dask

    results = defaultdict(list)
    for A, yA, blocks_of_chunks in parts:
        for b, result in zip(blocks_of_chunks, chunk_sums(model, A, yA, readout_args, False, overlap)):
            results[b].append(result)
    ids = sorted(results)
    reduced = dict(zip(ids, dask.compute(*[tree_sum(results[b]) for b in ids])))
    end, input_max = None, 0.0
    for b in ids:
        folds.sums[b], b_end, b_max = reduced[b]
        end = b_end if end is None else end
        input_max = max(input_max, b_max)
    return end, input_max


def score_folds_dask(work, model, parts, folds, weights, scoring):
    """Pass 2: scores ``(n_splits, n_alphas)`` of every fold's ``weights`` on its test chunks.

    ``work``: the CV estimator (the chunks' warm-up, on the client); ``weights``: the
    :class:`~._cv_folds.FoldWeights` of every fold; ``scoring``: the
    :class:`~._cv_scores.Scoring` (its ``true_rows`` unused: each chunk brings its targets).
    """
    import dask

    tasks, where = _score_tasks(work, model, parts, folds, weights, scoring.mode)
    pieces = dask.compute(*tasks)
    return _scores(model, scoring, pieces, where, folds.n_splits)


def score_dask(est, X, y):
    """``est.score(X, y)`` for a dask ``X``, reduced on the cluster (:math:`R^2` or accuracy).

    Each chunk (a series' chunks warmed up on the overlap, the first one starting like
    ``predict``) returns its residual sums or its count of correct labels; the client
    adds a few numbers per chunk.
    """
    import dask

    X = check_dask_X(X)
    y = align_y(y, X)
    probe(est, X, "predict")
    model = est._reservoir_model()
    mode = ScoreMode("correct", "accuracy") if model.task == "classification" else ScoreMode("errors", "r2")
    shipped = dask.delayed(model.shipped(), pure=True)
    score_block = dask.delayed(_score_block, pure=True)
    tasks = [score_block(shipped, est.coef_, est.intercept_, parts, y_block, skip=skip, mode=mode.kind,
                         keep_state=first)
             for (parts, skip, first), y_block in zip(chunk_inputs(X, est), delayed_blocks(y))]
    pieces = dask.compute(*tasks)
    scoring = Scoring(np.ones(1), mode, None, None)
    return float(_scores(model, scoring, pieces, [[0]] * len(pieces), 1)[0, 0])


# ----------------------------------------------------------------------------------
# blocks as dask arrays
# ----------------------------------------------------------------------------------
def _series_parts(X, y, block):
    """A series rechunked at the block boundaries: ``[(X, y, block of each chunk)]``."""
    T = X.shape[0]
    cuts = np.union1d(np.cumsum(X.chunks[0])[:-1], np.flatnonzero(np.diff(block)) + 1)
    bounds = np.concatenate([[0], cuts, [T]]).astype(int)
    X = X.rechunk({0: tuple(np.diff(bounds).tolist())})
    return [(X, align_y(y, X), block[bounds[:-1]])]


def _collection_parts(X, y, block, n_blocks):
    """A collection as one dask array per block (its sequences): ``[(X_b, y_b, [b, b, ...])]``."""
    parts = []
    for b in range(n_blocks):
        idx = np.flatnonzero(block == b)
        X_b = X[idx]
        parts.append((X_b, align_y(y[idx], X_b), [b] * X_b.numblocks[0]))
    return parts


# ----------------------------------------------------------------------------------
# pass 2: scoring the test chunks
# ----------------------------------------------------------------------------------
def _score_tasks(work, model, parts, folds, weights, mode):
    """One delayed task per tested chunk, and for each the folds whose weights it carries.

    ``model``: the :class:`~._model.ReservoirModel` the tasks run (``work``, the estimator,
    only gives the chunks' warm-up); ``weights``: the :class:`~._cv_folds.FoldWeights` of
    every fold.
    """
    import dask

    shipped = dask.delayed(model.shipped(), pure=True)
    score_block = dask.delayed(_score_block, pure=True)
    tasks, where = [], []
    for A, yA, blocks_of_chunks in parts:
        for (x_parts, skip, _), y_block, b in zip(chunk_inputs(A, work), delayed_blocks(yA), blocks_of_chunks):
            tested_by = folds.test_folds(b)
            if tested_by.size == 0:
                continue
            coef = np.concatenate([weights[f].coef.reshape(-1, weights[f].coef.shape[-1]) for f in tested_by])
            intercept = np.concatenate([weights[f].intercept.ravel() for f in tested_by])
            # every fold's reservoir starts from zeros, as in the single pass
            tasks.append(score_block(shipped, coef, intercept, x_parts, y_block, skip=skip, mode=mode[0],
                                     keep_state=False))
            where.append(tested_by)
    return tasks, where


def _score_block(model, coef, intercept, x_parts, y, *, skip, mode, keep_state):
    """What the scorer needs from one test chunk, for a stack of readouts (folds x alphas x outputs).

    Runs on a worker, with the :class:`~._model.ReservoirModel`.  ``skip`` leading rows
    of a series chunk are its warm-up; ``keep_state``: the chunk may continue the fitted
    series (``initial_state``).  Returns the chunk's report for ``mode``
    (:func:`~._cv_scores.stacked_report`).
    """
    dtype = model.W_in.dtype
    x = np.concatenate(x_parts)
    batch = check_sequences(x)
    if not model.per_step:
        model.check_washout(batch)
    continuing = keep_state and model.per_step and model.continues(batch)
    # the stacked readouts run as the outputs of one
    out, _ = model.outputs(batch, coef.astype(dtype), intercept.astype(dtype), continuing=continuing)
    targets = check_targets(y, check_sequences(x[skip:]), task=model.task or "regression")
    if batch.kind == "series":
        rows = out[0, skip:]
    else:
        rows = batch.flat(out) if model.per_step else out
    y_true = true_rows(targets, model.classes, model.squeeze)
    return stacked_report(rows, y_true, mode, model.n_outputs, model.classes)


def _scores(model, scoring, pieces, where, n_splits):
    """Scores ``(n_splits, n_alphas)`` from the test chunks' reports (``where``: the folds of each)."""
    kind, name = scoring.mode
    n_alphas = len(scoring.alphas)
    per_fold = [[] for _ in range(n_splits)]
    for piece, tested_by in zip(pieces, where):
        for g, k in enumerate(tested_by):
            per_fold[k].append((piece, slice(g * n_alphas, (g + 1) * n_alphas)))
    scores = np.empty((n_splits, n_alphas))
    for k, reports in enumerate(per_fold):
        if kind == "rows":
            P = np.concatenate([p.outputs[:, sl] for p, sl in reports])
            y_true = np.concatenate([p.y_true for p, _ in reports])
            scores[k] = [score_rows(scoring.scorer, P[:, j], y_true, model.classes, model.squeeze)
                         for j in range(n_alphas)]
        else:
            scores[k] = reduced_score(kind, name, [_select(p, sl, kind) for p, sl in reports])
    return scores


def _select(report, sl, kind):
    """The part of a chunk's report that belongs to the readouts ``sl`` (one fold's penalties)."""
    if kind == "correct":
        return report._replace(correct=report.correct[sl])
    return report._replace(sse=report.sse[sl], sae=report.sae[sl])
