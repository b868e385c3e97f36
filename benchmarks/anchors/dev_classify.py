"""Real-data dev suite: sequence classification against MiniRocket and 1-NN DTW, and NARMA10 regression.

**Classification** (default mode).  The five UCR/UEA datasets bundled with sktime (BasicMotions,
GunPoint, ItalyPowerDemand, ArrowHead, UnitTest), each on the train/test split its loader
defines.  A package classifier is built as ``Est(random_state=seed, **overrides)`` and trained
on the training split given as a list of ``(T, channels)`` float arrays (rows are time steps);
its score is the share of test sequences whose predicted label (compared as a string) is the
true one.  The anchors run in the same process at fixed settings, whatever ``--seeds`` says:
MiniRocket, sktime's ``RocketClassifier(rocket_transform="minirocket", random_state=0)``, and
1-NN DTW, ``KNeighborsTimeSeriesClassifier(n_neighbors=1, distance="dtw")``, both fed sktime's
own ``(n, channels, T)`` layout (the five datasets have equal lengths).

**NARMA10** (``--narma``).  For each data seed s, ``X, y = sktemporal.datasets.narma(4001,
random_state=s)``.  The package's alignment is ``X[:4000], y[:4000]`` (``X[t] = u(t)`` is the
input for ``y(t+1)``); the other common one is ``X[1:], y[:-1]`` (each target due before the
input of its own step is seen).  Each regressor is fitted on steps 0-1999, predicts steps
2000-3999 right after the fit, and is scored by ``sktemporal.metrics.nrmse`` on steps 2200-3999
(its first 200 predictions are a washout).  Every family gets the size the suite fixes
(``NARMA_SETTINGS``: 200 reservoir units for the ESNs, 19 delays for the TDNN); ``--params``
goes on top.

Each fit prints one JSON line (appended to ``--jsonl`` too); its ``fit_s`` is the wall time of
``fit`` alone.  Then a markdown table: with several ``--seeds`` a package model shows its first
seed and the mean over all of them; NARMA rows show the first run (first data seed, first model
seed), the median and the worst NRMSE over data seeds x model seeds, per alignment.  A model
that raises gets a row with its error and the run goes on.

    flock /tmp/cpu.lock python benchmarks/anchors/dev_classify.py [--models MiniRocket,1NN-DTW]
        [--datasets GunPoint,ArrowHead] [--seeds 0,1,2,3,4] [--jsonl out.jsonl]
        [--params 'LSTMClassifier:learning_rate_init=0.001,hidden_layer_sizes=(64,)']
    flock /tmp/cpu.lock python benchmarks/anchors/dev_classify.py --narma [--data-seeds 0,1,2,3,4]
        [--seeds 0,1] [--alignments package,other] [--models LSTMRegressor,ESNRegressorCV]

Needs the ``bench`` extra (sktime and numba) for the classification datasets and anchors;
``--narma`` needs only the package.
"""

import argparse
import time
import warnings

import numpy as np

import _devsuite as suite

DATASETS = ["BasicMotions", "GunPoint", "ItalyPowerDemand", "ArrowHead", "UnitTest"]
LOADERS = {"BasicMotions": "load_basic_motions", "GunPoint": "load_gunpoint",
           "ItalyPowerDemand": "load_italy_power_demand", "ArrowHead": "load_arrow_head",
           "UnitTest": "load_unit_test"}
CLASSIFIERS = ["ESNClassifier", "ESNClassifierCV", "TDNNClassifier", "RNNClassifier", "GRUClassifier",
               "LSTMClassifier"]
ANCHORS = ["MiniRocket", "1NN-DTW"]
NARMA_SETTINGS = {"ESNRegressor": {"n_reservoir": 200}, "ESNRegressorCV": {"n_reservoir": 200},
                  "TDNNRegressor": {"delays": 19}, "RNNRegressor": {}, "LSTMRegressor": {}, "GRURegressor": {}}
ALIGNMENTS = ["package", "other"]
N_FIT, SCORED = 2000, slice(2200, 4000)


