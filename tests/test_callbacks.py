"""scikit-learn's callback API on the trained networks and the reservoir search, and without it."""

import io
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from sktemporal.datasets import make_sequence_classification, narma
from sktemporal.neural_network import GRURegressor, LSTMClassifier, RNNRegressor
from sktemporal.reservoir import ESNClassifierCV, ESNRegressorCV
from sktemporal.utils import ProgressLine
from sktemporal.utils._callbacks import HAS_SKLEARN_CALLBACKS

needs_api = pytest.mark.skipif(not HAS_SKLEARN_CALLBACKS, reason="scikit-learn has no callback API")


class Recorder:
    """A FitCallback that records the tasks it sees and stops after ``stop_after`` epochs."""

    def __init__(self, stop_after=None):
        self.stop_after = stop_after
        self.events = []

    def setup(self, estimator, context):
        self.events.append(("setup", context.task_name))

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None, metadata=None, fitted_estimator=None):
        self.events.append(("begin", context.task_name))

    def on_fit_task_end(self, estimator, context, *, X=None, y=None, metadata=None, fitted_estimator=None):
        self.events.append(("end", context.task_name))
        n_epochs = sum(1 for e in self.events if e == ("end", "epoch"))
        return self.stop_after is not None and context.task_name == "epoch" and n_epochs >= self.stop_after

    def teardown(self, estimator, context):
        self.events.append(("teardown", context.task_name))


def _data():
    X = np.random.RandomState(0).normal(size=(24, 6, 2))
    return X, X[:, -1, 0] - X[:, 0, 1]


@needs_api
def test_every_epoch_is_a_task():
    X, y = _data()
    rec = Recorder()
    model = GRURegressor((4,), max_iter=5, random_state=0).set_callbacks(rec).fit(X, y)
    assert rec.events[0] == ("setup", "fit") and rec.events[-1] == ("teardown", "fit")
    assert rec.events.count(("end", "epoch")) == model.n_iter_ == 5
    assert rec.events[1] == ("begin", "fit") and rec.events[-2] == ("end", "fit")


@needs_api
def test_a_callback_stops_training():
    X, y = _data()
    model = RNNRegressor((4,), max_iter=50, random_state=0).set_callbacks(Recorder(stop_after=3)).fit(X, y)
    assert model.n_iter_ == 3
    reference = RNNRegressor((4,), max_iter=3, random_state=0).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))


@needs_api
def test_partial_fit_is_one_epoch_task():
    X, y = _data()
    rec = Recorder()
    labels = (y > 0).astype(int)
    LSTMClassifier((3,), random_state=0).set_callbacks(rec).partial_fit(X, labels, classes=[0, 1])
    assert rec.events.count(("end", "epoch")) == 1


@needs_api
def test_progress_line_writes_one_rewritten_line():
    X, y = _data()
    out = io.StringIO()
    GRURegressor((4,), max_iter=4, random_state=0).set_callbacks(ProgressLine(out)).fit(X, y)
    text = out.getvalue()
    assert text.count("\r") == 4 and text.endswith("\n")
    assert "GRURegressor: epoch 4/4" in text


@needs_api
@pytest.mark.parametrize("n_jobs", [None, 2])
def test_the_reservoir_search_reports_each_rung(n_jobs):
    X, y = narma(800, random_state=0)
    rec = Recorder()
    model = ESNRegressorCV(n_reservoir=20, random_state=0, n_jobs=n_jobs).set_callbacks(rec).fit(X, y)
    n_rungs = int(model.cv_results_["iter"].max()) + 1
    assert n_rungs > 1 and rec.events.count(("end", "rung")) == n_rungs
    assert rec.events[0] == ("setup", "fit") and rec.events[-1] == ("teardown", "fit")
    plain = ESNRegressorCV(n_reservoir=20, random_state=0).fit(X, y)  # the callbacks change nothing
    np.testing.assert_array_equal(model.predict(X), plain.predict(X))
    pickle.dumps(model)  # nothing of the callbacks' machinery stops the model from pickling


@needs_api
def test_a_stop_request_does_not_cut_the_search_short():
    class AlwaysStop(Recorder):
        def on_fit_task_end(self, estimator, context, **kwargs):
            super().on_fit_task_end(estimator, context, **kwargs)
            return True

    X, y = narma(800, random_state=0)
    rec = AlwaysStop()
    model = ESNRegressorCV(n_reservoir=20, random_state=0).set_callbacks(rec).fit(X, y)
    assert rec.events.count(("end", "rung")) == int(model.cv_results_["iter"].max()) + 1 > 1
    X, y = make_sequence_classification(40, random_state=0)  # one rung of two candidates
    model = ESNClassifierCV(n_reservoir=20, random_state=0).set_callbacks(AlwaysStop()).fit(X, y)
    assert len(model.cv_results_["params"]) == 2


@needs_api
def test_progress_line_shows_the_rungs():
    X, y = narma(800, random_state=0)
    out = io.StringIO()
    progress = ProgressLine(out)
    ESNRegressorCV(n_reservoir=20, random_state=0).set_callbacks(progress).fit(X, y)
    assert "ESNRegressorCV: rung 2/2" in out.getvalue() and out.getvalue().endswith("\n")
    pickle.loads(pickle.dumps(progress))  # it let go of its stream


def test_without_the_callback_api_fits_as_before():
    # a scikit-learn without sklearn.callback (< 1.9): the estimators import and fit unchanged
    code = textwrap.dedent("""
        import sys
        import sklearn.linear_model, sklearn.model_selection, sklearn.pipeline, sklearn.preprocessing  # noqa
        sys.modules["sklearn.callback"] = None  # scikit-learn's own modules loaded it already
        import numpy as np
        from sktemporal.neural_network import GRURegressor
        from sktemporal.utils._callbacks import HAS_SKLEARN_CALLBACKS
        X = np.random.RandomState(0).normal(size=(24, 6, 2))
        model = GRURegressor((4,), max_iter=5, random_state=0).fit(X, X[:, -1, 0])
        print(HAS_SKLEARN_CALLBACKS, hasattr(model, "set_callbacks"), model.n_iter_)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "5"]
