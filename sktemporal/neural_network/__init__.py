"""Trained temporal networks: recurrent (Elman), and the shared numpy engine."""

from ._rnn import RNNClassifier, RNNRegressor

__all__ = ["RNNClassifier", "RNNRegressor"]
