"""Defaults study of the echo state networks on the package's own tasks.

Prints the tables of ``docs/user_guide/defaults.rst`` (section "Echo state networks").
Every figure is a held-out score; nothing is timed, so the study needs no exclusive
machine.  Tasks (``sktemporal.datasets``):

* **NARMA10**: ``narma(4000, random_state=0)``, fit on the first 2000 steps, predict the
  last 2000 continuing from the end of the fit (``initial_state='continue'``), test
  NRMSE.  200 units (the size a user gives).  Mean over reservoir seeds 0, 1, 2, and
  seed 0 alone (the target was at most 0.22 at the defaults; see the docs page for why
  the chosen defaults stop at 0.246).
* **airline**: sktime's ``make_reduction(ESNRegressor(), window_length=12,
  strategy='recursive')`` on the log of ``load_airline()``, last 24 months held out,
  MAPE (target: at most 0.15 for ``ESNRegressor(200, random_state=0)``, 0.05 before),
  and its spread over reservoir seeds 0-9.  Inputs near 5-6.5, far from unit scale.
* **Mackey-Glass**: ``mackey_glass(6000, random_state=0)``, one step ahead, 1000 units,
  ``spectral_radius=1.25, leak_rate=0.3, alpha=1e-8, washout=100``, fit on 2000 steps,
  test NRMSE on the next 500 (must stay below 2e-3).
* **memory**: ``memory_task(3000, max_delay=80)``, 100 units, ``washout=100``, memory
  capacity (``sktemporal.metrics.memory_capacity``; at most 100).
* **classification**: ``make_sequence_classification(400, n_classes=4, n_features=2)``,
  a ragged collection (20-60 steps), 300 sequences to fit, 100 to test, accuracy.

Tables 7-9 measure why sktime's recursive airline forecast breaks (one ``predict`` call a
step, each starting from the state at the end of the fit), the forecast with the state
kept (``recursive_forecast`` on the series), and the one region of the grid that meets
both targets (spectral radius 1) against the defaults.

Usage::

    python benchmarks/studies/study_defaults_esn.py [--quick] [--tables 7,8,9]
"""

import argparse
import time
import warnings

import numpy as np

from sktemporal import ESNClassifier, ESNRegressor
from sktemporal.datasets import (
    mackey_glass,
    make_sequence_classification,
    memory_task,
    narma,
)
from sktemporal.metrics import memory_capacity, nrmse

#: the reservoir defaults tables 1-9 were measured with (density 0.1, spectral radius 0.9):
#: every task starts from these, so those tables stay reproducible after table 10 changed them
ROUND4 = {"density": 0.1, "spectral_radius": 0.9, "input_scaling": 1.0, "bias_scaling": 0.5, "alpha": 1e-4}
#: the defaults chosen by table 10
ROUND5 = {"density": 0.3, "spectral_radius": 0.97, "input_scaling": 0.7, "bias_scaling": 0.4, "alpha": 1e-3}
BEFORE = {"scaler": None, "input_scaling": 1.0, "bias_scaling": 1.0, "alpha": 1e-6}
CHOSEN = {"scaler": None, "input_scaling": 1.0, "bias_scaling": 0.5, "alpha": 1e-4}


