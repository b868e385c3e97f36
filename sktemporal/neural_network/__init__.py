"""Trained temporal networks: recurrent (Elman), and the shared numpy engine."""

from ._rnn import RNNClassifier, RNNRegressor
from ._seq2seq import Seq2SeqRegressor
from ._tdnn import TDNNClassifier, TDNNRegressor

__all__ = ["RNNClassifier", "RNNRegressor", "Seq2SeqRegressor", "TDNNClassifier", "TDNNRegressor"]
