"""Tapped delay lines: the plain delay line and the gamma memory."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..utils import validate_sequences
from ..utils._output import ContainerOutputMixin, check_container_output
from ..utils._param_validation import (
    NON_NEGATIVE_INT,
    POSITIVE_INT,
    Hidden,
    Interval,
    Real,
    StrOptions,
    validate_params,
)
from ..utils._persistence import VersionedStateMixin
from ..utils._validation import check_feature_names_in
from ._taps import MEMORY_HINTS, TapMemory, check_lags, delay_taps, fill_value, history

__all__ = ["DelayEmbedding", "GammaMemory"]


# ----------------------------------------------------------------------------------
# parameters: the constraint tables, and what they cannot say (a list of lags)
# ----------------------------------------------------------------------------------
_FINITE = Interval(Real, None, None, closed="neither")
_DELAY_CONSTRAINTS = {
    "delays": [NON_NEGATIVE_INT, "array-like"],  # the lags of a list: check_lags
    "stride": [POSITIVE_INT],
    "fill": [StrOptions({"edge"}), _FINITE, "nan"],
    "output": [StrOptions({"flat", "windows"})],
}
_GAMMA_CONSTRAINTS = {
    "order": [NON_NEGATIVE_INT],
    # the taps are stable only for 0 < mu < 2; mu = 1 is the plain delay line
    "mu": [Interval(Real, 0, 2, closed="neither")],
    # NaN passes the table to get the message below (it would make every gamma tap NaN)
    "fill": [StrOptions({"edge"}), _FINITE, Hidden("nan")],
}

def _tap_names(estimator, input_features, suffixes):
    input_features = check_feature_names_in(estimator, input_features)
    return np.asarray(
        [f"{name}_{suffix}" for name in input_features for suffix in suffixes], dtype=object
    )


# ----------------------------------------------------------------------------------
# DelayEmbedding
# ----------------------------------------------------------------------------------
class DelayEmbedding(VersionedStateMixin, ContainerOutputMixin, TransformerMixin, BaseEstimator):
    r"""Tapped delay line: each time step together with its past values.

    For an input series :math:`u(n)` with lags :math:`d_0, \dots, d_{m-1}` the output
    at step :math:`n` holds :math:`u(n - d_0), \dots, u(n - d_{m-1})` for every input
    feature.  The row count is kept: the steps before the start of a sequence are
    taken to hold ``fill``.

    Read more in the :ref:`User Guide <delay_memories>`.

    Parameters
    ----------
    delays : int or list of int, default=5
        An int ``k`` gives the ``k + 1`` lags ``0, stride, 2*stride, ..., k*stride``; a
        list gives the lags themselves (non-negative, no repeats, in output order; with a
        list ``stride`` must stay 1).  Lag 0 is the current step.
    stride : int, default=1
        Spacing between consecutive lags when ``delays`` is an int (the delay
        :math:`\tau` of a Takens embedding).  It never drops rows.
    fill : 'edge', float or np.nan, default='edge'
        Value of the steps before the start of each sequence: ``'edge'`` repeats its
        first step, a number is used as is, ``np.nan`` marks them as missing (an
        estimator downstream must then accept NaN).
    output : {'flat', 'windows'}, default='flat'
        ``'flat'``: one row per time step with ``n_features * len(lags)`` columns, in
        the input's layout (one series stays 2-D, a collection keeps its sequences).
        ``'windows'``: turn ONE series into the 3-D window collection
        ``(n_timesteps, window, n_features)`` for a sequence model, where window ``t``
        holds the steps ``t - lag`` for the lags in decreasing order (oldest first, the
        current step last); ``window = len(lags)``.  A collection is refused in this
        mode, since each of its sequences already is the input of one target.

    Attributes
    ----------
    lags_ : ndarray of shape (n_lags,)
        The lags, in the order of the output columns of each feature.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``; only when ``X`` has string column
        names.

    See Also
    --------
    GammaMemory : the generalized delay line, with a tunable memory depth.

    Notes
    -----
    Each sequence of a collection is embedded on its own: no value crosses from one
    sequence to the next, and padded steps of a NaN-padded collection stay NaN.

    Row ``t`` depends on the rows before it, so transforming a slice of a series
    differs from slicing the transformed series in its first ``max(lags)`` rows.

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.preprocessing import DelayEmbedding
    >>> X = np.arange(5.0).reshape(-1, 1)
    >>> DelayEmbedding(delays=2).fit_transform(X)
    array([[0., 0., 0.],
           [1., 0., 0.],
           [2., 1., 0.],
           [3., 2., 1.],
           [4., 3., 2.]])
    >>> DelayEmbedding(delays=2).fit(X).get_feature_names_out()
    array(['x0_lag0', 'x0_lag1', 'x0_lag2'], dtype=object)
    >>> DelayEmbedding(delays=1, output="windows").fit_transform(X)[:, :, 0]
    array([[0., 0.],
           [0., 1.],
           [1., 2.],
           [2., 3.],
           [3., 4.]])
    """

    def __init__(self, delays=5, stride=1, fill="edge", output="flat"):
        self.delays = delays
        self.stride = stride
        self.fill = fill
        self.output = output

    _parameter_constraints = _DELAY_CONSTRAINTS
    _parameter_hints = MEMORY_HINTS

    def _check_params(self, batch):
        """What the constraint table cannot say: the lags of a list, windows of a series."""
        lags = check_lags(self.delays, self.stride)
        fill = fill_value(self.fill)
        if self.output == "windows" and batch.kind != "series":
            raise ValueError(
                "output='windows' turns ONE series (a 2-D X) into a collection of windows, "
                f"but X is already a collection of {batch.n_sequences} sequences, each the "
                "input of one target. Pass the collection to the sequence model directly, "
                "or use output='flat' to embed each sequence."
            )
        return lags, fill

    def fit(self, X, y=None):
        """Check ``X`` and the parameters; a delay line learns nothing else.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features), (n_sequences, n_timesteps, n_features) or list
            One series, or a collection (3-D, NaN padded, or a list of 2-D arrays).
        y : None
            Ignored.

        Returns
        -------
        self : DelayEmbedding
        """
        validate_params(self)
        batch, _ = validate_sequences(self, X, reset=True)
        self.lags_, _ = self._check_params(batch)
        return self

    def transform(self, X):
        """Embed every time step with its lagged values.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features), (n_sequences, n_timesteps, n_features) or list
            Same layout rules as in :meth:`fit`.

        Returns
        -------
        X_out : ndarray or list
            ``output='flat'``: ``(n_timesteps, n_features * n_lags)`` for one series,
            ``(n_sequences, n_timesteps, n_features * n_lags)`` (NaN on padded steps) for
            a 3-D collection, a list of ``(T_i, n_features * n_lags)`` arrays for a list.
            ``output='windows'``: ``(n_timesteps, n_lags, n_features)``.
        """
        check_is_fitted(self)
        validate_params(self)
        batch, _ = validate_sequences(self, X, reset=False)
        _, fill = self._check_params(batch)
        windows = self.output == "windows"
        check_container_output(
            self,
            tabular=batch.kind == "series" and not windows,
            what="a 3-D array of windows" if windows else "a collection of sequences",
        )
        if windows:  # the lags in decreasing order: oldest step first, the current one last
            taps = delay_taps(batch.values, np.sort(self.lags_)[::-1], history(batch, fill))
            return np.stack(taps, axis=2)[0]
        return batch.restore(TapMemory("tapped", lags=self.lags_, fill=fill).taps(batch))

    def get_feature_names_out(self, input_features=None):
        """Output feature names: ``<feature>_lag<d>`` for every feature and lag.

        In ``output='windows'`` mode the names of the features of each window step, i.e.
        the input feature names.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names; default ``feature_names_in_`` or ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        if self.output == "windows":
            return check_feature_names_in(self, input_features)
        return _tap_names(self, input_features, [f"lag{lag}" for lag in self.lags_])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


