"""Saving and loading: skops and pickle round trips, golden files, the version check, trusted types."""

import os
import pathlib
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest

import sktemporal
from sktemporal import ESNRegressor, RNNRegressor
from sktemporal._testing import all_estimators
from sktemporal.exceptions import IncompatibleVersionError, InconsistentVersionWarning
from sktemporal.persistence import trusted_types
from sktemporal.utils._persistence import FORMAT_KEY, VERSION_KEY

sio = pytest.importorskip("skops.io")

HERE = pathlib.Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
sys.path.insert(0, str(GOLDEN))
import make_golden  # noqa: E402

CLASSES = dict(all_estimators())

# Golden files that a deliberate change of state format no longer reads, by
# "<version>/<ClassName>": loading them must raise IncompatibleVersionError.
INCOMPATIBLE = {}


@pytest.fixture(scope="module")
def models():
    return make_golden.fitted_models()


def _assert_same_outputs(a, b, X):
    out_a, out_b = make_golden.outputs(a, X), make_golden.outputs(b, X)
    assert out_a.keys() == out_b.keys() and out_a
    for method in out_a:
        np.testing.assert_array_equal(out_a[method], out_b[method], err_msg=method)


def test_every_public_class_is_covered(models):
    assert set(models) == set(CLASSES)


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_skops_round_trip_identical_outputs(models, name):
    """A model saved with skops and loaded trusting exactly ``trusted_types(model)`` gives identical outputs."""
    est = models[name]
    data = sio.dumps(est)
    assert sorted(sio.get_untrusted_types(data=data)) == trusted_types(est)
    assert set(trusted_types(est)) <= set(trusted_types(type(est))) <= set(trusted_types())
    restored = sio.loads(data, trusted=trusted_types(type(est)))
    assert type(restored) is type(est)
    _assert_same_outputs(est, restored, make_golden.golden_data()[0])


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_pickle_round_trip_identical_outputs(models, name):
    est = models[name]
    restored = pickle.loads(pickle.dumps(est))
    _assert_same_outputs(est, restored, make_golden.golden_data()[0])
    assert VERSION_KEY not in vars(restored) and FORMAT_KEY not in vars(restored)


@pytest.mark.parametrize(
    "est",
    [
        ESNRegressor(n_reservoir=12, keep_training_state=True, random_state=0),
        ESNRegressor(n_reservoir=12, solver="rls", keep_training_state=True, random_state=0),
        RNNRegressor((4,), solver="sgd", max_iter=3, random_state=0),
        RNNRegressor((4,), cell="jordan", max_iter=3, random_state=0),
        RNNRegressor((4,), solver="ekf", max_iter=2, random_state=0),
    ],
    ids=["ridge-sums", "rls-state", "sgd", "jordan", "ekf"],
)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_trusted_types_cover_other_settings(est):
    """Settings that store other internal types (readout state, optimizers, cells, online solvers)."""
    X, y, _ = make_golden.golden_data()
    if est.get_params().get("solver") == "ekf":
        est.partial_fit(X, y)  # the filter's state is kept after partial_fit
    else:
        est.fit(X, y)
    data = sio.dumps(est)
    assert sorted(sio.get_untrusted_types(data=data)) == trusted_types(est)
    restored = sio.loads(data, trusted=trusted_types(type(est)))
    np.testing.assert_array_equal(restored.predict(X), est.predict(X))
    if est.get_params().get("keep_training_state"):
        restored.partial_fit(X, y)  # the training state came back too


def _golden_files():
    return sorted(GOLDEN.glob("*/*.skops"))


def test_golden_files_exist_for_this_version():
    names = {p.stem for p in (GOLDEN / sktemporal.__version__).glob("*.skops")}
    assert names == set(CLASSES), "run tests/golden/make_golden.py for this version"


