r"""Closed-loop generation of an echo state regressor and its horizon-calibrated intervals.

:class:`GenerationMixin` gives the regressors ``generate`` (the network run autonomously,
its outputs fed back) and ``calibrate_generate`` (the closed-loop error per horizon measured
on held-out data, which ``generate(return_std=True)`` adds to the readout's one-step
predictive variance).
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..utils import TSLEARN_HINT, validate_sequences
from ..utils._fit_checks import check_closed_loop
from ..utils._param_validation import POSITIVE_INT, check_params
from ..utils._range import check_generated
from ._states import Readout, RecurrentProduct, Update, final_state, run_autonomous

__all__ = ["GenerationMixin"]


class GenerationMixin:
    """``generate`` and ``calibrate_generate`` of the echo state regressors."""

    def _generation_mode(self, n_steps, caller):
        """The checks of generate and calibrate_generate; whether the outputs become the next inputs."""
        check_is_fitted(self, "coef_")
        self._check_params()
        check_params({"n_steps": [POSITIVE_INT]}, f"{type(self).__name__}.{caller}", {"n_steps": n_steps})
        outputs_as_inputs = not self.feedback
        check_closed_loop(self, caller, outputs_as_inputs=outputs_as_inputs,
                          alternative="Or fit with feedback=True: the outputs then return through W_fb.")
        return outputs_as_inputs

    def _closed_loop(self, h, x, n_steps, product, outputs_as_inputs):
        """:func:`run_autonomous` with this model's weights, in the dtype of ``h``."""
        dtype = h.dtype
        W_fb = self.feedback_weights_.astype(dtype, copy=False) if self.feedback else None
        update = Update(self.input_weights_.astype(dtype, copy=False), product, float(self.leak_rate),
                        self.activation)
        readout = Readout(self.coef_.astype(dtype, copy=False), self.intercept_.astype(dtype, copy=False),
                          self.include_input)
        return run_autonomous(update, readout, h=h, x=x, n_steps=int(n_steps),
                              outputs_as_inputs=outputs_as_inputs, W_fb=W_fb)

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
        check_generated(self, out, None if warmup is None or not outputs_as_inputs else batch.values[0],
                        f"{type(self).__name__}.generate")
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
