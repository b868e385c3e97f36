"""Echo state network estimators: ESNRegressor and ESNClassifier."""

from __future__ import annotations

import copy
import warnings

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils.validation import check_is_fitted

from ..exceptions import DivergenceError
from ..utils import TSLEARN_HINT, check_targets, restore_layout, validate_sequences
from ..utils._activations import softmax_inplace
from ..utils._dask import is_dask_array
from ..utils._labels import check_classes, check_partial_fit_classes, encode_labels
from ..utils._param_validation import NON_NEGATIVE_REAL, POSITIVE_INT, Interval, Real, StrOptions, check_params
from ._dask import apply_dask, fit_dask
from ._dask_cv import score_dask
from ._readout import RidgeReadout, RLSReadout
from ._reservoir import (
    DIVERGENCE_ADVICE,
    POOLINGS,
    RESERVOIR_CONSTRAINTS,
    _BaseReservoir,
    _check_input_scaling,
    check_reservoir_params,
    check_state_growth,
    input_drive,
    warn_saturation,
)
from ._states import (
    OutputFeedback,
    RecurrentProduct,
    final_state,
    run_autonomous,
    scatter_rows,
)

__all__ = ["ESNClassifier", "ESNRegressor"]

_COMMON_PARAMS_DOC = r"""
    n_reservoir : int, default=100
        Number of reservoir units :math:`N`.
    spectral_radius : float, default=0.97
        Largest absolute eigenvalue of :math:`W`, set exactly (ARPACK).  Below 1 the
        reservoir forgets its initial state; closer to 1 it remembers longer.
    leak_rate : float in (0, 1], default=1.0
        :math:`\alpha`.  Smaller values slow the reservoir down to match slowly varying
        inputs.
    input_scaling : float or array-like of shape (n_features,), default=0.7
        Scale of the input weights (per feature if an array).  Small: nearly linear,
        long memory; large: nonlinear, short memory.  The default comes from the
        defaults study (see the User Guide's defaults page).
    bias_scaling : float, default=0.4
        Scale of the bias column of :math:`W_{in}`.
    density : float in (0, 1], default=0.3
        Fraction of non-zero recurrent weights.
    topology : {'random', 'small_world', 'cycle'}, default='random'
        Random graph, Watts–Strogatz small world (``rewiring``), or simple cycle
        reservoir (a ring with equal weights; ignores ``density``).
    rewiring : float in [0, 1], default=0.1
        Rewiring probability of ``topology='small_world'``.
    distribution : {'uniform', 'normal'}, default='uniform'
        Distribution of the non-zero weights: :math:`\mathcal{U}[-1, 1]` or
        :math:`\mathcal{N}(0, 1)`.
    activation : {'tanh', 'identity', 'logistic', 'relu'}, default='tanh'
        Activation :math:`f` of the reservoir units.
    include_input : bool, default=True
        Readout on :math:`[1; h(n); x(n)]` (True) or on :math:`[1; h(n)]`.
    washout : int, default=0
        Steps at the start of every sequence (and of a series started from zeros) left
        out of the readout training and of ``pooling='mean'``: the transient from the
        zero initial state.  Predictions are returned for every step.
    pooling : {'last', 'mean', 'both'}, default='mean'
        Many-to-one (a target per sequence): the readout reads the state after the last
        step, the mean state after the washout, or both concatenated.
    noise : float, default=0.0
        Standard deviation of Gaussian noise added to the pre-activations while
        fitting (a regulariser; never added when predicting).
    initial_state : {'continue', 'zeros'}, default='continue'
        Where a 2-D series starts in ``predict``, ``partial_fit`` and ``generate``:
        ``'continue'`` carries on from the state reached at the end of the series seen
        in the last ``fit``/``partial_fit`` (the test block of ``TimeSeriesSplit``
        follows its training block, so its first predictions are as good as the
        rest); ``'zeros'`` restarts from the zero state (all predictions are returned,
        the first ones carry the start-up transient).  Collections always start from
        zeros.
    scaler : {'standard', 'robust'} or None, default=None
        Per-feature input standardisation, statistics from the data of the first
        ``fit``/``partial_fit`` (padding excluded): mean and standard deviation, or
        median and interquartile range (``'robust'``).  It is folded into
        ``input_weights_`` (:math:`W_{in}` acts on the raw inputs as the drawn weights
        act on the standardised ones), so ``input_scaling`` and ``bias_scaling`` mean
        the same on any data; None feeds the raw inputs (the default: on raw inputs of
        a large scale the saturated units regularise the model, see the defaults
        study).  With a scaler, ``input_scaling=0.1, bias_scaling=0.5`` is the place
        to start.  On a dask array the ``'standard'`` statistics are computed on the
        cluster before the reservoir pass; ``'robust'`` raises ``NotImplementedError``
        there (see :ref:`scaling`).
    overlap : 'auto' or int, default='auto'
        Dask arrays only: steps of the previous chunks of a series that warm up each
        chunk's state, so that chunks run in parallel (see :ref:`scaling`).  ``'auto'``
        derives it from ``leak_rate``, ``spectral_radius`` and ``washout``
        (:func:`~sktemporal.reservoir.auto_overlap`).
    random_state : int, RandomState instance or None, default=None
        Seed of the weights (and of ``noise``).  With an int the unscaled recurrent
        matrix and its spectral radius are cached per process (see the User Guide), so
        clones in a grid search over ``spectral_radius``, ``leak_rate`` or the
        scalings do not redraw and re-diagonalise it."""

_READOUT_PARAMS_DOC = r"""
    alpha : float, default=1e-3
        Ridge penalty :math:`\beta` of the readout (the bias is not penalised); the
        initial regularisation :math:`P = I/\alpha` with ``solver='rls'``.
    solver : {'ridge', 'rls'}, default='ridge'
        Ridge regression from streamed sums (exact, Cholesky) or recursive least
        squares (online, with ``forgetting``).
    forgetting : float in (0, 1], default=1.0
        Forgetting factor :math:`\lambda` of ``solver='rls'``: a row seen :math:`k`
        steps ago weighs :math:`\lambda^k`.
    keep_training_state : bool, default=False
        Keep what continuing training needs (the ridge sums :math:`H^\top H`,
        :math:`H^\top Y`, an ``N x N`` matrix; or the RLS matrix :math:`P`) in the
        model's pickle and deep copies.  In memory it is always kept, so
        ``partial_fit`` continues a fitted model; a model unpickled without it can be
        refitted or used to predict, and ``partial_fit`` on it raises a ``ValueError``.
        By default a pickle holds the parameters only (1.2 MB instead of 200 MB at
        5,000 units)."""

