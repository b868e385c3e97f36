"""The forecaster: a representation and a model chosen by rolling-origin validation."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state, metadata_routing
from sklearn.utils.validation import check_is_fitted

from ..exceptions import ImplausibleForecastWarning
from ..utils._param_validation import Interval, StrOptions, check_params
from ..utils._range import is_plausible, observed_range, plausible_bounds
from ._data import SeriesLayout, check_exogenous, check_series
from ._models import LinearModel, NaiveModel, ReservoirModel
from ._representation import DIFFERENCES, Representation, candidate_representations, detect_season
from ._selection import IntervalProfile, origins, score_forecast, validation_horizon

__all__ = ["Forecaster"]

#: Fewer observed values than this: ``fit`` raises.
MIN_LENGTH = 5
#: Shortest training part (before the first validation origin) of the validated models.
MIN_TRAIN = 8
#: Shortest training part on which the reservoir and the linear models are candidates.
MIN_MODEL_TRAIN = 16
#: The lags of the linear candidates (capped to a quarter of the shortest training part).
LINEAR_LAGS = (4, 12)
MODELS = ("esn", "linear")
#: The intervals are calibrated on up to this many times the validation origins.
CALIBRATION_ORIGINS = 2


class _Candidate:
    """A representation and a model: fitted on a series, forecasting it past its end."""

    def __init__(self, representation, family, arg, seeds=None):
        self.representation, self.family, self.arg, self.seeds = representation, family, arg, seeds
        self.model_name = {"esn": "esn", "linear": f"linear({arg})", "naive": "naive",
                           "seasonal_naive": f"seasonal_naive({arg})"}[family]
        self.name = f"{self.model_name} on {representation.name}"

    def make_model(self):
        if self.family == "esn":
            return ReservoirModel(self.arg[0], self.arg[1], self.seeds)
        if self.family == "linear":
            return LinearModel(self.arg)
        return NaiveModel(1 if self.family == "naive" else self.arg)

    def copy(self):
        return _Candidate(self.representation, self.family, self.arg, self.seeds)

    def fit(self, y, E=None):
        rep = self.representation
        z = rep.forward(y)
        self._mu, self._sd = float(z.mean()), float(z.std()) or 1.0
        Ez = None
        if E is not None:
            Ez = E[rep.lag:]
            self._e_mu, self._e_sd = Ez.mean(axis=0), np.where(Ez.std(axis=0) > 0, Ez.std(axis=0), 1.0)
            Ez = (Ez - self._e_mu) / self._e_sd
        self.model_ = self.make_model().fit((z - self._mu) / self._sd, Ez)
        self._y = y
        return self

    def forecast(self, h, E_future=None):
        if E_future is not None:
            E_future = (E_future - self._e_mu) / self._e_sd
        s = self.model_.forecast(h, E_future)
        with np.errstate(over="ignore", invalid="ignore"):
            return self.representation.inverse(s * self._sd + self._mu, self._y)


class Forecaster(BaseEstimator):
    r"""Forecast a series past its end with a representation and a model chosen on the data.

    ``fit(y)`` chooses, by rolling-origin validation over the tail of ``y``, how to
    represent the series — its level, its first difference or its seasonal difference,
    each with or without a log for a positive series — and which one-step model
    forecasts that representation best: an ensemble of echo state networks
    (:class:`~sktemporal.ESNRegressorCV`, the median of ``n_reservoirs`` random
    reservoirs), a linear autoregression on a tapped delay line, or, as a fallback, the
    naive and seasonal naive forecasts.  The ``n_best`` best-ranked candidates are
    refitted on the whole series and their forecasts averaged.  Every validation
    forecast, and the final forecast, must stay in the plausible range of the series
    (its observed range widened by ``plausible_range`` times its span on each side): a
    candidate that leaves it is rejected, and ``predict`` falls back to the next
    candidate, seasonal naive at worst, with an
    :class:`~sktemporal.exceptions.ImplausibleForecastWarning`.

    Read more in the :ref:`User Guide <forecaster>`.

    Parameters
    ----------
    season : int or 'auto', default='auto'
        The season :math:`m` (12 for monthly data with a yearly cycle; 1: none).
        ``'auto'`` detects it from the autocorrelation of the first differences.
    horizon : int or 'auto', default='auto'
        The horizon :math:`H` of the validation forecasts.  ``'auto'``: two seasons for a
        seasonal series, else :math:`\min(12, \max(4, n/8))`, at most :math:`n/4`.
        ``predict`` may ask for any horizon; the intervals widen past :math:`H` as
        :math:`\sqrt{j/H}`.
    model : {'auto', 'esn', 'linear'} or list of them, default='auto'
        The model families among the candidates (``'auto'``: both).
    representation : {'auto', 'level', 'diff', 'seasonal_diff'} or list, default='auto'
        The differences among the candidates (``'auto'``: all three).
    log : 'auto' or bool, default='auto'
        Try the log of a positive series (``'auto'``: both with and without), always
        (``True``) or never.
    n_origins : int, default=3
        Number of validation origins (fewer, with a warning, on a short series).
    n_reservoirs : int, default=5
        Reservoirs in each echo state ensemble.
    n_reservoir : int, default=100
        Units of each reservoir.
    n_best : int, default=2
        Number of best-ranked candidates whose forecasts are averaged.
    plausible_range : float, default=1.0
        The widening :math:`w` of the plausible range
        :math:`[\min y - w\,\mathrm{span},\; \max y + w\,\mathrm{span}]`.
    random_state : int, RandomState instance or None, default=None
        Seeds the reservoirs.

    Attributes
    ----------
    season_ : int
        The season used (given or detected).
    horizon_ : int
        The validation horizon.
    origins_ : list of int
        The validation origins (positions in ``y``).
    cv_results_ : dict of lists
        One row per candidate and output: ``output``, ``candidate``, ``model``,
        ``representation``, ``split<k>_test_score`` and ``mean_test_score`` (the scaled
        validation error :math:`S_k` and its mean, negated so that higher is better, as
        in scikit-learn; ``-inf`` for a rejected candidate), ``rank_test_score`` and
        ``rejected``.
    chosen_ : list of list of str
        Per output, the candidates averaged by ``predict``.
    n_outputs_ : int
        Number of forecast series.
    n_features_in_ : int
        Number of exogenous features seen in ``fit`` (0 without ``X``).

    See Also
    --------
    recursive_forecast : Close the loop of any one-step model.

    Notes
    -----
    The validation, the score and the conformal intervals are written out in the
    :ref:`User Guide <forecaster>`.  Several outputs (a 2-D ``y``) are
    forecast independently, each with its own choice.

    Examples
    --------
    >>> from sktemporal.datasets import load_airline
    >>> from sktemporal.forecasting import Forecaster
    >>> y = load_airline()
    >>> f = Forecaster(random_state=0).fit(y[:-12])
    >>> f.season_, f.chosen_[0]                          # doctest: +SKIP
    (12, ['linear(12) on log seasonal_diff(12)', 'esn on log seasonal_diff(12)'])
    >>> future = f.predict(12)
    >>> lower, upper = f.predict_interval(12, coverage=0.8)
    >>> future.shape, bool((lower <= future).all() and (future <= upper).all())
    ((12,), True)
    """

    # predict's horizon is an argument, not metadata to route
    __metadata_request__predict = {"horizon": metadata_routing.UNUSED}

    _parameter_constraints = {
        "season": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "horizon": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "model": [StrOptions({"auto", *MODELS}), list, tuple],
        "representation": [StrOptions({"auto", *DIFFERENCES}), list, tuple],
        "log": [StrOptions({"auto"}), "boolean"],
        "n_origins": [Interval(Integral, 1, None, closed="left")],
        "n_reservoirs": [Interval(Integral, 1, None, closed="left")],
        "n_reservoir": [Interval(Integral, 1, None, closed="left")],
        "n_best": [Interval(Integral, 1, None, closed="left")],
        "plausible_range": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
    }

    def __init__(self, *, season="auto", horizon="auto", model="auto", representation="auto",
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

    # ---------------------------------------------------------------- parameters
    def _check_params(self):
        check_params(self._parameter_constraints, type(self).__name__, self.get_params())
        for name, allowed in (("model", MODELS), ("representation", DIFFERENCES)):
            value = getattr(self, name)
            if isinstance(value, (list, tuple)):
                bad = [v for v in value if v not in allowed]
                if bad or not value:
                    raise ValueError(
                        f"The '{name}' parameter of Forecaster must be 'auto', one of {allowed} or a "
                        f"non-empty list of them; got {value!r}."
                    )

    def _families(self):
        return list(MODELS) if self.model == "auto" else (
            [self.model] if isinstance(self.model, str) else list(self.model))

    def _differences(self):
        return list(DIFFERENCES) if self.representation == "auto" else (
            [self.representation] if isinstance(self.representation, str) else list(self.representation))

    # ---------------------------------------------------------------- candidates
    def _candidates(self, y, season, shortest_train, seeds):
        reps = candidate_representations(y, season, self._differences(), self.log)
        out = []
        if shortest_train >= MIN_MODEL_TRAIN:
            families = self._families()
            for rep in reps:
                if len(y) - rep.lag < MIN_MODEL_TRAIN:
                    continue
                if "esn" in families:
                    out.append(_Candidate(rep, "esn", (self.n_reservoir, self.n_reservoirs), seeds))
                if "linear" in families:
                    for lags in sorted({min(p, shortest_train // 4) for p in LINEAR_LAGS}):
                        out.append(_Candidate(rep, "linear", lags))
        level = Representation(False, "level", season)
        out.append(_Candidate(level, "naive", 1))
        if season > 1 and shortest_train >= season:
            out.append(_Candidate(level, "seasonal_naive", season))
        return out

    # ---------------------------------------------------------------------- fit
    def fit(self, y, X=None):
        """Choose the representation and the models on ``y``'s tail, then fit them on all of ``y``.

        Parameters
        ----------
        y : array-like of shape (n_timesteps,) or (n_timesteps, n_outputs)
            The observed series (numpy or pandas), oldest first, at least 5 values.
        X : array-like of shape (n_timesteps, n_features), default=None
            Exogenous values observed with ``y`` (row ``t`` with ``y[t]``); ``predict``
            then needs their future rows.

        Returns
        -------
        self : Forecaster
        """
        self._check_params()
        layout = SeriesLayout(y)
        Y = check_series(y, "y", MIN_LENGTH)
        E = None if X is None else check_exogenous(X, len(Y), "X")
        rs = check_random_state(self.random_state)
        seeds = rs.randint(np.iinfo(np.int32).max, size=self.n_reservoirs)
        fits = [self._fit_output(Y[:, j], E, seeds) for j in range(Y.shape[1])]
        rows = {}
        for j, f in enumerate(fits):
            for key, values in f["table"].items():
                rows.setdefault(key, []).extend(values if key != "output" else [j] * len(values))
        # published together: a failed fit above leaves the previous model intact
        self._fits, self._Y, self._E, self._layout = fits, Y, E, layout
        self.n_outputs_ = Y.shape[1]
        self.n_features_in_ = 0 if E is None else E.shape[1]
        one = self.n_outputs_ == 1
        self.season_ = fits[0]["season"] if one else [f["season"] for f in fits]
        self.horizon_ = fits[0]["horizon"] if one else [f["horizon"] for f in fits]
        self.origins_ = fits[0]["origins"] if one else [f["origins"] for f in fits]
        self.cv_results_ = rows
        self.chosen_ = [[c.name for c in f["chosen"]] for f in fits]
        return self

    def _fit_output(self, y, E, seeds):
        n = len(y)
        season = detect_season(y) if self.season == "auto" else int(self.season)
        if season >= n // 2:
            season = 1
        H = validation_horizon(n, season) if self.horizon == "auto" else int(self.horizon)
        min_train = max(MIN_TRAIN, season + 2)
        orig = origins(n, H, self.n_origins, min_train)
        if not orig and n - min_train >= 1:
            H = min(H, n - min_train)
            orig = origins(n, H, self.n_origins, min_train)
        if not orig:
            H = max(1, n // 3)
            orig = [n - H]
        if len(orig) < self.n_origins or orig[0] < MIN_MODEL_TRAIN:
            warnings.warn(
                f"y has {n} values: too few for {self.n_origins} validation origins of horizon "
                f"{H} after at least {MIN_MODEL_TRAIN} training values; validating on "
                f"{len(orig)} origin(s)"
                + (" with the naive forecasts only" if orig[0] < MIN_MODEL_TRAIN else "")
                + ". Forecasts and intervals of a series this short rest on little evidence.",
                UserWarning, stacklevel=3,
            )
        candidates = self._candidates(y, season, orig[0], seeds)
        widen = float(self.plausible_range)
        scores = np.full((len(candidates), len(orig)), -np.inf)
        paths = {}
        for i, cand in enumerate(candidates):
            for k, o in enumerate(orig):
                E_train = None if E is None else E[:o]
                E_next = None if E is None else E[o:o + H]
                try:
                    f = cand.copy().fit(y[:o], E_train).forecast(H, E_next)
                except (ValueError, ArithmeticError, np.linalg.LinAlgError):
                    break  # a candidate that cannot fit this part is rejected
                err = score_forecast(y[o:o + H], f, y[:o], season, widen)
                if not np.isfinite(err):
                    break
                scores[i, k] = -err
                paths[i, k] = f
        mean = scores.mean(axis=1)
        order = [i for i in np.argsort(-mean, kind="stable") if np.isfinite(mean[i])]
        bounds = plausible_bounds(observed_range(y), widen)
        chosen, reserves = [], []
        for i in order:
            if len(chosen) >= self.n_best and len(reserves) >= 2:
                break
            cand = candidates[i].copy()
            try:
                cand.fit(y, E)
                # with X the future rows are unknown here: predict checks the forecast
                ok = E is not None or is_plausible(cand.forecast(H), bounds)
            except (ValueError, ArithmeticError, np.linalg.LinAlgError):
                ok = False
            if ok:
                (chosen if len(chosen) < self.n_best else reserves).append((i, cand))
        fallback = _Candidate(Representation(False, "level", season),
                              "seasonal_naive" if season > 1 else "naive", season).fit(y, E)
        if not chosen:
            warnings.warn(
                "No candidate forecast of y stayed in its plausible range in validation and on "
                f"the whole series; falling back to the {fallback.model_name} forecast.",
                ImplausibleForecastWarning, stacklevel=3,
            )
            chosen_idx, chosen = [], [fallback]
        else:
            chosen_idx = [i for i, _ in chosen]
            chosen = [c for _, c in chosen]
        residuals = self._calibration_residuals(
            y, E, H, orig, min_train, [candidates[i] for i in chosen_idx] or [fallback],
            {k: np.mean([paths[i, k] for i in chosen_idx], axis=0) for k in range(len(orig))}
            if chosen_idx else {})
        rank = np.empty(len(candidates), dtype=int)
        rank[np.argsort(-mean, kind="stable")] = np.arange(1, len(candidates) + 1)
        table = {
            "output": [0] * len(candidates),
            "candidate": [c.name for c in candidates],
            "model": [c.model_name for c in candidates],
            "representation": [c.representation.name for c in candidates],
            **{f"split{k}_test_score": scores[:, k].tolist() for k in range(len(orig))},
            "mean_test_score": mean.tolist(),
            "rank_test_score": rank.tolist(),
            "rejected": (~np.isfinite(mean)).tolist(),
            "chosen": [i in chosen_idx for i in range(len(candidates))],
        }
        return {"season": season, "horizon": H, "origins": orig, "table": table,
                "chosen": chosen, "reserves": [c for _, c in reserves], "fallback": fallback,
                "profile": IntervalProfile(residuals), "range": observed_range(y)}

    def _calibration_residuals(self, y, E, H, orig, min_train, chosen, known):
        """Errors ``(n_origins, H)`` of the averaged chosen forecast, on up to
        ``CALIBRATION_ORIGINS`` times as many origins as the validation used."""
        rows = []
        for o in sorted(set(origins(len(y), H, CALIBRATION_ORIGINS * len(orig), min_train)) | set(orig)):
            if o in orig and orig.index(o) in known:
                rows.append(y[o:o + H] - known[orig.index(o)])
                continue
            try:
                paths = [c.copy().fit(y[:o], None if E is None else E[:o])
                         .forecast(H, None if E is None else E[o:o + H]) for c in chosen]
            except (ValueError, ArithmeticError, np.linalg.LinAlgError):
                continue
            f = np.mean(paths, axis=0)
            if np.all(np.isfinite(f)):
                rows.append(y[o:o + H] - f)
        return np.stack(rows)

    # ------------------------------------------------------------------ predict
    def _check_predict(self, horizon, X, caller):
        check_is_fitted(self, "_fits")
        check_params({"horizon": [Interval(Integral, 1, None, closed="left")]}, caller,
                     {"horizon": horizon})
        if self.n_features_in_ == 0:
            if X is not None:
                raise ValueError(
                    f"{caller} got X, but the forecaster was fitted without exogenous values; "
                    "fit it with X to use them."
                )
            return None
        if X is None:
            raise ValueError(
                f"{caller} needs X: the forecaster was fitted with {self.n_features_in_} "
                f"exogenous feature(s), so every forecast step needs their future values "
                f"(X of shape ({horizon}, {self.n_features_in_}))."
            )
        return check_exogenous(X, horizon, "X", self.n_features_in_, future=True)

    def _forecast_output(self, j, horizon, E_future, caller):
        fit = self._fits[j]
        bounds = plausible_bounds(fit["range"], float(self.plausible_range))
        paths = [c.forecast(horizon, E_future) for c in fit["chosen"]]
        forecast = np.mean(paths, axis=0)
        if is_plausible(forecast, bounds):
            return forecast
        kept = [p for p in paths if is_plausible(p, bounds)]
        kept += [p for p in (c.forecast(horizon, E_future) for c in fit["reserves"])
                 if is_plausible(p, bounds)]
        used = f"the average of the {len(kept[: self.n_best])} plausible ones among the next candidates"
        if not kept:
            kept, used = [fit["fallback"].forecast(horizon, E_future)], fit["fallback"].model_name
        lo, hi = (float(np.atleast_1d(b)[0]) for b in bounds)
        warnings.warn(
            f"{caller}: the forecast of {', '.join(c.name for c in fit['chosen'])} over "
            f"{horizon} steps leaves the plausible range [{lo:.4g}, {hi:.4g}] of the series "
            f"(output {j}); using {used} instead.",
            ImplausibleForecastWarning, stacklevel=3,
        )
        return np.mean(kept[: self.n_best], axis=0)

    def predict(self, horizon, X=None):
        """The next ``horizon`` values of the series.

        Parameters
        ----------
        horizon : int
            Number of steps past the end of the fitted (or updated) series.
        X : array-like of shape (horizon, n_features), default=None
            The exogenous values of the forecast steps; required when ``fit`` got ``X``.

        Returns
        -------
        y_pred : ndarray of shape (horizon,) or (horizon, n_outputs), or pandas
            Typed like the fitted ``y``: a pandas ``y`` gives a Series (DataFrame) whose
            index continues ``y``'s.

        Warns
        -----
        ImplausibleForecastWarning
            When the chosen forecast leaves the plausible range and a fallback is used.
        """
        E = self._check_predict(horizon, X, "predict")
        values = np.column_stack([self._forecast_output(j, horizon, E, "predict")
                                  for j in range(self.n_outputs_)])
        return self._layout.wrap(values)

    def predict_interval(self, horizon, X=None, coverage=0.8):
        r"""Conformal prediction intervals for the next ``horizon`` values.

        The half-width at step :math:`j` is :math:`q\,g_j`: the validation errors'
        profile :math:`g_j` (their mean absolute value per step, non-decreasing; past
        the validation horizon :math:`H` it grows as :math:`\sqrt{j/H}`) times the
        conformal quantile :math:`q` of the errors normalized by it.

        Parameters
        ----------
        horizon : int
        X : array-like of shape (horizon, n_features), default=None
        coverage : float, default=0.8
            Nominal probability that each future value falls inside its interval.

        Returns
        -------
        lower, upper : tuple of two objects typed like ``predict``'s output
        """
        check_params({"coverage": [Interval(Real, 0, 1, closed="neither")]}, "predict_interval",
                     {"coverage": coverage})
        E = self._check_predict(horizon, X, "predict_interval")
        centre = np.column_stack([self._forecast_output(j, horizon, E, "predict_interval")
                                  for j in range(self.n_outputs_)])
        width = np.column_stack([f["profile"].half_width(horizon, coverage) for f in self._fits])
        return self._layout.wrap(centre - width), self._layout.wrap(centre + width)

    def update(self, y, X=None):
        """Append new observations and refit the chosen models on the longer series.

        The choice made by ``fit`` (representation, models, interval profile) is kept;
        only the models are refitted, so ``predict`` then forecasts past the new end.

        Parameters
        ----------
        y : array-like of shape (n_new,) or (n_new, n_outputs)
            The values observed after the end of the series seen so far.
        X : array-like of shape (n_new, n_features), default=None
            Their exogenous values (required when ``fit`` got ``X``).

        Returns
        -------
        self : Forecaster
        """
        check_is_fitted(self, "_fits")
        Y_new = check_series(y, "y", 1)
        if Y_new.shape[1] != self.n_outputs_:
            raise ValueError(f"y has {Y_new.shape[1]} output(s); the forecaster was fitted on {self.n_outputs_}.")
        if (X is None) != (self.n_features_in_ == 0):
            raise ValueError(
                "update needs X exactly when fit got X (the exogenous values of the new steps)."
            )
        Y = np.vstack([self._Y, Y_new])
        E = None if X is None else np.vstack(
            [self._E, check_exogenous(X, len(Y_new), "X", self.n_features_in_)])
        fits = []
        for j, fit in enumerate(self._fits):
            new = dict(fit)
            for key in ("chosen", "reserves"):
                new[key] = [c.copy().fit(Y[:, j], E) for c in fit[key]]
            new["fallback"] = fit["fallback"].copy().fit(Y[:, j], E)
            new["range"] = observed_range(Y[:, j])
            fits.append(new)
        layout = self._layout.extend(y)
        self._fits, self._Y, self._E, self._layout = fits, Y, E, layout
        return self
