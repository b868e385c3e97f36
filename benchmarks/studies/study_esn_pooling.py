"""Sequence features of the ESN classifiers: whole-sequence mean, last state, segment means.

The classification dev suite of ``benchmarks/anchors/dev_classify.py`` (BasicMotions,
GunPoint, ItalyPowerDemand, ArrowHead, UnitTest; each set's default train/test split from
sktime's loaders, read exactly as that script reads them), accuracy on the test split.
Each setting is a ``pooling`` and an ``n_segments`` (``'mean:4'`` is ``pooling='mean',
n_segments=4``; ``'both:1'`` the last state and the mean; ``'mean:auto'`` the CV
classes' choice, with ``--models ESNClassifierCV``); every other parameter is the
estimator's default (so ``mean:1`` is ``ESNClassifierCV``'s default before this study),
``random_state`` the model seed.  Settings are chosen on model seeds
1-3; seeds 0 and 4 are the fresh check.  The table gives, per setting, the mean accuracy
over the seeds on each set, the mean over the sets, and the longest fit (seconds, on a
machine shared with other jobs).  The tables of docs/user_guide/reservoir.rst ("Sequence
features that keep shape") come from::

    nice -n 10 python benchmarks/studies/study_esn_pooling.py --seeds 1,2,3
    nice -n 10 python benchmarks/studies/study_esn_pooling.py --seeds 0,4 --settings mean:1,mean:2,mean:3,mean:4
    nice -n 10 python benchmarks/studies/study_esn_pooling.py --seeds 1,2,3 --cv-choice 1,2,3,4,6
    nice -n 10 python benchmarks/studies/study_esn_pooling.py --seeds 1,2,3 --features

``--cv-choice K1,K2,...`` asks whether ``ESNClassifierCV``'s own cross-validation could
choose ``n_segments``: it fits ``ESNClassifierCV(pooling='mean', n_segments=k)`` for each
candidate (same folds, same seed) and takes the candidate of the best CV score
(``mean_test_score``; ties to the fewer segments), or, by the one-standard-error rule, the
fewest segments whose CV score is at least the best minus its standard error over the
folds; it prints the test accuracy of the choice between 1 and each other candidate, and
among all of them.

``--features`` compares feature sets that the estimators do not offer, through one readout:
``Reservoir(include_input=True, random_state=seed)`` states (100 units, the reservoir
defaults), read by scikit-learn's ``RidgeClassifierCV`` (penalty by leave-one-out over
1e-10 ... 100), so that only the features differ: the whole mean (the control), segment
means, a bidirectional reservoir (the same reservoir run over the reversed sequence too:
means, or last states), several leak rates at once (three reservoirs of the same seed with
leak rates 1, 0.3 and 0.1, means concatenated; the control of equal width: 300 units), and
the reservoir model space (Bianchi et al. 2020): the states reduced to 10 principal
components (fitted on the training states), per sequence the ridge weights (penalty 1)
that predict the next reduced state from the current one and a bias, 110 features,
standardised.

Needs the ``bench`` extra (sktime) for the datasets.
"""

import argparse
import pathlib
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "anchors"))
import dev_classify as dev  # noqa: E402

import _devsuite as suite  # noqa: E402

SETTINGS = ["mean:1", "mean:2", "mean:3", "mean:4", "mean:6", "mean:8", "mean:12", "last:1", "both:1",
            "both:4"]


def parse_setting(text):
    """``'mean:4'`` -> ``{'pooling': 'mean', 'n_segments': 4}``."""
    pooling, _, k = text.partition(":")
    return {"pooling": pooling, "n_segments": k if k == "auto" else int(k or 1)}


def run(models, datasets, seeds, settings):
    """One row per (model, setting): per-dataset mean accuracy over ``seeds``, their mean, longest fit."""
    acc = {}  # (model, setting, dataset) -> list of accuracies
    longest = {}
    for dataset in datasets:
        data = dev.load(dataset)
        for model in models:
            for setting in settings:
                params = parse_setting(setting)
                for seed in seeds:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        score, fit_s = dev.classify(data, model, seed, params)
                    acc.setdefault((model, setting, dataset), []).append(score)
                    longest[model, setting] = max(longest.get((model, setting), 0.0), fit_s)
    rows = []
    for model in models:
        for setting in settings:
            per = [float(np.mean(acc[model, setting, d])) for d in datasets]
            rows.append([model, setting, *per, float(np.mean(per)), longest[model, setting]])
    return rows


def cv_choice(datasets, seeds, candidates):
    """Test accuracy when ESNClassifierCV's CV score picks ``n_segments`` among subsets of ``candidates``."""
    fits = {}  # (dataset, seed, k) -> (test accuracy, CV mean, CV standard error)
    for dataset in datasets:
        (X_train, y_train), (X_test, y_test) = dev.load(dataset)
        for seed in seeds:
            for k in candidates:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    est = dev.build("ESNClassifierCV", seed, {"n_segments": k}).fit(X_train, y_train)
                res = est.cv_results_
                folds = np.array([res[f"split{i}_test_score"][0] for i in range(est.n_splits_)])
                test = float(np.mean(np.asarray(est.predict(X_test)).astype(str) == y_test))
                fits[dataset, seed, k] = (test, folds.mean(), folds.std() / np.sqrt(folds.size))
    # 1 against each other candidate, then all of them
    subsets = [(1, k) for k in candidates if k != 1] + [tuple(candidates)]
    rows = []
    for subset in subsets:
        for rule in ("best", "one-SE"):
            per = []
            for dataset in datasets:
                chosen = []
                for seed in seeds:
                    test, cv, se = zip(*(fits[dataset, seed, k] for k in subset))
                    best = int(np.argmax(cv))  # first maximum: the fewest segments
                    if rule == "one-SE":
                        best = next(i for i, s in enumerate(cv) if s >= cv[best] - se[best])
                    chosen.append(test[best])
                per.append(float(np.mean(chosen)))
            rows.append(["ESNClassifierCV", f"CV {rule} of {subset}", *per, float(np.mean(per)), float("nan")])
    return rows


