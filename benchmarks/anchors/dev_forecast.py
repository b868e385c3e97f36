"""Real-data dev suite: forecasting five real series past their end, against AutoETS, Theta and seasonal naive.

Series (season m, horizon h): airline passengers (12, 24), lynx trappings (10, 14) and shampoo
sales (1, 6) as bundled with sktime, the Nile's annual flow (1, 10) as bundled with statsmodels,
and the quarterly change of US consumption (4, 8; the target of sktime's ``load_uschange``).
Every method gets the raw series minus its last h values and forecasts those h values.

    MASE = mean |actual - forecast| over the h held-out values
           / mean |y[t] - y[t - m]| over the training part         (m = 1: the one-step naive error)

A non-finite forecast scores no MASE.  Summary: the geometric mean of MASE over the series.

Methods:

* ``Forecaster``: ``sktemporal.forecasting.Forecaster(random_state=seed).fit(train).predict(h)``
  on the bare array (no season, no index), and its ``predict_interval(h, coverage=0.8)``.
* the one-step families (ESN, TDNN, RNN, LSTM, GRU): ``Est(random_state=seed)`` fitted on the
  pairs ``(train[:-1, None], train[1:])``, then ``recursive_forecast(est, train[:, None], h)``.
* the anchors, sktime at fixed settings whatever ``--seeds`` says: ``AutoETS(auto=True, sp=m,
  n_jobs=1)``; ``ThetaForecaster(sp=m)``, deseasonalized only when m > 1 and the series is
  positive; ``NaiveForecaster(strategy="last", sp=m)``; each fitted on the training part as a
  ``pandas.Series`` with its default index, forecasting ``fh = 1..h``.

Intervals: the Forecaster's nominal 80 % interval and AutoETS's (sktime ``predict_interval(coverage=0.8)``)
give ``inside80`` (held-out values inside), ``width80`` (mean width) and ``scaled_width80`` (divided by
the MASE scale); a second table pools the coverage over the series and divides the widths by
AutoETS's, per series and pooled on the MASE scale.  The Forecaster's rows also say what it chose
(``chosen``, ``season``) and how many ``ImplausibleForecastWarning`` it raised (``fallbacks``).

Each (series, method, seed) prints one JSON line (appended to ``--jsonl`` too) with ``fit_s``
(the fit alone) and ``s`` (fit and forecast).  The table has one row per method; a package
method run with several ``--seeds`` gets three: its first seed, the mean and the median over
the seeds (per series the statistic of its MASE; in the last column the statistic of the
per-seed geometric means).  ``--params 'LSTMRegressor:learning_rate_init=0.001'`` overrides a
package method's constructor arguments.

    flock /tmp/cpu.lock python benchmarks/anchors/dev_forecast.py [--methods AutoETS,Theta,SeasonalNaive]
        [--series airline,lynx] [--seeds 0,1,2,3,4] [--params 'GRURegressor:alpha=0.001'] [--jsonl out.jsonl]

Needs the ``bench`` extra (sktime for four series and the anchors, statsmodels for the Nile).
"""

import argparse
import time
import warnings

import numpy as np

import _devsuite as suite

SERIES = {"airline": (12, 24), "lynx": (10, 14), "shampoo": (1, 6), "nile": (1, 10), "uschange": (4, 8)}
FAMILIES = ["ESNRegressor", "TDNNRegressor", "RNNRegressor", "LSTMRegressor", "GRURegressor"]
ANCHORS = ["AutoETS", "Theta", "SeasonalNaive"]
METHODS = ["Forecaster"] + FAMILIES + ANCHORS
NOT_AVAILABLE = "not available"


class Unavailable(Exception):
    """The method does not exist in this version of the package."""


def load(name):
    """The whole series as a float array, on its original scale."""
    if name == "nile":
        import statsmodels.api as sm

        return sm.datasets.nile.load_pandas().data["volume"].to_numpy(float)
    import sktime.datasets as sd

    if name == "uschange":
        return sd.load_uschange()[0].to_numpy(float)  # the target: consumption, % change per quarter
    loader = {"airline": sd.load_airline, "lynx": sd.load_lynx, "shampoo": sd.load_shampoo_sales}[name]
    return loader().to_numpy(float)


def mase(actual, forecast, train, m):
    scale = np.mean(np.abs(train[m:] - train[:-m]))
    return float(np.mean(np.abs(actual - forecast)) / scale)


