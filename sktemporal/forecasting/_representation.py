r"""Representations of a series that a one-step model forecasts, and the detection of its season.

A representation maps the observed series :math:`y_t` to the series :math:`z_t` the model
learns, and maps forecasts of :math:`z` back:

* an optional log, :math:`\ell_t = \log y_t` (positive series only), else :math:`\ell_t = y_t`;
* ``'level'``: :math:`z_t = \ell_t`;
* ``'diff'``: :math:`z_t = \ell_t - \ell_{t-1}`;
* ``'seasonal_diff'``: :math:`z_t = \ell_t - \ell_{t-m}` for the season :math:`m`.

The inverse integrates a forecast :math:`\hat z_{T+1}, \dots, \hat z_{T+h}` from the
observed end: :math:`\hat\ell_{T+k} = \hat\ell_{T+k-d} + \hat z_{T+k}` with the lag
:math:`d` (1 or :math:`m`) and :math:`\hat\ell_s = \ell_s` for :math:`s \le T`, then
:math:`\hat y = \exp \hat\ell` after a log.
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["DIFFERENCES", "Representation", "candidate_representations", "detect_season"]

DIFFERENCES = ("level", "diff", "seasonal_diff")


@dataclass(frozen=True)
class Representation:
    """One representation: ``log`` or not, a difference, and the season it uses."""

    log: bool
    difference: str
    season: int = 1

    @property
    def lag(self):
        return {"level": 0, "diff": 1, "seasonal_diff": self.season}[self.difference]

    @property
    def name(self):
        d = f"seasonal_diff({self.season})" if self.difference == "seasonal_diff" else self.difference
        return ("log " if self.log else "") + d

    def forward(self, y):
        """The represented series ``z`` (``lag`` values shorter than ``y``)."""
        level = np.log(y) if self.log else np.asarray(y, dtype=float)
        d = self.lag
        return level if d == 0 else level[d:] - level[:-d]

    def inverse(self, z_future, y):
        """The forecast of ``y`` that continues the observed ``y`` with the forecast ``z_future``."""
        z_future = np.asarray(z_future, dtype=float)
        level = np.log(y) if self.log else np.asarray(y, dtype=float)
        d = self.lag
        if d == 0:
            out = z_future
        else:
            path = np.concatenate([level[-d:], np.empty(len(z_future))])
            for k, z in enumerate(z_future):
                path[d + k] = path[k] + z
            out = path[d:]
        if self.log:
            with np.errstate(over="ignore"):
                out = np.exp(out)
        return out


def candidate_representations(y, season, differences=DIFFERENCES, log="auto"):
    """The representations worth trying on ``y``: a log only for a positive series, a
    seasonal difference only with a season of at least 2 and two seasons of data."""
    y = np.asarray(y, dtype=float)
    logs = {"auto": [False, True] if np.all(y > 0) else [False], True: [True], False: [False]}[log]
    if True in logs and not np.all(y > 0):
        raise ValueError("log=True needs a positive series; y has values <= 0.")
    diffs = [d for d in differences
             if d != "seasonal_diff" or (season >= 2 and len(y) >= 2 * season + 2)]
    return [Representation(lg, d, season) for lg in logs for d in diffs]


def _acf(x, max_lag):
    x = x - x.mean()
    denom = float(np.dot(x, x))
    if denom == 0.0:
        return np.zeros(max_lag)
    return np.array([np.dot(x[:-k], x[k:]) / denom for k in range(1, max_lag + 1)])


def detect_season(y, max_season=None):
    r"""The season of ``y`` from the autocorrelation of its first differences (1: none).

    The season is the lag :math:`m \ge 2` of the highest local peak of the sample
    autocorrelation :math:`r_m` of :math:`\Delta y`, if that peak exceeds
    :math:`\max(0.3,\, 2.5/\sqrt{n})` (:math:`n` the length of :math:`\Delta y`: the
    peak must stand out of the sampling noise, about :math:`1/\sqrt n`), searched up to
    ``max_season`` (default :math:`\min(n/3, 60)`).

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.forecasting._representation import detect_season
    >>> t = np.arange(120)
    >>> detect_season(10 + 0.1 * t + np.sin(2 * np.pi * t / 12))
    12
    >>> detect_season(np.random.RandomState(0).normal(size=120))
    1
    """
    dy = np.diff(np.asarray(y, dtype=float))
    n = len(dy)
    max_season = min(n // 3, 60) if max_season is None else min(max_season, n // 3)
    if max_season < 2:
        return 1
    r = _acf(dy, max_season + 1)
    threshold = max(0.3, 2.5 / np.sqrt(n))
    best, season = threshold, 1
    for m in range(2, max_season + 1):
        peak = r[m - 1] > r[m - 2] and r[m - 1] >= r[m]
        if peak and r[m - 1] > best:
            best, season = r[m - 1], m
    return season
