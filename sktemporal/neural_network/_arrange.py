"""One fit's data arranged for the training loop: truncation, streams and the validation split.

A single series is cut into ``n_streams`` contiguous streams for truncated BPTT (the
network carries its state from one chunk of ``bptt_steps`` steps to the next within a
stream); early stopping holds out the last ``validation_fraction`` of a series, or a
(stratified) fraction of a collection's sequences, and scores the network on it.
"""

import numpy as np
from sklearn.model_selection import train_test_split

from ._auto import resolve_early_stopping

__all__ = ["AUTO_BPTT_STEPS", "TrainingDataMixin", "auto_batch_size", "auto_truncation", "split_streams"]

#: ``bptt_steps='auto'`` on one series: truncation length and number of parallel streams.
#: Chosen by the defaults study (docs/user_guide/defaults.rst): chunks of AUTO_BPTT_STEPS
#: steps, and as many streams as leave each one about AUTO_CHUNKS_PER_STREAM chunks (at
#: most 32, Keras' and PyTorch's customary batch), so that an epoch makes many updates.
AUTO_BPTT_STEPS = 32
AUTO_CHUNKS_PER_STREAM = 8
AUTO_MAX_STREAMS = 32
#: ``batch_size='auto'`` on a collection: about AUTO_UPDATES_PER_EPOCH minibatches per epoch,
#: of AUTO_MIN_BATCH to AUTO_MAX_BATCH sequences (classification dev suite, defaults page).
AUTO_UPDATES_PER_EPOCH = 8
AUTO_MIN_BATCH = 8
AUTO_MAX_BATCH = 32


