"""The shared estimator behind every trained network of the package.

Data flows one way: validate (the data contract) → arrange training data (streams and
chunks) → network → loss → optimizer; and at predict time validate → network → the
user's layout.  Subclasses say which network to build (:meth:`_build_network`) and how
to arrange a sequence's inputs (:meth:`_inputs`); the hooks ``_prepare_targets``,
``_training_network``, ``_training_data``, ``_arrange`` and ``_batch_size`` let them change
one step of the flow (Jordan teacher forcing, TDNN rows, Seq2Seq decoder inputs).
"""

import numbers
from abc import abstractmethod

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ..utils._blas import one_blas_thread
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
from ..utils._sequences import check_targets, restore_layout, validate_sequences
from ._loss import OUTPUT_ACTIVATION
from ._online import ONLINE_SOLVERS, fit_online
from ._training import TrainingData, fit_lbfgs, fit_stochastic, time_major

__all__ = ["BaseSequenceNetwork", "SequenceRegressorMixin", "SequenceClassifierMixin"]

_SOLVERS = ("adam", "sgd", "lbfgs")
_SCHEDULES = ("constant", "invscaling", "adaptive")
_HALF_OPEN_UNIT = Interval(Real, 0, 1, closed="left")

#: Constraints of the parameters every trained network shares (scikit-learn's MLP names);
#: each estimator's ``_parameter_constraints`` is this table with its own entries added
#: (and the ones it lacks removed).
NETWORK_CONSTRAINTS = {
    "hidden_layer_sizes": ["array-like", POSITIVE_INT],
    "bidirectional": ["boolean"],
    "bptt_steps": [POSITIVE_INT, None],
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
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "beta_1": [_HALF_OPEN_UNIT],
    "beta_2": [_HALF_OPEN_UNIT],
    "epsilon": [POSITIVE_REAL],
    "n_iter_no_change": [POSITIVE_INT],
    "max_fun": [POSITIVE_INT],
    # None or a non-zero int (scikit-learn's convention; -1: all CPUs)
    "n_jobs": [Interval(Integral, None, -1, closed="right"), POSITIVE_INT, None],
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


class BaseSequenceNetwork(BaseEstimator):
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

    def _training_data(self, values, lengths, Y, per_step):
        """What the training loop iterates over; subclasses may add inputs (teacher forcing)."""
        return TrainingData(values, lengths, Y, per_step, self.bptt_steps)

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
        if getattr(self, "bidirectional", False) and self.bptt_steps is not None:
            raise ValueError(
                "bidirectional=True needs whole sequences (the backward direction reads the "
                "future); it cannot be combined with truncated BPTT (bptt_steps="
                f"{self.bptt_steps}). Set bptt_steps=None."
            )

    # --------------------------------------------------------------------- fit
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
        first = not ((incremental or self.warm_start) and hasattr(self, "params_"))
        batch, _ = validate_sequences(self, X, reset=first)
        targets = check_targets(self._prepare_targets(y, batch, first), batch, task=self._task)
        Y = self._encode_targets(targets, first, classes)
        if first:
            self._per_step, self._squeeze = targets.per_step, targets.squeeze
            self.n_outputs_ = Y.shape[-1]  # classifiers: one column per class (or one for two)
            self._random_state = check_random_state(self.random_state)
        elif targets.per_step != self._per_step:
            raise ValueError(
                "y must keep the layout seen in the first fit: a target "
                f"{'per step' if self._per_step else 'per sequence'} was learned, got one "
                f"{'per step' if targets.per_step else 'per sequence'}."
            )
        n_out = Y.shape[-1]
        out_act = OUTPUT_ACTIVATION[self._loss_name(n_out)]
        inputs = self._inputs(batch)
        self._net = self._build_network(inputs.shape[2], n_out, targets.per_step, out_act)
        if first:
            self.params_ = self._net.layout.zeros(batch.dtype)
            self._net.initialize(self.params_, self._random_state)
            self.loss_curve_, self.n_iter_, self.t_ = [], 0, 0
            self.best_loss_, self._no_improvement_count = np.inf, 0
            self.validation_scores_, self.best_validation_score_ = None, None
        elif self.params_.size != self._net.layout.size:
            raise ValueError("The network's shape changed since the first fit; refit from scratch.")
        if self.params_.dtype != batch.dtype:
            self.params_ = self.params_.astype(batch.dtype)
        data, validation = self._arrange(batch, inputs, Y, targets, incremental)
        net = self._training_network(n_out, targets.per_step, out_act)
        if validation is not None and not self.validation_scores_:  # (only 'sgd' and 'adam' validate)
            self.validation_scores_, self.best_validation_score_ = [], -np.inf
        try:
            with one_blas_thread():
                if self.solver in ONLINE_SOLVERS:
                    fit_online(self, net, self.params_, data, self._loss_name(n_out), incremental)
                elif self.solver == "lbfgs":
                    fit_lbfgs(self, net, self.params_, data, self._loss_name(n_out), self._batch_size(data))
                else:
                    fit_stochastic(self, net, self.params_, data, self._loss_name(n_out),
                                   self._batch_size(data), validation, incremental)
        finally:  # cells reuse scratch arrays from batch to batch; a fitted model keeps none
            net.release()
            self._net.release()
        if self.validation_scores_ is None or self.solver == "lbfgs" or not self.early_stopping:
            self.validation_scores_ = self.best_validation_score_ = None
        if self.early_stopping and self.solver != "lbfgs" and not incremental:
            self.best_loss_ = None
        return self

    def _batch_size(self, data):
        if self.batch_size == "auto":
            # sequences, not rows: Keras' and PyTorch's customary 32
            return min(32, data.n_sequences)
        return min(self.batch_size, data.n_sequences)

    def _arrange(self, batch, inputs, Y, targets, incremental):
        """Training data (and a validation scorer when early stopping)."""
        values, lengths = inputs, batch.lengths
        validation = None
        use_val = self.early_stopping and self.solver != "lbfgs" and not incremental
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
            if self.bptt_steps is not None:
                values, Y, lengths = _split_streams(values[0], Y[0], self._n_streams(T))
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
        return self._training_data(values, lengths, Y, targets.per_step), validation

    def _n_streams(self, T):
        """Parallel contiguous streams a single series is cut into for truncated BPTT."""
        if self.batch_size != "auto":
            return max(1, min(self.batch_size, T // self.bptt_steps))
        return int(max(1, min(32, T // (10 * self.bptt_steps))))

    def _series_validation(self, values, Y, start):
        """Score on the last part of the series, the network having run over all of it."""
        def score():
            out = self._forward_all(values, np.array([values.shape[1]]))
            return self._score_rows(out[0, start:], Y[0, start:])
        return score

    def _collection_validation(self, values, lengths, Y):
        def score():
            out = self._forward_all(values, lengths)
            if self._per_step:
                mask = np.arange(values.shape[1])[None, :] < lengths[:, None]
                return self._score_rows(out[mask], Y[mask])
            return self._score_rows(out, Y)
        return score

    # ----------------------------------------------------------------- predict
    def _forward_all(self, values, lengths, batch_size=256):
        """Network outputs for all sequences, batch-first, in the original order."""
        n = len(lengths)
        order = np.argsort(-lengths, kind="stable")
        outs = []
        with one_blas_thread():
            for start in range(0, n, batch_size):
                # already in length order: time_major keeps it (a stable sort)
                _, L, X, active = time_major(values, lengths, order[start: start + batch_size])
                out, _, _ = self._net.forward(self.params_, X, active.sum(axis=1), L)
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
        check_is_fitted(self, "params_")
        batch, _ = validate_sequences(self, X, reset=False)
        # the network computes in the dtype it was fitted in
        inputs = self._inputs(batch).astype(self.params_.dtype, copy=False)
        return self._forward_all(inputs, batch.lengths), batch

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
    def generate(self, n_steps, warmup):
        """Run the network autonomously: its output at each step becomes its next input.

        The network first reads the series ``warmup`` (teacher forcing: true inputs); its
        output at the last warmup step is the first generated value, which is fed back as
        the next input, and so on — the closed loop a one-step-ahead model is trained for.
        Needs a model fitted with a target per step and ``n_outputs_ == n_features_in_``
        (e.g. ``y[t] = X[t + 1]``).

        Parameters
        ----------
        n_steps : int
            Number of values to generate.
        warmup : array-like of shape (n_warmup, n_features)
            The series that sets the state, ending just before the first generated step.

        Returns
        -------
        y_gen : ndarray of shape (n_steps,) or (n_steps, n_outputs)
            The ``n_steps`` values following ``warmup``.

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
        """
        check_is_fitted(self, "params_")
        if not self._per_step or self.n_outputs_ != self.n_features_in_:
            raise ValueError(
                "generate feeds each output back as the next input: it needs a model fitted with "
                f"a target per step and as many outputs as input features; this one has "
                f"{self.n_outputs_} output(s) for {self.n_features_in_} feature(s)"
                + ("" if self._per_step else " and a target per sequence") + "."
            )
        if getattr(self, "bidirectional", False):
            raise ValueError("generate runs forward in time; a bidirectional network reads the future.")
        check_params({"n_steps": [POSITIVE_INT]}, f"{type(self).__name__}.generate", {"n_steps": n_steps})
        batch, _ = validate_sequences(self, warmup, reset=False)
        if batch.kind != "series":
            raise ValueError(
                "warmup must be one 2-D series (n_warmup, n_features); got a collection of "
                f"{batch.n_sequences} sequences."
            )
        net, theta = self._net, self.params_
        X = np.ascontiguousarray(self._inputs(batch).astype(theta.dtype, copy=False).transpose(1, 0, 2))
        T = X.shape[0]
        with one_blas_thread():
            out, state, _ = net.forward(theta, X, np.ones(T, dtype=np.intp), np.array([T]))
            y = out[-1]
            one, generated = np.ones(1, dtype=np.intp), np.empty((n_steps, self.n_outputs_), dtype=out.dtype)
            for k in range(n_steps):
                generated[k] = y[0]
                out, state, _ = net.forward(theta, y[None], one, one, state)
                y = out[0]
        net.release()
        return generated[:, 0] if self._squeeze else generated


class SequenceClassifierMixin(_SequenceScoreMixin, ClassifierMixin):
    """Log-loss with a logistic (binary) or softmax output; labels per step or per sequence."""

    _task = "classification"

    def _loss_name(self, n_out):
        return "binary_log_loss" if n_out == 1 else "log_loss"

    def _encode_targets(self, targets, first, classes=None):
        labels = targets.flat().ravel()
        if first:
            if classes is not None:
                self.classes_ = np.unique(np.asarray(classes))
            else:
                self.classes_ = np.unique(labels)
            if len(self.classes_) < 2 and classes is None:
                raise ValueError(
                    f"The number of classes has to be greater than one; got {len(self.classes_)} class."
                )
        unknown = np.setdiff1d(labels, self.classes_)
        if unknown.size:
            raise ValueError(
                f"y contains labels not seen in the first fit: {unknown[:5].tolist()}; "
                f"known classes are {self.classes_.tolist()}."
            )
        codes = np.searchsorted(self.classes_, labels)
        K = len(self.classes_)
        dtype = targets.batch.dtype
        if K == 2:
            onehot = codes[:, None].astype(dtype)
        else:
            onehot = np.zeros((codes.size, K), dtype=dtype)
            onehot[np.arange(codes.size), codes] = 1
        return targets.replace(onehot).values

    @available_if(_stochastic_solver)
    def partial_fit(self, X, y, classes=None):
        """One epoch over ``(X, y)``; ``classes`` (all labels) is required on the first call.

        Returns
        -------
        self : object
        """
        if not hasattr(self, "classes_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        return self._fit(X, y, incremental=True, classes=classes if not hasattr(self, "classes_") else None)

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
