r"""Echo state networks whose readout penalty is chosen by cross-validation from one reservoir pass.

The ridge readout is a function of its sufficient statistics only (the sums
:math:`H^\top H`, :math:`H^\top Y`, :math:`\sum h`, :math:`\sum y`, the row count, kept
by :class:`~sktemporal.reservoir._readout.RidgeReadout`), and sums over disjoint rows
add up.  So the rows are cut into *blocks* of identical fold membership (for
``TimeSeriesSplit`` on a series: the training prefix and each test block; for a
collection: the sequences with the same pattern of folds), the reservoir runs over the
data once, each block's sums are streamed, and the training sums of a fold are the
merge of its blocks: for an expanding window, prefix sums of the streamed sums.
Each fold's matrix is reduced once to tridiagonal form, every penalty of ``alphas`` is
then a tridiagonal solve, and the test rows (kept from the same pass) are scored with
each.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import TimeSeriesSplit, check_cv

from ..utils._activations import softmax_inplace
from ..utils._blas import one_blas_thread
from ..utils._dask import is_dask_array
from ..utils._param_validation import NON_NEGATIVE_REAL
from ..utils._validation import take_rows as _safe_indexing
from ._cv_scores import reduced_score, score_mode, stacked_report
from ._cv_scores import true_rows as _true_rows
from ._dask_cv import cv_fit_dask
from ._esn import (
    READOUT_CONSTRAINTS,
    ESNClassifier,
    ESNRegressor,
    _esn_doc,
    _ESNClassifierBase,
    _ESNRegressorBase,
)
from ._readout import RidgeReadout

__all__ = ["ESNClassifierCV", "ESNRegressorCV"]

DEFAULT_ALPHAS = (1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0)

_CV_PARAMS_DOC = r"""
    alphas : array-like of shape (n_alphas,), default=(1e-10, 1e-9, ..., 10.0, 100.0)
        Ridge penalties to try (13 values, one per decade from 1e-10 to 100).
    cv : int, cross-validation generator, iterable or None, default=None
        How the data are split.  For a 2-D series, None or an int ``k`` means
        ``TimeSeriesSplit(n_splits=k)`` (5 for None); for a collection (the splits
        run over sequences), :func:`~sklearn.model_selection.check_cv`'s default
        (``KFold``, or ``StratifiedKFold`` for a classifier with a label per
        sequence), 5 folds for None.  Any splitter or iterable of
        ``(train, test)`` index arrays is accepted.
    scoring : str, callable or None, default=None
        Score of a fold, higher is better (a scikit-learn scorer name or
        ``scorer(estimator, X, y)``); None is the estimator's ``score``.  Scores are
        computed over the valid steps of the test rows (targets per step) or over the
        test sequences, exactly like ``GridSearchCV`` would score a fold."""

_CV_ATTRS_DOC = r"""
    alpha_ : float
        The penalty of the best mean test score (the first one on ties, like
        ``GridSearchCV``); the readout ``coef_``, ``intercept_`` is refitted on all the
        data with it.
    best_score_ : float
        Mean test score of ``alpha_`` over the folds.
    cv_results_ : dict of ndarray
        ``GridSearchCV``'s layout: ``param_alpha``, ``split<k>_test_score``,
        ``mean_test_score``, ``std_test_score``, ``rank_test_score``, ``params``.
    n_splits_ : int
        Number of folds.
    single_pass_ : bool
        Whether the reservoir ran once for all folds and penalties (True) or once per
        fold (the fallback, see the Notes)."""

_CV_NOTES_DOC = r"""
    One reservoir pass serves every fold and penalty when the folds allow it:

    * a 2-D series under an expanding-window splitter (every training set is a prefix
      ``0 .. e - 1`` and its test set follows it, as with ``TimeSeriesSplit`` without
      ``gap`` or ``max_train_size``) with ``initial_state='continue'``: the states of
      the whole series are computed once from zeros; a fold's training rows are a
      prefix (its sums are prefix sums of the streamed blocks) and its test rows carry
      exactly the states that ``initial_state='continue'`` gives after fitting the
      prefix;
    * a collection, with any splitter: every sequence starts from zeros, so its rows
      do not depend on the fold; sums are kept per block of sequences with the same
      fold membership and merged per fold.

    The results then equal ``GridSearchCV(<the plain estimator>, {'alpha': alphas},
    cv=cv)`` (up to the rounding of summing in another order), at the cost of one fit.
    Otherwise (a series under a splitter that is not an expanding window, such as
    ``KFold`` or ``TimeSeriesSplit(gap=...)``; ``initial_state='zeros'``; ``noise``;
    ``feedback``) each fold is fitted on its own (the reservoir runs over its
    training rows once, all penalties are solved from those sums, and each penalty
    predicts the test rows), which equals ``GridSearchCV`` too, and ``single_pass_``
    is False.

    With ``scaler`` set, the single pass standardises with the statistics of all the
    data given to ``fit`` (one reservoir for every fold), where ``GridSearchCV`` would
    take them from each training fold; use ``scaler=None`` with inputs of your own
    scale for exact equality.  While fitting, the readout rows of the test sets (at
    most all ``n_rows x n_reservoir`` states) and one ``N x N`` sum per block are held.

    ``fit`` takes dask arrays (a series chunked along time, a collection chunked
    along sequences) when the single pass applies: the blocks' sums are reduced on the
    cluster and the test chunks scored there, in a second pass over the data (see
    :ref:`scaling`)."""


def _cv_doc(cls):
    """Fill the shared CV sections, then the ESN sections, into a class docstring."""
    for key, text in (("cv_params", _CV_PARAMS_DOC), ("cv_attrs", _CV_ATTRS_DOC),
                      ("cv_notes", _CV_NOTES_DOC)):
        cls.__doc__ = cls.__doc__.replace(f"    %({key})s", text.strip("\n"))
    return _esn_doc(cls)


# ----------------------------------------------------------------------------------
# fixed predictions, for scikit-learn scorers
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


# ----------------------------------------------------------------------------------
# the shared cross-validation
# ----------------------------------------------------------------------------------
def _cv_constraints(plain_constraints):
    """The table of a CV class: its plain estimator's without the readout parameters, plus the search."""
    return {
        **{k: v for k, v in plain_constraints.items() if k not in READOUT_CONSTRAINTS},
        "alphas": ["array-like"],  # the values: _check_readout_params
        "cv": ["cv_object"],
        "scoring": [str, callable, None],
    }


