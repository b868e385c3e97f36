"""Exceptions and warnings raised by sktemporal."""

__all__ = ["DivergenceError"]


class DivergenceError(ValueError):
    """A fit that diverged: a loss far above where it started, or non-finite states or weights.

    Raised instead of returning a model whose predictions would be NaN or absurd.  The
    message says what was seen and what to change (a smaller learning rate, gradient
    clipping with ``clip_norm``, a smaller spectral radius or input scale).  The estimator
    keeps the model it had before the call (or stays unfitted).  A subclass of
    :class:`ValueError`, so code that catches the errors of bad settings catches it too.

    Examples
    --------
    >>> from sktemporal.exceptions import DivergenceError
    >>> try:
    ...     raise DivergenceError("the training loss grew from 0.5 to 3e12")
    ... except ValueError as exc:  # caught as a ValueError too
    ...     print(type(exc).__name__)
    DivergenceError
    """
