"""Small parameter checks shared by the estimators and helpers of the package."""

import numbers

__all__ = ["is_int", "check_positive_int"]


def is_int(value):
    """Whether ``value`` is an integer (Python or numpy), excluding ``bool``.

    Parameters
    ----------
    value : object

    Returns
    -------
    result : bool
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_positive_int(value, name, allow_none=False):
    """Raise a ``ValueError`` unless ``value`` is an integer >= 1 (or None, if allowed).

    Parameters
    ----------
    value : object
        The value to check.
    name : str
        Parameter name used in the error message.
    allow_none : bool, default=False
        Accept ``None`` as well.

    Raises
    ------
    ValueError
        ``"<name> must be a positive integer[ or None]; got <value!r>."``
    """
    if allow_none and value is None:
        return
    if not is_int(value) or value < 1:
        raise ValueError(f"{name} must be a positive integer{' or None' if allow_none else ''}; got {value!r}.")
