"""The package's forecaster as an sktime forecaster (extra ``sktemporal[sktime]``).

:class:`Forecaster` wraps :class:`sktemporal.forecasting.Forecaster` in sktime's
``BaseForecaster`` interface: ``fit(y, X=None, fh=None)``, ``predict(fh, X=None)`` with a
relative or absolute horizon, ``predict_interval(fh, X=None, coverage=0.9)`` and
``update(y, X=None)``, so that the forecaster runs in sktime's pipelines, tuning,
evaluation and benchmarking.  Importing :mod:`sktemporal` does not import this module
or sktime; ``import sktemporal.sktime`` needs sktime installed.

The wrapper only translates: the series goes to the package's forecaster as numpy
values, and its forecasts come back on the index sktime expects.  Why a recursive
reduction (``make_reduction``) of a one-step network is the wrong route is explained in
the user guide's forecasting page.
"""

import numpy as np
import pandas as pd
from sktime.forecasting.base import BaseForecaster

from .forecasting import Forecaster as _PackageForecaster

__all__ = ["Forecaster"]


class Forecaster(BaseForecaster):
    """sktime forecaster around :class:`sktemporal.forecasting.Forecaster`.

    The parameters are those of :class:`sktemporal.forecasting.Forecaster` (see it for
    what each one means); ``fit`` builds that forecaster with them, fits it on the
    values of ``y`` (and ``X``), and ``predict`` asks it for as many steps as the
    furthest horizon in ``fh``, returning the requested ones on sktime's index.

    Parameters
    ----------
    season : int or 'auto', default='auto'
    horizon : int or 'auto', default='auto'
        The validation horizon of the rolling-origin selection (not sktime's ``fh``,
        which may differ at predict time).
    model : {'auto', 'esn', 'linear'} or list of them, default='auto'
    representation : {'auto', 'level', 'diff', 'seasonal_diff'} or list, default='auto'
    log : 'auto' or bool, default='auto'
    n_origins : int, default=3
    n_reservoirs : int, default=5
    n_reservoir : int, default=100
    n_best : int, default=2
    plausible_range : float, default=1.0
    random_state : int, RandomState instance or None, default=None

    Attributes
    ----------
    forecaster_ : sktemporal.forecasting.Forecaster
        The fitted package forecaster: its ``cv_results_`` and ``chosen_`` say what
        was chosen.

    Notes
    -----
    Forecasts are out of sample only (the horizon must lie after the cutoff).
    ``update`` keeps the representation and models chosen by ``fit`` and refits them
    on the longer series, whatever ``update_params`` says: the models forecast from the
    last values they were fitted on, so the new values must reach them.  A forecast that
    leaves the plausible range falls back to a simpler candidate with an
    :class:`~sktemporal.exceptions.ImplausibleForecastWarning`, as in the package's
    forecaster.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktemporal.datasets import load_airline
    >>> from sktemporal.sktime import Forecaster
    >>> y = pd.Series(load_airline(), index=pd.period_range("1949-01", periods=144, freq="M"))
    >>> forecaster = Forecaster(random_state=0).fit(y[:-12], fh=range(1, 13))
    >>> forecaster.predict().index[0]
    Period('1960-01', 'M')
    >>> lower_upper = forecaster.predict_interval(coverage=0.8)
    >>> lower_upper.shape
    (12, 2)
    """

    _tags = {
        "authors": "sktemporal developers",
        "python_dependencies": None,
        "capability:multivariate": True,
        "capability:exogenous": True,
        "capability:insample": False,
        "capability:pred_int": True,
        "capability:pred_int:insample": False,
        "capability:missing_values": False,
        "capability:non_contiguous_X": False,
        "capability:update": True,
        "capability:categorical_in_X": False,
        "y_inner_mtype": "pd.DataFrame",
        "X_inner_mtype": "pd.DataFrame",
        "requires-fh-in-fit": False,
        "X-y-must-have-same-index": True,
        "enforce_index_type": None,
        "fit_is_empty": False,
        "capability:random_state": True,
    }
    # the package's forecaster keeps the series it needs itself (``update`` appends to
    # it), so sktime need not store a copy
    _config = {"remember_data": False}

    def __init__(self, season="auto", horizon="auto", model="auto", representation="auto",
                 log="auto", n_origins=3, n_reservoirs=5, n_reservoir=100, n_best=2,
                 plausible_range=1.0, random_state=None):
        self.season = season
        self.horizon = horizon
        self.model = model
        self.representation = representation
        self.log = log
        self.n_origins = n_origins
        self.n_reservoirs = n_reservoirs
        self.n_reservoir = n_reservoir
        self.n_best = n_best
        self.plausible_range = plausible_range
        self.random_state = random_state
        super().__init__()
        # sktime reads these even when it does not store the data
        self._y = self._X = None

    def _fit(self, y, X=None, fh=None):
        forecaster = _PackageForecaster(**self.get_params(deep=False))
        forecaster.fit(y.to_numpy(dtype=float), None if X is None else X.to_numpy(dtype=float))
        self.forecaster_ = forecaster
        self._seen_end = y.index[-1]
        return self

    def _steps(self, fh):
        """The forecast steps of ``fh`` counted from the cutoff (1 is the next step)."""
        steps = np.asarray(fh.to_relative(self.cutoff), dtype=int)
        if steps.size == 0 or steps.min() < 1:
            raise ValueError(
                f"fh must lie after the cutoff (the forecaster makes no in-sample "
                f"predictions); got the relative horizon {steps.tolist()}."
            )
        return steps

    def _future_X(self, X, h):
        """The exogenous rows of the ``h`` steps after the cutoff, as numpy."""
        if X is None:
            return None
        future = X.loc[X.index > self._seen_end] if len(X) else X
        if len(future) < h:
            raise ValueError(
                f"X must hold the exogenous values of every step up to the furthest "
                f"horizon: {h} step(s) after the cutoff are needed, X has {len(future)}."
            )
        return future.iloc[:h].to_numpy(dtype=float)

    def _forecast(self, method, fh, X, **kwargs):
        """``method`` of the package forecaster up to the furthest step of ``fh``; the rows of ``fh``."""
        steps = self._steps(fh)
        h = int(steps.max())
        out = getattr(self.forecaster_, method)(h, self._future_X(X, h), **kwargs)
        def rows(values):
            return np.asarray(values).reshape(h, -1)[steps - 1]

        return tuple(rows(v) for v in out) if isinstance(out, tuple) else rows(out)

    def _predict(self, fh, X=None):
        return pd.DataFrame(self._forecast("predict", fh, X), index=fh.to_absolute_index(self.cutoff),
                            columns=self._get_varnames())

    def _predict_interval(self, fh, X=None, coverage=0.9):
        names = self._get_varnames()
        parts = {}
        for c in coverage:
            lower, upper = self._forecast("predict_interval", fh, X, coverage=c)
            for k, name in enumerate(names):
                parts[(name, c, "lower")], parts[(name, c, "upper")] = lower[:, k], upper[:, k]
        columns = self._get_columns("predict_interval", coverage=coverage)
        return pd.DataFrame({key: parts[key] for key in columns},
                            index=fh.to_absolute_index(self.cutoff), columns=columns)

    def _update(self, y, X=None, update_params=True):
        new = y.index > self._seen_end
        if new.any():
            X_new = None if X is None else X.loc[new].to_numpy(dtype=float)
            self.forecaster_.update(y.loc[new].to_numpy(dtype=float), X_new)
            self._seen_end = y.index[-1]
        return self

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Small, fast parameter sets for sktime's estimator checks.

        Parameters
        ----------
        parameter_set : str, default='default'
            Unused: there is one set of test parameters.

        Returns
        -------
        params : list of dict
        """
        small = {"n_reservoirs": 1, "n_reservoir": 10, "n_origins": 1, "n_best": 1,
                 "random_state": 0}
        return [small, {"model": "linear", "n_origins": 1, "random_state": 0}]
