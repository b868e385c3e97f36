"""Reproductions of the faults found by a reliability sweep, each asserting the new behaviour.

One section per area of the sweep; every test builds its own data and models.
"""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sktemporal import (
    DelayEmbedding,
    ESNClassifier,
    ESNRegressor,
    RNNClassifier,
    RNNRegressor,
)
from sktemporal.forecasting import recursive_forecast


# --- messages ---
def _series(T=40, seed=0):
    return np.random.RandomState(seed).normal(size=(T, 2))


def _name(est):
    return type(est).__name__


def _fast_classifiers():
    return [ESNClassifier(10, random_state=0), RNNClassifier((3,), max_iter=2, random_state=0)]


def _fast_regressors():
    return [ESNRegressor(10, random_state=0), RNNRegressor((3,), max_iter=2, random_state=0)]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("est", _fast_regressors(), ids=_name)
def test_complex_y_is_rejected_not_cast_to_real(est):
    """Complex targets used to lose their imaginary part with only a numpy ComplexWarning."""
    est = clone(est)
    X = _series()
    y = np.ones(40) + 1j
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        with pytest.raises(ValueError, match=r"Complex data not supported: y has dtype complex128"):
            est.fit(X, y)
        per_step = [np.ones(5) + 1j, np.ones(7) + 1j]
        with pytest.raises(ValueError, match=r"Complex data not supported: y\[0\]"):
            est.fit([np.ones((5, 2)), np.ones((7, 2))], per_step)
    assert not hasattr(est, "n_outputs_")


@pytest.mark.parametrize("est", _fast_classifiers(), ids=_name)
def test_complex_labels_are_rejected(est):
    est = clone(est)
    with pytest.raises(ValueError, match="Complex data not supported: y.*strings or real numbers"):
        est.fit(_series(), np.arange(40) % 2 + 1j)


@pytest.mark.parametrize("est", _fast_classifiers(), ids=_name)
@pytest.mark.parametrize(
    "labels, error, message",
    [
        (np.array(["a", 1] * 20, dtype=object), TypeError,
         r"y mixes labels of different types \(number: 1, string: 'a'\)"),
        (np.array(["a", None] * 20, dtype=object), TypeError, "y contains None at time step 1"),
        ([None] * 20 + [1] * 20, TypeError, "y contains None at time step 0"),
        (np.array([0.0, np.nan] * 20, dtype=object), ValueError, "y contains NaN at time step 1"),
        (np.array([b"a", "b"] * 20, dtype=object), TypeError, "y mixes labels of different types"),
    ],
    ids=["str-and-int", "None", "None-in-list", "NaN-object", "bytes-and-str"],
)
def test_unorderable_labels_get_a_clear_error(est, labels, error, message):
    """Mixed str/int or None labels used to end in ``TypeError: '<' not supported`` in np.unique."""
    est = clone(est)
    with pytest.raises(error, match=message):
        est.fit(_series(), labels)


@pytest.mark.parametrize("est", _fast_classifiers(), ids=_name)
def test_mixed_labels_per_step_of_a_collection(est):
    est = clone(est)
    X = [np.ones((3, 1)), np.ones((4, 1))]
    y = [np.array([0, 1, 0], dtype=object), np.array(["a", 1, 0, 1], dtype=object)]
    with pytest.raises(TypeError, match="y mixes labels of different types"):
        est.fit(X, y)
    y[1][0] = None
    with pytest.raises(TypeError, match="y contains None at sequence 1, time step 0"):
        est.fit(X, y)
    labels = np.array([[0, 1, 0, 1], [1, 0, None, 1]], dtype=object)
    with pytest.raises(TypeError, match="y contains None at sequence 1, time step 2"):
        est.fit(np.ones((2, 4, 1)), labels)
    with pytest.raises(TypeError, match="y contains None at sequence 2"):
        est.fit(np.ones((3, 4, 1)), np.array([0, 1, None], dtype=object))


