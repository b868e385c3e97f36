"""scikit-learn's callback API for the package's iterative fits, where the installed scikit-learn has it.

scikit-learn 1.9 ships an experimental callback API (``sklearn.callback``): an
estimator that inherits ``sklearn.callback.CallbackSupportMixin`` accepts
``set_callbacks(*callbacks)``, and its fit reports a tree of tasks — here the fit, and
each epoch one subtask — to the callbacks' ``on_fit_task_begin`` / ``on_fit_task_end``
hooks; a callback returning True from ``on_fit_task_end`` stops the training after that
epoch.  With an older scikit-learn (the package supports 1.6 and later) the mixin is an
empty base, ``set_callbacks`` does not exist, and fits run exactly as before.

:class:`ProgressLine` is a callback that needs nothing beyond the standard library: one
line on standard error, rewritten after every epoch.
"""

import sys
import time

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

__all__ = ["HAS_SKLEARN_CALLBACKS", "CallbackSupportMixin", "EpochTasks", "ProgressLine", "with_callbacks"]


class EpochTasks:
    """An epoch hook reporting the fit and each epoch as tasks of scikit-learn's callback API.

    Created at the start of a fit with the epoch budget; passed to the training loop as
    one of its callbacks (``on_fit_begin`` / ``on_epoch_end`` / ``on_fit_end``).  Does
    nothing when no callback is registered or scikit-learn has no callback API.

    Parameters
    ----------
    estimator : estimator
        The estimator being fitted (a :class:`CallbackSupportMixin`).
    max_iter : int
        The most epochs this fit can run.
    X, y : array-like, default=None
        The training data, passed to the callbacks' hooks.
    """

    def __init__(self, estimator, max_iter, X=None, y=None):
        self.estimator, self.X, self.y = estimator, X, y
        registered = HAS_SKLEARN_CALLBACKS and getattr(estimator, "_skl_callbacks", None)
        # the documented entry point for third-party estimators (sklearn's developer guide)
        self.context = estimator._init_callback_context(max_subtasks=max_iter) if registered else None

    def on_fit_begin(self, info):
        if self.context is not None:
            self.context.call_on_fit_task_begin(estimator=self.estimator, X=self.X, y=self.y)

    def on_epoch_end(self, info):
        """True when a callback asks to stop."""
        if self.context is None:
            return False
        epoch = self.context.subcontext(task_name="epoch")
        epoch.call_on_fit_task_begin(estimator=self.estimator, X=self.X, y=self.y)
        return bool(epoch.call_on_fit_task_end(estimator=self.estimator, X=self.X, y=self.y))

    def on_fit_end(self, info):
        if self.context is not None:
            self.context.call_on_fit_task_end(estimator=self.estimator, X=self.X, y=self.y)


class ProgressLine:
    """A progress display for long fits: one line on standard error, rewritten every epoch.

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
        """After an epoch: rewrite the line; never asks to stop."""
        if context.task_name != "epoch" or context.parent is None:
            return False
        total = context.parent.max_subtasks
        text = (f"{type(estimator).__name__}: epoch {context.task_id + 1}/{total}, "
                f"{time.perf_counter() - self._start:.1f} s")
        self._out.write("\r" + text.ljust(self._width))
        self._width = len(text)
        self._out.flush()
        return False

    def teardown(self, estimator, context):
        """End of the fit: end the line."""
        self._out.write("\n")
        self._out.flush()