# ----------------------------------------------------------------------------------
# tasks: each takes ESN keyword arguments and returns a score
# ----------------------------------------------------------------------------------
class Tasks:
    def __init__(self):
        self.narma = narma(4000, random_state=0)
        self.mg = mackey_glass(6000, random_state=0)
        self.memory = memory_task(3000, max_delay=80, random_state=0)
        self.clf = make_sequence_classification(400, n_classes=4, n_features=2, random_state=0)
        try:
            from sktime.datasets import load_airline
        except ImportError:  # pragma: no cover - sktime is a bench extra
            self.airline = None
        else:
            self.airline = np.log(load_airline())

    def narma_nrmse(self, seeds=(0, 1, 2), n_reservoir=200, x_scale=1.0, **params):
        params = {**ROUND4, **params}
        X, y = self.narma
        X = X * x_scale
        out = []
        for seed in seeds:
            est = ESNRegressor(n_reservoir, random_state=seed, **params).fit(X[:2000], y[:2000])
            out.append(nrmse(y[2000:], est.predict(X[2000:])))
        return np.array(out)

    def airline_mape(self, seeds=range(10), **params):
        """MAPE per reservoir seed (the sktime recipe leaves random_state=None: any seed)."""
        if self.airline is None:
            return np.array([np.nan])
        from sktime.forecasting.compose import make_reduction
        from sktime.performance_metrics.forecasting import (
            mean_absolute_percentage_error,
        )

        y = self.airline
        params = {**ROUND4, **params}
        out = []
        for seed in seeds:
            forecaster = make_reduction(ESNRegressor(random_state=seed, **params), window_length=12,
                                        strategy="recursive")
            pred = forecaster.fit(y.iloc[:-24]).predict(np.arange(1, 25))
            out.append(float(mean_absolute_percentage_error(y.iloc[-24:], pred)))
        return np.array(out)

    def mackey_glass_nrmse(self, **params):
        X, y = self.mg
        # the task's own radius and penalty; the scalings and density are the candidate's
        params = {k: v for k, v in {**ROUND4, **params}.items() if k != "spectral_radius"}
        params["alpha"] = 1e-8
        est = ESNRegressor(1000, spectral_radius=1.25, leak_rate=0.3, washout=100, random_state=0,
                           **params).fit(X[:2000], y[:2000])
        return nrmse(y[2000:2500], est.predict(X[2000:2500]))

    def memory_capacity(self, n_reservoir=100, **params):
        params = {**ROUND4, **params}
        X, y = self.memory
        est = ESNRegressor(n_reservoir, washout=100, random_state=0, **params).fit(X[:2000], y[:2000])
        return memory_capacity(y[2000:], est.predict(X[2000:]))

    def accuracy(self, n_reservoir=100, pooling="last", **params):
        params = {**ROUND4, **params}
        X, y = self.clf
        est = ESNClassifier(n_reservoir, pooling=pooling, random_state=0, **params)
        return est.fit(X[:300], y[:300]).score(X[300:], y[300:])


def _row(cells, widths):
    return "| " + " | ".join(f"{c:>{w}}" if i else f"{c:<{w}}" for i, (c, w) in enumerate(zip(cells, widths))) + " |"


def _table(header, rows):
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(_row(header, widths))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(_row(r, widths))
    print(flush=True)


def _label(p):
    return f"{p['scaler']}, {p['input_scaling']:g}, {p['bias_scaling']:g}, {p['alpha']:g}"


def _airline(m):
    return f"{np.median(m):.3f} ({(m > 0.15).mean():.0%})"


# ----------------------------------------------------------------------------------
# the tables
# ----------------------------------------------------------------------------------
def table_scalings(tasks, quick):
    """NARMA10 over input_scaling x bias_scaling, raw and standardised inputs."""
    print("Table 1. NARMA10, 200 units, alpha=1e-4, test NRMSE (mean of reservoir seeds 0-2): "
          "input_scaling (rows) x bias_scaling (columns), raw inputs (scaler=None) and standardised "
          "(scaler='standard')\n")
    in_scales = (0.02, 0.05, 0.1, 0.2, 0.5, 1.0) if not quick else (0.05, 0.2, 1.0)
    bias_scales = (0.0, 0.2, 0.5, 1.0) if not quick else (0.2, 0.5, 1.0)
    seeds = (0, 1, 2) if not quick else (0,)
    for scaler in (None, "standard"):
        rows = []
        for isc in in_scales:
            cells = [tasks.narma_nrmse(seeds, input_scaling=isc, bias_scaling=b, scaler=scaler, alpha=1e-4).mean()
                     for b in bias_scales]
            rows.append([f"scaler={scaler}, input_scaling={isc:g}"] + [f"{c:.3f}" for c in cells])
        _table(["", *[f"bias {b:g}" for b in bias_scales]], rows)


def candidates():
    return [
        BEFORE,
        CHOSEN,
        {"scaler": None, "input_scaling": 0.7, "bias_scaling": 0.5, "alpha": 1e-4},
        {"scaler": None, "input_scaling": 0.5, "bias_scaling": 0.5, "alpha": 1e-4},
        {"scaler": None, "input_scaling": 0.7, "bias_scaling": 0.5, "alpha": 1e-3},
        {"scaler": None, "input_scaling": 0.2, "bias_scaling": 0.5, "alpha": 1e-6},
        {"scaler": "standard", "input_scaling": 0.05, "bias_scaling": 0.5, "alpha": 1e-6},
        {"scaler": "standard", "input_scaling": 0.1, "bias_scaling": 0.5, "alpha": 1e-4},
        {"scaler": "standard", "input_scaling": 0.1, "bias_scaling": 0.5, "alpha": 1e-3},
        {"scaler": "robust", "input_scaling": 0.1, "bias_scaling": 0.5, "alpha": 1e-4},
    ]


