"""The shared estimator behind every trained network of the package.

Data flows one way: validate (the data contract) → arrange training data (streams and
chunks) → network → loss → optimizer; and at predict time validate → network → the
user's layout.  Subclasses say which network to build (:meth:`_build_network`) and how
to arrange a sequence's inputs (:meth:`_inputs`); the hooks ``_prepare_targets``,
``_training_network``, ``_training_data``, ``_arrange`` and ``_batch_size`` let them change
one step of the flow (Jordan teacher forcing, TDNN rows, Seq2Seq decoder inputs).
"""

import copy
import numbers
from abc import abstractmethod

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ..utils._atomic import all_or_nothing
from ..utils._blas import one_blas_thread
from ..utils._callbacks import CallbackSupportMixin, EpochTasks, with_callbacks
from ..utils._labels import check_classes, check_partial_fit_classes, encode_labels
from ..utils._param_validation import (
    NON_NEGATIVE_REAL,
    POSITIVE_INT,
    POSITIVE_REAL,
    Integral,
    Interval,
    Real,
    StrOptions,
    check_params,
    validate_params,
)
from ..utils._persistence import VersionedStateMixin
from ..utils._range import check_generated, record_target_range
from ..utils._scaling import SCALERS, fit_standardizer
from ..utils._sequences import SequenceBatch, check_targets, restore_layout, series_key, validate_sequences
from ._auto import patch, resolve_bidirectional, resolve_early_stopping, resolve_patch_size
from ._layers import POOLINGS
from ._loss import OUTPUT_ACTIVATION
from ._online import ONLINE_SOLVERS, fit_online
from ._training import History, SolverConfig, TrainingData, fit_lbfgs, fit_stochastic, time_major

__all__ = ["BaseSequenceNetwork", "SequenceRegressorMixin", "SequenceClassifierMixin"]

_SOLVERS = ("adam", "sgd", "lbfgs")
_SCHEDULES = ("constant", "invscaling", "adaptive")
_HALF_OPEN_UNIT = Interval(Real, 0, 1, closed="left")
_INITIAL_STATES = ("continue", "zeros")

#: ``bptt_steps='auto'`` on one series: truncation length and number of parallel streams.
#: Chosen by the defaults study (docs/user_guide/defaults.rst): chunks of AUTO_BPTT_STEPS
#: steps, and as many streams as leave each one about AUTO_CHUNKS_PER_STREAM chunks (at
#: most 32, Keras' and PyTorch's customary batch), so that an epoch makes many updates.
AUTO_BPTT_STEPS = 32
AUTO_CHUNKS_PER_STREAM = 8
AUTO_MAX_STREAMS = 32


