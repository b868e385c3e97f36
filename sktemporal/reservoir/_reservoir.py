"""The reservoir as a transformer, and the machinery shared with the echo state estimators."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..utils import validate_sequences
from ..utils._atomic import publish, shadow
from ..utils._continuation import continues_fitted_series, remember_fitted_series
from ..utils._dask import is_dask_array
from ..utils._fit_checks import INITIAL_STATES
from ..utils._output import ContainerOutputMixin, check_container_output
from ..utils._param_validation import (
    NON_NEGATIVE_INT,
    NON_NEGATIVE_REAL,
    POSITIVE_INT,
    UNIT_INTERVAL,
    Interval,
    Real,
    StrOptions,
    validate_params,
)
from ..utils._persistence import VersionedStateMixin
from ..utils._scaling import SCALERS, fit_standardizer
from ..utils._validation import check_feature_names_in as _check_feature_names_in
from ._dask import apply_dask, fit_reservoir_dask
from ._model import ReservoirModel, check_state_growth, check_washout, input_drive
from ._pooling import pooled_kinds
from ._states import ACTIVATIONS, final_state, scatter_rows
from ._weights import DISTRIBUTIONS, TOPOLOGIES, init_weights

__all__ = ["Reservoir"]

POOLINGS = ("last", "mean", "both")


# ----------------------------------------------------------------------------------
# parameters
# ----------------------------------------------------------------------------------
#: Constraints of the reservoir parameters shared by every class of ``sktemporal.reservoir``;
#: each class's ``_parameter_constraints`` is this table with its own entries added.
RESERVOIR_CONSTRAINTS = {
    "n_reservoir": [POSITIVE_INT],
    "spectral_radius": [NON_NEGATIVE_REAL],
    "leak_rate": [Interval(Real, 0, 1, closed="right")],
    # one number, or one per feature (checked against X by _check_input_scaling)
    "input_scaling": [NON_NEGATIVE_REAL, "array-like"],
    "bias_scaling": [NON_NEGATIVE_REAL],
    "density": [Interval(Real, 0, 1, closed="right")],
    "topology": [StrOptions(set(TOPOLOGIES))],
    "rewiring": [UNIT_INTERVAL],
    "distribution": [StrOptions(set(DISTRIBUTIONS))],
    "activation": [StrOptions(set(ACTIVATIONS))],
    "include_input": ["boolean"],
    "washout": [NON_NEGATIVE_INT],
    "initial_state": [StrOptions(set(INITIAL_STATES))],
    "scaler": [StrOptions(set(SCALERS)), None],
    # steps that warm up each chunk of a dask series (sktemporal.reservoir._dask)
    "overlap": [StrOptions({"auto"}), NON_NEGATIVE_INT],
    "random_state": ["random_state"],
}


def check_reservoir_params(est):
    """The constraint table of ``est``, then the rules that tie parameters together."""
    validate_params(est)
    if est.topology == "small_world" and est.n_reservoir < 3:
        raise ValueError(
            f"n_reservoir must be at least 3 for topology='small_world'; got n_reservoir={est.n_reservoir!r}."
        )


def _check_input_scaling(est, n_features):
    scaling = np.asarray(est.input_scaling, dtype=object)
    if not (scaling.ndim <= 1 and scaling.size >= 1
            and all(NON_NEGATIVE_REAL.is_satisfied_by(v) for v in scaling.ravel())):
        raise ValueError(
            "input_scaling must be a non-negative number or one non-negative number per "
            f"feature; got input_scaling={est.input_scaling!r}."
        )
    if scaling.ndim == 1 and scaling.size != n_features:
        raise ValueError(
            f"input_scaling has {scaling.size} values but X has {n_features} features; give "
            "one number, or one per feature."
        )


# ----------------------------------------------------------------------------------
# shared base
# ----------------------------------------------------------------------------------
def input_statistics(batch, scaler):
    """Per-feature centre and scale of the valid steps of ``batch`` (padding excluded).

    The statistics of the networks' internal scaling (``utils._scaling.fit_standardizer``):
    ``'standard'``: mean and standard deviation; ``'robust'``: median and interquartile range.

    Returns
    -------
    center, scale : ndarray of shape (n_features,), float64
    """
    return tuple(fit_standardizer(batch.flat(), scaler))


def fold_input_scaler(W_in, center, scale):
    r"""Input weights that act on raw inputs as ``W_in`` acts on ``(x - center) / scale``.

    .. math::

        W_{in} [1; (x - c) / s] = [\,b - W_x (c / s);\ W_x / s\,] [1; x],

    so a standardising scaler costs nothing per step and everything downstream
    (``predict``, ``generate``, output feedback) keeps working on raw inputs.

    Parameters
    ----------
    W_in : ndarray of shape (N, 1 + n_features)
        Bias column first.
    center, scale : ndarray of shape (n_features,)

    Returns
    -------
    W : ndarray of shape (N, 1 + n_features)
        A new array.
    """
    W = np.empty_like(W_in)
    W[:, 1:] = W_in[:, 1:] / scale
    W[:, 0] = W_in[:, 0] - W[:, 1:] @ center
    return W


class _BaseReservoir(VersionedStateMixin, BaseEstimator):
    """Weights, the state loop and pooling, shared by Reservoir, ESNRegressor and ESNClassifier."""

    _feedback = False  # whether the class has a feedback parameter that is on

    # ------------------------------------------------------------- all or nothing
    def _shadow(self):
        """A working copy for ``fit`` (see :func:`~sktemporal.utils._atomic.shadow`)."""
        return shadow(self)

    def _publish(self, new):
        """Make the shadow ``new`` the estimator (see :func:`~sktemporal.utils._atomic.publish`)."""
        publish(self, new)

    def _init_reservoir(self, batch, n_outputs, statistics=None):
        """Draw the fixed weights (``W``, then ``W_in``, then ``W_fb``) from ``random_state``.

        With ``scaler`` set, the input statistics (``statistics``, a ``(center, scale)``
        pair computed elsewhere, e.g. on a dask cluster; default: those of ``batch``)
        are folded into ``W_in`` (:func:`fold_input_scaler`).
        """
        n_features = batch.n_features
        weights, rs = init_weights(self.get_params(deep=False), n_features, n_outputs,
                                   self.random_state)
        self.reservoir_weights_ = weights.W
        W_in = weights.W_in
        self.input_center_ = self.input_scale_ = None
        if self.scaler is not None:
            if statistics is None:
                statistics = input_statistics(batch, self.scaler)
            self.input_center_, self.input_scale_ = statistics
            W_in = fold_input_scaler(W_in, self.input_center_, self.input_scale_)
        self.input_weights_ = W_in
        if "feedback" in self.get_params(deep=False):  # the estimators that can feed back
            # None when feedback is off, so a refit without feedback drops a previous W_fb
            self.feedback_weights_ = weights.W_fb
        self.last_state_ = self._fitted_series = None
        self.__dict__.pop("overlap_", None)  # a dask fit's measured warm-up, of the weights replaced
        return rs

    def _cast_weights(self, dtype):
        """Store the weights in the precision of the data (float32 stays float32)."""
        self.input_weights_ = self.input_weights_.astype(dtype, copy=False)
        self.reservoir_weights_ = self.reservoir_weights_.astype(dtype)
        if getattr(self, "feedback_weights_", None) is not None:
            self.feedback_weights_ = self.feedback_weights_.astype(dtype, copy=False)

    def _continues(self, batch, restart_fitted=True):
        """Whether this 2-D series continues the one seen in fit (see :mod:`~sktemporal.utils._continuation`)."""
        return continues_fitted_series(self, batch, restart_fitted=restart_fitted)

    def _check_washout(self, batch, required):
        """Sequences must outlast the washout when it applies (a start from zeros, mean pooling)."""
        check_washout(batch, self.washout, required)

    def _reservoir_model(self, readout=None):
        """The :class:`~._model.ReservoirModel` of the drawn weights (``readout``: its sums)."""
        return ReservoirModel(self, readout)

    def _states(self, batch, *, continuing, **options):
        """Segments of reservoir states for every sequence of ``batch`` (:meth:`~._model.ReservoirModel.states`)."""
        return self._reservoir_model().states(batch, continuing=continuing, **options)

    def _fitted_leak_rate(self):
        """The leak rate the states run with (a searching estimator publishes the one it chose)."""
        return float(self.leak_rate)

    def _fitted_n_segments(self):
        """The segments of the mean pooling (likewise; 1 in a model pickled before the parameter)."""
        return int(getattr(self, "n_segments", 1))

    def _readout_feature_names(self, input_features, pooled):
        """Names of the readout features ``[h; x]`` (per step) or of the pooled features."""
        names_h = [f"reservoir{i}" for i in range(self.n_reservoir)]
        names_x = list(_check_feature_names_in(self, input_features)) if self.include_input else []
        if not pooled:
            return names_h + names_x
        kinds = pooled_kinds(self.pooling, self._fitted_n_segments())
        out = [f"{k}_{n}" for k in kinds for n in names_h]
        out += [f"{k}_{n}" for k in kinds for n in names_x]
        return out


# ----------------------------------------------------------------------------------
# the transformer
# ----------------------------------------------------------------------------------
class Reservoir(ContainerOutputMixin, TransformerMixin, _BaseReservoir):
    r"""Echo state reservoir as a transformer: series to states, collections to pooled states.

    A fixed random recurrent network (never trained) driven by the input,

    .. math::

        \tilde h(n) = f\big(W_{in} [1; x(n)] + W h(n-1)\big), \qquad
        h(n) = (1 - a)\, h(n-1) + a\, \tilde h(n),

    with :math:`W` sparse, scaled to an exact spectral radius.  ``transform`` turns a
    2-D series into its states, one row per time step (``(n_timesteps, n_reservoir)``,
    plus the inputs when ``include_input``), and a collection into one row of pooled
    states per sequence, so that any scikit-learn model can be the readout::

        make_pipeline(Reservoir(), Ridge())                      # series, a target per step
        make_pipeline(Reservoir(pooling="mean"), LogisticRegression())  # a label per sequence

    :class:`ESNRegressor` and :class:`ESNClassifier` are the fast path for the same
    models: they stream the states into their readout instead of materialising them.

    Read more in the :ref:`User Guide <reservoir>`.

    Parameters
    ----------
    n_reservoir : int, default=100
        Number of reservoir units :math:`N`.
    spectral_radius : float, default=0.97
        Largest absolute eigenvalue of :math:`W`, set exactly.  Below 1 the reservoir
        forgets its initial state (echo state property, in practice); closer to 1 it
        remembers longer.
    leak_rate : float in (0, 1], default=1.0
        :math:`a`: 1 is the standard ESN; smaller values slow the reservoir down
        (low-pass filtered states), matching slowly varying inputs.
    input_scaling : float or array-like of shape (n_features,), default=0.7
        Scale of the input weights (per feature if an array); small values keep the
        units near their linear regime, large values make the reservoir more nonlinear.
    bias_scaling : float, default=0.4
        Scale of the bias column of :math:`W_{in}`.
    density : float in (0, 1], default=0.3
        Fraction of non-zero recurrent weights (see ``topology``).
    topology : {'random', 'small_world', 'cycle'}, default='random'
        Random graph, Watts–Strogatz small world (``rewiring``), or simple cycle
        reservoir (Rodan & Tiňo: a ring with equal weights; ignores ``density``).
    rewiring : float in [0, 1], default=0.1
        Rewiring probability of ``topology='small_world'``.
    distribution : {'uniform', 'normal'}, default='uniform'
        Distribution of the non-zero weights of :math:`W`, :math:`W_{in}`:
        :math:`\mathcal{U}[-1, 1]` or :math:`\mathcal{N}(0, 1)`.
    activation : {'tanh', 'identity', 'logistic', 'relu'}, default='tanh'
        Activation :math:`f` of the units.
    include_input : bool, default=False
        Append the inputs :math:`x(n)` to the states (pooled the same way).
    washout : int, default=0
        Steps at the start of each sequence excluded from ``pooling='mean'`` (and from
        its segments).  A
        transformer never drops rows, so per-step states keep the initial transient;
        drop it yourself or use :class:`ESNRegressor`, whose readout skips it.
    pooling : {'last', 'mean', 'both'} or None, default='mean'
        Features of a collection: the state after the last step, the mean state over
        the steps after the washout, or both concatenated.  ``None`` returns the states
        of every step in the collection's layout (3-D or list).
    n_segments : int, default=1
        With ``pooling='mean'`` or ``'both'``: the mean is taken over each of
        ``n_segments`` consecutive, nearly equal segments of the steps after the washout
        (``n_segments * n_reservoir`` features instead of ``n_reservoir``), which keeps
        the order of events in the sequence; a sequence with fewer steps than segments
        gets one-step segments, some repeated (see the :ref:`User Guide <reservoir>`).
        Ignored with ``pooling='last'`` and for per-step states.
    initial_state : {'zeros', 'continue'}, default='zeros'
        Start of a 2-D series in ``transform``: zeros, or the state reached at the end
        of the series seen in ``fit`` (a test block that follows its training block, as
        in ``TimeSeriesSplit``).  The default keeps ``fit_transform(X)`` equal to
        ``fit(X).transform(X)``, as scikit-learn's transformer contract requires.
    scaler : {'standard', 'robust'} or None, default=None
        Per-feature input standardisation from the data seen in ``fit``, folded into
        ``input_weights_`` (see :class:`ESNRegressor`).  On a dask array the
        ``'standard'`` statistics are computed on the cluster; ``'robust'`` raises
        ``NotImplementedError`` there (see :ref:`scaling`).
    overlap : 'auto' or int, default='auto'
        Dask arrays only: steps of the previous chunks of a series that warm up each
        chunk's state (see :ref:`scaling`).  ``'auto'`` derives it from ``leak_rate``,
        ``spectral_radius`` and ``washout`` (:func:`~sktemporal.reservoir.measure_overlap`).
    random_state : int, RandomState instance or None, default=None
        Seed of the weights (an int also reuses the cached recurrent matrix, see
        :class:`ESNRegressor`).

    Attributes
    ----------
    reservoir_weights_ : scipy.sparse.csr_matrix of shape (n_reservoir, n_reservoir)
        :math:`W`.
    input_weights_ : ndarray of shape (n_reservoir, 1 + `n_features_in_`)
        :math:`W_{in}`, bias column first.
    last_state_ : ndarray of shape (n_reservoir,) or None
        State after the last step of the series seen in ``fit`` (only computed with
        ``initial_state='continue'``).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Only for pandas input.

    See Also
    --------
    ESNRegressor, ESNClassifier

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.reservoir import Reservoir
    >>> X = np.sin(np.linspace(0, 20, 200))[:, None]
    >>> Reservoir(n_reservoir=50, random_state=0).fit_transform(X).shape
    (200, 50)
    >>> collection = [np.random.RandomState(0).rand(t, 3) for t in (5, 9, 7)]
    >>> Reservoir(n_reservoir=50, pooling="both", random_state=0).fit_transform(collection).shape
    (3, 100)
    """

    def __init__(self, n_reservoir=100, *, spectral_radius=0.97, leak_rate=1.0, input_scaling=0.7,
                 bias_scaling=0.4, density=0.3, topology="random", rewiring=0.1,
                 distribution="uniform", activation="tanh", include_input=False, washout=0,
                 pooling="mean", n_segments=1, initial_state="zeros", scaler=None,
                 overlap="auto", random_state=None):
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
        self.washout = washout
        self.pooling = pooling
        self.n_segments = n_segments
        self.initial_state = initial_state
        self.scaler = scaler
        self.overlap = overlap
        self.random_state = random_state

    _parameter_constraints = {**RESERVOIR_CONSTRAINTS, "pooling": [StrOptions(set(POOLINGS)), None],
                              "n_segments": [POSITIVE_INT]}

    def _check_params(self):
        check_reservoir_params(self)

    def fit(self, X, y=None):
        """Draw the reservoir weights (and run ``X`` to its end state when continuing).

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features), 3-D array or list of 2-D arrays
            One series or a collection (see the data contract).
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        self._check_params()
        new = self._shadow()
        if is_dask_array(X):  # statistics on the cluster, the weights here
            fit_reservoir_dask(new, X)
        else:
            new._fit_into(X)
        self._publish(new)
        return self

    def _fit_into(self, X, statistics=None):
        """The whole fit on ``X`` (in memory), on a shadow; ``statistics`` as in ``_init_reservoir``."""
        batch, _ = validate_sequences(self, X, reset=True)
        _check_input_scaling(self, batch.n_features)
        self._init_reservoir(batch, 0, statistics)
        self._cast_weights(batch.dtype)
        self._fit_kind = batch.kind
        if batch.kind == "series" and self.initial_state == "continue":
            h = final_state(self._states(batch, continuing=False))
            check_state_growth(self, float(np.abs(h).max()), input_drive(self.input_weights_, batch.values))
            self.last_state_ = h
            remember_fitted_series(self, batch)

    def transform(self, X):
        """Reservoir states of a series, or pooled states of a collection.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features), 3-D array or list of 2-D arrays

        Returns
        -------
        features : ndarray of shape (n_timesteps, n_reservoir [+ n_features])
            For a 2-D series: the state of every step (inputs appended when
            ``include_input``).  For a collection: ``(n_sequences, n_features_out)``
            pooled features, or per-step states in the collection's layout when
            ``pooling=None``.  A dask array for a dask ``X`` (see :ref:`scaling`).
        """
        if is_dask_array(X):
            return apply_dask(self, X, "transform")
        check_is_fitted(self, "reservoir_weights_")
        self._check_params()
        batch, _ = validate_sequences(self, X, reset=False)
        pooled = batch.kind != "series" and self.pooling is not None
        check_container_output(self, tabular=batch.kind == "series" or pooled,
                               what="a collection of per-step states")
        continuing = self._continues(batch)
        model = self._reservoir_model()
        segments = model.states(batch, continuing=continuing)
        if pooled:
            self._check_washout(batch, required=self.pooling != "last")
            return model.pooled_features(batch, segments, self.washout)
        width = self.n_reservoir + (batch.n_features if self.include_input else 0)
        out = np.zeros((batch.n_sequences, batch.max_length, width), dtype=batch.dtype)
        for seg in segments:
            parts, _ = model.readout_rows(batch, seg, 0)
            col = 0
            for part in parts:
                k = part.shape[1]
                scatter_rows(out[:, :, col:col + k], seg, part)
                col += k
        return batch.restore(out)

    def get_feature_names_out(self, input_features=None):
        """Output feature names: ``reservoir<i>`` (then the inputs when ``include_input``).

        For a transformer fitted on a collection with ``pooling``, names carry the pooling:
        ``last_reservoir0, ..., mean_reservoir0, ...``; with ``n_segments > 1`` the means
        are ``mean_seg0_reservoir0, ..., mean_seg1_reservoir0, ...`` (segment by segment).

        Parameters
        ----------
        input_features : array-like of str or None, default=None

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self, "reservoir_weights_")
        pooled = getattr(self, "_fit_kind", "series") != "series" and self.pooling is not None
        return np.asarray(self._readout_feature_names(input_features, pooled), dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
