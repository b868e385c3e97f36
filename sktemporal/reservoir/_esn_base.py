"""The streaming base of the echo state estimators: fit, partial_fit and the prediction rows.

:class:`_BaseESN` validates the data, builds the :class:`~._model.ReservoirModel` of a fit
(new weights and empty sums, or a copy of the fitted ones for ``partial_fit``), lets it
stream the readout rows of a batch into its readout and solve it, publishes from it,
and computes the raw readout outputs that the regressor and the classifier turn into
predictions.
"""

from __future__ import annotations

import copy

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.validation import check_is_fitted

from ..utils import TSLEARN_HINT, validate_sequences
from ..utils._continuation import remember_fitted_series
from ..utils._dask import is_dask_array
from ..utils._fit_checks import check_n_outputs, check_target_layout, check_y_given
from ..utils._param_validation import NON_NEGATIVE_REAL, POSITIVE_INT, Interval, Real, StrOptions
from ..utils._range import record_target_range
from ._dask import fit_dask
from ._model import washout_applies
from ._pooling import pooled_kinds
from ._readout import RidgeReadout, RLSReadout
from ._reservoir import POOLINGS, RESERVOIR_CONSTRAINTS, _BaseReservoir, _check_input_scaling, check_reservoir_params

__all__ = ["READOUT_CONSTRAINTS", "_BaseESN"]

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
        """New weights and empty sums for a first fit: the :class:`~._model.ReservoirModel` to train.

        ``statistics``: see ``_init_reservoir``.  The weights and the target layout are set
        on the estimator (a shadow); the sums and the noise generator live in the model
        until :meth:`_publish_model`.
        """
        self._forget_generation_calibration()  # (the CV classes' fit comes here, not through _fit)
        rs = self._init_reservoir(batch, Y.shape[-1], statistics)
        self._cast_weights(batch.dtype)
        noise_rng = np.random.RandomState(rs.randint(np.iinfo(np.int32).max))
        self._per_step = targets.per_step
        self._squeeze = targets.squeeze
        self.n_outputs_ = Y.shape[-1]
        D = self._n_readout_features(batch.n_features, targets.per_step)
        if getattr(self, "solver", "ridge") == "rls":
            readout = RLSReadout(D, self.n_outputs_, alpha, self.forgetting)
        else:
            n_extra = batch.n_features if self.include_input and targets.per_step else 0
            readout = RidgeReadout(D, self.n_outputs_, alpha, n_extra=n_extra)
        model = self._reservoir_model(readout)
        model.noise_rng = noise_rng
        return model

    def _continued_model(self):
        """The :class:`~._model.ReservoirModel` of the fitted estimator, for ``partial_fit`` to add to.

        The published training state is never updated in place: the model holds copies
        of the sums and of the noise generator.
        """
        model = self._reservoir_model(self._readout.copy())
        model.noise_rng = copy.deepcopy(self._noise_rng)
        return model

    def _publish_model(self, model, coef, intercept, batch=None):
        """Take the trained ``model``'s sums, noise generator and series end, and its solved weights.

        ``batch``: the data fitted in memory, whose series a later ``predict`` recognises
        (see :mod:`~sktemporal.utils._continuation`); None on dask (the array's name is kept).
        """
        self._readout = model.readout
        self._noise_rng = model.noise_rng
        self.coef_, self.intercept_ = coef, intercept
        self._keep_end(model.end)
        if batch is not None:
            remember_fitted_series(self, batch)

    def _keep_end(self, end):
        """Keep what continuing a series needs (a :class:`~._model.SeriesEnd`); None for a collection."""
        if end is None:
            self.last_state_ = None
        else:
            self.last_state_, self._last_target, self._last_input = end

    def _fit_into(self, X, y, *, incremental, classes=None, statistics=None):
        """The whole fit, on a shadow (see :meth:`_fit`); ``statistics`` as in ``_init_reservoir``."""
        first = not incremental or not hasattr(self, "coef_")
        batch, targets, Y = self._prepare(X, y, first, classes)
        continuing = not first and self._continues(batch, restart_fitted=False)
        self._check_washout(batch, required=not continuing and washout_applies(targets.per_step, self.pooling))
        if first:
            model = self._init_model(batch, targets, Y, self.alpha, statistics)
        else:
            check_n_outputs(Y.shape[-1], self.n_outputs_)
            model = self._continued_model()
        model.accumulate(batch, Y, continuing=continuing, washout=0 if continuing else self.washout)
        model.check_growth(model.readout, batch.values)
        self._publish_model(model, *model.solve(model.readout, None, batch.dtype), batch)

    def _solve(self, readout, alpha, dtype):
        """Readout weights in ``dtype`` (:meth:`~._model.ReservoirModel.solve`)."""
        return self._reservoir_model().solve(readout, alpha, dtype)

    # --------------------------------------------------------------------- predict
    def _output_feedback(self, batch, continuing, coef, intercept):
        """The outputs fed back (:meth:`~._model.ReservoirModel.output_feedback`)."""
        return self._reservoir_model().output_feedback(batch, continuing, coef, intercept)

    def _decision(self, X, spread=None):
        """Raw readout outputs: ``(n_sequences, max_length, n_outputs)`` per step, else ``(n, n_outputs)``.

        With ``spread`` (a function of the readout rows' column parts, see
        ``_ESNRegressorBase._spread``) also returns its values for every row, streamed
        in the same pass: ``(out, batch, spread_out)``.  The outputs come from
        :meth:`~._model.ReservoirModel.outputs`.
        """
        check_is_fitted(self, "coef_")
        self._check_params()
        batch, _ = validate_sequences(self, X, reset=False)
        model = self._reservoir_model()
        if not self._per_step:
            if batch.kind == "series":
                raise ValueError(
                    f"{type(self).__name__} was fitted with one target per sequence (a "
                    "collection); predict needs a collection too, 3-D or a list of 2-D "
                    f"arrays, but got one 2-D series. {TSLEARN_HINT}"
                )
            model.check_washout(batch)
        continuing = self._per_step and self._continues(batch)
        out, spread_out = model.outputs(batch, self.coef_, self.intercept_, continuing=continuing, spread=spread)
        return (out, batch) if spread is None else (out, batch, spread_out)

    def _valid_rows(self, out, batch):
        return batch.flat(out) if self._per_step else out
