"""Trained temporal networks: recurrent (Elman, LSTM, GRU), and the shared numpy engine."""

from ._convert import from_keras, from_torch, to_keras, to_torch
from ._gru import GRUClassifier, GRURegressor
from ._lstm import LSTMClassifier, LSTMRegressor
from ._rnn import RNNClassifier, RNNRegressor
from ._seq2seq import Seq2SeqRegressor
from ._tdnn import TDNNClassifier, TDNNRegressor

__all__ = [
    "GRUClassifier",
    "GRURegressor",
    "LSTMClassifier",
    "LSTMRegressor",
    "RNNClassifier",
    "RNNRegressor",
    "Seq2SeqRegressor",
    "TDNNClassifier",
    "TDNNRegressor",
    "from_keras",
    "from_torch",
    "to_keras",
    "to_torch",
]