def load(name):
    """``((train sequences, train labels), (test sequences, test labels))`` of one bundled dataset."""
    import sktime.datasets

    loader = getattr(sktime.datasets, LOADERS[name])
    splits = []
    for split in ("train", "test"):
        X, y = loader(split=split, return_X_y=True)
        # sktime's nested frame holds one pandas Series per (sequence, channel)
        sequences = [np.column_stack([np.asarray(X.iloc[i, j], dtype=float) for j in range(X.shape[1])])
                     for i in range(len(X))]
        splits.append((sequences, np.asarray(y).astype(str)))
    return splits


def build(model, seed, params):
    if model == "MiniRocket":
        from sktime.classification.kernel_based import RocketClassifier

        return RocketClassifier(rocket_transform="minirocket", random_state=0)
    if model == "1NN-DTW":
        from sktime.classification.distance_based import KNeighborsTimeSeriesClassifier

        return KNeighborsTimeSeriesClassifier(n_neighbors=1, distance="dtw")
    import sktemporal

    return getattr(sktemporal, model)(**params, random_state=seed)


def classify(data, model, seed, params):
    """Fit on the training split, return (test accuracy, fit seconds)."""
    (X_train, y_train), (X_test, y_test) = data
    est = build(model, seed, params)
    if model in ANCHORS:
        X_train, X_test = (np.transpose(np.stack(s), (0, 2, 1)) for s in (X_train, X_test))
    tic = time.perf_counter()
    est.fit(X_train, y_train)
    fit_s = time.perf_counter() - tic
    return float(np.mean(np.asarray(est.predict(X_test)).astype(str) == y_test)), fit_s


def narma_pair(data_seed, alignment):
    from sktemporal.datasets import narma

    X, y = narma(4001, random_state=data_seed)
    return (X[:-1], y[:-1]) if alignment == "package" else (X[1:], y[:-1])


def narma_score(X, y, model, seed, params):
    """Fit on steps 0-1999, return (NRMSE on steps 2200-3999, fit seconds)."""
    from sktemporal.metrics import nrmse

    est = build(model, seed, {**NARMA_SETTINGS[model], **params})
    tic = time.perf_counter()
    est.fit(X[:N_FIT], y[:N_FIT])
    fit_s = time.perf_counter() - tic
    pred = est.predict(X[N_FIT:SCORED.stop])
    return float(nrmse(y[SCORED], pred[SCORED.start - N_FIT:])), fit_s


def _runs(model, seed_list):
    return [None] if model in ANCHORS else seed_list


def run_classification(models, datasets, seed_list, params, jsonl=None):
    rows = []
    for dataset in datasets:
        try:
            data, load_error = load(dataset), None
        except Exception as exc:  # every row of the dataset reports it
            data, load_error = None, suite.error_text(exc)
        for model in models:
            for seed in _runs(model, seed_list):
                row = {"suite": "classify", "dataset": dataset, "model": model, "seed": seed,
                       "params": params.get(model, {})}
                try:
                    if load_error:
                        raise RuntimeError(f"loading {dataset}: {load_error}")
                    accuracy, fit_s = classify(data, model, seed, row["params"])
                    row.update(accuracy=round(accuracy, 4), fit_s=round(fit_s, 2))
                except Exception as exc:
                    row.update(accuracy=None, error=suite.error_text(exc))
                suite.emit(row, jsonl)
                rows.append(row)
    return rows


def run_narma(models, data_seeds, seed_list, alignments, params, jsonl=None):
    rows = []
    for data_seed in data_seeds:
        for alignment in alignments:
            X, y = narma_pair(data_seed, alignment)
            for model in models:
                for seed in seed_list:
                    row = {"suite": "narma", "alignment": alignment, "data_seed": data_seed, "model": model,
                           "seed": seed, "params": params.get(model, {})}
                    try:
                        score, fit_s = narma_score(X, y, model, seed, row["params"])
                        row.update(nrmse=round(score, 4), fit_s=round(fit_s, 2))
                    except Exception as exc:
                        row.update(nrmse=None, error=suite.error_text(exc))
                    suite.emit(row, jsonl)
                    rows.append(row)
    return rows


def _ordered(rows, key):
    return list(dict.fromkeys(row[key] for row in rows))


