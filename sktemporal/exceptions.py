"""Exceptions and warnings raised by sktemporal."""

__all__ = [
    "CalibrationWarning",
    "DivergenceError",
    "ImplausibleForecastWarning",
    "IncompatibleVersionError",
    "InconsistentVersionWarning",
    "InvalidParameterError",
    "SaturationWarning",
]


class CalibrationWarning(UserWarning):
    r"""Prediction intervals whose nominal coverage the model cannot vouch for.

    ``ESNRegressor.predict(X, return_std=True)`` calibrates its Gaussian intervals on
    the training residuals; when the ridge readout has many effective parameters per
    training row (:math:`\mathrm{df}/n > 0.5`, :math:`\mathrm{df} = \sum_i d_i/(d_i +
    \alpha)`) those residuals understate the errors on new data and nominal 90 %
    intervals cover less (measured in the user guide).  ``ESNRegressorCV`` warns when
    an interval cannot be calibrated from out-of-fold residuals as documented.  The
    intervals are still returned.

    Examples
    --------
    >>> from sktemporal.exceptions import CalibrationWarning
    >>> issubclass(CalibrationWarning, UserWarning)
    True
    """


class DivergenceError(ValueError):
    """A fit that diverged: a loss far above where it started, or non-finite states or weights.

    Raised instead of returning a model whose predictions would be NaN or absurd.  The
    message says what was seen and what to change (a smaller learning rate, gradient
    clipping with ``clip_norm``, a smaller spectral radius or input scale).  The estimator
    keeps the model it had before the call (or stays unfitted).  A subclass of
    :class:`ValueError`, so code that catches the errors of bad settings catches it too.

    Examples
    --------
    >>> from sktemporal.exceptions import DivergenceError
    >>> try:
    ...     raise DivergenceError("the training loss grew from 0.5 to 3e12")
    ... except ValueError as exc:  # caught as a ValueError too
    ...     print(type(exc).__name__)
    DivergenceError
    """


class ImplausibleForecastWarning(UserWarning):
    r"""A forecast that leaves the plausible range of the series it continues.

    The plausible range of a series with minimum :math:`a` and maximum :math:`b` is
    :math:`[a - w (b - a),\; b + w (b - a)]` (``w = 1`` unless set): the observed range
    widened by its span on each side.  A closed-loop forecast that leaves it has almost
    always run away (a representation that does not fit the series, a model that
    extrapolates); the forecast is still returned, so look at it before using it.
    :class:`~sktemporal.forecasting.Forecaster` rejects such candidates and falls back
    to the next one; :func:`~sktemporal.forecasting.recursive_forecast` and ``generate``
    only warn.

    Examples
    --------
    >>> from sktemporal.exceptions import ImplausibleForecastWarning
    >>> issubclass(ImplausibleForecastWarning, UserWarning)
    True
    """


class IncompatibleVersionError(ValueError):
    """A saved model whose stored state this version of sktemporal cannot read.

    Raised while loading (``pickle``, ``joblib`` or ``skops.io``) a file written by a
    version of sktemporal whose state format for that class differs from this one's and
    has no upgrade path, instead of loading an object that would fail later with an
    ``AttributeError``.  The message names the class, the version and state format of
    the file, and what this version reads.  The compatibility rule is in the user
    guide's "Saving models" page.  A subclass of :class:`ValueError`.

    Examples
    --------
    >>> from sktemporal.exceptions import IncompatibleVersionError
    >>> issubclass(IncompatibleVersionError, ValueError)
    True
    """


class InvalidParameterError(ValueError, TypeError):
    """A hyperparameter or function argument of the wrong type or outside its range.

    Raised at the top of ``fit``, ``partial_fit`` and ``transform`` (and by functions such
    as the dataset generators) with scikit-learn's message: the parameter, the class, what
    is accepted and the value seen.  Both a :class:`ValueError` and a :class:`TypeError`,
    as scikit-learn's own ``InvalidParameterError``, so code written for either catches it.

    Examples
    --------
    >>> from sktemporal import DelayEmbedding
    >>> from sktemporal.exceptions import InvalidParameterError
    >>> try:
    ...     DelayEmbedding(delays=-1).fit([[0.0], [1.0]])
    ... except InvalidParameterError as exc:
    ...     print(exc)  # doctest: +NORMALIZE_WHITESPACE
    The 'delays' parameter of DelayEmbedding must be an int in the range [0, inf) or an
    array-like. Got -1 instead. delays=k gives the lags 0, stride, ..., k*stride; a list
    gives the lags themselves.
    """


class InconsistentVersionWarning(UserWarning):
    """A saved model that carries no sktemporal version (written before versioned files).

    It is loaded as state format 1; refit it, or save it again with this version, to
    remove the warning.

    Examples
    --------
    >>> from sktemporal.exceptions import InconsistentVersionWarning
    >>> issubclass(InconsistentVersionWarning, UserWarning)
    True
    """


class SaturationWarning(UserWarning):
    """A reservoir whose ``tanh`` units are nearly all saturated after ``fit``.

    When almost every unit sits at ±1 the reservoir is a fixed binary code of its inputs:
    it barely reflects their values or its own past, and the readout has little to work
    with.  The usual cause is inputs far from unit scale (values in the hundreds, or an
    offset); the message says how many units are saturated and suggests
    ``scaler='standard'`` or a smaller ``input_scaling``.  The fitted model is kept.

    Examples
    --------
    >>> from sktemporal.exceptions import SaturationWarning
    >>> issubclass(SaturationWarning, UserWarning)
    True
    """