def table_tasks(tasks, quick):
    """Each candidate on every task."""
    print("Table 2. Candidates on every task (scaler, input_scaling, bias_scaling, alpha). "
          "NARMA10 NRMSE seed 0 and mean of seeds 0-2; airline MAPE median over reservoir seeds 0-9 "
          "(share of seeds above 0.15), default size and 200 units (and seed 0 alone at 200 units: "
          "ESNRegressor(200, random_state=0)); Mackey-Glass one-step NRMSE (its own alpha=1e-8); memory "
          "capacity; classification accuracy (100 units, pooling='last' / 'mean')\n")
    rows = []
    for p in candidates() if not quick else [BEFORE, CHOSEN]:
        params = p
        na = tasks.narma_nrmse((0, 1, 2) if not quick else (0,), **params)
        air200 = tasks.airline_mape(n_reservoir=200, **params)
        rows.append([_label(p), f"{na[0]:.3f}", f"{na.mean():.3f}", _airline(tasks.airline_mape(**params)),
                     f"{air200[0]:.3g}", _airline(air200),
                     f"{tasks.mackey_glass_nrmse(**params):.2e}", f"{tasks.memory_capacity(**params):.1f}",
                     f"{tasks.accuracy(100, 'last', **params):.2f}", f"{tasks.accuracy(100, 'mean', **params):.2f}"])
    _table(["scaler, input, bias", "NARMA s0", "NARMA mean", "airline", "air 200 s0", "air 200",
            "Mackey-Glass", "memory",
            "clf last", "clf mean"], rows)


def table_input_scale(tasks, quick):
    """The same defaults on inputs of another scale: what the scaler buys."""
    print("Table 3. NARMA10 (seed 0) with the input multiplied by a factor: raw inputs with "
          "scalings tuned for them, against the scaler\n")
    factors = (0.01, 0.1, 1.0, 10.0, 100.0) if not quick else (0.1, 1.0, 10.0)
    rows = []
    for p in (CHOSEN, {"scaler": "standard", "input_scaling": 0.1, "bias_scaling": 0.5, "alpha": 1e-4}):
        rows.append([_label(p)] + [f"{tasks.narma_nrmse((0,), x_scale=f, **p)[0]:.3f}" for f in factors])
    _table(["scaler, input, bias", *[f"x {f:g}" for f in factors]], rows)


def table_alpha(tasks, quick):
    """The default ridge penalty."""
    print("Table 4. Ridge penalty alpha at the chosen scalings: NARMA10 NRMSE (seed 0), airline MAPE "
          "median over seeds 0-9 (share above 0.15), classification accuracy (100 units, pooling='mean')\n")
    params = {k: v for k, v in CHOSEN.items() if k != "alpha"}
    rows = []
    for alpha in (1e-8, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2) if not quick else (1e-6, 1e-4):
        rows.append([f"{alpha:g}", f"{tasks.narma_nrmse((0,), alpha=alpha, **params)[0]:.3f}",
                     _airline(tasks.airline_mape(alpha=alpha, **params)),
                     f"{tasks.accuracy(100, 'mean', alpha=alpha, **params):.2f}"])
    _table(["alpha", "NARMA s0", "airline", "clf mean"], rows)


def table_classifier(tasks, quick):
    """Units and pooling of the classifier."""
    print("Table 5. ESNClassifier on the ragged collection, accuracy: n_reservoir (rows) x pooling "
          "(columns), chosen scalings\n")
    params = CHOSEN
    rows = []
    for n in (100, 200, 500) if not quick else (100, 200):
        rows.append([str(n)] + [f"{tasks.accuracy(n, pool, **params):.2f}" for pool in ("last", "mean", "both")])
    _table(["n_reservoir", "last", "mean", "both"], rows)


