"""The streaming base of the echo state estimators: fit, partial_fit, the readout and prediction rows.

:class:`_BaseESN` runs the reservoir over a batch, streams the readout rows after the washout
into a :class:`~._readout.RidgeReadout` (or :class:`~._readout.RLSReadout`), solves it, and
computes the raw readout outputs that the regressor and the classifier turn into predictions.
"""

from __future__ import annotations

import copy

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.validation import check_is_fitted

from ..exceptions import DivergenceError
from ..utils import TSLEARN_HINT, validate_sequences
from ..utils._continuation import remember_fitted_series
from ..utils._dask import is_dask_array
from ..utils._fit_checks import check_n_outputs, check_target_layout, check_y_given
from ..utils._param_validation import NON_NEGATIVE_REAL, POSITIVE_INT, Interval, Real, StrOptions
from ..utils._range import record_target_range
from ._dask import fit_dask
from ._pooling import pooled_kinds
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
from ._states import OutputFeedback, scatter_rows

__all__ = ["READOUT_CONSTRAINTS", "_BaseESN", "expect_rows"]

#: The readout parameters of ESNRegressor and ESNClassifier (the CV classes choose ``alpha``
#: among ``alphas`` and have none of them).
READOUT_CONSTRAINTS = {
    "alpha": [NON_NEGATIVE_REAL],
    "solver": [StrOptions({"ridge", "rls"})],
    "forgetting": [Interval(Real, 0, 1, closed="right")],
    "keep_training_state": ["boolean"],
}


def expect_rows(readout, batch, washout):
    """Tell ``readout`` how many rows it will hold once ``batch`` is added (the float32 sums' guard).

    ``washout``: the steps left out of each sequence (per-step rows), or None for one row
    per sequence.  Never lowers an expectation set by the caller (a dask chunk knows the
    whole series; a cross-validation's blocks, the whole batch).
    """
    if not hasattr(readout, "float32_rows"):  # RLS keeps no sums
        return
    if washout is None:
        rows = batch.n_sequences
    else:
        rows = int(np.maximum(np.asarray(batch.lengths) - washout, 0).sum())
    readout.float32_rows = max(readout.float32_rows or 0, readout.n + rows)


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
        "n_segments": [POSITIVE_INT],
        "noise": [NON_NEGATIVE_REAL],
        **READOUT_CONSTRAINTS,
    }

    def _check_params(self):
        check_reservoir_params(self)
        self._check_readout_params()

    def _check_readout_params(self):
        """What the table cannot say about the readout parameters (nothing for a plain ESN)."""

    def _n_readout_features(self, n_features, per_step):
        k = 1 if per_step else len(pooled_kinds(self.pooling, self._fitted_n_segments()))
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
        check_y_given(self, y)
        batch, targets = validate_sequences(self, X, y, reset=first, task=self._task)
        _check_input_scaling(self, batch.n_features)
        if not first:
            check_target_layout(targets.per_step, self._per_step)
        Y = self._encode_targets(targets, first, classes)
        if not is_classifier(self):
            record_target_range(self, targets.flat(), first)
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
        continuing = not first and self._continues(batch, restart_fitted=False)
        self._check_washout(batch, required=not continuing and (targets.per_step or self.pooling != "last"))
        if first:
            self._init_model(batch, targets, Y, self.alpha, statistics)
        else:
            check_n_outputs(Y.shape[-1], self.n_outputs_)
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
        expect_rows(readout, batch, washout if self._per_step else None)
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
        remember_fitted_series(self, batch)

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
