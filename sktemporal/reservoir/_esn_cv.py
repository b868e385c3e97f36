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
each.  Small data (fewer rows than twice the features) keeps its training rows instead
of block sums: a fold with fewer rows :math:`m` than features :math:`D` is then solved
in the dual, from the :math:`m \times m` matrix :math:`Z_c Z_c^\top`
(:func:`~sktemporal.reservoir._readout.dual_path`), the same weights for less work.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import TimeSeriesSplit, check_cv

from ..utils._blas import one_blas_thread
from ..utils._callbacks import CallbackSupportMixin, with_callbacks
from ..utils._dask import is_dask_array
from ..utils._param_validation import NON_NEGATIVE_REAL, POSITIVE_INT, Integral, Interval, Real, StrOptions
from ..utils._validation import take_rows as _safe_indexing
from ._cv_docs import cv_doc
from ._cv_folds import Folds, FoldWeights, fill_folds, fold_membership, keeps_training_rows
from ._cv_intervals import (
    CalibratedIntervalsMixin,
    calibration_folds,
    fold_residuals,
    publish_calibration,
    single_pass_residuals,
)
from ._cv_scores import Scoring, alpha_results, reduced_score, score_mode, score_rows, stacked_report, true_rows
from ._cv_search import SEARCHED, is_series, results_table, search
from ._dask import align_y, check_dask_X, series_overlap, setup_model
from ._dask_cv import fill_folds_dask, fold_parts, score_folds_dask
from ._esn import (
    READOUT_CONSTRAINTS,
    ESNClassifier,
    ESNRegressor,
    _ESNClassifierBase,
    _ESNRegressorBase,
)
from ._model import expect_rows, washout_applies
from ._readout import dual_path

__all__ = ["ESNClassifierCV", "ESNRegressorCV"]

DEFAULT_ALPHAS = (1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0)

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
        # a number, a list of candidates or 'auto' (the values: _check_candidates)
        "spectral_radius": [NON_NEGATIVE_REAL, StrOptions({"auto"}), "array-like"],
        "leak_rate": [Interval(Real, 0, 1, closed="right"), StrOptions({"auto"}), "array-like"],
        "input_scaling": [NON_NEGATIVE_REAL, StrOptions({"auto"}), "array-like"],
        "n_segments": [POSITIVE_INT, StrOptions({"auto"}), "array-like"],
        "n_jobs": [Integral, None],
    }


