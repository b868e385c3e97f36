"""The benchmark scripts of the source tree: the runner finds its modules, the dev suites parse and tabulate.

Nothing here times anything; the real-data cases need sktime and are skipped without it.
"""

import ast
import importlib
import importlib.util
import json
import runpy
from pathlib import Path

import numpy as np
import pytest

from sktemporal.__main__ import main

ANCHORS = Path(__file__).resolve().parent.parent / "benchmarks" / "anchors"


@pytest.fixture
def anchors(monkeypatch):
    """The anchors folder on sys.path, as when one of its scripts runs."""
    monkeypatch.syspath_prepend(str(ANCHORS))
    return lambda name: importlib.import_module(name)


def test_command_line_runs_the_anchor_runner(monkeypatch):
    seen = {}

    def fake_run_path(path, run_name):
        seen.update(path=Path(path), run_name=run_name, argv=list(__import__("sys").argv))

    monkeypatch.setattr(runpy, "run_path", fake_run_path)
    monkeypatch.setattr("sys.argv", ["python"])
    assert main(["benchmark", "--quick"]) == 0
    assert seen["path"] == ANCHORS / "run.py" and seen["path"].exists()
    assert seen["run_name"] == "__main__" and seen["argv"][1:] == ["--quick"]


def test_runner_finds_every_module_with_a_run_function(anchors):
    run = anchors("run")
    assert run.MODULES
    for name in run.MODULES:
        spec = importlib.util.find_spec(name)
        assert spec is not None and Path(spec.origin).parent == ANCHORS, name
        tree = ast.parse(Path(spec.origin).read_text())
        functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
        assert "run" in functions and [a.arg for a in functions["run"].args.args] == ["quick"], name


def test_options_are_parsed_and_checked(anchors):
    dev_classify = anchors("dev_classify")
    args = dev_classify.parse(["--seeds", "0,1,2", "--datasets", "GunPoint,UnitTest",
                               "--params", "LSTMClassifier:learning_rate_init=0.001,hidden_layer_sizes=(64, 32)",
                               "--params", "GRUClassifier:solver=adam,early_stopping=True"])
    assert args.seeds == [0, 1, 2] and args.datasets == ["GunPoint", "UnitTest"]
    assert args.models == dev_classify.CLASSIFIERS + dev_classify.ANCHORS
    assert args.params == {"LSTMClassifier": {"learning_rate_init": 0.001, "hidden_layer_sizes": (64, 32)},
                           "GRUClassifier": {"solver": "adam", "early_stopping": True}}
    narma = dev_classify.parse(["--narma"])
    assert narma.models == list(dev_classify.NARMA_SETTINGS) and narma.data_seeds == [0, 1, 2, 3, 4]
    for bad in (["--seeds", "0,0"], ["--seeds", "a"], ["--datasets", "Iris"], ["--models", "SVC"],
                ["--params", "MiniRocket:num_kernels=84"], ["--params", "LSTMClassifier:random_state=3"],
                ["--params", "LSTMClassifier:max_iter"]):
        with pytest.raises(SystemExit):
            dev_classify.parse(bad)
    dev_forecast = anchors("dev_forecast")
    args = dev_forecast.parse(["--methods", "Forecaster,AutoETS", "--params", "Forecaster:horizon_cv=3"])
    assert args.methods == ["Forecaster", "AutoETS"] and args.params == {"Forecaster": {"horizon_cv": 3}}
    with pytest.raises(SystemExit):
        dev_forecast.parse(["--params", "Theta:sp=4"])


def test_classification_table_shows_first_seed_and_mean(anchors):
    dev_classify = anchors("dev_classify")
    rows = [{"dataset": d, "model": "LSTMClassifier", "seed": s, "accuracy": a}
            for d, s, a in [("A", 0, 0.5), ("A", 1, 0.7), ("B", 0, 1.0), ("B", 1, 0.8)]]
    rows += [{"dataset": "A", "model": "MiniRocket", "seed": None, "accuracy": 0.9},
             {"dataset": "B", "model": "MiniRocket", "seed": None, "accuracy": None, "error": "boom"}]
    lines = dev_classify.classification_table(rows).splitlines()
    assert lines[0] == "| dataset | LSTMClassifier s0 | LSTMClassifier mean of 2 seeds | MiniRocket |"
    assert lines[2] == "| A | 0.500 | 0.600 | 0.900 |"
    assert lines[3] == "| B | 1.000 | 0.900 | - |"
    assert lines[4] == "| mean | 0.750 | 0.750 | - |"


