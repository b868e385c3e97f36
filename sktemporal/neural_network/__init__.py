"""Trained temporal networks: recurrent (Elman), and the shared numpy engine."""

from ._rnn import RNNClassifier, RNNRegressor
from ._tdnn import TDNNClassifier, TDNNRegressor

__all__ = ["RNNClassifier", "RNNRegressor", "TDNNClassifier", "TDNNRegressor"]
