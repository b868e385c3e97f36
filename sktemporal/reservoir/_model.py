r"""The model a streamed fit drives: the drawn weights, the state update, the readout sums; no estimator.

:class:`ReservoirModel` holds what running the reservoir and training its readout need:
the fixed weights :math:`W`, :math:`W_{in}` (the ``scaler`` folded in), :math:`W_{fb}`,
the leak rate and activation of the update

.. math::

    \tilde h(n) = f\big(W_{in} [1; x(n)] + W h(n-1) + W_{fb}\, y(n-1)\big), \qquad
    h(n) = (1 - a)\, h(n-1) + a\, \tilde h(n),

the layout of the readout rows (per step :math:`[h(n); x(n)]` after the washout, or one
pooled row per sequence), the state noise and its generator, and the readout's sums.
The estimator builds it from its fitted attributes (or from freshly drawn weights) and
publishes from it when the fit succeeds; the in-memory fit, the cross-validation's pass
and the dask tasks (:mod:`._dask`, :mod:`._dask_cv`) drive it and never see the
estimator.  :meth:`ReservoirModel.accumulate` is the one place where a series and a
collection part ways (what the fit remembers at the end: :class:`SeriesEnd` or None).

The divergence checks of a fit (growth of the states, saturation, non-finite sums) live
here too: they read the model's sums.
"""

from __future__ import annotations

import copy
import types
import warnings
from typing import NamedTuple

import numpy as np

from ..exceptions import DivergenceError, SaturationWarning
from ..utils import check_sequences, check_targets
from ..utils._continuation import continues_fitted_series
from ..utils._fit_checks import check_target_layout
from ..utils._labels import encode_labels
from ..utils._sequences import _check_min_length
from ._pooling import pooled_features
from ._states import OutputFeedback, RecurrentProduct, Update, run_states, scatter_rows, segment_rows

__all__ = [
    "DIVERGENCE_ADVICE",
    "GROWTH_LIMIT",
    "ReservoirModel",
    "SeriesEnd",
    "check_state_growth",
    "check_washout",
    "encode_targets",
    "expect_rows",
    "input_drive",
    "warn_saturation",
    "washout_applies",
]

DIVERGENCE_ADVICE = (
    "lower spectral_radius (below 1 for activation='relu' or 'identity', whose states "
    "are unbounded), lower input_scaling or bias_scaling, use activation='tanh', or "
    "standardise the inputs (scaler='standard')"
)

#: States larger than this many times the largest input drive count as diverged.
GROWTH_LIMIT = 1e8

#: A ``tanh`` unit whose RMS state exceeds SATURATED_RMS sits at ±1 nearly all the time; a fit
#: warns when at least SATURATED_SHARE of the units do (inputs in the hundreds: all of them;
#: the log airline windows, values near 5-6: about 75 %; standardised inputs: none).
SATURATED_RMS, SATURATED_SHARE = 0.99, 0.95


def _name(owner):
    """The class named in a message: the estimator's (a model carries its estimator's name)."""
    return getattr(owner, "name", None) or type(owner).__name__


def warn_saturation(est, state_rms):
    """A :class:`~sktemporal.exceptions.SaturationWarning` when nearly every ``tanh`` unit is saturated.

    ``est``: the estimator or its :class:`ReservoirModel`; ``state_rms``: the RMS state
    of each reservoir unit over the fitted steps.
    """
    if est.activation != "tanh" or state_rms.size == 0:
        return
    saturated = int(np.count_nonzero(state_rms > SATURATED_RMS))
    if saturated >= SATURATED_SHARE * state_rms.size:
        scaled = "" if est.scaler is None else f" (scaler={est.scaler!r} is on: lower input_scaling)"
        warnings.warn(
            f"{saturated} of the {state_rms.size} reservoir units of {_name(est)} are "
            f"saturated (RMS state above {SATURATED_RMS}){scaled}: the tanh units sit at ±1, so the "
            "reservoir barely reflects the input values or its own past. The inputs are "
            "probably far from unit scale: pass scaler='standard' (with input_scaling about "
            "0.1-1), or scale the inputs before the network.",
            SaturationWarning,
            stacklevel=6,  # the caller of ESNRegressor.fit / ESNClassifier.fit
        )


def input_drive(W_in, values):
    r"""Largest possible input drive :math:`\max_i \sum_j |W_{in, ij}| \max(1, \max |x|)` of a unit.

    The yardstick of divergence for unbounded activations (``'relu'``, ``'identity'``):
    a contractive reservoir keeps its states within a moderate multiple of it, a
    diverging one (spectral radius above 1) grows geometrically past any multiple.
    """
    return float(np.abs(W_in).sum(axis=1).max() * max(1.0, float(np.abs(values).max(initial=0.0))))