def _anchor(method, train, m):
    from sktime.forecasting.ets import AutoETS
    from sktime.forecasting.naive import NaiveForecaster
    from sktime.forecasting.theta import ThetaForecaster

    if method == "AutoETS":
        return AutoETS(auto=True, sp=m, n_jobs=1)
    if method == "Theta":
        return ThetaForecaster(sp=m, deseasonalize=m > 1 and bool(np.all(train > 0)))
    return NaiveForecaster(strategy="last", sp=m)


def _ets_interval(est, train, horizon, coverage):
    """AutoETS's interval through sktime; if sktime's call does not fit the installed
    statsmodels (sktime 1.2 passes ``simulate_kwargs=`` to statsmodels 0.15's
    ``get_prediction``, which takes the simulation options as keywords), the same
    statsmodels prediction of the model sktime fitted, simulated as statsmodels does."""
    try:
        pi = est.predict_interval(fh=np.arange(1, horizon + 1), coverage=coverage)
        return pi.iloc[:, 0].to_numpy(float), pi.iloc[:, 1].to_numpy(float)
    except TypeError:
        pred = est._fitted_forecaster.get_prediction(start=len(train), end=len(train) + horizon - 1,
                                                     rng=np.random.default_rng(0))
        ci = np.asarray(pred.pred_int(alpha=1 - coverage), dtype=float)
        return ci[:, 0], ci[:, 1]


def forecast(method, train, m, horizon, seed, params, intervals=None):
    """Fit on ``train``, return (the next ``horizon`` values, fit seconds).

    ``intervals`` (a dict), when given, receives ``lower``/``upper`` of the nominal 80 %
    interval for the methods that give one (the Forecaster and AutoETS) and, for the
    Forecaster, what it chose and how often it warned.
    """
    import sktemporal

    if method == "Forecaster":
        try:
            from sktemporal.forecasting import Forecaster
        except ImportError as exc:
            raise Unavailable(f"{NOT_AVAILABLE}: sktemporal {sktemporal.__version__} has no "
                              "sktemporal.forecasting.Forecaster") from exc
        from sktemporal.exceptions import ImplausibleForecastWarning

        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            tic = time.perf_counter()
            est = Forecaster(**params, random_state=seed).fit(train)
            fit_s = time.perf_counter() - tic
            f = np.asarray(est.predict(horizon), dtype=float).ravel()
            if intervals is not None:
                lower, upper = est.predict_interval(horizon, coverage=0.8)
                intervals.update(lower=np.asarray(lower, float), upper=np.asarray(upper, float))
        if intervals is not None:
            intervals.update(
                chosen=est.chosen_[0], season=est.season_,
                fallbacks=sum(issubclass(w.category, ImplausibleForecastWarning) for w in seen))
        return f, fit_s
    if method in FAMILIES:
        from sktemporal.forecasting import recursive_forecast

        tic = time.perf_counter()
        est = getattr(sktemporal, method)(**params, random_state=seed).fit(train[:-1, None], train[1:])
        fit_s = time.perf_counter() - tic
        return np.asarray(recursive_forecast(est, train[:, None], horizon), dtype=float).ravel(), fit_s
    import pandas as pd

    est = _anchor(method, train, m)
    tic = time.perf_counter()
    est.fit(pd.Series(train))
    fit_s = time.perf_counter() - tic
    if method == "AutoETS" and intervals is not None:
        lower, upper = _ets_interval(est, train, horizon, 0.8)
        intervals.update(lower=lower, upper=upper)
    return np.asarray(est.predict(fh=np.arange(1, horizon + 1)), dtype=float).ravel(), fit_s


def run(methods, series, seed_list, params, jsonl=None):
    rows = []
    for name in series:
        m, horizon = SERIES[name]
        try:
            y, load_error = load(name), None
        except Exception as exc:  # every row of the series reports it
            y, load_error = None, suite.error_text(exc)
        for method in methods:
            for seed in [None] if method in ANCHORS else seed_list:
                row = {"suite": "forecast", "series": name, "method": method, "seed": seed,
                       "params": params.get(method, {})}
                tic = time.perf_counter()
                try:
                    if load_error:
                        raise RuntimeError(f"loading {name}: {load_error}")
                    train, actual = y[:-horizon], y[-horizon:]
                    extra = {}
                    f, fit_s = forecast(method, train.copy(), m, horizon, seed, row["params"], extra)
                    row.update(MASE=round(mase(actual, f, train, m), 3) if np.all(np.isfinite(f)) else None,
                               fit_s=round(fit_s, 2))
                    if "lower" in extra:
                        lo, hi = extra.pop("lower"), extra.pop("upper")
                        scale = np.mean(np.abs(train[m:] - train[:-m]))
                        row.update(inside80=int(np.sum((actual >= lo) & (actual <= hi))), n=len(actual),
                                   width80=round(float(np.mean(hi - lo)), 4),
                                   scaled_width80=round(float(np.mean(hi - lo) / scale), 4))
                    row.update(extra)
                except Unavailable as exc:
                    row.update(MASE=None, available=False, error=str(exc))
                except Exception as exc:
                    row.update(MASE=None, error=suite.error_text(exc))
                row["s"] = round(time.perf_counter() - tic, 2)
                suite.emit(row, jsonl)
                rows.append(row)
    return rows


