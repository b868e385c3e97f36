"""TDNNRegressor against ``Pipeline(DelayEmbedding, MLPRegressor)``: accuracy and epoch time.

Both models get the same taps, the same MLP (hidden layers, activation, Adam, batch size,
L2, stopping rule) and the same seeds; they differ only in the code that trains the MLP:
sktemporal's shared network engine and training loop versus scikit-learn's
``MLPRegressor``.

* Accuracy: test NRMSE (train on the first half of the series, predict the whole series,
  score the second half), mean ± std over ``--seeds`` random initialisations, with the
  same stopping rule in both (``learning_rate_init=0.003``, ``tol=1e-7``,
  ``n_iter_no_change=10``, ``max_iter=200``: the default ``tol=1e-4`` stops too early on
  these small-valued losses).
* Epoch time: a fixed number of epochs (no early stop), best of ``--repeats`` fits,
  divided by the epochs; ratio = ours / sklearn (< 1: ours is faster).

BLAS runs single-threaded by default (``--threads``): on a shared 2-core machine a
multi-threaded BLAS on these small matrices measures the load of the machine, not the
code.  Run the timings alone, e.g. ``flock /tmp/cpu.lock python benchmarks/anchors/bench_tdnn.py``.
"""

import argparse
import platform
import time
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits

import sktemporal
from sktemporal.datasets import mackey_glass, narma
from sktemporal.metrics import nrmse
from sktemporal.neural_network import TDNNRegressor
from sktemporal.preprocessing import DelayEmbedding

DATASETS = {
    # name: (loader, taps) -- y[t] is the next value (Mackey-Glass) / the NARMA output
    "Mackey-Glass (τ=17), 1 step ahead": (lambda n: mackey_glass(n, random_state=0), 10),
    "NARMA10": (lambda n: narma(n, random_state=0), 19),
}


#: the MLPRegressor defaults TDNNRegressor's own defaults differ from (``alpha=0.1``,
#: ``n_iter_no_change=100``), pinned in both
SAME = {"alpha": 1e-4, "n_iter_no_change": 10}


def models(delays, hidden, batch_size, seed, **fit):
    # scaler=None: the same MLP on the same (unscaled) taps as the sklearn pipeline
    fit = {**SAME, **fit}
    ours = TDNNRegressor(hidden, delays=delays, batch_size=batch_size, random_state=seed, scaler=None, **fit)
    mlp = MLPRegressor(hidden_layer_sizes=hidden, batch_size=batch_size, random_state=seed, **fit)
    return ours, make_pipeline(DelayEmbedding(delays=delays), mlp)


def n_epochs(model):
    return model.n_iter_ if hasattr(model, "n_iter_") else model[-1].n_iter_


def accuracy(X, y, delays, hidden, batch_size, seeds):
    half = len(y) // 2
    scores = {"ours": [], "sklearn": []}
    for seed in seeds:
        fit = dict(learning_rate_init=0.003, tol=1e-7, max_iter=200)
        for name, model in zip(scores, models(delays, hidden, batch_size, seed, **fit)):
            model.fit(X[:half], y[:half])
            scores[name].append(nrmse(y[half:], model.predict(X)[half:]))
    return {k: (np.mean(v), np.std(v)) for k, v in scores.items()}


def epoch_time(X, y, delays, hidden, batch_size, epochs, repeats):
    half = len(y) // 2
    fixed = dict(max_iter=epochs, tol=0.0, n_iter_no_change=epochs + 1)
    best = {"ours": np.inf, "sklearn": np.inf}
    for _ in range(repeats):
        for name, model in zip(best, models(delays, hidden, batch_size, 0, **fixed)):
            tic = time.perf_counter()
            model.fit(X[:half], y[:half])
            elapsed = time.perf_counter() - tic
            assert n_epochs(model) == epochs
            best[name] = min(best[name], elapsed / epochs)
    return best


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-timesteps", type=int, default=4000)
    parser.add_argument("--hidden", type=int, nargs="+", default=[50])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[200, 32])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    args = parser.parse_args()
    hidden = tuple(args.hidden)

    print(f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"scikit-learn {sklearn.__version__}, sktemporal {sktemporal.__version__}; "
          f"{cpu_name()}, BLAS threads: {args.threads}")
    half = args.n_timesteps // 2
    print(f"MLP {hidden}, relu, adam (learning_rate_init=0.003, tol=1e-7), train {half} / test {half} steps, "
          f"NRMSE over {args.seeds} seeds, epoch time best of {args.repeats} x {args.epochs} epochs\n")
    print("| data | taps | batch | NRMSE TDNNRegressor | NRMSE DelayEmbedding+MLPRegressor "
          "| ms/epoch ours | ms/epoch sklearn | epoch-time ratio |")
    print("|---|---|---|---|---|---|---|---|")
    with warnings.catch_warnings(), threadpool_limits(args.threads):
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name, (load, delays) in DATASETS.items():
            X, y = load(args.n_timesteps)
            for batch_size in args.batch_sizes:
                acc = accuracy(X, y, delays, hidden, batch_size, range(args.seeds))
                t = epoch_time(X, y, delays, hidden, batch_size, args.epochs, args.repeats)
                print(f"| {name} | {delays + 1} | {batch_size} "
                      f"| {acc['ours'][0]:.4f} ± {acc['ours'][1]:.4f} "
                      f"| {acc['sklearn'][0]:.4f} ± {acc['sklearn'][1]:.4f} "
                      f"| {t['ours'] * 1e3:.2f} | {t['sklearn'] * 1e3:.2f} "
                      f"| {t['ours'] / t['sklearn']:.2f} |", flush=True)


def run(quick=False):
    """Rows for ``benchmarks/run.py``: epoch time and NRMSE against DelayEmbedding + MLPRegressor."""
    rows = []
    seeds = range(1 if quick else 3)
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name, (load, delays) in DATASETS.items():
            X, y = load(2000 if quick else 4000)
            t = epoch_time(X, y, delays, (50,), 32, 10 if quick else 30, 2 if quick else 5)
            acc = accuracy(X, y, delays, (50,), 32, seeds)
            anchor = "DelayEmbedding + MLPRegressor"
            rows.append(("TDNN epoch", f"{name}, batch 32", "seconds", t["ours"], anchor, t["sklearn"]))
            rows.append(("TDNN accuracy", f"{name}", "test NRMSE", acc["ours"][0], anchor, acc["sklearn"][0]))
    return rows


if __name__ == "__main__":
    main()
