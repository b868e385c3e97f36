"""Declarative hyperparameter constraints: one table per class, one check, one error format.

Every public class declares ``_parameter_constraints``, a dict ``name -> list of
constraints`` in scikit-learn's vocabulary (a value is valid when it satisfies one entry
of its list):

- :class:`Interval` (a typed range; booleans are never numbers here),
- :class:`StrOptions` / :class:`Options` (a finite set), :class:`HasMethods`,
- the strings ``"boolean"``, ``"array-like"``, ``"random_state"``, ``"verbose"``,
- ``None``, a type (any instance of it), or ``"no_validation"`` instead of a list
  (the parameter accepts anything).

:func:`validate_params` checks an estimator against its table at the top of ``fit``,
``partial_fit`` and ``transform``; :func:`check_params` does the same for a function's
arguments.  The error is scikit-learn's ``InvalidParameterError`` (a subclass of both
``ValueError`` and ``TypeError``) with the message::

    The 'power_t' parameter of RNNRegressor must be a float in the range [0.0, inf). Got 'abc' instead.

The checking is scikit-learn's own (``sklearn.utils._param_validation``, a private module
whose behaviour ``tests/test_param_validation.py`` pins, so that a change in a future
scikit-learn fails the tests instead of silently weakening the checks).  Adding a
parameter to a class is one entry in its table; a class whose table misses one of its
parameters fails at the first fit.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import (
    HasMethods,
    Hidden,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils._param_validation import Interval as _SklearnInterval

__all__ = [
    "HasMethods",
    "Hidden",
    "Integral",
    "Interval",
    "InvalidParameterError",
    "Options",
    "Real",
    "StrOptions",
    "check_params",
    "validate_params",
    "POSITIVE_INT",
    "NON_NEGATIVE_INT",
    "POSITIVE_REAL",
    "NON_NEGATIVE_REAL",
    "UNIT_INTERVAL",
]


class Interval(_SklearnInterval):
    """scikit-learn's typed interval, except that ``True``/``False`` are not numbers.

    (``bool`` is a subclass of ``int`` in Python, so ``max_iter=True`` would otherwise pass
    as 1.)  Bounds, closure and the error text are scikit-learn's.

    Examples
    --------
    >>> from numbers import Integral
    >>> from sktemporal.utils._param_validation import Interval
    >>> positive = Interval(Integral, 1, None, closed="left")
    >>> positive.is_satisfied_by(3), positive.is_satisfied_by(0), positive.is_satisfied_by(True)
    (True, False, False)
    >>> str(positive)
    'an int in the range [1, inf)'
    """

    def is_satisfied_by(self, val):
        if isinstance(val, (bool, np.bool_)):
            return False
        return super().is_satisfied_by(val)


#: The ranges used most often, shared so that every table reads the same.
POSITIVE_INT = Interval(Integral, 1, None, closed="left")
NON_NEGATIVE_INT = Interval(Integral, 0, None, closed="left")
POSITIVE_REAL = Interval(Real, 0, None, closed="neither")
NON_NEGATIVE_REAL = Interval(Real, 0, None, closed="left")
UNIT_INTERVAL = Interval(Real, 0, 1, closed="both")


def check_params(constraints, caller_name, params, hints=None):
    """Check ``params`` (dict name -> value) against ``constraints``.

    Parameters
    ----------
    constraints : dict
        ``name -> list of constraints`` or ``"no_validation"``; every key of ``params``
        must be declared.
    caller_name : str
        The class or function named in the error message.
    params : dict
        The values to check.
    hints : dict or None, default=None
        ``name -> sentence`` appended to the error of that parameter (why the range is
        what it is, or what the value means).

    Raises
    ------
    InvalidParameterError
        (a ``ValueError`` and a ``TypeError``) naming the parameter, the value seen and what
        is allowed, for the first parameter that satisfies none of its constraints.

    Examples
    --------
    >>> from sktemporal.utils._param_validation import POSITIVE_INT, check_params
    >>> check_params({"n": [POSITIVE_INT]}, "f", {"n": 3})
    >>> check_params({"n": [POSITIVE_INT]}, "f", {"n": 0})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sklearn...InvalidParameterError: The 'n' parameter of f must be an int in the range [1, inf). Got 0 instead.
    """
    undeclared = sorted(set(params) - set(constraints))
    if undeclared:
        # a programming error of the package, not of the user: every parameter is declared
        raise RuntimeError(f"{caller_name} declares no constraint for the parameter(s) {undeclared}.")
    for name, value in params.items():
        try:
            validate_parameter_constraints({name: constraints[name]}, {name: value}, caller_name=caller_name)
        except InvalidParameterError as exc:
            if not hints or name not in hints:
                raise
            raise InvalidParameterError(f"{exc} {hints[name]}") from None


def validate_params(estimator):
    """Check an estimator's constructor parameters against its ``_parameter_constraints``.

    The class may add ``_parameter_hints`` (see :func:`check_params`).  Called once at the
    top of ``fit``, ``partial_fit`` and ``transform``.

    Parameters
    ----------
    estimator : BaseEstimator
        An instance of a class with a ``_parameter_constraints`` table.

    Raises
    ------
    InvalidParameterError
        See :func:`check_params`.
    """
    cls = type(estimator)
    check_params(cls._parameter_constraints, cls.__name__, estimator.get_params(deep=False),
                 getattr(cls, "_parameter_hints", None))
