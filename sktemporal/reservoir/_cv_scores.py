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

Any other scorer is called on the predictions of each penalty (:func:`score_rows`), through
a stand-in estimator that returns them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

from ..utils._activations import softmax_inplace

__all__ = ["CorrectCounts", "ErrorSums", "ScoreMode", "ScoredRows", "Scoring", "correct_counts", "error_sums",
           "alpha_results", "reduced_score", "score_mode", "score_rows", "stacked_report", "true_rows"]

#: scorers computed from sums: their name -> the kind of sums they need
_REDUCED = {"r2": "errors", "neg_mean_squared_error": "errors", "neg_root_mean_squared_error": "errors",
            "neg_mean_absolute_error": "errors", "accuracy": "correct"}


class ScoreMode(NamedTuple):
    """How fold scores are computed."""

    kind: str  #: ``'errors'``, ``'correct'`` (from sums) or ``'rows'`` (call the scorer)
    scoring: object  #: the scorer's name, or the callable


class ErrorSums(NamedTuple):
    """The regression sums of one set of rows, for several readouts (see :func:`error_sums`)."""

    n: int
    mean: np.ndarray  #: (n_outputs,) mean of the targets
    m2: np.ndarray  #: (n_outputs,) sum of their squared deviations from the mean
    sse: np.ndarray  #: (n_readouts, n_outputs) sums of squared residuals
    sae: np.ndarray  #: (n_readouts, n_outputs) sums of absolute residuals


class CorrectCounts(NamedTuple):
    """Rows and correct labels per readout of one set of rows."""

    n: int
    correct: np.ndarray  #: (n_readouts,)


class ScoredRows(NamedTuple):
    """Predictions of several readouts and their targets, for a scorer called per readout."""

    outputs: np.ndarray  #: (n, n_readouts, n_outputs)
    y_true: np.ndarray


class Scoring(NamedTuple):
    """Everything that scores a fold: the penalties, the mode, the scorer, the targets."""

    alphas: np.ndarray  #: (n_alphas,)
    mode: ScoreMode
    scorer: object  #: a scikit-learn scorer, or None for the estimator's score (reduced kinds)
    true_rows: np.ndarray  #: targets of every valid step or sequence (:func:`true_rows`)


def score_mode(est):
    """The :class:`ScoreMode` of ``est.scoring``: from sums when the score allows it."""
    classifier = est._task == "classification"
    scoring = est.scoring if est.scoring is not None else ("accuracy" if classifier else "r2")
    kind = _REDUCED.get(scoring) if isinstance(scoring, str) else None
    if kind is None or (kind == "correct") != classifier:
        return ScoreMode("rows", scoring)
    return ScoreMode(kind, scoring)


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
    return ErrorSums(Y.shape[0], mean, ((Y - mean) ** 2).sum(axis=0), (R ** 2).sum(axis=0), np.abs(R).sum(axis=0))


def correct_counts(P, labels, classes):
    """:class:`CorrectCounts` of ``P`` of shape ``(n, n_readouts, n_classes)`` against ``labels``."""
    return CorrectCounts(labels.size, (classes[P.argmax(axis=2)] == labels[:, None]).sum(axis=0))


def reduced_score(kind, scoring, reports):
    r"""Scores ``(n_readouts,)`` from the :class:`ErrorSums` or :class:`CorrectCounts` of a fold's rows.

    The means and spreads of the reports merge by Chan's formula:
    :math:`SST = \sum_r \big(M_{2,r} + n_r (\bar y_r - \bar y)^2\big)`.
    """
    n = sum(r.n for r in reports)
    if kind == "correct":
        return sum(r.correct for r in reports) / n
    mean = sum(r.n * r.mean for r in reports) / n
    sst = sum(r.m2 + r.n * (r.mean - mean) ** 2 for r in reports)  # per output
    sse = sum(r.sse for r in reports)  # (n_readouts, n_outputs)
    if scoring == "r2":
        r2 = np.where(sst > 0, 1.0 - sse / np.where(sst > 0, sst, 1.0), np.where(sse > 0, 0.0, 1.0))
        return r2.mean(axis=1)
    if scoring == "neg_mean_squared_error":
        return -(sse / n).mean(axis=1)
    if scoring == "neg_root_mean_squared_error":
        return -np.sqrt(sse / n).mean(axis=1)
    return -(sum(r.sae for r in reports) / n).mean(axis=1)  # neg_mean_absolute_error