class _BaseESNCV:
    """Cross-validated choice of ``alpha`` (mixed into the regressor and classifier bases)."""

    _plain = None  # the estimator class a fold is equivalent to

    def _check_readout_params(self):
        """What the table cannot say: the values inside ``alphas``."""
        alphas = np.asarray(self.alphas, dtype=object)
        if not (alphas.ndim == 1 and alphas.size >= 1
                and all(NON_NEGATIVE_REAL.is_satisfied_by(a) for a in alphas)):
            raise ValueError(
                "alphas must be a non-empty 1-D array-like of non-negative numbers; got "
                f"alphas={self.alphas!r}."
            )

    def fit(self, X, y):
        """Choose ``alpha`` by cross-validation, then fit the readout on all the data with it.

        A dask array ``X`` (a series chunked along time, a collection chunked along
        sequences) is fitted on the cluster, chunk by chunk (see :ref:`scaling`).

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features), 3-D array or list of 2-D arrays
            One series (rows are time steps) or a collection of sequences.
        y : array-like
            A target per step (series; or 3-D / list for a collection) or per sequence.

        Returns
        -------
        self : object
        """
        self._check_params()
        new = self._shadow()
        if is_dask_array(X):
            cv_fit_dask(new, X, y)
        else:
            new._cv_fit(X, y)
        self._publish(new)
        return self

    # ------------------------------------------------------------------ splitting
    def _splits(self, n_rows, series, strat):
        """The ``(train, test)`` index pairs of ``cv`` over ``n_rows`` steps (series) or sequences.

        ``strat``: the labels a stratified splitter needs (see :meth:`_strata`), or None.
        """
        cv = self.cv
        if series and (cv is None or isinstance(cv, numbers.Integral)):
            cv = TimeSeriesSplit(n_splits=5 if cv is None else int(cv))
        cv = check_cv(5 if cv is None else cv, strat, classifier=is_classifier(self))
        try:
            splits = [(np.asarray(tr, dtype=np.intp), np.asarray(te, dtype=np.intp))
                      for tr, te in cv.split(np.zeros((n_rows, 1)), strat)]
        except ValueError as exc:
            what = "time steps of the series" if series else "sequences"
            raise ValueError(
                f"cv={cv!r} cannot split the {n_rows} {what} (n_samples={n_rows}): {exc}"
            ) from exc
        if not splits:
            raise ValueError(f"cv={self.cv!r} gave no (train, test) split.")
        for train, test in splits:
            if train.size == 0 or test.size == 0:
                raise ValueError(f"cv={self.cv!r} gave an empty training or test set.")
        return splits

    def _strata(self, series, per_step, labels):
        """The labels of the rows for a stratified splitter: a classifier's, one per split row."""
        if is_classifier(self) and (not per_step or series):
            return labels()
        return None

    def _check_folds_outlast_washout(self, splits, series_per_step):
        if series_per_step and self.washout:
            shortest = min(tr.size for tr, _ in splits)
            if shortest <= self.washout:
                raise ValueError(
                    f"The shortest training fold has {shortest} steps, not more than "
                    f"washout={self.washout}: use fewer splits or a shorter washout."
                )

    @staticmethod
    def _expanding(train, test):
        """Training rows ``0 .. e - 1`` followed directly by the test rows ``e .. e + t - 1``."""
        e = train.size
        return (np.array_equal(train, np.arange(e))
                and np.array_equal(test, np.arange(e, e + test.size)))

    def _single_pass_possible(self, series, splits):
        if self.noise or self._feedback:
            return False
        if not series:
            return True
        return self.initial_state == "continue" and all(self._expanding(tr, te) for tr, te in splits)

    # --------------------------------------------------------------------- scoring
    def _score_rows(self, scorer, outputs, y_true):
        """``scorer`` on raw readout outputs ``(n, n_outputs)`` of a fold's test rows against ``y_true``."""
        if is_classifier(self):
            return scorer(_FixedClassifier(outputs, self.classes_), None, y_true)
        return scorer(_FixedRegressor(outputs[:, 0] if self._squeeze else outputs), None, y_true)

    # ------------------------------------------------------------------------ fit
    def _cv_fit(self, X, y):
        batch, targets, Y = self._prepare(X, y, True, None)
        self._check_washout(batch, required=targets.per_step or self.pooling != "last")
        alphas = np.asarray(self.alphas, dtype=np.float64)
        self._init_model(batch, targets, Y, alphas[0])
        series = batch.kind == "series"
        n_rows = int(batch.lengths[0]) if series else batch.n_sequences
        strat = self._strata(series, targets.per_step, lambda: targets.flat().ravel())
        splits = self._splits(n_rows, series, strat)
        self._check_folds_outlast_washout(splits, series and targets.per_step)
        scorer = None if self.scoring is None else check_scoring(self, scoring=self.scoring)
        self.single_pass_ = self._single_pass_possible(series, splits)
        if self.single_pass_:
            scores, total = self._single_pass(batch, targets, Y, splits, n_rows, alphas, scorer)
        else:
            scores = self._per_fold(X, y, splits, alphas, scorer)
            total = self._readout
        if not self.single_pass_:
            self._train_readout(batch, Y, False, total)
        self._check_growth(total, batch.values)
        self._choose(alphas, scores, len(splits), total, batch.dtype)

    def _choose(self, alphas, scores, n_splits, total, dtype):
        """The penalty of the best mean score, and the readout of all the data (``total``) solved with it."""
        means = scores.mean(axis=0)
        best = int(np.nanargmax(means)) if np.isfinite(means).any() else 0
        self.alpha_ = float(alphas[best])
        self.best_score_ = float(means[best])
        self.n_splits_ = n_splits
        self.cv_results_ = self._results(alphas, scores)
        self._readout = total
        self.coef_, self.intercept_ = self._solve(total, self.alpha_, dtype)

    @staticmethod
    def _results(alphas, scores):
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

    def _blocks(self, splits, n_rows):
        """Fold membership of each row (1 train, 2 test, 0 neither), and each row's block."""
        M = np.zeros((n_rows, len(splits)), dtype=np.int8)
        for k, (train, test) in enumerate(splits):
            M[train, k] = 1
            M[test, k] = 2
        # each row's memberships as one opaque item: a 1-D unique (np.unique(axis=0) took
        # 2.4 ms for 2000 rows and 5 folds, this 0.08 ms)
        rows = np.ascontiguousarray(M).view(np.dtype((np.void, M.shape[1]))).ravel()
        _, first, block = np.unique(rows, return_index=True, return_inverse=True)
        return M[first], block.ravel()

    def _single_pass(self, batch, targets, Y, splits, n_rows, alphas, scorer):
        """Scores ``(n_splits, n_alphas)`` and the sums of all rows, from one reservoir pass."""
        patterns, block = self._blocks(splits, n_rows)
        template = self._readout
        sums = [template.copy() for _ in range(len(patterns))]
        tested = (patterns == 2).any(axis=1)
        if not self._per_step:
            segments = self._states(batch, continuing=False)
            F = self._pooled_features(batch, segments, self.washout)
            for b in range(len(patterns)):
                rows = np.flatnonzero(block == b)
                sums[b].partial_fit(F[rows], Y[rows])
            self.last_state_ = None

            def test_parts(idx, F=F):
                return [F[idx]]
        elif batch.kind == "series":
            test_parts = self._stream_series(batch, Y, block, tested, sums)
        else:
            test_parts = self._stream_collection(batch, Y, block, tested, sums)
        true_rows = _true_rows(self, targets)
        offsets = None
        if batch.kind != "series" and self._per_step:
            offsets = np.concatenate([[0], np.cumsum(batch.lengths)])
        scores = np.empty((len(splits), len(alphas)))
        with one_blas_thread():  # many small solves: BLAS threads only cost (100x under load)
            for k, (_train, test) in enumerate(splits):
                self._score_fold(k, patterns, sums, test_parts, test, true_rows, offsets, alphas,
                                 scorer, scores)
        return scores, RidgeReadout.sum(sums)

    def _fold_weights(self, k, patterns, sums, alphas):
        """Readout weights of fold ``k`` for every alpha, from the merged sums of its training blocks.

        Returns ``coef`` of shape ``(n_alphas, n_outputs, D)`` and ``intercept`` of shape
        ``(n_alphas, n_outputs)``; a ``DivergenceError`` if the sums are not finite.
        """
        fold = RidgeReadout.sum(sums[b] for b in np.flatnonzero(patterns[:, k] == 1))
        if fold.nonfinite() is not None:
            self._solve(fold, 0.0, np.float64)  # raises the DivergenceError that says what blew up
        path = list(fold.solve_path(alphas))
        return np.stack([c for c, _ in path]), np.stack([b for _, b in path])

    def _score_fold(self, k, patterns, sums, test_parts, test, true_rows, offsets, alphas, scorer, scores):
        """Scores of fold ``k`` for every alpha: training sums merged from its blocks, test rows kept."""
        coef, intercept = self._fold_weights(k, patterns, sums, alphas)
        parts = test_parts(test)
        if offsets is not None:
            y_true = true_rows[np.concatenate([np.arange(offsets[i], offsets[i + 1]) for i in test])]
        else:
            y_true = true_rows[test]
        kind, scoring = score_mode(self)
        if kind == "rows":
            for j in range(len(alphas)):
                scores[k, j] = self._score_rows(scorer, self._outputs(parts, coef[j], intercept[j]), y_true)
            return
        # every penalty's outputs from one product, scored from their sums
        outputs = self._outputs(parts, coef.reshape(-1, coef.shape[-1]), intercept.ravel())
        scores[k] = reduced_score(kind, scoring, [stacked_report(self, outputs, y_true, kind)])

    def _outputs(self, parts, coef, intercept):
        out = parts[0] @ coef[:, :parts[0].shape[1]].T
        if len(parts) > 1:
            out += parts[1] @ coef[:, parts[0].shape[1]:].T
        out += intercept
        return out

    def _stream_series(self, batch, Y, block, tested, sums):
        """One pass over a series: block sums (after the washout) and the rows of test blocks."""
        T = int(batch.lengths[0])
        cuts = np.flatnonzero(np.diff(block)) + 1
        starts = np.concatenate([[0], cuts])
        ends = np.concatenate([cuts, [T]])
        H_keep = {}
        segments = self._states(batch, continuing=False)
        for seg in segments:
            parts, _ = self._readout_rows(batch, seg, 0)  # rows t0 .. t1 - 1, time-major
            for s, e in zip(starts, ends):
                lo, hi = max(s, seg.t0), min(e, seg.t1)
                if lo >= hi:
                    continue
                b = block[s]
                train_lo = max(lo, self.washout)
                if train_lo < hi:
                    sl = slice(train_lo - seg.t0, hi - seg.t0)
                    sums[b].partial_fit([p[sl] for p in parts], Y[0, train_lo:hi])
                if tested[b]:
                    sl = slice(lo - seg.t0, hi - seg.t0)
                    H_keep.setdefault(b, []).append([p[sl].copy() for p in parts])
        self._remember_end(batch, Y, seg)
        rows = np.zeros(T, dtype=bool)
        kept_parts = {}
        for b, chunks in H_keep.items():
            kept_parts[b] = [np.concatenate([c[i] for c in chunks]) for i in range(len(chunks[0]))]
        # row index -> (block, position in the block's kept rows)
        position = np.full(T, -1, dtype=np.intp)
        for s, e in zip(starts, ends):
            if tested[block[s]]:
                rows[s:e] = True
        for b in kept_parts:
            idx = np.flatnonzero((block == b) & rows)
            position[idx] = np.arange(idx.size)

        def test_parts(test):
            out = None
            for b in np.unique(block[test]):
                sel = test[block[test] == b]
                piece = [p[position[sel]] for p in kept_parts[b]]
                out = piece if out is None else [np.concatenate([o, q]) for o, q in zip(out, piece)]
            return out
        return test_parts

    def _stream_collection(self, batch, Y, block, tested, sums):
        """One pass over a collection: block sums (after the washout) and each tested sequence's rows."""
        kept = {}  # sequence index -> its readout-row parts, segment by segment
        for seg in self._states(batch, continuing=False):
            parts, _start = self._readout_rows(batch, seg, 0)
            L, B = seg.t1 - seg.t0, seg.columns.size
            shaped = [p.reshape(L, B, -1) for p in parts]
            seg_blocks = block[seg.columns]
            w = max(0, self.washout - seg.t0)
            for b in np.unique(seg_blocks):
                cols = np.flatnonzero(seg_blocks == b)
                if w < L:
                    rows = [p[w:, cols].reshape(-1, p.shape[2]) for p in shaped]
                    y_rows = Y[seg.columns[cols], seg.t0 + w:seg.t1].transpose(1, 0, 2).reshape(-1, Y.shape[2])
                    sums[b].partial_fit(rows, y_rows)
                if tested[b]:
                    for j in cols:
                        kept.setdefault(int(seg.columns[j]), []).append([p[:, j].copy() for p in shaped])
        self.last_state_ = None

        def test_parts(test):
            pieces = [kept[int(i)] for i in test]
            n_parts = len(pieces[0][0])
            return [np.concatenate([c[q] for chunks in pieces for c in chunks]) for q in range(n_parts)]
        return test_parts

    def _per_fold(self, X, y, splits, alphas, scorer):
        """The fallback: each fold fitted once (its sums serve every penalty), its test rows predicted per penalty."""
        params = {k: v for k, v in self.get_params(deep=False).items()
                  if k in self._plain().get_params(deep=False)}
        scores = np.empty((len(splits), len(alphas)))
        for k, (train, test) in enumerate(splits):
            est = self._plain(**params, alpha=float(alphas[0]))
            est.fit(_safe_indexing(X, train), _safe_indexing(y, train))
            X_test, y_test = _safe_indexing(X, test), _safe_indexing(y, test)
            with one_blas_thread():
                self._score_alphas(est, X_test, y_test, alphas, scorer, scores[k])
        return scores

    @staticmethod
    def _score_alphas(est, X_test, y_test, alphas, scorer, out):
        """Every alpha solved from the fitted fold's sums, scored on its test rows."""
        for j, a in enumerate(alphas):
            est.coef_, est.intercept_ = est._solve(est._readout, a, est.coef_.dtype)
            out[j] = est.score(X_test, y_test) if scorer is None else scorer(est, X_test, y_test)


