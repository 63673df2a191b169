"""Pure truth checks over plain data (no Stack, no database): parts-list content, secrets, last_sync."""

from .content import ContentMismatch, ContentReport, MismatchKind, compare_content
from .last_sync import LastSyncViolation, ViolationKind, last_sync_violations
from .secrets import SecretHit, SecretScan, scan_paths, scan_texts

__all__ = [
    "ContentMismatch",
    "ContentReport",
    "LastSyncViolation",
    "MismatchKind",
    "SecretHit",
    "SecretScan",
    "ViolationKind",
    "compare_content",
    "last_sync_violations",
    "scan_paths",
    "scan_texts",
]
