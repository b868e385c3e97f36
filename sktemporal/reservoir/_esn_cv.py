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
from sklearn.base import is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import TimeSeriesSplit, check_cv
from sklearn.utils import _safe_indexing

from ..utils._blas import one_blas_thread
from ..utils._dask import is_dask_array
from ..utils._param_validation import NON_NEGATIVE_REAL
from ._cv_folds import Folds, FoldWeights, fill_folds, fold_membership
from ._cv_scores import Scoring, reduced_score, score_mode, score_rows, stacked_report, true_rows
from ._dask_cv import cv_fit_dask
from ._esn import (
    READOUT_CONSTRAINTS,
    ESNClassifier,
    ESNRegressor,
    _esn_doc,
    _ESNClassifierBase,
    _ESNRegressorBase,
)

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

    # ------------------------------------------------------------------------ fit
    def _cv_fit(self, X, y):
        batch, targets, Y = self._prepare(X, y, True, None)
        self._check_washout(batch, required=targets.per_step or self.pooling != "last")
        alphas = np.asarray(self.alphas, dtype=np.float64)
        self._init_model(batch, targets, Y, alphas[0])
        series = batch.kind == "series"
        n_units = int(batch.lengths[0]) if series else batch.n_sequences
        strat = self._strata(series, targets.per_step, lambda: targets.flat().ravel())
        splits = self._splits(n_units, series, strat)
        self._check_folds_outlast_washout(splits, series and targets.per_step)
        scorer = None if self.scoring is None else check_scoring(self, scoring=self.scoring)
        self.single_pass_ = self._single_pass_possible(series, splits)
        if self.single_pass_:
            folds = Folds(splits, n_units, self._readout)
            fill_folds(self, batch, Y, folds)
            scores = self._scores(folds, Scoring(alphas, score_mode(self), scorer, true_rows(self, targets)))
            total = folds.total()
        else:
            scores = self._per_fold(X, y, splits, alphas, scorer)
            total = self._readout
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

    @staticmethod
    def _blocks(splits, n_units):
        """Fold membership patterns and each unit's block (:func:`~._cv_folds.fold_membership`)."""
        return fold_membership(splits, n_units)

    # --------------------------------------------------------------------- scoring
    def _scores(self, folds, scoring):
        """Scores ``(n_splits, n_alphas)`` of the filled ``folds``: each fold's weights on its kept test rows."""
        scores = np.empty((folds.n_splits, len(scoring.alphas)))
        with one_blas_thread():  # many small solves: BLAS threads only cost (100x under load)
            for k in range(folds.n_splits):
                scores[k] = self._fold_scores(folds, k, scoring)
        return scores

    def _fold_scores(self, folds, k, scoring):
        """Scores of fold ``k`` for every penalty: weights from its training sums, its test rows kept."""
        weights = self._fold_weights(folds.training_sums(k), scoring.alphas)
        rows = folds.test_rows(k)
        y_true = scoring.true_rows[rows.flat]
        kind, name = scoring.mode
        if kind == "rows":
            return [score_rows(self, scoring.scorer, self._outputs(rows.parts, c, b), y_true)
                    for c, b in zip(weights.coef, weights.intercept)]
        # every penalty's outputs from one product, scored from their sums
        outputs = self._outputs(rows.parts, weights.coef.reshape(-1, weights.coef.shape[-1]),
                                weights.intercept.ravel())
        return reduced_score(kind, name, [stacked_report(self, outputs, y_true, kind)])

    def _fold_weights(self, fold, alphas):
        """:class:`~._cv_folds.FoldWeights` of every penalty from a fold's training sums ``fold``.

        A ``DivergenceError`` if the sums are not finite.
        """
        if fold.nonfinite() is not None:
            self._solve(fold, 0.0, np.float64)  # raises the DivergenceError that says what blew up
        path = list(fold.solve_path(alphas))
        return FoldWeights(np.stack([c for c, _ in path]), np.stack([b for _, b in path]))

    @staticmethod
    def _outputs(parts, coef, intercept):
        """Readout outputs ``parts @ coef.T + intercept`` of rows given as column parts."""
        out = parts[0] @ coef[:, :parts[0].shape[1]].T
        if len(parts) > 1:
            out += parts[1] @ coef[:, parts[0].shape[1]:].T
        out += intercept
        return out

    # ------------------------------------------------------------------- fallback
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
                scores[k] = self._score_alphas(est, X_test, y_test, alphas, scorer)
        return scores

    @staticmethod
    def _score_alphas(est, X_test, y_test, alphas, scorer):
        """Every alpha solved from the fitted fold's sums, scored on its test rows."""
        out = np.empty(len(alphas))
        for j, a in enumerate(alphas):
            est.coef_, est.intercept_ = est._solve(est._readout, a, est.coef_.dtype)
            out[j] = est.score(X_test, y_test) if scorer is None else scorer(est, X_test, y_test)
        return out


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