def alpha_results(alphas, scores):
    """The ``cv_results_`` table of the penalties of one reservoir: scores ``(n_splits, n_alphas)``."""
    means = scores.mean(axis=0)
    order = np.argsort(-np.where(np.isnan(means), -np.inf, means), kind="stable")
    rank = np.empty(len(alphas), dtype=np.int32)
    rank[order] = np.arange(1, len(alphas) + 1)
    # equal means share the best rank, as in GridSearchCV
    for i in range(1, len(order)):
        if means[order[i]] == means[order[i - 1]]:
            rank[order[i]] = rank[order[i - 1]]
    results = {"param_alpha": np.ma.MaskedArray(alphas, mask=False),
               "params": [{"alpha": float(a)} for a in alphas]}
    for k in range(scores.shape[0]):
        results[f"split{k}_test_score"] = scores[k]
    results["mean_test_score"] = means
    results["std_test_score"] = scores.std(axis=0)
    results["rank_test_score"] = rank
    return results


def true_rows(targets, classes, squeeze):
    """Targets of every valid step (or sequence) in the scorers' layout, flattened like ``score``.

    ``classes``: a classifier's (its labels are kept as they are), None for a regressor,
    whose single output is squeezed when ``squeeze``.
    """
    flat = targets.flat()
    if classes is not None:
        return flat.ravel()
    return flat[:, 0] if squeeze else flat


def stacked_report(outputs, y_true, kind, n_outputs, classes=None):
    """The report of one set of rows: ``outputs`` ``(n, n_readouts * n_outputs)``, targets as scored.

    ``kind`` ``'errors'`` or ``'correct'`` (against ``classes``); ``'rows'`` returns the
    :class:`ScoredRows` in the 3-D layout for a scorer called per readout.
    """
    n_out = n_outputs
    P = outputs.reshape(outputs.shape[0], -1, n_out)
    if kind == "correct":
        return correct_counts(P, y_true, classes)
    if kind == "errors":
        return error_sums(P.astype(np.float64, copy=False), y_true.reshape(len(y_true), n_out).astype(np.float64))
    return ScoredRows(P, y_true)


# ----------------------------------------------------------------------------------
# any other scorer: called on stand-ins that return given predictions
# ----------------------------------------------------------------------------------
class _FixedRegressor(RegressorMixin, BaseEstimator):
    """Stands in for a fold's fitted model in front of a scorer: returns given predictions."""

    def __init__(self, outputs=None):
        self.outputs = outputs

    def predict(self, X):
        return self.outputs


class _FixedClassifier(ClassifierMixin, BaseEstimator):
    """Classifier counterpart of :class:`_FixedRegressor` (scores as ESNClassifier makes them)."""

    def __init__(self, scores=None, classes=None):
        self.scores = scores
        self.classes = classes

    @property
    def classes_(self):
        return self.classes

    def predict(self, X):
        return self.classes[self.scores.argmax(axis=1)]

    def decision_function(self, X):
        if len(self.classes) == 2:
            return self.scores[:, 1] - self.scores[:, 0]
        return self.scores

    def predict_proba(self, X):
        return softmax_inplace(self.scores.astype(np.float64))

    def predict_log_proba(self, X):
        return np.log(self.predict_proba(X))


def score_rows(scorer, outputs, y_true, classes, squeeze):
    """``scorer`` on the raw readout outputs ``(n, n_outputs)`` of a fold's test rows against ``y_true``.

    ``classes``: a classifier's (its outputs are class scores), None for a regressor,
    whose single output is squeezed when ``squeeze``.
    """
    if classes is not None:
        return scorer(_FixedClassifier(outputs, classes), None, y_true)
    return scorer(_FixedRegressor(outputs[:, 0] if squeeze else outputs), None, y_true)
