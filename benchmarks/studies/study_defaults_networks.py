"""Defaults study of the trained networks: every family at its defaults on the package's tasks.

Each row fits an estimator with nothing set but the size where a task needs one (and
``random_state``), on the package's own data, and reports the held-out error.  Columns:
the defaults of this version, and the defaults before the out-of-the-box work (no internal
scaling, whole-series BPTT, predictions from a zero state, learning rate 1e-3, alpha 1e-4),
obtained here by setting those parameters.  The table in docs/user_guide/defaults.rst comes
from this script::

    python benchmarks/studies/study_defaults_networks.py            # all tasks, seeds 0 and 1
    python benchmarks/studies/study_defaults_networks.py --quick    # seed 0 only
    python benchmarks/studies/study_defaults_networks.py --families RNN --seeds 0 1 2 --set '{"max_iter": 300}'

Tasks: NARMA10 (2000 train / 2000 test steps, NRMSE); Mackey–Glass one-step (1000 / 1000,
NRMSE) and free run (50 generated steps after the training block, NRMSE); memory capacity
(1000 / 1000 steps, 20 delays, sum of squared correlations, higher is better); the adding
problem (T = 50, 1000 / 500 sequences, MSE; predicting the mean scores 0.167); ragged
3-class sequence classification (240 / 120 sequences, accuracy); the log airline series
through sktime's ``make_reduction`` (24 months ahead, MAPE; skipped without sktime).
"""

import argparse
import json
import time
import warnings
from functools import partial

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sktemporal import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
    TDNNClassifier,
    TDNNRegressor,
)
from sktemporal.datasets import (
    adding_problem,
    mackey_glass,
    make_sequence_classification,
    memory_task,
    narma,
)
from sktemporal.metrics import memory_capacity, nrmse

#: the defaults before this version, as parameters (the TDNN had no truncation or state)
BEFORE = {"scaler": None, "learning_rate_init": 1e-3, "alpha": 1e-4}
#: the recurrent networks' "before" column keeps the epoch budget it was measured with
BEFORE_RECURRENT = dict(BEFORE, bptt_steps=None, initial_state="zeros", max_iter=300, n_iter_no_change=30)

FAMILIES = {
    "TDNN": (TDNNRegressor, TDNNClassifier, BEFORE),
    "RNN": (RNNRegressor, RNNClassifier, BEFORE_RECURRENT),
    "LSTM": (LSTMRegressor, LSTMClassifier, BEFORE_RECURRENT),
    "GRU": (GRURegressor, GRUClassifier, BEFORE_RECURRENT),
}


def _fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def _size(family, task):
    # the one thing a user sets: the TDNN's memory length for a task with memory
    if family == "TDNN" and task in ("narma", "memory"):
        return {"delays": 19}
    return {}


def task_narma(make, seed):
    X, y = narma(4000, random_state=0)
    m = _fit(make(), X[:2000], y[:2000])
    return nrmse(y[2000:], m.predict(X[2000:]))


def task_mackey_glass(make, seed):
    X, y = mackey_glass(2000, random_state=0)
    m = _fit(make(), X[:1000], y[:1000])
    one_step = nrmse(y[1000:], m.predict(X[1000:]))
    if hasattr(m, "generate"):
        free = m.generate(50, warmup=X[:1000])
        free_run = nrmse(X[1000:1050, 0], free)
    else:
        free_run = np.nan
    return one_step, free_run


def task_memory(make, seed):
    X, y = memory_task(2000, random_state=0)
    m = _fit(make(), X[:1000], y[:1000])
    return memory_capacity(y[1000:], m.predict(X[1000:]))


def task_adding(make, seed):
    X, y = adding_problem(1500, seq_length=50, random_state=0)
    m = _fit(make(), X[:1000], y[:1000])
    return float(np.mean((m.predict(X[1000:]) - y[1000:]) ** 2))


def task_classification(make, seed):
    X, y = make_sequence_classification(360, n_classes=3, random_state=0)
    m = _fit(make(), X[:240], y[:240])
    return m.score(X[240:], y[240:])


def task_airline(make, seed):
    try:
        from sktime.datasets import load_airline
        from sktime.forecasting.compose import make_reduction
    except ImportError:
        return np.nan
    y = np.log(load_airline())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = make_reduction(make(), window_length=12, strategy="recursive").fit(y.iloc[:-24])
        pred = f.predict(np.arange(1, 25))
    return float(np.mean(np.abs(pred.to_numpy() - y.iloc[-24:].to_numpy()) / y.iloc[-24:].to_numpy()))


TASKS = [("NARMA10 NRMSE", "narma", task_narma, "reg"),
         ("MG one-step NRMSE / free run NRMSE", "mg", task_mackey_glass, "reg"),
         ("memory capacity (of 20)", "memory", task_memory, "reg"),
         ("adding T=50 MSE", "adding", task_adding, "reg"),
         ("3-class accuracy", "clf", task_classification, "clf"),
         ("airline MAPE", "airline", task_airline, "reg")]


def mean(values):
    """Mean over seeds (element-wise for tasks that report a pair)."""
    if isinstance(values[0], tuple):
        return tuple(np.mean(values, axis=0))
    return float(np.mean(values))


def _fmt(v):
    if isinstance(v, tuple):
        return " / ".join(_fmt(x) for x in v)
    return "-" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:.3f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="seed 0 only")
    parser.add_argument("--seeds", nargs="*", type=int, default=[0, 1], help="seeds to average over")
    parser.add_argument("--set", default="{}", metavar="JSON",
                        help='parameters set on the "now" column, e.g. \'{"max_iter": 300}\'')
    parser.add_argument("--families", nargs="*", default=list(FAMILIES))
    parser.add_argument("--tasks", nargs="*", default=[t[1] for t in TASKS])
    args = parser.parse_args(argv)
    seeds = (0,) if args.quick else tuple(args.seeds)
    print("| task | family | defaults now | seconds | defaults before |")
    print("|---|---|---|---|---|")
    for label, key, task, kind in TASKS:
        if key not in args.tasks:
            continue
        for family in args.families:
            reg, clf, before = FAMILIES[family]
            Est = clf if kind == "clf" else reg
            size = _size(family, key)
            for name, params in (("now", json.loads(args.set)), ("before", before)):
                values, tic = [], time.perf_counter()
                for seed in seeds:
                    make = partial(Est, random_state=seed, **size, **params)
                    values.append(task(make, seed))
                seconds = (time.perf_counter() - tic) / len(seeds)
                if name == "now":
                    now, now_s = values, seconds
            print(f"| {label} | {family} | {_fmt(mean(now))} | {now_s:.1f} | {_fmt(mean(values))} |", flush=True)


if __name__ == "__main__":
    main()