@pytest.mark.parametrize("est", _fast_classifiers(), ids=_name)
def test_partial_fit_needs_two_classes(est):
    """``partial_fit(classes=[0])`` used to be accepted silently (network) or blamed the data (ESN)."""
    est = clone(est)
    X, y = _series(), np.zeros(40, dtype=int)
    with pytest.raises(ValueError, match=r"classes=\[0\] holds 1 class; a classifier needs at least 2"):
        est.partial_fit(X, y, classes=[0])
    assert not hasattr(est, "classes_")
    with pytest.raises(TypeError, match="classes mixes labels of different types"):
        est.partial_fit(X, y, classes=np.array([0, "a"], dtype=object))
    with pytest.raises(ValueError, match="classes must be a 1-D list of labels"):
        est.partial_fit(X, y, classes=[[0, 1]])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("est", _fast_classifiers(), ids=_name)
def test_partial_fit_refuses_changed_classes(est):
    """A different ``classes=`` on a later call used to be ignored; sklearn's MLP raises."""
    est = clone(est)
    X, y = _series(), np.arange(40) % 2
    est.partial_fit(X, y, classes=[0, 1])
    est.partial_fit(X, y, classes=[1, 0])  # the same classes, in any order: fine
    est.partial_fit(X, y)
    coef = getattr(est, "coef_", getattr(est, "params_", None)).copy()
    with pytest.raises(ValueError, match=r"`classes=\[0, 1, 2\]` is not the same as on last call to "
                                         r"partial_fit, was: \[0, 1\]"):
        est.partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="is not the same as on last call"):
        est.partial_fit(X, y, classes=["0", "1"])
    np.testing.assert_array_equal(est.classes_, [0, 1])
    np.testing.assert_array_equal(getattr(est, "coef_", getattr(est, "params_", None)), coef)


@pytest.mark.parametrize("est", _fast_classifiers(), ids=_name)
def test_labels_of_another_kind_than_classes(est):
    est = clone(est)
    X = _series()
    est.partial_fit(X, np.arange(40) % 2, classes=[0, 1])
    with pytest.raises(ValueError, match=r"y holds string labels \(e.g. 'a'\) but the classifier's "
                                         r"classes are numbers: \[0, 1\]"):
        est.partial_fit(X, np.array(["a", "b"] * 20))
    with pytest.raises(ValueError, match=r"y contains labels not seen in the first fit: \[2\]"):
        est.partial_fit(X, np.arange(40) % 3)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("est", _fast_regressors(), ids=_name)
@pytest.mark.parametrize("n_steps", [True, 2.0, "3", None, 0, -1])
def test_generate_checks_n_steps(est, n_steps):
    """``generate(True)`` used to end in a raw ``TypeError: an integer is required`` (network)."""
    est = clone(est)
    s = np.sin(0.3 * np.arange(60))[:, None]
    est.fit(s[:-1], s[1:, 0])
    with pytest.raises(ValueError, match=rf"n_steps must be a positive integer; got {n_steps!r}\."):
        est.generate(n_steps, warmup=s[:30])
    assert est.generate(np.int64(3), warmup=s[:30]).shape == (3,)


@pytest.mark.parametrize("initial_state", ["zeros", "continue"])
def test_esn_generate_warns_on_a_warmup_within_the_washout(initial_state):
    """A warm-up no longer than the washout used to pass silently."""
    s = np.sin(0.3 * np.arange(200))[:, None]
    esn = ESNRegressor(20, washout=30, initial_state=initial_state, random_state=0)
    esn.fit(s[:-1], s[1:, 0])
    start = "zeros" if initial_state == "zeros" else "the state at the end of the series seen in fit"
    with pytest.warns(UserWarning, match=rf"warmup has 30 time step\(s\) but washout=30: the reservoir "
                                         rf"starts the warm-up from {start}.*at least 31 steps"):
        esn.generate(5, warmup=s[:30])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        esn.generate(5, warmup=s[:31])
        esn.generate(5)  # no warm-up: continues the fitted series, nothing to wash out


@pytest.mark.parametrize(
    "clf",
    [ESNClassifier(10, random_state=0),
     make_pipeline(DelayEmbedding(delays=2), LogisticRegression())],
    ids=["ESNClassifier", "Pipeline"],
)
def test_recursive_forecast_refuses_a_classifier(clf):
    """A classifier's labels used to be fed back as the next inputs."""
    clf = clone(clf)
    s = np.sin(0.3 * np.arange(80))[:, None]
    clf.fit(s[:-1], (s[1:, 0] > 0).astype(int))
    with pytest.raises(TypeError, match=r"estimator must be a regressor.*got (ESNClassifier|Pipeline), "
                                        r"a classifier"):
        recursive_forecast(clf, s[:50], 5)
