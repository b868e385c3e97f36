"""The hyperparameter constraint tables: every public class, every parameter, one error format."""

import inspect
import re
import warnings
from numbers import Integral, Real

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sktemporal import DelayEmbedding, GammaMemory, Reservoir, RNNRegressor
from sktemporal._testing import INIT_PARAMS, all_estimators
from sktemporal.datasets import mackey_glass
from sktemporal.utils._param_validation import (
    POSITIVE_INT,
    HasMethods,
    Hidden,
    Interval,
    InvalidParameterError,
    StrOptions,
    check_params,
    make_constraint,
    validate_params,
)

ESTIMATORS = all_estimators()


class _BadType:
    """A value no constraint accepts."""

    def __repr__(self):
        return "<BadType>"


def _data(est):
    """A small series (rows are steps) with targets the estimator accepts, or None for a transformer."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2))
    if not (hasattr(est, "predict")):
        return X, None
    if hasattr(est, "predict_proba"):
        return X, np.arange(30) % 2
    return X, rng.normal(size=30)


def _error_of_fit(est):
    """The exception ``fit`` raises (None if it fits)."""
    X, y = _data(est)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X) if y is None else est.fit(X, y)
    except (ValueError, TypeError) as exc:
        return exc
    return None


def _constructor_names(cls):
    return [p for p in inspect.signature(cls.__init__).parameters if p != "self"]


# ----------------------------------------------------------------------------------
# the tables
# ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name, cls", ESTIMATORS, ids=[n for n, _ in ESTIMATORS])
def test_every_parameter_is_declared_once(name, cls):
    """The table names exactly the constructor's parameters: adding one is one dict entry."""
    assert set(cls._parameter_constraints) == set(_constructor_names(cls))


@pytest.mark.parametrize("name, cls", ESTIMATORS, ids=[n for n, _ in ESTIMATORS])
def test_defaults_satisfy_the_table(name, cls):
    est = cls(**INIT_PARAMS.get(name, {}))
    assert set(est.get_params(deep=False)) == set(cls._parameter_constraints)
    validate_params(est)  # raises InvalidParameterError on a default outside the table


def _outside(constraint):
    """A value of the constraint's type that it refuses (scikit-learn's test generator's
    choice), or None when there is none (a type, None, an unbounded interval)."""
    if isinstance(constraint, StrOptions):
        return f"not {' or '.join(constraint.options)}"
    if isinstance(constraint, HasMethods):
        return type("HasNotMethods", (), {})()
    if isinstance(constraint, Interval):
        step = 1 if constraint.type is Integral else 1e-6
        if constraint.left is not None:
            return constraint.left - step
        if constraint.right is not None:
            return constraint.right + step
    if str(constraint) == str(make_constraint("verbose")):
        return -1
    if str(constraint) == str(make_constraint("cv_object")):
        return "not a cv object"
    return None


def _cases():
    """(class name, class, parameter, bad value, kind) for every parameter of every class.

    A parameter gets a value of no accepted type, and for every constraint that is more
    than a type, a value of the right type outside it.
    Parameters declared "no_validation" accept anything; none is today.
    """
    cases = []
    for name, cls in ESTIMATORS:
        for param, constraints in cls._parameter_constraints.items():
            if constraints == "no_validation":
                continue
            cases.append((name, cls, param, _BadType(), "type"))
            for constraint in map(make_constraint, constraints):
                bad = None if constraint.hidden else _outside(constraint)
                if bad is not None:
                    cases.append((name, cls, param, bad, "value"))
    return cases


CASES = _cases()


@pytest.mark.parametrize("name, cls, param, bad, kind", CASES,
                         ids=[f"{c[0]}-{c[2]}-{c[4]}{i}" for i, c in enumerate(CASES)])
def test_bad_parameter_fails_at_fit_naming_it(name, cls, param, bad, kind):
    """A wrong type or an out-of-range value fails at the top of fit: one message format
    naming the class, the parameter, what is allowed and the value seen."""
    est = cls(**INIT_PARAMS.get(name, {}))
    est.set_params(**{param: bad})
    exc = _error_of_fit(est)
    assert isinstance(exc, InvalidParameterError), (param, bad, exc)
    assert isinstance(exc, ValueError) and isinstance(exc, TypeError)
    expected = rf"^The '{param}' parameter of {name} must be .+\. Got {re.escape(repr(bad))} instead\."
    assert re.match(expected, str(exc)), str(exc)


