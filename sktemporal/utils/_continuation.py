"""State continuation, ``initial_state='continue'``, written once for both families.

After a fit on one 2-D series a model keeps its final state (``last_state_``).  A later
series continues from it — it is taken to follow the fitted one in time — except the
fitted series itself, which restarts from zeros as it did in the fit, so that
``predict(X)`` after ``fit(X, y)`` gives the in-sample predictions.  The fitted series
is recognised by a fingerprint of its values (:func:`~sktemporal.utils._batch.series_key`).
"""

from ._batch import series_key

__all__ = ["continues_fitted_series", "remember_fitted_series"]


def remember_fitted_series(estimator, batch):
    """Record which series the kept end state belongs to (None for a collection)."""
    estimator._fitted_series = series_key(batch) if batch.kind == "series" else None


def continues_fitted_series(estimator, batch, *, restart_fitted=True):
    """Whether ``batch`` starts from the state kept at the end of the fitted series.

    True for a 2-D series when the estimator has ``initial_state='continue'`` and kept
    an end state — unless ``restart_fitted`` and ``batch`` is the fitted series itself.
    ``partial_fit`` passes ``restart_fitted=False``: each chunk follows the previous one,
    even when two chunks hold the same values.
    """
    if not (batch.kind == "series" and getattr(estimator, "initial_state", "zeros") == "continue"
            and getattr(estimator, "last_state_", None) is not None):
        return False
    return not (restart_fitted and series_key(batch) == getattr(estimator, "_fitted_series", None))
