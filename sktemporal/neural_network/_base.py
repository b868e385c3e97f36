"""The shared estimator behind every trained network of the package.

Data flows one way: validate (the data contract) → arrange training data (streams and
chunks, :mod:`._arrange`) → network → loss → optimizer; and at predict time validate →
network → the user's layout.  Subclasses say which network to build (:meth:`_build_network`)
and how to arrange a sequence's inputs (:meth:`_inputs`); the hooks ``_prepare_targets``,
``_training_network``, ``_training_data``, ``_arrange`` and ``_batch_size`` let them change
one step of the flow (Jordan teacher forcing, TDNN rows, Seq2Seq decoder inputs).  The
task (regression or classification) is mixed in from :mod:`._task_mixins`, the state kept
for ``initial_state='continue'`` from :mod:`._continuation`.
"""

import copy
import numbers
from abc import abstractmethod

import numpy as np
from sklearn.base import BaseEstimator, is_classifier
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ..utils._atomic import all_or_nothing
from ..utils._batch import SequenceBatch
from ..utils._blas import one_blas_thread
from ..utils._callbacks import CallbackSupportMixin, FitTasks, with_callbacks
from ..utils._continuation import remember_fitted_series
from ..utils._fit_checks import INITIAL_STATES, check_target_layout, check_y_given
from ..utils._param_validation import (
    NON_NEGATIVE_REAL,
    POSITIVE_INT,
    POSITIVE_REAL,
    Integral,
    Interval,
    Real,
    StrOptions,
    validate_params,
)
from ..utils._persistence import VersionedStateMixin
from ..utils._range import record_target_range
from ..utils._scaling import SCALERS, fit_standardizer
from ..utils._sequences import validate_sequences
from ..utils._targets import check_targets
from ._arrange import TrainingDataMixin
from ._auto import patch, resolve_bidirectional, resolve_patch_size
from ._continuation import StateContinuationMixin
from ._layers import POOLINGS
from ._loss import OUTPUT_ACTIVATION
from ._online import ONLINE_SOLVERS, fit_online
from ._training import History, SolverConfig, TrainingData, TrainingProblem, fit_lbfgs, fit_stochastic, time_major

__all__ = ["NETWORK_CONSTRAINTS", "BaseSequenceNetwork", "scaled_batch", "stochastic_solver"]

_SOLVERS = ("adam", "sgd", "lbfgs")
_SCHEDULES = ("constant", "invscaling", "adaptive")
_HALF_OPEN_UNIT = Interval(Real, 0, 1, closed="left")

#: Constraints of the parameters every trained network shares (scikit-learn's MLP names);
#: each estimator's ``_parameter_constraints`` is this table with its own entries added
#: (and the ones it lacks removed).
NETWORK_CONSTRAINTS = {
    "hidden_layer_sizes": ["array-like", POSITIVE_INT],
    "bidirectional": ["boolean", StrOptions({"auto"})],
    "pooling": [StrOptions(set(POOLINGS))],
    "patch_size": [POSITIVE_INT, StrOptions({"auto"}), None],
    "bptt_steps": [POSITIVE_INT, StrOptions({"auto"}), None],
    "clip_norm": [POSITIVE_REAL, None],
    "solver": [StrOptions(set(_SOLVERS))],
    "alpha": [NON_NEGATIVE_REAL],
    "batch_size": [StrOptions({"auto"}), POSITIVE_INT],
    "learning_rate": [StrOptions(set(_SCHEDULES))],
    "learning_rate_init": [POSITIVE_REAL],
    "power_t": [NON_NEGATIVE_REAL],
    "max_iter": [POSITIVE_INT],
    "shuffle": ["boolean"],
    "random_state": ["random_state"],
    "tol": [NON_NEGATIVE_REAL],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "momentum": [_HALF_OPEN_UNIT],
    "nesterovs_momentum": ["boolean"],
    "early_stopping": ["boolean", StrOptions({"auto"})],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "beta_1": [_HALF_OPEN_UNIT],
    "beta_2": [_HALF_OPEN_UNIT],
    "epsilon": [POSITIVE_REAL],
    "n_iter_no_change": [POSITIVE_INT],
    "max_fun": [POSITIVE_INT],
    # None or a non-zero int (scikit-learn's convention; -1: all CPUs)
    "n_jobs": [Interval(Integral, None, -1, closed="right"), POSITIVE_INT, None],
    "scaler": [StrOptions(set(SCALERS)), None],
    "initial_state": [StrOptions(set(INITIAL_STATES))],
}