# ----------------------------------------------------------------------------------
# GammaMemory
# ----------------------------------------------------------------------------------
class GammaMemory(VersionedStateMixin, ContainerOutputMixin, TransformerMixin, BaseEstimator):
    r"""Gamma memory: the generalized tapped delay line of de Vries & Principe.

    Tap 0 is the input and every further tap is a leaky, delayed copy of the one
    before it:

    .. math::

        x_0(n) = u(n), \qquad
        x_k(n) = (1 - \mu)\, x_k(n-1) + \mu\, x_{k-1}(n-1), \quad k = 1, \dots, K.

    With ``mu=1`` tap ``k`` is exactly ``u(n - k)``, the plain delay line
    (:class:`DelayEmbedding` with ``delays=order``).  With ``mu < 1`` the memory
    reaches further back, about ``K / mu`` steps (memory depth), at the price of a
    coarser resolution ``mu``: depth times resolution is the order ``K``.

    Read more in the :ref:`User Guide <delay_memories>`.

    Parameters
    ----------
    order : int, default=5
        Number of taps ``K`` after the input; the output has ``K + 1`` taps per feature.
    mu : float, default=0.5
        Memory parameter :math:`\mu`, in ``(0, 2)`` (the taps are stable first-order
        filters, pole ``1 - mu``).  ``mu <= 1`` gives smooth low-pass taps; ``mu > 1``
        oscillating ones.
    fill : 'edge' or float, default='edge'
        The value of the input before the start of each sequence; the taps start in the
        steady state of that constant history (every tap equal to it).  ``'edge'``
        uses each sequence's first step, ``0.0`` gives the classic zero initial state.
        The same rule as :class:`DelayEmbedding`, so ``mu=1`` matches it exactly.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``; only when ``X`` has string column
        names.

    See Also
    --------
    DelayEmbedding : the plain tapped delay line (``mu=1``).

    Notes
    -----
    Each tap is a first-order IIR filter of the previous one,
    :math:`X_k(z) = \frac{\mu z^{-1}}{1 - (1 - \mu) z^{-1}} X_{k-1}(z)`, run along time
    for all features and sequences at once with :func:`scipy.signal.lfilter`.  Each
    sequence of a collection has its own initial state; the output keeps the input's
    layout.

    References
    ----------
    .. [1] B. de Vries and J. C. Principe, "The gamma model -- A new neural model for
       temporal processing", Neural Networks 5(4), 565-576, 1992.

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.preprocessing import GammaMemory
    >>> X = np.array([[1.0], [0.0], [0.0], [0.0]])
    >>> GammaMemory(order=2, mu=0.5, fill=0.0).fit_transform(X)
    array([[1.   , 0.   , 0.   ],
           [0.   , 0.5  , 0.   ],
           [0.   , 0.25 , 0.25 ],
           [0.   , 0.125, 0.25 ]])
    >>> GammaMemory(order=2).fit(X).get_feature_names_out()
    array(['x0_gamma0', 'x0_gamma1', 'x0_gamma2'], dtype=object)
    """

    def __init__(self, order=5, mu=0.5, fill="edge"):
        self.order = order
        self.mu = mu
        self.fill = fill

    _parameter_constraints = _GAMMA_CONSTRAINTS
    _parameter_hints = MEMORY_HINTS

    def _check_params(self):
        """The constraint table, then the fill value (NaN is refused with its reason)."""
        validate_params(self)
        fill = fill_value(self.fill)
        if fill != "edge" and np.isnan(fill):
            raise ValueError(
                "fill must be 'edge' or a finite number; got fill=nan, which would make "
                "every gamma tap NaN for ever (use DelayEmbedding to mark missing history)."
            )
        return fill

    def fit(self, X, y=None):
        """Check ``X`` and the parameters; a gamma memory learns nothing else.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features), (n_sequences, n_timesteps, n_features) or list
            One series, or a collection (3-D, NaN padded, or a list of 2-D arrays).
        y : None
            Ignored.

        Returns
        -------
        self : GammaMemory
        """
        self._check_params()
        validate_sequences(self, X, reset=True)
        return self

    def transform(self, X):
        """Run every feature through the gamma taps.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features), (n_sequences, n_timesteps, n_features) or list
            Same layout rules as in :meth:`fit`.

        Returns
        -------
        X_out : ndarray or list
            ``(n_timesteps, n_features * (order + 1))`` for one series,
            ``(n_sequences, n_timesteps, n_features * (order + 1))`` (NaN on padded
            steps) for a 3-D collection, a list of 2-D arrays for a list.
        """
        check_is_fitted(self)
        fill = self._check_params()
        batch, _ = validate_sequences(self, X, reset=False)
        check_container_output(
            self, tabular=batch.kind == "series", what="a collection of sequences"
        )
        memory = TapMemory("gamma", order=self.order, mu=self.mu, fill=fill)
        return batch.restore(memory.taps(batch))

    def get_feature_names_out(self, input_features=None):
        """Output feature names: ``<feature>_gamma<k>`` for every feature and tap.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names; default ``feature_names_in_`` or ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        return _tap_names(self, input_features, [f"gamma{k}" for k in range(self.order + 1)])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