@pytest.mark.parametrize("est", [DelayEmbedding(delays=2), GammaMemory(order=2),
                                 Reservoir(n_reservoir=20, random_state=0)])
def test_transform_checks_the_table_too(est):
    X = np.random.RandomState(0).normal(size=(20, 1))
    est.fit(X)
    bad = "order" if isinstance(est, GammaMemory) else "delays" if isinstance(est, DelayEmbedding) else "leak_rate"
    est.set_params(**{bad: -1})
    with pytest.raises(ValueError, match=f"The '{bad}' parameter of {type(est).__name__}"):
        est.transform(X)


# ----------------------------------------------------------------------------------
# the holes this closes
# ----------------------------------------------------------------------------------
def test_power_t_string_fails_at_fit_not_in_the_optimizer():
    X, y = mackey_glass(60, random_state=0)
    est = RNNRegressor((4,), solver="sgd", learning_rate="invscaling", power_t="abc", max_iter=2)
    with pytest.raises(TypeError, match=r"The 'power_t' parameter of RNNRegressor must be a float .* Got 'abc'"):
        est.fit(X, y)
    assert not hasattr(est, "params_")


def test_shuffle_must_be_a_boolean():
    X, y = mackey_glass(60, random_state=0)
    with pytest.raises(ValueError, match=r"The 'shuffle' parameter of RNNRegressor must be an instance of "
                                         r"'bool' or an instance of 'numpy.bool'?_?\. Got 'no' instead"):
        RNNRegressor((4,), shuffle="no", max_iter=2).fit(X, y)


