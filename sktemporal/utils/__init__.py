"""Shared utilities: the sequence data contract, class labels, the progress callback."""

from ._batch import TSLEARN_HINT, SequenceBatch, Targets, restore_layout
from ._callbacks import ProgressLine
from ._labels import (
    check_classes,
    check_labels,
    check_partial_fit_classes,
    encode_labels,
)
from ._sequences import check_sequences, validate_sequences
from ._targets import check_targets

__all__ = [
    "TSLEARN_HINT",
    "ProgressLine",
    "SequenceBatch",
    "Targets",
    "check_classes",
    "check_labels",
    "check_partial_fit_classes",
    "check_sequences",
    "check_targets",
    "encode_labels",
    "restore_layout",
    "validate_sequences",
]
