"""Declarative hyperparameter constraints: one table per class, one check, one error format.

Every public class declares ``_parameter_constraints``, a dict ``name -> list of
constraints`` in scikit-learn's vocabulary (a value is valid when it satisfies one entry
of its list):

- :class:`Interval` (a typed range; booleans are never numbers here),
- :class:`StrOptions` / :class:`Options` (a finite set), :class:`HasMethods`,
- the strings ``"boolean"``, ``"array-like"``, ``"random_state"``, ``"verbose"``,
  ``"cv_object"``, ``"nan"``,
- ``None``, the builtin ``callable``, a type (any instance of it), or ``"no_validation"`` instead of a list
  (the parameter accepts anything); :class:`Hidden` wraps an entry that is accepted but
  left out of the message.

:func:`validate_params` checks an estimator against its table at the top of ``fit``,
``partial_fit`` and ``transform``; :func:`check_params` does the same for a function's
arguments.  The error is :class:`~sktemporal.exceptions.InvalidParameterError` (a
subclass of both ``ValueError`` and ``TypeError``, as scikit-learn's) with scikit-learn's
message::

    The 'power_t' parameter of RNNRegressor must be a float in the range [0.0, inf). Got 'abc' instead.

The checker is the package's own: scikit-learn's (``sklearn.utils._param_validation``)
is private, and scikit-learn publishes no equivalent.  It keeps scikit-learn's
vocabulary and wording so that the messages read like every scikit-learn estimator's.
"""

import math
from numbers import Integral, Real

import numpy as np
from scipy.sparse import issparse

from ..exceptions import InvalidParameterError

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
    "make_constraint",
    "validate_params",
    "POSITIVE_INT",
    "NON_NEGATIVE_INT",
    "POSITIVE_REAL",
    "NON_NEGATIVE_REAL",
    "UNIT_INTERVAL",
]


def _type_name(t):
    """``int``, ``float``, ``bool`` or ``module.Name``: how a type is shown in a message."""
    if t.__module__ == "builtins":
        return t.__qualname__
    if t is Real:
        return "float"
    if t is Integral:
        return "int"
    return f"{t.__module__}.{t.__qualname__}"


def _or(parts):
    """``'a'``, ``'a or b'``, ``'a, b or c'``."""
    parts = [str(p) for p in parts]
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} or {parts[-1]}"


class _Constraint:
    """A set of accepted values: ``is_satisfied_by(value)`` and a phrase for the message."""

    hidden = False

    def is_satisfied_by(self, val):
        raise NotImplementedError

    def __str__(self):
        raise NotImplementedError


class _AnyOf(_Constraint):
    """The union of a few constraints, shown as one phrase ("a, b or c")."""

    def __init__(self, *constraints):
        self.constraints = constraints

    def is_satisfied_by(self, val):
        return any(c.is_satisfied_by(val) for c in self.constraints)

    def __str__(self):
        return _or(self.constraints)


class _InstancesOf(_Constraint):
    def __init__(self, type):
        self.type = type

    def is_satisfied_by(self, val):
        return isinstance(val, self.type)

    def __str__(self):
        return f"an instance of {_type_name(self.type)!r}"


class _NoneConstraint(_Constraint):
    def is_satisfied_by(self, val):
        return val is None

    def __str__(self):
        return "None"


class _NanConstraint(_Constraint):
    def is_satisfied_by(self, val):
        return not isinstance(val, Integral) and isinstance(val, Real) and math.isnan(val)

    def __str__(self):
        return "numpy.nan"


class _ArrayLikes(_Constraint):
    """Anything with a length, a shape or ``__array__`` that is not a scalar nor sparse."""

    def is_satisfied_by(self, val):
        if issparse(val) or np.isscalar(val):
            return False
        return hasattr(val, "__len__") or hasattr(val, "shape") or hasattr(val, "__array__")

    def __str__(self):
        return "an array-like"