def test_numpy_scalars_are_numbers():
    """np.float32 / np.int64 hyperparameters are accepted (they were rejected by isinstance checks)."""
    X, y = mackey_glass(40, random_state=0)
    est = RNNRegressor((3,), solver="ekf", process_noise=np.float32(1e-4), measurement_noise=np.float64(1.0),
                       initial_covariance=np.float32(100), max_iter=np.int64(1), random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    assert np.isfinite(est.predict(X)).all()


def test_booleans_are_not_numbers():
    X, y = mackey_glass(40, random_state=0)
    with pytest.raises(ValueError, match=r"The 'max_iter' parameter of RNNRegressor must be an int .* Got True"):
        RNNRegressor((3,), max_iter=True).fit(X, y)


def test_hint_is_appended_to_the_message():
    with pytest.raises(ValueError, match=r"Got 3 instead\. The gamma taps are stable only for 0 < mu < 2"):
        GammaMemory(mu=3).fit(np.zeros((5, 1)))


def test_an_undeclared_parameter_is_a_bug_of_the_package():
    with pytest.raises(RuntimeError, match=r"f declares no constraint for the parameter\(s\) \['m'\]"):
        check_params({"n": [POSITIVE_INT]}, "f", {"n": 1, "m": 2})


# ----------------------------------------------------------------------------------
# the checker: scikit-learn's vocabulary and wording
# ----------------------------------------------------------------------------------
TABLE = {
    "n": [Interval(Integral, 1, None, closed="left"), None],
    "x": [Interval(Real, 0, 1, closed="right")],
    "s": [StrOptions({"a", "b"})],
    "flag": ["boolean"],
    "rs": ["random_state"],
    "t": [HasMethods(["fit", "transform"])],
    "f": [StrOptions({"edge"}), "nan"],
    "v": ["verbose"],
    "cv": ["cv_object"],
    "a": ["array-like"],
    "k": [int],
    "any": "no_validation",
}
GOOD = {"n": None, "x": np.float32(0.5), "s": "a", "flag": np.bool_(True), "rs": np.random.RandomState(0),
        "t": DelayEmbedding(), "f": np.nan, "v": 2, "cv": 3, "a": [1, 2], "k": 4, "any": object()}


def test_the_checker_accepts_every_kind_of_constraint():
    check_params(TABLE, "C", GOOD)
    check_params(TABLE, "C", {**GOOD, "n": np.int64(3), "rs": 2**32 - 1, "v": True, "cv": [(0, 1)],
                              "a": np.zeros(2), "x": 1})


@pytest.mark.parametrize("name, bad, message", [
    ("n", 0, "an int in the range [1, inf) or None"),
    ("n", 2.0, "an int in the range [1, inf) or None"),
    ("x", 0.0, "a float in the range (0.0, 1.0]"),
    ("x", np.nan, "a float in the range (0.0, 1.0]"),
    ("s", "c", "a str among {"),
    ("flag", "no", "an instance of 'bool' or an instance of 'numpy.bool'"),
    ("rs", "seed", "an int in the range [0, 4294967295], an instance of 'numpy.random.mtrand.RandomState' or None"),
    ("rs", -1, "an int in the range [0, 4294967295], an instance of 'numpy.random.mtrand.RandomState' or None"),
    ("t", 3, "an object implementing 'fit' and 'transform'"),
    ("f", 1.0, "a str among {'edge'} or numpy.nan"),
    ("v", -1, "an int in the range [0, inf), an instance of 'bool' or an instance of 'numpy.bool'"),
    ("cv", 1, "an int in the range [2, inf), an object implementing 'split' and 'get_n_splits', "
              "an iterable or None"),
    ("cv", "kfold", "an int in the range [2, inf), an object implementing 'split' and 'get_n_splits', "
                    "an iterable or None"),
    ("a", 3.0, "an array-like"),
    ("k", 4.0, "an instance of 'int'"),
])
def test_the_checker_names_the_parameter_what_is_allowed_and_the_value(name, bad, message):
    with pytest.raises(InvalidParameterError) as info:
        check_params(TABLE, "C", {**GOOD, name: bad})
    # a set's order is not fixed: "a str among {" is checked up to the brace
    text = str(info.value)
    shown = text[len(f"The {name!r} parameter of C must be "):-len(f". Got {bad!r} instead.")]
    assert text.startswith(f"The {name!r} parameter of C must be ")
    assert shown == message or (message.endswith("{") and shown.startswith(message)), text
    assert str(info.value).endswith(f"Got {bad!r} instead.")
    assert isinstance(info.value, ValueError) and isinstance(info.value, TypeError)


def test_booleans_are_never_numbers_and_numpy_scalars_are():
    positive = Interval(Integral, 1, None, closed="left")
    assert not positive.is_satisfied_by(True) and not positive.is_satisfied_by(np.bool_(True))
    assert positive.is_satisfied_by(np.int32(2))
    assert Interval(Real, 0, 1, closed="both").is_satisfied_by(np.float32(0.5))
    # an int is a real number; a float is not an int
    assert Interval(Real, 0, 1, closed="both").is_satisfied_by(1)
    assert not positive.is_satisfied_by(2.0)


def test_interval_bounds_and_text():
    assert str(Interval(Real, 0, None, closed="neither")) == "a float in the range (0.0, inf)"
    assert str(Interval(Real, None, 1, closed="right")) == "a float in the range (-inf, 1.0]"
    assert str(Interval(Integral, 0, 5, closed="both")) == "an int in the range [0, 5]"
    closed = Interval(Real, 0, 1, closed="both")
    assert closed.is_satisfied_by(0.0) and closed.is_satisfied_by(1.0)
    opened = Interval(Real, 0, 1, closed="neither")
    assert not opened.is_satisfied_by(0.0) and not opened.is_satisfied_by(1.0)
    with pytest.raises(ValueError, match="right must be above left"):
        Interval(Real, 1, 0, closed="both")


def test_a_hidden_constraint_accepts_but_is_not_shown():
    hidden = {"c": [StrOptions({"elman"}), Hidden(StrOptions({"lstm"}))]}
    check_params(hidden, "C", {"c": "lstm"})
    with pytest.raises(InvalidParameterError, match=r"must be a str among \{'elman'\}\. Got 'x' instead\.$"):
        check_params(hidden, "C", {"c": "x"})


def test_an_unknown_constraint_is_a_bug_of_the_package():
    with pytest.raises(ValueError, match="Unknown constraint 'positive'"):
        check_params({"n": ["positive"]}, "f", {"n": 1})


def test_the_error_is_exported_by_the_exceptions_module():
    from sktemporal.exceptions import InvalidParameterError as public

    assert public is InvalidParameterError


def test_clone_keeps_the_table():
    est = clone(RNNRegressor(shuffle=False))
    assert est._parameter_constraints is RNNRegressor._parameter_constraints
    validate_params(est)  # raises InvalidParameterError if the clone broke a value