def check_state_growth(est, magnitude, drive):
    """Raise a DivergenceError when a state magnitude is non-finite or beyond :data:`GROWTH_LIMIT` x drive."""
    if not np.isfinite(magnitude) or magnitude > GROWTH_LIMIT * max(drive, 1e-300):
        seen = ("became infinite or NaN" if not np.isfinite(magnitude)
                else f"grew to {magnitude:.3g}, more than {GROWTH_LIMIT:g} times the largest input drive {drive:.3g}")
        raise DivergenceError(
            f"{_name(est)} diverged: the reservoir states {seen} (activation="
            f"{est.activation!r}, spectral_radius={est.spectral_radius}, input_scaling="
            f"{est.input_scaling!r}). To fix it, {DIVERGENCE_ADVICE}."
        )


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


def washout_applies(per_step, pooling):
    """Whether sequences started from zeros must outlast the washout: rows per step, or mean pooling."""
    return per_step or pooling != "last"


def check_washout(batch, washout, required):
    """Sequences must outlast the ``washout`` when it applies (a start from zeros, mean pooling)."""
    if required and washout:
        _check_min_length(batch, "X", washout + 1, f"washout={washout}")


def encode_targets(targets, classes):
    """The targets as the readout fits them: the values, or one-hot columns of ``classes`` (a classifier)."""
    if classes is None:
        return targets.values
    labels = targets.flat().ravel()
    return targets.replace(encode_labels(labels, classes, dtype=targets.batch.dtype)).values


class SeriesEnd(NamedTuple):
    """Where a fitted series ended: what continuing it needs (``initial_state='continue'``)."""

    state: np.ndarray  #: h(T - 1), shape (N,)
    target: np.ndarray | None  #: y(T - 1), fed back at the next step (``feedback=True``)
    input: np.ndarray | None  #: x(T - 1)