def auto_truncation(T):
    """``(bptt_steps, n_streams)`` of ``bptt_steps='auto'`` for one series of ``T`` steps.

    >>> auto_truncation(2000)
    (32, 7)
    >>> auto_truncation(100)
    (32, 1)
    """
    k = min(AUTO_BPTT_STEPS, T)
    return k, int(np.clip(T // (AUTO_CHUNKS_PER_STREAM * k), 1, AUTO_MAX_STREAMS))

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
    "initial_state": [StrOptions(set(_INITIAL_STATES))],
}


def _stochastic_solver(est):
    """partial_fit exists only for the stochastic and online solvers, as in sklearn's MLP."""
    if est.solver not in ("sgd", "adam") + ONLINE_SOLVERS:
        raise AttributeError(
            f"partial_fit is only available for stochastic and online solvers; solver={est.solver!r}."
        )
    return True


def _is_recurrent(est):
    if not est._recurrent:
        raise AttributeError(f"{type(est).__name__} has no recurrent state to run autonomously.")
    return True


class BaseSequenceNetwork(CallbackSupportMixin, VersionedStateMixin, BaseEstimator):
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

    @available_if(_stochastic_solver)
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
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
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
        batch = self._patched(_scaled(raw, self._input_scaler))
        Y = self._encode_targets(self._scale_targets(targets), first, classes)
        if first:
            self._per_step, self._squeeze = targets.per_step, targets.squeeze
            self.n_outputs_ = Y.shape[-1]  # classifiers: one column per class (or one for two)
            self._random_state = check_random_state(self.random_state)
        else:
            if targets.per_step != self._per_step:
                raise ValueError(
                    "y must keep the layout seen in the first fit: a target "
                    f"{'per step' if self._per_step else 'per sequence'} was learned, got one "
                    f"{'per step' if targets.per_step else 'per sequence'}."
                )
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
        config = SolverConfig.from_params(self.get_params(), batch_size=self._batch_size(data, bptt_steps))
        loss_name = self._loss_name(n_out)
        # scikit-learn's callback API: the fit and each epoch are tasks (no epochs for lbfgs)
        tasks = [EpochTasks(self, 1 if incremental else config.max_iter, X, y)]
        try:
            with one_blas_thread():
                if self.solver in ONLINE_SOLVERS:
                    fit_online(config, net, theta, data, loss_name, history, incremental, callbacks=tasks)
                elif self.solver == "lbfgs":
                    fit_lbfgs(config, net, theta, data, loss_name, history)
                else:
                    fit_stochastic(config, net, theta, data, loss_name, history, self._random_state,
                                   validation, incremental, callbacks=tasks)
                self.last_state_, self._last_output = self._end_state(batch, inputs)
                self._fitted_series = series_key(raw) if self.last_state_ is not None else None
        finally:  # cells reuse scratch arrays from batch to batch; a fitted model keeps none
            net.release()
            self._net.release()
        self._publish(history, incremental, early_stopping)

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

    def _publish(self, history, incremental, early_stopping):
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

    def _truncation(self, batch):
        """The truncation length of this fit: ``bptt_steps`` with 'auto' resolved."""
        if not (isinstance(self.bptt_steps, str) and self.bptt_steps == "auto"):
            return self.bptt_steps
        if (batch.kind != "series" or self._bidirectional
                or self.solver not in ("adam", "sgd")):
            return None  # whole sequences
        return auto_truncation(int(batch.lengths[0]))[0]

    def _end_state(self, batch, inputs):
        """The state after the last step of a fitted series and the output there, else ``(None, None)``.

        Kept for ``initial_state='continue'``: ``predict`` on a series starts from the state,
        ``generate`` without a warm-up from the state and the output (network scale, shape
        ``(n_outputs,)``), which it feeds back first.
        """
        if (batch.kind != "series" or not self._continuable()):
            return None, None
        out, state = self._run_series(inputs)
        return [s.copy() for s in state], out[-1].copy()

    def _continuable(self):
        """Whether predictions on a series may start from the fitted series' final state."""
        return (self._recurrent and hasattr(self, "initial_state")
                and not self._bidirectional)

    def _start_state(self, raw):
        """The state a series starts from: the fitted series' final state ('continue'), else zeros.

        The fitted series itself (the same values) starts from zeros, as it did in the fit:
        ``predict(X)`` after ``fit(X, y)`` gives the in-sample predictions.
        """
        if (raw.kind == "series" and getattr(self, "initial_state", "zeros") == "continue"
                and getattr(self, "last_state_", None) is not None
                and series_key(raw) != getattr(self, "_fitted_series", None)):
            return [s.copy() for s in self.last_state_]
        return None

    def _run_series(self, inputs, state=None):
        """Outputs ``(T, n_out)`` and final state of the fitted network on one ``(1, T, F)`` series."""
        theta = self.params_
        X = np.ascontiguousarray(inputs.astype(theta.dtype, copy=False).transpose(1, 0, 2))
        T = X.shape[0]
        with one_blas_thread():
            out, state, _ = self._net.forward(theta, X, np.ones(T, dtype=np.intp), np.array([T]), state)
        self._net.release()
        return out[:, 0], state

    def _batch_size(self, data, bptt_steps=None):
        if self.batch_size == "auto":
            # sequences, not rows: Keras' and PyTorch's customary 32
            return min(32, data.n_sequences)
        return min(self.batch_size, data.n_sequences)

    def _arrange(self, batch, inputs, Y, targets, incremental, bptt_steps):
        """Training data (and a validation scorer ``score(theta)`` when early stopping)."""
        values, lengths = inputs, batch.lengths
        validation = None
        use_val = (self.solver in ("adam", "sgd") and not incremental
                   and self._early_stopping_on(batch, Y, targets))
        if batch.kind == "series":
            T = int(lengths[0])
            if use_val:
                n_val = max(1, int(round(self.validation_fraction * T)))
                if T - n_val < 2:
                    raise ValueError(
                        f"early_stopping needs a longer series: {T} steps leave "
                        f"{T - n_val} for training with validation_fraction={self.validation_fraction}."
                    )
                validation = self._series_validation(values, Y, T - n_val)
                T -= n_val
            values, Y = values[:, :T], Y[:, :T]
            if bptt_steps is not None:
                values, Y, lengths = _split_streams(values[0], Y[0], self._n_streams(T, bptt_steps))
            else:
                lengths = np.array([T])
        elif use_val:
            idx = np.arange(batch.n_sequences)
            stratify = Y.argmax(-1) if (self._task == "classification" and not targets.per_step) else None
            try:
                train, val = train_test_split(idx, test_size=self.validation_fraction,
                                              random_state=self._random_state, stratify=stratify)
            except ValueError:
                train, val = train_test_split(idx, test_size=self.validation_fraction,
                                              random_state=self._random_state)
            validation = self._collection_validation(values[val], lengths[val], Y[val])
            values, lengths, Y = values[train], lengths[train], Y[train]
        return self._training_data(values, lengths, Y, targets.per_step, bptt_steps), validation

    def _early_stopping_on(self, batch, Y, targets):
        """``early_stopping`` resolved on this fit's data (sequences, or steps of one series)."""
        counts = None
        if self._task == "classification" and not targets.per_step and batch.kind != "series":
            counts = np.bincount(Y.argmax(-1) if Y.shape[-1] > 1 else Y[:, 0].astype(int))
        n = int(batch.lengths[0]) if batch.kind == "series" else batch.n_sequences
        return resolve_early_stopping(self.early_stopping, batch.kind, n, self.validation_fraction, counts)

    def _n_streams(self, T, bptt_steps):
        """Parallel contiguous streams a single series is cut into for truncated BPTT."""
        if self.batch_size != "auto":
            return max(1, min(self.batch_size, T // bptt_steps))
        if isinstance(self.bptt_steps, str):  # 'auto'
            return auto_truncation(T)[1]
        return int(max(1, min(32, T // (10 * bptt_steps))))

    def _series_validation(self, values, Y, start):
        """Score on the last part of the series, the network having run over all of it."""
        def score(theta):
            out = self._forward_all(values, np.array([values.shape[1]]), theta)
            return self._score_rows(out[0, start:], Y[0, start:])
        return score

    def _collection_validation(self, values, lengths, Y):
        def score(theta):
            out = self._forward_all(values, lengths, theta)
            if self._per_step:
                mask = np.arange(values.shape[1])[None, :] < lengths[:, None]
                return self._score_rows(out[mask], Y[mask])
            return self._score_rows(out, Y)
        return score

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
        batch = self._patched(_scaled(raw, self._input_scaler))
        # the network computes in the dtype it was fitted in
        inputs = self._inputs(batch).astype(self.params_.dtype, copy=False)
        out = self._forward_all(inputs, batch.lengths, state=self._start_state(raw))
        return self._unscale_outputs(out), raw

    def _unscale_outputs(self, out):
        return out


def _scaled(batch, standardizer):
    """``batch`` with standardized values (padded steps stay zero), or ``batch`` itself."""
    if standardizer is None:
        return batch
    values = standardizer.transform(batch.values)
    if batch.ragged:
        values[~batch.mask] = 0
    return SequenceBatch(values, batch.lengths, batch.kind, batch.index)


def _split_streams(series, Y, n_streams):
    """Cut one ``(T, F)`` series into ``n_streams`` contiguous pieces (the last takes the rest)."""
    T = series.shape[0]
    piece = T // n_streams
    lengths = np.full(n_streams, piece)
    lengths[-1] = T - piece * (n_streams - 1)
    width = int(lengths.max())
    values = np.zeros((n_streams, width, series.shape[1]), dtype=series.dtype)
    targets = np.zeros((n_streams, width, Y.shape[1]), dtype=Y.dtype)
    for j in range(n_streams):
        s = j * piece
        values[j, : lengths[j]] = series[s: s + lengths[j]]
        targets[j, : lengths[j]] = Y[s: s + lengths[j]]
    return values, targets, lengths


class _SequenceScoreMixin:
    def score(self, X, y, sample_weight=None):
        """R² (regressors) or accuracy (classifiers) over every valid step or sequence.

        Parameters
        ----------
        X, y : as in :meth:`fit`
        sample_weight : array-like of shape (n_rows,), default=None
            One weight per valid step (per-step targets) or per sequence.

        Returns
        -------
        score : float
        """
        out, batch = self._predict_raw(X)
        targets = check_targets(y, batch, task=self._task)
        if self._per_step:
            rows = batch.flat(out)
        else:
            rows = out
        return self._score_rows(rows, targets.flat(), sample_weight=sample_weight, encoded=False)



class SequenceRegressorMixin(_SequenceScoreMixin, RegressorMixin):
    """Squared-error loss, identity output, predictions in the user's layout."""

    _task = "regression"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _loss_name(self, n_out):
        return "squared_error"

    def _fit_target_scaler(self, targets):
        return fit_standardizer(targets.flat(), getattr(self, "scaler", None))

    def _scale_targets(self, targets):
        if self._target_scaler is None:
            return targets
        return targets.replace(self._target_scaler.transform(targets.flat()))

    def _unscale_outputs(self, out):
        return out if self._target_scaler is None else self._target_scaler.inverse(out)

    def _encode_targets(self, targets, first, classes=None):
        if not first and targets.n_outputs != self.n_outputs_:
            raise ValueError(f"y has {targets.n_outputs} outputs; {self.n_outputs_} were seen in the first fit.")
        return targets.values

    def _score_rows(self, pred, y, sample_weight=None, encoded=True):
        return r2_score(y, pred, sample_weight=sample_weight)

    def predict(self, X):
        """Predict a target per step or per sequence, in the layout of the ``y`` given to fit.

        Parameters
        ----------
        X : array-like or list
            Sequences in the layout used for :meth:`fit`.

        Returns
        -------
        y_pred : ndarray or list of ndarray
        """
        out, batch = self._predict_raw(X)
        return restore_layout(out, batch, per_step=self._per_step, squeeze=self._squeeze)

    @available_if(_is_recurrent)
    def generate(self, n_steps, warmup=None):
        """Run the network autonomously: its output at each step becomes its next input.

        The network first reads the series ``warmup`` (teacher forcing: true inputs); its
        output at the last warmup step is the first generated value, which is fed back as
        the next input, and so on — the closed loop a one-step-ahead model is trained for.
        Without ``warmup`` it continues the series seen in fit: from the state after its
        last step and the output there (kept by ``initial_state='continue'``), exactly as
        if that series had been passed as ``warmup`` to a network started from zeros.
        Needs a model fitted with a target per step and ``n_outputs_ == n_features_in_``
        (e.g. ``y[t] = X[t + 1]``).

        Parameters
        ----------
        n_steps : int
            Number of values to generate.
        warmup : array-like of shape (n_warmup, n_features) or None, default=None
            The series that sets the state, ending just before the first generated step
            (started like :meth:`predict` starts a series).  None: continue the series
            seen in the last ``fit`` or ``partial_fit``.

        Returns
        -------
        y_gen : ndarray of shape (n_steps,) or (n_steps, n_outputs)
            The ``n_steps`` values following ``warmup`` (or the fitted series).
            ``y_gen[0]`` is the output at the last step read.

        Examples
        --------
        >>> import numpy as np
        >>> from sktemporal import RNNRegressor
        >>> s = np.sin(0.3 * np.arange(400))[:, None]
        >>> model = RNNRegressor((16,), solver="lbfgs", max_iter=200, random_state=0)
        >>> model = model.fit(s[:-1], s[1:, 0])
        >>> future = model.generate(20, warmup=s[:300])
        >>> bool(np.abs(future - s[300:320, 0]).max() < 0.1)
        True

        Continuing the fitted series (its last input is ``s[-2]``, so the first value
        is the prediction of ``s[-1]``):

        >>> past_the_end = model.generate(21)[1:]   # s[400], s[401], ...
        >>> past_the_end.shape
        (20,)
        """
        check_is_fitted(self, "params_")
        if not self._per_step or self.n_outputs_ != self.n_features_in_:
            raise ValueError(
                "generate feeds each output back as the next input: it needs a model fitted with "
                f"a target per step and as many outputs as input features; this one has "
                f"{self.n_outputs_} output(s) for {self.n_features_in_} feature(s)"
                + ("" if self._per_step else " and a target per sequence") + "."
            )
        if self._bidirectional:
            raise ValueError("generate runs forward in time; a bidirectional network reads the future.")
        check_params({"n_steps": [POSITIVE_INT]}, f"{type(self).__name__}.generate", {"n_steps": n_steps})
        net, theta = self._net, self.params_
        if warmup is None:
            state, y = self._continued_series()
        else:
            raw, _ = validate_sequences(self, warmup, reset=False)
            if raw.kind != "series":
                raise ValueError(
                    "warmup must be one 2-D series (n_warmup, n_features); got a collection of "
                    f"{raw.n_sequences} sequences."
                )
            batch = _scaled(raw, self._input_scaler)
            out, state = self._run_series(self._inputs(batch), self._start_state(raw))
            y = out[-1:]  # (1, n_out), on the network's (scaled) target scale
        one, generated = np.ones(1, dtype=np.intp), np.empty((n_steps, self.n_outputs_), dtype=y.dtype)
        gain, shift = self._output_to_input(theta.dtype)
        with one_blas_thread():
            for k in range(n_steps):
                generated[k] = y[0]
                out, state, _ = net.forward(theta, (y * gain + shift)[None], one, one, state)
                y = out[0]
        net.release()
        generated = self._unscale_outputs(generated)
        check_generated(self, generated, None if warmup is None else raw.flat(),
                        f"{type(self).__name__}.generate")
        return generated[:, 0] if self._squeeze else generated

    def _output_to_input(self, dtype):
        """``(gain, shift)``: a network output, in the user's units, as the next network input.

        ``x̃ = ((ỹ s_y + c_y) − c_x) / s_x`` — the target scaling undone, the input scaling
        applied — as one affine map, computed once for a whole ``generate`` loop.
        """
        gain, shift = np.ones(self.n_outputs_), np.zeros(self.n_outputs_)
        if self._target_scaler is not None:
            gain, shift = self._target_scaler.scale, self._target_scaler.center
        if self._input_scaler is not None:
            gain = gain / self._input_scaler.scale
            shift = (shift - self._input_scaler.center) / self._input_scaler.scale
        return gain.astype(dtype), shift.astype(dtype)

    def _continued_series(self):
        """State and output ``(1, n_out)`` at the end of the fitted series, for ``generate()``."""
        state, last = getattr(self, "last_state_", None), getattr(self, "_last_output", None)
        if getattr(self, "initial_state", "zeros") != "continue" or state is None or last is None:
            if getattr(self, "initial_state", "zeros") != "continue":
                why = f"this model has initial_state={self.initial_state!r}"
            elif state is None:
                why = "this model was last fitted on a collection of sequences"
            else:
                why = "this model was saved by a version that did not keep the last output"
            raise ValueError(
                "generate without warmup continues the series seen in fit from the state kept by "
                f"initial_state='continue', but {why}; pass warmup=<2-D series> (or refit)."
            )
        return [s.copy() for s in state], last[None].copy()


class SequenceClassifierMixin(_SequenceScoreMixin, ClassifierMixin):
    """Log-loss with a logistic (binary) or softmax output; labels per step or per sequence."""

    _task = "classification"

    def _loss_name(self, n_out):
        return "binary_log_loss" if n_out == 1 else "log_loss"

    def _encode_targets(self, targets, first, classes=None):
        labels = targets.flat().ravel()
        if first:
            self.classes_ = check_classes(classes, labels)
        return targets.replace(
            encode_labels(labels, self.classes_, dtype=targets.batch.dtype, binary_single_column=True)
        ).values

    @available_if(_stochastic_solver)
    @with_callbacks
    def partial_fit(self, X, y, classes=None):
        """One epoch over ``(X, y)``; ``classes`` (all labels) is required on the first call.

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

    def _proba_rows(self, out):
        if out.shape[-1] == 1:
            return np.concatenate([1 - out, out], axis=-1)
        return out

    def _score_rows(self, pred, y, sample_weight=None, encoded=True):
        pred_idx = self._proba_rows(pred).argmax(-1)
        if encoded:
            true_idx = y.argmax(-1) if y.shape[-1] > 1 else y[..., 0].astype(int)
            return accuracy_score(true_idx, pred_idx, sample_weight=sample_weight)
        return accuracy_score(np.asarray(y).ravel(), self.classes_[pred_idx], sample_weight=sample_weight)

    def predict_proba(self, X):
        """Class probabilities per step or per sequence (columns ordered as ``classes_``).

        Returns
        -------
        proba : ndarray or list of ndarray
            ``(..., n_classes)`` in the layout of the inputs.
        """
        out, batch = self._predict_raw(X)
        proba = self._proba_rows(out)
        return restore_layout(proba, batch, per_step=self._per_step, squeeze=False)

    def predict(self, X):
        """Predict a label per step or per sequence, in the layout of the ``y`` given to fit.

        Returns
        -------
        y_pred : ndarray or list of ndarray
        """
        out, batch = self._predict_raw(X)
        labels = self.classes_[self._proba_rows(out).argmax(-1)]
        if self._per_step:
            return restore_layout(labels[..., None], batch, per_step=True, squeeze=True)
        return labels