class _BaseESNCV(CallbackSupportMixin):
    """Cross-validated choice of ``alpha`` (mixed into the regressor and classifier bases)."""

    _plain = None  # the estimator class a fold is equivalent to

    def _init_model(self, batch, targets, Y, alpha, statistics=None):
        model = super()._init_model(batch, targets, Y, alpha, statistics)
        # every penalty of the grid is solved from these sums: the float32 sums' guard needs the smallest
        model.readout.float32_alpha = float(np.min(np.asarray(self.alphas, dtype=np.float64)))
        return model

    def _check_readout_params(self):
        """What the table cannot say: the values inside ``alphas``."""
        alphas = np.asarray(self.alphas, dtype=object)
        if not (alphas.ndim == 1 and alphas.size >= 1
                and all(NON_NEGATIVE_REAL.is_satisfied_by(a) for a in alphas)):
            raise ValueError(
                "alphas must be a non-empty 1-D array-like of non-negative numbers; got "
                f"alphas={self.alphas!r}."
            )
        self._check_candidates()

    def _check_candidates(self):
        """The values inside a list of reservoir candidates."""
        valid = {"spectral_radius": NON_NEGATIVE_REAL, "leak_rate": Interval(Real, 0, 1, closed="right"),
                 "input_scaling": NON_NEGATIVE_REAL, "n_segments": POSITIVE_INT}
        for name, constraint in valid.items():
            value = getattr(self, name)
            if isinstance(value, (str, numbers.Real)):
                continue
            arr = np.asarray(value, dtype=object)
            rows_ok = arr.ndim == 1 or (name == "input_scaling" and arr.ndim == 2)
            if not (rows_ok and arr.size >= 1 and all(constraint.is_satisfied_by(v) for v in arr.ravel())):
                what = ("a 1-D list of candidates (or a 2-D array, one per-feature scaling per row)"
                        if name == "input_scaling" else "a non-empty 1-D list of candidates")
                raise ValueError(
                    f"{name} must be a number, 'auto' or {what}, each {constraint}; got {name}={value!r}."
                )

    @with_callbacks
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
        new._adopt(search(new, X, y, is_series(X)))
        self._publish(new)
        return self

    def _fit_fixed(self, X, y):
        """The cross-validation of one fixed reservoir (a candidate of the search), on a shadow."""
        if is_dask_array(X):
            self._cv_fit_dask(X, y)
        else:
            self._cv_fit(X, y)

    def _adopt(self, result):
        """Take the fitted model of the chosen candidate, keep the parameters as given."""
        winner = result.evaluations[result.best].fitted
        params = self.get_params(deep=False)
        for name, value in vars(winner).items():
            if name not in params and name != "keep_training_state":
                setattr(self, name, value)
        for name in SEARCHED:
            setattr(self, f"{name}_", getattr(winner, name))
        self.alpha_results_ = winner.cv_results_
        self.cv_results_, self.best_index_ = results_table(result, np.asarray(self.alphas, dtype=np.float64))
        residuals = self.__dict__.pop("_oof_residuals", None)
        self.__dict__.pop("_calibrate_intervals", None)
        if self._task == "regression":
            publish_calibration(self, residuals)  # (None after a fit on a dask array: dropped)

    def _fitted_leak_rate(self):
        if isinstance(self.leak_rate, numbers.Real):
            return float(self.leak_rate)
        return float(self.leak_rate_)

    def _fitted_n_segments(self):
        if isinstance(self.n_segments, numbers.Integral):
            return int(self.n_segments)
        return int(self.n_segments_)

    def _closed_loop(self, h, x, n_steps, product, outputs_as_inputs):
        # generate runs with the chosen reservoir: a shadow carrying the fitted values
        chosen = self._shadow()
        for name in SEARCHED:
            setattr(chosen, name, getattr(self, f"{name}_", getattr(self, name)))
        return super(_BaseESNCV, chosen)._closed_loop(h, x, n_steps, product, outputs_as_inputs)

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

    def _fold_splits(self, n_units, series, per_step, labels):
        """The checked ``(train, test)`` pairs of ``cv`` over the units, in memory and on dask.

        ``labels``: a function returning the rows' labels (called only for a stratified split).
        """
        splits = self._splits(n_units, series, self._strata(series, per_step, labels))
        self._check_folds_outlast_washout(splits, series and per_step)
        return splits

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
        self._check_washout(batch, required=washout_applies(targets.per_step, self.pooling))
        alphas = np.asarray(self.alphas, dtype=np.float64)
        model = self._init_model(batch, targets, Y, alphas[0])
        expect_rows(model.readout, batch, self.washout if targets.per_step else None)  # the folds' copies too
        series = batch.kind == "series"
        n_units = int(batch.lengths[0]) if series else batch.n_sequences
        splits = self._fold_splits(n_units, series, targets.per_step, lambda: targets.flat().ravel())
        scorer = None if self.scoring is None else check_scoring(self, scoring=self.scoring)
        self.single_pass_ = self._single_pass_possible(series, splits)
        if self.single_pass_:
            folds = Folds(splits, n_units, model.readout,
                          keep_training=keeps_training_rows(model.readout.float32_rows, model.readout.C.shape[0]))
            fill_folds(model, batch, Y, folds)
            y_true = true_rows(targets, model.classes, model.squeeze)
            scores = self._scores(folds, Scoring(alphas, score_mode(self), scorer, y_true))
            total = folds.total()
        else:
            scores, fold_res = self._per_fold(X, y, splits, alphas, scorer)
            total = model.readout
            model.accumulate(batch, Y, continuing=False, washout=self.washout)
        model.check_growth(total, batch.values)
        model.readout = total
        self._choose(model, alphas, scores, len(splits), batch.dtype, batch)
        if self._calibrating():  # the out-of-fold residuals of alpha_ (see _cv_intervals)
            if self.single_pass_:
                self._oof_residuals = single_pass_residuals(self, folds, y_true, splits)
            else:
                best = int(np.flatnonzero(alphas == self.alpha_)[0])
                self._oof_residuals = np.concatenate([r[best] for r in fold_res if r is not None])

    def _cv_fit_dask(self, X, y):
        """The single pass on dask arrays: both passes on the cluster (:mod:`._dask_cv`), the choice here."""
        X = check_dask_X(X)
        y = align_y(y, X)
        alphas = np.asarray(self.alphas, dtype=np.float64)
        model, readout_args, dtype = setup_model(self, X, y, True, None, alpha=alphas[0])
        series = X.ndim == 2
        splits = self._fold_splits(X.shape[0], series, model.per_step, lambda: np.asarray(y.compute()).ravel())
        if not self._single_pass_possible(series, splits):
            raise NotImplementedError(
                f"{type(self).__name__}.fit on dask arrays needs the single pass (see the Notes): "
                "a collection, or a series under an expanding-window splitter (TimeSeriesSplit "
                "without gap or max_train_size) with initial_state='continue', and no noise or "
                "feedback. Compute X and y to fit in memory, or use one of those settings."
            )
        mode = score_mode(self)
        folds = Folds(splits, X.shape[0], model.readout)
        parts = fold_parts(X, y, folds)
        end, input_max = fill_folds_dask(model, parts, folds, readout_args,
                                         series_overlap(self, X, y) if series else 0)
        # the weights of every fold and penalty, solved here; then the test chunks scored with them
        weights = [self._fold_weights(folds, k, alphas) for k in range(folds.n_splits)]
        scorer = check_scoring(self, scoring=self.scoring) if mode.kind == "rows" else None
        scores = score_folds_dask(self, model, parts, folds, weights, Scoring(alphas, mode, scorer, None))
        model.readout, model.end = folds.total(), end
        model.check_growth(model.readout, np.array([input_max]))
        self.single_pass_ = True
        self._choose(model, alphas, scores, folds.n_splits, dtype)

    def _calibrating(self):
        """Whether this fit keeps out-of-fold residuals: a regressor's last rung of the search."""
        return self._task == "regression" and getattr(self, "_calibrate_intervals", True)

    def _choose(self, model, alphas, scores, n_splits, dtype, batch=None):
        """The penalty of the best mean score; publish ``model``, its sums of all the data solved with it.

        ``batch``: the data fitted in memory (None on dask), see ``_publish_model``.
        """
        means = scores.mean(axis=0)
        best = int(np.nanargmax(means)) if np.isfinite(means).any() else 0
        self.alpha_ = float(alphas[best])
        self.best_score_ = float(means[best])
        self.n_splits_ = n_splits
        self.cv_results_ = alpha_results(alphas, scores)
        if not getattr(self, "_scores_only", False):  # (an early rung of the search needs the scores alone)
            self._publish_model(model, *model.solve(model.readout, self.alpha_, dtype), batch)

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
        weights = self._fold_weights(folds, k, scoring.alphas)
        rows = folds.test_rows(k)
        y_true = scoring.true_rows[rows.flat]
        kind, name = scoring.mode
        classes = getattr(self, "classes_", None) if is_classifier(self) else None
        if kind == "rows":
            return [score_rows(scoring.scorer, self._outputs(rows.parts, c, b), y_true, classes, self._squeeze)
                    for c, b in zip(weights.coef, weights.intercept)]
        # every penalty's outputs from one product, scored from their sums
        outputs = self._outputs(rows.parts, weights.coef.reshape(-1, weights.coef.shape[-1]),
                                weights.intercept.ravel())
        return reduced_score(kind, name, [stacked_report(outputs, y_true, kind, self.n_outputs_, classes)])

    def _fold_weights(self, folds, k, alphas):
        """:class:`~._cv_folds.FoldWeights` of fold ``k`` of ``folds`` for every penalty.

        From the fold's training sums; or, when its training rows were kept and are fewer
        than the features, from the rows in the dual (:func:`~._readout.dual_path`: the
        same weights for less work).  A ``DivergenceError`` if the sums are not finite.
        """
        rows = folds.training_rows(k)
        path = None
        if rows is not None and len(rows[1]) < sum(p.shape[1] for p in rows[0]) and all(
                np.isfinite(p).all() for p in [*rows[0], rows[1]]):
            path = dual_path(*rows, alphas)
        if path is None or any(w is None for w in path):  # (the sums say what blew up, or solve otherwise)
            fold = folds.training_sums(k)
            if fold.nonfinite() is not None:
                self._solve(fold, 0.0, np.float64)  # raises the DivergenceError that says what blew up
            if path is None:
                path = list(fold.solve_path(alphas))
            else:
                path = [fold.solve(alpha) if w is None else w for alpha, w in zip(alphas, path)]
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
        calibrating = set(calibration_folds([tr.size for tr, _ in splits])) if self._calibrating() else ()
        residuals = []  # per fold: each penalty's out-of-fold residuals (calibration folds), else None
        for k, (train, test) in enumerate(splits):
            # (the smallest penalty: the fold's float32 sums are then good for all of them)
            est = self._plain(**params, alpha=float(alphas.min()))
            est.fit(_safe_indexing(X, train), _safe_indexing(y, train))
            X_test, y_test = _safe_indexing(X, test), _safe_indexing(y, test)
            with one_blas_thread():
                scores[k], res = self._score_alphas(est, (X_test, y_test), alphas, scorer, k in calibrating)
            residuals.append(res)
        return scores, residuals

    @staticmethod
    def _score_alphas(est, test, alphas, scorer, keep_residuals):
        """Every alpha solved from the fitted fold's sums, scored on its test rows ``test = (X, y)``.

        Returns the scores and, with ``keep_residuals``, each alpha's residuals (else None).
        """
        X_test, y_test = test
        out = np.empty(len(alphas))
        residuals = [] if keep_residuals else None
        for j, a in enumerate(alphas):
            est.coef_, est.intercept_ = est._solve(est._readout, a, est.coef_.dtype)
            out[j] = est.score(X_test, y_test) if scorer is None else scorer(est, X_test, y_test)
            if keep_residuals:
                residuals.append(fold_residuals(est, X_test, y_test))
        return out, residuals