@pytest.mark.parametrize("path", _golden_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden_file_loads_with_same_outputs(path):
    """Files written by earlier versions load and give the outputs they gave then (or raise the clear error)."""
    key = f"{path.parent.name}/{path.stem}"
    cls = CLASSES[path.stem]
    if key in INCOMPATIBLE:
        with pytest.raises(IncompatibleVersionError, match=path.stem):
            sio.load(path, trusted=trusted_types(cls))
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a golden file loads without any warning
        est = sio.load(path, trusted=trusted_types(cls))
    expected = np.load(path.parent / "outputs.npz")
    X = expected["X"]
    got = make_golden.outputs(est, X)
    stored = {k.split(".", 1)[1] for k in expected.files if k.startswith(path.stem + ".")}
    assert set(got) == stored
    for method, values in got.items():
        np.testing.assert_allclose(values, expected[f"{path.stem}.{method}"], rtol=1e-9, atol=1e-12,
                                   err_msg=method)


@pytest.mark.parametrize("how", ["pickle", "skops"])
def test_file_from_newer_format_raises_clear_error(models, monkeypatch, how):
    est = models["ESNRegressor"]
    monkeypatch.setattr(ESNRegressor, "_state_format", 2)  # as if written by a later version
    data = pickle.dumps(est) if how == "pickle" else sio.dumps(est)
    monkeypatch.setattr(ESNRegressor, "_state_format", 1)
    msg = r"saved by sktemporal .* state format 2.* reads ESNRegressor state format 1 only; upgrade"
    with pytest.raises(IncompatibleVersionError, match=msg):
        pickle.loads(data) if how == "pickle" else sio.loads(data, trusted=trusted_types(ESNRegressor))


def test_file_from_older_format_raises_clear_error(models, monkeypatch):
    est = models["RNNRegressor"]
    data = pickle.dumps(est)
    monkeypatch.setattr(RNNRegressor, "_state_format", 3)  # as if the layout changed since
    with pytest.raises(IncompatibleVersionError, match="state format 1, .* refit"):
        pickle.loads(data)


def test_file_without_version_warns_and_loads(models):
    est = models["ESNRegressor"]
    state = est.__getstate__()
    del state[VERSION_KEY], state[FORMAT_KEY]
    restored = object.__new__(ESNRegressor)
    with pytest.warns(InconsistentVersionWarning, match="without an sktemporal version"):
        restored.__setstate__(state)
    X = make_golden.golden_data()[0]
    np.testing.assert_array_equal(restored.predict(X), est.predict(X))


def test_trusted_types_bad_argument():
    with pytest.raises(ValueError, match="public class of sktemporal.*got the class builtins.dict"):
        trusted_types(dict)


def test_trusted_types_of_a_pipeline():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y, _ = make_golden.golden_data()
    pipe = make_pipeline(StandardScaler(), ESNRegressor(n_reservoir=12, random_state=0)).fit(X, y)
    assert trusted_types(pipe) == trusted_types(pipe[-1])
    restored = sio.loads(sio.dumps(pipe), trusted=trusted_types(pipe))
    np.testing.assert_array_equal(restored.predict(X), pipe.predict(X))


def test_importing_sktemporal_does_not_import_skops():
    code = ("import sys, sktemporal, sktemporal.persistence\n"
            "sktemporal.persistence.trusted_types(sktemporal.ESNRegressor)\n"
            "print('skops' in sys.modules)")
    env = dict(os.environ, PYTHONPATH=str(HERE.parent))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=HERE.parent, env=env)
    assert out.stdout.strip() == "False"


def test_parameter_added_after_the_file_takes_its_default(models):
    """A constructor parameter missing from an older file gets its signature default on load."""
    est = models["RNNRegressor"]
    state = est.__getstate__()
    del state["clip_norm"]  # as if the parameter did not exist when the file was written
    restored = object.__new__(RNNRegressor)
    restored.__setstate__(state)
    assert restored.clip_norm == RNNRegressor().clip_norm
    X = make_golden.golden_data()[0]
    np.testing.assert_array_equal(restored.predict(X), est.predict(X))
