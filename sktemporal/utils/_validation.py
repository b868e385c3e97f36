"""Type predicates shared by the package (hyperparameters are checked by :mod:`._param_validation`)."""

import numbers

__all__ = ["is_int"]


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
