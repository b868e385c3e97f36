"""Echo state network estimators: ESNRegressor and ESNClassifier."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils.validation import check_is_fitted

from ..neural_network._activations import softmax_inplace
from ..utils import TSLEARN_HINT, check_targets, restore_layout, validate_sequences
from ..utils._dask import is_dask_array
from ._dask import apply_dask, fit_dask
from ._readout import RidgeReadout, RLSReadout
from ._reservoir import (
    POOLINGS,
    _BaseReservoir,
    _check,
    _check_input_scaling,
    _check_options,
    _is_real,
    check_reservoir_params,
)
from ._states import (
    OutputFeedback,
    RecurrentProduct,
    final_state,
    run_autonomous,
    scatter_rows,
)

__all__ = ["ESNRegressor", "ESNClassifier"]

_COMMON_PARAMS_DOC = r"""
    n_reservoir : int, default=100
        Number of reservoir units :math:`N`.
    spectral_radius : float, default=0.9
        Largest absolute eigenvalue of :math:`W`, set exactly (ARPACK).  Below 1 the
        reservoir forgets its initial state; closer to 1 it remembers longer.
    leak_rate : float in (0, 1], default=1.0
        :math:`\alpha`.  Smaller values slow the reservoir down to match slowly varying
        inputs.
    input_scaling : float or array-like of shape (n_features,), default=1.0
        Scale of the input weights (per feature if an array).  Small: nearly linear,
        long memory; large: nonlinear, short memory.
    bias_scaling : float, default=1.0
        Scale of the bias column of :math:`W_{in}`.
    density : float in (0, 1], default=0.1
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
    alpha : float, default=1e-6
        Ridge penalty :math:`\beta` of the readout (the bias is not penalised); the
        initial regularisation :math:`P = I/\alpha` with ``solver='rls'``.
    washout : int, default=0
        Steps at the start of every sequence (and of a series started from zeros) left
        out of the readout training and of ``pooling='mean'``: the transient from the
        zero initial state.  Predictions are returned for every step.
    pooling : {'last', 'mean', 'both'}, default='last'
        Many-to-one (a target per sequence): the readout reads the state after the last
        step, the mean state after the washout, or both concatenated.
    solver : {'ridge', 'rls'}, default='ridge'
        Ridge regression from streamed sums (exact, Cholesky) or recursive least
        squares (online, with ``forgetting``).
    forgetting : float in (0, 1], default=1.0
        Forgetting factor :math:`\lambda` of ``solver='rls'``: a row seen :math:`k`
        steps ago weighs :math:`\lambda^k`.
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
    overlap : 'auto' or int, default='auto'
        Dask arrays only: steps of the previous chunks of a series that warm up each
        chunk's state, so that chunks run in parallel (see :ref:`scaling`).  ``'auto'``
        derives it from ``leak_rate``, ``spectral_radius`` and ``washout``
        (:func:`~sktemporal.reservoir.auto_overlap`).
    random_state : int, RandomState instance or None, default=None
        Seed of the weights (and of ``noise``)."""

_COMMON_ATTRS_DOC = r"""
    reservoir_weights_ : scipy.sparse.csr_matrix of shape (n_reservoir, n_reservoir)
        :math:`W`.
    input_weights_ : ndarray of shape (n_reservoir, 1 + `n_features_in_`)
        :math:`W_{in}`, bias column first.
    last_state_ : ndarray of shape (n_reservoir,) or None
        State after the last step of the last 2-D series seen in ``fit`` or
        ``partial_fit`` (None after a collection).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Only for pandas input."""


def _esn_doc(cls):
    cls.__doc__ = cls.__doc__.replace("    %(common_params)s", _COMMON_PARAMS_DOC.strip("\n"))
    cls.__doc__ = cls.__doc__.replace("    %(common_attrs)s", _COMMON_ATTRS_DOC.strip("\n"))
    return cls


class _BaseESN(_BaseReservoir):
    """Fitting, streaming and prediction shared by the two estimators."""

    def _check_params(self):
        check_reservoir_params(self)
        _check("alpha", self.alpha, _is_real(self.alpha) and self.alpha >= 0, "a non-negative number")
        _check_options("solver", self.solver, ("ridge", "rls"))
        _check("forgetting", self.forgetting,
               _is_real(self.forgetting) and 0 < self.forgetting <= 1, "a number in (0, 1]")
        _check("noise", self.noise, _is_real(self.noise) and self.noise >= 0, "a non-negative number")
        _check_options("pooling", self.pooling, POOLINGS)

    def _n_readout_features(self, n_features, per_step):
        k = 1 if per_step or self.pooling != "both" else 2
        return k * (self.n_reservoir + (n_features if self.include_input else 0))

    # ------------------------------------------------------------------------- fit
    def _fit(self, X, y, *, incremental, classes=None):
        if is_dask_array(X):  # computed chunk by chunk on the cluster
            return fit_dask(self, X, y, incremental=incremental, classes=classes)
        self._check_params()
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        first = not incremental or not hasattr(self, "coef_")
        batch, targets = validate_sequences(self, X, y, reset=first, task=self._task)
        _check_input_scaling(self, batch.n_features)
        if not first and targets.per_step != self._per_step:
            raise ValueError(
                "partial_fit got "
                + ("a target per step" if targets.per_step else "a target per sequence")
                + " but the first fit got "
                + ("a target per step." if self._per_step else "a target per sequence.")
            )
        continuing = not first and self._continues(batch)
        self._check_washout(batch, required=not continuing and (targets.per_step or self.pooling != "last"))
        Y = self._encode_targets(targets, first, classes)
        if first:
            self._readout = self._start(batch, targets, Y)
        elif Y.shape[-1] != self.n_outputs_:
            raise ValueError(f"y has {Y.shape[-1]} outputs but the first fit had {self.n_outputs_}.")
        washout = 0 if continuing else self.washout
        if self._per_step:
            self._accumulate_steps(batch, Y, continuing, washout)
        else:
            segments = self._states(batch, continuing=False, noise=self.noise, noise_rng=self._noise_rng)
            features = self._pooled_features(batch, segments, washout)
            self._readout.partial_fit(features, Y)
            self.last_state_ = None
        coef, intercept = self._readout.solve()
        self.coef_ = coef.astype(batch.dtype)
        self.intercept_ = intercept.astype(batch.dtype)
        return self

    def _start(self, batch, targets, Y):
        """First fit: draw the weights, record the target layout; return an empty readout."""
        rs = self._init_reservoir(batch.n_features, Y.shape[-1])
        self._cast_weights(batch.dtype)
        self._noise_rng = np.random.RandomState(rs.randint(np.iinfo(np.int32).max))
        self._per_step = targets.per_step
        self._squeeze = targets.squeeze
        self.n_outputs_ = Y.shape[-1]
        D = self._n_readout_features(batch.n_features, targets.per_step)
        if self.solver == "rls":
            return RLSReadout(D, self.n_outputs_, self.alpha, self.forgetting)
        n_extra = batch.n_features if self.include_input and targets.per_step else 0
        return RidgeReadout(D, self.n_outputs_, self.alpha, n_extra=n_extra)

    def _accumulate_steps(self, batch, Y, continuing, washout):
        """Stream the readout rows of every valid step after the washout into the readout."""
        values, W_in = batch.values, None
        if self._feedback:
            # teacher forcing: y(n-1) is known, so W_fb y(n-1) joins the input projection
            y0 = self._last_target if continuing else np.zeros(Y.shape[-1], dtype=Y.dtype)
            shifted = np.concatenate([np.broadcast_to(y0, (Y.shape[0], 1, Y.shape[2])), Y[:, :-1]], axis=1)
            values = np.concatenate([batch.values, shifted.astype(batch.dtype)], axis=2)
            W_in = np.hstack([self.input_weights_, self.feedback_weights_])
        segments = self._states(batch, continuing=continuing, W_in=W_in, values=values,
                                noise=self.noise, noise_rng=self._noise_rng)
        for seg in segments:
            parts, start = self._readout_rows(batch, seg, washout)
            if parts[0].shape[0]:
                rows = Y[seg.columns, start:seg.t1].transpose(1, 0, 2).reshape(-1, Y.shape[2])
                self._readout.partial_fit(parts, rows)
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

    def _decision(self, X):
        """Raw readout outputs: ``(n_sequences, max_length, n_outputs)`` per step, else ``(n, n_outputs)``."""
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
            return features @ coef.T + intercept, batch
        continuing = self._continues(batch)
        feedback = self._output_feedback(batch, continuing, coef, intercept)
        out = np.zeros((batch.n_sequences, batch.max_length, self.n_outputs_), dtype=dtype)
        for seg in self._states(batch, continuing=continuing, feedback=feedback):
            parts, _ = self._readout_rows(batch, seg, 0)
            P = parts[0] @ coef[:, :self.n_reservoir].T
            if len(parts) > 1:
                P += parts[1] @ coef[:, self.n_reservoir:].T
            P += intercept
            scatter_rows(out, seg, P)
        return out, batch

    def _valid_rows(self, out, batch):
        return batch.flat(out) if self._per_step else out


# ----------------------------------------------------------------------------------
# regressor
# ----------------------------------------------------------------------------------
@_esn_doc
class ESNRegressor(RegressorMixin, _BaseESN):
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

    _task = "regression"

    def __init__(self, n_reservoir=100, *, spectral_radius=0.9, leak_rate=1.0, input_scaling=1.0,
                 bias_scaling=1.0, density=0.1, topology="random", rewiring=0.1,
                 distribution="uniform", activation="tanh", include_input=True, alpha=1e-6,
                 washout=0, pooling="last", solver="ridge", forgetting=1.0, noise=0.0,
                 feedback=False, feedback_scaling=1.0, initial_state="continue", overlap="auto", random_state=None):
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
        self.overlap = overlap
        self.random_state = random_state

    @property
    def _feedback(self):
        return bool(self.feedback)

    def _check_params(self):
        super()._check_params()
        _check("feedback", self.feedback, isinstance(self.feedback, (bool, np.bool_)), "True or False")
        _check("feedback_scaling", self.feedback_scaling,
               _is_real(self.feedback_scaling) and self.feedback_scaling >= 0, "a non-negative number")

    def _encode_targets(self, targets, first, classes=None):
        if self.feedback and not targets.per_step:
            raise ValueError(
                "feedback=True feeds y(n-1) back at every step, so it needs a target per "
                "step; got one target per sequence."
            )
        return targets.values

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

    def predict(self, X):
        """Predict a target per step, or per sequence, in the layout of the ``y`` given to fit.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features), 3-D array or list of 2-D arrays

        Returns
        -------
        y_pred : ndarray or list of ndarray
            A dask array for a dask ``X`` (see :ref:`scaling`).
        """
        if is_dask_array(X):
            return apply_dask(self, X, "predict")
        out, batch = self._decision(X)
        return restore_layout(out, batch, per_step=self._per_step, squeeze=self._squeeze)

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
        """
        out, batch = self._decision(X)
        targets = check_targets(y, batch, task="regression")
        return r2_score(targets.flat(), self._valid_rows(out, batch), sample_weight=sample_weight)

    def generate(self, n_steps, warmup=None):
        """Run the network autonomously, feeding its outputs back, for ``n_steps`` steps.

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

        Returns
        -------
        y_gen : ndarray of shape (n_steps,) or (n_steps, n_outputs)
            ``y_gen[0]`` is the prediction made at the last warm-up step (for a
            one-step-ahead model: the value that follows the warm-up).
        """
        check_is_fitted(self, "coef_")
        self._check_params()
        if not isinstance(n_steps, numbers.Integral) or isinstance(n_steps, bool) or n_steps < 1:
            raise ValueError(f"n_steps must be a positive int; got n_steps={n_steps!r}.")
        if not self._per_step:
            raise ValueError("generate needs a model fitted with a target per step (a series).")
        outputs_as_inputs = not self.feedback
        if outputs_as_inputs and self.n_outputs_ != self.n_features_in_:
            raise ValueError(
                "generate feeds the outputs back: through W_fb with feedback=True, or else "
                f"as the next inputs, which needs n_outputs == n_features (here "
                f"{self.n_outputs_} != {self.n_features_in_})."
            )
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
        coef = self.coef_.astype(dtype, copy=False)
        intercept = self.intercept_.astype(dtype, copy=False)
        product = RecurrentProduct(self.reservoir_weights_, dtype)
        if warmup is not None:
            continuing = self._continues(batch)
            feedback = self._output_feedback(batch, continuing, coef, intercept)
            h = final_state(self._states(batch, continuing=continuing, feedback=feedback, product=product))
            x = batch.values[0, -1]
        W_fb = self.feedback_weights_.astype(dtype, copy=False) if self.feedback else None
        out = run_autonomous(
            self.input_weights_.astype(dtype, copy=False), product,
            leak_rate=float(self.leak_rate), activation=self.activation, h=h.astype(dtype),
            x=x, n_steps=int(n_steps), coef=coef, intercept=intercept,
            include_input=self.include_input, outputs_as_inputs=outputs_as_inputs, W_fb=W_fb,
        )
        return out[:, 0] if self._squeeze else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