# ----------------------------------------------------------------------------------
# the estimators
# ----------------------------------------------------------------------------------
@cv_doc
class ESNRegressorCV(CalibratedIntervalsMixin, _BaseESNCV, _ESNRegressorBase):
    r"""Echo state network regressor that chooses its reservoir and readout penalty by cross-validation.

    :class:`ESNRegressor` whose ``spectral_radius``, ``leak_rate`` and
    ``input_scaling`` are searched among candidates (``'auto'``: a grid of 27) and
    whose ridge penalty ``alpha`` is chosen among ``alphas`` the way
    :class:`~sklearn.linear_model.RidgeCV` chooses it.  Each candidate reservoir runs
    over the data once and every fold's readout, for every penalty, comes from sums
    of its states (see the Notes); successive halving prunes the candidates.  After
    ``fit`` it is the ``ESNRegressor`` of the chosen reservoir fitted on all the data
    with ``alpha=alpha_``: ``predict``, ``score``, ``generate``, ``initial_state`` work
    as there.  A number for each of the three parameters fixes the reservoir.  The
    out-of-fold residuals of the choice calibrate :meth:`predict_interval` (split
    conformal) and the scale of ``predict(X, return_std=True)``.

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
    conformity_scores_ : ndarray of shape (n_calibration_rows, n_outputs)
        Absolute out-of-fold residuals of ``alpha_`` and the chosen reservoir, sorted per
        output, from the folds trained on at least 80 % of the largest training fold's
        steps or sequences: what :meth:`predict_interval` takes its quantiles from.  Not
        set by a fit on a dask array.
    std_scale_ : ndarray of shape (n_outputs,)
        Factor applied to the readout's predictive standard deviation by
        ``predict(X, return_std=True)``: :math:`\kappa_j^2 = \overline{r_{\cdot j}^2} \big/
        \big(\hat\sigma_j^2 (1 + (1 + \mathrm{df}) / n)\big)`, the out-of-fold mean
        squared residual over the mean predictive variance of the training rows
        (:math:`\mathrm{df}` the readout's effective degrees of freedom; see the
        :ref:`User Guide <esn_cv_intervals>`).  Not set by a fit on a dask array.
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
    >>> len(esn.cv_results_["mean_test_score"]), len(esn.alpha_results_["mean_test_score"])
    (27, 13)
    >>> esn.leak_rate_
    1.0
    >>> esn.score(X[1000:], y[1000:]) > 0.8
    True
    """

    _plain = ESNRegressor
    _parameter_constraints = _cv_constraints(_ESNRegressorBase._parameter_constraints)

    def __init__(self, n_reservoir=100, *, alphas=DEFAULT_ALPHAS, cv=None, scoring=None,
                 spectral_radius="auto", leak_rate="auto", input_scaling="auto", bias_scaling=0.4,
                 density=0.3, topology="random", rewiring=0.1, distribution="uniform",
                 activation="tanh", include_input=True, washout=0, pooling="mean", n_segments=1, noise=0.0,
                 feedback=False, feedback_scaling=1.0, initial_state="continue", scaler=None,
                 overlap="auto", n_jobs=None, random_state=None):
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
        self.n_segments = n_segments
        self.noise = noise
        self.feedback = feedback
        self.feedback_scaling = feedback_scaling
        self.initial_state = initial_state
        self.scaler = scaler
        self.overlap = overlap
        self.n_jobs = n_jobs
        self.random_state = random_state


