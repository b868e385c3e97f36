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
with the fitted readout.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from sklearn.metrics import check_scoring

from ..utils import check_sequences, check_targets
from ._cv_folds import Folds
from ._cv_scores import reduced_score, score_mode, score_rows, stacked_report, true_rows
from ._dask import (
    _align_y,
    _blocks,
    _check_dask_X,
    _chunk_inputs,
    _probe,
    _setup,
    _tree,
    chunk_sums,
    series_overlap,
)

__all__ = ["cv_fit_dask", "score_dask"]


def cv_fit_dask(work, X, y):
    """``fit`` of an ``ESNRegressorCV``/``ESNClassifierCV`` shadow on a dask array (see the module).

    Parameters
    ----------
    work : ESNRegressorCV or ESNClassifierCV
        The shadow being fitted (parameters checked); published by the caller.
    X : dask array
        A 2-D series chunked along time or a 3-D collection chunked along sequences.
    y : dask or numpy array
    """
    import dask

    X = _check_dask_X(X)
    y = _align_y(y, X)
    alphas = np.asarray(work.alphas, dtype=np.float64)
    model, readout_args, dtype = _setup(work, X, y, True, None, alpha=alphas[0])
    series = X.ndim == 2
    strat = work._strata(series, model.per_step, lambda: np.asarray(y.compute()).ravel())
    splits = work._splits(X.shape[0], series, strat)
    work._check_folds_outlast_washout(splits, series and model.per_step)
    if not work._single_pass_possible(series, splits):
        raise NotImplementedError(
            f"{type(work).__name__}.fit on dask arrays needs the single pass (see the Notes): "
            "a collection, or a series under an expanding-window splitter (TimeSeriesSplit "
            "without gap or max_train_size) with initial_state='continue', and no noise or "
            "feedback. Compute X and y to fit in memory, or use one of those settings."
        )
    mode = score_mode(work)
    folds = Folds(splits, X.shape[0], model.readout)
    parts = _series_parts(X, y, folds.block) if series else _collection_parts(X, y, folds.block,
                                                                               len(folds.patterns))

    # pass 1: the sums of every block, reduced on the cluster
    overlap = series_overlap(work, X, y) if series else 0
    results = defaultdict(list)
    for A, yA, blocks_of_chunks in parts:
        for b, result in zip(blocks_of_chunks, chunk_sums(model, A, yA, readout_args, False, overlap)):
            results[b].append(result)
    ids = sorted(results)
    reduced = dict(zip(ids, dask.compute(*[_tree(results[b]) for b in ids])))
    end, input_max = None, 0.0
    for b in ids:
        folds.sums[b], b_end, b_max = reduced[b]
        end = b_end if end is None else end
        input_max = max(input_max, b_max)

    # the weights of every fold and penalty, solved on the client
    weights = [work._fold_weights(folds.training_sums(k), alphas) for k in range(folds.n_splits)]

    # pass 2: the test chunks scored with them
    tasks, where = _score_tasks(work, model, parts, folds, weights, mode)
    pieces = dask.compute(*tasks)
    scores = _scores(work, mode, pieces, where, folds.n_splits, len(alphas))

    model.readout, model.end = folds.total(), end
    model.check_growth(model.readout, np.array([input_max]))
    work.single_pass_ = True
    work._choose(model, alphas, scores, folds.n_splits, dtype)
    return work


def score_dask(est, X, y):
    """``est.score(X, y)`` for a dask ``X``, reduced on the cluster (:math:`R^2` or accuracy).

    Each chunk (a series' chunks warmed up on the overlap, the first one starting like
    ``predict``) returns its residual sums or its count of correct labels; the client
    adds a few numbers per chunk.
    """
    import dask

    X = _check_dask_X(X)
    y = _align_y(y, X)
    _probe(est, X, "_decision")
    mode = ("correct", "accuracy") if est._task == "classification" else ("errors", "r2")
    shipped = dask.delayed(est._reservoir_model().shipped(), pure=True)
    score_block = dask.delayed(_score_block, pure=True)
    tasks = [score_block(shipped, est.coef_, est.intercept_, parts, y_block, skip=skip, mode=mode[0],
                         keep_state=first)
             for (parts, skip, first), y_block in zip(_chunk_inputs(X, est), _blocks(y))]
    pieces = dask.compute(*tasks)
    return float(_scores(est, mode, pieces, [[0]] * len(pieces), 1, 1)[0, 0])


# ----------------------------------------------------------------------------------
# blocks as dask arrays
# ----------------------------------------------------------------------------------
def _series_parts(X, y, block):
    """A series rechunked at the block boundaries: ``[(X, y, block of each chunk)]``."""
    T = X.shape[0]
    cuts = np.union1d(np.cumsum(X.chunks[0])[:-1], np.flatnonzero(np.diff(block)) + 1)
    bounds = np.concatenate([[0], cuts, [T]]).astype(int)
    X = X.rechunk({0: tuple(np.diff(bounds).tolist())})
    return [(X, _align_y(y, X), block[bounds[:-1]])]


def _collection_parts(X, y, block, n_blocks):
    """A collection as one dask array per block (its sequences): ``[(X_b, y_b, [b, b, ...])]``."""
    parts = []
    for b in range(n_blocks):
        idx = np.flatnonzero(block == b)
        X_b = X[idx]
        parts.append((X_b, _align_y(y[idx], X_b), [b] * X_b.numblocks[0]))
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
        for (x_parts, skip, _), y_block, b in zip(_chunk_inputs(A, work), _blocks(yA), blocks_of_chunks):
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
        model.check_washout(batch, required=model.pooling != "last")
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


def _scores(work, mode, pieces, where, n_splits, n_alphas):
    """Scores ``(n_splits, n_alphas)`` from the test chunks' reports (``where``: the folds of each)."""
    kind, scoring = mode
    per_fold = [[] for _ in range(n_splits)]
    for piece, tested_by in zip(pieces, where):
        for g, k in enumerate(tested_by):
            per_fold[k].append((piece, slice(g * n_alphas, (g + 1) * n_alphas)))
    scorer = check_scoring(work, scoring=work.scoring) if kind == "rows" else None
    scores = np.empty((n_splits, n_alphas))
    for k, reports in enumerate(per_fold):
        if kind == "rows":
            P = np.concatenate([p.outputs[:, sl] for p, sl in reports])
            y_true = np.concatenate([p.y_true for p, _ in reports])
            scores[k] = [score_rows(work, scorer, P[:, j], y_true) for j in range(n_alphas)]
        else:
            scores[k] = reduced_score(kind, scoring, [_select(p, sl, kind) for p, sl in reports])
    return scores


def _select(report, sl, kind):
    """The part of a chunk's report that belongs to the readouts ``sl`` (one fold's penalties)."""
    if kind == "correct":
        return report._replace(correct=report.correct[sl])
    return report._replace(sse=report.sse[sl], sae=report.sae[sl])