def classification_table(rows):
    """Datasets down, models across (first seed and mean over seeds), a mean row at the bottom."""
    datasets, models = _ordered(rows, "dataset"), _ordered(rows, "model")
    acc = {(r["dataset"], r["model"], r["seed"]): r["accuracy"] for r in rows}
    columns = []  # (title, dataset -> value)
    for model in models:
        runs = _ordered([r for r in rows if r["model"] == model], "seed")
        first = runs[0]
        title = model if len(runs) == 1 and first in (None, 0) else f"{model} s{first}"
        columns.append((title, lambda d, m=model, s=first: acc.get((d, m, s))))
        if len(runs) > 1:
            columns.append((f"{model} mean of {len(runs)} seeds",
                            lambda d, m=model, rs=tuple(runs): suite.seed_statistic([acc.get((d, m, s))
                                                                                      for s in rs], "mean")))
    body = [[d] + [suite.cell(value(d), 3) for _, value in columns] for d in datasets]
    means = [suite.seed_statistic([value(d) for d in datasets], "mean") for _, value in columns]
    body.append(["mean"] + [suite.cell(v, 3) for v in means])
    return suite.markdown(["dataset"] + [title for title, _ in columns], body)


def narma_table(rows):
    """Models down; per alignment the first run, the median and the worst NRMSE; the longest fit."""
    alignments = _ordered(rows, "alignment")
    header = ["model"]
    for alignment in alignments:
        header += [f"{alignment}: first run", f"{alignment}: median", f"{alignment}: max"]
    header += ["runs", "max fit_s"]
    body = []
    for model in _ordered(rows, "model"):
        mine = [r for r in rows if r["model"] == model]
        line = [model]
        for alignment in alignments:
            scores = [r["nrmse"] for r in mine if r["alignment"] == alignment]
            complete = None not in scores
            line += [suite.cell(scores[0], 3), suite.cell(suite.seed_statistic(scores, "median"), 3),
                     suite.cell(max(scores) if complete else None, 3)]
        fits = [r["fit_s"] for r in mine if "fit_s" in r]
        line += [str(len(mine)), suite.cell(max(fits) if fits else None, 2)]
        body.append(line)
    return suite.markdown(header, body)


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--narma", action="store_true", help="NARMA10 regression instead of classification")
    parser.add_argument("--models", help="comma-separated (default: every package model and, for "
                                         "classification, both anchors)")
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--seeds", default="0", help="model random_state values, e.g. 0,1,2,3,4")
    parser.add_argument("--data-seeds", default="0,1,2,3,4", help="NARMA10 draws (--narma)")
    parser.add_argument("--alignments", default=",".join(ALIGNMENTS), help="NARMA10 alignments (--narma)")
    parser.add_argument("--params", action="append", metavar="MODEL:KEY=VALUE,...",
                        help="constructor overrides of a package model; repeat for several models")
    parser.add_argument("--jsonl", metavar="FILE", help="also append every result line to FILE")
    args = parser.parse_args(argv)
    known = list(NARMA_SETTINGS) if args.narma else CLASSIFIERS + ANCHORS
    tunable = list(NARMA_SETTINGS) if args.narma else CLASSIFIERS
    try:
        args.models = suite.names(args.models or ",".join(known), known, "--models")
        args.datasets = suite.names(args.datasets, DATASETS, "--datasets")
        args.seeds = suite.seeds(args.seeds)
        args.data_seeds = suite.seeds(args.data_seeds, "--data-seeds")
        args.alignments = suite.names(args.alignments, ALIGNMENTS, "--alignments")
        args.params = suite.overrides(args.params, tunable)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def main(argv=None):
    args = parse(argv)
    print(suite.timing_lines(), flush=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if args.narma:
            rows = run_narma(args.models, args.data_seeds, args.seeds, args.alignments, args.params, args.jsonl)
            table = narma_table(rows)
        else:
            rows = run_classification(args.models, args.datasets, args.seeds, args.params, args.jsonl)
            table = classification_table(rows)
    print("\n" + table)
    return rows


if __name__ == "__main__":
    suite.use_checkout()
    main()