# ----------------------------------------------------------------------------------
# the estimators
# ----------------------------------------------------------------------------------
@_cv_doc
class ESNRegressorCV(_BaseESNCV, _ESNRegressorBase):
    r"""Echo state network regressor with the readout penalty chosen by cross-validation.

    :class:`ESNRegressor` whose ridge penalty ``alpha`` is chosen among ``alphas``
    the way :class:`~sklearn.linear_model.RidgeCV` chooses it, from one reservoir
    pass: the states are computed once and every fold's readout comes from sums of
    them (see the Notes).  After ``fit`` it is the ``ESNRegressor`` fitted on all the
    data with ``alpha=alpha_``: ``predict``, ``score``, ``generate``, ``initial_state``
    work as there.  Put it inside an outer ``GridSearchCV`` over ``spectral_radius``,
    ``leak_rate`` or ``input_scaling``: each candidate costs one fit instead of one per
    penalty and fold.

    Read more in the :ref:`User Guide <reservoir>`.

    Parameters
    ----------
    %(cv_params)s
    %(common_params)s
    feedback : bool, default=False
        Output feedback, as in :class:`ESNRegressor` (cross-validated fold by fold).
    feedback_scaling : float, default=1.0
        Scale of :math:`W_{fb}`.

    Attributes
    ----------
    %(cv_attrs)s
    coef_ : ndarray of shape (n_outputs, n_readout_features)
    intercept_ : ndarray of shape (n_outputs,)
    feedback_weights_ : ndarray of shape (n_reservoir, n_outputs) or None
    n_outputs_ : int
    %(common_attrs)s

    See Also
    --------
    ESNRegressor, ESNClassifierCV, sklearn.linear_model.RidgeCV

    Notes
    -----
    %(cv_notes)s

    Examples
    --------
    >>> from sktemporal.datasets import narma
    >>> from sktemporal.reservoir import ESNRegressorCV
    >>> X, y = narma(1500, random_state=0)
    >>> esn = ESNRegressorCV(n_reservoir=100, washout=50, random_state=0).fit(X[:1000], y[:1000])
    >>> esn.single_pass_, len(esn.cv_results_["mean_test_score"])
    (True, 13)
    >>> esn.score(X[1000:], y[1000:]) > 0.5
    True
    """

    _plain = ESNRegressor
    _parameter_constraints = _cv_constraints(_ESNRegressorBase._parameter_constraints)

    def __init__(self, n_reservoir=100, *, alphas=DEFAULT_ALPHAS, cv=None, scoring=None,
                 spectral_radius=0.97, leak_rate=1.0, input_scaling=0.7, bias_scaling=0.4,
                 density=0.3, topology="random", rewiring=0.1, distribution="uniform",
                 activation="tanh", include_input=True, washout=0, pooling="mean", noise=0.0,
                 feedback=False, feedback_scaling=1.0, initial_state="continue", scaler=None,
                 overlap="auto", random_state=None):
        self.n_reservoir = n_reservoir
        self.alphas = alphas
        self.cv = cv
        self.scoring = scoring
        self.spectral_radius = spectral_radius
        self.leak_rate = leak_rate
        self.input_scaling = input_scaling
        self.bias_scaling = bias_scaling
        self.density = density
        self.topology = topology
        self.rewiring = rewiring
        self.distribution = distribution
        self.activation = activation
        self.include_input = include_input
        self.washout = washout
        self.pooling = pooling
        self.noise = noise
        self.feedback = feedback
        self.feedback_scaling = feedback_scaling
        self.initial_state = initial_state
        self.scaler = scaler
        self.overlap = overlap
        self.random_state = random_state