class _Callables(_Constraint):
    def is_satisfied_by(self, val):
        return callable(val)

    def __str__(self):
        return "a callable"


class _IterablesNotString(_Constraint):
    def is_satisfied_by(self, val):
        return hasattr(val, "__iter__") and not isinstance(val, str)

    def __str__(self):
        return "an iterable"


class Options(_Constraint):
    """A finite set of values of one type.

    Parameters
    ----------
    type : type
        The type every accepted value has.
    options : set
        The accepted values.

    Examples
    --------
    >>> from sktemporal.utils._param_validation import Options
    >>> str(Options(int, {1, 2}))
    'a int among {1, 2}'
    """

    def __init__(self, type, options):
        self.type = type
        self.options = options

    def is_satisfied_by(self, val):
        return isinstance(val, self.type) and val in self.options

    def __str__(self):
        return f"a {_type_name(self.type)} among {{{', '.join(repr(o) for o in self.options)}}}"


class StrOptions(Options):
    """A finite set of strings.

    Parameters
    ----------
    options : set of str
        The accepted strings.

    Examples
    --------
    >>> from sktemporal.utils._param_validation import StrOptions
    >>> StrOptions({"adam"}).is_satisfied_by("adam"), str(StrOptions({"adam"}))
    (True, "a str among {'adam'}")
    """

    def __init__(self, options):
        super().__init__(str, options)


class Interval(_Constraint):
    r"""A typed range of numbers; ``True``/``False`` are not numbers here.

    (``bool`` is a subclass of ``int`` in Python, so ``max_iter=True`` would otherwise pass
    as 1.)  NaN is in no interval; numpy scalars are numbers.

    Parameters
    ----------
    type : {numbers.Integral, numbers.Real}
        The numbers of the range (an ``Integral`` is also a ``Real``).
    left, right : int, float or None
        The bounds; None is :math:`\mp\infty`.
    closed : {"left", "right", "both", "neither"}
        Which bounds belong to the range.

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

    def __init__(self, type, left, right, *, closed):
        if type not in (Integral, Real):
            raise ValueError(f"type must be numbers.Integral or numbers.Real; got {type!r}.")
        if closed not in ("left", "right", "both", "neither"):
            raise ValueError(f"closed must be 'left', 'right', 'both' or 'neither'; got {closed!r}.")
        if left is not None and right is not None and right <= left:
            raise ValueError(f"right must be above left; got left={left} and right={right}.")
        self.type, self.left, self.right, self.closed = type, left, right, closed

    def __contains__(self, val):
        if not isinstance(val, Integral) and math.isnan(val):
            return False
        left = -math.inf if self.left is None else self.left
        right = math.inf if self.right is None else self.right
        above = val >= left if self.closed in ("left", "both") else val > left
        below = val <= right if self.closed in ("right", "both") else val < right
        return bool(above and below)

    def is_satisfied_by(self, val):
        if isinstance(val, (bool, np.bool_)) or not isinstance(val, self.type):
            return False
        return val in self

    def __str__(self):
        def bound(value, infinite):
            if value is None:
                return infinite
            return value if self.type is Integral else float(value)

        return (f"{'an int' if self.type is Integral else 'a float'} in the range "
                f"{'[' if self.closed in ('left', 'both') else '('}{bound(self.left, '-inf')}, "
                f"{bound(self.right, 'inf')}{']' if self.closed in ('right', 'both') else ')'}")


class _IntervalWithBooleans(Interval):
    """scikit-learn's reading inside its named constraints: ``random_state=True`` is seed 1."""

    def is_satisfied_by(self, val):
        return isinstance(val, self.type) and val in self


class HasMethods(_Constraint):
    """Objects with the named methods (a protocol, not a class).

    Parameters
    ----------
    methods : str or list of str
        The methods an accepted object has.

    Examples
    --------
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sktemporal.utils._param_validation import HasMethods
    >>> HasMethods(["fit", "transform"]).is_satisfied_by(StandardScaler())
    True
    """

    def __init__(self, methods):
        self.methods = [methods] if isinstance(methods, str) else list(methods)

    def is_satisfied_by(self, val):
        return all(callable(getattr(val, method, None)) for method in self.methods)

    def __str__(self):
        names = [repr(m) for m in self.methods]
        shown = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return f"an object implementing {shown}"


