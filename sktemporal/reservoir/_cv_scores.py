r"""Fold scores from sums: one formula for the in-memory and the cluster cross-validation.

A fold's test rows are scored for every penalty at once.  The common scores are
functions of a few sums over the rows, which add up over chunks:

* regression: the count :math:`n`, each output's mean and sum of squared deviations
  (merged by Chan's formula), and per penalty the sums of squared and absolute residuals
  :math:`\sum_i (y_i - \hat y_i)^2`, :math:`\sum_i |y_i - \hat y_i|`; from them the
  :math:`R^2` (scikit-learn's ``r2_score``: uniform average over outputs, a constant
  target scores 1 if predicted exactly, else 0), the mean squared, root mean squared and
  mean absolute errors;
* classification: the count of correct labels per penalty (accuracy).

Any other scorer is called on the predictions (:meth:`_BaseESNCV._score_rows`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["correct_counts", "error_sums", "reduced_score", "score_mode", "stacked_report", "true_rows"]

#: scorers computed from sums: their name -> the kind of sums they need
_REDUCED = {"r2": "errors", "neg_mean_squared_error": "errors", "neg_root_mean_squared_error": "errors",
            "neg_mean_absolute_error": "errors", "accuracy": "correct"}


def score_mode(est):
    """``(kind, scoring)``: ``kind`` is ``'errors'``, ``'correct'`` or ``'rows'`` (call the scorer)."""
    classifier = est._task == "classification"
    scoring = est.scoring if est.scoring is not None else ("accuracy" if classifier else "r2")
    kind = _REDUCED.get(scoring) if isinstance(scoring, str) else None
    if kind is None or (kind == "correct") != classifier:
        return "rows", scoring
    return kind, scoring


def error_sums(P, Y):
    """The regression sums of one set of rows: ``(n, mean, m2, sse, sae)``.

    Parameters
    ----------
    P : ndarray of shape (n, n_readouts, n_outputs)
        Predictions of several readouts (penalties).
    Y : ndarray of shape (n, n_outputs)

    Returns
    -------
    n : int
    mean, m2 : ndarray of shape (n_outputs,)
        Mean of the targets and sum of their squared deviations from it.
    sse, sae : ndarray of shape (n_readouts, n_outputs)
        Sums of squared and of absolute residuals.
    """
    mean = Y.mean(axis=0)
    R = Y[:, None, :] - P
    return Y.shape[0], mean, ((Y - mean) ** 2).sum(axis=0), (R ** 2).sum(axis=0), np.abs(R).sum(axis=0)


def correct_counts(P, labels, classes):
    """``(n, correct)``: rows and correct labels per readout, ``P`` of shape ``(n, n_readouts, n_classes)``."""
    return labels.size, (classes[P.argmax(axis=2)] == labels[:, None]).sum(axis=0)


def reduced_score(kind, scoring, reports):
    """Scores ``(n_readouts,)`` from the reports of :func:`error_sums` or :func:`correct_counts` of a fold's rows."""
    n = sum(r[0] for r in reports)
    if kind == "correct":
        return sum(r[1] for r in reports) / n
    mean = sum(r[0] * r[1] for r in reports) / n
    sst = sum(r[2] + r[0] * (r[1] - mean) ** 2 for r in reports)  # per output
    sse = sum(r[3] for r in reports)  # (n_readouts, n_outputs)
    if scoring == "r2":
        r2 = np.where(sst > 0, 1.0 - sse / np.where(sst > 0, sst, 1.0), np.where(sse > 0, 0.0, 1.0))
        return r2.mean(axis=1)
    if scoring == "neg_mean_squared_error":
        return -(sse / n).mean(axis=1)
    if scoring == "neg_root_mean_squared_error":
        return -np.sqrt(sse / n).mean(axis=1)
    return -(sum(r[4] for r in reports) / n).mean(axis=1)  # neg_mean_absolute_error


def true_rows(est, targets):
    """Targets of every valid step (or sequence) in the scorers' layout, flattened like ``score``."""
    flat = targets.flat()
    if est._task == "classification":
        return flat.ravel()
    return flat[:, 0] if est._squeeze else flat


def stacked_report(est, outputs, y_true, kind):
    """The report of one set of rows: ``outputs`` ``(n, n_readouts * n_outputs)``, targets as scored.

    ``kind`` ``'errors'`` or ``'correct'``; ``'rows'`` returns ``(P, y_true)`` unchanged
    in the 3-D layout for a scorer called per readout.
    """
    n_out = est.n_outputs_
    P = outputs.reshape(outputs.shape[0], -1, n_out)
    if kind == "correct":
        return correct_counts(P, y_true, est.classes_)
    if kind == "errors":
        return error_sums(P.astype(np.float64, copy=False), y_true.reshape(len(y_true), n_out).astype(np.float64))
    return P, y_true