@_cv_doc
class ESNClassifierCV(_BaseESNCV, _ESNClassifierBase):
    r"""Echo state network classifier with the readout penalty chosen by cross-validation.

    :class:`ESNClassifier` whose ridge penalty is chosen among ``alphas`` like
    :class:`~sklearn.linear_model.RidgeClassifierCV` does, from one reservoir pass
    (see the Notes).  ``classes_`` come from all the labels given to ``fit``.

    Read more in the :ref:`User Guide <reservoir>`.

    Parameters
    ----------
    %(cv_params)s
    %(common_params)s

    Attributes
    ----------
    %(cv_attrs)s
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (n_classes, n_readout_features)
    intercept_ : ndarray of shape (n_classes,)
    n_outputs_ : int
    %(common_attrs)s

    See Also
    --------
    ESNClassifier, ESNRegressorCV, sklearn.linear_model.RidgeClassifierCV

    Notes
    -----
    %(cv_notes)s

    Examples
    --------
    >>> from sktemporal.datasets import make_sequence_classification
    >>> from sktemporal.reservoir import ESNClassifierCV
    >>> X, y = make_sequence_classification(200, n_classes=3, random_state=0)
    >>> clf = ESNClassifierCV(n_reservoir=100, pooling="mean", random_state=0).fit(X[:150], y[:150])
    >>> clf.single_pass_, clf.n_splits_
    (True, 5)
    >>> clf.score(X[150:], y[150:]) > 0.8
    True
    """

    _plain = ESNClassifier
    _parameter_constraints = _cv_constraints(_ESNClassifierBase._parameter_constraints)

    def __init__(self, n_reservoir=100, *, alphas=DEFAULT_ALPHAS, cv=None, scoring=None,
                 spectral_radius=0.97, leak_rate=1.0, input_scaling=0.7, bias_scaling=0.4,
                 density=0.3, topology="random", rewiring=0.1, distribution="uniform",
                 activation="tanh", include_input=True, washout=0, pooling="mean", noise=0.0,
                 initial_state="continue", scaler=None, overlap="auto", random_state=None):
        self.n_reservoir = n_reservoir
        self.alphas = alphas
        self.cv = cv
        self.scoring = scoring
        self.spectral_radius = spectral_radius
        self.leak_rate = leak_rate
        self.input_scaling = input_scaling
        self.bias_scaling = bias_scaling
        self.density = density
        self.topology = topology
        self.rewiring = rewiring
        self.distribution = distribution
        self.activation = activation
        self.include_input = include_input
        self.washout = washout
        self.pooling = pooling
        self.noise = noise
        self.initial_state = initial_state
        self.scaler = scaler
        self.overlap = overlap
        self.random_state = random_state
