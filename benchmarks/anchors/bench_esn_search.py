"""The cost of the self-tuning ESNRegressorCV against a fixed reservoir and against GridSearchCV.

NARMA10 exactly as the dev suite reads it (``dev_classify.py --narma``: data seed 0, both
alignments, fit on steps 0-1999, NRMSE on steps 2200-3999 of the predictions that follow
the fit), 200 units:

* **self-tuned**: ``ESNRegressorCV(n_reservoir=200, random_state=0)`` — spectral radius,
  leak rate and input scaling at ``'auto'`` (the 27-candidate space, pruned by
  successive halving);
* **fixed**: the same estimator with the reservoir fixed (``spectral_radius=0.97,
  leak_rate=1.0, input_scaling=0.7, bias_scaling=0.4``), the same ``alphas``;
* **grid**: ``GridSearchCV(fixed, param_grid=the 'auto' space, cv=TimeSeriesSplit(5))``
  (27 candidates x 5 folds, then the refit).

Prints the fit seconds (median of ``--repeat`` alternating runs, one BLAS thread), the
ratios self-tuned / fixed (target at most 10) and grid / self-tuned (target at least 10),
and the held-out NRMSE of each (self-tuned at most 1.05 x the grid's).  Run alone::

    flock /tmp/cpu.lock python benchmarks/anchors/bench_esn_search.py [--repeat 3]
"""

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from threadpoolctl import threadpool_limits

from sktemporal.metrics import nrmse
from sktemporal.reservoir import ESNRegressorCV
from sktemporal.reservoir._cv_search import AUTO_SPACE

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dev_classify import N_FIT, SCORED, narma_pair  # noqa: E402

FIXED = {"spectral_radius": 0.97, "leak_rate": 1.0, "input_scaling": 0.7, "bias_scaling": 0.4}


def contenders():
    fixed = dict(n_reservoir=200, random_state=0, **FIXED)
    grid = {k: list(v) for k, v in AUTO_SPACE["regression"].items() if k in FIXED}
    return {
        "self-tuned": lambda: ESNRegressorCV(n_reservoir=200, random_state=0),
        "fixed": lambda: ESNRegressorCV(**fixed),
        "grid": lambda: GridSearchCV(ESNRegressorCV(**fixed), grid, cv=TimeSeriesSplit(5)),
    }


def measure(alignment, repeat):
    X, y = narma_pair(0, alignment)
    times = {name: [] for name in contenders()}
    scores = {}
    for _ in range(repeat):
        for name, make in contenders().items():
            est = make()
            tic = time.perf_counter()
            est.fit(X[:N_FIT], y[:N_FIT])
            times[name].append(time.perf_counter() - tic)
            pred = est.predict(X[N_FIT:SCORED.stop])
            scores[name] = float(nrmse(y[SCORED], pred[SCORED.start - N_FIT:]))
    return {name: statistics.median(t) for name, t in times.items()}, scores


def main(repeat=3):
    warnings.simplefilter("ignore")
    print("| alignment | self-tuned s | fixed s | grid s | self-tuned / fixed | grid / self-tuned "
          "| NRMSE self-tuned | NRMSE fixed | NRMSE grid |")
    print("|---|---|---|---|---|---|---|---|---|")
    rows = []
    with threadpool_limits(1):
        for alignment in ("package", "other"):
            t, s = measure(alignment, repeat)
            rows.append((alignment, t, s))
            print(f"| {alignment} | {t['self-tuned']:.2f} | {t['fixed']:.2f} | {t['grid']:.2f} "
                  f"| {t['self-tuned'] / t['fixed']:.1f} | {t['grid'] / t['self-tuned']:.1f} "
                  f"| {s['self-tuned']:.4f} | {s['fixed']:.4f} | {s['grid']:.4f} |", flush=True)
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    main(parser.parse_args().repeat)