def table(rows):
    """Methods down, series across, the geometric mean last."""
    series = list(dict.fromkeys(r["series"] for r in rows))
    header = ["method"] + series + ["geometric mean"]
    body = []
    for method in dict.fromkeys(r["method"] for r in rows):
        mine = [r for r in rows if r["method"] == method]
        if all(r.get("available", True) is False for r in mine):
            body.append([method] + ["n/a"] * (len(series) + 1))
            continue
        runs = list(dict.fromkeys(r["seed"] for r in mine))
        score = {(r["series"], r["seed"]): r["MASE"] for r in mine}
        per_seed = {s: [score.get((x, s)) for x in series] for s in runs}
        first = runs[0]
        title = method if len(runs) == 1 and first in (None, 0) else f"{method} s{first}"
        body.append([title] + [suite.cell(v, 2) for v in per_seed[first]]
                    + [suite.cell(suite.geometric_mean(per_seed[first]), 2)])
        if len(runs) > 1:
            for how in ("mean", "median"):
                cells = [suite.seed_statistic([per_seed[s][i] for s in runs], how) for i in range(len(series))]
                summary = suite.seed_statistic([suite.geometric_mean(per_seed[s]) for s in runs], how)
                body.append([f"{method} {how} of {len(runs)} seeds"] + [suite.cell(v, 2) for v in cells]
                            + [suite.cell(summary, 2)])
    return suite.markdown(header, body)


def interval_table(rows):
    """Nominal 80 % intervals: pooled coverage and the width relative to AutoETS's."""
    ets = {r["series"]: r for r in rows if r["method"] == "AutoETS" and "width80" in r}
    series = [s for s in dict.fromkeys(r["series"] for r in rows) if s in ets]
    header = ["method", "pooled coverage"] + [f"width / AutoETS, {s}" for s in series] + [
        "geometric mean of the width ratios", "pooled scaled width / AutoETS's"]
    body = []
    for method in ("Forecaster", "AutoETS"):
        for seed in dict.fromkeys(r["seed"] for r in rows if r["method"] == method):
            mine = {r["series"]: r for r in rows if r["method"] == method and r["seed"] == seed
                    and "width80" in r and r["series"] in ets}
            if len(mine) != len(series) or not series:
                continue
            cover = sum(r["inside80"] for r in mine.values()) / sum(r["n"] for r in mine.values())
            ratios = [mine[s]["width80"] / ets[s]["width80"] for s in series]
            pooled = (sum(mine[s]["scaled_width80"] * mine[s]["n"] for s in series)
                      / sum(ets[s]["scaled_width80"] * ets[s]["n"] for s in series))
            title = method if seed is None else f"{method} s{seed}"
            body.append([title, suite.cell(cover, 3)] + [suite.cell(x, 2) for x in ratios]
                        + [suite.cell(suite.geometric_mean(ratios), 2), suite.cell(pooled, 2)])
    return suite.markdown(header, body) if body else ""


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--series", default=",".join(SERIES))
    parser.add_argument("--seeds", default="0", help="random_state values of the package's methods, e.g. 0,1,2,3,4")
    parser.add_argument("--params", action="append", metavar="METHOD:KEY=VALUE,...",
                        help="constructor overrides of a package method; repeat for several methods")
    parser.add_argument("--jsonl", metavar="FILE", help="also append every result line to FILE")
    args = parser.parse_args(argv)
    try:
        args.methods = suite.names(args.methods, METHODS, "--methods")
        args.series = suite.names(args.series, list(SERIES), "--series")
        args.seeds = suite.seeds(args.seeds)
        args.params = suite.overrides(args.params, ["Forecaster"] + FAMILIES)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def main(argv=None):
    args = parse(argv)
    print(suite.timing_lines(), flush=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = run(args.methods, args.series, args.seeds, args.params, args.jsonl)
    print("\n" + table(rows))
    intervals = interval_table(rows)
    if intervals:
        print("\n" + intervals)
    return rows


if __name__ == "__main__":
    suite.use_checkout()
    main()
