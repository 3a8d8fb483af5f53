"""Ids as they arrive in URLs."""

import uuid
from typing import Any


def parse_uuid(value: Any) -> uuid.UUID | None:
    """The UUID that `value` spells, or None: a malformed id names nothing (callers answer 404)."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