def table_units(tasks, quick):
    """The default size."""
    print("Table 6. n_reservoir at the chosen scalings: NARMA10 NRMSE (seed 0), airline MAPE "
          "median over seeds 0-9 (share above 0.15), memory capacity (with that many units)\n")
    params = CHOSEN
    rows = []
    for n in (100, 200, 300) if not quick else (100, 200):
        mc = tasks.memory_capacity(n, **params)
        rows.append([str(n), f"{tasks.narma_nrmse((0,), n_reservoir=n, **params)[0]:.3f}",
                     _airline(tasks.airline_mape(n_reservoir=n, **params)), f"{mc:.1f}"])
    _table(["n_reservoir", "NARMA s0", "airline", "memory"], rows)


# the region of the grid that meets both targets (section "A reservoir at spectral radius 1")
RADIUS_ONE = {"input_scaling": 0.6, "spectral_radius": 1.0, "alpha": 1e-3}


def _mape(pred, true):
    return float(np.mean(np.abs(pred - true) / true))


def table_mechanism(tasks, quick):
    """sktime's recursive loop (one predict call a step) against the same loop with the state carried."""
    print("Table 7. Airline, the windows of make_reduction(window_length=12) fitted directly: one-step "
          "MAPE on the true test windows, each predicted by its own call or as a series continuing the "
          "fit; 24-month recursive forecast MAPE with one call a step (sktime's loop) or with the state "
          "carried from window to window. Median over reservoir seeds 0-9 (share above 0.15)\n")
    v = tasks.airline.to_numpy()
    X = np.lib.stride_tricks.sliding_window_view(v, 12)[:-1]
    y, n_fit, true = v[12:], len(v) - 36, v[-24:]

    def forecast(est, carried):
        window, out, seen = list(v[-36:-24]), [], []
        for _ in range(24):
            seen.append(window[-12:])
            step = est.predict(np.array(seen))[-1] if carried else est.predict(np.array(seen[-1:]))[0]
            out.append(step)
            window.append(step)
        return np.array(out)

    configs = [({}, 100), ({}, 200), ({"input_scaling": 0.7}, 200), ({"input_scaling": 0.5}, 200),
               ({"input_scaling": 0.2, "alpha": 1e-6}, 200), (RADIUS_ONE, 200)]
    rows = []
    for params, n in configs if not quick else configs[:3]:
        cells = []
        for seed in range(10) if not quick else range(3):
            est = ESNRegressor(n, random_state=seed, **{**ROUND4, **params}).fit(X[:n_fit], y[:n_fit])
            one = np.array([est.predict(X[n_fit + i:n_fit + i + 1])[0] for i in range(24)])
            cells.append((_mape(one, true), _mape(est.predict(X[n_fit:]), true),
                          _mape(forecast(est, False), true), _mape(forecast(est, True), true)))
        c = np.array(cells)
        rows.append([f"{params} ({n})", f"{np.median(c[:, 0]):.3f}", f"{np.median(c[:, 1]):.3f}",
                     f"{c[0, 2]:.3g}", _airline(c[:, 2]), _airline(c[:, 3])])
    _table(["params (units)", "1 step a call", "1 step carried", "s0 a call", "forecast a call",
            "forecast carried"], rows)


def table_state_kept(tasks, quick):
    """The ESN on the series itself, forecast with its closed loop (recursive_forecast)."""
    from sktemporal.forecasting import recursive_forecast

    print("Table 8. Airline with the ESN fitted on the log series itself (y[t] = x[t+1]) and "
          "forecast by sktemporal.forecasting.recursive_forecast: MAPE median over seeds 0-9 "
          "(share above 0.15)\n")
    v = tasks.airline.to_numpy()[:, None]
    fit = v[:-24]
    rows = []
    for params in ({}, {"input_scaling": 0.7}, RADIUS_ONE):
        cells = []
        for n in (100, 200):
            m = [_mape(recursive_forecast(ESNRegressor(n, random_state=seed, **{**ROUND4, **params})
                                          .fit(fit[:-1], fit[1:, 0]),
                                          fit, 24), v[-24:, 0]) for seed in range(10 if not quick else 3)]
            cells.append(_airline(np.array(m)))
        rows.append([str(params), *cells])
    _table(["params", "100 units", "200 units"], rows)


