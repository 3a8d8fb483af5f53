"""Ids as they arrive in URLs."""
import uuid


def parse_uuid(value):
    """The UUID that `value` spells, or None: a malformed id names nothing (callers answer 404)."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
