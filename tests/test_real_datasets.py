"""Tests of the real data sets shipped in the package (GunPoint, airline passengers)."""

import importlib.util
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

from sktemporal.datasets import load_airline, load_gunpoint

ROOT = Path(__file__).resolve().parents[1]
DATA_FILES = ["GunPoint.rst", "GunPoint_TEST.ts.gz", "GunPoint_TRAIN.ts.gz", "airline.csv", "airline.rst"]


# ----------------------------------------------------------------------------------
# GunPoint
# ----------------------------------------------------------------------------------
@pytest.mark.parametrize("split, n, counts", [("train", 50, [24, 26]), ("test", 150, [76, 74]),
                                              ("all", 200, [100, 100])])
def test_gunpoint_shapes_dtypes_and_class_counts(split, n, counts):
    X, y = load_gunpoint(split)
    assert X.shape == (n, 150, 1) and X.dtype == np.float64 and X.flags.c_contiguous
    assert np.isfinite(X).all()
    assert y.shape == (n,) and y.dtype.kind == "U"
    labels, found = np.unique(y, return_counts=True)
    assert labels.tolist() == ["1", "2"] and found.tolist() == counts


def test_gunpoint_values_are_those_written_in_the_files():
    """First and last values and labels as the archive's text has them; every series
    z-normalised (mean 0, sample standard deviation 1, to the files' 8 digits)."""
    X_train, y_train = load_gunpoint("train")
    X_test, y_test = load_gunpoint("test")
    assert X_train[0, 0, 0] == -0.6478854 and X_train[-1, -1, 0] == -1.4308845 and y_train[-1] == "2"
    assert X_test[0, 0, 0] == -1.1250133 and X_test[-1, -1, 0] == -1.222043 and y_test[-1] == "1"
    X = np.concatenate([X_train, X_test])
    np.testing.assert_allclose(X.mean(axis=1), 0.0, atol=1e-7)
    np.testing.assert_allclose(X.std(axis=1, ddof=1), 1.0, atol=1e-7)


def test_gunpoint_all_is_train_then_test_and_split_ignores_case():
    X_train, y_train = load_gunpoint("train")
    X_test, y_test = load_gunpoint("TEST")
    for split in (None, "all", "ALL"):
        X, y = load_gunpoint(split)
        np.testing.assert_array_equal(X, np.concatenate([X_train, X_test]))
        np.testing.assert_array_equal(y, np.concatenate([y_train, y_test]))
    np.testing.assert_array_equal(load_gunpoint("Train")[0], X_train)


def test_gunpoint_bunch():
    bunch = load_gunpoint("train", return_X_y=False)
    X, y = load_gunpoint("train")
    assert sorted(bunch) == ["DESCR", "data", "feature_names", "target", "target_names"]
    np.testing.assert_array_equal(bunch.data, X)
    np.testing.assert_array_equal(bunch.target, y)
    assert bunch.target_names.tolist() == ["1", "2"]
    assert bunch.feature_names.tolist() == ["hand_x"] and len(bunch.feature_names) == X.shape[2]
    assert "Dau" in bunch.DESCR and "Ratanamahatana" in bunch.DESCR and "Licence" in bunch.DESCR


def test_every_call_returns_new_arrays():
    X, y = load_gunpoint("train")
    X[:] = 0.0
    y[:] = "2"
    X2, y2 = load_gunpoint("train")
    assert X2[0, 0, 0] == -0.6478854 and (y2 == "1").sum() == 24
    series = load_airline()
    series[:] = 0.0
    assert load_airline()[0] == 112.0


@pytest.mark.parametrize("split", [None, "train", "test"])
def test_gunpoint_equals_sktime(split):
    sktime_datasets = pytest.importorskip("sktime.datasets")
    X_sk, y_sk = sktime_datasets.load_gunpoint(split=split, return_type="numpy3D")
    X, y = load_gunpoint(split)
    np.testing.assert_array_equal(X, X_sk.transpose(0, 2, 1))  # bit for bit: both parse the same text
    np.testing.assert_array_equal(y, y_sk)


@pytest.mark.parametrize("split", ["valid", "training", "", 1, ["train"]])
def test_gunpoint_bad_split(split):
    with pytest.raises(ValueError, match=r"'split' parameter of load_gunpoint.*'train', 'test' or 'all'") as info:
        load_gunpoint(split)
    assert f"Got {split!r} instead" in str(info.value)
    assert isinstance(info.value, TypeError)  # the package's parameter error is both


def test_gunpoint_bad_return_X_y():
    with pytest.raises(ValueError, match="'return_X_y' parameter of load_gunpoint"):
        load_gunpoint("train", return_X_y="yes")


# ----------------------------------------------------------------------------------
# airline passengers
# ----------------------------------------------------------------------------------
def test_airline_values():
    y = load_airline()
    assert y.shape == (144,) and y.dtype == np.float64
    assert y[:3].tolist() == [112.0, 118.0, 132.0] and y[-1] == 432.0
    assert y.min() == 104.0 and y.max() == 622.0 and y.argmax() == 138  # July 1960
    assert (y == np.round(y)).all()  # whole thousands of passengers
    # the yearly totals grow every year (the trend)
    assert (np.diff(y.reshape(12, 12).sum(axis=1)) > 0).all()