def _every_task(tasks, params, seeds, fresh=None):
    """One row of tables 9 and 10: NARMA10 over seeds (and unseen ones), airline tails, the other tasks."""
    na = tasks.narma_nrmse(tuple(range(10)), **params)
    cells = [f"{na[0]:.3f}", f"{na[:3].mean():.3f}", f"{na[3:].mean():.3f}"]
    if fresh is not None:
        cells.append(f"{tasks.narma_nrmse(fresh, **params).mean():.3f}")
    cells.append(f"{tasks.airline_mape(seeds=(0,), n_reservoir=200, **params)[0]:.3f}")
    for n in (50, 100, 200, 300):
        a = tasks.airline_mape(seeds=seeds, n_reservoir=n, **params)
        cells.append(f"{(a > 0.15).mean():.0%}; {(a > 1).mean():.0%}; {np.median(a):.3f}")
    return cells + [f"{tasks.mackey_glass_nrmse(**params):.2e}", f"{tasks.memory_capacity(**params):.1f}",
                    f"{tasks.accuracy(100, 'last', **params):.2f}",
                    f"{tasks.narma_nrmse((0,), x_scale=0.01, **params)[0]:.3f}",
                    f"{tasks.narma_nrmse((0,), x_scale=10.0, **params)[0]:.3f}"]


_EVERY_TASK = ["air 200 s0", "air 50", "air 100", "air 200", "air 300", "MG", "memory", "clf last", "x0.01", "x10"]


def table_radius_one(tasks, quick):
    """The region that meets both targets, against the defaults, with airline tails over 30 seeds."""
    print("Table 9. Defaults against input_scaling=0.6, spectral_radius=1, alpha=1e-3: NARMA10 "
          "(seed 0; mean of seeds 0-2; of seeds 3-9), airline over 30 reservoir seeds (share above "
          "0.15; share above 1; median), Mackey-Glass, memory, classification, NARMA10 with the input "
          "x0.01 and x10 (seed 0)\n")
    seeds = range(30) if not quick else range(5)
    rows = [[str(params), *_every_task(tasks, params, seeds)] for params in ({}, RADIUS_ONE)]
    _table(["params", "NARMA s0", "0-2", "3-9", *_EVERY_TASK], rows)


def table_denser_reservoir(tasks, quick):
    """The defaults of tables 1-9 against the chosen ones (ROUND5), on fresh seeds and every task."""
    from sktemporal.reservoir import auto_overlap

    print("Table 10. Defaults of tables 1-9 (density 0.1, radius 0.9, input 1, bias 0.5, alpha 1e-4) "
          "against density 0.3, radius 0.97, input 0.7, bias 0.4, alpha 1e-3: NARMA10 (seed 0; mean of "
          "seeds 0-2; 3-9; 20-49, seeds no search saw), airline at 200 units seed 0 and over 30 reservoir "
          "seeds (share above 0.15; share above 1; median), Mackey-Glass, memory, classification "
          "(pooling='last'), NARMA10 with the input x0.01 and x10 (seed 0), the dask overlap='auto'\n")
    seeds = range(30) if not quick else range(5)
    fresh = tuple(range(20, 50)) if not quick else (20, 21)
    rows = [[", ".join(f"{v:g}" for v in params.values()), *_every_task(tasks, params, seeds, fresh),
             str(auto_overlap(1.0, params["spectral_radius"]))] for params in (ROUND4, ROUND5)]
    _table(["density, radius, input, bias, alpha", "NARMA s0", "0-2", "3-9", "20-49", *_EVERY_TASK, "overlap"],
           rows)
    print("Table 10b. NARMA10 at other sizes: seed 0; mean of seeds 0-9\n")
    rows = []
    for n in (50, 100, 300) if not quick else (100,):
        cells = [str(n)]
        for params in (ROUND4, ROUND5):
            na = tasks.narma_nrmse(tuple(range(10)) if not quick else (0, 1), n_reservoir=n, **params)
            cells += [f"{na[0]:.3f}", f"{na.mean():.3f}"]
        rows.append(cells)
    _table(["n_reservoir", "earlier s0", "earlier mean", "new s0", "new mean"], rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few cells per table")
    parser.add_argument("--tables", default="1,2,3,4,5,6,7,8,9,10")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    tasks = Tasks()
    t0 = time.perf_counter()
    funcs = {"1": table_scalings, "2": table_tasks, "3": table_input_scale, "4": table_alpha,
             "5": table_classifier, "6": table_units, "7": table_mechanism, "8": table_state_kept,
             "9": table_radius_one, "10": table_denser_reservoir}
    for key in args.tables.split(","):
        funcs[key](tasks, args.quick)
    print(f"[{time.perf_counter() - t0:.0f} s]")


if __name__ == "__main__":
    main()