_COMMON_ATTRS_DOC = r"""
    reservoir_weights_ : scipy.sparse.csr_matrix of shape (n_reservoir, n_reservoir)
        :math:`W`.
    input_weights_ : ndarray of shape (n_reservoir, 1 + `n_features_in_`)
        :math:`W_{in}`, bias column first.
    input_center_, input_scale_ : ndarray of shape (`n_features_in_`,) or None
        Statistics of the input ``scaler`` (None without one).
    last_state_ : ndarray of shape (n_reservoir,) or None
        State after the last step of the last 2-D series seen in ``fit`` or
        ``partial_fit`` (None after a collection).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Only for pandas input."""


def _esn_doc(cls):
    """Fill the shared parameter and attribute sections into a class docstring."""
    for key, text in (("common_params", _COMMON_PARAMS_DOC), ("readout_params", _READOUT_PARAMS_DOC),
                      ("common_attrs", _COMMON_ATTRS_DOC)):
        cls.__doc__ = cls.__doc__.replace(f"    %({key})s", text.strip("\n"))
    return cls


#: The readout parameters of ESNRegressor and ESNClassifier (the CV classes choose ``alpha``
#: among ``alphas`` and have none of them).
READOUT_CONSTRAINTS = {
    "alpha": [NON_NEGATIVE_REAL],
    "solver": [StrOptions({"ridge", "rls"})],
    "forgetting": [Interval(Real, 0, 1, closed="right")],
    "keep_training_state": ["boolean"],
}


