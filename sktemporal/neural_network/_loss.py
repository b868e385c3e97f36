"""Losses paired with their output activations.

Each loss returns its value summed over the valid rows and ``δ = ∂L/∂z`` with respect to
the output layer's pre-activation.  With the canonical links (identity for squared error,
logistic/softmax for log-loss) that derivative is simply ``δ = ŷ − y``.
"""

import numpy as np

__all__ = ["LOSSES", "OUTPUT_ACTIVATION"]


def squared_error(y_pred, y_true, mask):
    """½ Σ (ŷ − y)² over valid rows."""
    delta = y_pred - y_true
    if mask is not None:
        delta *= mask[..., None]
    return 0.5 * float(np.vdot(delta, delta)), delta


def log_loss(y_prob, y_true, mask):
    """−Σ_k y_k log ŷ_k over valid rows (one-hot ``y_true``, softmax ``ŷ``)."""
    eps = np.finfo(y_prob.dtype).eps
    logp = np.log(np.clip(y_prob, eps, 1.0))
    ll = (y_true * logp).sum(axis=-1)
    delta = y_prob - y_true
    if mask is not None:
        ll = ll * mask
        delta *= mask[..., None]
    return -float(ll.sum()), delta


def binary_log_loss(y_prob, y_true, mask):
    """−Σ [y log ŷ + (1 − y) log(1 − ŷ)] over valid rows (logistic ``ŷ``)."""
    eps = np.finfo(y_prob.dtype).eps
    p = np.clip(y_prob, eps, 1 - eps)
    ll = (y_true * np.log(p) + (1 - y_true) * np.log1p(-p)).sum(axis=-1)
    delta = y_prob - y_true
    if mask is not None:
        ll = ll * mask
        delta *= mask[..., None]
    return -float(ll.sum()), delta


LOSSES = {
    "squared_error": squared_error,
    "log_loss": log_loss,
    "binary_log_loss": binary_log_loss,
}
OUTPUT_ACTIVATION = {
    "squared_error": "identity",
    "log_loss": "softmax",
    "binary_log_loss": "logistic",
}
