"""
========================================================
Bidirectional networks: labels that depend on the future
========================================================

A recurrent network reads a sequence forwards, so its output at step ``t`` can only
depend on the steps up to ``t``.  Some labelling tasks need the steps *after* ``t``
too: mark a word by the words that follow it, a heartbeat by the beats around it.
``bidirectional=True`` runs a second network from the end of each sequence backwards
and reads both states at every step (Schuster & Paliwal, 1997).

The task here: sequences of noise with a few spikes; the label of a step is 1 when a
spike *follows* within the next 5 steps.  A forward network cannot know that; the
backward direction can.  (A bidirectional model reads the future, so it is for
labelling complete sequences, never for forecasting.)
"""

# %%
# Data: a label per step of each sequence
# ---------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import accuracy_score

from sktemporal.neural_network import RNNClassifier

rng = np.random.RandomState(0)
n_seq, T, ahead = 300, 40, 5
spikes = rng.rand(n_seq, T) < 0.06
X = 0.3 * rng.randn(n_seq, T) + 2.0 * spikes
X = X[:, :, None]  # (300, 40, 1)
y = np.zeros((n_seq, T), dtype=int)  # (300, 40) labels
for k in range(1, ahead + 1):
    y[:, :-k] |= spikes[:, k:]
print(f"{y.mean():.0%} of the steps are labelled 1")

X_train, X_test, y_train, y_test = X[:200], X[200:], y[:200], y[200:]

# %%
# Forward-only and bidirectional Elman networks
# ---------------------------------------------
# Same size, same training budget; only ``bidirectional`` differs.
models = {}
for bidirectional in (False, True):
    name = "bidirectional" if bidirectional else "forward only"
    models[name] = RNNClassifier(
        (16,),
        bidirectional=bidirectional,
        max_iter=60,
        learning_rate_init=0.02,
        random_state=0,
    ).fit(X_train, y_train)
    acc = accuracy_score(
        y_test.ravel(), models[name].predict(X_test).ravel()
    )
    print(f"{name:>13}: accuracy per step {acc:.3f}")
print(f"{'always 0':>13}: accuracy per step {1 - y_test.mean():.3f}")

# %%
# One test sequence
# -----------------
# The forward network can only react after a spike has happened; the bidirectional
# one marks the steps before it.
i = 3
proba = {
    n: m.predict_proba(X_test[i : i + 1])[0][:, 1]
    for n, m in models.items()
}
fig, (ax_x, ax_p) = plt.subplots(2, 1, figsize=(8, 4.6), sharex=True)
ax_x.plot(X_test[i, :, 0], color="0.3")
ax_x.set_ylabel("input")
ax_p.step(
    np.arange(T), y_test[i], where="mid", color="0.3", label="true label"
)
for name, p in proba.items():
    ax_p.plot(p, lw=2, label=f"P(1), {name}")
ax_p.set_ylabel("label / probability")
ax_p.set_xlabel("time step")
ax_p.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
fig.tight_layout()
