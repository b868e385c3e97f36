"""All-or-nothing fitting: an estimator either publishes a complete new model or stays as it was."""

from contextlib import contextmanager

__all__ = ["all_or_nothing"]


@contextmanager
def all_or_nothing(estimator):
    """Restore every attribute of ``estimator`` if the block raises (KeyboardInterrupt included).

    The block must build the new model in new objects (copies of parameter vectors,
    optimizer states, random generators) and assign them to the estimator; it must not
    modify the previous model's objects in place.  Then an exception anywhere — a bad
    input found late, a diverging loss, a Ctrl-C — leaves the previous fitted model (or
    the unfitted estimator) exactly as it was, and the exception propagates unchanged.

    Examples
    --------
    >>> class Model:
    ...     coef_ = None
    >>> m = Model()
    >>> m.coef_ = [1.0]
    >>> try:
    ...     with all_or_nothing(m):
    ...         m.coef_ = [2.0]
    ...         raise KeyboardInterrupt
    ... except KeyboardInterrupt:
    ...     pass
    >>> m.coef_
    [1.0]
    """
    saved = dict(vars(estimator))
    try:
        yield
    except BaseException:
        state = vars(estimator)
        state.clear()
        state.update(saved)
        raise