@cv_doc
class ESNClassifierCV(_BaseESNCV, _ESNClassifierBase):
    r"""Echo state network classifier that chooses its readout penalty (and reservoir) by cross-validation.

    :class:`ESNClassifier` whose ridge penalty is chosen among ``alphas`` like
    :class:`~sklearn.linear_model.RidgeClassifierCV` does, from one reservoir pass
    (see the Notes).  ``spectral_radius``, ``leak_rate`` and ``input_scaling`` take
    lists of candidates, searched as in :class:`ESNRegressorCV`; their ``'auto'`` is
    the single reference reservoir (0.97, 1.0, 0.7).  ``classes_`` come from all the
    labels given to ``fit``.

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
    >>> clf = ESNClassifierCV(n_reservoir=100, leak_rate=[0.5, 1.0], random_state=0).fit(X[:150], y[:150])
    >>> clf.single_pass_, clf.n_splits_, len(clf.cv_results_["params"])  # 2 leak rates x 1 or 4 segments
    (True, 5, 4)
    >>> clf.score(X[150:], y[150:]) > 0.8
    True
    """

    _plain = ESNClassifier
    _parameter_constraints = _cv_constraints(_ESNClassifierBase._parameter_constraints)

    def __init__(self, n_reservoir=100, *, alphas=DEFAULT_ALPHAS, cv=None, scoring=None,
                 spectral_radius="auto", leak_rate="auto", input_scaling="auto", bias_scaling=0.4,
                 density=0.3, topology="random", rewiring=0.1, distribution="uniform",
                 activation="tanh", include_input=True, washout=0, pooling="mean", n_segments="auto", noise=0.0,
                 initial_state="continue", scaler=None, overlap="auto", n_jobs=None,
                 random_state=None):
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
        self.n_segments = n_segments
        self.noise = noise
        self.initial_state = initial_state
        self.scaler = scaler
        self.overlap = overlap
        self.n_jobs = n_jobs
        self.random_state = random_state
