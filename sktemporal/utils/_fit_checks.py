"""What the two estimator families check alike on a fit and on ``generate``, written once.

The networks (``neural_network``) and the echo state estimators (``reservoir``) share the
option ``initial_state`` and raise the same errors, with the same words, from here: a
missing ``y``; targets whose layout (per step or per sequence, number of outputs) differs
from the first fit's; a closed loop asked of a model whose outputs cannot be its inputs.
"""

__all__ = [
    "INITIAL_STATES",
    "check_closed_loop",
    "check_n_outputs",
    "check_target_layout",
    "check_y_given",
]

#: Where a series starts: the state the fitted series ended in, or zeros.
INITIAL_STATES = ("continue", "zeros")

_FIXED_BY_THE_FIRST_FIT = "the layout of y is fixed by the first fit (refit from scratch to change it)."


def _per(per_step):
    return "a target per step" if per_step else "a target per sequence"


def check_y_given(estimator, y):
    """Error when ``y`` is None (scikit-learn's wording, which its estimator checks expect).

    >>> from sklearn.base import BaseEstimator
    >>> check_y_given(BaseEstimator(), None)
    Traceback (most recent call last):
    ...
    ValueError: BaseEstimator requires y to be passed, but the target y is None.
    """
    if y is None:
        raise ValueError(f"{type(estimator).__name__} requires y to be passed, but the target y is None.")


def check_target_layout(per_step, fitted_per_step, what="y"):
    """Error when targets per step follow a fit on targets per sequence, or the reverse.

    Parameters
    ----------
    per_step : bool
        The layout of the targets seen now.
    fitted_per_step : bool
        The layout the model was fitted with.
    what : str, default='y'
        The targets' name at the start of the message, e.g. ``'A chunk of y'``.

    Examples
    --------
    >>> check_target_layout(False, True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: y has a target per sequence, but this model was fitted with a target per step; ...
    """
    if per_step != fitted_per_step:
        raise ValueError(f"{what} has {_per(per_step)}, but this model was fitted with "
                         f"{_per(fitted_per_step)}; {_FIXED_BY_THE_FIRST_FIT}")


def check_n_outputs(n_outputs, fitted_n_outputs, what="y"):
    """Error when the targets have another number of outputs than the first fit's.

    >>> check_n_outputs(2, 1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: y has 2 output(s), but this model was fitted with 1; the layout of y is fixed ...
    """
    if n_outputs != fitted_n_outputs:
        raise ValueError(f"{what} has {n_outputs} output(s), but this model was fitted with "
                         f"{fitted_n_outputs}; {_FIXED_BY_THE_FIRST_FIT}")


def check_closed_loop(estimator, caller, *, outputs_as_inputs=True, alternative=""):
    """Error unless ``estimator`` can feed its outputs back, as ``generate`` does.

    A closed loop needs a model fitted with a target per step (``estimator._per_step``)
    and, when each output becomes the next input, ``n_outputs_ == n_features_in_``.

    Parameters
    ----------
    estimator : fitted estimator
    caller : str
        The method asked for the loop, e.g. ``'generate'``.
    outputs_as_inputs : bool, default=True
        Whether the outputs become the next inputs (False: they return another way, e.g.
        through feedback weights, and any number of outputs will do).
    alternative : str, default=''
        A sentence appended to the ``n_outputs`` error: another way to close the loop.
    """
    if not estimator._per_step:
        raise ValueError(f"{caller} feeds each output back: it needs a model fitted with a target "
                         "per step (one series); this one was fitted with a target per sequence.")
    if outputs_as_inputs and estimator.n_outputs_ != estimator.n_features_in_:
        raise ValueError(
            f"{caller} feeds each output back as the next input: it needs n_outputs == n_features; "
            f"this model has {estimator.n_outputs_} output(s) for {estimator.n_features_in_} "
            f"feature(s).{' ' + alternative if alternative else ''}"
        )
