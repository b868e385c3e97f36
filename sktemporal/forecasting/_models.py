r"""The one-step models a :class:`Forecaster` chooses among, behind one small interface.

Each model is fitted on a represented, standardized series :math:`s_t` (and optional
exogenous rows :math:`e_t`, aligned with :math:`s`) and forecasts it by closing the loop:

* :class:`ReservoirModel` — the median of ``n_reservoirs`` :class:`~sktemporal.ESNRegressorCV`
  one-step models :math:`\hat s_{t+1} = f_i(s_{\le t}, e_{\le t+1})`, each with its own
  random reservoir, run autonomously (``generate``, or step by step with exogenous rows);
* :class:`LinearModel` — :class:`~sktemporal.DelayEmbedding` of the last ``lags + 1``
  values and a :class:`~sklearn.linear_model.RidgeCV` readout: a linear autoregression;
* :class:`NaiveModel` — the last value (``season=1``) or the value one season back.

``fit(s, E=None)`` returns the model; ``forecast(h, E_future=None)`` the next ``h`` values
of :math:`s` (``E_future``: the exogenous rows of those steps).
"""

import numpy as np
from sklearn.linear_model import RidgeCV
from sklearn.pipeline import make_pipeline

from ..preprocessing import DelayEmbedding
from ..reservoir import ESNRegressorCV

__all__ = ["LinearModel", "NaiveModel", "ReservoirModel", "RESERVOIR_DEFAULTS"]

#: The reservoir of each ensemble member (the forecasting study in the docs chose it).
RESERVOIR_DEFAULTS = {"spectral_radius": 0.97, "leak_rate": 1.0, "input_scaling": 0.7}
LINEAR_ALPHAS = np.logspace(-4, 3, 15)


def _inputs(s, E):
    """Rows ``[s_t, e_{t+1}]`` whose target is ``s_{t+1}``."""
    x = s[:-1, None]
    return x if E is None else np.hstack([x, E[1:]])


class ReservoirModel:
    """Median of ``n_reservoirs`` one-step ``ESNRegressorCV`` models (one random reservoir each)."""

    def __init__(self, n_reservoir, n_reservoirs, seeds, **reservoir):
        self.n_reservoir, self.n_reservoirs, self.seeds = n_reservoir, n_reservoirs, seeds
        self.reservoir = {**RESERVOIR_DEFAULTS, **reservoir}
        self.name = "esn"

    def fit(self, s, E=None):
        self.members_ = [
            ESNRegressorCV(self.n_reservoir, random_state=int(seed), **self.reservoir)
            .fit(_inputs(s, E), s[1:])
            for seed in self.seeds[: self.n_reservoirs]
        ]
        self._last = s[-1]
        return self

    def _member_forecast(self, esn, h, E_future):
        if E_future is None:
            return esn.generate(h, warmup=np.array([[self._last]]))
        # initial_state='continue': predict on the future rows continues the fitted series
        rows = np.empty((h, 1 + E_future.shape[1]))
        rows[:, 1:] = E_future
        rows[0, 0] = self._last
        out = np.empty(h)
        for k in range(h):
            out[k] = esn.predict(rows[: k + 1])[-1]
            if k + 1 < h:
                rows[k + 1, 0] = out[k]
        return out

    def forecast(self, h, E_future=None):
        with np.errstate(over="ignore", invalid="ignore"):
            paths = np.array([self._member_forecast(esn, h, E_future) for esn in self.members_])
        return np.median(paths, axis=0)


class LinearModel:
    """Linear autoregression on the last ``lags + 1`` values (and the exogenous rows)."""

    def __init__(self, lags):
        self.lags = lags
        self.name = f"linear({lags})"

    def fit(self, s, E=None):
        self.pipeline_ = make_pipeline(DelayEmbedding(delays=self.lags),
                                       RidgeCV(alphas=LINEAR_ALPHAS))
        X = _inputs(s, E)
        self.pipeline_.fit(X, s[1:])
        self._past = X[-self.lags:] if self.lags else X[:0]  # rows before the forecast origin
        self._last = s[-1]
        return self

    def forecast(self, h, E_future=None):
        rows = np.vstack([self._past, np.zeros((1, self._past.shape[1]))])
        out = np.empty(h)
        value = self._last
        with np.errstate(over="ignore", invalid="ignore"):
            for k in range(h):
                rows[-1, 0] = value
                if E_future is not None:
                    rows[-1, 1:] = E_future[k]
                out[k] = value = self.pipeline_.predict(rows)[-1]
                rows = np.vstack([rows[1:] if len(rows) > self.lags else rows, rows[-1:]])
        return out


class NaiveModel:
    """The last observed value (``season=1``), or the value one season before."""

    def __init__(self, season):
        self.season = season
        self.name = "naive" if season == 1 else f"seasonal_naive({season})"

    def fit(self, s, E=None):
        self._tail = np.asarray(s[-self.season:], dtype=float)
        return self

    def forecast(self, h, E_future=None):
        return self._tail[np.arange(h) % self.season]