def stochastic_solver(est):
    """partial_fit exists only for the stochastic and online solvers, as in sklearn's MLP."""
    if est.solver not in ("sgd", "adam") + ONLINE_SOLVERS:
        raise AttributeError(
            f"partial_fit is only available for stochastic and online solvers; solver={est.solver!r}."
        )
    return True


class BaseSequenceNetwork(CallbackSupportMixin, VersionedStateMixin, TrainingDataMixin,
                          StateContinuationMixin, BaseEstimator):
    """Training, prediction and bookkeeping shared by the RNN, LSTM, GRU, TDNN and Seq2Seq estimators."""

    _task = "regression"
    # whether the network carries a state from step to step (generate needs one)
    _recurrent = True

    # -------------------------------------------------------------- subclasses
    @abstractmethod
    def _build_network(self, n_in, n_out, per_step, out_activation):
        """The :class:`~sktemporal.neural_network._layers.Network` of this estimator."""

    def _inputs(self, batch):
        """Per-step network inputs ``(n_sequences, max_length, n_in)``; default: the features."""
        return batch.values

    def _prepare_targets(self, y, batch, first):
        """``y`` as the data contract reads it; subclasses may reshape (e.g. a horizon axis)."""
        return y

    def _training_network(self, n_out, per_step, out_activation):
        """The network trained (same parameter layout as ``self._net``); default: ``self._net``."""
        return self._net

    def _training_data(self, values, lengths, Y, per_step, bptt_steps):
        """What the training loop iterates over; subclasses may add inputs (teacher forcing)."""
        return TrainingData(values, lengths, Y, per_step, bptt_steps)

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral):
            sizes = (sizes,)
        sizes = tuple(sizes)
        if any(not isinstance(s, numbers.Integral) or s < 1 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must hold positive integers; got {self.hidden_layer_sizes!r}.")
        return sizes

    _parameter_constraints = NETWORK_CONSTRAINTS
    _parameter_hints = {"n_jobs": "None means 1 (unless in a joblib.parallel_config context); -1 means all CPUs."}

    def _validate_hyperparameters(self):
        """The constraint table, then the rules that tie parameters together."""
        validate_params(self)
        self._hidden_sizes()
        if getattr(self, "bidirectional", False) is True and self.bptt_steps not in (None, "auto"):
            raise ValueError(
                "bidirectional=True needs whole sequences (the backward direction reads the "
                "future); it cannot be combined with truncated BPTT (bptt_steps="
                f"{self.bptt_steps}). Set bptt_steps=None."
            )

    # --------------------------------------------------------------------- fit
    @with_callbacks
    def fit(self, X, y):
        """Fit the network to sequences ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features), (n_sequences, n_timesteps, n_features) or list
            One series (2-D, rows are time steps), a collection (3-D, optionally NaN padded),
            or a list of ``(T_i, n_features)`` arrays.
        y : array-like or list
            A target per step, or per sequence for a collection (see :ref:`data_contract`).

        Returns
        -------
        self : object
        """
        return self._fit(X, y, incremental=False)

    @available_if(stochastic_solver)
    @with_callbacks
    def partial_fit(self, X, y):
        """One epoch over ``(X, y)`` (continuing from the current parameters).

        Returns
        -------
        self : object
        """
        return self._fit(X, y, incremental=True)

    def _fit(self, X, y, incremental, classes=None):
        self._validate_hyperparameters()
        check_y_given(self, y)
        # everything below builds new objects (copies of θ, of the optimizer, of the random
        # generator): an exception or Ctrl-C anywhere restores the previous model as it was
        with all_or_nothing(self):
            self._fit_new_model(X, y, incremental, classes)
        return self

    def _fit_new_model(self, X, y, incremental, classes):
        first = not ((incremental or self.warm_start) and hasattr(self, "params_"))
        raw, _ = validate_sequences(self, X, reset=first)
        targets = check_targets(self._prepare_targets(y, raw, first), raw, task=self._task)
        if not is_classifier(self):
            record_target_range(self, targets.flat(), first)
        if first:
            # statistics of the valid steps (padding never counts), frozen after the first fit
            self._input_scaler = fit_standardizer(raw.flat(), getattr(self, "scaler", None))
            self._target_scaler = self._fit_target_scaler(targets)
        if first:
            self._resolve_auto(raw, targets)
        batch = self._patched(scaled_batch(raw, self._input_scaler))
        Y = self._encode_targets(self._scale_targets(targets), first, classes)
        if first:
            self._per_step, self._squeeze = targets.per_step, targets.squeeze
            self.n_outputs_ = Y.shape[-1]  # classifiers: one column per class (or one for two)
            self._random_state = check_random_state(self.random_state)
        else:
            check_target_layout(targets.per_step, self._per_step)
            self._random_state = copy.deepcopy(self._random_state)  # the old one stays untouched
        n_out = Y.shape[-1]
        out_act = OUTPUT_ACTIVATION[self._loss_name(n_out)]
        inputs = self._inputs(batch)
        self._net = self._build_network(inputs.shape[2], n_out, targets.per_step, out_act)
        if first:
            theta = self._net.layout.zeros(batch.dtype)
            self._net.initialize(theta, self._random_state)
            history = History()
        else:
            if self.params_.size != self._net.layout.size:
                raise ValueError("The network's shape changed since the first fit; refit from scratch.")
            theta = self.params_.astype(batch.dtype, copy=True)
            history = self._history.copy()
        self.params_ = theta  # a new array: the previous model's is never written to
        bptt_steps = self._truncation(batch)
        data, validation = self._arrange(batch, inputs, Y, targets, incremental, bptt_steps)
        net = self._training_network(n_out, targets.per_step, out_act)
        early_stopping = validation is not None
        if early_stopping and not history.validation_scores:  # (only 'sgd' and 'adam' validate)
            history.validation_scores, history.best_validation_score = [], -np.inf
        batch_size = self._batch_size(data, bptt_steps, series=batch.kind == "series")
        config = SolverConfig.from_params(self.get_params(), batch_size=batch_size)
        loss_name = self._loss_name(n_out)
        # scikit-learn's callback API: the fit and each epoch are tasks (no epochs for lbfgs)
        tasks = [FitTasks(self, 1 if incremental else config.max_iter, X, y)]
        try:
            with one_blas_thread():
                problem = TrainingProblem(net, data, loss_name)
                if self.solver in ONLINE_SOLVERS:
                    fit_online(config, problem, theta, history, incremental, callbacks=tasks)
                elif self.solver == "lbfgs":
                    fit_lbfgs(config, problem, theta, history)
                else:
                    fit_stochastic(config, problem, theta, history, self._random_state,
                                   validation, incremental, callbacks=tasks)
                self.last_state_, self._last_output = self._end_state(batch, inputs)
                remember_fitted_series(self, raw)
        finally:  # cells reuse scratch arrays from batch to batch; a fitted model keeps none
            net.release()
            self._net.release()
        self._publish_fit(history, incremental, early_stopping)

    def _resolve_auto(self, raw, targets):
        """Resolve the ``'auto'`` options from the first fit's data (see :mod:`._auto`)."""
        self._bidir = resolve_bidirectional(getattr(self, "bidirectional", False), raw.kind, self.bptt_steps)
        self._patch = resolve_patch_size(getattr(self, "patch_size", None), raw.kind,
                                         targets.per_step, raw.max_length)

    @property
    def _bidirectional(self):
        """Whether the fitted (or about to be fitted) network reads both ways."""
        if hasattr(self, "_bidir"):
            return self._bidir
        return getattr(self, "bidirectional", False) is True  # models pickled before 'auto'

    def _patched(self, batch):
        """``batch`` with ``patch_size`` steps per input vector (see :func:`._auto.patch`)."""
        k = getattr(self, "_patch", 1)
        if k == 1:
            return batch
        values, lengths = patch(batch.values, batch.lengths, k)
        return SequenceBatch(values, lengths, batch.kind, None)

    def _publish_fit(self, history, incremental, early_stopping):
        """The fitted attributes, from the history of this fit."""
        self.n_iter_, self.t_, self.loss_ = history.n_iter, history.t, history.loss
        self.loss_curve_ = history.loss_curve
        self.end_loss_curve_ = history.end_losses if history.end_losses else None
        self.best_iter_ = history.n_iter if history.best_iter is None else history.best_iter
        self.n_rollbacks_ = history.n_rollbacks
        self.best_loss_ = history.best_loss
        self.validation_scores_ = history.validation_scores if early_stopping else None
        self.best_validation_score_ = history.best_validation_score if early_stopping else None
        if early_stopping and not incremental:
            self.best_loss_ = None
        # kept to continue training (partial_fit, warm_start): the optimizer's moments, O(θ);
        # the online solvers' sensitivities and covariance (O(θ²) for the EKF) only after a
        # partial_fit, whose next call continues the filter (a fit starts a new one)
        if not incremental:
            history.online_state = None
        self._history = history

    def _fit_target_scaler(self, targets):
        return None  # classifiers: labels are not scaled

    def _scale_targets(self, targets):
        return targets

    # ----------------------------------------------------------------- predict
    def _forward_all(self, values, lengths, theta=None, state=None, batch_size=256):
        """Network outputs for all sequences, batch-first, in the original order.

        ``theta`` defaults to ``params_``; ``state`` (one series only) is the initial state.
        """
        theta = self.params_ if theta is None else theta
        n = len(lengths)
        order = np.argsort(-lengths, kind="stable")
        outs = []
        with one_blas_thread():
            for start in range(0, n, batch_size):
                # already in length order: time_major keeps it (a stable sort)
                _, L, X, active = time_major(values, lengths, order[start: start + batch_size])
                out, _, _ = self._net.forward(theta, X, active.sum(axis=1), L, state)
                if self._net.per_step:
                    pad = values.shape[1] - len(X)
                    out = np.pad(out.transpose(1, 0, 2), ((0, 0), (0, pad), (0, 0)))
                outs.append(out)
        self._net.release()
        out = np.concatenate(outs)
        result = np.empty_like(out)
        result[order] = out
        return result

    def _predict_raw(self, X):
        """Network outputs in the user's units (targets unscaled), and the validated batch."""
        check_is_fitted(self, "params_")
        raw, _ = validate_sequences(self, X, reset=False)
        batch = self._patched(scaled_batch(raw, self._input_scaler))
        # the network computes in the dtype it was fitted in
        inputs = self._inputs(batch).astype(self.params_.dtype, copy=False)
        out = self._forward_all(inputs, batch.lengths, state=self._start_state(raw))
        return self._unscale_outputs(out), raw

    def _unscale_outputs(self, out):
        return out


def scaled_batch(batch, standardizer):
    """``batch`` with standardized values (padded steps stay zero), or ``batch`` itself."""
    if standardizer is None:
        return batch
    values = standardizer.transform(batch.values)
    if batch.ragged:
        values[~batch.mask] = 0
    return SequenceBatch(values, batch.lengths, batch.kind, batch.index)
