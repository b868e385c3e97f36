"""Echo state network estimators: ESNRegressor and ESNClassifier.

The public classes live here (their pickles and skops files name this module); the pieces
they are made of live in the modules beside it: the docstring entries (``_esn_docs``), the
streaming base (``_esn_base``), closed-loop generation (``_esn_generation``) and the
readout's predictive standard deviation (``_esn_intervals``).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score

from ..utils import check_targets, restore_layout
from ..utils._activations import softmax_inplace
from ..utils._dask import is_dask_array
from ..utils._labels import check_classes, check_partial_fit_classes
from ..utils._param_validation import NON_NEGATIVE_REAL
from ._dask import apply_dask
from ._dask_cv import score_dask
from ._esn_base import READOUT_CONSTRAINTS, _BaseESN
from ._esn_docs import _esn_doc
from ._esn_generation import GenerationMixin
from ._esn_intervals import predictive_spread
from ._model import encode_targets

# READOUT_CONSTRAINTS, _BaseESN and _esn_doc are imported from here by the CV estimators.
__all__ = ["ESNClassifier", "ESNRegressor", "READOUT_CONSTRAINTS", "_BaseESN", "_esn_doc"]


# ----------------------------------------------------------------------------------
# regressor
# ----------------------------------------------------------------------------------
class _ESNRegressorBase(GenerationMixin, RegressorMixin, _BaseESN):
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
            ``keep_training_state=True``).  ``ESNRegressor`` warns
            (:class:`~sktemporal.exceptions.CalibrationWarning`) when its readout has
            more than 0.5 effective parameters per training row, where the training
            residuals understate the noise; ``ESNRegressorCV`` multiplies the standard
            deviation by ``std_scale_``, calibrated on out-of-fold residuals (see
            :ref:`esn_cv_intervals`).

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
        return predictive_spread(self, caller)

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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


@_esn_doc
class ESNRegressor(_ESNRegressorBase):
    r"""Echo state network regressor: a fixed random reservoir and a trained linear readout.

    .. math::

        \tilde h(n) &= f\big(W_{in} [1; x(n)] + W h(n-1) + W_{fb}\, y(n-1)\big) \\
        h(n) &= (1 - a)\, h(n-1) + a\, \tilde h(n) \\
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
    %(feedback_params)s

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
                 washout=0, pooling="mean", n_segments=1, solver="ridge", forgetting=1.0, noise=0.0,
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
        self.n_segments = n_segments
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
        if first:
            self.classes_ = check_classes(classes, targets.flat().ravel())
        return encode_targets(targets, self.classes_)

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
                 washout=0, pooling="mean", n_segments=1, solver="ridge", forgetting=1.0, noise=0.0,
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
        self.n_segments = n_segments
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
