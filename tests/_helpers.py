"""Helpers shared by the test modules (the one place tests import helpers from)."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from sktemporal.neural_network._loss import LOSSES
from sktemporal.neural_network._training import loss_and_gradient

__all__ = ["make_problem", "total_loss_and_grad", "truncated_loss", "forward_loss", "check_gradient",
           "modules_loaded_by"]

ROOT = Path(__file__).resolve().parents[1]


def modules_loaded_by(code, packages):
    """The modules of ``packages`` (top-level names) that ``code`` loads, run in a fresh interpreter."""
    probe = (f"{code}\nimport json, sys\n"
             f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {tuple(packages)!r})))\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def make_problem(rng, lengths, n_in=3, n_out=2, per_step=True, classify=False):
    """Random zero-padded sequences ``X`` (batch-first), their lengths and targets (one-hot with ``classify``)."""
    lengths = np.asarray(lengths)
    B, T = len(lengths), int(max(lengths))
    X = rng.normal(size=(B, T, n_in))
    X[np.arange(T)[None, :] >= lengths[:, None]] = 0
    shape = (B, T, n_out) if per_step else (B, n_out)
    if classify:
        Y = np.zeros(shape)
        idx = rng.randint(n_out, size=shape[:-1])
        np.put_along_axis(Y, idx[..., None], 1, axis=-1)
    else:
        Y = rng.normal(size=shape)
    return X, lengths, Y


def total_loss_and_grad(net, theta, data, loss_name):
    """Sum of chunk losses (state carried, gradient cut at chunk edges) and its gradient."""
    grad = np.zeros_like(theta)
    total_grad = np.zeros_like(theta)
    total = 0.0
    for idx in data.minibatches(data.n_sequences):
        state = None
        for chunk in data.chunks(idx):
            loss, n, state = loss_and_gradient(net, theta, grad, loss_name, chunk, state)
            if n:
                total += loss
                total_grad += grad
    return total, total_grad


def truncated_loss(net, theta, data, loss_name, frozen_states):
    """Loss with the chunk-initial states held fixed (what truncated BPTT differentiates)."""
    total = 0.0
    for idx in data.minibatches(data.n_sequences):
        for chunk, state in zip(data.chunks(idx), frozen_states):
            loss, n, _ = forward_loss(net, theta, loss_name, chunk, state)
            total += loss
    return total


def forward_loss(net, theta, loss_name, chunk, state):
    """Loss of one chunk from ``state``: ``(loss, n_targets, new_state)``."""
    X, sizes, lengths, Y, mask, n = chunk
    out, new_state, _ = net.forward(theta, X, sizes, lengths, state)
    if n == 0:
        return 0.0, 0, new_state
    return LOSSES[loss_name](out, Y, mask)[0], n, new_state


def check_gradient(net, data, loss_name, rng, eps=1e-6, truncated=False):
    """Assert the network's gradient equals central finite differences (relative error < 1e-6)."""
    theta = net.layout.zeros()
    net.initialize(theta, rng)
    theta += 0.1 * rng.normal(size=theta.shape)  # biases away from zero too
    _, grad = total_loss_and_grad(net, theta, data, loss_name)
    frozen = None
    if truncated:
        frozen = []
        for idx in data.minibatches(data.n_sequences):
            state = None
            for chunk in data.chunks(idx):
                frozen.append(state)
                _, _, state = forward_loss(net, theta, loss_name, chunk, state)

    def f(x):
        if truncated:
            return truncated_loss(net, x, data, loss_name, frozen)
        return total_loss_and_grad(net, x, data, loss_name)[0]

    num = np.empty_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = eps
        num[i] = (f(theta + e) - f(theta - e)) / (2 * eps)
    err = np.linalg.norm(num - grad) / max(np.linalg.norm(num) + np.linalg.norm(grad), 1e-12)
    assert err < 1e-6, err
    assert np.linalg.norm(grad) > 0