class Hidden:
    """A constraint that is accepted but left out of the error message.

    Parameters
    ----------
    constraint : str or constraint
        Any entry of a constraint list.
    """

    def __init__(self, constraint):
        self.constraint = constraint


_NAMED = {
    "array-like": _ArrayLikes,
    "boolean": lambda: _AnyOf(_InstancesOf(bool), _InstancesOf(np.bool_)),
    "random_state": lambda: _AnyOf(_IntervalWithBooleans(Integral, 0, 2**32 - 1, closed="both"),
                                   _InstancesOf(np.random.RandomState), _NoneConstraint()),
    "verbose": lambda: _AnyOf(_IntervalWithBooleans(Integral, 0, None, closed="left"),
                              _InstancesOf(bool), _InstancesOf(np.bool_)),
    "cv_object": lambda: _AnyOf(_IntervalWithBooleans(Integral, 2, None, closed="left"),
                                HasMethods(["split", "get_n_splits"]), _IterablesNotString(),
                                _NoneConstraint()),
    "nan": _NanConstraint,
}


def make_constraint(constraint):
    """The constraint object of one entry of a constraint list.

    Parameters
    ----------
    constraint : object
        A constraint object, one of the strings listed in the module docstring, ``None``,
        ``callable``, a type, or a :class:`Hidden` entry.

    Returns
    -------
    constraint : object
        With ``is_satisfied_by(value)``, ``str()`` and ``hidden``.

    Examples
    --------
    >>> from sktemporal.utils._param_validation import make_constraint
    >>> str(make_constraint("boolean"))
    "an instance of 'bool' or an instance of 'numpy.bool'"
    """
    if isinstance(constraint, Hidden):
        shown = make_constraint(constraint.constraint)
        hidden = _AnyOf(shown)
        hidden.hidden = True
        return hidden
    if isinstance(constraint, _Constraint):
        return constraint
    if constraint is None:
        return _NoneConstraint()
    if constraint is callable:
        return _Callables()
    if isinstance(constraint, type):
        return _InstancesOf(constraint)
    if isinstance(constraint, str) and constraint in _NAMED:
        return _NAMED[constraint]()
    raise ValueError(f"Unknown constraint {constraint!r}; expected one of {sorted(_NAMED)}, None, callable, a type "
                     "or a constraint object.")


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
    sktemporal...InvalidParameterError: The 'n' parameter of f must be an int in the range [1, inf). Got 0 instead.
    """
    undeclared = sorted(set(params) - set(constraints))
    if undeclared:
        # a programming error of the package, not of the user: every parameter is declared
        raise RuntimeError(f"{caller_name} declares no constraint for the parameter(s) {undeclared}.")
    for name, value in params.items():
        if constraints[name] == "no_validation":
            continue
        entries = [make_constraint(c) for c in constraints[name]]
        if any(c.is_satisfied_by(value) for c in entries):
            continue
        message = (f"The {name!r} parameter of {caller_name} must be "
                   f"{_or([c for c in entries if not c.hidden])}. Got {value!r} instead.")
        if hints and name in hints:
            message = f"{message} {hints[name]}"
        raise InvalidParameterError(message)


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

    Examples
    --------
    >>> from sktemporal import DelayEmbedding
    >>> from sktemporal.utils._param_validation import validate_params
    >>> validate_params(DelayEmbedding(delays=-1))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sktemporal.exceptions.InvalidParameterError: The 'delays' parameter of DelayEmbedding must be ...
    """
    cls = type(estimator)
    check_params(cls._parameter_constraints, cls.__name__, estimator.get_params(deep=False),
                 getattr(cls, "_parameter_hints", None))
