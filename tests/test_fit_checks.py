"""The networks and the echo state estimators raise the same errors in the same words (utils/_fit_checks.py)."""

import re
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sktemporal import ESNRegressor, LSTMRegressor, Reservoir, RNNRegressor
from sktemporal.neural_network._base import NETWORK_CONSTRAINTS
from sktemporal.utils._fit_checks import INITIAL_STATES
from sktemporal.utils._scaling import SCALERS


def _families():
    return [RNNRegressor((4,), max_iter=2, random_state=0), LSTMRegressor((4,), max_iter=2, random_state=0),
            ESNRegressor(n_reservoir=20, random_state=0)]


def _message(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(ValueError) as info:
            call()
    return str(info.value)


def _without_name(message, est):
    return message.replace(type(est).__name__, "<estimator>")


def _same_for_all(make_call):
    messages = {type(est).__name__: _without_name(_message(make_call(est)), est) for est in _families()}
    assert len(set(messages.values())) == 1, messages
    return next(iter(messages.values()))


def test_y_is_none():
    message = _same_for_all(lambda est: lambda: est.fit(np.ones((20, 1)), None))
    assert message == "<estimator> requires y to be passed, but the target y is None."


def test_target_layout_changed_on_partial_fit():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(6, 12, 1))

    def per_step_then_per_sequence(est):
        def call():
            est.partial_fit(X, rng.normal(size=(6, 12, 1)))
            est.partial_fit(X, rng.normal(size=6))
        return call

    message = _same_for_all(per_step_then_per_sequence)
    assert message == ("y has a target per sequence, but this model was fitted with a target per step; "
                       "the layout of y is fixed by the first fit (refit from scratch to change it).")


def test_number_of_outputs_changed_on_partial_fit():
    X = np.random.RandomState(0).normal(size=(40, 1))

    def one_then_two_outputs(est):
        def call():
            est.partial_fit(X, X[:, 0])
            est.partial_fit(X, np.hstack([X, X]))
        return call

    message = _same_for_all(one_then_two_outputs)
    assert message.startswith("y has 2 output(s), but this model was fitted with 1; the layout of y is fixed")


def test_generate_needs_a_target_per_step():
    X = np.random.RandomState(0).normal(size=(6, 12, 1))

    def per_sequence_then_generate(est):
        def call():
            est.fit(X, X[:, -1, 0])
            est.generate(3)
        return call

    message = _same_for_all(per_sequence_then_generate)
    assert message == ("generate feeds each output back: it needs a model fitted with a target per step "
                       "(one series); this one was fitted with a target per sequence.")


def test_generate_needs_as_many_outputs_as_features():
    s = np.sin(0.3 * np.arange(60))[:, None]
    expected = ("generate feeds each output back as the next input: it needs n_outputs == n_features; "
                "this model has 2 output(s) for 1 feature(s).")
    for est in _families():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(s[:-1], np.hstack([s[1:], s[1:]]))
        with pytest.raises(ValueError, match=re.escape(expected)):
            est.generate(3, warmup=s[:10])
    # the echo state network has another way to close the loop, and says so
    with pytest.raises(ValueError, match=re.escape(expected + " Or fit with feedback=True")):
        est.generate(3, warmup=s[:10])


def test_the_shared_options_are_one_table():
    # the parameter tables of both families read the options from utils
    assert set(NETWORK_CONSTRAINTS["initial_state"][0].options) == set(INITIAL_STATES)
    assert set(NETWORK_CONSTRAINTS["scaler"][0].options) == set(SCALERS)
    reservoir = Reservoir._parameter_constraints
    assert set(reservoir["initial_state"][0].options) == set(INITIAL_STATES)
    assert set(reservoir["scaler"][0].options) == set(SCALERS)