class _BaseESN(_BaseReservoir):
    """Fitting, streaming and prediction shared by the echo state estimators.

    ``fit`` and ``partial_fit`` work on a shadow of the estimator (:meth:`_shadow`)
    and publish it in one assignment at the very end: an exception or a
    ``KeyboardInterrupt`` anywhere leaves the previous model exactly as it was.  The
    readout's training state is copied before a ``partial_fit`` adds to it, so an
    interrupted chunk that is retried counts once.
    """

    _parameter_constraints = {
        **RESERVOIR_CONSTRAINTS,
        "pooling": [StrOptions(set(POOLINGS))],
        "noise": [NON_NEGATIVE_REAL],
        **READOUT_CONSTRAINTS,
    }

    def _check_params(self):
        check_reservoir_params(self)
        self._check_readout_params()

    def _check_readout_params(self):
        """What the table cannot say about the readout parameters (nothing for a plain ESN)."""

    def _n_readout_features(self, n_features, per_step):
        k = 1 if per_step or self.pooling != "both" else 2
        return k * (self.n_reservoir + (n_features if self.include_input else 0))

    # ---------------------------------------------------------------------- pickle
    def __getstate__(self):
        state = dict(super().__getstate__())
        if not getattr(self, "keep_training_state", False) and state.get("_readout") is not None:
            state["_readout"] = None  # the parameters are coef_ and intercept_
        return state

    # ------------------------------------------------------------------------- fit
    def _fit(self, X, y, *, incremental, classes=None):
        self._check_params()
        if incremental and hasattr(self, "coef_") and getattr(self, "_readout", None) is None:
            raise ValueError(
                f"This {type(self).__name__} was unpickled (or deep-copied) without its "
                "training state (the readout sums), so partial_fit cannot continue it; "
                "its predictions are intact. Call fit to train it again, or set "
                "keep_training_state=True before pickling a model that partial_fit "
                "should continue."
            )
        new = self._shadow()
        new._forget_generation_calibration()
        if is_dask_array(X):  # computed chunk by chunk on the cluster
            fit_dask(new, X, y, incremental=incremental, classes=classes)
        else:
            new._fit_into(X, y, incremental=incremental, classes=classes)
        self._publish(new)
        return self

    def _forget_generation_calibration(self):
        """Drop ``calibrate_generate``'s error profile: it measured the readout being replaced."""
        for name in ("generate_rmse_", "generate_n_origins_"):
            self.__dict__.pop(name, None)

    def _prepare(self, X, y, first, classes):
        """Validate ``(X, y)``: the batch, the targets and the encoded targets ``Y``."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        batch, targets = validate_sequences(self, X, y, reset=first, task=self._task)
        _check_input_scaling(self, batch.n_features)
        if not first and targets.per_step != self._per_step:
            raise ValueError(
                "partial_fit got "
                + ("a target per step" if targets.per_step else "a target per sequence")
                + " but the first fit got "
                + ("a target per step." if self._per_step else "a target per sequence.")
            )
        Y = self._encode_targets(targets, first, classes)
        return batch, targets, Y

    def _init_model(self, batch, targets, Y, alpha, statistics=None):
        """New weights and an empty readout for a first fit (``statistics``: see ``_init_reservoir``)."""
        self._forget_generation_calibration()  # (the CV classes' fit comes here, not through _fit)
        rs = self._init_reservoir(batch, Y.shape[-1], statistics)
        self._cast_weights(batch.dtype)
        self._noise_rng = np.random.RandomState(rs.randint(np.iinfo(np.int32).max))
        self._per_step = targets.per_step
        self._squeeze = targets.squeeze
        self.n_outputs_ = Y.shape[-1]
        D = self._n_readout_features(batch.n_features, targets.per_step)
        if getattr(self, "solver", "ridge") == "rls":
            self._readout = RLSReadout(D, self.n_outputs_, alpha, self.forgetting)
        else:
            n_extra = batch.n_features if self.include_input and targets.per_step else 0
            self._readout = RidgeReadout(D, self.n_outputs_, alpha, n_extra=n_extra)

    def _fit_into(self, X, y, *, incremental, classes=None, statistics=None):
        """The whole fit, on a shadow (see :meth:`_fit`); ``statistics`` as in ``_init_reservoir``."""
        first = not incremental or not hasattr(self, "coef_")
        batch, targets, Y = self._prepare(X, y, first, classes)
        continuing = not first and self._continues(batch)
        self._check_washout(batch, required=not continuing and (targets.per_step or self.pooling != "last"))
        if first:
            self._init_model(batch, targets, Y, self.alpha, statistics)
        else:
            if Y.shape[-1] != self.n_outputs_:
                raise ValueError(f"y has {Y.shape[-1]} outputs but the first fit had {self.n_outputs_}.")
            # the published model's training state is never updated in place
            self._readout = self._readout.copy()
            self._noise_rng = copy.deepcopy(self._noise_rng)
        self._train_readout(batch, Y, continuing, self._readout)
        self._check_growth(self._readout, batch.values)
        self.coef_, self.intercept_ = self._solve(self._readout, None, batch.dtype)

    def _check_growth(self, readout, inputs):
        """States that blew up (non-finite sums, an RMS state far beyond the input drive) or saturated.

        ``inputs``: the inputs, or any array with the same largest absolute value.

        The RMS state of each unit comes from the diagonal of the ridge sums (RLS keeps no
        sums: its weights are checked for finiteness in :meth:`_solve`).  Only the
        unbounded activations can grow: a ``DivergenceError``; ``tanh`` units can only
        saturate: a ``SaturationWarning`` when nearly all of them do.
        """
        if getattr(readout, "G", None) is None or readout.n == 0:
            return
        diag = readout.G.diagonal()
        if self.activation not in ("relu", "identity"):
            warn_saturation(self, np.sqrt(diag[:self.n_reservoir] / readout.n))
            return
        rms = float(np.sqrt(diag.max() / readout.n)) if np.isfinite(diag).all() else np.inf
        check_state_growth(self, rms, input_drive(self.input_weights_, inputs))

    def _train_readout(self, batch, Y, continuing, readout):
        """Run the reservoir over ``batch`` and add its readout rows (after the washout) to ``readout``."""
        washout = 0 if continuing else self.washout
        if self._per_step:
            self._accumulate_steps(batch, Y, continuing, washout, readout)
        else:
            segments = self._states(batch, continuing=False, noise=self.noise, noise_rng=self._noise_rng)
            readout.partial_fit(self._pooled_features(batch, segments, washout), Y)
            self.last_state_ = None

    def _solve(self, readout, alpha, dtype):
        """Readout weights in ``dtype``; a ``DivergenceError`` when the sums or weights are not finite."""
        seen = readout.nonfinite()
        if seen is None:
            coef, intercept = readout.solve() if alpha is None else readout.solve(alpha)
            if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
                seen = "weights"
        if seen is not None:
            what = {
                "states": "the reservoir states became infinite or NaN (they blew up)",
                "inputs": "the inputs are too large: their squares overflow float64",
                "targets": "the targets are too large: their products with the states overflow",
                "weights": "the readout weights are infinite or NaN",
            }[seen]
            raise DivergenceError(
                f"{type(self).__name__} diverged: {what} (activation={self.activation!r}, "
                f"spectral_radius={self.spectral_radius}, input_scaling={self.input_scaling!r}). "
                f"To fix it, {DIVERGENCE_ADVICE}."
            )
        return coef.astype(dtype), intercept.astype(dtype)

    def _teacher_forced(self, batch, Y, continuing):
        """Inputs and input weights with the previous targets appended (``feedback=True``)."""
        if not self._feedback:
            return batch.values, None
        # teacher forcing: y(n-1) is known, so W_fb y(n-1) joins the input projection
        y0 = self._last_target if continuing else np.zeros(Y.shape[-1], dtype=Y.dtype)
        shifted = np.concatenate([np.broadcast_to(y0, (Y.shape[0], 1, Y.shape[2])), Y[:, :-1]], axis=1)
        values = np.concatenate([batch.values, shifted.astype(batch.dtype)], axis=2)
        return values, np.hstack([self.input_weights_, self.feedback_weights_])

    def _accumulate_steps(self, batch, Y, continuing, washout, readout):
        """Stream the readout rows of every valid step after the washout into ``readout``."""
        values, W_in = self._teacher_forced(batch, Y, continuing)
        segments = self._states(batch, continuing=continuing, W_in=W_in, values=values,
                                noise=self.noise, noise_rng=self._noise_rng)
        for seg in segments:
            parts, start = self._readout_rows(batch, seg, washout)
            if parts[0].shape[0]:
                rows = Y[seg.columns, start:seg.t1].transpose(1, 0, 2).reshape(-1, Y.shape[2])
                readout.partial_fit(parts, rows)
        self._remember_end(batch, Y, seg)

    def _remember_end(self, batch, Y, seg):
        """Keep what continuing a series needs: its last state, target and input."""
        if batch.kind == "series":
            T = batch.lengths[0]
            self.last_state_ = seg.states[-1][:, 0].copy()
            self._last_target = np.asarray(Y[0, T - 1], dtype=batch.dtype).copy()
            self._last_input = batch.values[0, T - 1].copy()
        else:
            self.last_state_ = None

    # --------------------------------------------------------------------- predict
    def _output_feedback(self, batch, continuing, coef, intercept):
        if not self._feedback:
            return None
        n = self.n_reservoir
        y0 = self._last_target if continuing else np.zeros(self.n_outputs_)
        return OutputFeedback(
            W_fb=self.feedback_weights_, coef_h=coef[:, :n],
            coef_x=coef[:, n:] if self.include_input else None, intercept=intercept,
            y0=np.broadcast_to(y0, (batch.n_sequences, self.n_outputs_)),
        )

    def _decision(self, X, spread=None):
        """Raw readout outputs: ``(n_sequences, max_length, n_outputs)`` per step, else ``(n, n_outputs)``.

        With ``spread`` (a function of the readout rows' column parts, see
        ``_ESNRegressorBase._spread``) also returns its values for every row, streamed
        in the same pass: ``(out, batch, spread_out)``.
        """
        check_is_fitted(self, "coef_")
        self._check_params()
        batch, _ = validate_sequences(self, X, reset=False)
        dtype = batch.dtype
        coef = self.coef_.astype(dtype, copy=False)
        intercept = self.intercept_.astype(dtype, copy=False)
        if not self._per_step:
            if batch.kind == "series":
                raise ValueError(
                    f"{type(self).__name__} was fitted with one target per sequence (a "
                    "collection); predict needs a collection too, 3-D or a list of 2-D "
                    f"arrays, but got one 2-D series. {TSLEARN_HINT}"
                )
            self._check_washout(batch, required=self.pooling != "last")
            features = self._pooled_features(batch, self._states(batch, continuing=False), self.washout)
            if spread is not None:
                return features @ coef.T + intercept, batch, spread([features])
            return features @ coef.T + intercept, batch
        continuing = self._continues(batch)
        feedback = self._output_feedback(batch, continuing, coef, intercept)
        out = np.zeros((batch.n_sequences, batch.max_length, self.n_outputs_), dtype=dtype)
        spread_out = None if spread is None else np.zeros_like(out)
        for seg in self._states(batch, continuing=continuing, feedback=feedback):
            parts, _ = self._readout_rows(batch, seg, 0)
            P = parts[0] @ coef[:, :self.n_reservoir].T
            if len(parts) > 1:
                P += parts[1] @ coef[:, self.n_reservoir:].T
            P += intercept
            scatter_rows(out, seg, P)
            if spread is not None:
                scatter_rows(spread_out, seg, spread(parts).astype(dtype, copy=False))
        return (out, batch) if spread is None else (out, batch, spread_out)

    def _valid_rows(self, out, batch):
        return batch.flat(out) if self._per_step else out


# ----------------------------------------------------------------------------------
# regressor
# ----------------------------------------------------------------------------------
class _ESNRegressorBase(RegressorMixin, _BaseESN):
    """What ESNRegressor and ESNRegressorCV share: everything but the constructor and the fitting."""

    _task = "regression"

    @property
    def _feedback(self):
        return bool(self.feedback)

    _parameter_constraints = {
        **_BaseESN._parameter_constraints,
        "feedback": ["boolean"],
        "feedback_scaling": [NON_NEGATIVE_REAL],
    }

    def _encode_targets(self, targets, first, classes=None):
        if self.feedback and not targets.per_step:
            raise ValueError(
                "feedback=True feeds y(n-1) back at every step, so it needs a target per "
                "step; got one target per sequence."
            )
        return targets.values

    def predict(self, X, return_std=False):
        """Predict a target per step, or per sequence, in the layout of the ``y`` given to fit.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features), 3-D array or list of 2-D arrays
        return_std : bool, default=False
            Also return the standard deviation of the predictive distribution of each
            target (as :class:`~sklearn.linear_model.BayesianRidge` does), from the ridge
            readout read as a Bayesian linear model: noise variance from the training
            residuals plus the uncertainty of the readout weights.  It covers the
            readout, not the reservoir (fixed), and assumes residuals that are
            independent, homoscedastic and Gaussian; ``y_pred ± 1.645 y_std`` is a
            nominal 90 % interval.  Needs ``solver='ridge'`` and the readout sums of the
            fit (kept in memory; in a saved model only with
            ``keep_training_state=True``).

        Returns
        -------
        y_pred : ndarray or list of ndarray
            A dask array for a dask ``X`` (see :ref:`scaling`).
        y_std : ndarray or list of ndarray
            Same layout as ``y_pred``; only with ``return_std=True`` (numpy ``X`` only).

        Examples
        --------
        >>> import numpy as np
        >>> from sktemporal import ESNRegressor
        >>> from sktemporal.datasets import mackey_glass
        >>> X, y = mackey_glass(1500, random_state=0)
        >>> y = y + np.random.RandomState(0).normal(0, 0.05, y.shape)
        >>> esn = ESNRegressor(n_reservoir=100, random_state=0)
        >>> esn = esn.fit(X[:1000], y[:1000])
        >>> pred, std = esn.predict(X[1000:], return_std=True)
        >>> inside = np.abs(y[1000:] - pred) <= 1.645 * std
        >>> bool(0.85 < inside.mean() < 0.95)
        True
        """
        if is_dask_array(X):
            if return_std:
                raise ValueError(
                    "predict(X, return_std=True) needs X in memory (a numpy array or a list); "
                    "got a dask array: compute it first (X.compute())."
                )
            return apply_dask(self, X, "predict")
        if not return_std:
            out, batch = self._decision(X)
            return restore_layout(out, batch, per_step=self._per_step, squeeze=self._squeeze)
        out, batch, std = self._decision(X, spread=self._spread())
        return (restore_layout(out, batch, per_step=self._per_step, squeeze=self._squeeze),
                restore_layout(std, batch, per_step=self._per_step, squeeze=self._squeeze))

    def _spread(self, caller="predict"):
        """The predictive standard deviation as a function of a readout row's column parts."""
        check_is_fitted(self, "coef_")
        readout = getattr(self, "_readout", None)
        if not isinstance(readout, RidgeReadout):
            if getattr(self, "solver", "ridge") != "ridge":
                why = f"solver={self.solver!r} keeps no ridge sums; use solver='ridge'"
            else:
                why = "the readout sums of the fit are not here (a model loaded or deep-copied without them): refit"
                if "keep_training_state" in self.get_params():
                    why += ", or save with keep_training_state=True"
            raise ValueError(f"{caller}(return_std=True) needs the ridge readout's sums, but {why}.")
        L_inv, mz, noise_var = readout.predictive(getattr(self, "alpha_", None))  # the fit's penalty
        n, m = readout.n, readout.n_main

        def spread(parts):
            U = (parts[0] - mz[:m]) @ L_inv[:, :m].T
            if len(parts) > 1:
                U += (parts[1] - mz[m:]) @ L_inv[:, m:].T
            q = 1.0 + 1.0 / n + np.einsum("ij,ij->i", U, U)
            return np.sqrt(q[:, None] * noise_var)

        return spread

    def score(self, X, y, sample_weight=None):
        """:math:`R^2` over every valid step (targets per step) or every sequence.

        Parameters
        ----------
        X, y : as in :meth:`fit`
        sample_weight : array-like of shape (n_rows,), default=None
            One weight per valid step, or per sequence.

        Returns
        -------
        score : float
            For a dask ``X`` without ``sample_weight``, reduced on the cluster from each
            chunk's residual sums (the predictions never reach the client).
        """
        if is_dask_array(X) and sample_weight is None:
            return score_dask(self, X, y)
        out, batch = self._decision(X)
        targets = check_targets(y, batch, task="regression")
        return r2_score(targets.flat(), self._valid_rows(out, batch), sample_weight=sample_weight)

    def _generation_mode(self, n_steps, caller):
        """The checks of generate and calibrate_generate; whether the outputs become the next inputs."""
        check_is_fitted(self, "coef_")
        self._check_params()
        check_params({"n_steps": [POSITIVE_INT]}, f"{type(self).__name__}.{caller}", {"n_steps": n_steps})
        if not self._per_step:
            raise ValueError(f"{caller} needs a model fitted with a target per step (a series).")
        outputs_as_inputs = not self.feedback
        if outputs_as_inputs and self.n_outputs_ != self.n_features_in_:
            raise ValueError(
                "generate feeds the outputs back: through W_fb with feedback=True, or else "
                f"as the next inputs, which needs n_outputs == n_features (here "
                f"{self.n_outputs_} != {self.n_features_in_})."
            )
        return outputs_as_inputs

    def _closed_loop(self, h, x, n_steps, product, outputs_as_inputs):
        """:func:`run_autonomous` with this model's weights, in the dtype of ``h``."""
        dtype = h.dtype
        W_fb = self.feedback_weights_.astype(dtype, copy=False) if self.feedback else None
        return run_autonomous(
            self.input_weights_.astype(dtype, copy=False), product,
            leak_rate=float(self.leak_rate), activation=self.activation, h=h, x=x,
            n_steps=int(n_steps), coef=self.coef_.astype(dtype, copy=False),
            intercept=self.intercept_.astype(dtype, copy=False), include_input=self.include_input,
            outputs_as_inputs=outputs_as_inputs, W_fb=W_fb,
        )

    def generate(self, n_steps, warmup=None, return_std=False):
        r"""Run the network autonomously, feeding its outputs back, for ``n_steps`` steps.

        The reservoir is first driven by ``warmup`` (a 2-D series, started like
        :meth:`predict` starts a series), or continues from the end of the fitted series
        when ``warmup`` is None.  Then each output is fed back: through :math:`W_{fb}`
        when ``feedback=True`` (the inputs are held at their last warm-up value: a
        pattern generator trained on a constant input), otherwise as the next input,
        which needs ``n_outputs == n_features`` (a model trained to predict the next
        step of its input, ``y[t] = x[t + 1]``).

        Parameters
        ----------
        n_steps : int
            Number of generated steps.
        warmup : array-like of shape (n_timesteps, n_features) or None
            Inputs that bring the reservoir to its state before generation.
        return_std : bool, default=False
            Also return a standard deviation for each generated value, widening with
            the horizon :math:`k` (``y_gen[k - 1]``).  It needs the closed-loop error
            profile :math:`e_k` measured on held-out data by :meth:`calibrate_generate`
            (up to at least ``n_steps`` steps) and, like ``predict(return_std=True)``,
            the ridge readout's sums.  With :math:`s_0` the readout's one-step
            predictive standard deviation at the start of generation (what
            ``predict(warmup, return_std=True)`` gives for the last warm-up step),

            .. math::

                \sigma_k^2 = s_0^2 + \bar e_k^2 - \bar e_1^2, \qquad
                \bar e_k = \max_{j \le k} e_j :

            the readout's own uncertainty at horizon 1 (so ``y_std[0]`` equals
            ``predict``'s), plus the variance the closed loop added on the held-out
            series by horizon :math:`k` (the running maximum keeps the profile from
            narrowing on sampling noise).  ``y_gen ± 1.645 y_std`` is a nominal 90 %
            interval, as for ``predict``; it assumes the held-out series behaves like
            the series generated from, and Gaussian errors (long closed-loop errors
            of a chaotic series are heavier-tailed: see the User Guide for the
            coverage measured per horizon).

        Returns
        -------
        y_gen : ndarray of shape (n_steps,) or (n_steps, n_outputs)
            ``y_gen[0]`` is the prediction made at the last warm-up step (for a
            one-step-ahead model: the value that follows the warm-up).
        y_std : ndarray, same shape as ``y_gen``
            Only with ``return_std=True``.

        Warns
        -----
        UserWarning
            When ``warmup`` has ``washout`` steps or fewer: the reservoir has not yet
            forgotten the state it started the warm-up from.

        See Also
        --------
        calibrate_generate : Measure the closed-loop error profile that ``return_std`` needs.

        Examples
        --------
        >>> import numpy as np
        >>> from sktemporal import ESNRegressor
        >>> from sktemporal.datasets import mackey_glass
        >>> X, _ = mackey_glass(3001, random_state=0)
        >>> X = X + np.random.RandomState(0).normal(0, 0.05, X.shape)  # observed with noise
        >>> X, y = X[:-1], X[1:]                                       # one step ahead
        >>> esn = ESNRegressor(n_reservoir=200, random_state=0).fit(X[:2000], y[:2000])
        >>> esn = esn.calibrate_generate(X[2000:], y[2000:], n_steps=30)
        >>> y_gen, y_std = esn.generate(30, warmup=X[:2000], return_std=True)
        >>> y_gen.shape == y_std.shape == (30, 1)
        True
        >>> bool(y_std[-1, 0] > y_std[0, 0])     # wider further ahead
        True
        """
        outputs_as_inputs = self._generation_mode(n_steps, "generate")
        if return_std:
            extra_var = self._generation_spread(n_steps)  # fail before the run
            spread = self._spread("generate")
        if warmup is None:
            if self.last_state_ is None:
                raise ValueError(
                    "generate without warmup continues the series seen in fit, but the "
                    "model was last fitted on a collection; pass warmup=<2-D series>."
                )
            h, x, dtype = self.last_state_, self._last_input, self.last_state_.dtype
        else:
            batch, _ = validate_sequences(self, warmup, reset=False)
            if batch.kind != "series":
                raise ValueError(f"warmup must be one 2-D series (n_timesteps, n_features). {TSLEARN_HINT}")
            dtype = batch.dtype
        product = RecurrentProduct(self.reservoir_weights_, dtype)
        if warmup is not None:
            continuing = self._continues(batch)
            if batch.lengths[0] <= self.washout:
                start = (
                    "the state at the end of the series seen in fit (initial_state='continue'; "
                    "if warmup continues that series, this is intended)" if continuing else "zeros"
                )
                warnings.warn(
                    f"warmup has {batch.lengths[0]} time step(s) but washout={self.washout}: the "
                    f"reservoir starts the warm-up from {start} and has not forgotten that start "
                    "when generation begins, so the generated values depend on it. Pass a warmup "
                    f"of at least {self.washout + 1} steps.",
                    UserWarning,
                    stacklevel=2,
                )
            coef = self.coef_.astype(dtype, copy=False)
            intercept = self.intercept_.astype(dtype, copy=False)
            feedback = self._output_feedback(batch, continuing, coef, intercept)
            h = final_state(self._states(batch, continuing=continuing, feedback=feedback, product=product))
            x = batch.values[0, -1]
        out = self._closed_loop(h.astype(dtype), x, n_steps, product, outputs_as_inputs)
        if not return_std:
            return out[:, 0] if self._squeeze else out
        s0 = spread([h[None, :], x[None, :]] if self.include_input else [h[None, :]])
        std = np.sqrt(s0**2 + extra_var).astype(out.dtype)
        return (out[:, 0], std[:, 0]) if self._squeeze else (out, std)

    def _generation_spread(self, n_steps):
        r"""The closed loop's extra variance :math:`\bar e_k^2 - \bar e_1^2` for ``k = 1 .. n_steps``."""
        rmse = getattr(self, "generate_rmse_", None)
        if rmse is None:
            raise ValueError(
                "generate(return_std=True) widens the readout's interval by the closed-loop error "
                "measured on held-out data, and this model has no such measurement: call "
                "calibrate_generate(X_holdout, y_holdout, n_steps) after fit (fit and "
                "partial_fit discard an earlier calibration)."
            )
        if n_steps > rmse.shape[0]:
            raise ValueError(
                f"generate(n_steps={n_steps}, return_std=True): the closed-loop error was "
                f"calibrated up to {rmse.shape[0]} steps ahead only; call calibrate_generate "
                f"with n_steps >= {n_steps}."
            )
        e = np.maximum.accumulate(rmse[:n_steps], axis=0)
        return e**2 - e[0] ** 2

    def calibrate_generate(self, X, y, n_steps, *, n_origins=500):
        r"""Measure the closed-loop error per horizon on held-out data, for ``generate(return_std=True)``.

        The reservoir runs over ``X`` as :meth:`predict` runs a series (continuing the
        fitted series with ``initial_state='continue'``, else from zeros, the first
        ``washout`` steps then being skipped).  From each of ``n_origins`` steps
        :math:`t_j`, evenly spread over the series, the network runs closed-loop for
        ``n_steps`` steps exactly as ``generate(n_steps, warmup=X[:t_j + 1])`` would,
        all origins together, and the error at horizon :math:`k` is measured against
        ``y[t_j + k - 1]``:

        .. math::

            e_k = \Big(\frac{1}{J} \sum_{j=1}^{J}
            \big(\hat y_{t_j}(k) - y_{t_j + k - 1}\big)^2\Big)^{1/2},
            \qquad k = 1, \dots, n\_steps,

        per output, stored as ``generate_rmse_``.  ``X`` must be data the readout was
        not fitted on (on the training series :math:`e_1` is the optimistic training
        error).  ``fit`` and ``partial_fit`` discard the calibration: it describes one
        readout.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features)
            A held-out series.
        y : array-like of shape (n_timesteps,) or (n_timesteps, n_outputs)
            Its targets (for a one-step-ahead model, ``y[t] = X[t + 1]``).
        n_steps : int
            Longest horizon that ``generate(return_std=True)`` will be asked for.
        n_origins : int or None, default=500
            Number of closed-loop runs (all valid steps if None or fewer than this).
            Cost: ``n_steps`` reservoir steps on ``n_origins`` states at once.

        Returns
        -------
        self : object

        Examples
        --------
        >>> from sktemporal import ESNRegressor
        >>> from sktemporal.datasets import mackey_glass
        >>> X, y = mackey_glass(2000, random_state=0)
        >>> esn = ESNRegressor(n_reservoir=100, leak_rate=0.3, washout=50, random_state=0)
        >>> esn = esn.fit(X[:1500], y[:1500]).calibrate_generate(X[1500:], y[1500:], n_steps=20)
        >>> esn.generate_rmse_.shape
        (20, 1)
        """
        outputs_as_inputs = self._generation_mode(n_steps, "calibrate_generate")
        check_params({"n_origins": [POSITIVE_INT, None]}, f"{type(self).__name__}.calibrate_generate",
                     {"n_origins": n_origins})
        batch, targets = validate_sequences(self, X, y, reset=False)
        if batch.kind != "series":
            raise ValueError(f"calibrate_generate needs one held-out 2-D series (n_timesteps, n_features). "
                             f"{TSLEARN_HINT}")
        Y = targets.values[0]
        if Y.shape[-1] != self.n_outputs_:
            raise ValueError(f"y has {Y.shape[-1]} outputs but the model has {self.n_outputs_}.")
        continuing = self._continues(batch)
        first, T = (0 if continuing else self.washout), int(batch.lengths[0])
        last = T - n_steps  # the last origin whose horizon n_steps is in y
        if last < first:
            raise ValueError(
                f"X has {T} time steps; calibrating {n_steps} steps ahead needs at least "
                f"{first + n_steps}" + (f" (the first washout={self.washout} are skipped)" if first else "") + "."
            )
        if n_origins is None or n_origins >= last - first + 1:
            origins = np.arange(first, last + 1)
        else:
            origins = np.unique(np.linspace(first, last, n_origins).round().astype(int))
        dtype = batch.dtype
        product = RecurrentProduct(self.reservoir_weights_, dtype)
        feedback = self._output_feedback(batch, continuing, self.coef_.astype(dtype, copy=False),
                                         self.intercept_.astype(dtype, copy=False))
        h = np.empty((origins.size, self.n_reservoir), dtype=dtype)
        for seg in self._states(batch, continuing=continuing, feedback=feedback, product=product):
            inside = (origins >= seg.t0) & (origins < seg.t1)
            h[inside] = seg.states[origins[inside] - seg.t0, :, 0]
        out = self._closed_loop(h, batch.values[0, origins], n_steps, product, outputs_as_inputs)
        truth = Y[origins[None, :] + np.arange(n_steps)[:, None]]  # (n_steps, n_origins, n_outputs)
        rmse = np.sqrt(np.mean((out.astype(np.float64) - truth) ** 2, axis=1))
        new = self._shadow()
        new.generate_rmse_, new.generate_n_origins_ = rmse, int(origins.size)
        self._publish(new)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


