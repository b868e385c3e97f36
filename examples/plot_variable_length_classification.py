"""
=====================================================
Classifying sequences of different lengths
=====================================================

Real sequences rarely have one length: utterances, gestures, sensor recordings of
varying duration.  sktemporal takes a collection of unequal sequences as a plain Python
**list of 2-D arrays** ``(T_i, n_features)`` (or, equivalently, a 3-D array padded with
NaN at the end of the shorter sequences, tslearn's convention) with one label per
sequence.  Every sequence is read up to its own last step — padding never enters a
state, a loss or a readout.

The data: :func:`~sktemporal.datasets.make_sequence_classification` draws noisy
sinusoids whose class is their frequency.  Amplitude and phase are random, so the class
is in the temporal structure only; lengths vary from 10 to 80 steps.

Three classifiers read the ragged list directly:

* :class:`~sktemporal.ESNClassifier` — a fixed reservoir, the ridge readout reads the
  mean reservoir state of each sequence (``pooling='mean'``);
* :class:`~sktemporal.RNNClassifier` — an Elman network trained by backpropagation
  through time, the softmax reads its state after each sequence's last step;
* :class:`~sktemporal.GRUClassifier` — the same with gated recurrent units.
"""

# %%
# A ragged collection
# -------------------
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import ConfusionMatrixDisplay, accuracy_score
from sklearn.model_selection import train_test_split

from sktemporal import ESNClassifier, GRUClassifier, RNNClassifier
from sktemporal.datasets import make_sequence_classification

X, y = make_sequence_classification(
    600,
    n_classes=5,
    noise=0.5,
    min_length=10,
    max_length=80,
    random_state=0,
)
print(
    f"{len(X)} sequences, lengths "
    f"{min(map(len, X))}..{max(map(len, X))}, "
    f"shape of the first: {X[0].shape}, classes {np.unique(y)}"
)

# train_test_split works on lists as on arrays
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=1 / 3, stratify=y, random_state=0
)

fig, ax = plt.subplots(figsize=(8, 3.6))
for c in range(5):
    i = int(np.flatnonzero(y == c)[0])
    ax.plot(X[i][:, 0] + 3 * c, lw=1)
    ax.text(-2, 3 * c, f"class {c}", ha="right", va="center")
ax.set_yticks([])
ax.set_xlim(-14, 82)
ax.set_xlabel("time step")
ax.set_title("one sequence of each class (offset vertically)")
fig.tight_layout()

# %%
# Three classifiers, the same list
# --------------------------------
# The gradient-trained networks get a few dozen epochs (``max_iter``) and stop early
# when the training loss stalls.  ``clip_norm=1.0`` caps the gradient norm, the usual
# guard against exploding gradients; on this data the Elman network trained without it
# was much less reliable.
warnings.filterwarnings(
    "ignore", category=ConvergenceWarning
)  # small budgets on purpose

models = {
    "ESN (200 units)": ESNClassifier(
        n_reservoir=200, pooling="mean", random_state=0
    ),
    "Elman RNN (32)": RNNClassifier(
        (32,),
        learning_rate_init=0.01,
        clip_norm=1.0,
        max_iter=60,
        random_state=0,
    ),
    "GRU (16)": GRUClassifier(
        (16,), learning_rate_init=0.02, max_iter=40, random_state=0
    ),
}
predictions = {}
for name, model in models.items():
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    predictions[name] = model.predict(X_test)
    print(
        f"{name:16s} test accuracy "
        f"{accuracy_score(y_test, predictions[name]):.3f}   "
        f"fit {seconds:.2f} s"
    )

# %%
fig, axes = plt.subplots(1, 3, figsize=(8, 3.6))
for ax, (name, pred) in zip(axes, predictions.items()):
    ConfusionMatrixDisplay.from_predictions(
        y_test, pred, ax=ax, colorbar=False
    )
    ax.set_title(
        f"{name}\naccuracy {accuracy_score(y_test, pred):.2f}",
        fontsize=11,
    )
fig.tight_layout()

# %%
# Where do the errors come from?  A short, noisy sequence shows too few periods of its
# oscillation to pin down the frequency.  Accuracy by sequence length makes that
# visible:
lengths = np.array([len(x) for x in X_test])
bins = [(10, 30), (31, 55), (56, 80)]
fig, ax = plt.subplots(figsize=(8, 3.8))
width = 0.25
for k, (name, pred) in enumerate(predictions.items()):
    acc = [
        accuracy_score(
            y_test[(lengths >= lo) & (lengths <= hi)],
            pred[(lengths >= lo) & (lengths <= hi)],
        )
        for lo, hi in bins
    ]
    ax.bar(
        np.arange(len(bins)) + (k - 1) * width, acc, width, label=name
    )
    print(
        f"{name:16s} accuracy by length {bins}: "
        + ", ".join(f"{a:.2f}" for a in acc)
    )
ax.set_xticks(range(len(bins)), [f"{lo}-{hi} steps" for lo, hi in bins])
ax.set_ylim(0, 1.05)
ax.set_ylabel("test accuracy")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
fig.tight_layout()

# %%
# The same data as a NaN-padded 3-D array
# ---------------------------------------
# ``return_list=False`` gives the same sequences as one ``(n_sequences, 80, 1)`` array,
# padded with NaN; the models read it identically.
X_padded, y_padded = make_sequence_classification(
    600,
    n_classes=5,
    noise=0.5,
    min_length=10,
    max_length=80,
    random_state=0,
    return_list=False,
)
idx_train, idx_test = train_test_split(
    np.arange(600), test_size=1 / 3, stratify=y, random_state=0
)
esn = ESNClassifier(n_reservoir=200, pooling="mean", random_state=0)
esn.fit(X_padded[idx_train], y_padded[idx_train])
same = np.array_equal(
    esn.predict(X_padded[idx_test]), predictions["ESN (200 units)"]
)
print(
    f"padded 3-D array: shape {X_padded.shape}, "
    f"same ESN predictions as the list: {same}"
)

# %%
# Notes
# -----
# * Pooling matters for the ESN: the mean state over the sequence averages out the noise
#   of individual steps (``pooling='last'`` reads one noisy state; ``'both'`` doubles the
#   number of readout features and needs a larger ``alpha`` with only 400 training
#   sequences).
# * Coming from sktime or aeon, where collections are ``(n, channels, T)``, transpose
#   first: ``np.transpose(X, (0, 2, 1))``.  Coming from tslearn, a univariate collection
#   must be 3-D ``(n, T, 1)``: a 2-D array is always *one* series for sktemporal.
# * All three are scikit-learn classifiers: ``cross_val_score``, ``GridSearchCV`` and
#   ``Pipeline`` (with :class:`~sktemporal.StepwiseTransformer` to scale every time step)
#   take the list as it is.