def auto_truncation(T):
    """``(bptt_steps, n_streams)`` of ``bptt_steps='auto'`` for one series of ``T`` steps.

    >>> auto_truncation(2000)
    (32, 7)
    >>> auto_truncation(100)
    (32, 1)
    """
    k = min(AUTO_BPTT_STEPS, T)
    return k, int(np.clip(T // (AUTO_CHUNKS_PER_STREAM * k), 1, AUTO_MAX_STREAMS))


def auto_batch_size(n_sequences):
    """Sequences per minibatch of ``batch_size='auto'`` on a collection of ``n_sequences``.

    ``clip(n // 8, 8, 32)``, at most ``n``: about eight updates per epoch, so that a set of
    a few dozen sequences is not trained with one or two updates per epoch (36 sequences:
    5 minibatches instead of 2), while 256 sequences and more keep the customary 32.

    >>> auto_batch_size(36), auto_batch_size(120), auto_batch_size(1000), auto_batch_size(5)
    (8, 15, 32, 5)
    """
    size = int(np.clip(n_sequences // AUTO_UPDATES_PER_EPOCH, AUTO_MIN_BATCH, AUTO_MAX_BATCH))
    return min(size, n_sequences)


def split_streams(series, Y, n_streams):
    """Cut one ``(T, F)`` series into ``n_streams`` contiguous pieces (the last takes the rest)."""
    T = series.shape[0]
    piece = T // n_streams
    lengths = np.full(n_streams, piece)
    lengths[-1] = T - piece * (n_streams - 1)
    width = int(lengths.max())
    values = np.zeros((n_streams, width, series.shape[1]), dtype=series.dtype)
    targets = np.zeros((n_streams, width, Y.shape[1]), dtype=Y.dtype)
    for j in range(n_streams):
        s = j * piece
        values[j, : lengths[j]] = series[s: s + lengths[j]]
        targets[j, : lengths[j]] = Y[s: s + lengths[j]]
    return values, targets, lengths


class TrainingDataMixin:
    """How a network estimator arranges its training data (mixed into ``BaseSequenceNetwork``).

    Relies on the estimator's hooks ``_training_data``, ``_forward_all`` and ``_score_rows``.
    """

    def _truncation(self, batch):
        """The truncation length of this fit: ``bptt_steps`` with 'auto' resolved."""
        if not (isinstance(self.bptt_steps, str) and self.bptt_steps == "auto"):
            return self.bptt_steps
        if (batch.kind != "series" or self._bidirectional
                or self.solver not in ("adam", "sgd")):
            return None  # whole sequences
        return auto_truncation(int(batch.lengths[0]))[0]

    def _batch_size(self, data, bptt_steps=None, series=False):
        """Sequences (or streams of one series) per minibatch; ``batch_size='auto'`` resolved."""
        if self.batch_size != "auto":
            return min(self.batch_size, data.n_sequences)
        if series:  # its streams: one minibatch (at most 32 of them, see _n_streams)
            return min(AUTO_MAX_BATCH, data.n_sequences)
        return auto_batch_size(data.n_sequences)

    def _arrange(self, batch, inputs, Y, targets, incremental, bptt_steps):
        """Training data (and a validation scorer ``score(theta)`` when early stopping)."""
        values, lengths = inputs, batch.lengths
        validation = None
        use_val = (self.solver in ("adam", "sgd") and not incremental
                   and self._early_stopping_on(batch, Y, targets))
        if batch.kind == "series":
            T = int(lengths[0])
            if use_val:
                n_val = max(1, int(round(self.validation_fraction * T)))
                if T - n_val < 2:
                    raise ValueError(
                        f"early_stopping needs a longer series: {T} steps leave "
                        f"{T - n_val} for training with validation_fraction={self.validation_fraction}."
                    )
                validation = self._series_validation(values, Y, T - n_val)
                T -= n_val
            values, Y = values[:, :T], Y[:, :T]
            if bptt_steps is not None:
                values, Y, lengths = split_streams(values[0], Y[0], self._n_streams(T, bptt_steps))
            else:
                lengths = np.array([T])
        elif use_val:
            idx = np.arange(batch.n_sequences)
            stratify = Y.argmax(-1) if (self._task == "classification" and not targets.per_step) else None
            try:
                train, val = train_test_split(idx, test_size=self.validation_fraction,
                                              random_state=self._random_state, stratify=stratify)
            except ValueError:
                train, val = train_test_split(idx, test_size=self.validation_fraction,
                                              random_state=self._random_state)
            validation = self._collection_validation(values[val], lengths[val], Y[val])
            values, lengths, Y = values[train], lengths[train], Y[train]
        return self._training_data(values, lengths, Y, targets.per_step, bptt_steps), validation

    def _early_stopping_on(self, batch, Y, targets):
        """``early_stopping`` resolved on this fit's data (sequences, or steps of one series)."""
        counts = None
        if self._task == "classification" and not targets.per_step and batch.kind != "series":
            counts = np.bincount(Y.argmax(-1) if Y.shape[-1] > 1 else Y[:, 0].astype(int))
        n = int(batch.lengths[0]) if batch.kind == "series" else batch.n_sequences
        return resolve_early_stopping(self.early_stopping, batch.kind, n, self.validation_fraction, counts)

    def _n_streams(self, T, bptt_steps):
        """Parallel contiguous streams a single series is cut into for truncated BPTT."""
        if self.batch_size != "auto":
            return max(1, min(self.batch_size, T // bptt_steps))
        if isinstance(self.bptt_steps, str):  # 'auto'
            return auto_truncation(T)[1]
        return int(max(1, min(32, T // (10 * bptt_steps))))

    def _series_validation(self, values, Y, start):
        """Score on the last part of the series, the network having run over all of it."""
        def score(theta):
            out = self._forward_all(values, np.array([values.shape[1]]), theta)
            return self._score_rows(out[0, start:], Y[0, start:])
        return score

    def _collection_validation(self, values, lengths, Y):
        def score(theta):
            out = self._forward_all(values, lengths, theta)
            if self._per_step:
                mask = np.arange(values.shape[1])[None, :] < lengths[:, None]
                return self._score_rows(out[mask], Y[mask])
            return self._score_rows(out, Y)
