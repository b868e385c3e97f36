"""
==================================================
Moving LSTM weights to and from PyTorch and Keras
==================================================

The LSTM and GRU estimators use the gate layouts of PyTorch and Keras, so a fitted
network moves between the libraries as plain numpy arrays:
:func:`~sktemporal.neural_network.to_torch` and
:func:`~sktemporal.neural_network.from_torch` give and take the state dicts of
``torch.nn.LSTM`` / ``torch.nn.Linear``; :func:`~sktemporal.neural_network.to_keras`
and :func:`~sktemporal.neural_network.from_keras` the ``get_weights()`` list of a
Keras ``Sequential([LSTM(H), Dense(n_out)])``.  sktemporal imports neither library.

This example trains an :class:`~sktemporal.neural_network.LSTMRegressor`, runs the
same network in PyTorch, and checks that both predict the same.  Without PyTorch
installed it shows the arrays only.
"""

# %%
# Train in sktemporal
# -------------------
# The adding problem with 20 steps: two marked numbers of each sequence must be added.
import matplotlib.pyplot as plt
import numpy as np

from sktemporal.datasets import adding_problem
from sktemporal.neural_network import (
    LSTMRegressor,
    from_torch,
    to_keras,
    to_torch,
)

X, y = adding_problem(
    600, seq_length=20, random_state=0
)  # X: (600, 20, 2)
# the plain network of torch's nn.LSTM: one direction, the last
# state, one step per input (the defaults on a collection read
# both ways, pool and patch)
plain = dict(bidirectional=False, pooling="last", patch_size=None)
model = LSTMRegressor(
    (16,), max_iter=30, learning_rate_init=0.01, random_state=0, **plain
).fit(X[:500], y[:500])
pred_sktemporal = model.predict(X[500:])

# %%
# Export: the weights as PyTorch state dicts and as a Keras weight list
# ---------------------------------------------------------------------
rnn_state, linear_state = to_torch(model)
for name, value in rnn_state.items():
    print(f"{name:>13}: {value.shape}")
print("Keras get_weights() shapes:", [w.shape for w in to_keras(model)])

# %%
# Run the same network in PyTorch
# -------------------------------
# ``torch.nn.LSTM`` with the estimator's sizes and dtype (float64 here) loads the
# state dict; the output layer reads the last hidden state.
try:
    import torch
except ImportError:  # the rest needs PyTorch
    torch = None
    print("PyTorch is not installed: skipping the comparison")

if torch is not None:
    lstm = torch.nn.LSTM(2, 16, batch_first=True, dtype=torch.float64)
    head = torch.nn.Linear(16, 1, dtype=torch.float64)
    lstm.load_state_dict(
        {k: torch.from_numpy(v) for k, v in rnn_state.items()}
    )
    head.load_state_dict(
        {k: torch.from_numpy(v) for k, v in linear_state.items()}
    )
    with torch.no_grad():
        _, (h_n, _) = lstm(torch.from_numpy(X[500:]))
        pred_torch = head(h_n[-1]).numpy().ravel()
    diff = np.abs(pred_torch - pred_sktemporal).max()
    print(f"largest difference between the two libraries: {diff:.1e}")

# %%
# And back: a torch model's weights into an estimator
# ---------------------------------------------------
# An estimator fitted for one iteration has the right architecture; ``from_torch``
# replaces its weights (continue training with ``warm_start=True``).
if torch is not None:
    target = LSTMRegressor(
        (16,), max_iter=1, random_state=1, **plain
    ).fit(
        X[:500], y[:500]
    )
    from_torch(target, lstm, head)
    print(
        "same predictions after the round trip:",
        np.allclose(target.predict(X[500:]), pred_sktemporal),
    )

# %%
# The two libraries' predictions, test sequence by test sequence:
if torch is not None:
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.scatter(pred_sktemporal, pred_torch, s=12)
    lims = [
        min(pred_sktemporal.min(), pred_torch.min()),
        max(pred_sktemporal.max(), pred_torch.max()),
    ]
    ax.plot(lims, lims, color="0.5", lw=1, ls="--")
    ax.set_xlabel("LSTMRegressor.predict")
    ax.set_ylabel("torch.nn.LSTM + Linear")
    ax.set_title(f"100 test sequences, max difference {diff:.0e}")
    fig.tight_layout()

# %%
# With Keras, ``keras_model.set_weights(to_keras(model))`` loads the same network
# into ``Sequential([Input((20, 2)), LSTM(16), Dense(1)])``, and
# ``from_keras(model, keras_model.get_weights())`` brings a Keras model's weights
# back.
