"""scikit-learn's callback API for the package's iterative fits, where the installed scikit-learn has it.

scikit-learn 1.9 ships an experimental callback API (``sklearn.callback``): an
estimator that inherits ``sklearn.callback.CallbackSupportMixin`` accepts
``set_callbacks(*callbacks)``, and its fit reports a tree of tasks — here the fit, and
each epoch one subtask — to the callbacks' ``on_fit_task_begin`` / ``on_fit_task_end``
hooks; a callback returning True from ``on_fit_task_end`` stops the training after that
epoch.  The self-tuning reservoir search reports the same way, one subtask per rung of its
successive halving (it does not stop early: every rung is needed for the choice).  With
an older scikit-learn (the package supports 1.6 and later) the mixin is an
empty base, ``set_callbacks`` does not exist, and fits run exactly as before.

:class:`ProgressLine` is a callback that needs nothing beyond the standard library: one
line on standard error, rewritten after every epoch.
"""

import sys
import time

from ._atomic import shadow

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin, with_callbacks
    HAS_SKLEARN_CALLBACKS = True
except ImportError:  # pragma: no cover - exercised in a subprocess by the tests
    HAS_SKLEARN_CALLBACKS = False

    class CallbackSupportMixin:  # noqa: D401 - the name scikit-learn gives it
        """Without scikit-learn's callback API there is nothing to register."""

    def with_callbacks(method):
        """Without scikit-learn's callback API a fit needs no teardown."""
        return method

__all__ = ["HAS_SKLEARN_CALLBACKS", "CallbackSupportMixin", "FitTasks", "ProgressLine", "with_callbacks",
           "without_callbacks"]


class FitTasks:
    """A fit and its steps (epochs, search rungs) as tasks of scikit-learn's callback API.

    Created at the start of a fit with the most subtasks it can run; the fit calls
    ``on_fit_begin`` / ``on_subtask_end`` (after each epoch or rung) / ``on_fit_end`` —
    the epoch hooks of the training loops under the names ``on_epoch_end``.  Does nothing
    when no callback is registered or scikit-learn has no callback API.

    Parameters
    ----------
    estimator : estimator
        The estimator being fitted (a :class:`CallbackSupportMixin`).
    max_subtasks : int
        The most subtasks this fit can run (its epoch budget, its number of rungs).
    X, y : array-like, default=None
        The training data, passed to the callbacks' hooks.
    subtask : str, default='epoch'
        The name of a subtask (``context.task_name`` in the callbacks' hooks).
    """

    def __init__(self, estimator, max_subtasks, X=None, y=None, subtask="epoch"):
        self.estimator, self.X, self.y, self.subtask = estimator, X, y, subtask
        registered = HAS_SKLEARN_CALLBACKS and getattr(estimator, "_skl_callbacks", None)
        # the documented entry point for third-party estimators (sklearn's developer guide)
        self.context = estimator._init_callback_context(max_subtasks=max_subtasks) if registered else None

    def on_fit_begin(self, info=None):
        if self.context is not None:
            self.context.call_on_fit_task_begin(estimator=self.estimator, X=self.X, y=self.y)

    def on_subtask_end(self, info=None):
        """Report one finished subtask; True when a callback asks to stop."""
        if self.context is None:
            return False
        task = self.context.subcontext(task_name=self.subtask)
        task.call_on_fit_task_begin(estimator=self.estimator, X=self.X, y=self.y)
        return bool(task.call_on_fit_task_end(estimator=self.estimator, X=self.X, y=self.y))

    on_epoch_end = on_subtask_end  # the training loops' epoch hook

    def on_fit_end(self, info=None):
        if self.context is not None:
            self.context.call_on_fit_task_end(estimator=self.estimator, X=self.X, y=self.y)


def without_callbacks(estimator):
    """A :func:`~._atomic.shadow` of ``estimator`` with no callback registered.

    What a fit ships to worker processes: callbacks (a display holding a stream) stay with
    the process that reports.
    """
    new = shadow(estimator)
    if hasattr(new, "set_callbacks"):
        new.set_callbacks()  # no callbacks: unregisters them from the copy only
    return new


class ProgressLine:
    """A progress display for long fits: one line on standard error, rewritten every epoch or rung.

    A callback of scikit-learn's callback API (scikit-learn ≥ 1.9), registered with
    ``estimator.set_callbacks(ProgressLine())``; no dependency beyond the standard library
    (scikit-learn's own ``sklearn.callback.ProgressBar`` needs ``rich``).

    Parameters
    ----------
    stream : file-like, default=None
        Where the line goes; None is ``sys.stderr`` (looked up at each fit).

    Examples
    --------
    >>> import io
    >>> import numpy as np
    >>> from sktemporal.neural_network import GRURegressor
    >>> from sktemporal.utils import ProgressLine
    >>> out = io.StringIO()
    >>> X = np.random.RandomState(0).normal(size=(20, 5, 1))
    >>> model = GRURegressor((4,), max_iter=3, random_state=0)
    >>> model = model.set_callbacks(ProgressLine(out)).fit(X, X[:, -1, 0])
    >>> out.getvalue().splitlines()[-1].startswith("GRURegressor: epoch 3/3")
    True
    """

    def __init__(self, stream=None):
        self.stream = stream

    def setup(self, estimator, context):
        """Start of a fit: pick the stream, start the clock."""
        self._out = sys.stderr if self.stream is None else self.stream
        self._start, self._width = time.perf_counter(), 0

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None, metadata=None, fitted_estimator=None):
        """Nothing to show before a task."""
        return None

    def on_fit_task_end(self, estimator, context, *, X=None, y=None, metadata=None, fitted_estimator=None):
        """After an epoch or a search rung: rewrite the line; never asks to stop."""
        if context.parent is None:
            return False  # the fit itself ends: teardown ends the line
        total = context.parent.max_subtasks
        text = (f"{type(estimator).__name__}: {context.task_name} {context.task_id + 1}/{total}, "
                f"{time.perf_counter() - self._start:.1f} s")
        self._out.write("\r" + text.ljust(self._width))
        self._width = len(text)
        self._out.flush()
        return False

    def teardown(self, estimator, context):
        """End of the fit: end the line (and let go of the stream, so the callback pickles)."""
        self._out.write("\n")
        self._out.flush()
        del self._out