def test_narma_mode_end_to_end_on_a_small_reservoir(anchors, tmp_path, capsys):
    dev_classify = anchors("dev_classify")
    out = tmp_path / "narma.jsonl"
    rows = dev_classify.main(["--narma", "--models", "ESNRegressor", "--params", "ESNRegressor:n_reservoir=10",
                              "--data-seeds", "0", "--seeds", "0,1", "--jsonl", str(out)])
    assert [(r["alignment"], r["seed"]) for r in rows] == [("package", 0), ("package", 1), ("other", 0), ("other", 1)]
    assert all(np.isfinite(r["nrmse"]) and r["params"] == {"n_reservoir": 10} for r in rows)
    assert [json.loads(line) for line in out.read_text().splitlines()] == json.loads(json.dumps(rows))
    printed = capsys.readouterr().out
    assert "| ESNRegressor | " in printed and "package: median" in printed and "| 4 |" in printed
    X, y = dev_classify.narma_pair(0, "other")
    X0, y0 = dev_classify.narma_pair(0, "package")
    assert len(X) == len(X0) == 4000
    np.testing.assert_array_equal(X[:-1], X0[1:])
    np.testing.assert_array_equal(y, y0)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # two epochs on purpose
def test_forecast_protocol_pieces_without_sktime(anchors):
    dev_forecast = anchors("dev_forecast")
    train = np.array([1.0, 2.0, 4.0, 7.0])
    assert dev_forecast.mase(np.array([8.0, 10.0]), np.array([7.0, 7.0]), train, 1) == pytest.approx(1.0)
    series = 10 + np.sin(0.5 * np.arange(60))
    f, fit_s = dev_forecast.forecast("TDNNRegressor", series, 1, 3, 0, {"max_iter": 2})
    assert f.shape == (3,) and np.all(np.isfinite(f)) and fit_s >= 0
    if importlib.util.find_spec("sktemporal.forecasting") and not hasattr(
            importlib.import_module("sktemporal.forecasting"), "Forecaster"):
        with pytest.raises(dev_forecast.Unavailable, match="not available"):
            dev_forecast.forecast("Forecaster", series, 1, 3, 0, {})
    rows = [{"series": s, "method": "Forecaster", "seed": 0, "MASE": None, "available": False}
            for s in ("a", "b")]
    rows += [{"series": s, "method": "GRURegressor", "seed": seed, "MASE": v}
             for s, seed, v in [("a", 0, 1.0), ("a", 1, 4.0), ("b", 0, 4.0), ("b", 1, 1.0)]]
    lines = dev_forecast.table(rows).splitlines()
    assert lines[2] == "| Forecaster | n/a | n/a | n/a |"
    assert lines[3] == "| GRURegressor s0 | 1.00 | 4.00 | 2.00 |"
    assert lines[4] == "| GRURegressor mean of 2 seeds | 2.50 | 2.50 | 2.00 |"


@pytest.mark.filterwarnings("ignore::FutureWarning")  # sktime's notice of a coming default
def test_real_data_rows_with_sktime(anchors):
    pytest.importorskip("sktime")
    dev_classify = anchors("dev_classify")
    rows = dev_classify.run_classification(["ESNClassifier"], ["UnitTest"], [0],
                                           {"ESNClassifier": {"n_reservoir": 10}})
    assert len(rows) == 1 and 0 <= rows[0]["accuracy"] <= 1 and "error" not in rows[0]
    dev_forecast = anchors("dev_forecast")
    (row,) = dev_forecast.run(["SeasonalNaive"], ["shampoo"], [0], {})
    y = dev_forecast.load("shampoo")
    m, h = dev_forecast.SERIES["shampoo"]
    train = y[:-h]
    expected = np.mean(np.abs(y[-h:] - train[-1])) / np.mean(np.abs(np.diff(train)))
    assert m == 1 and row["seed"] is None and row["MASE"] == pytest.approx(expected, abs=5e-4)