class ReservoirModel:
    """The weights, the update, the readout rows' layout and the readout sums of one fit.

    Built by the estimator (``_BaseReservoir._reservoir_model``) from its fitted
    attributes; holds no reference to it, so a dask task receives this (a few arrays and
    numbers), not the estimator.

    Parameters
    ----------
    est : fitted reservoir estimator (weights drawn)
        Read once, here; its attributes are never written.
    readout : RidgeReadout, RLSReadout or None, default=None
        The sums the fit adds to (a copy of the published ones for ``partial_fit``).

    Attributes
    ----------
    start : SeriesEnd or None
        The state a continued series starts from (the end of the fitted series).
    end : SeriesEnd or None
        Set by :meth:`accumulate`: the end of the series just fitted, None for a collection.
    """

    def __init__(self, est, readout=None):
        self.name = type(est).__name__
        self.W = est.reservoir_weights_
        self.W_in = est.input_weights_
        self.W_fb = getattr(est, "feedback_weights_", None) if est._feedback else None
        self.leak_rate = est._fitted_leak_rate()
        self.activation = est.activation
        self.n_reservoir = est.n_reservoir
        self.include_input = est.include_input
        self.pooling = est.pooling
        self.washout = est.washout
        self.noise = getattr(est, "noise", 0.0)
        self.per_step = getattr(est, "_per_step", True)
        self.task = getattr(est, "_task", None)
        # the segments of the mean pooling, read for pooled rows only (an estimator's
        # per-step model pickled before the parameter existed has no choice recorded)
        self.n_segments = est._fitted_n_segments() if self.task is None or not self.per_step else None
        self.classes = getattr(est, "classes_", None) if self.task == "classification" else None
        self.n_outputs = getattr(est, "n_outputs_", None)
        self.squeeze = getattr(est, "_squeeze", False)
        # named by the divergence messages
        self.spectral_radius, self.input_scaling, self.scaler = est.spectral_radius, est.input_scaling, est.scaler
        self.readout = readout
        self.noise_rng = getattr(est, "_noise_rng", None)
        last = getattr(est, "last_state_", None)
        self.start = None if last is None else SeriesEnd(
            last, getattr(est, "_last_target", None), getattr(est, "_last_input", None))
        self.end = None
        # what the continuation rule reads (utils._continuation), copied from the estimator
        self._continuation = types.SimpleNamespace(
            initial_state=getattr(est, "initial_state", "zeros"), last_state_=last,
            _fitted_series=getattr(est, "_fitted_series", None))

    def continues(self, batch, restart_fitted=True):
        """Whether this 2-D series continues the fitted one (see :mod:`~sktemporal.utils._continuation`)."""
        return continues_fitted_series(self._continuation, batch, restart_fitted=restart_fitted)

    # -------------------------------------------------------------------- states
    def states(self, batch, *, continuing, W_in=None, values=None, noise=0.0, noise_rng=None,
               feedback=None, product=None):
        """Segments of reservoir states for every sequence of ``batch`` (see :func:`~._states.run_states`).

        ``continuing``: the series starts from ``start.state`` (else zeros); ``W_in`` and
        ``values`` replace the input weights and inputs (teacher forcing); ``product`` is
        a :class:`~._states.RecurrentProduct` of the caller's to reuse (default: a new one).
        """
        dtype = batch.dtype
        values = batch.values if values is None else values
        W_in = self.W_in if W_in is None else W_in
        if product is None:
            product = RecurrentProduct(self.W, dtype)
        h0 = self.start.state[None, :] if continuing else None
        update = Update(W_in.astype(dtype, copy=False), product, self.leak_rate, self.activation)
        return run_states(values, batch.lengths, update, h0=h0, noise=noise, noise_rng=noise_rng,
                          feedback=feedback)

    def readout_rows(self, batch, segment, washout):
        """Readout rows of one segment as column parts ``[H]`` or ``[H, X]`` (time-major).

        Returns the parts (never concatenated: the readout works on them block by block)
        and the first time step included.
        """
        H, start = segment_rows(segment, washout)
        if not self.include_input or H.shape[0] == 0:
            return [H], start
        X = batch.values[segment.columns, start:segment.t1]
        return [H, X.transpose(1, 0, 2).reshape(-1, batch.n_features)], start

    def pooled_features(self, batch, segments, washout):
        """Pooled readout features of a collection, ``(n_sequences, k)`` (see :mod:`._pooling`)."""
        return pooled_features(self, batch, segments, washout)

    def check_washout(self, batch, continuing=False):
        """Sequences started from zeros must outlast the washout (see :func:`washout_applies`)."""
        check_washout(batch, self.washout, not continuing and washout_applies(self.per_step, self.pooling))

    # ------------------------------------------------------------------ training
    def chunk(self, x, y):
        """A chunk of a dask fit as ``(batch, Y)``: checked like the data the model was fitted on, encoded."""
        batch = check_sequences(x)
        targets = check_targets(y, batch, task=self.task or "regression")
        check_target_layout(targets.per_step, self.per_step, what="A chunk of y")
        return batch, encode_targets(targets, self.classes)

    def for_chunk(self, readout, noise_seed):
        """A copy that fills ``readout`` with the noise drawn from ``noise_seed`` (one dask task)."""
        m = copy.copy(self)
        m.readout, m.end = readout, None
        m.noise_rng = np.random.RandomState(noise_seed)
        return m

    def shipped(self):
        """A copy to send to the workers: without the sums and the noise generator of the client."""
        m = copy.copy(self)
        m.readout = m.noise_rng = m.end = None
        return m

    def accumulate(self, batch, Y, *, continuing, washout):
        """Run the reservoir over ``batch`` and add its readout rows (after ``washout``) to the sums.

        Per-step targets (a series or a collection): every valid step from ``washout`` on,
        the series continued from :attr:`start` when ``continuing``; targets per
        sequence: one pooled row per sequence.  Sets :attr:`end`.
        """
        expect_rows(self.readout, batch, washout if self.per_step else None)
        if self.per_step:
            self._accumulate_steps(batch, Y, continuing, washout)
        else:
            segments = self.states(batch, continuing=False, noise=self.noise, noise_rng=self.noise_rng)
            self.readout.partial_fit(self.pooled_features(batch, segments, washout), Y)
            self.end = None

    def _teacher_forced(self, batch, Y, continuing):
        """Inputs and input weights with the previous targets appended (``feedback=True``)."""
        if self.W_fb is None:
            return batch.values, None
        # teacher forcing: y(n-1) is known, so W_fb y(n-1) joins the input projection
        y0 = self.start.target if continuing else np.zeros(Y.shape[-1], dtype=Y.dtype)
        shifted = np.concatenate([np.broadcast_to(y0, (Y.shape[0], 1, Y.shape[2])), Y[:, :-1]], axis=1)
        values = np.concatenate([batch.values, shifted.astype(batch.dtype)], axis=2)
        return values, np.hstack([self.W_in, self.W_fb])

    def _accumulate_steps(self, batch, Y, continuing, washout):
        """Stream the readout rows of every valid step after the washout into the sums."""
        values, W_in = self._teacher_forced(batch, Y, continuing)
        segments = self.states(batch, continuing=continuing, W_in=W_in, values=values,
                               noise=self.noise, noise_rng=self.noise_rng)
        for seg in segments:
            parts, start = self.readout_rows(batch, seg, washout)
            if parts[0].shape[0]:
                rows = Y[seg.columns, start:seg.t1].transpose(1, 0, 2).reshape(-1, Y.shape[2])
                self.readout.partial_fit(parts, rows)
        self.end = self.series_end(batch, Y, seg)

    def series_end(self, batch, Y, seg):
        """The :class:`SeriesEnd` of a series whose last segment of states is ``seg``; None for a collection."""
        if batch.kind != "series":
            return None
        T = batch.lengths[0]
        return SeriesEnd(seg.states[-1][:, 0].copy(), np.asarray(Y[0, T - 1], dtype=batch.dtype).copy(),
                         batch.values[0, T - 1].copy())

    # ------------------------------------------------------------------- outputs
    def output_feedback(self, batch, continuing, coef, intercept):
        """The model's own outputs fed back (``feedback=True``), from ``start.target`` when ``continuing``."""
        if self.W_fb is None:
            return None
        n = self.n_reservoir
        y0 = self.start.target if continuing else np.zeros(coef.shape[0])
        return OutputFeedback(
            W_fb=self.W_fb, coef_h=coef[:, :n], coef_x=coef[:, n:] if self.include_input else None,
            intercept=intercept, y0=np.broadcast_to(y0, (batch.n_sequences, coef.shape[0])),
        )

    def outputs(self, batch, coef, intercept, *, continuing=False, spread=None):
        r"""Raw readout outputs :math:`W_{out} [h; x] + b` of ``batch``: ``(out, spread_out)``.

        ``out``: ``(n_sequences, max_length, n_outputs)`` per step (every valid step, the
        series continued from :attr:`start` when ``continuing``), else ``(n_sequences,
        n_outputs)`` from the pooled rows.  ``coef`` ``(n_outputs, D)`` and ``intercept``
        are cast to the batch's dtype.  ``spread``: a function of the readout rows' column
        parts whose values are streamed in the same pass (``spread_out``; else None).
        """
        dtype = batch.dtype
        coef = coef.astype(dtype, copy=False)
        intercept = intercept.astype(dtype, copy=False)
        if not self.per_step:
            features = self.pooled_features(batch, self.states(batch, continuing=False), self.washout)
            return features @ coef.T + intercept, None if spread is None else spread([features])
        feedback = self.output_feedback(batch, continuing, coef, intercept)
        out = np.zeros((batch.n_sequences, batch.max_length, coef.shape[0]), dtype=dtype)
        spread_out = None if spread is None else np.zeros_like(out)
        for seg in self.states(batch, continuing=continuing, feedback=feedback):
            parts, _ = self.readout_rows(batch, seg, 0)
            P = parts[0] @ coef[:, :self.n_reservoir].T
            if len(parts) > 1:
                P += parts[1] @ coef[:, self.n_reservoir:].T
            P += intercept
            scatter_rows(out, seg, P)
            if spread is not None:
                scatter_rows(spread_out, seg, spread(parts).astype(dtype, copy=False))
        return out, spread_out

    # ------------------------------------------------------------------- solving
    def check_growth(self, readout, inputs):
        """States that blew up (non-finite sums, an RMS state far beyond the input drive) or saturated.

        ``inputs``: the inputs, or any array with the same largest absolute value.

        The RMS state of each unit comes from the diagonal of the ridge sums (RLS keeps no
        sums: its weights are checked for finiteness in :meth:`solve`).  Only the
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
        check_state_growth(self, rms, input_drive(self.W_in, inputs))

    def solve(self, readout, alpha, dtype):
        """Readout weights in ``dtype`` (``alpha``: the readout's own penalty when None).

        A ``DivergenceError`` when the sums or the weights are not finite.
        """
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
                f"{self.name} diverged: {what} (activation={self.activation!r}, "
                f"spectral_radius={self.spectral_radius}, input_scaling={self.input_scaling!r}). "
                f"To fix it, {DIVERGENCE_ADVICE}."
            )
        return coef.astype(dtype), intercept.astype(dtype)
