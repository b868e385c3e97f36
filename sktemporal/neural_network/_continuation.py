"""State continuation, ``initial_state='continue'``: a series picks up where the fitted one ended.

After a fit on one series the network keeps its final state (``last_state_``) and its
output there; ``predict`` on a new series starts from that state (the fitted series itself
restarts from zeros, so in-sample predictions stay in-sample) and ``generate`` without a
warm-up continues from the state and the output.
"""

import numpy as np

from ..utils._blas import one_blas_thread
from ..utils._continuation import continues_fitted_series

__all__ = ["StateContinuationMixin"]


class StateContinuationMixin:
    """The state a network estimator keeps and starts from (mixed into ``BaseSequenceNetwork``)."""

    def _end_state(self, batch, inputs):
        """The state after the last step of a fitted series and the output there, else ``(None, None)``.

        Kept for ``initial_state='continue'``: ``predict`` on a series starts from the state,
        ``generate`` without a warm-up from the state and the output (network scale, shape
        ``(n_outputs,)``), which it feeds back first.
        """
        if (batch.kind != "series" or not self._continuable()):
            return None, None
        out, state = self._run_series(inputs)
        return [s.copy() for s in state], out[-1].copy()

    def _continuable(self):
        """Whether predictions on a series may start from the fitted series' final state."""
        return (self._recurrent and hasattr(self, "initial_state")
                and not self._bidirectional)

    def _start_state(self, raw):
        """The state a series starts from: the fitted series' final state ('continue'), else zeros.

        The fitted series itself (the same values) starts from zeros, as it did in the fit:
        ``predict(X)`` after ``fit(X, y)`` gives the in-sample predictions.
        """
        if continues_fitted_series(self, raw):
            return [s.copy() for s in self.last_state_]
        return None

    def _run_series(self, inputs, state=None):
        """Outputs ``(T, n_out)`` and final state of the fitted network on one ``(1, T, F)`` series."""
        theta = self.params_
        X = np.ascontiguousarray(inputs.astype(theta.dtype, copy=False).transpose(1, 0, 2))
        T = X.shape[0]
        with one_blas_thread():
            out, state, _ = self._net.forward(theta, X, np.ones(T, dtype=np.intp), np.array([T]), state)
        self._net.release()
        return out[:, 0], state

    def _continued_series(self):
        """State and output ``(1, n_out)`` at the end of the fitted series, for ``generate()``."""
        state, last = getattr(self, "last_state_", None), getattr(self, "_last_output", None)
        if getattr(self, "initial_state", "zeros") != "continue" or state is None or last is None:
            if getattr(self, "initial_state", "zeros") != "continue":
                why = f"this model has initial_state={self.initial_state!r}"
            elif state is None:
                why = "this model was last fitted on a collection of sequences"
            else:
                why = "this model was saved by a version that did not keep the last output"
            raise ValueError(
                "generate without warmup continues the series seen in fit from the state kept by "
                f"initial_state='continue', but {why}; pass warmup=<2-D series> (or refit)."
            )
        return [s.copy() for s in state], last[None].copy()