def test_airline_bunch_has_every_month_once():
    bunch = load_airline(return_bunch=True)
    assert sorted(bunch) == ["DESCR", "data", "time"]
    np.testing.assert_array_equal(bunch.data, load_airline())
    np.testing.assert_array_equal(bunch.time, np.arange("1949-01", "1961-01", dtype="datetime64[M]"))
    assert "Box" in bunch.DESCR and "Licence" in bunch.DESCR


def test_airline_as_frame():
    pd = pytest.importorskip("pandas")
    y = load_airline(as_frame=True)
    assert isinstance(y, pd.Series) and isinstance(y.index, pd.PeriodIndex)
    assert y.index.freqstr == "M" and str(y.index[0]) == "1949-01" and str(y.index[-1]) == "1960-12"
    np.testing.assert_array_equal(y.to_numpy(), load_airline())
    bunch = load_airline(as_frame=True, return_bunch=True)
    pd.testing.assert_series_equal(bunch.data, y)
    np.testing.assert_array_equal(bunch.data.index.to_timestamp().to_numpy().astype("datetime64[M]"), bunch.time)


def test_airline_equals_sktime():
    pd = pytest.importorskip("pandas")
    sktime_datasets = pytest.importorskip("sktime.datasets")
    pd.testing.assert_series_equal(load_airline(as_frame=True), sktime_datasets.load_airline())


@pytest.mark.parametrize("kwargs", [{"as_frame": "yes"}, {"return_bunch": 1}])
def test_airline_bad_arguments(kwargs):
    name = next(iter(kwargs))
    with pytest.raises(ValueError, match=f"'{name}' parameter of load_airline"):
        load_airline(**kwargs)


def test_loaders_work_without_pandas():
    """With pandas unimportable the numpy paths work, and as_frame says what is missing."""
    code = (
        "import sys\n"
        "sys.modules['pandas'] = None  # any 'import pandas' now raises ImportError\n"
        "from sktemporal.datasets import load_airline, load_gunpoint\n"
        "print(load_gunpoint('test')[0].shape, load_airline().shape, load_airline(return_bunch=True).time[-1])\n"
        "try:\n"
        "    load_airline(as_frame=True)\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    first, message = out.stdout.strip().splitlines()
    assert first == "(150, 150, 1) (144,) 1960-12"
    assert "pandas is not installed" in message and "as_frame" in message


# ----------------------------------------------------------------------------------
# package data: a built wheel carries the files, and loading works from it
# ----------------------------------------------------------------------------------
def _build_wheel_and_sdist(tmp_path):
    """Build from a copy of the source tree (the build writes build/ and *.egg-info next to
    setup.cfg); skip when setuptools cannot build wheels here."""
    if not (ROOT / "setup.cfg").is_file():
        pytest.skip("not a source checkout: no setup.cfg to build from")
    if importlib.util.find_spec("setuptools") is None:
        pytest.skip("setuptools is not installed")
    src = tmp_path / "src"
    shutil.copytree(ROOT / "sktemporal", src / "sktemporal", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("setup.cfg", "pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    dist = tmp_path / "dist"
    code = ("import sys\nfrom setuptools import build_meta\n"
            "out = sys.argv[1]  # before the hooks, which rewrite sys.argv\n"
            "wheel = build_meta.build_wheel(out)\nsdist = build_meta.build_sdist(out)\n"
            "print('built:', wheel, sdist)\n")  # setuptools logs to stdout too
    out = subprocess.run([sys.executable, "-c", code, str(dist)], capture_output=True, text=True, cwd=src)
    if out.returncode != 0:
        if "ModuleNotFoundError" in out.stderr or "invalid command 'bdist_wheel'" in out.stderr:
            pytest.skip(f"the build tools are incomplete here: {out.stderr.strip().splitlines()[-1]}")
        raise AssertionError(f"building the wheel failed:\n{out.stderr[-3000:]}")
    wheel, sdist = [line for line in out.stdout.splitlines() if line.startswith("built: ")][-1].split()[1:]
    return dist / wheel, dist / sdist


def test_wheel_and_sdist_carry_the_data_and_loading_works_from_the_wheel(tmp_path):
    wheel, sdist = _build_wheel_and_sdist(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert {f"sktemporal/datasets/data/{name}" for name in DATA_FILES} <= names
        site = tmp_path / "site"
        archive.extractall(site)  # a wheel's purelib install: its files, unpacked
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {f"sktemporal/datasets/data/{name}" for name in DATA_FILES} <= in_sdist

    # a fresh interpreter whose sktemporal is the unpacked wheel, run outside the checkout
    code = (
        "import sktemporal\n"
        "from sktemporal.datasets import load_airline, load_gunpoint\n"
        "print(sktemporal.__file__)\n"
        "X, y = load_gunpoint('train')\n"
        "print(X.shape, sorted(set(y.tolist())), load_airline().shape)\n"
        "print(load_gunpoint(return_X_y=False).DESCR.splitlines()[0])\n"
    )
    run = tmp_path / "elsewhere"
    run.mkdir()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=run,
                         env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    location, shapes, title = out.stdout.strip().splitlines()
    assert Path(location).resolve().is_relative_to(site.resolve())
    assert shapes == "(50, 150, 1) ['1', '2'] (144,)"
    assert title == "GunPoint (UCR Time Series Classification Archive)"
