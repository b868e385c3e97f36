"""Activation functions and their derivatives, written from the outputs.

Shared by both model families: the trained networks (forward and backward) and the
reservoirs (the state update, and the softmax of the classifiers).  As in
:mod:`sklearn.neural_network`, every activation works in place on its argument and its
derivative is expressed through the activation's *output* ``a = f(z)``, so the backward
pass never needs the pre-activation ``z``.  The logistic function uses
``σ(z) = ½ tanh(z/2) + ½``, several times faster than ``scipy.special.expit``.
"""

import numpy as np

__all__ = ["ACTIVATIONS", "DERIVATIVES", "softmax_inplace", "logistic_inplace"]


def identity_inplace(z):
    return z


def tanh_inplace(z):
    return np.tanh(z, out=z)


def logistic_inplace(z):
    """σ(z) = ½ tanh(z/2) + ½, in place."""
    z *= 0.5
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5
    return z


def relu_inplace(z):
    return np.maximum(z, 0, out=z)


def softmax_inplace(z):
    """Row-wise softmax over the last axis, in place."""
    z -= z.max(axis=-1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=-1, keepdims=True)
    return z


ACTIVATIONS = {
    "identity": identity_inplace,
    "tanh": tanh_inplace,
    "logistic": logistic_inplace,
    "relu": relu_inplace,
    "softmax": softmax_inplace,
}


def _identity_derivative(a, delta):
    return delta


def _tanh_derivative(a, delta):
    """δ ← δ · (1 − a²)."""
    delta *= 1 - a * a
    return delta


def _logistic_derivative(a, delta):
    """δ ← δ · a (1 − a)."""
    delta *= a * (1 - a)
    return delta


def _relu_derivative(a, delta):
    delta[a <= 0] = 0
    return delta


# derivative(a, delta) multiplies delta by f'(z) given a = f(z), in place
DERIVATIVES = {
    "identity": _identity_derivative,
    "tanh": _tanh_derivative,
    "logistic": _logistic_derivative,
    "relu": _relu_derivative,
}
