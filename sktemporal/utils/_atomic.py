"""All-or-nothing fitting: an estimator either publishes a complete new model or stays as it was.

One mechanism, used by both model families: a fit either works on a :func:`shadow`
of the estimator and publishes it at the end (:func:`publish`; the reservoirs), or
works on the estimator itself inside :func:`all_or_nothing`, which publishes the saved
shadow back if the fit raises (the trained networks).
"""

from contextlib import contextmanager

__all__ = ["all_or_nothing", "publish", "shadow"]


def shadow(estimator):
    """A working copy of ``estimator`` whose attributes may be set freely.

    Attributes are shared, not copied: code working on the shadow replaces them (and
    copies mutable training state before updating it), never modifies them in place.
    :func:`publish` then makes the shadow's attributes the estimator's in one step.
    """
    new = object.__new__(type(estimator))
    new.__dict__.update(estimator.__dict__)
    return new


def publish(estimator, new):
    """Make the attributes of ``new`` (a :func:`shadow`) the estimator's, in one assignment."""
    estimator.__dict__ = new.__dict__


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
    saved = shadow(estimator)
    try:
        yield
    except BaseException:
        publish(estimator, saved)
        raise
