"""sktemporal: temporal neural networks for scikit-learn."""

from . import datasets, exceptions, forecasting, metrics, persistence
from ._version import __version__
from .neural_network import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
    Seq2SeqRegressor,
    TDNNClassifier,
    TDNNRegressor,
)
from .preprocessing import DelayEmbedding, GammaMemory, StepwiseTransformer
from .reservoir import ESNClassifier, ESNClassifierCV, ESNRegressor, ESNRegressorCV, Reservoir

__all__ = [
    "DelayEmbedding",
    "ESNClassifier",
    "ESNClassifierCV",
    "ESNRegressor",
    "ESNRegressorCV",
    "GRUClassifier",
    "GRURegressor",
    "GammaMemory",
    "LSTMClassifier",
    "LSTMRegressor",
    "RNNClassifier",
    "RNNRegressor",
    "Reservoir",
    "Seq2SeqRegressor",
    "StepwiseTransformer",
    "TDNNClassifier",
    "TDNNRegressor",
]