# ----------------------------------------------------------------------------------
# classifier
# ----------------------------------------------------------------------------------
@_esn_doc
class ESNClassifier(ClassifierMixin, _BaseESN):
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

    _task = "classification"

    def __init__(self, n_reservoir=100, *, spectral_radius=0.9, leak_rate=1.0, input_scaling=1.0,
                 bias_scaling=1.0, density=0.1, topology="random", rewiring=0.1,
                 distribution="uniform", activation="tanh", include_input=True, alpha=1e-6,
                 washout=0, pooling="last", solver="ridge", forgetting=1.0, noise=0.0,
                 initial_state="continue", overlap="auto", random_state=None):
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
        self.overlap = overlap
        self.random_state = random_state

    def _encode_targets(self, targets, first, classes=None):
        labels = targets.flat().ravel()
        if first:
            self.classes_ = np.unique(np.asarray(classes) if classes is not None else labels)
            if len(self.classes_) < 2:
                raise ValueError(
                    "ESNClassifier needs samples of at least 2 classes in the data; got 1 "
                    f"class: {self.classes_.tolist()}."
                )
        unknown = np.setdiff1d(labels, self.classes_)
        if unknown.size:
            raise ValueError(
                f"y contains labels not in classes_: {unknown[:5].tolist()}; known classes "
                f"are {self.classes_.tolist()}."
            )
        codes = np.searchsorted(self.classes_, labels)
        onehot = np.zeros((codes.size, len(self.classes_)), dtype=targets.batch.dtype)
        onehot[np.arange(codes.size), codes] = 1
        return targets.replace(onehot).values

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

        Returns
        -------
        self : object
        """
        if not hasattr(self, "classes_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        return self._fit(X, y, incremental=True, classes=classes)

    def _restore(self, values, batch, squeeze):
        return restore_layout(values, batch, per_step=self._per_step, squeeze=squeeze)

    def decision_function(self, X):
        """Readout scores, one column per class (binary: ``s_1 - s_0``, positive for ``classes_[1]``).

        Returns
        -------
        scores : ndarray or list of ndarray
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
        """
        out, batch = self._decision(X)
        targets = check_targets(y, batch, task="classification")
        pred = self.classes_[self._valid_rows(out, batch).argmax(axis=-1)]
        return accuracy_score(targets.flat().ravel(), pred, sample_weight=sample_weight)
