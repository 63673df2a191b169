"""How the gate compares Logikal ids: GUIDs with or without braces, in any case, are the same id."""

from __future__ import annotations

__all__ = ["guid_key"]


def guid_key(value: object) -> str:
    """``{ABC-1}``, ``abc-1`` and `` Abc-1 `` → ``abc-1``; None → ``""``."""
    return str(value or "").strip().strip("{}").lower()
