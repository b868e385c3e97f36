"""Write the golden files of this version: one fitted model per public class, saved with skops.

Run from the repository root (``python tests/golden/make_golden.py``).  It writes
``tests/golden/<version>/<ClassName>.skops`` and ``outputs.npz`` (the input ``X`` and
every output of each model on it).  ``tests/test_persistence.py`` loads the files of
every version kept here and checks the outputs, so a change that breaks files written
by an earlier version fails the tests.  Never regenerate an existing version's files
after a release; a new version adds its own directory.
"""

import pathlib
import sys
import warnings
import zipfile

import numpy as np
import skops.io as sio
from sklearn.base import is_classifier

import sktemporal
from sktemporal._testing import INIT_PARAMS, all_estimators

HERE = pathlib.Path(__file__).resolve().parent
# smaller than the common checks' settings, so that each file is a few KB
SMALL = {"hidden_layer_sizes": (4,), "max_iter": 20, "n_reservoir": 12}
OUTPUT_METHODS = ("predict", "predict_proba", "decision_function", "transform")


def golden_data():
    """A short two-feature series, a regression target and labels (same every run)."""
    rng = np.random.RandomState(0)
    X = np.cumsum(rng.randn(80, 2), axis=0) / 5
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1]
    labels = (y > np.median(y)).astype(int)
    return X, y, labels


def fitted_models():
    """One small fitted instance of every public class, by class name."""
    X, y, labels = golden_data()
    models = {}
    for name, cls in all_estimators():
        params = dict(INIT_PARAMS.get(name, {}))
        params.update({k: v for k, v in SMALL.items() if k in params})
        est = cls(**params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lbfgs stops early on purpose
            models[name] = est.fit(X, labels if is_classifier(est) else y)
    return models


def outputs(est, X):
    """Every output method of ``est`` on ``X``, by method name."""
    return {m: np.asarray(getattr(est, m)(X)) for m in OUTPUT_METHODS if hasattr(est, m)}


def main(directory=None):
    directory = pathlib.Path(directory or HERE / sktemporal.__version__)
    directory.mkdir(parents=True, exist_ok=True)
    X = golden_data()[0]
    arrays = {"X": X}
    for name, est in fitted_models().items():
        sio.dump(est, directory / f"{name}.skops", compression=zipfile.ZIP_DEFLATED, compresslevel=9)
        for method, values in outputs(est, X).items():
            arrays[f"{name}.{method}"] = values
    np.savez_compressed(directory / "outputs.npz", **arrays)
    return directory


if __name__ == "__main__":
    print(main(sys.argv[1] if len(sys.argv) > 1 else None))
