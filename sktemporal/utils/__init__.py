"""Shared utilities: the sequence data contract and testing helpers."""

from ._sequences import (
    TSLEARN_HINT,
    SequenceBatch,
    Targets,
    check_sequences,
    check_targets,
    restore_layout,
    validate_sequences,
)

__all__ = [
    "TSLEARN_HINT",
    "SequenceBatch",
    "Targets",
    "check_sequences",
    "check_targets",
    "restore_layout",
    "validate_sequences",
]