def _ridge_weights(Z, penalty=1.0):
    """Ridge weights ``[b, A]`` of ``z(t+1) ~ b + A z(t)`` over one sequence, flattened (bias unpenalised)."""
    A = np.hstack([np.ones((len(Z) - 1, 1)), Z[:-1]])
    G = A.T @ A + penalty * np.eye(A.shape[1])
    G[0, 0] -= penalty
    return np.linalg.solve(G, A.T @ Z[1:]).ravel()


def _feature_sets(X_train, X_test, seed):
    """``{name: (train features, test features)}`` of every feature set of ``--features``."""
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    from sktemporal.reservoir import Reservoir

    def pooled(reverse=False, **params):
        res = Reservoir(include_input=True, random_state=seed, **params).fit(X_train)
        flip = (lambda X: [x[::-1].copy() for x in X]) if reverse else (lambda X: X)
        return res.transform(flip(X_train)), res.transform(flip(X_test))

    parts = {"mean": pooled(), "segments 4": pooled(n_segments=4), "mean 300 units": pooled(n_reservoir=300),
             "reversed mean": pooled(reverse=True), "last": pooled(pooling="last"),
             "reversed last": pooled(reverse=True, pooling="last"),
             "leak 0.3": pooled(leak_rate=0.3), "leak 0.1": pooled(leak_rate=0.1)}
    res = Reservoir(random_state=seed, pooling=None).fit(X_train)
    states = [res.transform(X_train), res.transform(X_test)]
    pca = PCA(10, random_state=0).fit(np.vstack(states[0]))
    space = [np.array([_ridge_weights(pca.transform(h)) for h in S]) for S in states]
    scaler = StandardScaler().fit(space[0])
    parts["model space"] = tuple(scaler.transform(F) for F in space)
    sets = {"mean (control)": ["mean"], "segment means, 4": ["segments 4"],
            "bidirectional means": ["mean", "reversed mean"], "bidirectional last": ["last", "reversed last"],
            "leak rates 1, 0.3, 0.1": ["mean", "leak 0.3", "leak 0.1"], "mean, 300 units": ["mean 300 units"],
            "model space": ["model space"], "mean + model space": ["mean", "model space"]}
    return {name: tuple(np.hstack([parts[p][i] for p in names]) for i in (0, 1)) for name, names in sets.items()}


def features(datasets, seeds):
    """Test accuracy of each feature set of :func:`_feature_sets` through ``RidgeClassifierCV``."""
    from sklearn.linear_model import RidgeClassifierCV

    acc = {}
    for dataset in datasets:
        (X_train, y_train), (X_test, y_test) = dev.load(dataset)
        for seed in seeds:
            for name, (F_train, F_test) in _feature_sets(X_train, X_test, seed).items():
                ridge = RidgeClassifierCV(alphas=np.logspace(-10, 2, 13)).fit(F_train, y_train)
                acc.setdefault(name, {}).setdefault(dataset, []).append(np.mean(ridge.predict(F_test) == y_test))
    return [["Reservoir + RidgeClassifierCV", name, *(float(np.mean(per[d])) for d in datasets),
             float(np.mean([np.mean(per[d]) for d in datasets])), float("nan")] for name, per in acc.items()]


def table(rows, datasets, seeds):
    head = ["model", "setting", *datasets, "mean", "max fit_s"]
    lines = [f"seeds {','.join(map(str, seeds))} (mean accuracy over the seeds)",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for model, setting, *values, fit_s in rows:
        cells = [f"{v:.3f}" for v in values] + ["-" if np.isnan(fit_s) else f"{fit_s:.2f}"]
        lines.append("| " + " | ".join([model, setting, *cells]) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="ESNClassifierCV,ESNClassifier")
    parser.add_argument("--datasets", default=",".join(dev.DATASETS))
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--settings", default=",".join(SETTINGS))
    parser.add_argument("--features", action="store_true",
                        help="compare feature sets through one ridge readout (instead of --settings)")
    parser.add_argument("--cv-choice", default=None, metavar="K1,K2,...",
                        help="candidate n_segments of the CV choice (instead of --settings)")
    args = parser.parse_args(argv)
    models, datasets = args.models.split(","), args.datasets.split(",")
    seeds = [int(s) for s in args.seeds.split(",")]
    settings = args.settings.split(",")
    suite.use_checkout()
    print(suite.timing_lines())
    tic = time.perf_counter()
    if args.features:
        rows = features(datasets, seeds)
    elif args.cv_choice:
        rows = cv_choice(datasets, seeds, [int(k) for k in args.cv_choice.split(",")])
    else:
        rows = run(models, datasets, seeds, settings)
    print(table(rows, datasets, seeds))
    print(f"total {time.perf_counter() - tic:.0f} s")


if __name__ == "__main__":
    main()
