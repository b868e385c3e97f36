"""The task of a network estimator: regression (squared error, ``generate``) or classification.

Mixed in before the family's base (``class RNNRegressor(SequenceRegressorMixin, _BaseRNN)``):
each mixin names the loss and output activation, encodes and scales the targets, scores
and predicts in the layout of the ``y`` given to fit.
"""

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ..utils._batch import restore_layout
from ..utils._blas import one_blas_thread
from ..utils._callbacks import with_callbacks
from ..utils._fit_checks import check_closed_loop, check_n_outputs
from ..utils._labels import check_classes, check_partial_fit_classes, encode_labels
from ..utils._param_validation import POSITIVE_INT, check_params
from ..utils._range import check_generated
from ..utils._scaling import fit_standardizer
from ..utils._sequences import validate_sequences
from ..utils._targets import check_targets
from ._base import scaled_batch, stochastic_solver

__all__ = ["SequenceClassifierMixin", "SequenceRegressorMixin"]


def _is_recurrent(est):
    if not est._recurrent:
        raise AttributeError(f"{type(est).__name__} has no recurrent state to run autonomously.")
    return True


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
        if not first:
            check_n_outputs(targets.n_outputs, self.n_outputs_)
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
        check_closed_loop(self, "generate")
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
            batch = scaled_batch(raw, self._input_scaler)
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

    @available_if(stochastic_solver)
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
