"""Cross-validated echo state networks: ESNRegressorCV against GridSearchCV over alpha, same run.

Two comparisons on NARMA10 (``sktemporal.datasets.narma``, 4000 steps: the first 2000
for the searches, the last 2000 held out), 200 units, everything else at the defaults:

* ``alpha``: ``ESNRegressorCV(alphas=13 decades, cv=TimeSeriesSplit(5))`` against
  ``GridSearchCV(ESNRegressor(), {'alpha': the same 13}, cv=TimeSeriesSplit(5))``: the
  chosen ``alpha_``, the best score (relative difference) and the time ratio.
* the search: ``GridSearchCV(ESNRegressorCV(), 3 x 3 x 3 grid over spectral_radius,
  leak_rate, input_scaling, cv=TimeSeriesSplit(5))`` against the flat
  ``GridSearchCV(ESNRegressor(), the same grid x 13 alphas)`` (1,755 fold fits): the
  held-out NRMSE of each refitted best model (ratio must stay below 1.5) and the time
  ratio.  The flat grid runs twice: with the per-process cache of recurrent matrices
  (what a user gets now) and, with ``--uncached``, with it disabled (before the cache
  existed).

Times are best of ``--repeat`` runs (alternating), one BLAS thread, ``n_jobs=1``.  Run
alone on a quiet machine::

    flock /tmp/cpu.lock python benchmarks/anchors/bench_esn_cv.py [--repeat 1] [--quick] [--uncached] [--ours-only]
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from threadpoolctl import threadpool_limits

from sktemporal.datasets import narma
from sktemporal.metrics import nrmse
from sktemporal.reservoir import ESNRegressor, ESNRegressorCV, _weights
from sktemporal.reservoir._esn_cv import DEFAULT_ALPHAS

ALPHAS = list(DEFAULT_ALPHAS)
GRID = {"spectral_radius": [0.5, 0.9, 1.2], "leak_rate": [0.3, 0.6, 1.0],
        "input_scaling": [0.05, 0.15, 0.5]}


def data():
    X, y = narma(4000, random_state=0)
    return X[:2000], y[:2000], X[2000:], y[2000:]


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def alpha_search(Xtr, ytr, n_reservoir, repeat):
    """ESNRegressorCV against GridSearchCV over the alphas alone."""
    def ours():
        return ESNRegressorCV(n_reservoir, alphas=ALPHAS, cv=TimeSeriesSplit(5), random_state=0).fit(Xtr, ytr)

    def theirs():
        return GridSearchCV(ESNRegressor(n_reservoir, random_state=0), {"alpha": ALPHAS},
                            cv=TimeSeriesSplit(5)).fit(Xtr, ytr)

    t_ours, t_theirs = [], []
    for _ in range(repeat):
        t, cv_est = _timed(ours)
        t_ours.append(t)
        t, grid = _timed(theirs)
        t_theirs.append(t)
    return {"ours": min(t_ours), "theirs": min(t_theirs), "alpha_ours": cv_est.alpha_,
            "alpha_theirs": grid.best_params_["alpha"],
            "score_rel_diff": abs(cv_est.best_score_ - grid.best_score_) / abs(grid.best_score_)}


def full_search(Xtr, ytr, Xte, yte, n_reservoir, repeat, grid, uncached=False):
    """GridSearchCV(ESNRegressorCV) over the grid against the flat grid x alphas, with and without the cache."""
    def ours():
        _weights.clear_weights_cache()
        return GridSearchCV(ESNRegressorCV(n_reservoir, alphas=ALPHAS, cv=TimeSeriesSplit(5), random_state=0),
                            grid, cv=TimeSeriesSplit(5)).fit(Xtr, ytr)

    def flat():
        _weights.clear_weights_cache()
        return GridSearchCV(ESNRegressor(n_reservoir, random_state=0), {**grid, "alpha": ALPHAS},
                            cv=TimeSeriesSplit(5)).fit(Xtr, ytr)

    def flat_uncached():
        saved = _weights.CACHE_MAX_ENTRIES
        _weights.CACHE_MAX_ENTRIES = 0
        try:
            return flat()
        finally:
            _weights.CACHE_MAX_ENTRIES = saved

    runs = [("ours", ours), ("flat", flat)] + ([("flat_uncached", flat_uncached)] if uncached else [])
    times = {name: [] for name, _ in runs}
    for _ in range(repeat):
        for name, fn in runs:
            t, search = _timed(fn)
            times[name].append(t)
            if name == "ours":
                s_ours = search
            elif name == "flat":
                s_flat = search
    err_ours = nrmse(yte, s_ours.predict(Xte))
    err_flat = nrmse(yte, s_flat.predict(Xte))
    best_ours = dict(s_ours.best_params_, alpha=s_ours.best_estimator_.alpha_)
    return {**{k: min(v) for k, v in times.items()}, "flat_uncached": min(times.get("flat_uncached", [np.nan])),
            "err_ours": err_ours, "err_flat": err_flat,
            "best_ours": best_ours, "best_flat": s_flat.best_params_,
            "n_fits_flat": len(s_flat.cv_results_["params"]) * 5}


def run(quick=False):
    """Rows for ``benchmarks/run.py``."""
    Xtr, ytr, Xte, yte = data()
    n = 100 if quick else 200
    grid = {k: v[:2] for k, v in GRID.items()} if quick else GRID
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = alpha_search(Xtr, ytr, n, 1)
        f = full_search(Xtr, ytr, Xte, yte, n, 1, grid)
    size = "x".join(str(len(v)) for v in grid.values())
    return [
        ("ESN alpha by CV", f"NARMA10 2000 steps, {n} units, 13 alphas", "seconds", a["ours"],
         "GridSearchCV(ESNRegressor)", a["theirs"]),
        ("ESN search", f"NARMA10, {size} grid x 13 alphas, {n} units", "seconds", f["ours"],
         "flat GridSearchCV(ESNRegressor)", f["flat"]),
        ("ESN search", f"NARMA10, {size} grid x 13 alphas, {n} units", "held-out NRMSE", f["err_ours"],
         "flat GridSearchCV(ESNRegressor)", f["err_flat"]),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--n-reservoir", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="2 x 2 x 2 grid")
    parser.add_argument("--uncached", action="store_true",
                        help="also time the flat grid with the cache of recurrent matrices disabled")
    parser.add_argument("--ours-only", action="store_true",
                        help="time only GridSearchCV(ESNRegressorCV), best of --repeat runs (to compare versions)")
    args = parser.parse_args()
    Xtr, ytr, Xte, yte = data()
    grid = {k: v[:2] for k, v in GRID.items()} if args.quick else GRID
    if args.ours_only:
        with threadpool_limits(1), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            times = []
            for _ in range(args.repeat):
                _weights.clear_weights_cache()
                t, _ = _timed(lambda: GridSearchCV(
                    ESNRegressorCV(args.n_reservoir, alphas=ALPHAS, cv=TimeSeriesSplit(5), random_state=0),
                    grid, cv=TimeSeriesSplit(5)).fit(Xtr, ytr))
                times.append(t)
        print(f"GridSearchCV(ESNRegressorCV): {' '.join(f'{t:.2f}' for t in times)} s (best {min(times):.2f} s)")
        return
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = alpha_search(Xtr, ytr, args.n_reservoir, args.repeat)
        print(f"alpha by CV, {args.n_reservoir} units, 13 alphas, TimeSeriesSplit(5)")
        print(f"  ESNRegressorCV {a['ours']:.2f} s, GridSearchCV {a['theirs']:.2f} s, "
              f"speed-up {a['theirs'] / a['ours']:.1f}x; alpha_ {a['alpha_ours']:g} vs "
              f"{a['alpha_theirs']:g}; best score relative difference {a['score_rel_diff']:.1e}", flush=True)
        f = full_search(Xtr, ytr, Xte, yte, args.n_reservoir, args.repeat, grid, args.uncached)
    print(f"search over {' x '.join(str(len(v)) for v in grid.values())} (spectral_radius, leak_rate, "
          f"input_scaling), outer TimeSeriesSplit(5); flat grid also x 13 alphas ({f['n_fits_flat']} fold fits)")
    print(f"  GridSearchCV(ESNRegressorCV)      {f['ours']:7.2f} s"
          f"  held-out NRMSE {f['err_ours']:.4f}  best {f['best_ours']}")
    print(f"  flat GridSearchCV, cache          {f['flat']:7.2f} s"
          f"  held-out NRMSE {f['err_flat']:.4f}  best {f['best_flat']}")
    print(f"  flat GridSearchCV, no cache       {f['flat_uncached']:7.2f} s")
    print(f"  speed-up {f['flat'] / f['ours']:.1f}x (vs cached flat), {f['flat_uncached'] / f['ours']:.1f}x "
          f"(vs uncached flat); error ratio {f['err_ours'] / f['err_flat']:.2f}")


if __name__ == "__main__":
    main()