@_esn_doc
class ESNRegressor(_ESNRegressorBase):
    r"""Echo state network regressor: a fixed random reservoir and a trained linear readout.

    .. math::

        \tilde h(n) &= f\big(W_{in} [1; x(n)] + W h(n-1) + W_{fb}\, y(n-1)\big) \\
        h(n) &= (1 - \alpha)\, h(n-1) + \alpha\, \tilde h(n) \\
        y(n) &= W_{out} [1; h(n); x(n)]

    Only :math:`W_{out}` is trained, by ridge regression on the states (``solver='ridge'``:
    :math:`W_{out} = Y H^\top (H H^\top + \beta I)^{-1}` from sums streamed chunk by
    chunk, the bias not penalised) or by recursive least squares (``solver='rls'``).

    Data (see the data contract): a 2-D ``X`` is one series with a target per step; a
    collection (3-D, NaN-padded 3-D or a list of 2-D arrays) has a target per step
    (many-to-many) or one per sequence (many-to-one, read from the pooled states).
    All sequences of a collection run through the reservoir together.

    Read more in the :ref:`User Guide <reservoir>`.

    Parameters
    ----------
    %(common_params)s
    %(readout_params)s
    feedback : bool, default=False
        Feed the previous output back into the reservoir through :math:`W_{fb}`
        (needs targets per step).  Fitting uses teacher forcing (the true
        :math:`y(n-1)`); ``predict`` and ``generate`` feed back the model's own outputs.
    feedback_scaling : float, default=1.0
        Scale of :math:`W_{fb}`.

    Attributes
    ----------
    coef_ : ndarray of shape (n_outputs, n_readout_features)
        :math:`W_{out}` without the bias column: ``[h; x]`` per step, or the pooled
        features for targets per sequence.
    intercept_ : ndarray of shape (n_outputs,)
        Bias column of :math:`W_{out}`.
    feedback_weights_ : ndarray of shape (n_reservoir, n_outputs) or None
        :math:`W_{fb}` (``feedback=True``).
    n_outputs_ : int
    generate_rmse_ : ndarray of shape (n_steps, n_outputs)
        Closed-loop RMS error per horizon on held-out data, which
        ``generate(return_std=True)`` needs; set by :meth:`calibrate_generate` only
        (dropped by ``fit`` and ``partial_fit``).
    generate_n_origins_ : int
        Number of closed-loop runs behind ``generate_rmse_``.
    %(common_attrs)s

    See Also
    --------
    ESNClassifier, Reservoir

    Examples
    --------
    >>> from sktemporal.datasets import mackey_glass
    >>> from sktemporal.reservoir import ESNRegressor
    >>> X, y = mackey_glass(2000, random_state=0)
    >>> esn = ESNRegressor(n_reservoir=200, leak_rate=0.3, washout=100, random_state=0)
    >>> esn.fit(X[:1500], y[:1500]).score(X[1500:], y[1500:]) > 0.999
    True
    >>> esn.generate(5).shape
    (5,)
    """

    def __init__(self, n_reservoir=100, *, spectral_radius=0.97, leak_rate=1.0, input_scaling=0.7,
                 bias_scaling=0.4, density=0.3, topology="random", rewiring=0.1,
                 distribution="uniform", activation="tanh", include_input=True, alpha=1e-3,
                 washout=0, pooling="mean", solver="ridge", forgetting=1.0, noise=0.0,
                 feedback=False, feedback_scaling=1.0, initial_state="continue", scaler=None,
                 keep_training_state=False, overlap="auto", random_state=None):
        self.n_reservoir = n_reservoir
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
        self.alpha = alpha
        self.washout = washout
        self.pooling = pooling
        self.solver = solver
        self.forgetting = forgetting
        self.noise = noise
        self.feedback = feedback
        self.feedback_scaling = feedback_scaling
        self.initial_state = initial_state
        self.scaler = scaler
        self.keep_training_state = keep_training_state
        self.overlap = overlap
        self.random_state = random_state

    def fit(self, X, y):
        """Fit the readout on the reservoir states of ``X``.

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
        return self._fit(X, y, incremental=False)

    def partial_fit(self, X, y):
        """Add ``(X, y)`` to the readout (streaming ridge sums, or RLS updates).

        With ``initial_state='continue'`` a 2-D series continues the series of the
        previous call, so a long series can be fed in consecutive pieces.

        Parameters
        ----------
        X, y : as in :meth:`fit`

        Returns
        -------
        self : object
        """
        return self._fit(X, y, incremental=True)


# ----------------------------------------------------------------------------------
# classifier
# ----------------------------------------------------------------------------------
class _ESNClassifierBase(ClassifierMixin, _BaseESN):
    """What ESNClassifier and ESNClassifierCV share: everything but the constructor and the fitting."""

    _task = "classification"

    def _encode_targets(self, targets, first, classes=None):
        labels = targets.flat().ravel()
        if first:
            self.classes_ = check_classes(classes, labels)
        return targets.replace(encode_labels(labels, self.classes_, dtype=targets.batch.dtype)).values

    def _restore(self, values, batch, squeeze):
        return restore_layout(values, batch, per_step=self._per_step, squeeze=squeeze)

    def decision_function(self, X):
        """Readout scores, one column per class (binary: ``s_1 - s_0``, positive for ``classes_[1]``).

        Returns
        -------
        scores : ndarray or list of ndarray
            A dask array for a dask ``X``.
        """
        if is_dask_array(X):
            return apply_dask(self, X, "decision_function")
        out, batch = self._decision(X)
        if len(self.classes_) == 2:
            return self._restore(out[..., 1:] - out[..., :1], batch, squeeze=True)
        return self._restore(out, batch, squeeze=False)

    def predict_proba(self, X):
        """Softmax of the readout scores (columns ordered as ``classes_``).

        Returns
        -------
        proba : ndarray or list of ndarray
            A dask array for a dask ``X``.
        """
        if is_dask_array(X):
            return apply_dask(self, X, "predict_proba")
        out, batch = self._decision(X)
        proba = softmax_inplace(out.astype(np.float64))  # astype copies: out is not modified
        return self._restore(proba.astype(out.dtype), batch, squeeze=False)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        proba = self.predict_proba(X)
        if isinstance(proba, list):
            return [np.log(p) for p in proba]
        return np.log(proba)

    def predict(self, X):
        """The class of largest score, per sequence or per step (layout of the ``y`` given to fit).

        Returns
        -------
        y_pred : ndarray or list of ndarray
            A dask array for a dask ``X``.
        """
        if is_dask_array(X):
            return apply_dask(self, X, "predict")
        out, batch = self._decision(X)
        labels = self.classes_[out.argmax(axis=-1)][..., None]
        return self._restore(labels, batch, squeeze=True)

    def score(self, X, y, sample_weight=None):
        """Accuracy over every valid step (labels per step) or every sequence.

        Parameters
        ----------
        X, y : as in :meth:`fit`
        sample_weight : array-like of shape (n_rows,), default=None

        Returns
        -------
        score : float
            For a dask ``X`` without ``sample_weight``, reduced on the cluster from each
            chunk's count of correct labels.
        """
        if is_dask_array(X) and sample_weight is None:
            return score_dask(self, X, y)
        out, batch = self._decision(X)
        targets = check_targets(y, batch, task="classification")
        pred = self.classes_[self._valid_rows(out, batch).argmax(axis=-1)]
        return accuracy_score(targets.flat().ravel(), pred, sample_weight=sample_weight)


@_esn_doc
class ESNClassifier(_ESNClassifierBase):
    r"""Echo state network classifier: a label per sequence or per step.

    The reservoir is the one of :class:`ESNRegressor`; the linear readout is fitted by
    ridge regression (or RLS) on one-hot targets, one output per class:

    .. math::

        s = W_{out} [1; \phi], \qquad \hat c = \arg\max_k s_k, \qquad
        P(k) = \frac{e^{s_k}}{\sum_j e^{s_j}},

    where :math:`\phi` is :math:`[h(n); x(n)]` for a label per step (a 2-D series, or
    per-step labels of a collection) and the pooled states (``pooling``: last, mean
    or both) for a label per sequence.  ``predict_proba`` is the softmax of the
    readout scores: it orders classes exactly like ``predict`` and
    ``decision_function``, but a least-squares readout is not trained for
    calibration (scores of one-hot targets lie near [0, 1], so probabilities are
    soft); wrap the model in :class:`~sklearn.calibration.CalibratedClassifierCV` when
    calibrated probabilities matter.

    Read more in the :ref:`User Guide <reservoir>`.

    Parameters
    ----------
    %(common_params)s
    %(readout_params)s

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (n_classes, n_readout_features)
    intercept_ : ndarray of shape (n_classes,)
    n_outputs_ : int
        Number of readout outputs (``n_classes``).
    %(common_attrs)s

    See Also
    --------
    ESNRegressor, Reservoir

    Examples
    --------
    >>> from sktemporal.datasets import make_sequence_classification
    >>> from sktemporal.reservoir import ESNClassifier
    >>> X, y = make_sequence_classification(200, n_classes=3, random_state=0)
    >>> clf = ESNClassifier(n_reservoir=200, pooling="mean", random_state=0)
    >>> clf.fit(X[:150], y[:150]).score(X[150:], y[150:]) > 0.9
    True
    >>> clf.predict_proba(X[150:]).shape
    (50, 3)
    """

    def __init__(self, n_reservoir=100, *, spectral_radius=0.97, leak_rate=1.0, input_scaling=0.7,
                 bias_scaling=0.4, density=0.3, topology="random", rewiring=0.1,
                 distribution="uniform", activation="tanh", include_input=True, alpha=1e-3,
                 washout=0, pooling="mean", solver="ridge", forgetting=1.0, noise=0.0,
                 initial_state="continue", scaler=None, keep_training_state=False, overlap="auto",
                 random_state=None):
        self.n_reservoir = n_reservoir
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
        self.alpha = alpha
        self.washout = washout
        self.pooling = pooling
        self.solver = solver
        self.forgetting = forgetting
        self.noise = noise
        self.initial_state = initial_state
        self.scaler = scaler
        self.keep_training_state = keep_training_state
        self.overlap = overlap
        self.random_state = random_state

    def fit(self, X, y):
        """Fit the readout on the reservoir states of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features), 3-D array or list of 2-D arrays
        y : array-like
            A label per step (series; 2-D or list for a collection) or per sequence.

        Returns
        -------
        self : object
        """
        return self._fit(X, y, incremental=False)

    def partial_fit(self, X, y, classes=None):
        """Add ``(X, y)`` to the readout; ``classes`` (all labels) is required on the first call.

        Parameters
        ----------
        X, y : as in :meth:`fit`
        classes : array-like of shape (n_classes,), default=None
            Every label the classifier will see, at least two. Required on the first call;
            on later calls it may be repeated but not changed.

        Returns
        -------
        self : object
        """
        check_partial_fit_classes(classes, getattr(self, "classes_", None))
        return self._fit(X, y, incremental=True, classes=classes)
